//! The CSS, scripts and fonts compiled into the binary, served under content-hashed
//! names (`css/site.3f2a9c1d.css`) so browsers and proxies may cache them for a year.
//! The hashes are SHA-256 of the bytes served: a stylesheet's relative `url(...)`s are
//! first rewritten to the hashed names they point at (its fonts load under `/static/`
//! and from `collectstatic`'s folder alike). gzip and brotli twins are made once per
//! asset, on first use, and shared by `/static/` and `collectstatic`.

use std::collections::HashMap;
use std::sync::OnceLock;

use bytes::Bytes;
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::compress::{self, Effort, Encoding};

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Embedded;

pub struct Asset {
    /// The name with its hash, as in URLs: `css/site.3f2a9c1d.css`.
    pub hashed_name: String,
    pub content_type: &'static str,
    pub etag: String,
    pub body: Bytes,
    gzip: OnceLock<Option<Bytes>>,
    brotli: OnceLock<Option<Bytes>>,
}

impl Asset {
    /// The body in `encoding`, when the type compresses and the result is smaller.
    pub fn compressed(&self, encoding: Encoding) -> Option<&Bytes> {
        let cell = match encoding {
            Encoding::Gzip => &self.gzip,
            Encoding::Brotli => &self.brotli,
        };
        cell.get_or_init(|| {
            if !compressible(self.content_type) {
                return None;
            }
            let packed = compress::compress(&self.body, encoding, Effort::Best);
            (packed.len() < self.body.len()).then(|| Bytes::from(packed))
        })
        .as_ref()
    }

    /// Each variant has its own ETag, so caches never mix them up.
    pub fn etag_for(&self, encoding: Option<Encoding>) -> String {
        match encoding {
            None => self.etag.clone(),
            Some(e) => format!("{}-{}\"", self.etag.trim_end_matches('"'), e.header_value()),
        }
    }
}

struct Catalogue {
    by_hashed: HashMap<String, Asset>,
    hashed_of: HashMap<String, String>,
}

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let sources: HashMap<String, Vec<u8>> = Embedded::iter()
            // The vendor refetch script lives beside what it fetches; it is no asset.
            .filter(|name| !name.ends_with(".sh"))
            .filter_map(|name| {
                let file = Embedded::get(&name)?;
                Some((name.to_string(), file.data.into_owned()))
            })
            .collect();
        let mut builder = Builder {
            sources: &sources,
            done: HashMap::new(),
            in_progress: Vec::new(),
        };
        let mut names: Vec<&String> = sources.keys().collect();
        names.sort();
        for name in names {
            builder.build(name);
        }
        let mut by_hashed = HashMap::new();
        let mut hashed_of = HashMap::new();
        for (name, asset) in builder.done {
            hashed_of.insert(name, asset.hashed_name.clone());
            by_hashed.insert(asset.hashed_name.clone(), asset);
        }
        Catalogue {
            by_hashed,
            hashed_of,
        }
    })
}

/// Builds assets one by one, stylesheets after the files they refer to, since a
/// stylesheet's bytes (and so its hash) hold the hashed names of its fonts and images.
struct Builder<'a> {
    sources: &'a HashMap<String, Vec<u8>>,
    done: HashMap<String, Asset>,
    /// Stylesheets being built, so that two that refer to each other cannot loop.
    in_progress: Vec<String>,
}

impl Builder<'_> {
    /// The hashed name of `name`, building it first if need be.
    fn build(&mut self, name: &str) -> Option<String> {
        if let Some(asset) = self.done.get(name) {
            return Some(asset.hashed_name.clone());
        }
        let source = self.sources.get(name)?;
        if self.in_progress.iter().any(|n| n == name) {
            return None;
        }
        let body = if name.ends_with(".css") {
            self.in_progress.push(name.to_owned());
            let text = String::from_utf8_lossy(source).into_owned();
            let rewritten = rewrite_css_urls(&text, name, |target| self.build(target));
            self.in_progress.pop();
            rewritten.into_bytes()
        } else {
            source.clone()
        };
        let digest = hex::encode(Sha256::digest(&body));
        let hashed_name = hashed(name, &digest[..8]);
        self.done.insert(
            name.to_owned(),
            Asset {
                hashed_name: hashed_name.clone(),
                content_type: content_type(name),
                etag: format!("\"{}\"", &digest[..16]),
                body: Bytes::from(body),
                gzip: OnceLock::new(),
                brotli: OnceLock::new(),
            },
        );
        Some(hashed_name)
    }
}

