//! A WordPress post body made into HTML that our sanitizer keeps and that reads the
//! same here: block-editor (Gutenberg) comments removed, embeds and dynamic blocks made
//! visible links, shortcodes expanded (`[caption]`, `[gallery]`, `[embed]`, media) or
//! made visible links when unknown, classic-editor text given its paragraphs (what
//! WordPress's `wpautop` does when it shows a post), and `<!--more-->` marking the
//! teaser. Images are rewritten afterwards (`super::uploads`); the result still goes
//! through `content::html::sanitize_checked`.

use std::collections::HashMap;

use super::super::escape;

/// An attachment of the export, as bodies and galleries refer to it.
#[derive(Debug, Clone, Default)]
pub struct Attachment {
    pub url: String,
    pub caption: String,
    pub alt: String,
    /// The post it was uploaded to.
    pub parent: String,
}

pub struct Context<'a> {
    /// By the attachment's post id.
    pub attachments: &'a HashMap<String, Attachment>,
    /// The post's id, for a `[gallery]` without `ids` (all images uploaded to it).
    pub post_id: &'a str,
    /// The post's address on the old site: unknown shortcodes and dynamic blocks link
    /// there, where they were shown.
    pub old_link: &'a str,
}

/// The body, and its teaser when it has a `<!--more-->`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub html: String,
    pub teaser: Option<String>,
    /// Shortcodes and blocks that became links, by name (for the summary).
    pub unknown: Vec<String>,
}

/// Stands for `<!--more-->` while the body is converted.
const MORE: &str = "\u{1}more\u{1}";

pub fn convert(content: &str, ctx: &Context) -> Converted {
    let content = content.replace("\r\n", "\n").replace('\r', "\n");
    let mut unknown = Vec::new();
    let is_blocks = content.contains("<!-- wp:");
    let text = if is_blocks {
        blocks(&content, ctx, &mut unknown)
    } else {
        content
    };
    let text = more_and_page_breaks(&text);
    // A quote's source: our sanitizer has no <cite>, so it becomes its own line.
    let text = text.replace("<cite>", "<p>— ").replace("</cite>", "</p>");
    let text = shortcodes(&text, ctx, &mut unknown);
    let text = if is_blocks { text } else { autop(&text) };
    let (html, teaser) = match text.split_once(MORE) {
        Some((before, after)) => {
            let teaser = before.trim().to_string();
            (
                format!("{}\n{}", before.trim_end(), after.trim_start()),
                Some(teaser),
            )
        }
        None => (text, None),
    };
    unknown.sort();
    unknown.dedup();
    Converted {
        html: tidy(&html),
        teaser: teaser.filter(|t| !t.is_empty()),
        unknown,
    }
}

/// Without the runs of blank lines that removed block comments leave (but inside
/// `<pre>`, whose lines are its own).
fn tidy(html: &str) -> String {
    let html = html.trim();
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let (outside, pre) = match rest.find("<pre") {
            Some(at) => {
                let end = rest[at..].find("</pre>").map_or(rest.len(), |e| at + e + 6);
                (&rest[..at], Some(&rest[at..end]))
            }
            None => (rest, None),
        };
        let mut newlines = 0;
        for c in outside.chars() {
            if c == '\n' {
                newlines += 1;
                if newlines > 2 {
                    continue;
                }
            } else if !(c == ' ' && newlines > 0) {
                newlines = 0;
            }
            out.push(c);
        }
        let Some(pre) = pre else {
            return out;
        };
        out.push_str(pre);
        rest = &rest[outside.len() + pre.len()..];
    }
}

