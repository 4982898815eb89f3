//! Images that a Markdown post shows from beside its file (`![](photo.jpg)`,
//! `<img src="post/photo.png">`): each goes through the same checks and re-encoding as
//! an editor upload, and the post then shows it from `/media/`, so it is linked to the
//! post like any upload. Other addresses are left alone (the sanitizer drops images
//! from other sites).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::actions::{self, Blog};
use crate::auth::Actor;
use crate::content::UserId;
use crate::db::Db;
use crate::media::library::MediaError;
use crate::media::MediaDir;
use crate::urls;

pub struct Images<'a> {
    db: &'a Db,
    media: MediaDir,
    max_bytes: u64,
    /// The imported folder, resolved: no image is read from outside it.
    root: PathBuf,
    /// One file read once per run, even when several posts show it.
    stored: HashMap<PathBuf, String>,
}

/// What became of one image address.
pub enum Found {
    /// A file beside the post, now stored; its `/media/` URL.
    Stored(String),
    /// Not a local file: left as written.
    Elsewhere,
}

impl<'a> Images<'a> {
    pub fn new(db: &'a Db, media: MediaDir, max_bytes: u64, root: &Path) -> anyhow::Result<Self> {
        let root = root
            .canonicalize()
            .with_context(|| format!("cannot read the folder {}", root.display()))?;
        Ok(Self {
            db,
            media,
            max_bytes,
            root,
            stored: HashMap::new(),
        })
    }

    /// Stores the image `src` names relative to `beside` (the post file's folder).
    pub fn store(&mut self, src: &str, beside: &Path, owner: UserId) -> anyhow::Result<Found> {
        let Some(relative) = local(src) else {
            return Ok(Found::Elsewhere);
        };
        let path = beside.join(&relative);
        let path = path
            .canonicalize()
            .with_context(|| format!("image {src}: no such file next to the post"))?;
        if !path.starts_with(&self.root) {
            bail!("image {src} is outside the imported folder: copy it next to the post");
        }
        if let Some(url) = self.stored.get(&path) {
            return Ok(Found::Stored(url.clone()));
        }
        let size = std::fs::metadata(&path)
            .with_context(|| format!("cannot read the image {src}"))?
            .len();
        if size > self.max_bytes {
            bail!(
                "image {src} is {size} bytes, more than [server] max_upload_bytes ({}): make it smaller",
                self.max_bytes
            );
        }
        let bytes = std::fs::read(&path).with_context(|| format!("cannot read the image {src}"))?;
        // An image stored for a post that then fails is used by nothing: the GC removes
        // it after gc_grace, as it does an upload from an editor closed without saving.
        let blog = Blog::new(self.db, &self.media);
        let stored = match actions::media::import(blog, &Actor::Importer, owner, &bytes) {
            Ok(stored) => stored,
            Err(MediaError::Image(err)) => bail!("image {src}: {err}"),
            Err(MediaError::Internal(err)) => return Err(err.context(format!("image {src}"))),
        };
        let url = urls::media(&stored);
        self.stored.insert(path, url.clone());
        Ok(Found::Stored(url))
    }
}

/// The relative file path an image address names, percent-decoded; `None` for URLs,
/// absolute paths (`/media/…` is already ours) and `data:`.
fn local(src: &str) -> Option<String> {
    let src = src.trim();
    let is_url = src.contains("://") || src.starts_with("//") || src.contains(':');
    if src.is_empty() || is_url || src.starts_with('/') || src.starts_with('#') {
        return None;
    }
    let path = src.split(['?', '#']).next().unwrap_or_default();
    Some(
        percent_encoding::percent_decode_str(path)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// `raw` HTML with the `src` of each `<img>` replaced by what `replace` answers
/// (`None` keeps it). For HTML written into Markdown by hand, or kept as HTML by the
/// export (an image with a size or a float).
pub fn rewrite_img_src(
    raw: &str,
    replace: &mut dyn FnMut(&str) -> anyhow::Result<Option<String>>,
) -> anyhow::Result<String> {
    let lower = raw.to_ascii_lowercase();
    let mut out = String::with_capacity(raw.len());
    let mut done = 0;
    let mut from = 0;
    while let Some(at) = lower[from..].find("<img").map(|i| i + from) {
        let end = lower[at..].find('>').map_or(lower.len(), |i| i + at);
        from = end;
        let Some(attr) = lower[at..end].find(" src=").map(|i| i + at + " src=".len()) else {
            continue;
        };
        let quote = raw[attr..].chars().next();
        let (start, stop) = match quote {
            Some(q @ ('"' | '\'')) => {
                let start = attr + 1;
                match raw[start..end].find(q) {
                    Some(len) => (start, start + len),
                    None => continue,
                }
            }
            _ => {
                let len = raw[attr..end]
                    .find(|c: char| c.is_whitespace() || c == '/')
                    .unwrap_or(end - attr);
                (attr, attr + len)
            }
        };
        if let Some(new) = replace(&raw[start..stop])? {
            out.push_str(&raw[done..start]);
            out.push_str(&new);
            done = stop;
        }
    }
    out.push_str(&raw[done..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relative_paths_are_local_files() {
        assert_eq!(local("photo.png").as_deref(), Some("photo.png"));
        assert_eq!(
            local("my%20post/a.png?x=1").as_deref(),
            Some("my post/a.png")
        );
        assert_eq!(local("안녕-세계/a.png").as_deref(), Some("안녕-세계/a.png"));
        for other in [
            "https://example.com/a.png",
            "//cdn.example/a.png",
            "/media/uploads/a.png",
            "data:image/png;base64,AAAA",
            "",
        ] {
            assert_eq!(local(other), None, "{other}");
        }
    }

    #[test]
    fn rewrites_the_src_of_raw_img_tags_only() {
        let raw = r#"<p><IMG alt="a" src="a.png" style="float:left"><img src='b.png'/><img src=c.png><a src="x">l</a></p>"#;
        let out = rewrite_img_src(raw, &mut |src| {
            Ok((src != "b.png").then(|| format!("/media/{src}")))
        })
        .unwrap();
        assert_eq!(
            out,
            r#"<p><IMG alt="a" src="/media/a.png" style="float:left"><img src='b.png'/><img src=/media/c.png><a src="x">l</a></p>"#
        );
    }
}