/// Rewrites each relative `url(...)` in the stylesheet `css_name` to the hashed name of
/// the asset it points at, as Django's `ManifestStaticFilesStorage` does: browsers
/// resolve `url(font/x.woff2)` against the stylesheet's own (hashed) URL, where only
/// hashed names exist. `hashed_of` maps a plain asset name to its hashed name. Data
/// URIs, absolute URLs, fragments and references to unknown files are left as written;
/// a `?query` or `#fragment` after the file name is kept.
fn rewrite_css_urls(
    css: &str,
    css_name: &str,
    mut hashed_of: impl FnMut(&str) -> Option<String>,
) -> String {
    let dir = css_name.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = find_ascii_case_insensitive(rest, "url(") {
        let open = start + "url(".len();
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let Some(close) = rest.find(')') else {
            break;
        };
        let inner = &rest[..close];
        out.push_str(
            &rewrite_reference(inner, dir, &mut hashed_of).unwrap_or_else(|| inner.to_owned()),
        );
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// The inside of one `url(...)` with the file name hashed, or `None` to keep it.
fn rewrite_reference(
    inner: &str,
    dir: &str,
    hashed_of: &mut impl FnMut(&str) -> Option<String>,
) -> Option<String> {
    let trimmed = inner.trim();
    let quote = match trimmed.chars().next() {
        Some(q @ ('"' | '\'')) => Some(q),
        _ => None,
    };
    let reference = match quote {
        Some(q) => trimmed.strip_prefix(q)?.strip_suffix(q)?,
        None => trimmed,
    };
    let split = reference.find(['?', '#']).unwrap_or(reference.len());
    let (path, suffix) = reference.split_at(split);
    let is_absolute = path.is_empty() || path.starts_with('/') || path.contains(':');
    if is_absolute {
        return None;
    }
    let target = join(dir, path)?;
    let hashed_target = hashed_of(&target)?;
    let hashed_file = hashed_target.rsplit('/').next()?;
    let relative_dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let rewritten = if relative_dir.is_empty() {
        format!("{hashed_file}{suffix}")
    } else {
        format!("{relative_dir}/{hashed_file}{suffix}")
    };
    Some(match quote {
        Some(q) => format!("{q}{rewritten}{q}"),
        None => rewritten,
    })
}

/// `dir` joined with the relative `path`, `.` and `..` resolved; `None` above the root.
fn join(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// `css/site.css` with hash `3f2a9c1d` becomes `css/site.3f2a9c1d.css`.
fn hashed(name: &str, hash: &str) -> String {
    let (dir, file) = name.rsplit_once('/').map_or(("", name), |(d, f)| (d, f));
    let file = match file.split_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{hash}.{ext}"),
        _ => format!("{file}.{hash}"),
    };
    if dir.is_empty() {
        file
    } else {
        format!("{dir}/{file}")
    }
}

/// The URL of an asset by its plain name; falls back to the plain path, which 404s
/// loudly in tests rather than breaking a page at run time.
pub fn url(name: &str) -> String {
    match catalogue().hashed_of.get(name) {
        Some(hashed) => format!("/static/{hashed}"),
        None => format!("/static/{name}"),
    }
}

/// An asset by its hashed name (the path after `/static/`).
pub fn get(hashed_name: &str) -> Option<&'static Asset> {
    catalogue().by_hashed.get(hashed_name)
}

/// Every asset, for `collectstatic`.
pub fn all() -> impl Iterator<Item = &'static Asset> {
    catalogue().by_hashed.values()
}

fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("image/svg")
        || content_type.starts_with("application/json")
        || content_type == "application/vnd.ms-fontobject"
        || content_type == "font/ttf"
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "eot" => "application/vnd.ms-fontobject",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stylesheet_has_a_hashed_url_that_resolves() {
        let url = url("css/site.css");
        let hashed = url.strip_prefix("/static/").unwrap();
        assert_ne!(hashed, "css/site.css");
        let asset = get(hashed).unwrap();
        assert!(asset.content_type.starts_with("text/css"));
        assert!(!asset.body.is_empty());
        let br = asset.compressed(Encoding::Brotli).unwrap();
        assert!(br.len() < asset.body.len());
        assert_ne!(asset.etag_for(Some(Encoding::Brotli)), asset.etag);
    }

    #[test]
    fn hash_goes_before_the_first_extension() {
        assert_eq!(hashed("css/site.css", "ab12"), "css/site.ab12.css");
        assert_eq!(
            hashed("vendor/summernote/summernote-lite.min.js", "ab12"),
            "vendor/summernote/summernote-lite.ab12.min.js"
        );
        assert_eq!(hashed("LICENSE", "ab12"), "LICENSE.ab12");
    }

    fn lookup(name: &str) -> Option<String> {
        match name {
            "vendor/summernote/font/summernote.woff2" => {
                Some("vendor/summernote/font/summernote.ab12.woff2".into())
            }
            "vendor/summernote/font/summernote.eot" => {
                Some("vendor/summernote/font/summernote.ab12.eot".into())
            }
            "img/logo.png" => Some("img/logo.cd34.png".into()),
            _ => None,
        }
    }

    #[test]
    fn relative_css_urls_point_at_hashed_names_with_query_and_quotes_kept() {
        let css = r#"@font-face{src:url(font/summernote.eot?#iefix) format("embedded-opentype"),url("font/summernote.woff2") format("woff2")}"#;
        let out = rewrite_css_urls(css, "vendor/summernote/summernote-lite.min.css", lookup);
        assert_eq!(
            out,
            r#"@font-face{src:url(font/summernote.ab12.eot?#iefix) format("embedded-opentype"),url("font/summernote.ab12.woff2") format("woff2")}"#
        );
    }

    #[test]
    fn css_urls_climb_folders_with_dot_dot() {
        let out = rewrite_css_urls(
            "a{background:URL( '../../img/logo.png' )}",
            "vendor/x/y.css",
            lookup,
        );
        assert_eq!(out, "a{background:URL('../../img/logo.cd34.png')}");
    }

    #[test]
    fn data_absolute_unknown_and_fragment_urls_are_left_alone() {
        let css = r#"a{b:url("data:image/png;base64,iVBO+/=");c:url(/img/logo.png);d:url(https://cdn.example/x.woff2);e:url(#mask);f:url(font/missing.woff);g:url(../../../../escape.png)}"#;
        assert_eq!(
            rewrite_css_urls(css, "vendor/summernote/s.css", lookup),
            css
        );
    }

    #[test]
    fn an_unclosed_url_does_not_lose_the_rest_of_the_stylesheet() {
        let css = "a{b:url(font/summernote.woff2";
        assert_eq!(
            rewrite_css_urls(css, "vendor/summernote/s.css", lookup),
            css
        );
    }

    #[test]
    fn summernote_fonts_resolve_from_its_hashed_stylesheet() {
        let url = url("vendor/summernote/summernote-lite.min.css");
        let hashed = url.strip_prefix("/static/").unwrap();
        let css = std::str::from_utf8(&get(hashed).unwrap().body)
            .unwrap()
            .to_owned();
        let dir = hashed.rsplit_once('/').unwrap().0;
        let mut fonts = 0;
        for format in ["woff2", "woff", "ttf", "eot"] {
            let plain = format!("vendor/summernote/font/summernote.{format}");
            let font_url = super::url(&plain);
            let font_hashed = font_url.strip_prefix("/static/").unwrap();
            let font = get(font_hashed).unwrap();
            assert!(!font.body.is_empty());
            // The stylesheet names the font relative to itself, by its hashed name.
            let relative = font_hashed.strip_prefix(&format!("{dir}/")).unwrap();
            assert!(
                css.contains(&format!("url({relative}")),
                "{relative} not in the CSS"
            );
            assert!(!css.contains(&format!("url(font/summernote.{format})")));
            fonts += 1;
        }
        assert_eq!(fonts, 4);
    }

    #[test]
    fn a_stylesheet_is_hashed_after_its_urls_are_rewritten() {
        let plain = "vendor/summernote/summernote-lite.min.css";
        let asset = get(url(plain).strip_prefix("/static/").unwrap()).unwrap();
        let original = Embedded::get(plain).unwrap();
        assert_ne!(asset.body.as_ref(), original.data.as_ref());
        let digest = hex::encode(Sha256::digest(&asset.body));
        assert!(
            asset.hashed_name.contains(&digest[..8]),
            "{}",
            asset.hashed_name
        );
        let untouched = hex::encode(original.metadata.sha256_hash());
        assert!(!asset.hashed_name.contains(&untouched[..8]));
    }

    #[test]
    fn the_vendor_fetch_script_is_not_served() {
        assert!(all().all(|a| !a.hashed_name.ends_with(".sh")));
        assert_eq!(url("vendor/fetch.sh"), "/static/vendor/fetch.sh");
    }
}
