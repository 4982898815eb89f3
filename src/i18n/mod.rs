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
//!
//! Strings that count things ("1 file", "2 files") are Project Fluent messages in
//! `locales/<code>/<part>.ftl` beside the TOML, under the same kind of key
//! (`admin.bytes` is `bytes` in `admin.ftl`), written out by [`Text::count`]: the
//! number is `$count`, and each language's plural rules pick the form (English has
//! `one` and `other`; Korean one form for every number). A key lives in one of the
//! two kinds of file, never both; the tests check that too.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::LazyLock;

use fluent_bundle::{FluentArgs, FluentResource};
use rust_embed::RustEmbed;

pub use crate::config::Language;
use crate::content::problems::Message;

#[derive(RustEmbed)]
#[folder = "locales/"]
struct Locales;

/// One language's strings: the TOML ones by key, and a Fluent bundle per `.ftl` file.
struct Catalog {
    strings: HashMap<String, String>,
    /// By the file's name (the key's part before the dot).
    counted: HashMap<String, Bundle>,
}

/// The thread-safe bundle: one per file and language, shared by every request.
type Bundle = fluent_bundle::concurrent::FluentBundle<FluentResource>;

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
        match self.catalog.strings.get(key) {
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

    /// The counted string under `key` (a Fluent message, see the module's comment)
    /// for `count` things: `$count` is the number and picks the plural form, each
    /// `args` pair fills a `$name` as text. A missing key shows itself, like in
    /// [`Text::get`]; a missing argument shows as `{$name}`.
    pub fn count(&self, key: &str, count: u64, args: &[(&str, &dyn Display)]) -> String {
        let Some((bundle, pattern)) = key.split_once('.').and_then(|(part, name)| {
            let bundle = self.catalog.counted.get(part)?;
            Some((bundle, bundle.get_message(name)?.value()?))
        }) else {
            return key.to_owned();
        };
        let mut values = FluentArgs::with_capacity(args.len() + 1);
        values.set("count", count);
        for (name, value) in args {
            values.set(*name, value.to_string());
        }
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, Some(&values), &mut errors)
            .into_owned()
    }

    /// A form's problem (see `content::problems`) written out.
    pub fn format_message(&self, message: &Message) -> String {
        let args: Vec<(&str, &dyn Display)> = message
            .args
            .iter()
            .map(|(name, value)| (*name, value as &dyn Display))
            .collect();
        match message.count {
            Some(count) => self.count(message.key, count, &args),
            None => self.format(message.key, &args),
        }
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

/// Reads `locales/<code>/*.toml` into one map and each `locales/<code>/*.ftl` into a
/// bundle. The files are part of the binary and the tests parse every one of them,
/// so a broken file cannot reach a release; if one did, its strings would show as
/// their keys rather than stop the server.
fn load(code: &str) -> Catalog {
    let mut catalog = Catalog {
        strings: HashMap::new(),
        counted: HashMap::new(),
    };
    let prefix = format!("{code}/");
    for path in Locales::iter() {
        let Some(file) = path.strip_prefix(&prefix) else {
            continue;
        };
        let Some(text) =
            Locales::get(&path).and_then(|bytes| String::from_utf8(bytes.data.into_owned()).ok())
        else {
            continue;
        };
        if let Some(part) = file.strip_suffix(".toml") {
            let Ok(table) = text.parse::<toml::Table>() else {
                continue;
            };
            for (key, value) in table {
                if let toml::Value::String(text) = value {
                    catalog.strings.insert(format!("{part}.{key}"), text);
                }
            }
        } else if let Some(part) = file.strip_suffix(".ftl") {
            catalog.counted.insert(part.to_owned(), bundle(code, text));
        }
    }
    catalog
}

/// One `.ftl` file as a bundle of `code`'s plural rules. What does not parse is left
/// out (the tests see to it that nothing is).
fn bundle(code: &str, text: String) -> Bundle {
    let language = code.parse().unwrap_or_default();
    let mut bundle = Bundle::new_concurrent(vec![language]);
    // Fluent wraps each value in Unicode isolation marks by default, for text that
    // mixes writing directions; ours goes into HTML and mail, where the marks are
    // invisible clutter (and break a reader's copy and paste, and our tests' search).
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(text).unwrap_or_else(|(partial, _)| partial);
    // Errors here are messages defined twice in one file: the first one stays.
    let _ = bundle.add_resource(resource);
    bundle
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

    /// The messages of `code`'s `.ftl` files, as keys (`admin.bytes`).
    fn counted_keys(code: &str) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for file in files(code) {
            let Some(part) = file.strip_suffix(".ftl") else {
                continue;
            };
            let bytes = Locales::get(&format!("{code}/{file}")).unwrap();
            let text = std::str::from_utf8(&bytes.data).unwrap();
            let resource = fluent_syntax::parser::parse(text)
                .unwrap_or_else(|(_, errors)| panic!("locales/{code}/{file}: {errors:?}"));
            for entry in resource.body {
                if let fluent_syntax::ast::Entry::Message(message) = entry {
                    assert!(
                        keys.insert(format!("{part}.{}", message.id.name)),
                        "locales/{code}/{file}: {} twice",
                        message.id.name
                    );
                }
            }
        }
        keys
    }

    #[test]
    fn every_file_parses_and_holds_only_strings() {
        for path in Locales::iter().filter(|path| path.ends_with(".toml")) {
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
        let mut english: BTreeSet<_> = ENGLISH.strings.keys().cloned().collect();
        let mut korean: BTreeSet<_> = KOREAN.strings.keys().cloned().collect();
        for (keys, code) in [(&mut english, "en"), (&mut korean, "ko")] {
            for key in counted_keys(code) {
                assert!(
                    keys.insert(key.clone()),
                    "{key} is in both a .toml and a .ftl"
                );
            }
        }
        let only_english: Vec<_> = english.difference(&korean).collect();
        let only_korean: Vec<_> = korean.difference(&english).collect();
        assert!(only_english.is_empty(), "missing in ko: {only_english:?}");
        assert!(only_korean.is_empty(), "missing in en: {only_korean:?}");
        for (key, text) in ENGLISH.strings.iter().chain(KOREAN.strings.iter()) {
            assert!(!text.trim().is_empty(), "{key} is empty");
        }
    }

    /// Each counted message, in both languages, for none, one and many: every
    /// variable it names is given (so a typo in a `$name` fails here), Fluent reports
    /// no error, and the number shows (but for one, which words may say).
    #[test]
    fn every_counted_message_formats_cleanly_for_any_count() {
        let mut checked = 0;
        for (code, catalog) in [("en", &*ENGLISH), ("ko", &*KOREAN)] {
            for key in counted_keys(code) {
                let (part, name) = key.split_once('.').unwrap();
                let bundle = &catalog.counted[part];
                let source =
                    std::str::from_utf8(&Locales::get(&format!("{code}/{part}.ftl")).unwrap().data)
                        .unwrap()
                        .to_owned();
                let pattern = bundle.get_message(name).unwrap().value().unwrap();
                for count in [0_u64, 1, 2, 5, 21, 1000] {
                    let mut args = FluentArgs::new();
                    args.set("count", count);
                    // Every other `$name` of the file, as text.
                    for variable in source.split('$').skip(1) {
                        let variable: String = variable
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        if variable != "count" {
                            args.set(variable, "X");
                        }
                    }
                    let mut errors = Vec::new();
                    let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                    assert!(errors.is_empty(), "{code} {key} ({count}): {errors:?}");
                    // "the invitation" may stand for one; many are always counted.
                    assert!(
                        count == 1 || text.contains(&count.to_string()),
                        "{code} {key} ({count}): {text}"
                    );
                    assert!(!text.contains('\u{2068}'), "{code} {key}: isolation marks");
                    checked += 1;
                }
            }
        }
        assert!(checked > 0, "no counted message at all");
    }

    #[test]
    fn counted_strings_take_each_languages_plural_forms() {
        let en = Text::new(Language::En);
        let ko = Text::new(Language::Ko);
        let size: &dyn Display = &"22 bytes";
        assert_eq!(
            en.count("admin.files_and_bytes", 1, &[("size", size)]),
            "1 file, 22 bytes"
        );
        assert_eq!(
            en.count("admin.files_and_bytes", 2, &[("size", size)]),
            "2 files, 22 bytes"
        );
        assert_eq!(
            en.count("admin.files_and_bytes", 0, &[("size", size)]),
            "0 files, 22 bytes"
        );
        assert_eq!(en.count("admin.bytes", 1, &[]), "1 byte");
        assert_eq!(en.count("admin.bytes", 1024, &[]), "1024 bytes");
        assert_eq!(en.count("search.results", 1, &[]), "1 post found.");
        assert_eq!(en.count("search.results", 11, &[]), "11 posts found.");
        assert_eq!(
            en.count("accounts.recovery_codes_left", 1, &[]),
            "1 recovery code left."
        );
        // Korean counts with a counter word and has one form for every number.
        let size: &dyn Display = &"22바이트";
        assert_eq!(
            ko.count("admin.files_and_bytes", 1, &[("size", size)]),
            "파일 1개, 22바이트"
        );
        assert_eq!(
            ko.count("admin.files_and_bytes", 2, &[("size", size)]),
            "파일 2개, 22바이트"
        );
        assert_eq!(ko.count("admin.bytes", 1, &[]), "1바이트");
        assert_eq!(ko.count("search.results", 1, &[]), "글 1개를 찾았습니다.");
        assert_eq!(ko.count("no.such_key", 1, &[]), "no.such_key");
    }

    /// Every `.get("…")`, `.format("…"`, `.count("…"` and `Message::from("…")` with a
    /// dotted literal key in `src/` must name a key that exists, in the `.ftl` files
    /// when it is counted and in the TOML when not (in both languages, by the test
    /// above).
    #[test]
    fn every_key_the_code_uses_exists() {
        let mut missing = Vec::new();
        let mut used = 0;
        visit(std::path::Path::new("src"), &mut |text, path| {
            for call in [
                ".get(\"",
                ".format(\"",
                "t(\"",
                "tf(\"",
                "count(\"",
                "tc(\"",
                "Message::from(\"",
            ] {
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
                    // `t("` also ends `count("`; a problem's message is counted when
                    // its chain of calls (up to the end of its expression) says so.
                    let is_counted = match call {
                        "Message::from(\"" => {
                            let chain = rest.find([';', '{']).map_or(rest, |end| &rest[..end]);
                            let chain = chain.find(",\n").map_or(chain, |end| &chain[..end]);
                            chain.contains(".counting(")
                        }
                        _ => {
                            call.contains("count")
                                || call.starts_with("tc")
                                || text[..at].ends_with("coun")
                        }
                    };
                    let file = format!("{part}.{}", if is_counted { "ftl" } else { "toml" });
                    if !files("en").contains(&file) {
                        continue; // not a string key (a file name, a header)
                    }
                    used += 1;
                    let defined = if is_counted {
                        counted_keys("en").contains(key)
                    } else {
                        ENGLISH.strings.contains_key(key)
                    };
                    if !defined {
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
        assert_eq!(en.format("posts.by", &[("name", &"Kim")]), "by Kim");
        assert_eq!(en.get("no.such_key"), "no.such_key");
    }
}
