//! `blog createsuperuser --email E`: the first account, an admin.

use std::io::{BufRead, IsTerminal};

use anyhow::{bail, Context};

use crate::actions::users::{Activity, NewAccount};
use crate::actions::{self, Blog};
use crate::auth::{password, Actor};
use crate::config::Config;
use crate::content::{Email, Role};
use crate::db;
use crate::media::MediaDir;

/// Names longer than this are refused, as on the signup form.
const MAX_NAME_CHARS: usize = 100;

pub fn run(
    config: &Config,
    email: &str,
    name: Option<String>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let email: Email = email
        .parse()
        .with_context(|| format!("{email:?} is not an email address"))?;
    let db = super::open_db(config)?;
    let existing = db.read_now(|conn| db::users::by_email(conn, &email))?;
    if existing.is_some() {
        bail!("an account with the email {email} exists already: use `blog users set-role {email} admin`");
    }
    // A script gives --name; at a terminal it is asked; a script without one keeps
    // the old behaviour (the part of the address before the @), said on stderr.
    let name = match name {
        Some(name) => name.trim().to_string(),
        None if !password_stdin && std::io::stdin().is_terminal() => ask_name()?,
        None => {
            eprintln!("no --name given: pages show {email}'s name as the part before the @; set one on the profile page");
            String::new()
        }
    };
    if name.chars().count() > MAX_NAME_CHARS {
        bail!("the name has more than {MAX_NAME_CHARS} characters: choose a shorter one");
    }
    let password = if password_stdin {
        read_stdin()?
    } else {
        prompt()?
    };
    if let Some(problem) = password::problem(&password, &email) {
        bail!("password refused: {problem}");
    }
    let hash = password::hash(&password, config.accounts.bcrypt_cost.0)?;
    let account = NewAccount {
        email: email.clone(),
        password_hash: Some(hash),
        display_name: name,
        bio: String::new(),
        role: Role::Admin,
        active: Activity::Active,
        joined: None,
    };
    let media = MediaDir::new(config.storage.media_dir());
    actions::users::create(Blog::new(&db, &media), &Actor::Cli, &account)?;
    println!("created admin {email}");
    Ok(())
}

fn read_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

fn ask_name() -> anyhow::Result<String> {
    use std::io::Write;
    print!("Name (shown on pages): ");
    std::io::stdout().flush()?;
    Ok(read_stdin()?.trim().to_string())
}

fn prompt() -> anyhow::Result<String> {
    let first = rpassword::prompt_password("Password: ")
        .context("cannot read a password from the terminal (use --password-stdin in scripts)")?;
    let again = rpassword::prompt_password("Password (again): ")?;
    if first != again {
        bail!("the two passwords differ");
    }
    Ok(first)
}
