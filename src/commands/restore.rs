//! `blog restore --from URL [--timestamp T] --data-dir DIR`: a blog back on a new
//! machine from its replica. `litestream restore` brings the database (as it was at
//! `T`, or the latest), then blog copies from `<replica>/media/` exactly the media
//! files that database knows.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};

use crate::config::{Config, ReplicaUrl};
use crate::db::{self, Db};
use crate::media::replica::MediaReplica;

pub fn run(
    config: &Config,
    from: &ReplicaUrl,
    timestamp: Option<&str>,
    data_dir: &Path,
) -> anyhow::Result<()> {
    if !from.is_set() {
        bail!("--from needs a replica, as in file:///srv/blog-replica");
    }
    let timestamp = timestamp
        .map(|text| {
            text.parse::<jiff::Timestamp>().with_context(|| {
                format!("--timestamp {text:?} is not an RFC 3339 time such as 2026-12-06T05:00:00Z")
            })
        })
        .transpose()?;
    let database = data_dir.join("blog.sqlite3");
    if database.exists() {
        bail!(
            "{} exists: restore into an empty data folder (move the old one away first)",
            database.display()
        );
    }
    let media_dir = data_dir.join("media");
    super::create_private_dir(data_dir)
        .and_then(|()| std::fs::create_dir_all(&media_dir))
        .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;
    let mut storage = config.storage.clone();
    storage.data_dir = data_dir.to_path_buf();
    storage.replica = from.clone();

    // Through a config file, which alone can carry an SFTP replica's key.
    let absolute = std::path::absolute(&database).context("cannot make the path absolute")?;
    let litestream_yml = data_dir.join(".litestream-restore.yml");
    let yml = super::litestream::replica_yml(&absolute, from, &storage.replica_key)?;
    std::fs::write(&litestream_yml, yml)
        .with_context(|| format!("cannot write {}", litestream_yml.display()))?;
    let mut litestream = Command::new(super::litestream::binary()?);
    litestream
        .arg("restore")
        .arg("-config")
        .arg(&litestream_yml)
        .arg("-o")
        .arg(&database);
    if let Some(at) = timestamp {
        litestream.arg("-timestamp").arg(at.to_string());
    }
    let status = litestream
        .arg(&absolute)
        .status()
        .context("cannot run litestream restore");
    let _ = std::fs::remove_file(&litestream_yml);
    let status = status?;
    if !status.success() || !database.exists() {
        bail!("litestream restore from {from} failed ({status}): see its messages above");
    }
    crate::files::make_private(&database)
        .with_context(|| format!("cannot make {} private", database.display()))?;

    let db = Db::open(&database)?;
    let (counts, paths) =
        db.read_now(|conn| Ok((db::admin::counts(conn)?, db::media::all_paths(conn)?)))?;
    let replica = MediaReplica::of(&storage).context("the replica has no media folder")?;
    let mut paths: Vec<String> = paths.into_iter().collect();
    paths.sort();
    let missing = replica
        .fetch_all(&paths, &media_dir)
        .context("cannot copy the media files from the replica")?;
    for path in &missing {
        eprintln!("warning: media file {path} is not in the replica");
    }
    println!(
        "restored {} ({}, {}, {}) and {} from {from}",
        database.display(),
        super::count(counts.posts - counts.drafts, "post"),
        super::count(counts.drafts, "draft"),
        super::count(counts.users, "account"),
        super::count((paths.len() - missing.len()) as u64, "media file")
    );
    if !missing.is_empty() {
        bail!(
            "{} media files the database names are not in the replica: the posts using them show broken images; look for them in a `blog backup` tar",
            missing.len()
        );
    }
    println!("put secret.key back (or set BLOG_SECRET_KEY as before), then start blog");
    Ok(())
}