/// Removes the block comments; an embed becomes a link to what it embedded, and a
/// dynamic block (one WordPress renders itself, `<!-- wp:latest-posts /-->`) a link to
/// the old page where it was shown.
fn blocks(content: &str, ctx: &Context, unknown: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(at) = rest.find("<!-- ") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(end) = after.find("-->") else {
            out.push_str(after);
            return out;
        };
        let comment = &after[5..end];
        rest = &after[end + 3..];
        let Some(block) = comment.strip_prefix("wp:") else {
            if comment.starts_with("/wp:") {
                continue;
            }
            out.push_str(&after[..end + 3]);
            continue;
        };
        let name: String = block
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect();
        let attrs = block[name.len()..].trim();
        let self_closing = attrs.ends_with('/');
        let attrs: serde_json::Value =
            serde_json::from_str(attrs.trim_end_matches('/').trim()).unwrap_or_default();
        let is_embed =
            name == "embed" || name.starts_with("core-embed/") || name.ends_with("-embed");
        if is_embed {
            let url = attrs["url"].as_str().unwrap_or_default().to_string();
            // Everything up to the block's end is the embed's own markup.
            let close = format!("<!-- /wp:{name} -->");
            if let Some(stop) = rest.find(&close) {
                rest = &rest[stop + close.len()..];
            }
            if !url.is_empty() {
                out.push_str(&link_paragraph(&url, &url));
            }
        } else if self_closing
            && !matches!(name.as_str(), "more" | "nextpage" | "separator" | "spacer")
        {
            unknown.push(name.clone());
            out.push_str(&link_paragraph(ctx.old_link, &format!("[{name}]")));
        }
    }
    out.push_str(rest);
    out
}

fn more_and_page_breaks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut more_seen = false;
    while let Some(at) = rest.find("<!--") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(end) = after.find("-->") else {
            out.push_str(after);
            return out;
        };
        let inner = after[4..end].trim();
        rest = &after[end + 3..];
        if inner.starts_with("more") && !more_seen {
            more_seen = true;
            out.push_str("\n\n");
            out.push_str(MORE);
            out.push_str("\n\n");
        } else if inner == "nextpage" || inner == "noteaser" || inner.starts_with("more") {
            out.push_str("\n\n");
        } else {
            out.push_str(&after[..end + 3]);
        }
    }
    out.push_str(rest);
    out
}

/// Shortcodes that WordPress itself knows, which need no link when they have nothing
/// to show.
const ENCLOSING: &[&str] = &["caption", "wp_caption", "embed", "audio", "video"];

fn shortcodes(text: &str, ctx: &Context, unknown: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('[') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        // `[[gallery]]` is WordPress's way to write a shortcode as text.
        if let Some(escaped) = after.strip_prefix("[[") {
            if let Some(end) = escaped.find("]]") {
                out.push('[');
                out.push_str(&escaped[..end]);
                out.push(']');
                rest = &escaped[end + 2..];
                continue;
            }
        }
        let Some(code) = parse_open(after) else {
            out.push('[');
            rest = &after[1..];
            continue;
        };
        let mut tail = &after[code.len..];
        let close = format!("[/{}]", code.name);
        let inner = match tail.find(&close) {
            Some(stop) if !code.self_closed => {
                let inner = &tail[..stop];
                tail = &tail[stop + close.len()..];
                Some(inner)
            }
            _ => None,
        };
        let known = matches!(code.name.as_str(), "caption" | "wp_caption" | "gallery")
            || ENCLOSING.contains(&code.name.as_str())
            || matches!(code.name.as_str(), "playlist");
        let looks_like_code =
            known || inner.is_some() || !code.attrs.is_empty() || code.name.contains(['-', '_']);
        if !looks_like_code {
            // `[sic]`, `[1]`: text in brackets, not a shortcode.
            out.push('[');
            rest = &after[1..];
            continue;
        }
        rest = tail;
        match code.name.as_str() {
            "caption" | "wp_caption" => out.push_str(&caption(&code, inner.unwrap_or_default())),
            "gallery" => out.push_str(&gallery(&code, ctx)),
            "embed" => {
                let url = inner.unwrap_or_default().trim();
                out.push_str(&link_paragraph(url, url));
            }
            "audio" | "video" | "playlist" => {
                let src = ["src", "mp3", "mp4", "m4a", "ogg", "webm", "wav"]
                    .iter()
                    .find_map(|key| code.attr(key))
                    .map(str::to_string);
                match src {
                    Some(src) => out.push_str(&link_paragraph(&src, &src)),
                    None => {
                        unknown.push(code.name.clone());
                        out.push_str(&link_paragraph(ctx.old_link, &code.raw));
                    }
                }
            }
            _ => {
                unknown.push(code.name.clone());
                out.push_str(&link_paragraph(ctx.old_link, &code.raw));
                if let Some(inner) = inner {
                    out.push_str(&shortcodes(inner, ctx, unknown));
                }
            }
        }
    }
    out.push_str(rest);
    out
}

