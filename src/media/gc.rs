//! The media garbage collector: deletes every file that nothing uses, so the media
//! folder never fills with orphans. It removes
//! - images no post and no user uses (rows and files),
//! - files on disk that no row knows (a crash between writing and recording),
//! - leftovers in `.tmp/`,
//!
//! each only when older than `gc_grace`, so an upload in an editor that is still open
//! is safe. Actions that release a file (deleting a post, replacing an avatar) delete
//! it at once; the GC catches what they could not.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::db::{self, Db};

use super::store::{MediaDir, TEMP_DIR};

/// What one pass deleted (or, in a dry run, would delete).
#[derive(Debug, Default)]
pub struct Report {
    pub files: Vec<Orphan>,
}

/// A file nothing uses: its path under the media folder and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphan {
    pub path: String,
    pub bytes: u64,
}

impl Report {
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|file| file.bytes).sum()
    }
}

/// Runs one pass; blocking (run it on a blocking thread). `on_file` is told of each
/// file as it is deleted, for progress bars and listings.
pub fn collect(
    db: &Db,
    media: &MediaDir,
    grace: Duration,
    dry_run: bool,
    on_file: &mut dyn FnMut(&str, u64),
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let cutoff_ms = db::now_ms() - i64::try_from(grace.as_millis()).unwrap_or(i64::MAX);
    let cutoff = SystemTime::now()
        .checked_sub(grace)
        .unwrap_or(SystemTime::UNIX_EPOCH);

    // Images nothing uses: release the rows (re-checked inside the transaction), then
    // delete their files.
    let unused = db.read_now(|conn| db::media::unused_before(conn, cutoff_ms))?;
    let released = if dry_run {
        db.read_now(|conn| {
            let mut files = Vec::new();
            for &id in &unused {
                files.extend(db::media::files(conn, id)?);
            }
            Ok(files)
        })?
    } else {
        db.write_now(|tx| db::media::release_unused(tx, &unused))?
    };
    for file in released {
        if !dry_run {
            media.remove_released([file.path.clone()]);
        }
        on_file(&file.path, file.bytes);
        report.files.push(Orphan {
            path: file.path,
            bytes: file.bytes,
        });
    }

    // Files no row knows, and temporary files: read the catalogue after listing the
    // disk, so a file recorded in between is known.
    let mut on_disk = Vec::new();
    list_files(media.root(), "", &mut on_disk)?;
    let known = db.read_now(db::media::all_paths)?;
    for (relative, bytes, modified) in on_disk {
        let is_temp = relative.starts_with(&format!("{TEMP_DIR}/"));
        if (!is_temp && known.contains(&relative)) || modified > cutoff {
            continue;
        }
        if !dry_run {
            if let Err(err) = std::fs::remove_file(media.root().join(&relative)) {
                tracing::warn!("media gc: cannot delete {relative}: {err}");
                continue;
            }
        }
        on_file(&relative, bytes);
        report.files.push(Orphan {
            path: relative,
            bytes,
        });
    }
    Ok(report)
}

/// Every regular file under `dir`, with its path relative to the media folder (with
/// `/` separators), size and modification time. Symbolic links are not followed.
fn list_files(
    dir: &Path,
    prefix: &str,
    out: &mut Vec<(String, u64, SystemTime)>,
) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let meta = entry.metadata()?;
        if meta.is_dir() {
            list_files(&entry.path(), &relative, out)?;
        } else if meta.is_file() {
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            out.push((relative, meta.len(), modified));
        }
    }
    Ok(())
}
