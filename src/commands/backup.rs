//! `blog backup FILE`: a consistent copy of the database (SQLite's online backup) to
//! FILE and the media folder as `FILE.media.tar`, while the server keeps running.
//! The secret key is left out on purpose: it is saved apart from the data.

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use rusqlite::{Connection, OpenFlags};

use crate::config::Config;
use crate::db;
use crate::files::human_size;
use crate::media::store::TEMP_DIR;

/// Suffix of files being written; renamed into place only once complete and checked,
/// so a failed backup never leaves something that looks like a good one.
const PART: &str = ".part";

pub fn run(config: &Config, file: &Path, force: bool) -> anyhow::Result<()> {
    let database = config.storage.database();
    let media = config.storage.media_dir();
    let tar_file = with_suffix(file, ".media.tar");
    refuse_dangerous_target(file, &database, &media)?;
    for target in [file, tar_file.as_path()] {
        if target.exists() && !force {
            bail!(
                "{} already exists: choose another name, or add --force to replace it",
                target.display()
            );
        }
    }
    if !database.is_file() {
        bail!(
            "there is no database at {}: run the backup where blog.toml is, or pass --config",
            database.display()
        );
    }

    let copy = copy_database(&database, file)?;
    let archive = archive_media(&media, &tar_file)?;
    let missing = copy
        .media_paths
        .iter()
        .filter(|path| !archive.paths.contains(*path))
        .count();

    println!(
        "backup: {} ({}: {}, {}, {}) and {} ({}, {})",
        file.display(),
        human_size(copy.bytes),
        count(copy.published, "published post"),
        count(copy.drafts, "draft"),
        count(copy.accounts, "account"),
        tar_file.display(),
        count(archive.files, "media file"),
        human_size(archive.bytes),
    );
    if missing > 0 {
        // Deleted by the server between the database copy and the tar (a post deleted
        // meanwhile), or already missing: the restored posts would show broken images.
        println!(
            "warning: {} named by the database not in the tar; run the backup again when the site is quiet",
            count(missing as u64, "media file")
        );
    }
    // Both places are named: the server may get BLOG_SECRET_KEY from its unit's
    // environment file while this command, run from cron, does not see it.
    println!(
        "not included: the secret key (BLOG_SECRET_KEY, or else {}); save it separately (losing it only signs everyone out)",
        config.storage.secret_key_file().display()
    );
    Ok(())
}

/// Refuses a FILE that would replace the live database or land in the public media
/// folder, where nginx would serve it (password hashes included) to anyone.
fn refuse_dangerous_target(file: &Path, database: &Path, media: &Path) -> anyhow::Result<()> {
    let target = absolute(file)?;
    let live = absolute(database)?;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        if target == with_suffix(&live, suffix) {
            bail!(
                "{} is the live database: write the backup somewhere else, such as /var/backups/blog.sqlite3",
                file.display()
            );
        }
    }
    if target.starts_with(absolute(media)?) {
        bail!(
            "{} is inside the media folder, which is served to the public: write the backup somewhere else",
            file.display()
        );
    }
    Ok(())
}

/// The path made absolute, with its folder's symlinks resolved when the folder exists,
/// so two spellings of one file compare equal.
fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    let path = std::path::absolute(path)
        .with_context(|| format!("cannot resolve the path {}", path.display()))?;
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Ok(path);
    };
    Ok(match parent.canonicalize() {
        Ok(parent) => parent.join(name),
        Err(_) => path,
    })
}

/// `path` with `suffix` appended to its file name: `b.sqlite3` → `b.sqlite3.media.tar`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// What the checked copy holds.
struct DatabaseCopy {
    bytes: u64,
    published: u64,
    drafts: u64,
    accounts: u64,
    media_paths: std::collections::HashSet<String>,
}

fn copy_database(database: &Path, file: &Path) -> anyhow::Result<DatabaseCopy> {
    write_then_rename(file, |part| {
        db::backup::online(database, part)?;
        let copy = check_copy(part)?;
        sync_file(part)?;
        Ok(copy)
    })
}

/// Runs `write` on `<target>.part`, then renames it to `target`; on failure the part
/// file is removed, so only complete files ever carry the name asked for. The part
/// file is made first, readable by its owner only: the database holds emails and
/// password hashes, and the tar the images of unpublished drafts.
fn write_then_rename<T>(
    target: &Path,
    write: impl FnOnce(&Path) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let part = with_suffix(target, PART);
    remove_stale(&part)?;
    // An empty private file first, which SQLite or the tar writer then fill.
    crate::files::create_private(&part)
        .map(drop)
        .with_context(|| {
            format!(
                "cannot create {}: does its folder exist, and may you write there?",
                part.display()
            )
        })?;
    let out = match write(&part) {
        Ok(out) => out,
        Err(err) => {
            let _ = std::fs::remove_file(&part);
            return Err(err);
        }
    };
    std::fs::rename(&part, target)
        .with_context(|| format!("cannot rename {} to {}", part.display(), target.display()))?;
    sync_parent(target);
    Ok(out)
}

