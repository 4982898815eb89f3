//! Accounts: signup, login and logout, sessions and their cookie, CSRF, throttling,
//! password change and reset, and CLI changes that reach open sessions.

use crate::support::{Client, Page, TestServer, LOGIN_FORM, LOGOUT_FORM, PASSWORD, SIGNUP_FORM};

const PASSWORD_FORM: &str = "form[action=\"/accounts/password\"]";
const RESET_FORM: &str = "form[action^=\"/accounts/reset/\"]";

fn sign_up(client: &Client, email: &str, password: &str, password2: &str) -> Page {
    client
        .get("/accounts/signup")
        .assert_status(200)
        .form(SIGNUP_FORM)
        .fill("email", email)
        .fill("password", password)
        .fill("password2", password2)
        .fill("display_name", "Someone")
        .submit()
}

/// A form sent back with a problem: 400 or 422, the form again, the message beside the field.
#[track_caller]
fn assert_rejected(page: &Page, error_class: &str) {
    assert!(
        matches!(page.status, 400 | 422),
        "a rejected form answers 400 or 422, not {}",
        page.status
    );
    assert!(
        page.has(error_class),
        "{error_class} explains the problem on {}",
        page.url
    );
}

fn session_of(client: &Client) -> String {
    client
        .cookie("blog_session")
        .expect("a blog_session cookie")
}

#[test]
fn signup_signs_in_a_reader_and_logout_ends_the_session() {
    let server = TestServer::open();
    let visitor = server.anonymous();

    let done = sign_up(&visitor, "new@blog.example", PASSWORD, PASSWORD).assert_status(303);
    assert_eq!(done.location(), "/");
    let home = done.follow().assert_status(200);
    assert!(home.is_signed_in(), "signed in right after signup");
    visitor.get("/posts/new").assert_status(403); // a reader, not an author
    let session = session_of(&visitor);

    let out = home.form(LOGOUT_FORM).submit().assert_status(303);
    assert_eq!(out.location(), "/");
    assert!(!visitor.is_signed_in());

    // The old cookie, replayed: the session ended on the server, not only in the browser.
    let replay = server.anonymous();
    replay.set_cookie("blog_session", &session);
    assert!(!replay.is_signed_in());
    let refused = replay.get("/posts/new").assert_status(303);
    assert!(
        refused.location().starts_with("/accounts/login"),
        "to login, not {}",
        refused.location()
    );

    server.anonymous().sign_in("new@blog.example", PASSWORD);
}

#[test]
fn signup_is_404_when_registration_is_closed() {
    let server = TestServer::start();
    let visitor = server.anonymous();
    visitor.get("/accounts/signup").assert_status(404);
    let token = visitor.csrf_token();
    visitor
        .post(
            "/accounts/signup",
            &[
                ("csrf_token", &token),
                ("email", "sneaky@blog.example"),
                ("password", PASSWORD),
                ("password2", PASSWORD),
                ("display_name", "Sneaky"),
            ],
        )
        .assert_status(404);
    assert_ne!(
        server
            .anonymous()
            .login("sneaky@blog.example", PASSWORD)
            .status,
        303,
        "no account was made"
    );
}

#[test]
fn signup_trims_the_email_and_refuses_it_again_in_another_case() {
    let server = TestServer::open();
    sign_up(
        &server.anonymous(),
        "  Mixed@Blog.Example  ",
        PASSWORD,
        PASSWORD,
    )
    .assert_status(303);

    let page = sign_up(
        &server.anonymous(),
        "mixed@BLOG.example",
        PASSWORD,
        PASSWORD,
    );
    assert_eq!(page.status, 422, "duplicate email in another case");
    assert_rejected(&page, ".field-error");
    assert_eq!(
        page.input_value("email").as_deref(),
        Some("mixed@BLOG.example"),
        "what was typed is kept"
    );

    // Stored trimmed, compared case-insensitively.
    server.anonymous().sign_in("mixed@blog.example", PASSWORD);
}

