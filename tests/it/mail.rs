//! Mail against a real SMTP server (aiosmtpd, see `support::smtp`): forgotten
//! passwords, comment notices, subscriptions with double opt-in, new posts mailed once,
//! one-click unsubscribe (RFC 8058), the outbox through an SMTP outage and a kill -9,
//! the rate limit, and a blog without `[mail]` that offers none of it.

use std::time::{Duration, Instant};

use crate::support::{path_of, Client, Received, Site, SmtpServer, TestServer, PASSWORD};

const FROM: &str = "Test blog <blog@blog.example>";

/// A blog that sends its mail to `smtp`, with `extra` lines in `[mail]`.
fn site_with_mail(smtp: &SmtpServer, extra: &str) -> Site {
    Site::new().config(&format!(
        "[mail]\nsmtp_url = \"{}\"\nfrom = \"{FROM}\"\n{extra}\n",
        smtp.url()
    ))
}

/// The path of an absolute link in a mail: the links name `[site] base_url`, and the
/// test server listens elsewhere.
#[track_caller]
fn local(url: &str) -> String {
    assert!(
        url.starts_with("http://127.0.0.1:8000/"),
        "links in mail are absolute, under base_url: {url}"
    );
    path_of(url)
}

/// What every mail must carry: a Message-ID of ours, a Date, both an HTML and a text part.
#[track_caller]
fn assert_well_formed(mail: &Received) {
    assert!(
        mail.message_id.ends_with("@127.0.0.1") && mail.message_id.len() > 40,
        "Message-ID: {:?}",
        mail.message_id
    );
    assert!(mail.date.is_some(), "a Date header:\n{}", mail.raw);
    assert_eq!(mail.content_type, "multipart/alternative", "{}", mail.raw);
    assert!(!mail.text.trim().is_empty() && !mail.html.trim().is_empty());
    assert!(mail.raw.contains("From: \"Test blog\" <blog@blog.example>") || mail.raw.contains("From: Test blog <blog@blog.example>"), "{}", mail.raw);
}

fn forgot(client: &Client, email: &str) -> crate::support::Page {
    client
        .get("/accounts/password/forgot")
        .assert_status(200)
        .form("form[action=\"/accounts/password/forgot\"]")
        .fill("email", email)
        .submit()
}

#[test]
fn a_forgotten_password_is_mailed_a_link_that_works_once() {
    // The server wants a login: the password comes from BLOG_MAIL_PASSWORD.
    let Some(smtp) = SmtpServer::with_login("blogmail", "mail password") else {
        return;
    };
    let server = site_with_mail(&smtp, "")
        .env("BLOG_MAIL_PASSWORD", "mail password")
        .start();
    server.create_user("forgetful@blog.example", "reader");
    let visitor = server.anonymous();
    let login = visitor.get("/accounts/login").assert_status(200);
    assert!(login.has("a[href=\"/accounts/password/forgot\"]"), "the login page offers it");

    let answer = forgot(&visitor, "Forgetful@Blog.example").assert_status(200);
    assert!(answer.text().contains("Check your mail"), "{}", answer.text());

    let mail = smtp.wait_for("forgetful@blog.example", 1).remove(0);
    assert_well_formed(&mail);
    assert!(mail.subject.contains("password"), "{}", mail.subject);
    assert!(mail.list_unsubscribe.is_none(), "a reset mail is not a list");
    let link = mail.link("http://127.0.0.1:8000/accounts/reset/");
    assert!(mail.html.contains(&link), "the HTML part has the same link");

    let reset = local(&link);
    visitor
        .get(&reset)
        .assert_status(200)
        .form(&format!("form[action=\"{reset}\"]"))
        .fill("new_password", "a brand new password")
        .fill("new_password2", "a brand new password")
        .submit()
        .assert_status(303);
    let fresh = server.anonymous();
    fresh.sign_in("forgetful@blog.example", "a brand new password");
    assert_eq!(server.anonymous().get(&reset).status, 404, "the link works once");
}

#[test]
fn forgot_password_answers_the_same_for_known_and_unknown_addresses() {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let server = site_with_mail(&smtp, "").start();
    for n in 0..20 {
        server.create_user(&format!("known{n}@blog.example"), "reader");
    }
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    let mut bodies = Vec::new();
    // Interleaved, each from its own address behind the proxy (the per-client limit is
    // not what this measures).
    for n in 0..20 {
        for (email, times, is_known) in [
            (format!("known{n}@blog.example"), &mut known, true),
            (format!("nobody{n}@blog.example"), &mut unknown, false),
        ] {
            let client = server
                .anonymous()
                .via_proxy_from(&format!("198.51.100.{}", n * 2 + usize::from(is_known)));
            let form = client
                .get("/accounts/password/forgot")
                .assert_status(200)
                .form("form[action=\"/accounts/password/forgot\"]")
                .fill("email", &email);
            let started = Instant::now();
            let answer = form.submit();
            times.push(started.elapsed());
            assert_eq!(answer.status, 200, "{email}: {}", answer.text());
            bodies.push((email, answer.body));
        }
    }
    let (first, expected) = &bodies[0];
    for (email, body) in &bodies {
        assert_eq!(body, expected, "{email} got another page than {first}");
    }
    smtp.wait_for("known19@blog.example", 1);
    assert!(
        smtp.messages().iter().all(|m| m.to.starts_with("known")),
        "nothing went to an address without an account"
    );
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let (known, unknown) = (median(&mut known), median(&mut unknown));
    // The same steps either way (one transaction, no bcrypt, nothing sent while the
    // visitor waits): the medians differ by noise only. The bound is loose because the
    // machine is shared; a lookup that sent mail inline or hashed would be far past it.
    let gap = known.abs_diff(unknown);
    assert!(
        gap < Duration::from_millis(25).max(known.max(unknown) / 2),
        "known {known:?} vs unknown {unknown:?}"
    );
}

#[test]
fn forgot_password_is_throttled_per_address_and_per_client() {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let server = site_with_mail(&smtp, "").start();
    server.create_user("target@blog.example", "reader");
    // Five asks for one account, each from another address: three mails, no more.
    for n in 0..5 {
        let client = server.anonymous().via_proxy_from(&format!("198.51.100.{n}"));
        forgot(&client, "target@blog.example").assert_status(200);
    }
    smtp.wait_for("target@blog.example", 3);
    // One client asking for many addresses is stopped after ten, with a 429.
    let client = server.anonymous().via_proxy_from("203.0.113.9");
    for n in 0..10 {
        forgot(&client, &format!("someone{n}@blog.example")).assert_status(200);
    }
    let refused = forgot(&client, "target@blog.example");
    assert_eq!(refused.status, 429, "{}", refused.text());
    // Whatever else was queued has gone by now: the fourth and fifth never will.
    wait_for_status(&server, "queued 0, sent 3, failed 0");
    assert_eq!(smtp.wait_for("target@blog.example", 3).len(), 3);
}

/// `blog mail status` once it says `needle`.
#[track_caller]
fn wait_for_status(server: &TestServer, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = server.cli(&["mail", "status"]).success().stdout;
        if status.contains(needle) {
            return status;
        }
        assert!(Instant::now() < deadline, "`blog mail status` never said {needle:?}:\n{status}");
        std::thread::sleep(Duration::from_millis(200));
    }
}
