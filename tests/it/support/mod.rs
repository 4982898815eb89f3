//! The harness: a `Site` is a temporary blog folder plus the environment every command
//! gets; `TestServer` runs `blog serve` in it (SIGTERM on drop); `Client` is a browser with
//! its own cookie jar that stops at redirects and fills forms by field name. One file per
//! job; this one holds the shared constants and re-exports everything as `support::X`.

mod client;
mod forms;
mod html;
mod paths;
mod server;
mod site;
mod smtp;
mod steps;
mod switches;
pub mod tour;

use std::time::Duration;

pub use client::Client;
pub use forms::{LOGIN_FORM, LOGOUT_FORM, NEW_POST_FORM, SIGNUP_FORM};
pub use html::Page;
// No test names these two types yet, but `support::Form` and `support::Node` were
// paths before the split and stay so.
pub use paths::{encode_path, path_of, percent_decode};
pub use server::{AuditRow, TestServer};
pub use site::{Output, Site};
pub use smtp::{Received, SmtpServer};
pub use switches::{skip_browser_tests, SKIP_BROWSER_TESTS};
#[allow(unused_imports)]
pub use {forms::Form, html::Node};

/// Signing key for every test server, so tests never depend on `secret.key`.
pub const SECRET_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// The password every actor made by the harness signs in with (10+ characters).
pub const PASSWORD: &str = "correct horse battery";

/// How long a command, a server or a request may take before the test fails. Only a
/// failing test waits it out; it is generous because a loaded machine (a build beside
/// the tests) makes ten concurrent image uploads of a debug build take over 30 s.
const PATIENCE: Duration = Duration::from_secs(60);
