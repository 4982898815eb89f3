//! Mail against a real SMTP server (aiosmtpd, see `support::smtp`): forgotten
//! passwords, comment notices, subscriptions with double opt-in, new posts mailed once,
//! one-click unsubscribe (RFC 8058), the outbox through an SMTP outage and a kill -9,
//! the rate limit, and a blog without `[mail]` that offers none of it.

use std::time::{Duration, Instant};

use crate::admin::comment;
use crate::support::{path_of, Client, Received, Site, SmtpServer, TestServer};

const FROM: &str = "Test blog <blog@blog.example>";

/// A blog that sends its mail to `smtp`, with `extra` lines in `[mail]`.
fn site_with_mail(smtp: &SmtpServer, extra: &str) -> Site {
    Site::new().config(&format!(
        "[site]\nbase_url = \"http://127.0.0.1:8000\"\n[mail]\nsmtp_url = \"{}\"\nfrom = \"{FROM}\"\n{extra}\n",
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
    assert!(
        mail.raw.contains("From: \"Test blog\" <blog@blog.example>")
            || mail.raw.contains("From: Test blog <blog@blog.example>"),
        "{}",
        mail.raw
    );
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
    assert!(
        login.has("a[href=\"/accounts/password/forgot\"]"),
        "the login page offers it"
    );

    let answer = forgot(&visitor, "Forgetful@Blog.example").assert_status(200);
    assert!(
        answer.text().contains("Check your mail"),
        "{}",
        answer.text()
    );

    let mail = smtp.wait_for("forgetful@blog.example", 1).remove(0);
    assert_well_formed(&mail);
    assert!(mail.subject.contains("password"), "{}", mail.subject);
    assert!(
        mail.list_unsubscribe.is_none(),
        "a reset mail is not a list"
    );
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
    assert_eq!(
        server.anonymous().get(&reset).status,
        404,
        "the link works once"
    );
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
        let client = server
            .anonymous()
            .via_proxy_from(&format!("198.51.100.{n}"));
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
        assert!(
            Instant::now() < deadline,
            "`blog mail status` never said {needle:?}:\n{status}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn an_author_is_told_of_comments_and_can_stop_it_in_one_click() {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let server = site_with_mail(&smtp, "").start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Talk to me", "<p>What do you think?</p>");
    author.publish(&slug);
    let reader = server.reader("reader@blog.example");
    comment(&reader, &slug, "I think it is lovely.");

    let mail = smtp.wait_for("writer@blog.example", 1).remove(0);
    assert_well_formed(&mail);
    assert!(mail.subject.contains("Talk to me"), "{}", mail.subject);
    assert!(mail.text.contains("I think it is lovely."), "{}", mail.text);
    let link = mail.link(&format!("http://127.0.0.1:8000/posts/{slug}#comment-"));
    let post = server.anonymous().get(&local(&link)).assert_status(200);
    assert!(post.text().contains("I think it is lovely."));
    // Her own comments are not news to her.
    comment(&author, &slug, "Thank you!");

    // RFC 8058: the headers, and one POST without a cookie or CSRF token stops them.
    assert_eq!(
        mail.list_unsubscribe_post.as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let unsubscribe = local(&mail.unsubscribe_url());
    assert!(
        mail.html.contains(&mail.unsubscribe_url()),
        "the footer links it too"
    );
    let mail_client = Client::new(server.base_url());
    mail_client
        .post(&unsubscribe, &[("List-Unsubscribe", "One-Click")])
        .assert_status(200);
    comment(&reader, &slug, "Another thought, unheard.");
    let profile = author.get("/accounts/profile").assert_status(200);
    assert!(
        profile.has("input[name=comment_mails]:not([checked])"),
        "the profile shows them off"
    );
    // A forged link does nothing.
    let forged = unsubscribe.replacen("/unsubscribe/u", "/unsubscribe/u9", 1);
    assert_eq!(mail_client.post(&forged, &[]).status, 404);

    // Turned on again from the profile; a comment waiting for approval is told as such.
    author
        .get("/accounts/profile")
        .form("form[action=\"/accounts/profile\"]")
        .check("comment_mails", "1")
        .submit()
        .assert_status(303);
    comment(&reader, &slug, "Back again.");
    let mails = smtp.wait_for("writer@blog.example", 2);
    assert!(mails[1].text.contains("Back again."), "{}", mails[1].text);
    assert!(
        smtp.messages()
            .iter()
            .all(|m| !m.text.contains("unheard") && !m.text.contains("Thank you!")),
        "no mail for the comment after unsubscribing, nor for her own"
    );
    let log = server.stop_and_log();
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn a_comment_waiting_for_approval_is_told_with_a_link_to_review_it() {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let server = site_with_mail(&smtp, "")
        .env("BLOG_COMMENTS_MODERATION", "true")
        .start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Held words", "<p>Moderated.</p>");
    author.publish(&slug);
    comment(
        &server.reader("reader@blog.example"),
        &slug,
        "Please let me in.",
    );
    let mail = smtp.wait_for("writer@blog.example", 1).remove(0);
    assert!(
        mail.subject.contains("waits for your approval"),
        "{}",
        mail.subject
    );
    let link = mail.link(&format!("http://127.0.0.1:8000/posts/{slug}#comments"));
    let page = author.get(&local(&link)).assert_status(200);
    assert!(
        page.text().contains("Please let me in."),
        "the author sees it to approve"
    );
}

/// Subscribes `email` through the form at `form_path` and follows the confirmation
/// mail's link to its button; answers the confirmation mail.
fn subscribe_and_confirm(
    server: &TestServer,
    smtp: &SmtpServer,
    form_path: &str,
    email: &str,
) -> Received {
    let visitor = server.anonymous();
    let answer = visitor
        .get(form_path)
        .assert_status(200)
        .form("form[action=\"/subscribe\"]")
        .fill("email", email)
        .submit()
        .assert_status(200);
    assert!(
        answer.text().contains("Check your mail"),
        "{}",
        answer.text()
    );
    let mail = smtp.wait_for(email, 1).remove(0);
    assert_well_formed(&mail);
    assert!(
        mail.subject.starts_with("Confirm your subscription"),
        "{}",
        mail.subject
    );
    let confirm = local(&mail.link("http://127.0.0.1:8000/subscribe/confirm/"));
    // The link only shows a button: a mail scanner that opens links confirms nothing.
    let page = server.anonymous().get(&confirm).assert_status(200);
    let done = page
        .form(&format!("form[action=\"{confirm}\"]"))
        .submit()
        .assert_status(200);
    assert!(
        done.text().contains("You are subscribed"),
        "{}",
        done.text()
    );
    mail
}

#[test]
fn subscribers_confirm_then_get_each_new_post_once_until_they_unsubscribe() {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let server = site_with_mail(&smtp, "").start();
    let author = server.author("writer@blog.example");
    let other = server.author("other@blog.example");
    let home = server.anonymous().get("/").assert_status(200);
    assert!(home.has("a[href=\"/subscribe\"]"), "every page offers it");

    subscribe_and_confirm(&server, &smtp, "/subscribe", "everything@readers.example");
    // One author's posts only, from the author's page.
    let author_id = author
        .get("/accounts/profile")
        .select("a[href^=\"/authors/\"]")
        .iter()
        .find_map(|a| a.attr("href").map(str::to_owned))
        .expect("a link to the author's page");
    let author_page = server.anonymous().get(&author_id).assert_status(200);
    let form_path = author_page
        .select("a[href^=\"/subscribe?author=\"]")
        .first()
        .and_then(|a| a.attr("href").map(str::to_owned))
        .expect("the author page offers a subscription");
    subscribe_and_confirm(&server, &smtp, &form_path, "fan@readers.example");
    // Asked, never confirmed: gets nothing.
    server
        .anonymous()
        .get("/subscribe")
        .form("form[action=\"/subscribe\"]")
        .fill("email", "undecided@readers.example")
        .submit()
        .assert_status(200);

    // A post with an image and a link, published: one mail to each confirmed subscriber.
    let image = crate::media::uploaded_url(
        &author,
        "small.png",
        include_bytes!("../fixtures/small.png"),
    );
    let body = format!("<p>Words and <a href=\"/authors/1\">a link</a>.</p><p><img src=\"{image}\" alt=\"a picture\"></p>");
    let slug = author.create_post("Fresh words", &body);
    author.publish(&slug);
    for email in ["everything@readers.example", "fan@readers.example"] {
        let mail = smtp.wait_for(email, 2).remove(1);
        assert_well_formed(&mail);
        assert_eq!(mail.subject, "Fresh words");
        let image_url = format!("http://127.0.0.1:8000{image}");
        assert!(
            mail.html.contains(&format!("src=\"{image_url}\"")),
            "absolute image:\n{}",
            mail.html
        );
        assert!(
            mail.html
                .contains("href=\"http://127.0.0.1:8000/authors/1\""),
            "absolute link:\n{}",
            mail.html
        );
        let fetched = server
            .anonymous()
            .get(&local(&image_url))
            .assert_status(200);
        assert!(fetched
            .header("content-type")
            .is_some_and(|ct| ct.starts_with("image/")));
        let post_url = mail.link(&format!("http://127.0.0.1:8000/posts/{slug}"));
        assert!(server
            .anonymous()
            .get(&local(&post_url))
            .assert_status(200)
            .text()
            .contains("Words and"));
        assert!(mail.text.contains("Words and"), "{}", mail.text);
        assert_eq!(
            mail.list_unsubscribe_post.as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
    }
    // Unpublished and published again: not news, nothing sent.
    author.post_action(&slug, "unpublish").assert_status(303);
    author.publish(&slug);
    // Another author's post reaches the blog's subscriber, not the first author's fan.
    let elsewhere = other.create_post("Other words", "<p>Elsewhere.</p>");
    other.publish(&elsewhere);
    let everything = smtp.wait_for("everything@readers.example", 3);
    assert_eq!(everything[2].subject, "Other words");

    // The blog's subscriber leaves in one click; the fan stays.
    let unsubscribe = local(&everything[2].unsubscribe_url());
    Client::new(server.base_url())
        .post(&unsubscribe, &[("List-Unsubscribe", "One-Click")])
        .assert_status(200);
    let last = author.create_post("Last words", "<p>For the fan.</p>");
    author.publish(&last);
    let fan = smtp.wait_for("fan@readers.example", 3);
    assert_eq!(fan[2].subject, "Last words");

    // The admin's list and its CSV.
    let admin = server.admin();
    let list = admin.get("/admin/subscribers").assert_status(200).text();
    assert!(
        list.contains("fan@readers.example") && list.contains("undecided@readers.example"),
        "{list}"
    );
    assert!(
        !list.contains("everything@readers.example"),
        "unsubscribed is gone: {list}"
    );
    let csv = admin.get("/admin/subscribers.csv").assert_status(200);
    assert!(csv
        .header("content-type")
        .is_some_and(|ct| ct.starts_with("text/csv")));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "email,author,subscribed_at,confirmed_at");
    assert_eq!(lines.len(), 3, "{}", csv.body);
    assert!(csv.body.contains("fan@readers.example,"), "{}", csv.body);
    assert_eq!(server.anonymous().get("/admin/subscribers.csv").status, 403);

    // Nobody got anything twice, and nothing reached the undecided.
    let all: Vec<Received> = smtp
        .messages()
        .into_iter()
        .filter(|m| !m.is_security_notice())
        .collect();
    assert!(all
        .iter()
        .all(|m| m.to != "undecided@readers.example" || m.subject.starts_with("Confirm")));
    for mail in &all {
        let same = all
            .iter()
            .filter(|m| m.to == mail.to && m.subject == mail.subject)
            .count();
        assert_eq!(same, 1, "{} got {:?} {same} times", mail.to, mail.subject);
    }
}

#[test]
fn the_scheduler_mails_a_post_it_publishes() {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let server = site_with_mail(&smtp, "").start();
    subscribe_and_confirm(&server, &smtp, "/subscribe", "early@readers.example");
    let author = server.author("writer@blog.example");
    let at = (crate::writing::now_ms() / 1000 + 2) * 1000;
    crate::writing::schedule(&author, "On time", at);
    let mail = smtp.wait_for("early@readers.example", 2).remove(1);
    assert_eq!(mail.subject, "On time");
}

#[test]
fn mail_waits_out_an_smtp_outage_and_a_kill_and_nobody_gets_two() {
    let Some(mut smtp) = SmtpServer::start() else {
        return;
    };
    let server = site_with_mail(&smtp, "").start();
    for email in ["one@readers.example", "two@readers.example"] {
        subscribe_and_confirm(&server, &smtp, "/subscribe", email);
    }
    let author = server.author("writer@blog.example");
    let first = author.create_post("While it was down", "<p>Patience.</p>");
    let second = author.create_post("Still down", "<p>More patience.</p>");

    // The mail server goes away; a post is published; the mails wait.
    smtp.stop();
    author.publish(&first);
    let status = wait_for_status(&server, "Connection refused");
    assert!(status.contains("queued 2"), "{status}");
    smtp.resume();
    smtp.wait_for("one@readers.example", 2);
    smtp.wait_for("two@readers.example", 2);

    // Down again; another post; blog is killed before it could send, and comes back.
    smtp.stop();
    author.publish(&second);
    wait_for_status(&server, "queued 2");
    let site = server.kill_hard();
    smtp.resume();
    let server = site.start();
    smtp.wait_for("one@readers.example", 3);
    smtp.wait_for("two@readers.example", 3);
    wait_for_status(&server, "queued 0");
    let all: Vec<Received> = smtp
        .messages()
        .into_iter()
        .filter(|m| !m.is_security_notice())
        .collect();
    assert_eq!(
        all.len(),
        6,
        "{:?}",
        all.iter().map(|m| (&m.to, &m.subject)).collect::<Vec<_>>()
    );
    let mut ids: Vec<&str> = all.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6, "a Message-ID per mail");
}

#[test]
fn sending_keeps_to_max_per_minute() {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let server = site_with_mail(&smtp, "max_per_minute = 2").start();
    server.create_user("a@blog.example", "reader");
    server.create_user("b@blog.example", "reader");
    server.create_user("c@blog.example", "reader");
    for email in ["a@blog.example", "b@blog.example", "c@blog.example"] {
        forgot(&server.anonymous(), email).assert_status(200);
    }
    let status = wait_for_status(&server, "sent 2,");
    assert!(
        status.contains("queued 1"),
        "the third waits for the minute: {status}"
    );
    assert_eq!(smtp.messages().len(), 2);
}

#[test]
fn a_refused_address_fails_at_once_and_the_status_says_why() {
    let Some(smtp) = SmtpServer::refusing("gone@blog.example") else {
        return;
    };
    let server = site_with_mail(&smtp, "").start();
    server.create_user("gone@blog.example", "reader");
    forgot(&server.anonymous(), "gone@blog.example").assert_status(200);
    let status = wait_for_status(&server, "failed 1");
    assert!(status.contains("no such mailbox"), "{status}");
    let admin = server.admin();
    let dashboard = admin.get("/admin").assert_status(200).text();
    assert!(dashboard.contains(" sent, 1 failed"), "{dashboard}");
}

#[test]
fn mail_speaks_the_language_of_the_site() {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let server = site_with_mail(&smtp, "")
        .env("BLOG_SITE_LANGUAGE", "ko")
        .env("BLOG_SITE_TITLE", "내 블로그")
        .start();
    server.create_user("reader@blog.example", "reader");
    forgot(&server.anonymous(), "reader@blog.example").assert_status(200);
    let mail = smtp.wait_for("reader@blog.example", 1).remove(0);
    assert_eq!(mail.subject, "내 블로그 새 비밀번호 정하기");
    assert!(mail.text.contains("24시간"), "{}", mail.text);
    assert!(mail.html.contains("lang=\"ko\""), "{}", mail.html);
}

#[test]
fn without_mail_nothing_offers_it() {
    let server = TestServer::start();
    let visitor = server.anonymous();
    let login = visitor.get("/accounts/login").assert_status(200);
    assert!(!login.has("a[href=\"/accounts/password/forgot\"]"));
    assert!(!visitor.get("/").has("a[href=\"/subscribe\"]"));
    assert_eq!(visitor.get("/accounts/password/forgot").status, 404);
    assert_eq!(visitor.get("/subscribe").status, 404);
    let author = server.author("writer@blog.example");
    assert!(!author
        .get("/accounts/profile")
        .has("input[name=comment_mails]"));
    assert_eq!(server.admin().get("/admin/subscribers").status, 404);
    let status = server.cli(&["mail", "status"]).success().stdout;
    assert!(status.starts_with("mail is off"), "{status}");
}

#[test]
fn blog_check_tries_the_mail_server() {
    let Some(mut smtp) = SmtpServer::with_login("blogmail", "right") else {
        return;
    };
    let site = site_with_mail(&smtp, "");
    let without = site.run(&["check"]);
    assert!(!without.status.success());
    assert!(
        without.stderr.contains("BLOG_MAIL_PASSWORD"),
        "{}",
        without.stderr
    );
    let wrong = site.run_env(&["check"], &[("BLOG_MAIL_PASSWORD", "wrong")]);
    assert!(!wrong.status.success(), "{}", wrong.stdout);
    assert!(wrong.stderr.contains("cannot reach"), "{}", wrong.stderr);
    let right = site
        .run_env(&["check"], &[("BLOG_MAIL_PASSWORD", "right")])
        .success();
    assert!(right.stdout.contains("mail: ok"), "{}", right.stdout);
    // Or from a file only its owner may read.
    let file = site.path().join("smtp-password");
    std::fs::write(&file, "right\n").unwrap();
    let from_file = site_with_mail(&smtp, &format!("password_file = \"{}\"", file.display()));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let open = from_file.run(&["check"]);
    assert!(
        !open.status.success() && open.stderr.contains("chmod 600"),
        "{}",
        open.stderr
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(from_file
        .run(&["check"])
        .success()
        .stdout
        .contains("mail: ok"));
    smtp.stop();
    let down = site.run_env(&["check"], &[("BLOG_MAIL_PASSWORD", "right")]);
    assert!(
        !down.status.success() && down.stderr.contains("Connection refused"),
        "{}",
        down.stderr
    );
    // A password in the URL is refused outright, without echoing it.
    let leaky = Site::new().config("[mail]\nsmtp_url = \"smtp://me:hunter2@127.0.0.1:25\"\n");
    let refused = leaky.run(&["check"]);
    assert!(!refused.status.success());
    assert!(
        refused.stderr.contains("BLOG_MAIL_PASSWORD") && !refused.stderr.contains("hunter2"),
        "{}",
        refused.stderr
    );
}

#[test]
fn security_events_are_mailed_to_the_account() {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let server = site_with_mail(&smtp, "").start();
    let reader = server.reader("careful@blog.example");
    let login = smtp.wait_for_notices("careful@blog.example", 1).remove(0);
    assert_well_formed(&login);
    assert!(login.text.contains("signed in"), "{}", login.text);
    assert!(
        login.text.contains("from 127.0.0.1"),
        "where from: {}",
        login.text
    );
    assert!(
        login.list_unsubscribe.is_none(),
        "security notices cannot be turned off"
    );
    reader
        .get("/accounts/password")
        .form("form[action=\"/accounts/password\"]")
        .fill("old_password", crate::support::PASSWORD)
        .fill("new_password", "another long password")
        .fill("new_password2", "another long password")
        .submit()
        .assert_status(303);
    let notices = smtp.wait_for_notices("careful@blog.example", 2);
    assert!(
        notices[1]
            .text
            .contains("password of your account was changed"),
        "{}",
        notices[1].text
    );
    let audit = server.audit_rows();
    assert!(
        audit
            .iter()
            .any(|row| row.action == "account.password_changed"),
        "{audit:?}"
    );
}

#[test]
fn mail_carries_the_title_the_admin_set() {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    // No `[mail] from`: the site sends as itself, under the title it shows.
    let server = Site::new()
        .config(&format!(
            "[site]\nbase_url = \"http://127.0.0.1:8000\"\n[mail]\nsmtp_url = \"{}\"\n",
            smtp.url()
        ))
        .start();
    server.create_user("reader@blog.example", "reader");
    server
        .admin()
        .get("/admin/settings")
        .assert_status(200)
        .form("form[action=\"/admin/settings\"]")
        .fill("title", "Renamed at runtime")
        .submit()
        .assert_status(303);
    forgot(&server.anonymous(), "reader@blog.example").assert_status(200);
    let mail = smtp.wait_for("reader@blog.example", 1).remove(0);
    assert_eq!(mail.subject, "Choose a new password for Renamed at runtime");
    assert!(mail.html.contains("Renamed at runtime"), "{}", mail.html);
    assert!(
        mail.raw
            .contains("From: \"Renamed at runtime\" <blog@127.0.0.1>")
            || mail
                .raw
                .contains("From: Renamed at runtime <blog@127.0.0.1>"),
        "{}",
        mail.raw
    );
}
