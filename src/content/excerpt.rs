//! The excerpt shown on lists: the body's text without markup, cut at a word boundary.

use super::html::tag_end;
use super::SanitizedHtml;

const MAX_CHARS: usize = 200;

/// Words read in a minute: a common figure for reading on a screen, in English and in
/// Korean (which also puts spaces between words).
const WORDS_PER_MINUTE: usize = 200;

/// The first paragraph's text, cut to 200 characters; the start of the body's text
/// when it has no paragraph with text.
pub fn excerpt(body: &SanitizedHtml) -> String {
    let html = body.as_str();
    let first_paragraph = html
        .find("<p")
        .and_then(|start| {
            html[start..]
                .find("</p>")
                .map(|end| &html[start..start + end + 4])
        })
        .map(text_of)
        .filter(|text| !text.is_empty());
    cut(first_paragraph.unwrap_or_else(|| text_of(html)))
}

/// The excerpt of a teaser the author chose (the text before WordPress's
/// `<!--more-->`): all of its text, cut to the same length.
pub fn teaser(teaser: &SanitizedHtml) -> String {
    cut(text_of(teaser.as_str()))
}

/// Minutes to read the body, at least one.
pub fn reading_minutes(body: &SanitizedHtml) -> usize {
    text_of(body.as_str())
        .split_whitespace()
        .count()
        .div_ceil(WORDS_PER_MINUTE)
        .max(1)
}

/// The text of sanitized HTML, with single spaces between words (also what search
/// indexes). One pass over the bytes, without a parser: this runs for every post on a
/// list page and inside the writing transaction (the search index's trigger), so it
/// must cost no more than the body's length. It reads the sanitizer's output exactly:
/// there a `<` in text is always `&lt;` and attribute values are double-quoted.
pub fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len() / 2);
    let mut at = 0;
    while let Some(offset) = html[at..].find('<') {
        let start = at + offset;
        push_text(&mut text, &html[at..start]);
        let end = tag_end(html, start);
        // Block ends become spaces, so words of two paragraphs do not run together.
        if separates_words(&html[start..end]) {
            text.push(' ');
        }
        at = end;
    }
    push_text(&mut text, &html[at..]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `<br>`, and the end of a block: `</p>`, `</li>`, `</td>` and the like.
fn separates_words(tag: &str) -> bool {
    const BLOCKS: &[&str] = &[
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "blockquote",
        "pre",
        "div",
        "td",
        "th",
    ];
    let name = |rest: &str| -> String {
        rest.split(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    match tag.strip_prefix("</") {
        Some(rest) => BLOCKS.contains(&name(rest).as_str()),
        None => tag.len() > 1 && name(&tag[1..]) == "br",
    }
}

/// Text between tags with its character references decoded: the ones the sanitizer
/// writes (`&amp;`, `&lt;`, `&gt;`, `&nbsp;`), quotes, and numeric ones. Anything else
/// stays as written.
fn push_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after
            .find(';')
            .filter(|&semi| semi <= 10)
            .and_then(|semi| Some((decode_reference(&after[..semi])?, semi)));
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

fn decode_reference(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// At most 200 characters, cut at a word boundary with an ellipsis.
fn cut(joined: String) -> String {
    if joined.chars().count() <= MAX_CHARS {
        return joined;
    }
    let mut cut: String = joined.chars().take(MAX_CHARS).collect();
    if let Some(space) = cut.rfind(' ') {
        cut.truncate(space);
    }
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::html::sanitize;

    #[test]
    fn is_the_first_paragraph_without_the_heading_before_it() {
        let body = sanitize(
            "<h2>Notes</h2><p>First <b>part</b>.</p><p>Second part.</p>",
            "http://x",
        );
        assert_eq!(excerpt(&body), "First part.");
        let no_paragraph = sanitize("<h2>Only a heading</h2>", "http://x");
        assert_eq!(excerpt(&no_paragraph), "Only a heading");
    }

    #[test]
    fn reading_time_is_words_over_two_hundred_rounded_up() {
        let short = sanitize("<p>three words here</p>", "http://x");
        assert_eq!(reading_minutes(&short), 1);
        let long = sanitize(&format!("<p>{}</p>", "word ".repeat(401)), "http://x");
        assert_eq!(reading_minutes(&long), 3);
    }

    #[test]
    fn strips_markup_and_cuts_long_text() {
        let body = sanitize(
            &format!(
                "<p><b>Fish</b> &amp; chips {}</p><p>More.</p>",
                "word ".repeat(100)
            ),
            "http://x",
        );
        let text = excerpt(&body);
        assert!(text.starts_with("Fish & chips word"), "{text}");
        assert!(text.chars().count() <= MAX_CHARS + 1);
        assert!(text.ends_with('…'));
    }

    #[test]
    fn text_keeps_words_apart_and_decodes_references() {
        let body = sanitize(
            r#"<h2>A&amp;B</h2><p>one<br>two</p><ul><li>x &lt;y&gt;</li><li>z&nbsp;w</li></ul><p title="a > b">q</p>"#,
            "http://x",
        );
        assert_eq!(text_of(body.as_str()), "A&B one two x <y> z w q");
        assert_eq!(text_of("a &bogus; &#39;b&#x27; & c"), "a &bogus; 'b' & c");
    }

    #[test]
    fn reading_time_of_a_huge_body_is_quick() {
        // Linear: a large body costs one pass, not a parse.
        let body = sanitize(&"<div><p>word word</p></div>".repeat(4_000), "http://x");
        assert_eq!(reading_minutes(&body), 40);
    }
}
