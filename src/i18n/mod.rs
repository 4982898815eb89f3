//! The interface's words in each language `[site] language` offers.
//!
//! Each language is one folder, `locales/<code>/`, of TOML files, one per part of
//! the interface (`accounts.toml`, `posts.toml`, ...). A string's key is the file's
//! name and its key inside: `accounts.log_in` is `log_in` in `accounts.toml`. The
//! tests below check that both languages have exactly the same keys, and that every
//! key the code asks for exists.
//!
//! Strings may hold `{name}` placeholders, filled by [`Text::format`]. Text is plain:
//! maud escapes it like any other string.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::LazyLock;

use rust_embed::RustEmbed;

pub use crate::config::Language;
use crate::content::problems::Message;

#[derive(RustEmbed)]
#[folder = "locales/"]
struct Locales;

type Catalog = HashMap<String, String>;

static ENGLISH: LazyLock<Catalog> = LazyLock::new(|| load("en"));
static KOREAN: LazyLock<Catalog> = LazyLock::new(|| load("ko"));

/// One language's strings, cheap to copy into every view.
#[derive(Clone, Copy)]
pub struct Text {
    catalog: &'static Catalog,
    language: Language,
}

impl Text {
    pub fn new(language: Language) -> Self {
        let catalog = match language {
            Language::En => &*ENGLISH,
            Language::Ko => &*KOREAN,
        };
        Self { catalog, language }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// The string under `key`. A missing key shows itself, so a test or a reader
    /// notices it rather than seeing a blank.
    pub fn get<'k>(&self, key: &'k str) -> &'k str
    where
        'static: 'k,
    {
        match self.catalog.get(key) {
            Some(text) => text.as_str(),
            None => key,
        }
    }

    /// The string under `key` with each `{name}` replaced by its value.
    pub fn format(&self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        let mut text = self.get(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), &value.to_string());
        }
        text
    }

    /// A form's problem (see `content::problems`) written out.
    pub fn format_message(&self, message: &Message) -> String {
        let args: Vec<(&str, &dyn Display)> = message
            .args
            .iter()
            .map(|(name, value)| (*name, value as &dyn Display))
            .collect();
        self.format(message.key, &args)
    }

    /// A stored time (Unix milliseconds) as a date in `zone`, written the way this
    /// language writes dates ("November 26, 2026", "2026년 11월 26일").
    pub fn date(&self, millis: i64, zone: &jiff::tz::TimeZone) -> String {
        let Ok(ts) = jiff::Timestamp::from_millisecond(millis) else {
            return String::new();
        };
        let date = ts.to_zoned(zone.clone()).date();
        let month = date.month().to_string();
        let month_name = self.get(MONTHS[(date.month() as usize).saturating_sub(1) % 12]);
        self.format(
            "dates.date",
            &[
                ("year", &date.year()),
                ("month", &month),
                ("month_name", &month_name),
                ("day", &date.day()),
            ],
        )
    }
}

const MONTHS: [&str; 12] = [
    "dates.january",
    "dates.february",
    "dates.march",
    "dates.april",
    "dates.may",
    "dates.june",
    "dates.july",
    "dates.august",
    "dates.september",
    "dates.october",
    "dates.november",
    "dates.december",
];

