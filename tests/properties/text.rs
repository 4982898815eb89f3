//! Typed text from users: slugs (from titles and from paths), tags and email addresses.

use blog::content::tag::{MAX_CHARS, MAX_PER_POST};
use blog::content::{Email, Slug, Tag};
use blog::urls;
use blog::web::router::Route;
use http::Method;
use proptest::collection::vec;
use proptest::prelude::*;

/// Characters where case, normalisation and "is it a letter" disagree between
/// scripts and rules: dotted I, final sigma, sharp s, ligatures, symbols that are
/// upper-case without a lower case, combining marks, Hangul jamo, digits of other
/// scripts, spaces of other kinds.
const TRICKY: &[&str] = &[
    "İ",
    "ı",
    "Σ",
    "ς",
    "ß",
    "ẞ",
    "ﬁ",
    "ǅ",
    "Ǆ",
    "ϒ",
    "ϓ",
    "Å",
    "Å",
    "e\u{301}",
    "\u{301}",
    "\u{1100}\u{1161}",
    "한",
    "٣",
    "Ⅻ",
    "ⅻ",
    "①",
    "\u{a0}",
    "\u{2028}",
    "\u{200b}",
    "\u{feff}",
    "\u{0}",
    "\u{7f}",
    "-",
    "--",
    ",",
    " ",
    "\t",
    "/",
    "%",
    "..",
    "😀",
    "Ꙁ",
    "ᾈ",
    "ῼ",
    "ǰ",
];

/// Titles, tags and addresses as people type them, and as attackers do.
fn typed_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\p{L}\\p{M}\\p{N}\\p{P}\\p{Z}\\p{S}]{0,60}",
        vec(
            prop_oneof![
                prop::sample::select(TRICKY).prop_map(str::to_string),
                "[a-zA-Z0-9]{1,5}",
                "[가-힣]{1,3}",
            ],
            0..30
        )
        .prop_map(|parts| parts.concat()),
    ]
}

proptest! {
    #[test]
    fn parsing_a_slug_never_panics(text in typed_text()) {
        let _ = text.parse::<Slug>();
    }

    #[test]
    fn a_slug_made_from_any_title_is_valid_and_parses_back(title in typed_text()) {
        let slug = Slug::from_title(&title);
        prop_assert!(!slug.as_str().is_empty());
        prop_assert!(slug.as_str().chars().count() <= 80, "{}", slug);
        prop_assert!(!slug.as_str().starts_with('-') && !slug.as_str().ends_with('-'), "{}", slug);
        prop_assert_eq!(slug.as_str().parse::<Slug>(), Ok(slug.clone()));
        // Its page answers at the address the site links to.
        prop_assert_eq!(
            Route::parse(&Method::GET, &urls::post(&slug)),
            Some(Route::Post(slug.clone()))
        );
    }

    #[test]
    fn making_a_slug_is_idempotent(title in typed_text()) {
        let slug = Slug::from_title(&title);
        prop_assert_eq!(Slug::from_title(slug.as_str()), slug);
    }

    #[test]
    fn numbered_slugs_stay_valid(title in typed_text(), n in 2u32..100_000) {
        let slug = Slug::from_title(&title).numbered(n);
        prop_assert_eq!(slug.as_str().parse::<Slug>(), Ok(slug.clone()));
    }

    #[test]
    fn a_parsed_slug_is_what_from_title_could_make(text in typed_text()) {
        if let Ok(slug) = text.parse::<Slug>() {
            prop_assert!(!slug.as_str().contains(['/', '.', '%', ' ']), "{}", slug);
            prop_assert_eq!(slug.as_str().to_lowercase(), slug.as_str());
        }
    }

    #[test]
    fn tag_lists_are_trimmed_folded_and_within_limits(
        parts in vec(typed_text(), 0..14),
        separator in prop::sample::select(vec![",", ", ", " ,", ",,"]),
    ) {
        let text = parts.join(separator);
        let Ok(tags) = Tag::parse_list(&text) else {
            return Ok(());
        };
        prop_assert!(tags.len() <= MAX_PER_POST);
        for (i, tag) in tags.iter().enumerate() {
            let name = tag.as_str();
            prop_assert!(!name.is_empty());
            prop_assert_eq!(name.trim(), name);
            prop_assert!(!name.contains("  ") && !name.contains(','), "{:?}", name);
            prop_assert!(!name.chars().any(char::is_control), "{:?}", name);
            prop_assert!(name.chars().count() <= MAX_CHARS, "{:?}", name);
            prop_assert_eq!(name.to_lowercase(), name);
            prop_assert!(!tags[..i].contains(tag), "{:?} twice", name);
            // Read back from the database or a tag page's path, it is the same tag.
            prop_assert_eq!(name.parse::<Tag>(), Ok(tag.clone()));
            prop_assert_eq!(
                Route::parse(&Method::GET, &urls::tag(tag)),
                Some(Route::Tag(tag.clone()))
            );
        }
        // What the edit form shows again gives the same tags.
        prop_assert_eq!(Tag::parse_list(&Tag::join(&tags)), Ok(tags));
    }

    #[test]
    fn emails_are_trimmed_folded_and_parse_again(text in prop_oneof![
        typed_text(),
        "[ \t]{0,2}[a-zA-Z0-9._%+İ-]{1,20}@[a-zA-Z0-9.-]{1,20}[ \t]{0,2}",
    ]) {
        if let Ok(email) = text.parse::<Email>() {
            let address = email.as_str();
            prop_assert_eq!(address.trim(), address);
            prop_assert_eq!(address.to_lowercase(), address);
            prop_assert_eq!(address.matches('@').count(), 1);
            prop_assert!(address.len() <= 254);
            prop_assert!(!address.chars().any(|c| c.is_whitespace() || c.is_control()));
            prop_assert_eq!(address.parse::<Email>(), Ok(email.clone()));
        }
    }

    #[test]
    fn emails_compare_without_case(
        local in "[a-z0-9._+-]{1,20}",
        domain in "[a-z0-9-]{1,20}\\.[a-z]{2,6}",
        flips in vec(any::<bool>(), 48),
    ) {
        let address = format!("{local}@{domain}");
        let shouted: String = address
            .chars()
            .zip(flips.iter().cycle())
            .map(|(c, &up)| if up { c.to_ascii_uppercase() } else { c })
            .collect();
        prop_assert_eq!(shouted.parse::<Email>(), address.parse::<Email>());
    }
}