struct Shortcode {
    name: String,
    attrs: Vec<(String, String)>,
    /// The opening tag as written.
    raw: String,
    len: usize,
    self_closed: bool,
}

impl Shortcode {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// `[name a="1" b='2' c=3 flag]` at the start of `text`.
fn parse_open(text: &str) -> Option<Shortcode> {
    let body = text.strip_prefix('[')?;
    let name_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(body.len());
    if name_len == 0 {
        return None;
    }
    let name = body[..name_len].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut rest = &body[name_len..];
    if !(rest.starts_with(']') || rest.starts_with(char::is_whitespace) || rest.starts_with('/')) {
        return None;
    }
    loop {
        rest = rest.trim_start();
        let closed = rest
            .strip_prefix("/]")
            .map(|after| (after, true))
            .or_else(|| rest.strip_prefix(']').map(|after| (after, false)));
        if let Some((after, self_closed)) = closed {
            let len = text.len() - after.len();
            return Some(Shortcode {
                name,
                attrs,
                raw: text[..len].to_string(),
                len,
                self_closed,
            });
        }
        if rest.is_empty() || rest.starts_with('[') || rest.starts_with('\n') && rest.len() > 2000 {
            return None;
        }
        let key_len = rest
            .find(|c: char| c == '=' || c == ']' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = rest[..key_len].to_ascii_lowercase();
        rest = &rest[key_len..];
        if let Some(value) = rest.strip_prefix('=') {
            let (value, after) = match value.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &value[1..];
                    let end = inner.find(q)?;
                    (&inner[..end], &inner[end + 1..])
                }
                _ => {
                    let end = value
                        .find(|c: char| c == ']' || c.is_whitespace())
                        .unwrap_or(value.len());
                    (&value[..end], &value[end..])
                }
            };
            attrs.push((key, value.to_string()));
            rest = after;
        } else if !key.is_empty() {
            attrs.push((key, String::new()));
        } else {
            return None;
        }
    }
}

/// `[caption]<img …> Text[/caption]` (or `caption="Text"`) as a figure.
fn caption(code: &Shortcode, inner: &str) -> String {
    let inner = inner.trim();
    // The image, alone or inside its link, comes first; the rest is the caption.
    let split = if inner.starts_with("<a") {
        inner.find("</a>").map(|i| i + 4)
    } else if inner.starts_with("<img") {
        inner.find('>').map(|i| i + 1)
    } else {
        None
    };
    let (image, text) = match split {
        Some(at) => (&inner[..at], inner[at..].trim()),
        None => ("", inner),
    };
    let text = if text.is_empty() {
        code.attr("caption").unwrap_or_default()
    } else {
        text
    };
    let image = if image.is_empty() { inner } else { image };
    if text.is_empty() || image == text {
        return format!("\n\n<figure>{image}</figure>\n\n");
    }
    format!("\n\n<figure>{image}<figcaption>{text}</figcaption></figure>\n\n")
}

/// `[gallery ids="4,5"]` (or every image uploaded to the post) as a figure of figures,
/// as the block editor writes a gallery.
fn gallery(code: &Shortcode, ctx: &Context) -> String {
    let ids: Vec<String> = match code.attr("ids").or_else(|| code.attr("include")) {
        Some(ids) => ids
            .split(',')
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty())
            .collect(),
        None => {
            let mut own: Vec<(&String, &Attachment)> = ctx
                .attachments
                .iter()
                .filter(|(_, a)| a.parent == ctx.post_id)
                .collect();
            own.sort_by_key(|(id, _)| id.parse::<u64>().unwrap_or(u64::MAX));
            own.into_iter().map(|(id, _)| id.clone()).collect()
        }
    };
    let mut html = String::from("\n\n<figure>");
    for id in &ids {
        let Some(image) = ctx.attachments.get(id) else {
            continue;
        };
        html.push_str(&format!(
            "<figure><img src=\"{}\" alt=\"{}\">",
            escape(&image.url),
            escape(&image.alt)
        ));
        if !image.caption.is_empty() {
            html.push_str(&format!(
                "<figcaption>{}</figcaption>",
                escape(&image.caption)
            ));
        }
        html.push_str("</figure>");
    }
    html.push_str("</figure>\n\n");
    html
}

