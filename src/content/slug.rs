//! Slugs come from titles and keep Unicode letters, so a Korean title gives a Korean
//! slug. A post keeps its first slug for life: links never break.

use std::fmt;
use std::str::FromStr;

use unicode_normalization::UnicodeNormalization;

/// Long enough to read, short enough for an address bar.
const MAX_CHARS: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a slug")]
pub struct InvalidSlug;

impl Slug {
    /// Lower-cased letters and digits of the title (NFC, so a title typed on macOS
    /// gives the same slug), other runs of characters become one `-`.
    pub fn from_title(title: &str) -> Self {
        let mut slug = String::new();
        let mut pending_dash = false;
        for c in title.nfc().flat_map(char::to_lowercase) {
            if c.is_alphanumeric() {
                if pending_dash && !slug.is_empty() {
                    slug.push('-');
                }
                pending_dash = false;
                slug.push(c);
            } else {
                pending_dash = true;
            }
            if slug.chars().count() >= MAX_CHARS {
                break;
            }
        }
        if slug.is_empty() {
            slug.push_str("post");
        }
        // Lower-casing can undo NFC (`ῼ\u{301}` gives `ώ` and a combining mark), and
        // `from_str` normalises: without this the slug would not parse back to itself.
        if slug.is_ascii() {
            Self(slug)
        } else {
            Self(slug.nfc().collect())
        }
    }

    /// The `n`th candidate when the plain slug is taken: `hello-2`, `hello-3`, ...
    pub fn numbered(&self, n: u32) -> Self {
        Self(format!("{}-{n}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Slug {
    type Err = InvalidSlug;
    /// Accepts what `from_title` makes (a percent-decoded path segment).
    fn from_str(s: &str) -> Result<Self, InvalidSlug> {
        // "Lower case" as `from_title` makes it: what lower-casing leaves alone. Some
        // upper-case letters have no lower case (`ϒ`, `𝒮`) and stay in a slug; refusing
        // them would make their posts unreachable.
        let valid = !s.is_empty()
            && s.chars().count() <= MAX_CHARS + 12
            && s.chars().all(|c| {
                c == '-' || (c.is_alphanumeric() && c.to_lowercase().eq(std::iter::once(c)))
            });
        if valid && s.is_ascii() {
            Ok(Self(s.to_string()))
        } else if valid {
            Ok(Self(s.nfc().collect()))
        } else {
            Err(InvalidSlug)
        }
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_korean_letters() {
        assert_eq!(Slug::from_title("안녕 세계!").as_str(), "안녕-세계");
    }

    #[test]
    fn folds_case_and_punctuation() {
        assert_eq!(
            Slug::from_title("  Hello, World -- Again ").as_str(),
            "hello-world-again"
        );
        assert_eq!(Slug::from_title("!!!").as_str(), "post");
    }

    #[test]
    fn is_at_most_eighty_characters() {
        let long = "가".repeat(300);
        assert_eq!(Slug::from_title(&long).as_str().chars().count(), 80);
    }

    #[test]
    fn parses_what_it_makes_and_refuses_paths() {
        let slug = Slug::from_title("안녕 세계");
        assert_eq!(slug.as_str().parse::<Slug>().unwrap(), slug);
        for bad in ["", "../etc", "a/b", "Hello", "a b"] {
            assert!(bad.parse::<Slug>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn odd_letters_parse_back() {
        for title in ["ϒ", "𝒮 note", "ῼ\u{301}"] {
            let slug = Slug::from_title(title);
            assert_eq!(slug.as_str().parse::<Slug>(), Ok(slug.clone()), "{title:?}");
        }
    }
}
