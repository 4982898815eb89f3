//! Media files off the machine: a copy of every file of the media folder in the
//! replica's `media/` folder (`[storage] replica`), beside the database Litestream
//! replicates there: a folder (`file://`), or an SSH server (`sftp://`, through
//! OpenSSH's `sftp` client in batch mode, with `[storage] replica_key`).
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
use crate::config::{ReplicaUrl, SftpTarget, Storage};

/// The replica's media folder.
#[derive(Debug, Clone)]
pub enum MediaReplica {
    Folder(PathBuf),
    Sftp(Sftp),
}

/// A folder on an SSH server, reached with OpenSSH's `sftp`.
#[derive(Debug, Clone)]
pub struct Sftp {
    target: SftpTarget,
    key: PathBuf,
    /// The server's host key, learned on first contact (`accept-new`) and checked
    /// after; in the data folder, since the service may write nowhere else.
    known_hosts: PathBuf,
}

impl MediaReplica {
    /// The media replica `[storage] replica` names, if any.
    pub fn of(storage: &Storage) -> Option<Self> {
        match &storage.replica {
            ReplicaUrl::None => None,
            ReplicaUrl::Folder(dir) => Some(Self::Folder(dir.join("media"))),
            ReplicaUrl::Sftp(target) => Some(Self::Sftp(Sftp {
                target: SftpTarget {
                    path: format!("{}/media", target.path),
                    ..target.clone()
                },
                key: storage.replica_key.clone(),
                known_hosts: storage.data_dir.join("replica_known_hosts"),
            })),
        }
    }

    /// Copies one file (`relative` to the media folder at `media_root`) unless the
    /// replica has it; written under a temporary name and renamed, so the replica never
    /// holds half a file under a real name.
    pub fn push(&self, media_root: &Path, relative: &str) -> std::io::Result<()> {
        match self {
            Self::Folder(root) => {
                let target = root.join(relative);
                if target.exists() {
                    return Ok(());
                }
                copy_whole(&media_root.join(relative), &target, root)
            }
            Self::Sftp(sftp) => sftp.put(media_root, &[relative.to_string()]),
        }
    }

    /// Copies every file of the media folder the replica lacks (files saved while the
    /// replica was unreachable, or by a command); answers how many.
    pub fn push_missing(&self, media_root: &Path) -> std::io::Result<usize> {
        let local = files_under(media_root)?;
        let missing: Vec<String> = match self {
            Self::Folder(root) => local
                .into_iter()
                .filter(|relative| !root.join(relative).exists())
                .collect(),
            Self::Sftp(sftp) => {
                let remote = sftp.list()?;
                local
                    .into_iter()
                    .filter(|relative| !remote.contains(relative))
                    .collect()
            }
        };
        match self {
            Self::Folder(_) => {
                for relative in &missing {
                    self.push(media_root, relative)?;
                }
            }
            Self::Sftp(sftp) if !missing.is_empty() => sftp.put(media_root, &missing)?,
            Self::Sftp(_) => {}
        }
        Ok(missing.len())
    }

    /// Copies `paths` from the replica into the media folder at `media_root`; answers
    /// those the replica does not have.
    pub fn fetch_all(&self, paths: &[String], media_root: &Path) -> std::io::Result<Vec<String>> {
        // The paths come from a database: each must stay inside both folders.
        let media = MediaDir::new(media_root.to_path_buf());
        let mut targets = Vec::new();
        for relative in paths {
            let Some(target) = media.resolve(relative) else {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("{relative:?} is not a media path"),
                ));
            };
            targets.push((relative, target));
        }
        match self {
            Self::Folder(root) => {
                let mut missing = Vec::new();
                for (relative, target) in targets {
                    let source = root.join(relative);
                    if source.is_file() {
                        copy_whole(&source, &target, media_root)?;
                    } else {
                        missing.push(relative.clone());
                    }
                }
                Ok(missing)
            }
            Self::Sftp(sftp) => sftp.get(&targets, media_root),
        }
    }
}

