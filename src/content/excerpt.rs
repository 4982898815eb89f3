//! The excerpt shown on lists: the body's text without markup, cut at a word boundary.

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

/// Minutes to read the body, at least one.
pub fn reading_minutes(body: &SanitizedHtml) -> usize {
    text_of(body.as_str())
        .split_whitespace()
        .count()
        .div_ceil(WORDS_PER_MINUTE)
        .max(1)
}

/// The text of sanitized HTML, with single spaces between words (also what search
/// indexes).
pub fn text_of(html: &str) -> String {
    // Block ends become spaces, so words of two paragraphs do not run together.
    let mut spaced = html.replace("<br>", " ");
    for tag in [
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
    ] {
        spaced = spaced.replace(&format!("</{tag}>"), &format!("</{tag}> "));
    }
    let text = unescape(&ammonia::Builder::empty().clean(&spaced).to_string());
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ")
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

/// ammonia escapes text as HTML; the excerpt is plain text, escaped again by maud.
fn unescape(text: &str) -> String {
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
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
}
