//! `blog check`: is the configuration valid, the data folder writable, the database
//! sound? Prints what it checked; fails with the first problem.

use anyhow::Context;

use crate::config::{Config, SecretKey, SecretSource};

pub fn run(config: &Config) -> anyhow::Result<()> {
    println!(
        "config: ok (listening on {}, site {})",
        config.server.bind, config.site.base_url
    );
    let db = super::open_db(config)?;
    let integrity: String = db
        .read_now(|conn| conn.query_row("PRAGMA integrity_check", [], |row| row.get(0)))
        .context("cannot check the database")?;
    if integrity != "ok" {
        anyhow::bail!("the database is damaged ({integrity}): restore it from a backup");
    }
    println!("database: ok ({})", config.storage.database().display());
    let (_, source) = SecretKey::load(&config.storage)?;
    match source {
        SecretSource::Environment => println!("secret key: from BLOG_SECRET_KEY"),
        SecretSource::File => println!(
            "secret key: from {}",
            config.storage.secret_key_file().display()
        ),
    }
    Ok(())
}
