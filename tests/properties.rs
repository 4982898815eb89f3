//! Property tests of every parser that sees user bytes: forms and queries, multipart,
//! slugs, tags, emails, cookies, the config, routes and the HTML sanitizer. Each one
//! never panics on any input, and keeps its promises on generated ones (a slug parses
//! back, sanitizing twice changes nothing, no script survives). `requests` sends
//! generated requests through the real request path, and replays every crash the
//! fuzzer found (`fuzz/regressions/`).
//!
//! 256 cases per property by default; more with `PROPTEST_CASES=5000 cargo test
//! --test properties`.

// A crate root finds its modules beside itself, not in `properties/`: hence `path`.

// The fuzz target's harness, shared so a crash input replays exactly as found. Its
// seed-only helpers are unused here.
#[allow(dead_code)]
#[path = "../fuzz/src/harness.rs"]
mod harness;

#[path = "properties/config.rs"]
mod config;
#[path = "properties/cookies.rs"]
mod cookies;
#[path = "properties/forms.rs"]
mod forms;
#[path = "properties/images.rs"]
mod images;
#[path = "properties/requests.rs"]
mod requests;
#[path = "properties/routes.rs"]
mod routes;
#[path = "properties/sanitizer.rs"]
mod sanitizer;
#[path = "properties/text.rs"]
mod text;
