//! What machines read: the Atom feeds, the sitemap and robots.txt. Built with maud
//! like the pages, because maud escapes every value it is given, and Atom's
//! `<content type="html">` wants the body as escaped text: no second XML library.
//! Empty elements are written `x {}` (`<x></x>`), since maud's `x;` is HTML, not XML.
//! Every URL here is absolute, built from `[site] base_url`, never from the request.

use maud::{html, Markup};

use crate::content::{Post, Slug, Tag, UserId};
use crate::urls;

/// The head and identity of one feed. URLs are absolute.
pub struct Feed<'a> {
    pub title: &'a str,
    /// The feed's own address, which is also its Atom id.
    pub self_url: &'a str,
    /// The page the feed mirrors (the home or author page).
    pub page_url: &'a str,
}

/// An Atom 1.0 feed of `posts` (newest first). `base` is the site's base URL.
pub fn atom(feed: &Feed, base: &str, posts: &[Post]) -> String {
    // An empty feed was last updated at the epoch: Atom requires the element.
    let updated = posts.iter().map(last_change).max().unwrap_or(0);
    let markup = html! {
        feed xmlns="http://www.w3.org/2005/Atom" {
            id { (feed.self_url) }
            title { (feed.title) }
            updated { (rfc3339(updated)) }
            link rel="self" type="application/atom+xml" href=(feed.self_url) {}
            link rel="alternate" type="text/html" href=(feed.page_url) {}
            @for post in posts {
                @let url = format!("{base}{}", urls::post(&post.slug));
                entry {
                    id { (url) }
                    title { (post.title) }
                    link rel="alternate" type="text/html" href=(url) {}
                    author {
                        name { (post.author_name) }
                        uri { (base) (urls::author(post.author_id)) }
                    }
                    published { (rfc3339(post.published_at.unwrap_or(post.created_at))) }
                    updated { (rfc3339(last_change(post))) }
                    @for tag in &post.tags {
                        category term=(tag) {}
                    }
                    @if !post.excerpt.is_empty() {
                        summary { (post.excerpt) }
                    }
                    content type="html" { (absolute_urls(post.body.as_str(), base)) }
                }
            }
        }
    };
    with_declaration(markup)
}

/// A JSON Feed 1.1 (jsonfeed.org) of `posts` (newest first): the same items as the
/// Atom feed beside it, with the same ids, so a reader that sees both sees one post.
pub fn json_feed(feed: &Feed, base: &str, language: &str, posts: &[Post]) -> String {
    let items: Vec<serde_json::Value> = posts
        .iter()
        .map(|post| {
            let url = format!("{base}{}", urls::post(&post.slug));
            let mut item = serde_json::json!({
                "id": url,
                "url": url,
                "title": post.title,
                "content_html": absolute_urls(post.body.as_str(), base),
                "date_published": rfc3339(post.published_at.unwrap_or(post.created_at)),
                "date_modified": rfc3339(last_change(post)),
                "authors": [{
                    "name": post.author_name,
                    "url": format!("{base}{}", urls::author(post.author_id)),
                }],
                "tags": post.tags.iter().map(|tag| tag.as_str()).collect::<Vec<_>>(),
            });
            if !post.excerpt.is_empty() {
                item["summary"] = post.excerpt.clone().into();
            }
            if let Some(image) = &post.featured_image {
                item["image"] = format!("{base}{}", urls::media(image)).into();
            }
            item
        })
        .collect();
    let document = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.page_url,
        "feed_url": feed.self_url,
        "language": language,
        "items": items,
    });
    document.to_string()
}