impl Sftp {
    /// Runs `sftp` with `commands` as its batch; a command led by `-` may fail.
    fn batch(&self, commands: &str) -> std::io::Result<String> {
        use std::process::{Command, Stdio};
        let mut child = Command::new("sftp")
            .arg("-b")
            .arg("-")
            .arg("-i")
            .arg(&self.key)
            .arg("-P")
            .arg(self.target.port.to_string())
            .args([
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=accept-new",
            ])
            .arg("-o")
            .arg(format!("UserKnownHostsFile={}", self.known_hosts.display()))
            .arg(format!("{}@{}", self.target.user, self.target.host))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|err| {
                std::io::Error::new(
                    err.kind(),
                    format!("cannot run sftp (install openssh-client): {err}"),
                )
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(commands.as_bytes())?;
        }
        let output = child.wait_with_output()?;
        if !output.status.success() {
            return Err(std::io::Error::other(format!(
                "sftp to {}@{} failed ({}): {}",
                self.target.user,
                self.target.host,
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Uploads `relatives` in one session, each under a temporary name then renamed.
    fn put(&self, media_root: &Path, relatives: &[String]) -> std::io::Result<()> {
        let root = &self.target.path;
        let mut folders = std::collections::BTreeSet::new();
        let mut script = String::new();
        // Every folder on the way, the replica's own included (sftp has no mkdir -p;
        // `-mkdir` of one that exists fails harmlessly).
        for relative in relatives {
            let mut folder = String::new();
            let path = format!("{root}/{relative}");
            if let Some((parents, _)) = path.rsplit_once('/') {
                for segment in parents.split('/').filter(|s| !s.is_empty()) {
                    folder = format!("{folder}/{segment}");
                    folders.insert(folder.clone());
                }
            }
        }
        for folder in &folders {
            script.push_str(&format!("-mkdir {}\n", quoted(folder)));
        }
        for relative in relatives {
            let remote = format!("{root}/{relative}");
            let part = format!("{remote}.part");
            let local = media_root.join(relative);
            script.push_str(&format!(
                "put {} {}\n-rename {} {}\n-rm {}\n",
                quoted(&local.to_string_lossy()),
                quoted(&part),
                quoted(&part),
                quoted(&remote),
                quoted(&part)
            ));
        }
        self.batch(&script).map(drop)
    }

    /// Every file in the replica, relative (our layout: `area/yyyy/mm/name`).
    fn list(&self) -> std::io::Result<std::collections::HashSet<String>> {
        let root = &self.target.path;
        let out = self.batch(&format!("-ls -1 {}\n", quoted(&format!("{root}/*/*/*/*"))))?;
        let prefix = format!("{root}/");
        Ok(out
            .lines()
            .filter_map(|line| line.trim().strip_prefix(&prefix))
            .filter(|relative| !relative.ends_with(".part"))
            .map(str::to_string)
            .collect())
    }

    /// Downloads each file to a temporary name, renamed into place when it came.
    fn get(
        &self,
        targets: &[(&String, PathBuf)],
        media_root: &Path,
    ) -> std::io::Result<Vec<String>> {
        let temp_dir = media_root.join(TEMP_DIR);
        std::fs::create_dir_all(&temp_dir)?;
        let mut script = String::new();
        let mut parts = Vec::new();
        for (i, (relative, _)) in targets.iter().enumerate() {
            let part = temp_dir.join(format!("fetch-{i}.part"));
            let _ = std::fs::remove_file(&part);
            script.push_str(&format!(
                "-get {} {}\n",
                quoted(&format!("{}/{relative}", self.target.path)),
                quoted(&part.to_string_lossy())
            ));
            parts.push(part);
        }
        if !script.is_empty() {
            self.batch(&script)?;
        }
        let mut missing = Vec::new();
        for ((relative, target), part) in targets.iter().zip(parts) {
            if part.is_file() {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::rename(&part, target)?;
            } else {
                missing.push((*relative).clone());
            }
        }
        Ok(missing)
    }
}

/// A path as one argument of an `sftp` batch line.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
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
        let replica = MediaReplica::Folder(dir.path().join("replica/media"));
        let media = MediaDir::new(dir.path().join("media")).replicated_to(Some(replica.clone()));
        let path = media.save("uploads", "png", b"picture").unwrap();
        let copy = dir.path().join("replica/media").join(&path);
        assert_eq!(std::fs::read(&copy).unwrap(), b"picture");
        media.remove(&path).unwrap();
        assert!(copy.exists(), "the replica never deletes");

        let restored = dir.path().join("restored");
        let none = "uploads/none.png".to_string();
        let missing = replica
            .fetch_all(&[path.clone(), none.clone()], &restored)
            .unwrap();
        assert_eq!(missing, vec![none]);
        assert_eq!(std::fs::read(restored.join(&path)).unwrap(), b"picture");
        assert!(replica
            .fetch_all(&["../secret.key".to_string()], &restored)
            .is_err());
    }

    #[test]
    fn push_missing_copies_what_the_replica_lacks_and_skips_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaDir::new(dir.path().join("media"));
        let path = media.save("avatars", "png", b"face").unwrap();
        std::fs::write(dir.path().join("media/.tmp/half.part"), b"x").unwrap();
        let replica = MediaReplica::Folder(dir.path().join("replica"));
        assert_eq!(replica.push_missing(media.root()).unwrap(), 1);
        assert!(dir.path().join("replica").join(&path).exists());
        assert_eq!(replica.push_missing(media.root()).unwrap(), 0);
    }
}
