//! The CSS, scripts and fonts compiled into the binary, served under content-hashed
//! names (`css/site.3f2a9c1d.css`) so browsers and proxies may cache them for a year.
//! The hashes are rust-embed's SHA-256, computed at build time; gzip and brotli twins
//! are made once per asset, on first use, and shared by `/static/` and `collectstatic`.

use std::collections::HashMap;
use std::sync::OnceLock;

use bytes::Bytes;
use rust_embed::RustEmbed;

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
        let mut by_hashed = HashMap::new();
        let mut hashed_of = HashMap::new();
        for name in Embedded::iter() {
            let Some(file) = Embedded::get(&name) else {
                continue;
            };
            let digest = hex::encode(file.metadata.sha256_hash());
            let hashed_name = hashed(&name, &digest[..8]);
            hashed_of.insert(name.to_string(), hashed_name.clone());
            by_hashed.insert(
                hashed_name.clone(),
                Asset {
                    hashed_name,
                    content_type: content_type(&name),
                    etag: format!("\"{}\"", &digest[..16]),
                    body: Bytes::from(file.data.into_owned()),
                    gzip: OnceLock::new(),
                    brotli: OnceLock::new(),
                },
            );
        }
        Catalogue {
            by_hashed,
            hashed_of,
        }
    })
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
}
