//! The one switch that skips tests on a developer's machine: `SKIP_BROWSER_TESTS=1`
//! skips the browser tests; under CI it fails them instead, so CI never passes by skipping.

/// The variable a developer sets to `1` to skip the browser tests locally. Not a
/// `BLOG_*` name: `blog` refuses unknown `BLOG_*` variables, and some tests start it
/// with the developer's environment.
pub const SKIP_BROWSER_TESTS: &str = "SKIP_BROWSER_TESTS";

/// Whether to skip the browser tests: `true` only for `SKIP_BROWSER_TESTS=1` outside CI.
/// Fails the test when the switch is set under CI, or set to something other than `1`
/// or `0`, so a typo neither skips nor runs by surprise.
#[track_caller]
pub fn skip_browser_tests() -> bool {
    let switch = std::env::var(SKIP_BROWSER_TESTS).ok();
    let ci = std::env::var("CI").ok();
    match decide(switch.as_deref(), ci.as_deref()) {
        Ok(skip) => skip,
        Err(refusal) => panic!("{refusal}"),
    }
}

/// The rule, apart from the environment: `switch` is `SKIP_BROWSER_TESTS`, `ci` is `CI`.
fn decide(switch: Option<&str>, ci: Option<&str>) -> Result<bool, String> {
    let skip = match switch.map(str::trim) {
        None | Some("" | "0") => false,
        Some("1") => true,
        Some(other) => {
            return Err(format!(
                "{SKIP_BROWSER_TESTS}={other:?}: set it to 1 to skip the browser tests, or unset it"
            ))
        }
    };
    // Any CI value but an explicit "no" counts: GitHub and GitLab set `true`, others `1`.
    let on_ci = ci.is_some_and(|ci| !matches!(ci.trim(), "" | "0" | "false"));
    if skip && on_ci {
        return Err(format!(
            "{SKIP_BROWSER_TESTS}=1 is refused under CI={:?}: CI runs the browser tests; unset it",
            ci.unwrap_or_default()
        ));
    }
    Ok(skip)
}

#[test]
fn browser_tests_run_unless_the_switch_is_1() {
    assert_eq!(decide(None, None), Ok(false));
    assert_eq!(decide(Some(""), None), Ok(false));
    assert_eq!(decide(Some("0"), None), Ok(false));
    assert_eq!(decide(Some("1"), None), Ok(true));
    assert_eq!(decide(Some("1"), Some("false")), Ok(true));
}

#[test]
fn the_switch_is_refused_under_ci() {
    for ci in ["true", "1", "yes"] {
        let refusal = decide(Some("1"), Some(ci)).expect_err("CI never skips");
        assert!(refusal.contains("refused under CI"), "{refusal}");
    }
    assert_eq!(decide(None, Some("true")), Ok(false));
    assert_eq!(decide(Some("0"), Some("true")), Ok(false));
}

#[test]
fn a_switch_that_is_not_1_or_0_fails_instead_of_guessing() {
    for value in ["yes", "true", "2"] {
        let refusal = decide(Some(value), None).expect_err("only 1 skips");
        assert!(refusal.contains("set it to 1"), "{refusal}");
    }
}
