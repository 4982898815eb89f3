//! Whether a mention's source really links to its target (§3.2.2 of the spec), and
//! what the source says of itself for the mention shown under the post: its h-entry's
//! name, author (h-card) and summary or content, else its `<title>`.
//!
//! The microformats are read here with `scraper` rather than with the `microformats`
//! crate: that crate is LGPL-3.0, which a single statically linked MIT executable
//! cannot take without obligations for everyone who ships it, and we need three
//! properties of one entry, not a full mf2 parse.

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::{absolute, links_in};
use crate::db::webmentions::Summary;

/// Longest texts kept of what a source says, in characters.
const MAX_NAME: usize = 100;
const MAX_TITLE: usize = 200;
const MAX_EXCERPT: usize = 300;

/// What a fetched source says about the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Links(Summary),
    DoesNotLink,
}

/// Judges the source page (`body`, of `content_type`, fetched from `source`).
pub fn judge(source: &Url, target: &str, content_type: Option<&str>, body: &[u8]) -> Verdict {
    let Some(target) = absolute(target, None) else {
        return Verdict::DoesNotLink;
    };
    let text = String::from_utf8_lossy(body);
    let html = content_type.is_none_or(|t| {
        let t = t.to_ascii_lowercase();
        t.starts_with("text/html") || t.starts_with("application/xhtml+xml")
    });
    if !html {
        // Another type (plain text, JSON): the target's URL written in it is the link.
        return match text.contains(target.as_str()) {
            true => Verdict::Links(Summary {
                author_name: host_of(source),
                author_url: Some(origin_of(source)),
                ..Summary::default()
            }),
            false => Verdict::DoesNotLink,
        };
    }
    if !links_in(&text, Some(source)).contains(&target) {
        return Verdict::DoesNotLink;
    }
    Verdict::Links(summary(&Html::parse_document(&text), source))
}

/// The source's name, author and excerpt: from its first h-entry, else its `<title>`
/// and description, signed with its host.
fn summary(document: &Html, source: &Url) -> Summary {
    let root = document.root_element();
    let entry = select(root, ".h-entry").into_iter().next();
    let author = entry.and_then(|entry| own(entry, ".p-author"));
    let (author_name, author_url) = match author {
        Some(card) => card_of(card, source),
        None => (None, None),
    };
    let title = entry
        .and_then(|entry| own(entry, ".p-name"))
        .map(text_of)
        .or_else(|| first_text(root, "title"));
    let excerpt = entry
        .and_then(|entry| own(entry, ".p-summary").or_else(|| own(entry, ".e-content")))
        .map(text_of)
        .or_else(|| {
            select(root, r#"meta[name="description"]"#)
                .into_iter()
                .find_map(|meta| meta.value().attr("content").map(str::to_string))
        });
    Summary {
        author_name: clip(author_name, MAX_NAME).unwrap_or_else(|| host_of(source)),
        author_url: author_url.or_else(|| Some(origin_of(source))),
        title: clip(title, MAX_TITLE),
        excerpt: clip(excerpt, MAX_EXCERPT),
    }
}

/// An author property: an h-card's name and URL, or a plain element's text and link.
fn card_of(card: ElementRef, source: &Url) -> (Option<String>, Option<String>) {
    let is_card = card.value().classes().any(|c| c == "h-card");
    let name = match is_card {
        true => own(card, ".p-name").map(text_of),
        false => None,
    }
    .or_else(|| Some(text_of(card)))
    .filter(|name| !name.is_empty());
    let href = match is_card {
        true => own(card, ".u-url").and_then(|u| u.value().attr("href")),
        false => None,
    }
    .or_else(|| card.value().attr("href"));
    let url = href
        .and_then(|href| absolute(href, Some(source)))
        .map(String::from);
    (name, url)
}

/// The first descendant of `scope` matching `css` that belongs to `scope` itself, not
/// to an item nested in it (an `h-card`'s `p-name` is not the entry's name).
fn own<'a>(scope: ElementRef<'a>, css: &str) -> Option<ElementRef<'a>> {
    select(scope, css).into_iter().find(|element| {
        element
            .ancestors()
            .filter_map(ElementRef::wrap)
            .take_while(|ancestor| ancestor.id() != scope.id())
            .all(|ancestor| !ancestor.value().classes().any(|c| c.starts_with("h-")))
    })
}