/// `PRAGMA integrity_check` on the copy, from a connection of its own, then counts.
fn check_copy(part: &Path) -> anyhow::Result<DatabaseCopy> {
    let conn = Connection::open_with_flags(part, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot reopen the backup {}", part.display()))?;
    let problems = db::backup::integrity_check(&conn)
        .with_context(|| format!("cannot check the backup {}", part.display()))?;
    if problems != ["ok"] {
        bail!(
            "the backup failed its integrity check ({}): run `blog check`, and restore the live database from an older backup if it is damaged",
            problems.join("; ")
        );
    }
    let counted = (|| -> rusqlite::Result<DatabaseCopy> {
        Ok(DatabaseCopy {
            bytes: 0,
            published: db::posts::count_published(&conn, None)?,
            drafts: db::posts::drafts(&conn, None)?.len() as u64,
            accounts: db::users::all(&conn)?.len() as u64,
            media_paths: db::media::all_paths(&conn)?,
        })
    })();
    let mut copy = counted.with_context(|| format!("cannot read the backup {}", part.display()))?;
    copy.bytes = std::fs::metadata(part)
        .with_context(|| format!("cannot read {}", part.display()))?
        .len();
    Ok(copy)
}

/// What went into the tar.
struct MediaArchive {
    files: u64,
    bytes: u64,
    paths: std::collections::HashSet<String>,
}

/// Tars the media folder with paths relative to it, leaving out `.tmp/` (uploads in
/// flight and crash leftovers). Files are never changed once in place, only created
/// (by rename) or deleted, so each file in the tar is whole; one deleted while we walk
/// is skipped.
fn archive_media(media: &Path, tar_file: &Path) -> anyhow::Result<MediaArchive> {
    write_then_rename(tar_file, |part| {
        let out = File::create(part).with_context(|| format!("cannot write {}", part.display()))?;
        let mut builder = tar::Builder::new(BufWriter::new(out));
        builder.follow_symlinks(false);
        let mut archive = MediaArchive {
            files: 0,
            bytes: 0,
            paths: Default::default(),
        };
        if media.is_dir() {
            add_folder(&mut builder, media, Path::new(""), &mut archive)?;
        }
        let out = builder
            .into_inner()
            .and_then(|mut w| {
                w.flush()?;
                w.into_inner().map_err(|e| e.into_error())
            })
            .with_context(|| format!("cannot write {}", part.display()))?;
        out.sync_all()
            .with_context(|| format!("cannot write {}", part.display()))?;
        Ok(archive)
    })
}

fn add_folder(
    builder: &mut tar::Builder<BufWriter<File>>,
    root: &Path,
    relative: &Path,
    archive: &mut MediaArchive,
) -> anyhow::Result<()> {
    let dir = root.join(relative);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot read the media folder {}", dir.display()))?
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot read the media folder {}", dir.display()))?;
    // Sorted, so two backups of the same folder list files in the same order.
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = entry.file_name();
        if relative.as_os_str().is_empty() && name == TEMP_DIR {
            continue;
        }
        let path = entry.path();
        let inside = relative.join(&name);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
        };
        match builder.append_path_with_name(&path, &inside) {
            Ok(()) => {}
            // Deleted by the server since we listed the folder: it is gone, not lost.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => {
                return Err(err)
                    .with_context(|| format!("cannot add {} to the tar", path.display()))
            }
        }
        if meta.is_dir() {
            add_folder(builder, root, &inside, archive)?;
        } else if meta.is_file() {
            archive.files += 1;
            archive.bytes += meta.len();
            archive
                .paths
                .insert(inside.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// A `.part` file left by an interrupted backup to the same name is ours to replace.
fn remove_stale(part: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(part) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(err).with_context(|| format!("cannot remove the leftover {}", part.display()))
        }
        _ => Ok(()),
    }
}

fn sync_file(path: &Path) -> anyhow::Result<()> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot write {} to disk", path.display()))
}

/// Makes the rename itself durable; best effort, as not every file system allows
/// opening a folder.
fn sync_parent(path: &Path) {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if let Ok(dir) = File::open(parent) {
        let _ = dir.sync_all();
    }
}

/// `1 draft`, `2 drafts`.
fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_goes_on_the_file_name() {
        assert_eq!(
            with_suffix(Path::new("/b/blog.sqlite3"), ".media.tar"),
            PathBuf::from("/b/blog.sqlite3.media.tar")
        );
    }

    #[test]
    fn the_live_database_and_the_media_folder_are_refused_as_targets() {
        let data = Path::new("/srv/blog-data");
        let db = data.join("blog.sqlite3");
        let media = data.join("media");
        assert!(refuse_dangerous_target(&db, &db, &media).is_err());
        assert!(refuse_dangerous_target(&data.join("blog.sqlite3-wal"), &db, &media).is_err());
        assert!(refuse_dangerous_target(&media.join("b.sqlite3"), &db, &media).is_err());
        assert!(refuse_dangerous_target(Path::new("/var/backups/b.sqlite3"), &db, &media).is_ok());
    }
}
