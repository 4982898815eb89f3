//! Whole requests through the real request path (hyper's HTTP/1.1 connection and
//! `web::handle`, in memory): generated queries, cookies and form bodies never get a
//! 500, a session token we did not issue signs no one in, and every input the fuzzer
//! found a crash with (`fuzz/regressions/`) is replayed.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use proptest::prelude::*;

use crate::harness::{Harness, POST_SLUG, SESSION};

/// One blog for the whole binary: starting one costs a database and a few requests.
fn harness() -> MutexGuard<'static, Harness> {
    static HARNESS: OnceLock<Mutex<Harness>> = OnceLock::new();
    HARNESS
        .get_or_init(|| Mutex::new(Harness::start().expect("the fuzzing harness starts")))
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

fn get(target: &str, headers: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: fuzz\r\n{headers}\r\n").into_bytes()
}

fn post_form(target: &str, body: &str, headers: &str) -> Vec<u8> {
    format!(
        "POST {target} HTTP/1.1\r\nHost: fuzz\r\n{headers}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Query strings: the parameters pages read, with values that are not what they expect.
fn query() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("page"),
        Just("q"),
        Just("next"),
        Just("sort"),
        Just(""),
    ];
    let value = prop_oneof![
        "[0-9]{0,12}",
        "-?[0-9]{1,3}",
        "(%[0-9A-Fa-f]{2}){0,6}",
        "[a-zA-Z0-9*\"()+ -]{0,16}",
        "[!-~]{0,16}",
    ];
    prop::collection::vec((name, value), 0..4).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(n, v)| format!("{n}={}", v.replace([' ', '#'], "+")))
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn status_of(response: &[u8]) -> Option<u16> {
    let line = response.split(|&b| b == b'\n').next()?;
    std::str::from_utf8(line)
        .ok()?
        .split(' ')
        .nth(1)?
        .parse()
        .ok()
}

#[test]
fn every_fuzzer_crash_stays_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    inputs.retain(|path| path.is_file() && path.file_name().is_some_and(|n| n != "README.md"));
    inputs.sort();
    // A loop over nothing proves nothing: the folder holds the fuzzer's findings.
    assert!(
        !inputs.is_empty(),
        "no input files in {}: the findings of fuzz/run.sh belong there",
        dir.display()
    );
    let harness = harness();
    for path in inputs {
        let input = std::fs::read(&path).expect("a regression input is readable");
        let outcome = harness.run(&input);
        assert!(
            outcome.failure().is_none(),
            "{}: {}",
            path.display(),
            outcome.failure().unwrap_or_default()
        );
    }
}

#[test]
fn the_harness_admin_is_signed_in() {
    // Without this the properties below would prove nothing about signed-in pages.
    let outcome = harness().run(&get(
        "/drafts",
        &format!("Cookie: blog_session={SESSION}\r\n"),
    ));
    assert_eq!(outcome.statuses, [200]);
}

proptest! {
    #![proptest_config(ProptestConfig {
        // Each case is a whole request; fewer keep `cargo test` quick.
        cases: ProptestConfig::default().cases.min(64),
        ..ProptestConfig::default()
    })]

    #[test]
    fn pages_answer_any_query_without_500(
        path in prop::sample::select(vec!["/", "/search", "/tags/rust", "/authors/1", "/accounts/login", "/drafts"]),
        query in query(),
        signed_in in any::<bool>(),
    ) {
        let cookie = if signed_in { format!("Cookie: blog_session={SESSION}\r\n") } else { String::new() };
        let outcome = harness().run(&get(&format!("{path}?{query}"), &cookie));
        prop_assert!(outcome.failure().is_none(), "{:?}", outcome.failure());
        // hyper itself refuses a target with characters a URI cannot hold.
        let refused_by_hyper = outcome.statuses.is_empty() && status_of(&outcome.bytes) == Some(400);
        prop_assert!(outcome.statuses.len() == 1 || refused_by_hyper, "{:?}", outcome);
    }

    #[test]
    fn a_session_token_we_did_not_issue_signs_no_one_in(token in "[0-9a-f]{64}") {
        prop_assume!(token != SESSION);
        let outcome = harness().run(&get("/drafts", &format!("Cookie: blog_session={token}\r\n")));
        prop_assert_eq!(&outcome.statuses, &[303], "{}", String::from_utf8_lossy(&outcome.bytes));
        // Nor is it adopted: the visitor does not get it back as their session.
        let text = String::from_utf8_lossy(&outcome.bytes);
        let echoed = format!("blog_session={token}");
        prop_assert!(!text.contains(&echoed));
    }

    #[test]
    fn forms_with_any_fields_get_no_500(
        target in prop::sample::select(vec![
            "/accounts/login".to_string(),
            "/accounts/signup".to_string(),
            "/posts/new".to_string(),
            format!("/posts/{POST_SLUG}/comments"),
            "/accounts/password".to_string(),
            "/accounts/profile".to_string(),
        ]),
        fields in prop::collection::vec((
            prop::sample::select(vec!["email", "password", "password2", "title", "body", "tags", "name", "display_name", "bio", "next", "new_password"]),
            prop_oneof!["[ -~]{0,30}", any::<String>(), "[가-힣,]{0,10}"],
        ), 0..6),
        with_csrf in any::<bool>(),
    ) {
        let harness = harness();
        let mut pairs: Vec<(String, String)> =
            fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        if with_csrf {
            pairs.push(("csrf_token".into(), harness.csrf_token().expect("a CSRF token")));
        }
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
        let outcome = harness.run(&post_form(&target, &body, &format!("Cookie: blog_session={SESSION}\r\n")));
        prop_assert!(outcome.failure().is_none(), "{:?}", outcome.failure());
        let status = status_of(&outcome.bytes);
        prop_assert!(status.is_some_and(|s| s < 500), "{:?}", status);
    }
}