#[test]
fn signup_refuses_weak_or_mismatched_passwords_and_keeps_the_email() {
    let server = TestServer::open();
    let email = "longaddress@blog.example";
    for (password, password2, why) in [
        ("short1!", "short1!", "under 10 characters"),
        (
            "LONGADDRESS@BLOG.EXAMPLE",
            "LONGADDRESS@BLOG.EXAMPLE",
            "the email in another case",
        ),
        (PASSWORD, "something else entirely", "passwords differ"),
    ] {
        let page = sign_up(&server.anonymous(), email, password, password2);
        assert!(
            matches!(page.status, 400 | 422),
            "{why}: refused, not {}",
            page.status
        );
        assert!(page.has(".field-error"), "{why}: a field error is shown");
        assert_eq!(
            page.input_value("email").as_deref(),
            Some(email),
            "{why}: email kept"
        );
        assert!(!page.is_signed_in(), "{why}: not signed in");
    }
    // Nothing was made: the address is still free.
    sign_up(&server.anonymous(), email, PASSWORD, PASSWORD).assert_status(303);
}

#[test]
fn login_accepts_the_email_in_another_case() {
    let server = TestServer::start();
    server.create_user("case@blog.example", "author");
    let client = server.anonymous();
    let page = client
        .login("CASE@Blog.Example", PASSWORD)
        .assert_status(303);
    assert_eq!(page.location(), "/");
    assert!(client.is_signed_in());
}

#[test]
fn login_with_a_wrong_password_is_refused_and_keeps_the_email() {
    let server = TestServer::start();
    server.create_user("someone@blog.example", "author");
    let client = server.anonymous();
    let page = client.login("someone@blog.example", "not the password");
    assert_rejected(&page, ".form-error");
    assert!(page.has(LOGIN_FORM), "the login form is shown again");
    assert_eq!(
        page.input_value("email").as_deref(),
        Some("someone@blog.example")
    );
    assert!(!page.is_signed_in());
    assert!(!client.is_signed_in());
}

#[test]
fn login_is_throttled_after_five_failures_even_with_the_right_password() {
    let server = TestServer::start();
    server.create_user("target@blog.example", "author");
    server.create_user("bystander@blog.example", "author");
    for attempt in 1..=5 {
        let page = server
            .anonymous()
            .login("target@blog.example", &format!("wrong guess {attempt}"));
        assert_rejected(&page, ".form-error");
    }
    let client = server.anonymous();
    let page = client.login("target@blog.example", PASSWORD);
    assert_eq!(
        page.status,
        429,
        "the sixth attempt is throttled: {}",
        page.text()
    );
    assert!(page.has(LOGIN_FORM), "the 429 page keeps the form");
    assert!(!client.is_signed_in());

    // The limit is per account: another account on the same address still signs in.
    server
        .anonymous()
        .sign_in("bystander@blog.example", PASSWORD);
}

#[test]
fn login_without_a_csrf_token_is_403_and_does_not_sign_in() {
    let server = TestServer::start();
    server.create_user("someone@blog.example", "author");
    let client = server.anonymous();
    let page = client
        .get("/accounts/login")
        .form(LOGIN_FORM)
        .fill("email", "someone@blog.example")
        .fill("password", PASSWORD)
        .without("csrf_token")
        .submit();
    assert_eq!(page.status, 403);
    assert!(!client.is_signed_in());
}

#[test]
fn login_with_the_csrf_token_of_another_session_is_403() {
    let server = TestServer::start();
    server.create_user("someone@blog.example", "author");
    let attacker = server.anonymous();
    let stolen = attacker
        .get("/accounts/login")
        .form(LOGIN_FORM)
        .value("csrf_token")
        .expect("a token")
        .to_owned();
    let victim = server.anonymous();
    let page = victim
        .get("/accounts/login")
        .form(LOGIN_FORM)
        .fill("email", "someone@blog.example")
        .fill("password", PASSWORD)
        .fill("csrf_token", &stolen)
        .submit();
    assert_eq!(page.status, 403);
    assert!(!victim.is_signed_in());
}

