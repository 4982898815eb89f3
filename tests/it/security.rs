//! Accounts worth trusting (issue 20): sessions an account sees and ends, admins and
//! `blog users logout` ending an account's sessions, a password change ending the
//! others; TOTP codes and recovery codes; `require_second_factor`. Every ending takes
//! effect on the very next request of the browser it ended.

use crate::support::{Client, Page, TestServer, PASSWORD};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/// A browser with this User-Agent, coming through the (trusted) proxy from `address`,
/// signed in as `email`.
fn browser(server: &TestServer, agent: &str, address: &str, email: &str) -> Client {
    let client = server
        .anonymous()
        .with_user_agent(agent)
        .via_proxy_from(address);
    client.sign_in(email, PASSWORD);
    client
}

/// The profile's rows of sessions: (device, address, is this browser).
fn sessions(profile: &Page) -> Vec<(String, String, bool)> {
    profile
        .select("#sessions tr.session")
        .iter()
        .map(|row| {
            let html = &row.inner_html;
            (
                between(html, "<td class=\"device\">", "</td>"),
                between(html, "<td class=\"address\">", "</td>"),
                html.contains("class=\"current\""),
            )
        })
        .collect()
}

fn between(text: &str, start: &str, end: &str) -> String {
    text.split_once(start)
        .and_then(|(_, rest)| rest.split_once(end))
        .map(|(inside, _)| inside.trim().to_string())
        .unwrap_or_default()
}

#[test]
fn the_profile_lists_sessions_and_ends_one_or_all_others() {
    let server = TestServer::start();
    server.create_user("me@blog.example", "author");
    let laptop = browser(&server, FIREFOX, "203.0.113.7", "me@blog.example");
    let phone = browser(&server, IPHONE, "198.51.100.20", "me@blog.example");
    let tablet = browser(&server, IPHONE, "198.51.100.21", "me@blog.example");

    let profile = laptop.get("/accounts/profile").assert_status(200);
    let rows = sessions(&profile);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows.contains(&("Firefox on Linux".into(), "203.0.113.7".into(), true)),
        "{rows:?}"
    );
    assert!(
        rows.contains(&("Safari on iPhone".into(), "198.51.100.20".into(), false)),
        "{rows:?}"
    );

    // End the phone's session from the laptop: its next request is a visitor's.
    let phone_row = profile
        .select("#sessions tr.session")
        .into_iter()
        .find(|row| row.inner_html.contains("198.51.100.20"))
        .expect("the phone's row");
    let key = phone_row.attr("data-key").expect("a key").to_string();
    profile
        .form(&format!("form[action=\"/accounts/sessions/{key}/end\"]"))
        .submit()
        .assert_status(303);
    assert!(!phone.is_signed_in(), "the phone was signed out at once");
    assert!(tablet.is_signed_in() && laptop.is_signed_in());

    // Someone else's key does nothing to them.
    let other = browser(&server, FIREFOX, "192.0.2.1", "me@blog.example");
    let stranger = server.reader("stranger@blog.example");
    let other_key = sessions_keys(&laptop.get("/accounts/profile"))
        .into_iter()
        .find(|k| !k.1)
        .map(|k| k.0)
        .unwrap();
    let token = stranger.csrf_token();
    stranger
        .post(
            &format!("/accounts/sessions/{other_key}/end"),
            &[("csrf_token", &token)],
        )
        .assert_status(404);
    assert!(other.is_signed_in());

    // End all the others: the laptop stays.
    laptop
        .get("/accounts/profile")
        .form("form[action=\"/accounts/sessions/end-others\"]")
        .submit()
        .assert_status(303);
    assert!(!tablet.is_signed_in() && !other.is_signed_in());
    assert!(laptop.is_signed_in());
    let rows = sessions(&laptop.get("/accounts/profile"));
    assert_eq!(rows.len(), 1, "{rows:?}");

    let actions: Vec<String> = server
        .audit_rows()
        .into_iter()
        .filter(|r| r.target == "me@blog.example")
        .map(|r| format!("{} {}", r.action, r.detail))
        .collect();
    assert!(
        actions
            .iter()
            .any(|a| a.starts_with("account.login password, from 203.0.113.7")),
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .any(|a| a.starts_with("account.sessions_ended 2 sessions")),
        "{actions:?}"
    );
}

fn sessions_keys(profile: &Page) -> Vec<(String, bool)> {
    profile
        .select("#sessions tr.session")
        .iter()
        .map(|row| {
            (
                row.attr("data-key").unwrap_or_default().to_string(),
                row.inner_html.contains("class=\"current\""),
            )
        })
        .collect()
}

#[test]
fn a_password_change_ends_the_other_sessions() {
    let server = TestServer::start();
    server.create_user("me@blog.example", "reader");
    let here = browser(&server, FIREFOX, "203.0.113.7", "me@blog.example");
    let there = browser(&server, IPHONE, "198.51.100.20", "me@blog.example");
    here.get("/accounts/password")
        .form("form[action=\"/accounts/password\"]")
        .fill("old_password", PASSWORD)
        .fill("new_password", "a new and long password")
        .fill("new_password2", "a new and long password")
        .submit()
        .assert_status(303);
    assert!(here.is_signed_in());
    assert!(!there.is_signed_in(), "the other browser was signed out");
    let actions: Vec<String> = server.audit_rows().into_iter().map(|r| r.action).collect();
    assert!(
        actions.contains(&"account.password_changed".to_string()),
        "{actions:?}"
    );
}

#[test]
fn admins_end_every_session_of_an_account_from_the_page_and_the_cli() {
    let server = TestServer::start();
    let admin = server.admin();
    server.create_user("author@blog.example", "author");
    let one = browser(&server, FIREFOX, "203.0.113.7", "author@blog.example");
    let two = browser(&server, IPHONE, "198.51.100.20", "author@blog.example");

    let users = admin.get("/admin/users").assert_status(200);
    let row = users
        .select("tr.admin-user")
        .into_iter()
        .find(|r| r.text.contains("author@blog.example"))
        .expect("the author's row");
    let id = row.attr("data-id").unwrap().to_string();
    users
        .form(&format!("form[action=\"/admin/users/{id}/logout\"]"))
        .submit()
        .assert_status(303);
    assert!(!one.is_signed_in() && !two.is_signed_in());
    assert!(
        admin.is_signed_in(),
        "the admin's own session is not touched"
    );

    // Not for an author: 403, and nothing ends.
    let three = browser(&server, FIREFOX, "203.0.113.8", "author@blog.example");
    let token = three.csrf_token();
    three
        .post(
            &format!("/admin/users/{id}/logout"),
            &[("csrf_token", &token)],
        )
        .assert_status(403);
    assert!(three.is_signed_in());

    let out = server
        .cli(&["users", "logout", "AUTHOR@blog.example"])
        .success();
    assert!(
        out.stdout.contains("signed out everywhere"),
        "{}",
        out.stdout
    );
    assert!(
        !three.is_signed_in(),
        "the CLI ended it on the next request"
    );
    let ended: Vec<(String, String)> = server
        .audit_rows()
        .into_iter()
        .filter(|r| r.action == "account.sessions_ended")
        .map(|r| (r.actor, r.detail))
        .collect();
    assert_eq!(
        ended,
        [
            ("admin@blog.example".to_string(), "2 sessions".to_string()),
            ("cli".to_string(), "1 session".to_string())
        ]
    );
    let missing = server.cli(&["users", "logout", "nobody@blog.example"]);
    assert!(!missing.status.success());
}