fn link_paragraph(href: &str, text: &str) -> String {
    format!(
        "\n\n<p><a href=\"{}\">{}</a></p>\n\n",
        escape(href),
        escape(text)
    )
}

/// Elements that start a block of their own: text around them is not a paragraph.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "blockquote",
    "pre",
    "figure",
    "table",
    "div",
    "hr",
    "address",
    "section",
    "article",
    "aside",
    "form",
    "iframe",
    "!--",
];

/// What WordPress's `wpautop` does to classic-editor text: a blank line ends a
/// paragraph, a single line break is a `<br>`, block elements stay as they are, and
/// `<pre>` is left alone.
fn autop(text: &str) -> String {
    // Keep preformatted text out of the split: its blank lines are its own.
    let mut kept: Vec<String> = Vec::new();
    let mut protected = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("<pre") {
        let Some(end) = rest[at..].find("</pre>").map(|e| at + e + "</pre>".len()) else {
            break;
        };
        protected.push_str(&rest[..at]);
        protected.push_str(&format!("\n\n\u{2}{}\u{2}\n\n", kept.len()));
        kept.push(rest[at..end].to_string());
        rest = &rest[end..];
    }
    protected.push_str(rest);

    let mut html = String::with_capacity(protected.len() + 64);
    for chunk in split_paragraphs(&protected) {
        let chunk = chunk.trim();
        if chunk.is_empty() {
            continue;
        }
        if let Some(index) = chunk
            .strip_prefix('\u{2}')
            .and_then(|c| c.strip_suffix('\u{2}'))
            .and_then(|n| n.parse::<usize>().ok())
        {
            html.push_str(&kept[index]);
        } else if chunk == MORE || starts_block(chunk) {
            html.push_str(chunk);
        } else if is_bare_url(chunk) {
            // WordPress embeds a URL alone on its line (oEmbed): here, a link.
            html.push_str(&link_paragraph(chunk, chunk));
        } else {
            html.push_str("<p>");
            html.push_str(&chunk.replace('\n', "<br>\n"));
            html.push_str("</p>");
        }
        html.push('\n');
    }
    html
}

fn split_paragraphs(text: &str) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'\n' {
                chunks.push(&text[start..i]);
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                start = j;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    chunks.push(&text[start..]);
    chunks
}

fn starts_block(chunk: &str) -> bool {
    let Some(tag) = chunk.strip_prefix('<') else {
        return false;
    };
    let name: String = tag
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '!' || *c == '-')
        .collect::<String>()
        .to_ascii_lowercase();
    BLOCK_TAGS.contains(&name.as_str())
}