/// Reads `locales/<code>/*.toml` into one map. The files are part of the binary and
/// the tests parse every one of them, so a broken file cannot reach a release; if
/// one did, its strings would show as their keys rather than stop the server.
fn load(code: &str) -> Catalog {
    let mut catalog = Catalog::new();
    let prefix = format!("{code}/");
    for path in Locales::iter() {
        let Some(file) = path.strip_prefix(&prefix) else {
            continue;
        };
        let Some(part) = file.strip_suffix(".toml") else {
            continue;
        };
        let Some(bytes) = Locales::get(&path) else {
            continue;
        };
        let Ok(table) = std::str::from_utf8(&bytes.data)
            .map_err(|err| err.to_string())
            .and_then(|text| text.parse::<toml::Table>().map_err(|err| err.to_string()))
        else {
            continue;
        };
        for (key, value) in table {
            if let toml::Value::String(text) = value {
                catalog.insert(format!("{part}.{key}"), text);
            }
        }
    }
    catalog
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn files(code: &str) -> BTreeSet<String> {
        Locales::iter()
            .filter_map(|path| path.strip_prefix(&format!("{code}/")).map(str::to_owned))
            .collect()
    }

    #[test]
    fn every_file_parses_and_holds_only_strings() {
        for path in Locales::iter() {
            let bytes = Locales::get(&path).unwrap();
            let table: toml::Table = std::str::from_utf8(&bytes.data)
                .unwrap()
                .parse()
                .unwrap_or_else(|err| panic!("locales/{path}: {err}"));
            for (key, value) in table {
                assert!(value.is_str(), "locales/{path}: {key} is not a string");
            }
        }
    }

    #[test]
    fn both_languages_have_the_same_files_and_keys() {
        assert_eq!(files("en"), files("ko"));
        let english: BTreeSet<_> = ENGLISH.keys().collect();
        let korean: BTreeSet<_> = KOREAN.keys().collect();
        let only_english: Vec<_> = english.difference(&korean).collect();
        let only_korean: Vec<_> = korean.difference(&english).collect();
        assert!(only_english.is_empty(), "missing in ko: {only_english:?}");
        assert!(only_korean.is_empty(), "missing in en: {only_korean:?}");
        for (key, text) in ENGLISH.iter().chain(KOREAN.iter()) {
            assert!(!text.trim().is_empty(), "{key} is empty");
        }
    }

    /// Every `.get("…")` and `.format("…"` with a dotted literal key in `src/` must
    /// name a key that exists (in both languages, by the test above).
    #[test]
    fn every_key_the_code_uses_exists() {
        let mut missing = Vec::new();
        let mut used = 0;
        visit(std::path::Path::new("src"), &mut |text, path| {
            for call in [".get(\"", ".format(\"", "t(\"", "tf(\""] {
                for (at, _) in text.match_indices(call) {
                    let rest = &text[at + call.len()..];
                    let Some(end) = rest.find('"') else { continue };
                    let key = &rest[..end];
                    let is_key = key.contains('.')
                        && key.chars().all(|c| {
                            c.is_ascii_lowercase() || c == '_' || c == '.' || c.is_ascii_digit()
                        });
                    if !is_key {
                        continue;
                    }
                    let part = key.split('.').next().unwrap_or_default();
                    if !files("en").contains(&format!("{part}.toml")) {
                        continue; // not a string key (a file name, a header)
                    }
                    used += 1;
                    if !ENGLISH.contains_key(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        });
        assert!(used > 0, "the scan found no keys at all");
        assert!(
            missing.is_empty(),
            "keys used but not defined: {missing:#?}"
        );
    }

    fn visit(dir: &std::path::Path, f: &mut dyn FnMut(&str, &std::path::Path)) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(&path, f);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                f(&std::fs::read_to_string(&path).unwrap(), &path);
            }
        }
    }

    #[test]
    fn dates_are_written_in_each_languages_style() {
        let utc = jiff::tz::TimeZone::UTC;
        let seoul = jiff::tz::TimeZone::get("Asia/Seoul").unwrap();
        // 2026-11-26T20:00:00Z: still the 26th in UTC, already the 27th in Seoul.
        let millis = 1_795_723_200_000;
        assert_eq!(
            Text::new(Language::En).date(millis, &utc),
            "November 26, 2026"
        );
        assert_eq!(
            Text::new(Language::Ko).date(millis, &seoul),
            "2026년 11월 27일"
        );
    }

    #[test]
    fn placeholders_are_filled_and_missing_keys_show_themselves() {
        let en = Text::new(Language::En);
        assert_eq!(
            en.format("posts.reading_time", &[("minutes", &3)]),
            "3 min read"
        );
        assert_eq!(en.get("no.such_key"), "no.such_key");
    }
}
