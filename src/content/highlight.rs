//! Text with the parts a search found marked, rendered with `<mark>`. The marks are
//! two private-use characters that the search index never holds (`db::search` strips
//! them when it indexes), so they can only be ours; the text between them is escaped
//! like any other string, so indexed text never becomes HTML.

use maud::{html, Markup, Render};

/// Opens a found part (U+E000, private use).
pub const START: char = '\u{E000}';
/// Closes a found part (U+E001, private use).
pub const END: char = '\u{E001}';

/// Characters kept before the first hit in a snippet made by `around_first`.
const LEAD_CHARS: usize = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlighted(String);

impl Highlighted {
    /// Text as SQLite's `highlight()` or `snippet()` gave it, marked with `START`
    /// and `END`.
    pub fn from_marked(marked: String) -> Self {
        Self(marked)
    }

    /// Plain text with every occurrence of every term marked. Letters are compared
    /// case-insensitively in ASCII only, as SQLite's `lower()` does.
    pub fn marking(text: &str, terms: &[String]) -> Self {
        Self(mark(text, &hits(text, terms)))
    }

    /// A window of about `width` characters of `text` starting a little before the
    /// first occurrence of any term (the start of the text when none occurs), with
    /// the terms in it marked and `…` where it was cut.
    pub fn around_first(text: &str, terms: &[String], width: usize) -> Self {
        let first = hits(text, terms).first().map_or(0, |&(start, _)| start);
        let lead = text[..first]
            .char_indices()
            .rev()
            .nth(LEAD_CHARS.saturating_sub(1))
            .map_or(0, |(i, _)| i);
        let end = text[lead..]
            .char_indices()
            .nth(width)
            .map_or(text.len(), |(i, _)| lead + i);
        let window = &text[lead..end];
        let mut out = String::new();
        if lead > 0 {
            out.push('…');
        }
        out.push_str(&mark(window, &hits(window, terms)));
        if end < text.len() {
            out.push('…');
        }
        Self(out)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text in order, each part with whether it was found: `START` opens a found
    /// part and `END` closes it, whatever came before, so a stray mark cannot turn
    /// the rest of the text into one highlight.
    pub fn parts(&self) -> Vec<(&str, bool)> {
        let mut parts = Vec::new();
        let mut found = false;
        let mut from = 0;
        for (i, c) in self.0.char_indices() {
            if c == START || c == END {
                if from < i {
                    parts.push((&self.0[from..i], found));
                }
                found = c == START;
                from = i + c.len_utf8();
            }
        }
        if from < self.0.len() {
            parts.push((&self.0[from..], found));
        }
        parts
    }
}

impl Render for Highlighted {
    fn render(&self) -> Markup {
        html! {
            @for (text, found) in self.parts() {
                @if found { mark { (text) } } @else { (text) }
            }
        }
    }
}

/// Byte ranges of every occurrence of the terms, sorted, overlaps merged.
fn hits(text: &str, terms: &[String]) -> Vec<(usize, usize)> {
    // ASCII lower-casing keeps every byte where it was, so offsets carry over.
    let folded = text.to_ascii_lowercase();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for term in terms.iter().filter(|t| !t.is_empty()) {
        let term = term.to_ascii_lowercase();
        ranges.extend(
            folded
                .match_indices(&term)
                .map(|(i, found)| (i, i + found.len())),
        );
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

fn mark(text: &str, ranges: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() + ranges.len() * 6);
    let mut at = 0;
    for &(start, end) in ranges {
        out.push_str(&text[at..start]);
        out.push(START);
        out.push_str(&text[start..end]);
        out.push(END);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn marks_become_mark_elements_and_the_rest_is_escaped() {
        let h = Highlighted::from_marked(format!("a <b> {START}x&y{END} c"));
        assert_eq!(
            h.render().into_string(),
            "a &lt;b&gt; <mark>x&amp;y</mark> c"
        );
    }

    #[test]
    fn marks_are_never_shown_and_a_stray_end_highlights_nothing() {
        let h = Highlighted::from_marked(format!("a{END} {START}b"));
        assert_eq!(h.render().into_string(), "a <mark>b</mark>");
    }

    #[test]
    fn marking_finds_every_occurrence_ignoring_ascii_case() {
        let h = Highlighted::marking("Go, go 서울에서 서울", &terms(&["go", "서울"]));
        assert_eq!(
            h.render().into_string(),
            "<mark>Go</mark>, <mark>go</mark> <mark>서울</mark>에서 <mark>서울</mark>"
        );
    }

    #[test]
    fn a_snippet_starts_a_little_before_the_first_hit() {
        let text = format!("{} 서울에서 {}", "가".repeat(100), "나".repeat(100));
        let h = Highlighted::around_first(&text, &terms(&["서울"]), 60);
        let shown = h.render().into_string();
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.contains("<mark>서울</mark>에서"), "{shown}");
        assert!(shown.chars().count() < 60 + 20, "{shown}");
        let none = Highlighted::around_first("short text", &terms(&["zz"]), 60);
        assert_eq!(none.render().into_string(), "short text");
    }
}
