//! Web abuse: brute force through a proxy that hides it behind many addresses, and
//! floods of signups and uploads from one client. Logins are counted per account,
//! signups and uploads per client address (the one the trusted proxy reports).

use crate::media::upload;
use crate::support::{Client, Site, TestServer, LOGIN_FORM, PASSWORD, SIGNUP_FORM};

const SMALL_PNG: &[u8] = include_bytes!("../fixtures/small.png");

fn sign_up(client: &Client, email: &str) -> crate::support::Page {
    client
        .get("/accounts/signup")
        .assert_status(200)
        .form(SIGNUP_FORM)
        .fill("email", email)
        .fill("password", PASSWORD)
        .fill("password2", PASSWORD)
        .fill("display_name", "Someone")
        .submit()
}

#[test]
fn logins_are_throttled_per_account_even_when_each_attempt_comes_from_another_address() {
    let server = TestServer::start();
    server.create_user("target@blog.example", "author");
    for n in 1..=5 {
        let client = server
            .anonymous()
            .via_proxy_from(&format!("198.51.100.{n}"));
        let page = client.login("target@blog.example", &format!("wrong guess {n}"));
        assert_eq!(
            page.status,
            422,
            "attempt {n} is an ordinary refusal: {}",
            page.text()
        );
    }
    // A sixth address, and the right password: still refused, for this account.
    let client = server.anonymous().via_proxy_from("198.51.100.6");
    let page = client.login("target@blog.example", PASSWORD);
    assert_eq!(page.status, 429, "{}", page.text());
    assert!(page.has(LOGIN_FORM));
    assert!(!client.is_signed_in());
    let log = server.log_with("198.51.100.6");
    assert!(log.contains("client=198.51.100.6"), "{log}");
}

#[test]
fn signups_are_limited_per_client_address() {
    let server = Site::new().open_registration().start();
    for n in 0..10 {
        // A fresh browser each time, all behind the same address (an office, a script).
        let browser = server.anonymous().via_proxy_from("198.51.100.20");
        sign_up(&browser, &format!("person{n}@example.com")).assert_status(303);
    }
    let refused = sign_up(
        &server.anonymous().via_proxy_from("198.51.100.20"),
        "eleventh@example.com",
    );
    assert_eq!(refused.status, 429, "{}", refused.text());
    assert!(
        refused.text().contains("Too many sign-ups"),
        "{}",
        refused.text()
    );
    assert!(refused.has(SIGNUP_FORM), "the form is kept");
    let users = server.cli(&["users", "list"]).success().stdout;
    assert!(!users.contains("eleventh@example.com"), "{users}");

    // Another address is not affected.
    sign_up(
        &server.anonymous().via_proxy_from("198.51.100.21"),
        "neighbour@example.com",
    )
    .assert_status(303);
}

#[test]
fn uploads_are_limited_per_client_address() {
    let server = TestServer::start();
    let author = server
        .author("ann@example.com")
        .via_proxy_from("198.51.100.30");
    for n in 0..100 {
        let page = upload(&author, "small.png", SMALL_PNG);
        assert_eq!(page.status, 200, "upload {n}: {}", page.body);
    }
    let refused = upload(&author, "small.png", SMALL_PNG);
    assert_eq!(refused.status, 429, "{}", refused.body);
    let json: serde_json::Value = serde_json::from_str(&refused.body).unwrap();
    assert!(
        json["error"].as_str().unwrap().contains("Too many uploads"),
        "{json}"
    );

    let elsewhere = upload(
        &author.via_proxy_from("198.51.100.31"),
        "small.png",
        SMALL_PNG,
    );
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.body);
}
