//! The images of a site moving in (WordPress, Ghost): every address under its images
//! folder in a body (`/wp-content/uploads/…`, `/content/images/…`; a size variant like
//! `photo-300x200.jpg` or `size/w600/…` too, which brings in the original it was cut
//! from) is read from the copy of that folder (`--uploads DIR`, `--images DIR`), stored
//! through the same pipeline as an editor upload (`super::images`), and the body shows
//! it from `/media/`. A file that is not there is named once and the post keeps a link
//! to its old address instead of a broken image. Links to the old site's own pages
//! become paths, which its redirects then answer.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;

use super::escape;
use super::images::{Found, Images};
use crate::actions::{self, Blog, Origin};
use crate::auth::Actor;
use crate::content::UserId;
use crate::{db, urls};

/// Where a site keeps its images, and how it names their size variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `/wp-content/uploads/2019/03/photo-300x200.jpg`.
    WordPress,
    /// `/content/images/size/w600/2024/01/photo.jpg`.
    Ghost,
}

impl Layout {
    fn prefix(self) -> &'static str {
        match self {
            Self::WordPress => "/wp-content/uploads/",
            Self::Ghost => "/content/images/",
        }
    }

    /// The path under the folder that an address names, percent-decoded, without a
    /// query; `None` for other addresses.
    pub fn relative(self, url: &str) -> Option<String> {
        let prefix = self.prefix();
        let at = url.find(prefix)?;
        let path = url[at + prefix.len()..]
            .split(['?', '#'])
            .next()
            .unwrap_or_default();
        let decoded = percent_decode_str(path).decode_utf8().ok()?.into_owned();
        let safe = !decoded.is_empty()
            && decoded
                .split('/')
                .all(|segment| !segment.is_empty() && segment != "." && segment != "..");
        safe.then_some(decoded)
    }

    /// The original a size variant was cut from; `None` when it is no variant.
    fn original_of(self, relative: &str) -> Option<String> {
        match self {
            Self::WordPress => original_of(relative),
            Self::Ghost => {
                let rest = relative.strip_prefix("size/")?;
                let (size, rest) = rest.split_once('/')?;
                let is_size = |s: &str| {
                    s.len() > 1
                        && (s.starts_with('w') || s.starts_with('h'))
                        && s[1..].bytes().all(|b| b.is_ascii_digit())
                };
                if !is_size(size) {
                    return None;
                }
                // `size/w600/h400/…` has both.
                let rest = match rest.split_once('/') {
                    Some((second, after)) if is_size(second) => after,
                    _ => rest,
                };
                // Ghost also keeps a `format/webp/` copy under sizes.
                let rest = match rest.strip_prefix("format/") {
                    Some(after) => after.split_once('/').map_or(after, |(_, a)| a),
                    None => rest,
                };
                Some(rest.to_string())
            }
        }
    }
}

pub struct Uploads<'a> {
    layout: Layout,
    blog: Blog<'a>,
    /// `import_sources.source` of this import: a file stored by an earlier run is
    /// found there and not stored again.
    source: String,
    /// Files stored by this run (not found from an earlier one).
    pub new_files: u64,
    images: Option<Images<'a>>,
    root: Option<PathBuf>,
    /// By the path under uploads/ as the old site wrote it: our `/media/` address.
    stored: HashMap<String, String>,
    /// Files not found (or refused), by path under uploads/: why, and where first seen.
    pub missing: BTreeMap<String, (String, String)>,
    /// The old site's address without a trailing slash (`https://old.example`).
    old_site: String,
}

impl<'a> Uploads<'a> {
    pub fn new(
        layout: Layout,
        blog: Blog<'a>,
        source: &str,
        images: Option<Images<'a>>,
        root: Option<&Path>,
        old_site: &str,
    ) -> Self {
        Self {
            layout,
            blog,
            source: source.to_string(),
            new_files: 0,
            images,
            root: root.map(Path::to_path_buf),
            stored: HashMap::new(),
            missing: BTreeMap::new(),
            old_site: old_site.trim_end_matches('/').to_string(),
        }
    }

    /// Names each file that could not be had, and counts them and the files stored.
    pub fn finish(self, progress: &super::progress::Progress, tally: &mut super::Tally) {
        for (file, (why, post)) in &self.missing {
            tally.missing_images += 1;
            progress.warn(format!("missing image {file} (in {post}): {why}"));
        }
        tally.images = self.new_files;
    }

    /// Every file stored, by its old path under uploads/: for the redirects.
    pub fn stored(&self) -> impl Iterator<Item = (&String, &String)> {
        self.stored.iter()
    }

