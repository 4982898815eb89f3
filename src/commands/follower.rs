//! `blog serve --replica URL`: a read-only follower. `litestream restore -f` keeps a
//! copy of the replica's database in this machine's data folder, a second or two
//! behind the primary; blog serves readers from it, fetches the media files it names
//! from the replica, and sends every other request to the primary (`web`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::config::{Config, ReplicaUrl};

/// How long the first restore may take before the follower gives up.
const FIRST_COPY: Duration = Duration::from_secs(120);

/// The `litestream restore -f` child; stopped when dropped.
pub struct Follower {
    child: Child,
}

impl Follower {
    /// Starts following `replica` into `[storage] data_dir`, and waits for the copy.
    pub fn start(config: &Config, replica: &ReplicaUrl) -> anyhow::Result<Self> {
        let storage = &config.storage;
        let database = std::path::absolute(storage.database())
            .context("cannot make the database path absolute")?;
        super::create_private_dir(&storage.data_dir)
            .and_then(|()| std::fs::create_dir_all(storage.media_dir()))
            .with_context(|| {
                format!(
                    "cannot create the follower's data folder {}",
                    storage.data_dir.display()
                )
            })?;
        let marker = sidecar(&database, "-txid");
        if database.exists() && !marker.exists() {
            bail!(
                "{} is not a follower's copy (no {} beside it): give the follower a data folder of its own",
                database.display(),
                marker.display()
            );
        }
        let yml = storage.data_dir.join(".litestream-follow.yml");
        std::fs::write(
            &yml,
            super::litestream::replica_yml(&database, replica, &storage.replica_key)?,
        )
        .with_context(|| format!("cannot write {}", yml.display()))?;
        // A copy left by an earlier run is replaced: the replica is the truth.
        for suffix in ["", "-wal", "-shm", "-txid"] {
            let _ = std::fs::remove_file(sidecar(&database, suffix));
        }
        let binary = super::litestream::binary()?;
        let spawn = || {
            Command::new(&binary)
                .arg("restore")
                .arg("-config")
                .arg(&yml)
                .arg("-f")
                .arg("-o")
                .arg(&database)
                .arg(&database)
                .stdin(Stdio::null())
                // Its log goes with ours, on stderr.
                .stdout(Stdio::from(std::io::stderr()))
                .spawn()
                .context("cannot run litestream restore -f")
        };
        let mut follower = Self { child: spawn()? };
        // A replica the primary has not written yet has nothing to restore: try again
        // until it has, for a while.
        let deadline = Instant::now() + FIRST_COPY;
        loop {
            if database.exists() && crate::db::Db::open_follower(&database).is_ok() {
                return Ok(follower);
            }
            if Instant::now() > deadline {
                bail!(
                    "no copy of the replica's database after {FIRST_COPY:?}: is the primary replicating to {replica}?"
                );
            }
            if follower.child.try_wait()?.is_some() {
                std::thread::sleep(Duration::from_millis(500));
                follower.child = spawn()?;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sidecar(database: &Path, suffix: &str) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
