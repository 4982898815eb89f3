//! The CSS, scripts and icons compiled into the binary, served under content-hashed
//! names (`site.3f2a9c1d.css`) so browsers and proxies may cache them for a year.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Embedded;

pub struct Asset {
    /// The name with its hash, as in URLs: `css/site.3f2a9c1d.css`.
    pub hashed_name: String,
    pub content_type: &'static str,
    pub etag: String,
    pub body: Cow<'static, [u8]>,
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
            let digest = hex::encode(Sha256::digest(&file.data));
            let hashed_name = hashed(&name, &digest[..8]);
            hashed_of.insert(name.to_string(), hashed_name.clone());
            by_hashed.insert(
                hashed_name.clone(),
                Asset {
                    hashed_name,
                    content_type: content_type(&name),
                    etag: format!("\"{}\"", &digest[..16]),
                    body: file.data,
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
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.ends_with('/') => format!("{stem}.{hash}.{ext}"),
        _ => format!("{name}.{hash}"),
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
    }
}