/// `html` (as the sanitizer wrote it) with every root-relative `src` and `href`
/// (`/media/…`, `/posts/…`) made absolute under `base`: a feed reader shows the
/// content away from the site, where `/media/a.png` would name its own server's file.
/// The sanitizer escapes `<` in text and writes each attribute in double quotes, so a
/// tag runs from `<` to the first `>` outside quotes, and only attributes inside tags
/// change: text that reads `src="/x"` stays as it is.
pub fn absolute_urls(html: &str, base: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let end = tag_end(rest);
        absolute_urls_in_tag(&rest[..end], base, &mut out);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Where the tag at the start of `tag` ends: after its first `>` outside quotes.
fn tag_end(tag: &str) -> usize {
    let mut quoted = false;
    for (i, byte) in tag.bytes().enumerate() {
        match byte {
            b'"' => quoted = !quoted,
            b'>' if !quoted => return i + 1,
            _ => {}
        }
    }
    tag.len()
}

fn absolute_urls_in_tag(tag: &str, base: &str, out: &mut String) {
    let mut quoted = false;
    let mut copied = 0;
    for (i, byte) in tag.bytes().enumerate() {
        if byte != b'"' {
            continue;
        }
        if !quoted {
            let value = &tag[i + 1..];
            let root_relative = value.starts_with('/') && !value.starts_with("//");
            if root_relative && names_a_url(&tag[..i]) {
                out.push_str(&tag[copied..=i]);
                out.push_str(base);
                copied = i + 1;
            }
        }
        quoted = !quoted;
    }
    out.push_str(&tag[copied..]);
}

/// Whether the text before an opening quote ends with ` src=` or ` href=`.
fn names_a_url(before: &str) -> bool {
    ["src=", "href="].iter().any(|name| {
        before
            .strip_suffix(name)
            .is_some_and(|head| head.ends_with(|c: char| c.is_ascii_whitespace()))
    })
}

/// A published post's last change: an edit, or its publication when that came later.
fn last_change(post: &Post) -> i64 {
    post.updated_at.max(post.published_at.unwrap_or(0))
}

/// Unix milliseconds as an RFC 3339 time in UTC, to the second.
pub fn rfc3339(millis: i64) -> String {
    match jiff::Timestamp::from_millisecond(millis) {
        Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Err(_) => "1970-01-01T00:00:00Z".into(),
    }
}

/// Everything a sitemap lists, each with its last change (Unix milliseconds).
pub struct SitemapEntries {
    pub posts: Vec<(Slug, i64)>,
    /// Published standalone pages (About, Contact, …).
    pub pages: Vec<(Slug, i64)>,
    pub authors: Vec<(UserId, i64)>,
    pub tags: Vec<(Tag, i64)>,
}

/// A sitemaps.org `urlset` with the home page, every post, page, author and tag page.
pub fn sitemap(base: &str, entries: &SitemapEntries) -> String {
    let urls = std::iter::once((urls::index(), newest(entries)))
        .chain(entries.posts.iter().map(|(s, at)| (urls::post(s), *at)))
        .chain(
            entries
                .pages
                .iter()
                .map(|(s, at)| (urls::site_page(s), *at)),
        )
        .chain(
            entries
                .authors
                .iter()
                .map(|(a, at)| (urls::author(*a), *at)),
        )
        .chain(entries.tags.iter().map(|(t, at)| (urls::tag(t), *at)));
    let markup = html! {
        urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" {
            @for (path, at) in urls {
                url {
                    loc { (base) (path) }
                    @if at > 0 {
                        lastmod { (rfc3339(at)) }
                    }
                }
            }
        }
    };
    with_declaration(markup)
}

fn newest(entries: &SitemapEntries) -> i64 {
    entries.posts.iter().map(|(_, at)| *at).max().unwrap_or(0)
}

/// Crawlers may read every public page; the sitemap tells them where they are.
pub fn robots(base: &str) -> String {
    format!(
        "User-agent: *\nAllow: /\nDisallow: /accounts/\nDisallow: /drafts\nDisallow: /admin\nDisallow: /uploads\n\nSitemap: {base}{}\n",
        urls::sitemap()
    )
}

/// The XML declaration names the encoding, which readers otherwise guess.
fn with_declaration(markup: Markup) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{}",
        markup.into_string()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_764_201_600_123), "2025-11-27T00:00:00Z");
    }

    #[test]
    fn feed_content_links_and_images_are_absolute() {
        let base = "https://blog.example";
        assert_eq!(
            absolute_urls(
                r#"<p><img src="/media/uploads/a.png" alt=""><a href="/posts/x">x</a></p>"#,
                base
            ),
            r#"<p><img src="https://blog.example/media/uploads/a.png" alt=""><a href="https://blog.example/posts/x">x</a></p>"#
        );
        for unchanged in [
            r#"<a href="https://other.example/a">a</a>"#,
            r#"<a href="//other.example/a">a</a>"#,
            r##"<a href="#top">a</a>"##,
            "<p>write src=\"/media/a.png\" in text</p>",
            r#"<img alt="src=&quot;/x" title="a > href=&quot;/y">"#,
            "<p>no tags &lt;img src=\"/media/a.png\"&gt;</p>",
            "",
        ] {
            assert_eq!(absolute_urls(unchanged, base), unchanged);
        }
        assert_eq!(
            absolute_urls(r#"<img title="a > b" src="/media/b.png">"#, base),
            r#"<img title="a > b" src="https://blog.example/media/b.png">"#
        );
    }

    #[test]
    fn robots_points_at_the_sitemap() {
        let text = robots("https://blog.example");
        assert!(text.contains("Sitemap: https://blog.example/sitemap.xml\n"));
        assert!(text.contains("Disallow: /accounts/\n"));
    }
}