fn is_bare_url(chunk: &str) -> bool {
    (chunk.starts_with("https://") || chunk.starts_with("http://"))
        && !chunk.contains(char::is_whitespace)
        && !chunk.contains(['<', '"'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(attachments: &HashMap<String, Attachment>) -> Context<'_> {
        Context {
            attachments,
            post_id: "8",
            old_link: "https://old.example/2019/03/post/",
        }
    }

    fn images() -> HashMap<String, Attachment> {
        let mut map = HashMap::new();
        for (id, name, caption, parent) in [
            ("4", "a", "Cap A", "8"),
            ("5", "b", "", "8"),
            ("6", "c", "", "9"),
        ] {
            map.insert(
                id.to_string(),
                Attachment {
                    url: format!("https://old.example/wp-content/uploads/2019/03/{name}.jpg"),
                    caption: caption.into(),
                    alt: name.to_uppercase(),
                    parent: parent.into(),
                },
            );
        }
        map
    }

    #[test]
    fn classic_text_gets_its_paragraphs_and_breaks() {
        let images = images();
        let out = convert(
            "First line\nsecond line\n\n<h3>Title</h3>\n<ol>\n<li>x</li>\n</ol>\n\n<pre>a\n\n\n b</pre>\n\nhttps://www.youtube.com/watch?v=x\n\nEnd",
            &ctx(&images),
        );
        assert_eq!(
            out.html,
            "<p>First line<br>\nsecond line</p>\n<h3>Title</h3>\n<ol>\n<li>x</li>\n</ol>\n<pre>a\n\n\n b</pre>\n\n<p><a href=\"https://www.youtube.com/watch?v=x\">https://www.youtube.com/watch?v=x</a></p>\n\n<p>End</p>"
        );
        assert_eq!(out.teaser, None);
    }

    #[test]
    fn more_splits_the_teaser_from_the_rest() {
        let images = images();
        let out = convert("Intro text.\n\n<!--more-->\n\nThe rest.", &ctx(&images));
        assert_eq!(out.teaser.as_deref(), Some("<p>Intro text.</p>"));
        assert!(out.html.contains("<p>Intro text.</p>") && out.html.contains("<p>The rest.</p>"));
        assert!(!out.html.contains('\u{1}'));
        let blocks = convert(
            "<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:more -->\n<!--more-->\n<!-- /wp:more -->\n\n<!-- wp:paragraph -->\n<p>Two</p>\n<!-- /wp:paragraph -->",
            &ctx(&images),
        );
        assert_eq!(blocks.teaser.as_deref(), Some("<p>One</p>"));
        assert!(!blocks.html.contains("wp:"), "{}", blocks.html);
    }

    #[test]
    fn captions_galleries_and_unknown_shortcodes() {
        let images = images();
        let out = convert(
            "[caption id=\"attachment_4\" align=\"alignnone\" width=\"300\"]<a href=\"x.jpg\"><img src=\"a-300x200.jpg\" alt=\"A\" /></a> The caption[/caption]\n\n[gallery ids=\"4,5\"]\n\n[contact-form-7 id=\"42\"]\n\n[sic] and [1]\n\n[[gallery]]",
            &ctx(&images),
        );
        assert!(
            out.html.contains("<figure><a href=\"x.jpg\"><img src=\"a-300x200.jpg\" alt=\"A\" /></a><figcaption>The caption</figcaption></figure>"),
            "{}",
            out.html
        );
        assert!(out.html.contains("<figure><figure><img src=\"https://old.example/wp-content/uploads/2019/03/a.jpg\" alt=\"A\"><figcaption>Cap A</figcaption></figure><figure><img src=\"https://old.example/wp-content/uploads/2019/03/b.jpg\" alt=\"B\"></figure></figure>"), "{}", out.html);
        assert!(out.html.contains("<p><a href=\"https://old.example/2019/03/post/\">[contact-form-7 id=&quot;42&quot;]</a></p>"), "{}", out.html);
        assert!(out.html.contains("<p>[sic] and [1]</p>"));
        assert!(out.html.contains("<p>[gallery]</p>"));
        assert_eq!(out.unknown, ["contact-form-7"]);
        // A gallery without ids shows the images uploaded to the post.
        let own = convert("[gallery]", &ctx(&images));
        assert!(
            own.html.contains("a.jpg") && own.html.contains("b.jpg") && !own.html.contains("c.jpg")
        );
    }

    #[test]
    fn embeds_and_dynamic_blocks_become_links() {
        let images = images();
        let out = convert(
            "<!-- wp:embed {\"url\":\"https://www.youtube.com/watch?v=abc\",\"type\":\"video\"} -->\n<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\nhttps://www.youtube.com/watch?v=abc\n</div></figure>\n<!-- /wp:embed -->\n\n<!-- wp:latest-posts {\"postsToShow\":3} /-->",
            &ctx(&images),
        );
        assert!(out.html.contains("<p><a href=\"https://www.youtube.com/watch?v=abc\">https://www.youtube.com/watch?v=abc</a></p>"), "{}", out.html);
        assert!(!out.html.contains("wp-block-embed__wrapper"));
        assert!(out
            .html
            .contains("<p><a href=\"https://old.example/2019/03/post/\">[latest-posts]</a></p>"));
        assert_eq!(out.unknown, ["latest-posts"]);
    }
}