#[test]
fn publish_without_a_valid_csrf_token_is_403_and_leaves_a_draft() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Not by accident", "<p>draft</p>");
    let path = format!("/posts/{slug}");
    let publish = format!("form[action=\"/posts/{slug}/publish\"]");

    let page = author
        .get(&path)
        .form(&publish)
        .without("csrf_token")
        .submit();
    assert_eq!(page.status, 403, "no token");
    server.anonymous().get(&path).assert_status(404);

    // The same author's token from another browser belongs to another session.
    let other_session = server.anonymous();
    other_session.sign_in("writer@blog.example", PASSWORD);
    let foreign = other_session.csrf_token();
    let page = author
        .get(&path)
        .form(&publish)
        .fill("csrf_token", &foreign)
        .submit();
    assert_eq!(page.status, 403, "a token of another session");
    server.anonymous().get(&path).assert_status(404);

    author.publish(&slug); // the form itself works
    server.anonymous().get(&path).assert_status(200);
}

#[test]
fn login_rotates_the_session_and_its_csrf_token() {
    let server = TestServer::start();
    server.create_user("someone@blog.example", "author");
    let client = server.anonymous();
    let form = client.get("/accounts/login").form(LOGIN_FORM);
    let token_before = form.value("csrf_token").expect("a token").to_owned();
    let before = client.cookie("blog_session");

    form.fill("email", "someone@blog.example")
        .fill("password", PASSWORD)
        .submit()
        .assert_status(303);
    let after = session_of(&client);
    assert_ne!(
        Some(after.as_str()),
        before.as_deref(),
        "a new session id at login"
    );
    assert_ne!(
        client.csrf_token(),
        token_before,
        "a new CSRF token at login"
    );

    if let Some(before) = before {
        // Session fixation: whoever knew the old id is not signed in.
        let fixer = server.anonymous();
        fixer.set_cookie("blog_session", &before);
        assert!(!fixer.is_signed_in());
    }
}

#[test]
fn session_cookie_is_httponly_lax_and_not_secure_over_http() {
    let server = TestServer::start();
    server.create_user("someone@blog.example", "author");
    let page = server
        .anonymous()
        .login("someone@blog.example", PASSWORD)
        .assert_status(303);
    let cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("blog_session="))
        .expect("login sets blog_session")
        .to_owned();
    let attrs: Vec<String> = cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    assert!(attrs.iter().any(|a| a == "httponly"), "HttpOnly: {cookie}");
    assert!(
        attrs.iter().any(|a| a == "samesite=lax"),
        "SameSite=Lax: {cookie}"
    );
    assert!(
        !attrs.iter().any(|a| a == "secure"),
        "no Secure over plain http: {cookie}"
    );
}

#[test]
fn password_change_needs_the_old_password_and_then_the_new_one_signs_in() {
    let server = TestServer::start();
    let client = server.author("someone@blog.example");
    let new_password = "a brand new secret";

    let page = client
        .get("/accounts/password")
        .assert_status(200)
        .form(PASSWORD_FORM)
        .fill("old_password", "not my password")
        .fill("new_password", new_password)
        .fill("new_password2", new_password)
        .submit();
    assert!(
        matches!(page.status, 400 | 422),
        "a wrong old password is refused, not {}",
        page.status
    );
    assert!(
        page.has(".field-error") || page.has(".form-error"),
        "the problem is stated"
    );

    client
        .get("/accounts/password")
        .form(PASSWORD_FORM)
        .fill("old_password", PASSWORD)
        .fill("new_password", new_password)
        .fill("new_password2", new_password)
        .submit()
        .assert_status(303);

    server
        .anonymous()
        .sign_in("someone@blog.example", new_password);
    let old = server.anonymous().login("someone@blog.example", PASSWORD);
    assert_rejected(&old, ".form-error");
}