fn select<'a>(scope: ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    match Selector::parse(css) {
        Ok(selector) => scope.select(&selector).collect(),
        Err(_) => Vec::new(),
    }
}

fn first_text(scope: ElementRef, css: &str) -> Option<String> {
    select(scope, css).into_iter().next().map(text_of)
}

/// An element's text with its runs of white space made one space.
fn text_of(element: ElementRef) -> String {
    let text: String = element.text().collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, an ellipsis marking a cut; nothing for empty text.
fn clip(text: Option<String>, max: usize) -> Option<String> {
    let text = text?.trim().to_string();
    if text.is_empty() {
        return None;
    }
    if text.chars().count() <= max {
        return Some(text);
    }
    let cut: String = text.chars().take(max - 1).collect();
    Some(format!("{}…", cut.trim_end()))
}

fn host_of(url: &Url) -> String {
    url.host_str().unwrap_or_default().to_string()
}

fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization() + "/"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> Url {
        Url::parse("https://other.example/notes/1").unwrap()
    }

    const TARGET: &str = "https://blog.example/posts/hello";

    #[test]
    fn a_link_in_the_page_is_found_relative_or_absolute() {
        let absolute =
            r#"<p>See <a href="https://blog.example/posts/hello#comments">this</a>.</p>"#;
        assert!(matches!(
            judge(&source(), TARGET, Some("text/html"), absolute.as_bytes()),
            Verdict::Links(_)
        ));
        let image = r#"<img src="//blog.example/posts/hello" alt="">"#;
        assert!(matches!(
            judge(&source(), TARGET, Some("text/html"), image.as_bytes()),
            Verdict::Links(_)
        ));
    }

    #[test]
    fn text_that_only_looks_like_a_link_is_none() {
        for page in [
            "<p>https://blog.example/posts/hello</p>",
            r#"<!-- <a href="https://blog.example/posts/hello">x</a> -->"#,
            r#"<link rel="canonical" href="https://blog.example/posts/hello">"#,
            r#"<a href="https://blog.example/posts/hello-world">close</a>"#,
        ] {
            assert_eq!(
                judge(&source(), TARGET, Some("text/html"), page.as_bytes()),
                Verdict::DoesNotLink,
                "{page}"
            );
        }
        let plain = "I read https://blog.example/posts/hello today";
        assert!(matches!(
            judge(&source(), TARGET, Some("text/plain"), plain.as_bytes()),
            Verdict::Links(_)
        ));
    }

    #[test]
    fn the_h_entry_names_the_post_and_its_author() {
        let page = r#"<html><head><title>Site · Notes</title></head><body>
            <article class="h-entry">
              <h1 class="p-name">A reply   about hello</h1>
              <a class="p-author h-card" href="/about"><img src="/me.jpg" alt=""><span class="p-name">Kim Min-ji</span></a>
              <div class="e-content"><p>I liked <a href="https://blog.example/posts/hello">your post</a>.</p></div>
            </article></body></html>"#;
        let Verdict::Links(summary) = judge(&source(), TARGET, None, page.as_bytes()) else {
            panic!("the page links to the target");
        };
        assert_eq!(
            summary,
            Summary {
                author_name: "Kim Min-ji".into(),
                author_url: Some("https://other.example/about".into()),
                title: Some("A reply about hello".into()),
                excerpt: Some("I liked your post.".into()),
            }
        );
    }

    #[test]
    fn without_microformats_the_title_and_host_stand_in() {
        let page = format!(
            r#"<title>Notes</title><p><a href="{TARGET}">{}</a></p>"#,
            "x".repeat(10)
        );
        let Verdict::Links(summary) = judge(&source(), TARGET, Some("text/html"), page.as_bytes())
        else {
            panic!("the page links to the target");
        };
        assert_eq!(summary.author_name, "other.example");
        assert_eq!(
            summary.author_url.as_deref(),
            Some("https://other.example/")
        );
        assert_eq!(summary.title.as_deref(), Some("Notes"));
        assert_eq!(clip(Some("abcdef".into()), 4).as_deref(), Some("abc…"));
    }
}
