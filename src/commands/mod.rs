//! One file per subcommand, each with one `run`. Errors carry context for the user;
//! `main` prints them as one `error: …` line.

pub mod backup;
pub mod check;
pub mod collectstatic;
pub mod createsuperuser;
pub mod export;
pub mod follower;
pub mod import;
pub mod init;
pub mod litestream;
pub mod mail;
pub mod media;
pub mod nginx_config;
pub mod posts;
pub mod redirects;
pub mod restore;
pub mod serve;
pub mod users;

use std::path::Path;

use anyhow::Context;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::db::{Db, PageCheck};

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let file = cli.config.as_deref();
    match cli.command {
        Command::Serve { bind, replica } => serve::run(load_config(file)?, bind, replica),
        Command::Init { force } => init::run(file, force),
        Command::Createsuperuser {
            email,
            name,
            password_stdin,
        } => createsuperuser::run(&load_config(file)?, &email, name, password_stdin),
        Command::Users { command } => users::run(&load_config(file)?, command),
        Command::Check { deploy } => check::run(&load_config(file)?, deploy),
        Command::Backup { file: out, force } => backup::run(&load_config(file)?, &out, force),
        Command::Collectstatic { dir } => collectstatic::run(&dir),
        Command::NginxConfig {
            static_dir,
            listen,
            cache,
            cache_dir,
            replicas,
        } => nginx_config::run(
            &load_config(file)?,
            &static_dir,
            listen,
            cache.then_some(cache_dir.as_path()),
            replicas,
        ),
        Command::LitestreamConfig { replica } => {
            litestream::run(&load_config(file)?, replica.as_ref())
        }
        Command::Restore {
            from,
            timestamp,
            data_dir,
        } => restore::run(&load_config(file)?, &from, timestamp.as_deref(), &data_dir),
        Command::Posts { command } => posts::run(&load_config(file)?, command),
        Command::Media { command } => media::run(&load_config(file)?, command),
        Command::Mail { command } => mail::run(&load_config(file)?, command),
        Command::Import { command } => import::run(&load_config(file)?, command),
        Command::Redirects { command } => redirects::run(&load_config(file)?, command),
        Command::Export { dir, force } => export::run(&load_config(file)?, &dir, force),
    }
}

fn load_config(file: Option<&Path>) -> anyhow::Result<Config> {
    Ok(Config::load(file, std::env::vars())?)
}

/// Creates the data folder if needed and opens the database in it.
fn open_db(config: &Config) -> anyhow::Result<Db> {
    open_db_with(config, PageCheck::Now)
}

/// `open_db`, with the read of every page now or left to the caller (`serve`).
fn open_db_with(config: &Config, page_check: PageCheck) -> anyhow::Result<Db> {
    let storage = &config.storage;
    create_private_dir(&storage.data_dir).and_then(|()| std::fs::create_dir_all(storage.media_dir())).with_context(|| {
        format!(
            "cannot create the data folder {}: create it yourself, or set [storage] data_dir to a writable folder",
            storage.data_dir.display()
        )
    })?;
    Db::open_with(&storage.database(), page_check)
}

/// How commands that publish write mail (to subscribers), when `[mail]` is on: the
/// server's worker sends what they queue.
fn letters(config: &Config) -> anyhow::Result<Option<crate::mail::Letters>> {
    if !config.mail.is_on() {
        return Ok(None);
    }
    let (key, _) = crate::config::SecretKey::load(&config.storage)?;
    Ok(crate::mail::Letters::of(config, &key))
}

/// The data folder holds the database and the secret key: a new one is closed to
/// other users (0750; nginx reads `media/` through the group, see `deploy/`).
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o750);
    }
    builder.create(dir)
}

/// `1 post`, `2 posts`: the command line's counts. Its output is English only, and
/// its nouns are regular; the web interface's counted strings, in each language,
/// are Fluent messages (see `i18n`).
pub fn count(n: u64, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}
