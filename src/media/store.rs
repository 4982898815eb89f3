//! The media folder on disk. New files are written under `.tmp/` and renamed into
//! place, so a crash or a full disk never leaves a half file under a real name; the GC
//! clears what such a failure leaves in `.tmp/`. URLs map one to one onto this folder
//! (`/media/<path>` is `<media>/<path>`), so nginx can serve it directly.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::replica::MediaReplica;

/// Where files are written before they are renamed into place. Hidden from `/media/`.
pub const TEMP_DIR: &str = ".tmp";

#[derive(Debug, Clone)]
pub struct MediaDir {
    root: PathBuf,
    /// Where each saved file is copied too (`[storage] replica`), see `replica.rs`.
    replica: Option<MediaReplica>,
}

impl MediaDir {
    pub fn new(root: PathBuf) -> Self {
        Self {
            root,
            replica: None,
        }
    }

    /// Copies every file saved from now on to `replica` before `save` returns.
    pub fn replicated_to(mut self, replica: Option<MediaReplica>) -> Self {
        self.replica = replica;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `bytes` as a new file `<area>/<yyyy>/<mm>/<random>.<ext>` and returns that
    /// relative path. The random name makes URLs unguessable and never reused, so they
    /// can be cached forever.
    pub fn save(&self, area: &str, ext: &str, bytes: &[u8]) -> std::io::Result<String> {
        let name = random_name()?;
        let month = jiff::Timestamp::now().strftime("%Y/%m").to_string();
        let relative = format!("{area}/{month}/{name}.{ext}");
        let temp_dir = self.root.join(TEMP_DIR);
        std::fs::create_dir_all(&temp_dir)?;
        let temp = temp_dir.join(format!("{name}.part"));
        let written = (|| {
            let mut file = std::fs::File::create_new(&temp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            let target = self.root.join(&relative);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::rename(&temp, &target)
        })();
        if let Err(err) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(err);
        }
        // Before any row can use the file, so the database Litestream ships never
        // names a file the replica lacks. An unreachable replica does not stop the
        // blog (Litestream, too, keeps serving then): `blog serve` copies what is
        // missing every `[media] gc_interval`.
        if let Some(replica) = &self.replica {
            if let Err(err) = replica.push(&self.root, &relative) {
                tracing::error!("cannot copy media file {relative} to the replica: {err}");
            }
        }
        Ok(relative)
    }

    /// Deletes a file by its relative path; a file already gone is not an error.
    pub fn remove(&self, relative: &str) -> std::io::Result<()> {
        let Some(path) = self.resolve(relative) else {
            return Ok(());
        };
        match std::fs::remove_file(path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
            _ => Ok(()),
        }
    }

    /// Deletes files whose rows were just released; a failure is logged, and the file
    /// is left for the GC, which finds it unknown.
    pub fn remove_released(&self, paths: impl IntoIterator<Item = String>) {
        for path in paths {
            if let Err(err) = self.remove(&path) {
                tracing::warn!("cannot delete media file {path}: {err}");
            }
        }
    }

    /// The file for a path under `/media/`, if the path stays inside the folder: no
    /// empty, `.`-led (which covers `..` and `.tmp`) or backslashed segments.
    pub fn resolve(&self, relative: &str) -> Option<PathBuf> {
        let mut path = self.root.clone();
        for segment in relative.split('/') {
            let bad = segment.is_empty()
                || segment.starts_with('.')
                || segment.contains(['\\', '\0', ':']);
            if bad {
                return None;
            }
            path.push(segment);
        }
        Some(path)
    }
}

fn random_name() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|err| std::io::Error::other(err.to_string()))?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_under_a_new_name_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::new(dir.path().to_path_buf());
        let a = media.save("uploads", "jpg", b"one").unwrap();
        let b = media.save("uploads", "jpg", b"two").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("uploads/") && a.ends_with(".jpg"));
        assert_eq!(std::fs::read(dir.path().join(&a)).unwrap(), b"one");
        let temp: Vec<_> = std::fs::read_dir(dir.path().join(TEMP_DIR))
            .unwrap()
            .collect();
        assert!(temp.is_empty());
        media.remove(&a).unwrap();
        media.remove(&a).unwrap();
        assert!(!dir.path().join(&a).exists());
    }

    #[test]
    fn paths_never_leave_the_folder() {
        let media = MediaDir::new(PathBuf::from("/data/media"));
        assert_eq!(
            media.resolve("uploads/a.jpg"),
            Some(PathBuf::from("/data/media/uploads/a.jpg"))
        );
        for bad in [
            "../secret.key",
            "uploads/../../x",
            "",
            "/etc/passwd",
            ".tmp/x.part",
            "a\\..\\b",
            "a//b",
            "c:x",
        ] {
            assert_eq!(media.resolve(bad), None, "{bad:?}");
        }
    }
}
