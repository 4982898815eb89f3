//! `blog restore --from URL [--timestamp T] --data-dir DIR`: a blog back on a new
//! machine from its replica. `litestream restore` brings the database (as it was at
//! `T`, or the latest), then blog copies from `<replica>/media/` exactly the media
//! files that database knows.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};

use crate::config::ReplicaUrl;
use crate::db::{self, Db};
use crate::media::replica::MediaReplica;

pub fn run(from: &ReplicaUrl, timestamp: Option<&str>, data_dir: &Path) -> anyhow::Result<()> {
    let (Some(url), Some(media_replica)) = (from.database_url(), from.media_dir()) else {
        bail!("--from needs a replica, as in file:///srv/blog-replica");
    };
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

    let mut litestream = Command::new(super::litestream::binary()?);
    litestream.arg("restore").arg("-o").arg(&database);
    if let Some(at) = timestamp {
        litestream.arg("-timestamp").arg(at.to_string());
    }
    let status = litestream
        .arg(&url)
        .status()
        .context("cannot run litestream restore")?;
    if !status.success() || !database.exists() {
        bail!("litestream restore from {url} failed ({status}): see its messages above");
    }
    crate::files::make_private(&database)
        .with_context(|| format!("cannot make {} private", database.display()))?;

    let db = Db::open(&database)?;
    let (counts, paths) =
        db.read_now(|conn| Ok((db::admin::counts(conn)?, db::media::all_paths(conn)?)))?;
    let replica = MediaReplica::new(media_replica);
    let mut missing = Vec::new();
    let mut paths: Vec<String> = paths.into_iter().collect();
    paths.sort();
    for path in &paths {
        let fetched = replica
            .fetch(path, &media_dir)
            .with_context(|| format!("cannot copy media file {path} from the replica"))?;
        if !fetched {
            eprintln!("warning: media file {path} is not in the replica");
            missing.push(path);
        }
    }
    println!(
        "restored {} ({} posts, {} drafts, {} accounts) and {} media files from {from}",
        database.display(),
        counts.posts - counts.drafts,
        counts.drafts,
        counts.users,
        paths.len() - missing.len()
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
