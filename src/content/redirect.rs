//! Old addresses and where they lead now (`redirects`): the rule that makes every
//! spelling of one old address the same key, and what a target may be.
//!
//! An old address is kept percent-decoded, without a trailing slash and without the
//! scheme and host (`https://old.example/2024/05/%ec%95%88%eb%85%95/` is
//! `/2024/05/안녕`). A query is kept only as its pairs in order of their keys
//! (`/?p=12`); a request is looked up by each of its pairs alone too, so
//! `/?p=12&preview=true` still finds `/?p=12`.

use std::fmt;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

/// The longest old address kept, in bytes.
pub const MAX_LEN: usize = 2000;

/// Query keys of WordPress and Ghost that may lead somewhere on `/`: only a request for
/// the home page with one of these is looked up, so the home page costs nothing more.
pub const OLD_QUERY_KEYS: &[&str] = &[
    "p",
    "page_id",
    "attachment_id",
    "cat",
    "tag",
    "tag_id",
    "author",
    "feed",
    "m",
    "name",
    "pagename",
    "category_name",
    "author_name",
];

/// The first path segments the site answers itself (see `web::router`, whose test keeps
/// the two in step): a redirect from under one of them would never be used.
pub const SITE_SEGMENTS: &[&str] = &[
    "accounts",
    "admin",
    "authors",
    "comments",
    "drafts",
    "feed.json",
    "feed.xml",
    "healthz",
    "media",
    "pages",
    "posts",
    "preview",
    "robots.txt",
    "search",
    "sitemap.xml",
    "static",
    "subscribe",
    "tags",
    "unsubscribe",
    "uploads",
];

/// Why an address was refused; shown as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRedirect {
    #[error("{0:?} is not an address on the old site: give its path, starting with / (like /2024/05/hello/ or /?p=12)")]
    From(String),
    #[error("{0:?} is not where a redirect can lead: give a path on this site (starting with /) or an http(s):// address")]
    To(String),
    #[error("the old address is longer than {MAX_LEN} bytes")]
    TooLong,
}

/// An old address, as kept in `redirects.from_path`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OldPath(String);

