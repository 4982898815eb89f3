//! Media files off the machine: a copy of every file of the media folder in the
//! replica's `media/` folder (`[storage] replica`), beside the database Litestream
//! replicates there.
//!
//! Why this shape: upload names are random and never reused, so a path names one
//! content forever, and the replica can be append-only. A file is copied when it is
//! saved, before the row that uses it can be committed, so every state of the database
//! Litestream ever shipped finds its files in the replica; and nothing there is ever
//! deleted (not by the media GC, not by a deleted post), so a restore to any point in
//! time within Litestream's retention finds every file that moment used. The price is
//! space: the replica keeps what the blog deleted (see docs/scaling.md). `blog restore`
//! then copies back exactly the files the restored database knows.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::store::{MediaDir, TEMP_DIR};

/// The replica's media folder.
#[derive(Debug, Clone)]
pub struct MediaReplica {
    root: PathBuf,
}

impl MediaReplica {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// Copies one file (`relative` to the media folder at `media_root`) unless the
    /// replica has it; written under a temporary name and renamed, so the replica never
    /// holds half a file under a real name.
    pub fn push(&self, media_root: &Path, relative: &str) -> std::io::Result<()> {
        let target = self.root.join(relative);
        if target.exists() {
            return Ok(());
        }
        copy_whole(&media_root.join(relative), &target, &self.root)
    }

    /// Copies every file of the media folder the replica lacks (files saved while the
    /// replica was unreachable, or by a command); answers how many.
    pub fn push_missing(&self, media_root: &Path) -> std::io::Result<usize> {
        let mut copied = 0;
        for relative in files_under(media_root)? {
            if !self.root.join(&relative).exists() {
                self.push(media_root, &relative)?;
                copied += 1;
            }
        }
        Ok(copied)
    }

    /// Copies `relative` from the replica into the media folder at `media_root`;
    /// `Ok(false)` when the replica does not have it.
    pub fn fetch(&self, relative: &str, media_root: &Path) -> std::io::Result<bool> {
        // The path comes from a database: it must stay inside both folders.
        let inside = |root: &Path| MediaDir::new(root.to_path_buf()).resolve(relative);
        let (Some(source), Some(target)) = (inside(&self.root), inside(media_root)) else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{relative:?} is not a media path"),
            ));
        };
        if !source.is_file() {
            return Ok(false);
        }
        copy_whole(&source, &target, media_root)?;
        Ok(true)
    }
}

/// `from` to `to` through a temporary file in `root`'s `.tmp/`, synced, then renamed.
fn copy_whole(from: &Path, to: &Path, root: &Path) -> std::io::Result<()> {
    let temp_dir = root.join(TEMP_DIR);
    std::fs::create_dir_all(&temp_dir)?;
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = temp_dir.join(format!("{name}.part"));
    let copied = (|| {
        let bytes = std::fs::read(from)?;
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(&temp, to)
    })();
    if copied.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    copied
}

/// Every file under `root`, relative with `/`, hidden names (`.tmp/`) left out.
fn files_under(root: &Path) -> std::io::Result<Vec<String>> {
    let mut found = Vec::new();
    let mut folders = vec![(root.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = folders.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let relative = format!("{prefix}{name}");
            let kind = entry.file_type()?;
            if kind.is_dir() {
                folders.push((entry.path(), format!("{relative}/")));
            } else if kind.is_file() {
                found.push(relative);
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_files_reach_the_replica_and_stay_there_when_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let replica = MediaReplica::new(dir.path().join("replica/media"));
        let media = MediaDir::new(dir.path().join("media")).replicated_to(Some(replica.clone()));
        let path = media.save("uploads", "png", b"picture").unwrap();
        let copy = dir.path().join("replica/media").join(&path);
        assert_eq!(std::fs::read(&copy).unwrap(), b"picture");
        media.remove(&path).unwrap();
        assert!(copy.exists(), "the replica never deletes");

        let restored = dir.path().join("restored");
        assert!(replica.fetch(&path, &restored).unwrap());
        assert_eq!(std::fs::read(restored.join(&path)).unwrap(), b"picture");
        assert!(!replica.fetch("uploads/none.png", &restored).unwrap());
        assert!(replica.fetch("../secret.key", &restored).is_err());
    }

    #[test]
    fn push_missing_copies_what_the_replica_lacks_and_skips_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::new(dir.path().join("media"));
        let path = media.save("avatars", "png", b"face").unwrap();
        std::fs::write(dir.path().join("media/.tmp/half.part"), b"x").unwrap();
        let replica = MediaReplica::new(dir.path().join("replica"));
        assert_eq!(replica.push_missing(media.root()).unwrap(), 1);
        assert!(dir.path().join("replica").join(&path).exists());
        assert_eq!(replica.push_missing(media.root()).unwrap(), 0);
    }
}
