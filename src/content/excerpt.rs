//! The excerpt shown on lists: the body's text without markup, cut at a word boundary.

use super::SanitizedHtml;

const MAX_CHARS: usize = 200;

/// The first paragraph's text, or the first 200 characters of the body's text.
pub fn excerpt(body: &SanitizedHtml) -> String {
    // Block ends become spaces, so words of two paragraphs do not run together.
    let mut spaced = body.as_str().replace("<br>", " ");
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
    let joined = words.join(" ");
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
    fn strips_markup_and_cuts_long_text() {
        let body = sanitize(
            &format!(
                "<p><b>Fish</b> &amp; chips</p><p>{}</p>",
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