    /// Our `/media/` address for an uploads address of the old site, storing the file
    /// the first time; `None` (and a line in `missing`) when it cannot be had.
    pub fn resolve(&mut self, url: &str, owner: UserId, what: &str) -> Option<String> {
        let relative = self.layout.relative(url)?;
        if let Some(url) = self.stored.get(&relative) {
            return Some(url.clone());
        }
        if self.missing.contains_key(&relative) {
            return None;
        }
        let (Some(images), Some(root)) = (self.images.as_mut(), self.root.as_ref()) else {
            self.missing.insert(
                relative,
                ("no --uploads folder was given".into(), what.to_string()),
            );
            return None;
        };
        // The original a size variant was cut from, when it is there: our pipeline
        // makes its own sizes from the best copy.
        let mut candidates = Vec::new();
        if let Some(original) = self.layout.original_of(&relative) {
            candidates.push(original);
        }
        candidates.push(relative.clone());
        let Some(found) = candidates.into_iter().find(|c| root.join(c).is_file()) else {
            self.missing.insert(
                relative,
                (format!("not in {}", root.display()), what.to_string()),
            );
            return None;
        };
        let origin = Origin {
            source: self.source.clone(),
            old_id: found.clone(),
        };
        if let Ok(Some(path)) = self.blog.db.read_now(|conn| {
            let Some(path) = origin.find_text(conn, Origin::MEDIA)? else {
                return Ok(None);
            };
            // Unless the media GC has deleted it since.
            Ok(db::media::upload_of(conn, &path)?.map(|_| path))
        }) {
            let url = urls::media(&path);
            self.stored.insert(found, url.clone());
            self.stored.insert(relative, url.clone());
            return Some(url);
        }
        match images.store(&found, root, owner) {
            Ok(Found::Stored(url)) => {
                if let Some(path) = url.strip_prefix("/media/") {
                    if let Err(err) =
                        actions::media::remember_import(self.blog, &Actor::Importer, &origin, path)
                    {
                        tracing::warn!("remembering the import of {found}: {err:#}");
                    }
                }
                self.new_files += 1;
                self.stored.insert(found.clone(), url.clone());
                self.stored.insert(relative, url.clone());
                Some(url)
            }
            Ok(Found::Elsewhere) => None,
            Err(err) => {
                self.missing
                    .insert(relative, (format!("{err:#}"), what.to_string()));
                None
            }
        }
    }

    /// The body with its uploads stored and shown from `/media/`, and links to the
    /// old site made paths. `what` names the post in the lines about missing files.
    pub fn rewrite(&mut self, html: &str, owner: UserId, what: &str) -> String {
        let html = self.images_in(html, owner, what);
        self.links_in(&html, owner, what)
    }

    /// `<img>` of the old site's uploads: stored, or made a link when missing.
    fn images_in(&mut self, html: &str, owner: UserId, what: &str) -> String {
        let lower = html.to_ascii_lowercase();
        let mut out = String::with_capacity(html.len());
        let mut done = 0;
        let mut from = 0;
        while let Some(at) = lower[from..].find("<img").map(|i| i + from) {
            let end = lower[at..].find('>').map_or(lower.len(), |i| i + at + 1);
            from = end;
            let tag = &html[at..end];
            let Some(src) = attribute(tag, "src") else {
                continue;
            };
            if self.layout.relative(&src).is_none() {
                continue;
            }
            out.push_str(&html[done..at]);
            done = end;
            match self.resolve(&src, owner, what) {
                Some(url) => out.push_str(&replace_attribute(tag, "src", &url)),
                None => {
                    let text = attribute(tag, "alt")
                        .filter(|alt| !alt.trim().is_empty())
                        .unwrap_or_else(|| self.layout.relative(&src).unwrap_or_default());
                    out.push_str(&format!(
                        "<a href=\"{}\">{}</a>",
                        escape(&src),
                        escape(&text)
                    ));
                }
            }
        }
        out.push_str(&html[done..]);
        out
    }

    /// `href` to an upload (the full-size file an image links to) goes to our copy
    /// when there is one; `href` into the old site becomes its path.
    fn links_in(&mut self, html: &str, owner: UserId, what: &str) -> String {
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(at) = find_href(rest) {
            let (before, after) = rest.split_at(at);
            out.push_str(before);
            let quote = after.as_bytes()[0] as char;
            let value_end = after[1..].find(quote).map_or(after.len(), |i| i + 1);
            let value = &after[1..value_end];
            let decoded = value.replace("&amp;", "&");
            // An upload that cannot be had keeps its old address, like a missing image.
            let new = if self.layout.relative(&decoded).is_some() {
                self.resolve(&decoded, owner, what)
            } else {
                self.local_path(&decoded)
            };
            out.push(quote);
            match new {
                Some(path) => out.push_str(&escape(&path)),
                None => out.push_str(value),
            }
            rest = &after[value_end..];
        }
        out.push_str(rest);
        out
    }

