//! Webmentions (W3C, https://www.w3.org/TR/webmention/): how another site tells us it
//! linked to one of our posts, and how we tell the sites our posts link to.
//!
//! Nothing leaves or is believed where it is decided. The endpoint (`web::webmentions`)
//! only checks what it can without a request and queues the mention; publishing or
//! updating a post queues one send per external link in its transaction
//! (`actions::webmentions`). The worker (`worker`) then fetches each source to see
//! that it really links to us (`verify`), and finds each target's endpoint (`discover`)
//! to send ours, through `outbound` (no private addresses, timeouts, size limits),
//! retrying for a day (`retry`). All of it only with `[federation] enabled`.

pub mod discover;
pub mod verify;
pub mod worker;

use std::collections::BTreeSet;

use url::Url;

use crate::config::Config;
use crate::retry::Bell;

/// Pages read for webmentions (a source, a target) are cut off past this size.
pub const PAGE_LIMIT: u64 = 1024 * 1024;

/// What actions need to queue webmentions: our address, and the worker's bell.
#[derive(Debug, Clone)]
pub struct Webmentions {
    base_url: String,
    bell: Bell,
}

impl Webmentions {
    /// `None` unless `[federation] enabled`.
    pub fn of(config: &Config) -> Option<Self> {
        config.federation.enabled.then(|| Self {
            base_url: config.site.base_url.as_str().to_string(),
            bell: Bell::default(),
        })
    }

    /// An absolute URL for a local path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Whether `url` is on this blog (same scheme, host and port as `base_url`).
    pub fn is_ours(&self, url: &Url) -> bool {
        Url::parse(&self.base_url).is_ok_and(|base| base.origin() == url.origin())
    }

    /// Wakes the worker: something was queued. It waits a moment before looking
    /// (`retry::COMMIT_GRACE`), for the transaction that queued it to commit.
    pub fn wake(&self) {
        self.bell.ring();
    }

    pub fn bell(&self) -> &Bell {
        &self.bell
    }

    /// The pages a post body links to that are not on this blog: each http(s) link,
    /// once, without its fragment, in order.
    pub fn external_links(&self, body: &str) -> Vec<String> {
        let mut seen = BTreeSet::new();
        links_in(body, None)
            .into_iter()
            .filter(|url| !self.is_ours(url))
            .map(String::from)
            .filter(|url| seen.insert(url.clone()))
            .collect()
    }
}

/// Every link of an HTML document or fragment that a reader follows or a page shows (`a`, `area`
/// `href`; `img`, `video`, `audio`, `source` `src`), made absolute against `base`
/// (relative ones are dropped without one), http(s) only, without fragments.
pub fn links_in(html: &str, base: Option<&Url>) -> Vec<Url> {
    let document = scraper::Html::parse_document(html);
    let base = document_base(&document, base);
    let Ok(selector) = scraper::Selector::parse(
        "a[href], area[href], img[src], video[src], audio[src], source[src]",
    ) else {
        return Vec::new();
    };
    document
        .select(&selector)
        .filter_map(|element| {
            let value = element.value();
            value.attr("href").or_else(|| value.attr("src"))
        })
        .filter_map(|href| absolute(href, base.as_ref()))
        .collect()
}

/// The base a document's relative links resolve against: its `<base href>` (itself
/// resolved against `base`), else `base`.
fn document_base(document: &scraper::Html, base: Option<&Url>) -> Option<Url> {
    let selector = scraper::Selector::parse("base[href]").ok()?;
    let declared = document
        .select(&selector)
        .next()
        .and_then(|element| element.value().attr("href"));
    match declared {
        Some(href) => absolute(href, base).or_else(|| base.cloned()),
        None => base.cloned(),
    }
}

/// `href` as an absolute http(s) URL without its fragment.
pub fn absolute(href: &str, base: Option<&Url>) -> Option<Url> {
    let href = href.trim();
    let mut url = match base {
        Some(base) => base.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return None;
    }
    url.set_fragment(None);
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours() -> Webmentions {
        Webmentions {
            base_url: "https://blog.example".into(),
            bell: Bell::default(),
        }
    }

    #[test]
    fn a_post_sends_to_each_external_page_once() {
        let body = r#"<p><a href="https://other.example/a#top">a</a>
            <a href="https://other.example/a">again</a>
            <a href="/posts/mine">ours, relative</a>
            <a href="https://blog.example/posts/mine">ours, absolute</a>
            <a href="mailto:me@other.example">mail</a>
            <img src="https://pics.example/p.jpg" alt=""></p>
            <!-- <a href="https://hidden.example/">not a link</a> -->"#;
        assert_eq!(
            ours().external_links(body),
            vec!["https://other.example/a", "https://pics.example/p.jpg"]
        );
    }

    #[test]
    fn links_resolve_against_the_page_and_its_base_element() {
        let page = Url::parse("https://site.example/dir/page").unwrap();
        let found = links_in(r#"<a href="other">x</a><a href="/root">y</a>"#, Some(&page));
        let found: Vec<&str> = found.iter().map(Url::as_str).collect();
        assert_eq!(
            found,
            [
                "https://site.example/dir/other",
                "https://site.example/root"
            ]
        );
        let based = links_in(
            r#"<head><base href="https://cdn.example/x/"></head><a href="y">y</a>"#,
            Some(&page),
        );
        assert_eq!(based[0].as_str(), "https://cdn.example/x/y");
    }
}