#[test]
fn reset_link_sets_a_new_password_once() {
    let server = TestServer::start();
    server.create_user("forgetful@blog.example", "author");
    let out = server
        .cli(&["users", "reset-link", "forgetful@blog.example"])
        .success();
    let url = out.stdout.trim();
    assert_eq!(url.lines().count(), 1, "one line: {url:?}");
    assert!(
        url.starts_with("http://") && url.contains("/accounts/reset/"),
        "an absolute reset URL: {url}"
    );
    let path = crate::support::path_of(url);

    let visitor = server.anonymous();
    let page = visitor
        .get(&path)
        .assert_status(200)
        .form(RESET_FORM)
        .fill("new_password", "remembered at last")
        .fill("new_password2", "remembered at last")
        .submit()
        .assert_status(303);
    drop(page);
    server
        .anonymous()
        .sign_in("forgetful@blog.example", "remembered at last");
    assert_rejected(
        &server.anonymous().login("forgetful@blog.example", PASSWORD),
        ".form-error",
    );

    // Used once: visiting again is a 4xx page, and posting to it changes nothing.
    let again = visitor.get(&path);
    assert!(
        (400..500).contains(&again.status),
        "a used link is refused, not {}",
        again.status
    );
    let token = visitor.csrf_token();
    let replay = visitor.post(
        &path,
        &[
            ("csrf_token", &token),
            ("new_password", "hijacked password"),
            ("new_password2", "hijacked password"),
        ],
    );
    assert!(
        (400..500).contains(&replay.status),
        "a used link is refused, not {}",
        replay.status
    );
    assert_ne!(
        server
            .anonymous()
            .login("forgetful@blog.example", "hijacked password")
            .status,
        303
    );
}

#[test]
fn deactivated_user_cannot_log_in_and_their_open_session_ends() {
    let server = TestServer::start();
    let client = server.author("leaving@blog.example");
    assert!(client.is_signed_in());
    server
        .cli(&["users", "deactivate", "leaving@blog.example"])
        .success();

    assert!(
        !client.is_signed_in(),
        "the open session ends at its next request"
    );
    let page = client.get("/posts/new").assert_status(303);
    assert!(
        page.location().starts_with("/accounts/login"),
        "to login, not {}",
        page.location()
    );

    let again = server.anonymous();
    let page = again.login("leaving@blog.example", PASSWORD);
    assert_ne!(page.status, 303, "an inactive account cannot log in");
    assert!(!again.is_signed_in());
}

#[test]
fn role_change_applies_to_an_open_session() {
    let server = TestServer::start();
    let client = server.author("demoted@blog.example");
    client.get("/posts/new").assert_status(200);

    server
        .cli(&["users", "set-role", "demoted@blog.example", "reader"])
        .success();
    client.get("/posts/new").assert_status(403);

    server
        .cli(&["users", "set-role", "demoted@blog.example", "author"])
        .success();
    client.get("/posts/new").assert_status(200);
}

#[test]
fn login_follows_a_local_next_path() {
    let server = TestServer::start();
    server.create_user("someone@blog.example", "author");
    let client = server.anonymous();
    let bounce = client.get("/drafts").assert_status(303);
    assert!(
        bounce.location().starts_with("/accounts/login?next="),
        "to login with next, not {}",
        bounce.location()
    );

    let page = bounce
        .follow()
        .assert_status(200)
        .form(LOGIN_FORM)
        .fill("email", "someone@blog.example")
        .fill("password", PASSWORD)
        .submit()
        .assert_status(303);
    assert_eq!(page.location(), "/drafts");
    page.follow().assert_status(200);
}

#[test]
fn login_ignores_a_next_that_leads_to_another_host() {
    let server = TestServer::start();
    server.create_user("someone@blog.example", "author");
    for next in [
        "//evil.example/",
        "http://evil.example/",
        "/\\evil.example/",
    ] {
        let client = server.anonymous();
        let query: String = next.bytes().map(|b| format!("%{b:02X}")).collect();
        let page = client
            .get(&format!("/accounts/login?next={query}"))
            .assert_status(200)
            .form(LOGIN_FORM)
            .fill("email", "someone@blog.example")
            .fill("password", PASSWORD)
            .submit()
            .assert_status(303);
        assert_eq!(page.location(), "/", "next={next} is not followed");
    }
}