impl OldPath {
    /// From what an admin types or an export names: a path (`/a/b/?p=1`) or a whole
    /// URL of the old site, whose scheme and host are dropped.
    pub fn parse(text: &str) -> Result<Self, InvalidRedirect> {
        let refused = || InvalidRedirect::From(text.to_string());
        let trimmed = text.trim();
        let local = match trimmed.find("://") {
            Some(at) if trimmed[..at].chars().all(|c| c.is_ascii_alphabetic()) => {
                let rest = &trimmed[at + 3..];
                match rest.find(['/', '?']) {
                    Some(slash) => rest[slash..].to_string(),
                    None => "/".to_string(),
                }
            }
            _ => trimmed.to_string(),
        };
        let local = if local.starts_with('?') {
            format!("/{local}")
        } else {
            local
        };
        if !local.starts_with('/') || local.starts_with("//") {
            return Err(refused());
        }
        let local = local.split('#').next().unwrap_or_default();
        let (path, query) = match local.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (local, None),
        };
        let path = normal_path(path).ok_or_else(refused)?;
        let mut pairs = query.map(query_pairs).unwrap_or_default();
        pairs.sort();
        let key = with_query(&path, &pairs);
        if key.len() > MAX_LEN {
            return Err(InvalidRedirect::TooLong);
        }
        if key.chars().any(char::is_control) {
            return Err(refused());
        }
        Ok(Self(key))
    }

    /// The keys a request may be stored under, most precise first: its whole query,
    /// each pair of it alone, then (when `bare`) its path without the query.
    pub fn candidates(path: &str, query: Option<&str>, bare: bool) -> Vec<String> {
        let Some(path) = normal_path(path) else {
            return Vec::new();
        };
        let mut keys = Vec::new();
        let mut pairs = query.map(query_pairs).unwrap_or_default();
        if !pairs.is_empty() {
            pairs.sort();
            keys.push(with_query(&path, &pairs));
            if pairs.len() > 1 {
                for pair in &pairs {
                    keys.push(with_query(&path, std::slice::from_ref(pair)));
                }
            }
        }
        if bare {
            keys.push(path);
        }
        keys.retain(|key| key.len() <= MAX_LEN);
        keys
    }

    /// Whether a request for the home page with this query may be an old address.
    pub fn is_old_query(query: &str) -> bool {
        query_pairs(query)
            .iter()
            .any(|(key, _)| OLD_QUERY_KEYS.contains(&key.as_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path part, for asking whether the site answers it itself.
    pub fn path(&self) -> &str {
        self.0.split('?').next().unwrap_or_default()
    }

    pub fn has_query(&self) -> bool {
        self.0.contains('?')
    }

    /// Whether the site answers this address itself (so a redirect from it would
    /// never be used): the home page without a query, or any path under one of the
    /// site's own first segments.
    pub fn is_the_sites_own(&self) -> bool {
        let path = self.path();
        if path == "/" {
            return !self.has_query();
        }
        let first = path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default();
        SITE_SEGMENTS.contains(&first)
    }

    /// As stored (no checks): for rows read back.
    pub fn from_storage(text: String) -> Self {
        Self(text)
    }
}

impl fmt::Display for OldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an old address leads: a path on this site, or another site's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target(String);

/// Left as they are in a `Location`: everything else (spaces, Korean) is escaped.
const LOCATION: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

impl Target {
    pub fn parse(text: &str) -> Result<Self, InvalidRedirect> {
        let text = text.trim();
        let refused = || InvalidRedirect::To(text.to_string());
        let local = text.starts_with('/') && !text.starts_with("//");
        let remote = ["http://", "https://"].iter().any(|scheme| {
            text.len() > scheme.len()
                && text
                    .get(..scheme.len())
                    .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
        });
        if !(local || remote) || text.len() > MAX_LEN || text.chars().any(char::is_control) {
            return Err(refused());
        }
        Ok(Self(utf8_percent_encode(text, LOCATION).to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn from_storage(text: String) -> Self {
        Self(text)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The path decoded, without a trailing slash (but `/` itself) and without WordPress's
/// `/index.php` in front (its addresses without pretty permalinks); `None` when it is
/// not UTF-8 once decoded.
fn normal_path(path: &str) -> Option<String> {
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    let decoded = match decoded.strip_prefix("/index.php") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        _ => &decoded,
    };
    let trimmed = decoded.trim_end_matches('/');
    Some(if trimmed.is_empty() {
        "/".to_string()
    } else {
        trimmed.to_string()
    })
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| !key.is_empty())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

fn with_query(path: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return path.to_string();
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(key, value)| {
            if value.is_empty() {
                key.clone()
            } else {
                format!("{key}={value}")
            }
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_an_old_address_is_one_key() {
        for spelling in [
            "/2024/05/안녕/",
            "/2024/05/%ec%95%88%eb%85%95/",
            "/2024/05/%EC%95%88%EB%85%95",
            "https://old.example/2024/05/%ec%95%88%eb%85%95/",
            "http://old.example:8080/2024/05/안녕#comments",
        ] {
            assert_eq!(
                OldPath::parse(spelling).unwrap().as_str(),
                "/2024/05/안녕",
                "{spelling}"
            );
        }
        assert_eq!(OldPath::parse("/?p=12").unwrap().as_str(), "/?p=12");
        assert_eq!(OldPath::parse("?p=12").unwrap().as_str(), "/?p=12");
        assert_eq!(
            OldPath::parse("https://old.example/?p=12")
                .unwrap()
                .as_str(),
            "/?p=12"
        );
        assert_eq!(OldPath::parse("https://old.example").unwrap().as_str(), "/");
        assert_eq!(OldPath::parse("/feed/").unwrap().as_str(), "/feed");
        assert_eq!(
            OldPath::parse("/index.php?page_id=2&b=1").unwrap().as_str(),
            "/?b=1&page_id=2"
        );
        assert_eq!(
            OldPath::parse("/index.php/2019/03/x/").unwrap().as_str(),
            "/2019/03/x"
        );
        assert_eq!(
            OldPath::parse("/index.phpx").unwrap().as_str(),
            "/index.phpx"
        );
        for bad in ["", "hello", "//evil.example/x", "/%ff", "/a\nb"] {
            assert!(OldPath::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_request_is_looked_up_by_its_query_and_each_pair_of_it() {
        assert_eq!(
            OldPath::candidates("/", Some("p=12&preview=true"), false),
            ["/?p=12&preview=true", "/?p=12", "/?preview=true"]
        );
        assert_eq!(
            OldPath::candidates("/category/news/", None, true),
            ["/category/news"]
        );
        assert!(OldPath::is_old_query("p=12"));
        assert!(!OldPath::is_old_query("page=2"));
    }

    #[test]
    fn the_sites_own_addresses_are_known() {
        for own in ["/", "/search", "/posts/x", "/feed.xml", "/admin/redirects"] {
            assert!(OldPath::parse(own).unwrap().is_the_sites_own(), "{own}");
        }
        for old in ["/?p=12", "/feed/", "/2019/03/x/", "/about/", "/postsx"] {
            assert!(!OldPath::parse(old).unwrap().is_the_sites_own(), "{old}");
        }
    }

    #[test]
    fn a_target_is_a_local_path_or_a_web_address() {
        assert_eq!(
            Target::parse("/posts/안녕").unwrap().as_str(),
            "/posts/%EC%95%88%EB%85%95"
        );
        assert_eq!(
            Target::parse("https://x.example/a b").unwrap().as_str(),
            "https://x.example/a%20b"
        );
        assert_eq!(
            Target::parse("/posts/a%20b").unwrap().as_str(),
            "/posts/a%20b"
        );
        for bad in [
            "",
            "posts/a",
            "//evil.example",
            "javascript:alert(1)",
            "https://",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad:?}");
        }
    }
}
