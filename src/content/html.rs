//! Post bodies are HTML from an editor, so they pass an allow-list before they are
//! stored: what the toolbar makes survives; scripts, event handlers, `javascript:`
//! URLs and images from other sites do not.

use std::borrow::Cow;
use std::collections::HashSet;

use maud::{Markup, PreEscaped, Render};

/// HTML that went through `sanitize`; the crate's one `PreEscaped` of stored content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanitizedHtml(String);

impl SanitizedHtml {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The media files this body shows or links, as paths under the media folder
    /// (`uploads/…/x.jpg` for `src="/media/uploads/…/x.jpg"`). The sanitizer wrote
    /// every attribute in double quotes, so a plain scan is exact.
    pub fn media_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = Vec::new();
        for (i, _) in self.0.match_indices("=\"/media/") {
            let rest = &self.0[i + "=\"/media/".len()..];
            if let Some(end) = rest.find('"') {
                let path = rest[..end].to_string();
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
        }
        paths
    }

    /// For text read back from the database, which was sanitized when it was saved.
    pub fn from_trusted_storage(stored: String) -> Self {
        Self(stored)
    }
}

impl Render for SanitizedHtml {
    fn render(&self) -> Markup {
        PreEscaped(self.0.clone())
    }
}

const TAGS: &[&str] = &[
    "a",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "div",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
];

/// What the editor writes for image sizes and alignment, and nothing else.
const STYLE_PROPERTIES: &[&str] = &["width", "height", "float", "text-align"];

/// Where our own uploads are served; the only images a body may show.
const MEDIA_PREFIX: &str = "/media/";

/// Cleans `html` with the allow-list. `base_url` is the site's address: absolute links
/// and images under it are rewritten to local paths, so a body survives a move.
pub fn sanitize(html: &str, base_url: &str) -> SanitizedHtml {
    let base = base_url.trim_end_matches('/').to_string();
    let cleaned = ammonia::Builder::default()
        .tags(TAGS.iter().copied().collect())
        .generic_attributes(HashSet::from(["style", "title"]))
        .tag_attributes(
            [
                ("a", HashSet::from(["href"])),
                ("img", HashSet::from(["src", "alt", "width", "height"])),
                ("td", HashSet::from(["colspan", "rowspan"])),
                ("th", HashSet::from(["colspan", "rowspan"])),
                ("ol", HashSet::from(["start"])),
            ]
            .into_iter()
            .collect(),
        )
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(move |element, attribute, value| {
            let local = local_path(value, &base);
            match (element, attribute) {
                ("img", "src") => {
                    let path = local?;
                    let safe = path.starts_with(MEDIA_PREFIX) && !path.contains("..");
                    safe.then(|| Cow::Owned(path.to_string()))
                }
                ("a", "href") => Some(match local {
                    Some(path) => Cow::Owned(path.to_string()),
                    None => Cow::Borrowed(value),
                }),
                _ => Some(Cow::Borrowed(value)),
            }
        })
        .clean(html)
        .to_string();
    SanitizedHtml(cleaned)
}

/// `value` as a path on this site: already a path (`/x`, not `//host/x`), or an
/// absolute URL under `base`.
fn local_path<'a>(value: &'a str, base: &str) -> Option<&'a str> {
    if value.starts_with('/') && !value.starts_with("//") {
        return Some(value);
    }
    value
        .strip_prefix(base)
        .filter(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://blog.example.com";

    fn clean(html: &str) -> String {
        sanitize(html, BASE).0
    }

    #[test]
    fn removes_scripts_handlers_and_javascript_urls() {
        let out = clean(
            r#"<p onclick="x()">hi<script>alert(1)</script><a href="javascript:alert(2)">l</a><img src="/media/a.png" onerror="y()"></p><iframe src="https://evil.example"></iframe>"#,
        );
        for bad in [
            "<script",
            "onclick",
            "onerror",
            "javascript:",
            "<iframe",
            "alert(1)",
        ] {
            assert!(!out.contains(bad), "{bad} survived in {out}");
        }
        assert!(out.contains("hi"));
        assert!(out.contains(r#"<img src="/media/a.png">"#), "{out}");
    }

    #[test]
    fn keeps_what_the_editor_makes() {
        let html = r#"<h2>Title</h2><p><b>bold</b> <i>it</i> <u>u</u></p><ul><li>one</li></ul><ol><li>two</li></ol><blockquote>q</blockquote><pre>code</pre><p style="text-align: center;">c</p>"#;
        let out = clean(html);
        for kept in [
            "<h2>",
            "<b>",
            "<i>",
            "<u>",
            "<ul>",
            "<ol>",
            "<blockquote>",
            "<pre>",
            "text-align",
        ] {
            assert!(out.contains(kept), "{kept} lost in {out}");
        }
    }

    #[test]
    fn style_keeps_only_layout_properties() {
        let out = clean(
            r#"<img src="/media/x.png" style="width: 50%; float: left; background: url(javascript:x); position: fixed">"#,
        );
        assert!(out.contains("width:50%"), "{out}");
        assert!(out.contains("float:left"), "{out}");
        assert!(!out.contains("background"), "{out}");
        assert!(!out.contains("position"), "{out}");
    }

    #[test]
    fn images_only_from_our_media() {
        assert!(!clean(r#"<img src="https://evil.example/t.gif">"#).contains("evil"));
        assert!(!clean(r#"<img src="//evil.example/t.gif">"#).contains("evil"));
        assert!(!clean(r#"<img src="/media/../secret.key">"#).contains("secret"));
        assert!(!clean(r#"<img src="data:image/png;base64,AAAA">"#).contains("data:"));
        let rewritten = clean(r#"<img src="https://blog.example.com/media/a.png">"#);
        assert!(rewritten.contains(r#"src="/media/a.png""#), "{rewritten}");
    }

    #[test]
    fn finds_the_media_a_body_uses() {
        let body = sanitize(
            r#"<p><img src="/media/uploads/a.jpg"><a href="https://blog.example.com/media/uploads/b.png">b</a><img src="/media/uploads/a.jpg"><a href="/about">x</a></p>"#,
            BASE,
        );
        assert_eq!(body.media_paths(), vec!["uploads/a.jpg", "uploads/b.png"]);
    }

    #[test]
    fn sanitizing_twice_changes_nothing() {
        let once = clean(
            r#"<p>a <a href="https://x.example">x</a><img src="/media/b.png" style="float:right"></p>"#,
        );
        assert_eq!(clean(&once), once);
    }
}