    /// `https://old.example/2019/03/x/` as `/2019/03/x/`: the redirects answer it.
    fn local_path(&self, url: &str) -> Option<String> {
        let rest = url.strip_prefix(&self.old_site)?;
        match rest.chars().next() {
            None => Some("/".into()),
            Some('/' | '?' | '#') => Some(if rest.starts_with('/') {
                rest.to_string()
            } else {
                format!("/{rest}")
            }),
            _ => None,
        }
    }
}

/// `2019/03/photo-300x200.jpg` → `2019/03/photo.jpg`; `None` when it is no variant.
fn original_of(relative: &str) -> Option<String> {
    let (stem, ext) = relative.rsplit_once('.')?;
    let (base, size) = stem.rsplit_once('-')?;
    let (w, h) = size.split_once('x')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(w) && digits(h) && !base.ends_with('/')).then(|| format!("{base}.{ext}"))
}

/// The value of `name="…"` in one tag, entities `&amp;` and `&quot;` read back.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let (start, end) = attribute_span(tag, name)?;
    Some(
        tag[start..end]
            .replace("&quot;", "\"")
            .replace("&#039;", "'")
            .replace("&amp;", "&"),
    )
}

fn attribute_span(tag: &str, name: &str) -> Option<(usize, usize)> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    loop {
        let at = lower[from..].find(name)? + from;
        from = at + name.len();
        let before = lower[..at].chars().last();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let rest = lower[from..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let value_at = lower.len() - rest.trim_start().len();
        let quote = tag[value_at..].chars().next()?;
        return if quote == '"' || quote == '\'' {
            let start = value_at + 1;
            let len = tag[start..].find(quote)?;
            Some((start, start + len))
        } else {
            let len = tag[value_at..]
                .find(|c: char| c.is_whitespace() || c == '>')
                .unwrap_or(tag.len() - value_at);
            Some((value_at, value_at + len))
        };
    }
}

fn replace_attribute(tag: &str, name: &str, value: &str) -> String {
    match attribute_span(tag, name) {
        Some((start, end)) => format!("{}{}{}", &tag[..start], escape(value), &tag[end..]),
        None => tag.to_string(),
    }
}

/// Where the next `href=` value starts (at its quote).
fn find_href(html: &str) -> Option<usize> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    loop {
        let at = lower[from..].find("href=")? + from;
        from = at + 5;
        let quote = html[from..].chars().next();
        if matches!(quote, Some('"' | '\'')) {
            return Some(from);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_addresses_and_their_originals() {
        let wp = Layout::WordPress;
        assert_eq!(
            wp.relative("https://old.example/wp-content/uploads/2019/03/a%20b-300x225.jpg?x=1")
                .as_deref(),
            Some("2019/03/a b-300x225.jpg")
        );
        assert_eq!(
            wp.relative("https://old.example/wp-content/uploads/../../etc/passwd"),
            None
        );
        assert_eq!(wp.relative("https://old.example/other.jpg"), None);
        assert_eq!(
            wp.original_of("2019/03/a-300x225.jpg").as_deref(),
            Some("2019/03/a.jpg")
        );
        assert_eq!(wp.original_of("2019/03/a-b.jpg"), None);
        assert_eq!(wp.original_of("2019/03/a.jpg"), None);
        let ghost = Layout::Ghost;
        assert_eq!(
            ghost
                .relative("__GHOST_URL__/content/images/size/w600/2024/01/a.jpg")
                .as_deref(),
            Some("size/w600/2024/01/a.jpg")
        );
        for variant in [
            "size/w600/2024/01/a.jpg",
            "size/w600/h400/2024/01/a.jpg",
            "size/w600/format/webp/2024/01/a.jpg",
        ] {
            assert_eq!(
                ghost.original_of(variant).as_deref(),
                Some("2024/01/a.jpg"),
                "{variant}"
            );
        }
        assert_eq!(ghost.original_of("2024/01/a.jpg"), None);
    }

    #[test]
    fn missing_images_become_links_and_old_links_become_paths() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::Db::open(&dir.path().join("db.sqlite3")).unwrap();
        let media = crate::media::MediaDir::new(dir.path().join("media"));
        let blog = Blog::new(&db, &media);
        let mut uploads = Uploads::new(
            Layout::WordPress,
            blog,
            "wordpress:x",
            None,
            None,
            "https://old.example",
        );
        let html = r#"<p><img class="x" src="https://old.example/wp-content/uploads/2018/01/gone.jpg" alt="An old photo" /> <a href="https://old.example/2019/03/post/">post</a> <a href="https://elsewhere.example/">x</a></p>"#;
        let out = uploads.rewrite(html, UserId(1), "post");
        assert_eq!(
            out,
            r#"<p><a href="https://old.example/wp-content/uploads/2018/01/gone.jpg">An old photo</a> <a href="/2019/03/post/">post</a> <a href="https://elsewhere.example/">x</a></p>"#
        );
        assert!(uploads.missing.contains_key("2018/01/gone.jpg"));
    }
}
