//! Tags from the post form's comma-separated `tags` field: trimmed, lower-cased with
//! Unicode rules (so `Rust` and `RUST` are one tag, and `한국어` stays as typed),
//! NFC-normalised, empty ones dropped, duplicates merged. Parsing stops at the first
//! tag too many or too long, so a megabyte-long field costs one quick pass.

use std::fmt;
use std::str::FromStr;

use unicode_normalization::UnicodeNormalization;

/// Long enough for a phrase, short enough for a link.
pub const MAX_CHARS: usize = 40;
/// More than this per post is noise, not navigation.
pub const MAX_PER_POST: usize = 10;

/// Bytes of one tag as typed, before spaces are merged and accents composed: far more
/// than `MAX_CHARS` characters of any script ever take, so only junk is cut short here,
/// before normalising it costs anything.
const MAX_TYPED_BYTES: usize = MAX_CHARS * 16;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTags {
    #[error("Keep each tag to {MAX_CHARS} characters or fewer.")]
    TooLong,
    #[error("Use at most {MAX_PER_POST} tags.")]
    TooMany,
    #[error("A tag cannot be only dots: add a letter or a digit.")]
    OnlyDots,
}

impl InvalidTags {
    pub fn message(&self) -> crate::content::problems::Message {
        use crate::content::problems::Message;
        match self {
            Self::TooLong => Message::from("problems.tag_too_long").counting(MAX_CHARS),
            Self::TooMany => Message::from("problems.too_many_tags").counting(MAX_PER_POST),
            Self::OnlyDots => "problems.tag_only_dots".into(),
        }
    }
}

impl Tag {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Every tag of a comma-separated list, in the order first typed.
    pub fn parse_list(text: &str) -> Result<Vec<Tag>, InvalidTags> {
        let mut tags: Vec<Tag> = Vec::new();
        for part in text.split(',') {
            let tag = match part.parse::<Tag>() {
                Ok(tag) => tag,
                Err(InvalidTag::Empty) => continue,
                Err(InvalidTag::TooLong) => return Err(InvalidTags::TooLong),
                Err(InvalidTag::OnlyDots) => return Err(InvalidTags::OnlyDots),
            };
            // At most `MAX_PER_POST` to compare with, so this stays cheap.
            if !tags.contains(&tag) {
                if tags.len() == MAX_PER_POST {
                    return Err(InvalidTags::TooMany);
                }
                tags.push(tag);
            }
        }
        Ok(tags)
    }

    /// The list as the form shows it again.
    pub fn join(tags: &[Tag]) -> String {
        tags.iter().map(Tag::as_str).collect::<Vec<_>>().join(", ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTag {
    #[error("empty tag")]
    Empty,
    #[error("tag too long")]
    TooLong,
    /// `.` or `..`: a browser reads `/tags/..` as the parent folder, never as the tag.
    #[error("tag of dots only")]
    OnlyDots,
}

impl FromStr for Tag {
    type Err = InvalidTag;
    /// One tag, as typed or as a percent-decoded path segment. Inner runs of white
    /// space become one space, so `a  b` and `a b` are one tag.
    fn from_str(s: &str) -> Result<Self, InvalidTag> {
        if s.len() > MAX_TYPED_BYTES {
            return Err(InvalidTag::TooLong);
        }
        if s.trim().is_empty() {
            return Err(InvalidTag::Empty);
        }
        // Lower-casing can undo NFC ("ῼ\u{301}" becomes "ώ\u{345}"), so normalise
        // again: the tag read back from a page's path must be the same tag.
        let folded: String = s.nfc().flat_map(char::to_lowercase).nfc().collect();
        let text = folded.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() || text.chars().any(char::is_control) {
            Err(InvalidTag::Empty)
        } else if text.chars().count() > MAX_CHARS {
            Err(InvalidTag::TooLong)
        } else if text.chars().all(|c| c == '.') {
            Err(InvalidTag::OnlyDots)
        } else {
            Ok(Self(text))
        }
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl maud::Render for Tag {
    fn render_to(&self, buffer: &mut String) {
        self.0.render_to(buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        Tag::parse_list(text)
            .unwrap()
            .into_iter()
            .map(|t| t.0)
            .collect()
    }

    #[test]
    fn trims_folds_case_and_merges_duplicates() {
        assert_eq!(
            names("  Rust , rust,RUST,, Web  Dev ,"),
            vec!["rust", "web dev"]
        );
    }

    #[test]
    fn keeps_korean_and_other_scripts() {
        assert_eq!(names("한국어, Ελληνικά"), vec!["한국어", "ελληνικά"]);
    }

    #[test]
    fn empty_input_gives_no_tags() {
        assert!(names(" , ,").is_empty());
    }

    #[test]
    fn refuses_long_tags_and_too_many() {
        let long = "가".repeat(MAX_CHARS + 1);
        assert_eq!(Tag::parse_list(&long), Err(InvalidTags::TooLong));
        let many: Vec<String> = (0..=MAX_PER_POST).map(|n| format!("t{n}")).collect();
        assert_eq!(Tag::parse_list(&many.join(",")), Err(InvalidTags::TooMany));
        assert!(Tag::parse_list(&"가".repeat(MAX_CHARS)).is_ok());
    }

    #[test]
    fn a_huge_field_is_refused_after_the_first_tag_too_many() {
        let many: Vec<String> = (0..100_000).map(|n| format!("t{n}")).collect();
        assert_eq!(Tag::parse_list(&many.join(",")), Err(InvalidTags::TooMany));
        assert_eq!(
            Tag::parse_list(&"x".repeat(5_000_000)),
            Err(InvalidTags::TooLong)
        );
        // Repeats of one tag are one tag, however many.
        assert_eq!(names(&"rust,".repeat(100_000)), vec!["rust"]);
        assert!(names(&",".repeat(1_000_000)).is_empty());
    }

    #[test]
    fn tags_of_dots_only_are_refused() {
        for field in [".", "..", "rust, ..", " ... ", "．．"] {
            let parsed = Tag::parse_list(field);
            if field == "．．" {
                // Full-width dots are letters to a browser: `/tags/．．` stays itself.
                assert!(parsed.is_ok(), "{field}");
            } else {
                assert_eq!(parsed, Err(InvalidTags::OnlyDots), "{field}");
            }
        }
        assert!(".".parse::<Tag>().is_err());
        assert_eq!(names("v1.0, .net"), vec!["v1.0", ".net"]);
    }

    #[test]
    fn a_path_segment_parses_to_the_same_tag() {
        assert_eq!("Rust".parse::<Tag>().unwrap(), "rust".parse().unwrap());
        assert!("".parse::<Tag>().is_err());
    }

    #[test]
    fn a_tag_reads_back_as_itself_when_lower_casing_undoes_nfc() {
        let tag: Tag = "ῼ\u{301}".parse().unwrap();
        assert_eq!(tag.as_str().parse::<Tag>(), Ok(tag.clone()));
    }
}
