//! `blog backup FILE`: a consistent copy of the database (SQLite's online backup) to
//! FILE and the media folder as `FILE.media.tar`, while the server keeps running.
//! The secret key is left out on purpose: it is saved apart from the data.

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::config::Config;
use crate::db;
use crate::media::store::TEMP_DIR;

/// Pages copied per step: 1024 pages of 4 KiB is 4 MiB, so each step is short and a
/// large database shows steady progress instead of one long call.
const PAGES_PER_STEP: i32 = 1024;

/// How long the copy may keep meeting a busy or locked database before giving up.
const BUSY_PATIENCE: Duration = Duration::from_secs(60);

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
        size(copy.bytes),
        count(copy.published, "published post"),
        count(copy.drafts, "draft"),
        count(copy.accounts, "account"),
        tar_file.display(),
        count(archive.files, "media file"),
        size(archive.bytes),
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
        online_backup(database, part)?;
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
    db::create_private_file(&part).with_context(|| {
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

/// Copies the database page by page inside one read transaction. In WAL mode (the
/// server's) a reader blocks no writer, so the server keeps saving posts; and since
/// the snapshot is held across steps, the copy is of one moment and never restarts
/// because of those writes. Answers how many times the copy started over (none, as
/// long as the snapshot is held; the test checks it).
fn online_backup(database: &Path, part: &Path) -> anyhow::Result<u32> {
    // Read-write without CREATE: a read-only connection cannot open a WAL database
    // whose `-shm` file is missing (server stopped), and we must never make an empty one.
    let mut source = Connection::open_with_flags(
        database,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open the database {}", database.display()))?;
    source.busy_timeout(Duration::from_secs(10))?;
    let snapshot = source.transaction_with_behavior(TransactionBehavior::Deferred)?;
    // A deferred transaction reads nothing until asked; this read fixes the snapshot.
    snapshot
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| {
            row.get::<_, i64>(0)
        })
        .with_context(|| format!("cannot read the database {}", database.display()))?;

    let mut restarts = 0;
    let mut dest = Connection::open(part)
        .with_context(|| format!("cannot open the backup file {}", part.display()))?;
    {
        let backup = Backup::new(&snapshot, &mut dest)
            .with_context(|| format!("cannot start the backup into {}", part.display()))?;
        let started = Instant::now();
        let mut remaining = i32::MAX;
        loop {
            let step = backup
                .step(PAGES_PER_STEP)
                .with_context(|| format!("cannot write the backup {}", part.display()))?;
            // SQLite starts over, silently, when the source changed under the copy.
            let left = backup.progress().remaining;
            if left > remaining {
                restarts += 1;
            }
            remaining = left;
            match step {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked => {
                    if started.elapsed() > BUSY_PATIENCE {
                        bail!("the database stayed busy for {BUSY_PATIENCE:?}: try the backup again later");
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                // StepResult is non-exhaustive; treat anything new as "keep going".
                _ => {}
            }
        }
    }
    // The copy carries the source's WAL flag; DELETE mode makes FILE one self-contained
    // file with no `-wal` beside it. The server turns WAL back on when it opens it.
    dest.pragma_update(None, "journal_mode", "DELETE")
        .with_context(|| format!("cannot finish the backup {}", part.display()))?;
    drop(dest);
    snapshot.finish()?;
    Ok(restarts)
}

/// `PRAGMA integrity_check` on the copy, from a connection of its own, then counts.
fn check_copy(part: &Path) -> anyhow::Result<DatabaseCopy> {
    let conn = Connection::open_with_flags(part, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot reopen the backup {}", part.display()))?;
    let problems: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()
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

/// Bytes for people: `512 B`, `3.4 KiB`, `12.0 MiB`.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(size(512), "512 B");
        assert_eq!(size(3 * 1024 + 400), "3.4 KiB");
        assert_eq!(size(12 * 1024 * 1024), "12.0 MiB");
    }

    #[test]
    fn suffix_goes_on_the_file_name() {
        assert_eq!(
            with_suffix(Path::new("/b/blog.sqlite3"), ".media.tar"),
            PathBuf::from("/b/blog.sqlite3.media.tar")
        );
    }

    /// A database of many steps, written to by another connection the whole time:
    /// the copy finishes (no endless restarts), is sound, and holds every row
    /// committed before it began.
    #[test]
    fn a_copy_in_many_steps_beside_a_busy_writer_is_whole_and_finishes() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;

        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("live.sqlite3");
        let conn = Connection::open(&source).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, filler BLOB)")
            .unwrap();
        // About 4 steps' worth of pages.
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)
             INSERT INTO t (filler) SELECT zeroblob(4000) FROM n",
            [],
        )
        .unwrap();
        let before: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();

        let stop = Arc::new(AtomicBool::new(false));
        let writing = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut written = 0;
                while !stop.load(Ordering::Relaxed) {
                    conn.execute("INSERT INTO t (filler) VALUES (zeroblob(100))", [])
                        .unwrap();
                    written += 1;
                }
                written
            })
        };
        let part = dir.path().join("copy.sqlite3");
        let restarts = online_backup(&source, &part).unwrap();
        stop.store(true, Ordering::Relaxed);
        assert!(
            writing.join().unwrap() > 0,
            "the writer was never blocked out"
        );
        assert_eq!(
            restarts, 0,
            "the held snapshot keeps the copy of one moment"
        );

        let copy = Connection::open(&part).unwrap();
        let check: String = copy
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let rows: i64 = copy
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert!(rows >= before, "{rows} rows, {before} before the copy");
        let mode: String = copy
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete", "one self-contained file");
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
