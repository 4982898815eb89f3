//! The session cookie: any `Cookie:` header is read without a panic, and only a token
//! of the shape we make is taken from it.

use blog::auth::session::{self, COOKIE};
use blog::auth::Token;
use proptest::collection::vec;
use proptest::prelude::*;

fn is_token_shaped(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn token() -> impl Strategy<Value = String> {
    "[0-9a-f]{64}"
}

/// Values near a real token: a letter upper-cased, one too few or too many, a
/// stranger in the middle, quotes, encodings, whatever a client makes up.
fn almost_a_token() -> impl Strategy<Value = String> {
    prop_oneof![
        (token(), any::<prop::sample::Index>()).prop_map(|(t, i)| {
            let i = i.index(t.len());
            format!("{}{}{}", &t[..i], t[i..=i].to_uppercase(), &t[i + 1..])
        }),
        token().prop_map(|t| t[1..].to_string()),
        (token(), "[0-9a-f]").prop_map(|(t, c)| format!("{t}{c}")),
        (token(), "[^0-9a-f;]", any::<prop::sample::Index>()).prop_map(|(t, c, i)| {
            let i = i.index(t.len());
            format!("{}{c}{}", &t[..i], &t[i + 1..])
        }),
        token().prop_map(|t| format!("%{}", &t[1..])),
        "[^;]{0,80}",
        Just(String::new()),
    ]
}

/// Other cookies a browser sends along: never named like ours.
fn other_cookie() -> impl Strategy<Value = String> {
    ("[A-Za-z0-9_.-]{1,12}", "[!#-+\\--:<-\\[\\]-~]{0,24}")
        .prop_filter("not our cookie", |(name, _)| name != COOKIE)
        .prop_map(|(name, value)| format!("{name}={value}"))
}

proptest! {
    #[test]
    fn any_cookie_header_is_read_without_panic(header in prop_oneof![
        any::<String>(),
        vec(prop_oneof![other_cookie(), "[ -~]{0,30}", token().prop_map(|t| format!("{COOKIE}={t}"))], 0..6)
            .prop_map(|parts| parts.join("; ")),
    ]) {
        if let Some(found) = session::from_cookie_header(&header) {
            prop_assert!(is_token_shaped(found.as_str()));
            prop_assert!(header.contains(found.as_str()));
        }
    }

    #[test]
    fn a_value_we_did_not_make_is_never_a_session(
        value in almost_a_token(),
        before in vec(other_cookie(), 0..4),
        after in vec(other_cookie(), 0..4),
    ) {
        let trimmed = value.trim().trim_matches('"').trim();
        prop_assume!(!is_token_shaped(trimmed));
        let header = [before, vec![format!("{COOKIE}={value}")], after].concat().join("; ");
        prop_assert_eq!(session::from_cookie_header(&header), None, "{}", header);
    }

    #[test]
    fn our_token_is_found_among_other_cookies(
        ours in token(),
        before in vec(other_cookie(), 0..4),
        after in vec(other_cookie(), 0..4),
        separator in prop::sample::select(vec!["; ", ";", " ;  "]),
    ) {
        let header = [before, vec![format!("{COOKIE}={ours}")], after].concat().join(separator);
        prop_assert_eq!(session::from_cookie_header(&header), Token::parse(&ours));
    }
}
