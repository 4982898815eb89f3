//! The `Cache-Control` of what blog generates, for the browser and for shared caches in
//! front of it (nginx `proxy_cache`, a CDN). The rule: a shared cache may keep a page
//! only when it is the same for every anonymous reader and sets no cookie; anything a
//! session shaped is `private`; the editor and the admin pages are never stored at all.
//!
//! - an anonymous reader's public page (list, post, author, tag): `public, max-age=0,
//!   s-maxage=N, stale-while-revalidate=W, stale-if-error=E`. Browsers ask again each
//!   time (with the ETag, so mostly a 304); a shared cache answers for N seconds
//!   (`[cache] s_maxage`), then W more while it fetches a fresh copy, and E while blog
//!   is down;
//! - any request that carries our session cookie: `private, no-cache`, even for a page
//!   that came from blog's own page cache;
//! - the editor, drafts, account settings and admin pages: `no-store`;
//! - feeds: `public, max-age=F` (`[cache] feed_max_age`), the sitemap and robots.txt
//!   `public, max-age=S` (`sitemap_max_age`), each with the same `stale-if-error`.

use std::time::Duration;

use http::HeaderValue;

use crate::config::Cache;

/// Pages a session shaped, and everything else blog renders by default.
pub const PRIVATE: &str = "private, no-cache";

/// Pages no cache may keep, the browser's included: unsaved drafts, reset links.
pub const NEVER_STORED: &str = "private, no-store";

/// An anonymous reader's public page, for shared caches.
pub fn shared_page(cache: &Cache) -> HeaderValue {
    header(format!(
        "public, max-age=0, s-maxage={}, stale-while-revalidate={}, stale-if-error={}",
        seconds(cache.s_maxage),
        seconds(cache.stale_while_revalidate),
        seconds(cache.stale_if_error)
    ))
}

/// A feed: the same for everyone, kept by readers and caches alike.
pub fn feed(cache: &Cache) -> HeaderValue {
    document(cache.feed_max_age, cache)
}

/// The sitemap and robots.txt, which change more slowly than anyone reads them.
pub fn sitemap(cache: &Cache) -> HeaderValue {
    document(cache.sitemap_max_age, cache)
}

fn document(max_age: Duration, cache: &Cache) -> HeaderValue {
    header(format!(
        "public, max-age={}, stale-if-error={}",
        seconds(max_age),
        seconds(cache.stale_if_error)
    ))
}

fn seconds(duration: Duration) -> u64 {
    duration.as_secs()
}

fn header(text: String) -> HeaderValue {
    // Digits, letters, commas, '=' and spaces only: always a valid header value.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(PRIVATE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_pages_are_for_shared_caches_with_the_configured_lifetimes() {
        let cache = Cache {
            s_maxage: Duration::from_secs(90),
            ..Cache::default()
        };
        assert_eq!(
            shared_page(&cache),
            "public, max-age=0, s-maxage=90, stale-while-revalidate=60, stale-if-error=86400"
        );
        assert_eq!(
            shared_page(&Cache::default()),
            "public, max-age=0, s-maxage=60, stale-while-revalidate=60, stale-if-error=86400"
        );
    }

    #[test]
    fn feeds_and_the_sitemap_have_lifetimes_of_their_own() {
        let cache = Cache::default();
        assert_eq!(feed(&cache), "public, max-age=300, stale-if-error=86400");
        assert_eq!(
            sitemap(&cache),
            "public, max-age=3600, stale-if-error=86400"
        );
    }
}
