//! Post bodies are HTML from an editor, so they pass an allow-list before they are
//! stored: what the toolbar makes survives; scripts, event handlers, `javascript:`
//! URLs and images from other sites do not.

use std::borrow::Cow;
use std::collections::HashSet;

use maud::{Markup, PreEscaped, Render};

pub use super::complexity::{check_body, BodyTooComplex};
pub use responsive::{Candidate, ImageFiles};

mod responsive;

/// HTML that went through `sanitize`; the crate's one `PreEscaped` of stored content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanitizedHtml(String);

impl SanitizedHtml {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The media files this body shows or links, as paths under the media folder
    /// (`uploads/…/x.jpg` for `src="/media/uploads/…/x.jpg"`), each once, in order.
    pub fn media_paths(&self) -> Vec<String> {
        let mut seen = HashSet::new();
        self.media_references()
            .filter(|path| seen.insert(*path))
            .map(str::to_string)
            .collect()
    }

    /// The first media file the body shows or links (a shared link's preview image),
    /// found without reading further.
    pub fn first_media_path(&self) -> Option<&str> {
        self.media_references().next()
    }

    /// Every `/media/` reference in attribute order, repeats included. The sanitizer
    /// wrote every attribute in double quotes, so a plain scan is exact; a link whose
    /// path a browser would resolve elsewhere (`/media/%2e%2e/admin`) is not one.
    fn media_references(&self) -> impl Iterator<Item = &str> {
        const OPENING: &str = "=\"/media/";
        self.0.match_indices(OPENING).filter_map(|(i, _)| {
            let rest = &self.0[i + OPENING.len()..];
            let path = &rest[..rest.find('"')?];
            is_plain_media_path(path).then_some(path)
        })
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

/// A post body ready to store: checked, sanitized, and what is derived from it
/// computed once, at save, rather than by every page that shows it.
#[derive(Debug, Clone)]
pub struct PreparedBody {
    pub html: SanitizedHtml,
    pub excerpt: String,
    /// The media files it uses (`SanitizedHtml::media_paths`), for the media table.
    pub media_paths: Vec<String>,
    /// Not stored yet (the posts table has no column for it): pages count it again,
    /// in one linear pass (`excerpt::reading_minutes`).
    pub reading_minutes: usize,
}

impl PreparedBody {
    /// Refuses a body past the limits of `check_body`; the cost is linear in its
    /// length either way. Blocking for up to a fraction of a second on a body of
    /// megabytes: call it on a blocking thread, and before taking the database writer.
    pub fn new(html: &str, base_url: &str) -> Result<Self, BodyTooComplex> {
        let html = sanitize_checked(html, base_url)?;
        Ok(Self {
            excerpt: super::excerpt::excerpt(&html),
            media_paths: html.media_paths(),
            reading_minutes: super::excerpt::reading_minutes(&html),
            html,
        })
    }
}

/// `check_body`, then `sanitize`: for text from someone who may be hostile, so that
/// what it costs is bounded by its length.
pub fn sanitize_checked(html: &str, base_url: &str) -> Result<SanitizedHtml, BodyTooComplex> {
    check_body(html)?;
    Ok(sanitize(html, base_url))
}

/// Cleans `html` with the allow-list. `base_url` is the site's address: absolute links
/// and images under it are rewritten to local paths, so a body survives a move.
///
/// Its cost grows with the square of the nesting: text that anyone but the site's
/// own tools wrote goes through `sanitize_checked`.
pub fn sanitize(html: &str, base_url: &str) -> SanitizedHtml {
    let base = base_url.trim_end_matches('/').to_string();
    let mut builder = ammonia::Builder::default();
    builder
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
        // `clean_style` below decides; ammonia's own property filter stays as a second
        // line, should a value ever slip through it.
        .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(move |element, attribute, value| {
            let local = local_path(value, &base);
            match (element, attribute) {
                ("img", "src") => {
                    let path = local?;
                    let media = path.strip_prefix(MEDIA_PREFIX)?;
                    is_plain_media_path(media).then(|| Cow::Owned(path.to_string()))
                }
                ("a", "href") => Some(match local {
                    Some(path) => Cow::Owned(path.to_string()),
                    None => Cow::Borrowed(value),
                }),
                (_, "style") => clean_style(value).map(Cow::Owned),
                _ => Some(Cow::Borrowed(value)),
            }
        });
    // Removing a tag can leave markup that parses differently the next time
    // (`<p><applet><table>` becomes `<p><table>`, which a browser splits in two), so
    // clean until nothing changes: what is stored is what a browser will read back.
    let mut cleaned = builder.clean(html).to_string();
    for _ in 0..MAX_PASSES {
        let again = builder.clean(&cleaned).to_string();
        if again == cleaned {
            break;
        }
        cleaned = again;
    }
    // An image whose source was refused would show as a broken box: drop it whole.
    // Removing an empty element changes how nothing else parses.
    SanitizedHtml(drop_images_without_source(cleaned))
}

/// A path under `/media/` as our uploads are named (`uploads/2026/11/ab12.png`):
/// plain segments of letters, digits, `-`, `_`, `.` and `~`, none of them `.` or `..`.
/// Nothing is percent-decoded, because nothing needs to be: `%2e%2e` (which a browser
/// reads as `..`), `%2f` and `%5c` (a slash and a backslash), a raw backslash, a query
/// or a fragment are all refused outright rather than interpreted.
fn is_plain_media_path(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|segment| {
            !segment.is_empty()
                && segment.bytes().any(|b| b != b'.')
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
        })
}

/// Removes every `<img>` with no `src`. Works on the sanitizer's own output, where a
/// `<` in text is always `&lt;` and attribute values are double-quoted with `"` as
/// `&quot;`: a linear scan reads its tags exactly.
fn drop_images_without_source(html: String) -> String {
    if !html.contains("<img") {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = html[at..].find('<') {
        let start = at + offset;
        let end = tag_end(&html, start);
        let tag = &html[start..end];
        let is_img = tag
            .strip_prefix("<img")
            .is_some_and(|rest| rest.starts_with([' ', '>', '/']));
        if is_img && !attribute_names(tag).any(|name| name == "src") {
            out.push_str(&html[copied..start]);
            copied = end;
        }
        at = end;
    }
    out.push_str(&html[copied..]);
    out
}

/// Where the tag opening at `start` of the sanitizer's output ends: after its `>`,
/// quoted values skipped.
pub(crate) fn tag_end(html: &str, start: usize) -> usize {
    let mut quoted = false;
    for (i, byte) in html.bytes().enumerate().skip(start + 1) {
        match byte {
            b'"' => quoted = !quoted,
            b'>' if !quoted => return i + 1,
            _ => {}
        }
    }
    html.len()
}

/// The attribute names of one tag (`<img alt="a" src="b">` gives `alt`, `src`).
fn attribute_names(tag: &str) -> impl Iterator<Item = &str> {
    let mut quoted = false;
    let mut names = Vec::new();
    let mut name_start = None;
    for (i, byte) in tag.bytes().enumerate() {
        match byte {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            b' ' | b'\t' | b'\n' | b'/' | b'>' | b'=' => {
                if let Some(from) = name_start.take() {
                    names.push(&tag[from..i]);
                }
            }
            _ if i > 0 && name_start.is_none() && tag.as_bytes()[i - 1] == b' ' => {
                name_start = Some(i)
            }
            _ => {}
        }
    }
    names.into_iter()
}

/// Passes after the first; one settles every case the property tests have found.
const MAX_PASSES: usize = 4;

/// A `style` attribute reduced to the declarations the editor writes, each with a value
/// of the expected shape (`width:50%`, `float:left`): no `url()`, `expression()`,
/// escapes or comments get through, whatever the property. `None` when nothing is left.
fn clean_style(style: &str) -> Option<String> {
    let kept: Vec<String> = style
        .split(';')
        .filter_map(|declaration| {
            let (property, value) = declaration.split_once(':')?;
            let property = property.trim().to_ascii_lowercase();
            let value = value.trim().to_ascii_lowercase();
            let fits = match property.as_str() {
                "width" | "height" => value == "auto" || is_length(&value),
                "float" => matches!(value.as_str(), "left" | "right" | "none"),
                "text-align" => matches!(
                    value.as_str(),
                    "left" | "right" | "center" | "justify" | "start" | "end"
                ),
                _ => false,
            };
            fits.then(|| format!("{property}:{value}"))
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join(";"))
}

/// `50%`, `640px`, `312.5px`, `20em`, `0`.
fn is_length(value: &str) -> bool {
    let number_end = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(number_end);
    let number_ok = !number.is_empty()
        && number.chars().filter(|&c| c == '.').count() <= 1
        && number.chars().any(|c| c.is_ascii_digit());
    number_ok && matches!(unit, "" | "px" | "%" | "em" | "rem" | "vw")
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
    fn an_image_whose_source_was_refused_is_dropped_whole() {
        for input in [
            r#"<p>a<img src="https://evil.example/t.gif" alt="x" style="width:50%">b</p>"#,
            r#"<p>a<img alt="no source at all">b</p>"#,
            r#"<p>a<img src="javascript:alert(1)" title="q&quot;>">b</p>"#,
            r#"<p>a<img src="/media/%2e%2e/admin">b</p>"#,
        ] {
            assert_eq!(clean(input), "<p>ab</p>", "{input}");
        }
        // A kept image, and text that only looks like one, stay.
        let kept =
            clean(r#"<p title="<img alt=x>">&lt;img&gt;<img alt="" src="/media/a.png"></p>"#);
        assert!(kept.contains("title="), "{kept}");
        assert!(
            kept.contains(r#"&lt;img&gt;<img alt="" src="/media/a.png">"#),
            "{kept}"
        );
    }

    #[test]
    fn media_paths_a_browser_would_resolve_elsewhere_are_refused() {
        for src in [
            "/media/%2e%2e/admin",
            "/media/%2E%2e/%2e%2e/admin",
            "/media/.%2e/admin",
            "/media/uploads%2f..%2fadmin",
            "/media/uploads%5c..%5cadmin",
            "/media/uploads\\..\\admin",
            "/media/./a.png",
            "/media/uploads//a.png",
            "/media/a.png?x=/admin",
            "/media/",
            "https://blog.example.com/media/%2e%2e/admin",
        ] {
            let out = clean(&format!(r#"<p><img src="{src}">x</p>"#));
            assert_eq!(out, "<p>x</p>", "{src}");
        }
        let body = sanitize(
            r#"<p><a href="/media/%2e%2e/admin">a</a><img src="/media/uploads/2026/11/ab.png"></p>"#,
            BASE,
        );
        assert_eq!(body.media_paths(), vec!["uploads/2026/11/ab.png"]);
        assert_eq!(body.first_media_path(), Some("uploads/2026/11/ab.png"));
    }

    #[test]
    fn a_body_past_the_limits_is_refused_before_it_is_sanitized() {
        let deep = "<div>".repeat(5_000);
        assert_eq!(sanitize_checked(&deep, BASE), Err(BodyTooComplex::TooDeep));
        assert!(sanitize_checked("<p>fine</p>", BASE).is_ok());
    }

    #[test]
    fn a_removed_tag_leaves_markup_that_reads_back_the_same() {
        let once = clean("<p><applet><table><td>x</td></table>y");
        assert_eq!(clean(&once), once);
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

    /// An upload as Summernote inserted it in Chromium, for the image tests below.
    const UPLOADED: &str = "/media/uploads/2026/11/217133eccc3e56d20e8e6f087789721a.png";

    /// `(what Summernote 0.9.1 wrote in Chromium for a toolbar action, what is stored)`.
    /// The first strings were read from the editor (`summernote('code')`) after each
    /// action in the browser test's editor; the stored form only drops what no reader
    /// sees: `class` (empty, or Summernote's own `note-float-*`), empty `style`, spaces
    /// in `style`; links gain `rel`.
    fn toolbar_output() -> Vec<(&'static str, String)> {
        let img = |style: &str, class: &str| {
            format!(r#"<p>Some text<img style="{style}" src="{UPLOADED}" alt=""{class}></p>"#)
        };
        vec![
            ("bold", r#"<p><b>Some text</b></p>"#.into()),
            ("italic", r#"<p><i>Some text</i></p>"#.into()),
            ("underline", r#"<p><u>Some text</u></p>"#.into()),
            ("bulleted list", r#"<ul><li>Some text</li></ul>"#.into()),
            ("numbered list", r#"<ol><li>Some text</li></ol>"#.into()),
            ("heading 2", r#"<h2 class="">Some text</h2>"#.into()),
            ("heading 3", r#"<h3 class="">Some text</h3>"#.into()),
            ("heading 4", r#"<h4 class="">Some text</h4>"#.into()),
            (
                "quote",
                r#"<blockquote class="">Some text</blockquote>"#.into(),
            ),
            ("code block", r#"<pre class="">Some text</pre>"#.into()),
            (
                "link",
                r#"<p><a href="https://example.com/page">Some text</a></p>"#.into(),
            ),
            ("image", img("", "")),
            ("image at half width", img("width: 50%;", "")),
            (
                "image floated left",
                img("width: 50%; float: left;", r#" class="note-float-left""#),
            ),
            (
                "image floated right",
                img("width: 25%; float: right;", r#" class="note-float-right""#),
            ),
        ]
    }

    #[test]
    fn everything_the_toolbar_makes_is_stored_as_the_reader_will_see_it() {
        let stored = |style: &str| match style {
            // Dropping the empty style moves `alt` first; the attributes are the same.
            "" => format!(r#"<p>Some text<img alt="" src="{UPLOADED}"></p>"#),
            style => format!(r#"<p>Some text<img style="{style}" src="{UPLOADED}" alt=""></p>"#),
        };
        let expected = [
            r#"<p><b>Some text</b></p>"#.to_string(),
            r#"<p><i>Some text</i></p>"#.into(),
            r#"<p><u>Some text</u></p>"#.into(),
            r#"<ul><li>Some text</li></ul>"#.into(),
            r#"<ol><li>Some text</li></ol>"#.into(),
            r#"<h2>Some text</h2>"#.into(),
            r#"<h3>Some text</h3>"#.into(),
            r#"<h4>Some text</h4>"#.into(),
            r#"<blockquote>Some text</blockquote>"#.into(),
            r#"<pre>Some text</pre>"#.into(),
            r#"<p><a href="https://example.com/page" rel="noopener noreferrer nofollow">Some text</a></p>"#.into(),
            stored(""),
            stored("width:50%"),
            stored("width:50%;float:left"),
            stored("width:25%;float:right"),
        ];
        for ((action, editor), expected) in toolbar_output().into_iter().zip(expected) {
            assert_eq!(clean(&editor), expected, "{action}");
            assert_eq!(clean(&expected), expected, "{action}, sanitized again");
        }
    }

    /// What every stored body must satisfy, checked on the parsed result: only allowed
    /// tags, no event handler or unknown attribute, links only to the web or mail,
    /// images only from `/media/`, styles only of the editor's shape.
    #[track_caller]
    fn assert_harmless(input: &str) {
        let out = clean(input);
        let fragment = scraper::Html::parse_fragment(&out);
        for node in fragment.root_element().descendants() {
            let Some(element) = node.value().as_element() else {
                continue;
            };
            let tag = element.name();
            if tag == "html" {
                continue; // the fragment's own root
            }
            assert!(TAGS.contains(&tag), "<{tag}> survived {input:?}: {out}");
            for (name, value) in element.attrs() {
                let value_lower = value.to_ascii_lowercase();
                let allowed = match (tag, name) {
                    (_, "title") => true,
                    (_, "style") => value.split(';').all(|d| {
                        let prop = d.split(':').next().unwrap_or("");
                        STYLE_PROPERTIES.contains(&prop)
                            && !value_lower.contains('(')
                            && !value_lower.contains('\\')
                    }),
                    ("a", "href") => {
                        value.starts_with('/')
                            || ["http://", "https://", "mailto:"]
                                .iter()
                                .any(|scheme| value_lower.starts_with(scheme))
                    }
                    ("a", "rel") => value == "noopener noreferrer nofollow",
                    ("img", "src") => value.starts_with(MEDIA_PREFIX) && !value.contains(".."),
                    ("img", "alt" | "width" | "height") => true,
                    ("td" | "th", "colspan" | "rowspan") => true,
                    ("ol", "start") => true,
                    _ => false,
                };
                assert!(allowed, "{tag} {name}={value:?} survived {input:?}: {out}");
            }
        }
        for needle in [
            "javascript",
            "vbscript",
            "alert(",
            "onerror",
            "onload",
            "expression",
        ] {
            assert!(
                !out.to_ascii_lowercase().contains(needle) || out.contains("&lt;"),
                "{needle} in {out} from {input:?}"
            );
        }
    }

    #[test]
    fn hostile_markup_is_disarmed() {
        let hostile = [
            // Scripts and handlers.
            r#"<script>alert(1)</script><p>x</p>"#,
            r#"<p onmouseover="alert(1)">x</p>"#,
            r#"<img src="/media/a.png" onerror="alert(1)" onload="alert(2)">"#,
            r#"<body onload="alert(1)"><p>x</p></body>"#,
            r#"<p><button formaction="javascript:alert(1)">x</button></p>"#,
            r#"<form action="javascript:alert(1)"><input type="submit"></form>"#,
            r#"<iframe srcdoc="<script>alert(1)</script>"></iframe>"#,
            r#"<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">"#,
            r#"<base href="javascript:alert(1)//"><meta http-equiv="refresh" content="0;url=javascript:alert(1)">"#,
            r#"<link rel="stylesheet" href="https://evil.example/x.css"><style>p{background:url(javascript:alert(1))}</style>"#,
            // Links that hide their scheme.
            r#"<a href="javascript:alert(1)">x</a>"#,
            r#"<a href="JaVaScRiPt:alert(1)">x</a>"#,
            r#"<a href="jav&#x09;ascript:alert(1)">x</a>"#,
            r#"<a href="jav&#x0A;ascript:alert(1)">x</a>"#,
            r#"<a href="&#106;avascript:alert(1)">x</a>"#,
            r#"<a href="  javascript:alert(1)">x</a>"#,
            r#"<a href="vbscript:msgbox(1)">x</a>"#,
            r#"<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>"#,
            // Images from elsewhere or inline.
            r#"<img src="data:image/png;base64,iVBORw0KGgo=">"#,
            r#"<img src="data:image/svg+xml,<svg onload=alert(1)>">"#,
            r#"<img src="/media/a.png" srcset="https://evil.example/a.png 2x">"#,
            r#"<img src="javascript:alert(1)">"#,
            // Styles that run or fetch something.
            r#"<p style="width: expression(alert(1))">x</p>"#,
            r#"<p style="width: 10px; background: url(https://evil.example/t.gif)">x</p>"#,
            r#"<p style="float: url(javascript:alert(1))">x</p>"#,
            r#"<p style="width: e\xpression(alert(1))">x</p>"#,
            r#"<p style="text-align: center; -moz-binding: url(https://evil.example/x.xml#x)">x</p>"#,
            r#"<p style="width:/**/expression(alert(1))">x</p>"#,
            r#"<div style="position: fixed; top: 0; width: 100%; height: 100%">over</div>"#,
            // SVG and MathML tricks, and parser confusion.
            r#"<svg><script>alert(1)</script></svg>"#,
            r#"<svg onload="alert(1)"><circle r="5"/></svg>"#,
            r#"<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>"#,
            r#"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"#,
            r#"<math><a xlink:href="javascript:alert(1)">x</a></math>"#,
            r#"<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>"#,
            r#"<svg><style><img src=x onerror=alert(1)></style></svg>"#,
            r#"<template><script>alert(1)</script></template>"#,
            r#"<p>unclosed <b>bold <a href="javascript:alert(1)">"#,
            r#"<!--><img src=x onerror=alert(1)>-->"#,
        ];
        for input in hostile {
            assert_harmless(input);
        }
    }

    #[test]
    fn hidden_schemes_lose_their_href_but_keep_their_text() {
        for href in [
            "jav&#x09;ascript:alert(1)",
            "&#106;avascript:alert(1)",
            "JAVASCRIPT:alert(1)",
        ] {
            let out = clean(&format!(r#"<p><a href="{href}">the text</a></p>"#));
            assert_eq!(
                out, "<p><a rel=\"noopener noreferrer nofollow\">the text</a></p>",
                "{href}"
            );
        }
    }

    #[test]
    fn styles_keep_only_values_of_the_editors_shape() {
        assert_eq!(
            clean(
                r#"<p style="TEXT-ALIGN: Center; width: expression(alert(1)); float: left">x</p>"#
            ),
            r#"<p style="text-align:center;float:left">x</p>"#
        );
        assert_eq!(
            clean(r#"<img src="/media/a.png" style="width: 312.5px; height: 200px;">"#),
            r#"<img src="/media/a.png" style="width:312.5px;height:200px">"#
        );
        assert_eq!(
            clean(r#"<p style="width: 1..5px; float: inherit">x</p>"#),
            "<p>x</p>"
        );
    }
}
