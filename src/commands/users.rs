//! `blog users list|set-role|deactivate|reset-link`.

use anyhow::{bail, Context};

use crate::auth::{reset, Token};
use crate::cli::UsersCommand;
use crate::config::Config;
use crate::content::{Email, Role};
use crate::db;
use crate::media::MediaDir;

pub fn run(config: &Config, command: UsersCommand) -> anyhow::Result<()> {
    let db = super::open_db(config)?;
    match command {
        UsersCommand::List => {
            let users = db.read_now(db::users::all)?;
            if users.is_empty() {
                println!("no accounts yet: create one with `blog createsuperuser --email you@example.com`");
            }
            for user in users {
                let state = if user.is_active { "active" } else { "inactive" };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    user.id,
                    user.email,
                    user.role,
                    state,
                    user.name()
                );
            }
        }
        UsersCommand::SetRole { email, role } => {
            let email = parse_email(&email)?;
            let role: Role = role.parse()?;
            if !db.write_now(|tx| db::users::set_role(tx, &email, role))? {
                bail!("no account has the email {email}");
            }
            println!("{email} is now {role}");
        }
        UsersCommand::Deactivate { email } => {
            let email = parse_email(&email)?;
            if !db.write_now(|tx| db::users::deactivate(tx, &email))? {
                bail!("no account has the email {email}");
            }
            println!("{email} is deactivated and signed out everywhere");
        }
        UsersCommand::Delete { email, yes } => {
            let email = parse_email(&email)?;
            let Some(user) = db.read_now(|conn| db::users::by_email(conn, &email))? else {
                bail!("no account has the email {email}");
            };
            let posts = db.read_now(|conn| db::posts::count_by_author(conn, user.id))?;
            if !yes {
                bail!("this deletes {email} and their {posts} posts for good: run again with --yes to confirm");
            }
            let released = db.write_now(|tx| {
                let used = db::media::used_by_user(tx, user.id)?;
                db::users::delete(tx, user.id)?;
                db::media::release_unused(tx, &used)
            })?;
            let media = MediaDir::new(config.storage.media_dir());
            let files = released.len();
            media.remove_released(released.into_iter().map(|f| f.path));
            println!("deleted {email}, {posts} posts and {files} media files");
        }
        UsersCommand::ResetLink { email } => {
            let email = parse_email(&email)?;
            println!("{}", reset_link(config, &db, &email)?);
        }
    }
    Ok(())
}

/// A new one-time password-reset URL for the account, built from `base_url`; also
/// how imported accounts, which have no password, get in.
pub fn reset_link(config: &Config, db: &db::Db, email: &Email) -> anyhow::Result<String> {
    let token = Token::generate()?;
    let link = db.write_now(|tx| {
        let Some(user) = db::users::by_email(tx, email)? else {
            return Ok(None);
        };
        reset::record_link(tx, &config.site.base_url, user.id, &token).map(Some)
    })?;
    link.with_context(|| format!("no account has the email {email}"))
}

fn parse_email(text: &str) -> anyhow::Result<Email> {
    text.parse()
        .with_context(|| format!("{text:?} is not an email address"))
}
