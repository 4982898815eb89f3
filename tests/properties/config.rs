//! The config file and `BLOG_*` variables: any text and any values give a config or
//! one line saying what is wrong, never a panic.

use blog::config::Config;
use proptest::collection::vec;
use proptest::prelude::*;

/// Every `(section, key)` the config knows, read from the defaults.
fn known_keys() -> Vec<(String, String)> {
    let defaults = toml::Table::try_from(Config::default()).expect("the defaults serialize");
    defaults
        .iter()
        .flat_map(|(section, keys)| {
            keys.as_table()
                .into_iter()
                .flat_map(|t| t.keys())
                .map(move |key| (section.clone(), key.clone()))
        })
        .collect()
}

fn section() -> impl Strategy<Value = String> {
    let known: Vec<String> = known_keys().into_iter().map(|(s, _)| s).collect();
    prop_oneof![
        4 => prop::sample::select(known),
        1 => "[a-z_]{1,10}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    let known: Vec<String> = known_keys().into_iter().map(|(_, k)| k).collect();
    prop_oneof![
        4 => prop::sample::select(known),
        1 => "[a-z_]{1,14}",
    ]
}

/// TOML values of every type, and strings shaped like what keys expect (durations,
/// addresses, CIDRs, URLs, time zones), right and wrong.
fn value() -> impl Strategy<Value = String> {
    let text = prop_oneof![
        "[0-9]{1,20}[smhd]?",
        "[0-9]{1,3}(\\.[0-9]{1,3}){3}(:[0-9]{1,6})?(/[0-9]{1,3})?",
        "(https?|ftp|javascript)://[a-z.]{0,12}(:[0-9]{1,6})?/?",
        "unix:/[a-z/]{0,12}",
        "\\[[0-9a-f:]{0,20}\\](:[0-9]{1,5})?",
        "(UTC|Asia/Seoul|Europe/Nope|[A-Za-z/_+-]{0,20})",
        "(en|ko|json|text|debug|trace|[a-z]{0,5})",
        any::<String>(),
    ];
    prop_oneof![
        text.clone()
            .prop_map(|s| toml::Value::String(s).to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<f64>().prop_map(|f| toml::Value::Float(f).to_string()),
        vec(text, 0..3).prop_map(|items| {
            toml::Value::Array(items.into_iter().map(toml::Value::String).collect()).to_string()
        }),
        Just("{ a = 1 }".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        Just("\"\"\"\nmulti\nline\"\"\"".to_string()),
        "[ -~]{0,12}",
    ]
}

/// A config file: sections and `key = value` lines, some broken on purpose.
fn config_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        4 => (key(), value()).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => section().prop_map(|s| format!("[{s}]")),
        1 => "[ -~]{0,30}",
        1 => "# [^\n]{0,20}",
        1 => any::<String>(),
    ];
    prop_oneof![
        vec(line, 0..12).prop_map(|lines| lines.join("\n")),
        any::<String>(),
    ]
}

fn env_var() -> impl Strategy<Value = (String, String)> {
    let name = prop_oneof![
        4 => (section(), key()).prop_map(|(s, k)| format!("BLOG_{s}_{k}").to_uppercase()),
        1 => "BLOG_[A-Z_]{0,24}",
        1 => "[A-Z_]{1,10}",
        1 => Just("BLOG_SECRET_KEY".to_string()),
    ];
    let raw = prop_oneof![
        "[ -~]{0,30}",
        "[0-9,/. a-f:]{0,40}",
        any::<String>(),
        Just("true".to_string()),
        Just("-1".to_string()),
        Just("10.0.0.0/8,::1/128".to_string()),
    ];
    (name, raw)
}

/// Config errors are read by people in a terminal or a journal: one line each.
fn is_one_line(message: &str) -> bool {
    !message.is_empty() && !message.contains('\n')
}

proptest! {
    #[test]
    fn any_config_text_parses_or_gives_one_line(text in config_text()) {
        match Config::parse(&text, "blog.toml") {
            Ok(config) => {
                // What was accepted means the same when written out again.
                let written = toml::to_string(&config).expect("a config serializes");
                let again = Config::parse(&written, "written").map_err(|e| e.to_string());
                prop_assert_eq!(again, Ok(config), "{}", written);
            }
            Err(err) => prop_assert!(is_one_line(&err.to_string()), "{:?}", err.to_string()),
        }
    }

    #[test]
    fn any_file_and_environment_load_or_give_one_line(
        text in config_text(),
        env in vec(env_var(), 0..6),
    ) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("blog.toml");
        std::fs::write(&file, &text).expect("write the config file");
        match Config::load(Some(&file), env) {
            Ok(_) => {}
            Err(err) => prop_assert!(is_one_line(&err.to_string()), "{:?}", err.to_string()),
        }
    }

    #[test]
    fn any_environment_alone_loads_or_gives_one_line(env in vec(env_var(), 1..8)) {
        // A file that sets nothing, so a `blog.toml` in the current folder is not read.
        let dir = tempfile::tempdir().expect("a temporary folder");
        let file = dir.path().join("empty.toml");
        std::fs::write(&file, "").expect("write the config file");
        match Config::load(Some(&file), env) {
            Ok(_) => {}
            Err(err) => prop_assert!(is_one_line(&err.to_string()), "{:?}", err.to_string()),
        }
    }
}
