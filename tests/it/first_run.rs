//! A blog as its first user meets it: absolute links that name the address it was
//! started on, `blog check` on addresses that cannot work, invitations, and the site
//! settings an admin sets in the browser.

use crate::support::{path_of, Client, Page, Site, SmtpServer, TestServer, PASSWORD, SIGNUP_FORM};

const INVITE_FORM: &str = "form#invite";
const INVITATION_FORM: &str = "form#invitation";

/// The admin's invitation through `/admin/users`: the page it answers.
fn invite(admin: &Client, email: &str, role: &str) -> Page {
    admin
        .get("/admin/users")
        .assert_status(200)
        .form(INVITE_FORM)
        .fill("email", email)
        .fill("role", role)
        .submit()
}

/// The link shown once on the users page.
fn shown_link(page: &Page) -> String {
    page.select("#invitation-link")
        .first()
        .map(|code| code.text.clone())
        .unwrap_or_else(|| panic!("an invitation link on {}", page.body))
}

/// Follows an invitation link as a new browser, choosing a name and the password.
fn join(server: &TestServer, url: &str, name: &str) -> (Client, Page) {
    let invitee = server.anonymous();
    let page = invitee
        .get(&path_of(url))
        .assert_status(200)
        .form(INVITATION_FORM)
        .fill("display_name", name)
        .fill("password", PASSWORD)
        .fill("password2", PASSWORD)
        .submit();
    (invitee, page)
}

/// Publishes a post through the admin's browser; answers its path.
fn published(server: &TestServer) -> String {
    let admin = server.admin();
    let slug = admin.create_post("Where am I", "<p>Here.</p>");
    admin.publish(&slug);
    format!("/posts/{slug}")
}

#[test]
fn links_name_the_bound_port_when_no_base_url_is_set() {
    let server = Site::new().start();
    let base = server.base_url().to_owned();
    assert!(!base.ends_with(":8000"), "an ephemeral port: {base}");
    let post = published(&server);
    let visitor = server.anonymous();

    let page = visitor.get(&post).assert_status(200);
    let canonical = page.select("link[rel=canonical]");
    assert_eq!(
        canonical.first().and_then(|l| l.attr("href")),
        Some(format!("{base}{post}").as_str())
    );
    let og_url = page.select("meta[property=\"og:url\"]");
    assert_eq!(
        og_url.first().and_then(|m| m.attr("content")),
        Some(format!("{base}{post}").as_str())
    );
    let feed = visitor.get("/feed.xml").assert_status(200);
    assert!(
        feed.body.contains(&format!("{base}{post}")),
        "{}",
        feed.body
    );
    let sitemap = visitor.get("/sitemap.xml").assert_status(200);
    assert!(
        sitemap.body.contains(&format!("<loc>{base}{post}</loc>")),
        "{}",
        sitemap.body
    );
    let robots = visitor.get("/robots.txt").assert_status(200);
    assert!(
        robots
            .body
            .contains(&format!("Sitemap: {base}/sitemap.xml")),
        "{}",
        robots.body
    );
    assert!(!feed.body.contains("127.0.0.1:8000"), "{}", feed.body);

    let log = server.log_with("absolute links start with");
    assert!(log.contains(&base), "{log}");
    assert!(log.contains("no [site] base_url is set"), "{log}");
}

#[test]
fn a_base_url_that_is_set_keeps_its_links() {
    let server = Site::new()
        .env("BLOG_SITE_BASE_URL", "https://blog.example.com")
        .start();
    let post = published(&server);
    let visitor = server.anonymous();
    let page = visitor.get(&post).assert_status(200);
    assert_eq!(
        page.select("link[rel=canonical]")
            .first()
            .and_then(|l| l.attr("href")),
        Some(format!("https://blog.example.com{post}").as_str())
    );
    let sitemap = visitor.get("/sitemap.xml").assert_status(200);
    assert!(
        sitemap
            .body
            .contains(&format!("<loc>https://blog.example.com{post}</loc>")),
        "{}",
        sitemap.body
    );
    assert!(
        !sitemap.body.contains(server.base_url()),
        "{}",
        sitemap.body
    );
    let log = server.log_with("absolute links start with");
    assert!(log.contains("https://blog.example.com"), "{log}");
    assert!(!log.contains("no [site] base_url is set"), "{log}");
}

#[test]
fn check_warns_when_links_name_this_machine_but_others_connect() {
    let site = Site::new().config(
        "[site]\nbase_url = \"http://127.0.0.1:8000\"\n[server]\nbind = \"0.0.0.0:8000\"\ntrusted_proxies = [\"10.0.0.2/32\"]\n",
    );
    let plain = site.run(&["check"]).success();
    let warning = plain
        .stdout
        .lines()
        .find(|l| l.starts_with("warning: [site] base_url is http://127.0.0.1:8000"))
        .unwrap_or_else(|| panic!("a warning in {}", plain.stdout));
    assert!(warning.contains("bind is 0.0.0.0:8000"), "{warning}");

    let deploy = site.run(&["check", "--deploy"]);
    assert_eq!(deploy.status.code(), Some(1), "{deploy:?}");
    assert_eq!(
        deploy
            .stdout
            .lines()
            .filter(
                |l| l.starts_with("warning: [site] base_url is http://127.0.0.1:8000")
                    && l.contains("bind is 0.0.0.0:8000")
            )
            .count(),
        1,
        "{}",
        deploy.stdout
    );

    // The other way round: links to a public address on the port blog holds on
    // loopback.
    let other = Site::new().config(
        "[site]\nbase_url = \"http://203.0.113.5:8000\"\n[server]\nbind = \"127.0.0.1:8000\"\n",
    );
    let plain = other.run(&["check"]).success();
    assert!(
        plain.stdout.lines().any(|l| l
            .starts_with("warning: [site] base_url is http://203.0.113.5:8000")
            && l.contains("only this machine")),
        "{}",
        plain.stdout
    );

    // No base_url: the bind is the site, and nothing is out of step.
    let unset = Site::new().config("[server]\nbind = \"0.0.0.0:8001\"\n");
    let plain = unset.run(&["check"]).success();
    assert!(
        plain
            .stdout
            .contains("site http://0.0.0.0:8001, from the bind"),
        "{}",
        plain.stdout
    );
    assert!(
        !plain.stdout.contains("warning: [site]"),
        "{}",
        plain.stdout
    );
}

#[test]
fn an_invited_author_joins_once_by_the_link_while_registration_is_closed() {
    let server = TestServer::start();
    let admin = server.admin();
    server
        .anonymous()
        .get("/accounts/signup")
        .assert_status(404);

    let page = invite(&admin, "ada@blog.example", "author").assert_status(200);
    let url = shown_link(&page);
    assert!(
        url.starts_with(&format!("{}/accounts/invitation/", server.base_url())),
        "{url}"
    );
    assert!(page.text().contains("ada@blog.example"), "{}", page.text());
    // Shown once: the users page alone does not show it again.
    assert!(!admin.get("/admin/users").has("#invitation-link"));

    let invitee = server.anonymous();
    let form = invitee.get(&path_of(&url)).assert_status(200);
    assert!(form.text().contains("ada@blog.example"), "{}", form.text());
    // A blank name is refused, and the link still works.
    let refused = form
        .form(INVITATION_FORM)
        .fill("display_name", "  ")
        .fill("password", PASSWORD)
        .fill("password2", PASSWORD)
        .submit()
        .assert_status(422);
    assert!(refused.has(".field-error"), "{}", refused.body);

    let (ada, joined) = join(&server, &url, "Ada Lovelace");
    joined.assert_status(303);
    let home = ada.get("/").assert_status(200);
    assert!(home.is_signed_in());
    let me = home.select("nav.menu a.me");
    assert_eq!(
        me.first().map(|a| a.text.trim().to_owned()),
        Some("Ada Lovelace".into())
    );
    // An author: the editor opens.
    ada.get("/posts/new").assert_status(200);

    // Used up.
    server.anonymous().get(&path_of(&url)).assert_status(404);
    let again = server.anonymous().post(
        &path_of(&url),
        &[
            ("display_name", "Eve"),
            ("password", PASSWORD),
            ("password2", PASSWORD),
        ],
    );
    assert!(matches!(again.status, 403 | 404), "{}", again.status);

    let rows = server.audit_rows();
    assert!(
        rows.iter().any(|r| r.action == "user.invite"
            && r.actor == "admin@blog.example"
            && r.target == "ada@blog.example"
            && r.detail == "author"),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.action == "user.join" && r.target == "ada@blog.example"),
        "{rows:?}"
    );
}

#[test]
fn the_cli_prints_an_invitation_for_a_reader_and_refuses_a_taken_address() {
    let server = TestServer::start();
    let out = server
        .cli(&["users", "invite", "rita@blog.example", "--role", "reader"])
        .success();
    let url = out.stdout.trim().to_owned();
    assert!(url.contains("/accounts/invitation/"), "{url}");
    assert!(out.stderr.contains("7 days"), "{}", out.stderr);
    let (rita, joined) = join(&server, &url, "Rita");
    joined.assert_status(303);
    assert!(rita.get("/").is_signed_in());
    rita.get("/posts/new").assert_status(403);
    let listed = server.cli(&["users", "list"]).success();
    assert!(
        listed
            .stdout
            .lines()
            .any(|l| l.contains("rita@blog.example") && l.contains("reader") && l.contains("Rita")),
        "{}",
        listed.stdout
    );

    let taken = server.cli(&["users", "invite", "rita@blog.example", "--role", "author"]);
    assert_eq!(taken.status.code(), Some(1), "{taken:?}");
    assert!(taken.stderr.contains("exists already"), "{}", taken.stderr);
    let bad = server.cli(&["users", "invite", "rita@blog.example", "--role", "king"]);
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
    assert!(bad.stderr.contains("not a role"), "{}", bad.stderr);
}

#[test]
fn the_admin_form_refuses_a_taken_or_bad_address_and_keeps_what_was_typed() {
    let server = TestServer::start();
    let admin = server.admin();
    let taken = invite(&admin, "admin@blog.example", "reader").assert_status(422);
    assert!(taken.has("#invite .field-error"), "{}", taken.body);
    assert!(!taken.has("#invitation-link"));
    let bad = invite(&admin, "not an address", "author").assert_status(422);
    assert_eq!(bad.input_value("email").as_deref(), Some("not an address"));
    // Only admins invite.
    let author = server.author("writer@blog.example");
    let refused = author.post(
        "/admin/users/invite",
        &[
            ("email", "x@blog.example"),
            ("role", "admin"),
            ("csrf_token", &author.csrf_token()),
        ],
    );
    assert_eq!(refused.status, 403);
}

#[test]
fn with_mail_on_the_invitation_is_mailed_too() {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let server = Site::new()
        .config(&format!("[mail]\nsmtp_url = \"{}\"\n", smtp.url()))
        .start();
    let admin = server.admin();
    let page = invite(&admin, "mailed@blog.example", "author").assert_status(200);
    assert!(page.text().contains("went by mail"), "{}", page.text());
    let shown = shown_link(&page);
    let mails = smtp.wait_for("mailed@blog.example", 1);
    let link = mails[0].link(&format!("{}/accounts/invitation/", server.base_url()));
    assert_eq!(link, shown);
    assert!(
        mails[0].subject.contains("invitation"),
        "{}",
        mails[0].subject
    );
    let (_, joined) = join(&server, &link, "Mailed");
    joined.assert_status(303);
}

#[test]
fn a_name_is_asked_for_at_signup_and_by_createsuperuser() {
    let server = Site::new().open_registration().start();
    let visitor = server.anonymous();
    let refused = visitor
        .get("/accounts/signup")
        .form(SIGNUP_FORM)
        .fill("email", "noname@blog.example")
        .fill("password", PASSWORD)
        .fill("password2", PASSWORD)
        .submit()
        .assert_status(422);
    assert!(refused.has(".field-error"), "{}", refused.body);

    server
        .cli_with_stdin(
            &[
                "createsuperuser",
                "--email",
                "owner@blog.example",
                "--name",
                "Grace Hopper",
                "--password-stdin",
            ],
            &format!("{PASSWORD}\n"),
        )
        .success();
    let owner = server.anonymous();
    owner.sign_in("owner@blog.example", PASSWORD);
    let me = owner.get("/").select("nav.menu a.me");
    assert_eq!(
        me.first().map(|a| a.text.trim().to_owned()),
        Some("Grace Hopper".into())
    );

    // An admin without a name: the menu names the whole address, not "admin".
    let admin = server.admin();
    let me = admin.get("/").select("nav.menu a.me");
    assert_eq!(
        me.first().map(|a| a.text.trim().to_owned()),
        Some("admin@blog.example".into())
    );
}

const SETTINGS_FORM: &str = "form#settings";

/// The brand in the header, the footer's line and the `<title>` of the home page.
fn home_look(client: &Client) -> (String, String, String) {
    let page = client.get("/").assert_status(200);
    let text = |css: &str| {
        page.select(css)
            .first()
            .map(|n| n.text.trim().to_owned())
            .unwrap_or_default()
    };
    (text("a.brand"), text("footer p"), text("title"))
}

fn save_settings(admin: &Client, title: &str, description: &str, accent: &str) -> Page {
    admin
        .get("/admin/settings")
        .assert_status(200)
        .form(SETTINGS_FORM)
        .fill("title", title)
        .fill("description", description)
        .fill("accent", accent)
        .submit()
}

#[test]
fn an_admin_sets_the_title_description_and_accent_and_every_page_shows_them_at_once() {
    let server = Site::new()
        .config("[site]\ntitle = \"From the file\"\n")
        .start();
    let visitor = server.anonymous();
    // Read once, so the anonymous home page sits in the page cache.
    assert_eq!(home_look(&visitor).0, "From the file");
    assert_eq!(home_look(&visitor).0, "From the file");

    let admin = server.admin();
    let saved =
        save_settings(&admin, "Field notes", "Notes from the field", "#AA3300").assert_status(303);
    assert_eq!(saved.location(), "/admin/settings?saved=1");
    let (brand, footer, title) = home_look(&visitor);
    assert_eq!(brand, "Field notes");
    assert_eq!(footer, "Notes from the field");
    assert!(title.ends_with("· Field notes"), "{title}");
    let home = visitor.get("/");
    let body = home.select("body");
    let style = body
        .first()
        .and_then(|b| b.attr("style"))
        .unwrap_or_default();
    assert!(style.contains("--accent: #aa3300"), "{style}");
    assert!(style.contains("--accent-text: #ffffff"), "{style}");
    // Dark red is lightened for the dark theme, to read on its background.
    assert!(style.contains("--accent-dark: #"), "{style}");
    assert!(!style.contains("--accent-dark: #aa3300"), "{style}");
    assert_eq!(
        body.first().and_then(|b| b.attr("data-accent")),
        Some("site")
    );
    let feed = visitor.get("/feed.xml").assert_status(200);
    assert!(
        feed.body.contains("<title>Field notes</title>"),
        "{}",
        feed.body
    );
    let form = admin.get("/admin/settings");
    assert_eq!(form.input_value("title").as_deref(), Some("Field notes"));
    assert!(
        server
            .audit_rows()
            .iter()
            .any(|r| r.action == "site.settings" && r.detail == "title, description, accent"),
        "{:?}",
        server.audit_rows()
    );

    // A bad colour changes nothing and keeps what was typed.
    let refused = save_settings(&admin, "Other", "", "red").assert_status(422);
    assert_eq!(refused.input_value("accent").as_deref(), Some("red"));
    assert!(refused.has(".field-error"), "{}", refused.body);
    assert_eq!(home_look(&visitor).0, "Field notes");

    // Blank hands the setting back to the file.
    save_settings(&admin, "", "", "").assert_status(303);
    assert_eq!(home_look(&visitor).0, "From the file");
    let home = visitor.get("/");
    assert!(home
        .select("body")
        .first()
        .and_then(|b| b.attr("style"))
        .is_none());

    // Admins only.
    let author = server.author("writer@blog.example");
    author.get("/admin/settings").assert_status(403);
    let forged = author.post(
        "/admin/settings",
        &[("title", "Mine"), ("csrf_token", &author.csrf_token())],
    );
    assert_eq!(forged.status, 403);
    assert_eq!(home_look(&visitor).0, "From the file");
}

#[test]
fn a_korean_site_without_a_title_shows_korean_defaults() {
    let server = Site::new().env("BLOG_SITE_LANGUAGE", "ko").start();
    let (brand, footer, _) = home_look(&server.anonymous());
    assert_eq!(brand, "나의 블로그");
    assert_eq!(footer, "블로그");

    let named = Site::new()
        .config("[site]\nlanguage = \"ko\"\ntitle = \"서울 일기\"\n")
        .start();
    assert_eq!(home_look(&named.anonymous()).0, "서울 일기");
}

#[test]
fn a_new_admin_sees_the_first_steps_and_readers_do_not() {
    let server = TestServer::start();
    let admin = server.admin();
    let home = admin.get("/").assert_status(200);
    let section = home.select("section.first-run");
    assert_eq!(section.len(), 1, "{}", home.body);
    for link in ["/admin/settings", "/posts/new", "/admin/users"] {
        assert!(
            home.has(&format!("section.first-run a[href=\"{link}\"]")),
            "{link} in {}",
            section[0].inner_html
        );
    }
    assert!(!home.has("p.empty"), "{}", home.body);

    let visitor = server.anonymous().get("/");
    assert!(!visitor.has("section.first-run"));
    assert!(visitor.text().contains("Nothing published yet."));

    let slug = admin.create_post("Hello", "<p>First.</p>");
    admin.publish(&slug);
    let home = admin.get("/");
    assert!(!home.has("section.first-run"), "{}", home.body);
}

#[test]
fn a_follower_without_a_base_url_refuses_to_start() {
    let site = Site::new();
    let out = site.run(&[
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--replica",
        "file:///nonexistent-replica",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        out.stderr.contains("set base_url (or BLOG_SITE_BASE_URL)"),
        "{}",
        out.stderr
    );
}

const PHOTO_WEBP: &[u8] = include_bytes!("../fixtures/photo.webp");

/// The `href` of the page's favicon link.
fn favicon(page: &Page) -> String {
    page.select("link[rel=icon]")
        .first()
        .and_then(|l| l.attr("href"))
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_site_icon_becomes_the_favicon_and_logo_survives_the_gc_and_goes_when_removed() {
    let server = TestServer::start();
    let admin = server.admin();
    let visitor = server.anonymous();
    let built_in = favicon(&visitor.get("/"));
    assert!(built_in.starts_with("/static/"), "{built_in}");

    admin
        .get("/admin/settings")
        .form(SETTINGS_FORM)
        .attach("icon", "logo.webp", PHOTO_WEBP)
        .submit()
        .assert_status(303);
    let home = visitor.get("/").assert_status(200);
    let icon = favicon(&home);
    assert!(icon.starts_with("/media/site/"), "{icon}");
    let small = visitor.get(&icon).assert_status(200);
    let small = image::load_from_memory(&small.bytes).expect("an image");
    assert_eq!((small.width(), small.height()), (64, 64));
    let logo = home
        .select("a.brand img.logo")
        .first()
        .and_then(|img| img.attr("src"))
        .unwrap_or_default()
        .to_owned();
    assert!(logo.starts_with("/media/site/"), "{}", home.body);
    visitor.get(&logo).assert_status(200);

    // The GC keeps what the site shows.
    server
        .cli_env(&["media", "gc"], &[("BLOG_MEDIA_GC_GRACE", "0s")])
        .success();
    visitor.get(&icon).assert_status(200);

    // A file that is not an image is refused, and the icon stays.
    let refused = admin
        .get("/admin/settings")
        .form(SETTINGS_FORM)
        .attach("icon", "notes.txt", b"not a picture")
        .submit()
        .assert_status(422);
    assert!(refused.has(".field-error"), "{}", refused.body);
    assert_eq!(favicon(&visitor.get("/")), icon);

    admin
        .get("/admin/settings")
        .form(SETTINGS_FORM)
        .check("remove_icon", "1")
        .submit()
        .assert_status(303);
    assert_eq!(favicon(&visitor.get("/")), built_in);
    visitor.get(&icon).assert_status(404);
    visitor.get(&logo).assert_status(404);
    assert!(
        server
            .audit_rows()
            .iter()
            .any(|r| r.action == "site.settings" && r.detail == "icon"),
        "{:?}",
        server.audit_rows()
    );
}

/// The pending invitations on `/admin/users`, a row's text each.
fn pending_rows(admin: &Client) -> Vec<String> {
    admin
        .get("/admin/users")
        .assert_status(200)
        .select("#invitations tr.invitation")
        .into_iter()
        .map(|row| row.text)
        .collect()
}

#[test]
fn the_users_page_lists_pending_invitations_and_revokes_one_after_asking() {
    let server = TestServer::start();
    let admin = server.admin();
    let kim = shown_link(&invite(&admin, "kim@blog.example", "author").assert_status(200));
    let lee = shown_link(&invite(&admin, "lee@blog.example", "reader").assert_status(200));
    let rows = pending_rows(&admin);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter().any(|text| text.contains("kim@blog.example")
            && text.contains("author")
            && text.contains("admin@blog.example")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|text| text.contains("lee@blog.example") && text.contains("reader")),
        "{rows:?}"
    );

    // The button leads to a page that asks; looking changes nothing.
    let users = admin.get("/admin/users").assert_status(200);
    let revoke = users
        .select("#invitations a.button")
        .into_iter()
        .filter_map(|a| a.attr("href").map(str::to_owned))
        .find(|href| href.contains("kim@blog.example"))
        .expect("a revoke button for kim");
    let asking = admin.get(&revoke).assert_status(200);
    assert_eq!(
        asking.select("h1")[0].text,
        "Revoke the invitation for kim@blog.example?"
    );
    assert_eq!(pending_rows(&admin).len(), 2);
    server.anonymous().get(&path_of(&kim)).assert_status(200);

    // Only that page's POST revokes: kim's link is dead, lee's still works.
    asking
        .form("section.confirm form")
        .submit()
        .assert_status(303);
    let rows = pending_rows(&admin);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("lee@blog.example"), "{rows:?}");
    server.anonymous().get(&path_of(&kim)).assert_status(404);
    let (_, joined) = join(&server, &lee, "Lee");
    joined.assert_status(303);
    assert!(
        pending_rows(&admin).is_empty(),
        "a used invitation is no longer pending"
    );
    assert!(
        !admin.get("/admin/users").has("#invitations"),
        "no pending invitations, no table"
    );
    assert!(server
        .audit_rows()
        .iter()
        .any(|r| r.action == "user.invite_revoke" && r.target == "kim@blog.example"));

    // Nothing pending for that address any more: both the page and the POST are 404.
    admin.get(&revoke).assert_status(404);
    let token = admin.csrf_token();
    admin
        .post(&revoke, &[("csrf_token", &token)])
        .assert_status(404);
    // Others get 403 and change nothing.
    let _ = shown_link(&invite(&admin, "park@blog.example", "author").assert_status(200));
    let author = server.author("writer@blog.example");
    let park = "/admin/invitations/park@blog.example/revoke";
    author.get(park).assert_status(403);
    let token = author.csrf_token();
    author
        .post(park, &[("csrf_token", &token)])
        .assert_status(403);
    assert_eq!(pending_rows(&admin).len(), 1);
}

#[test]
fn the_cli_lists_pending_invitations_and_revokes_them() {
    let server = TestServer::start();
    let none = server.cli(&["users", "invitations"]).success();
    assert!(
        none.stdout.contains("no pending invitations"),
        "{}",
        none.stdout
    );
    let url = server
        .cli(&["users", "invite", "Rita@Blog.example", "--role", "reader"])
        .success()
        .stdout
        .trim()
        .to_owned();
    let listed = server.cli(&["users", "invitations"]).success();
    let line = listed.stdout.lines().next().unwrap_or_default().to_owned();
    let fields: Vec<&str> = line.split('\t').collect();
    assert_eq!(fields.len(), 4, "{line}");
    assert_eq!(
        &fields[..3],
        ["rita@blog.example", "reader", "(command line)"]
    );
    assert!(fields[3].parse::<jiff::Timestamp>().is_ok(), "{line}");

    let revoked = server
        .cli(&["users", "revoke-invite", "rita@blog.example"])
        .success();
    assert!(revoked.stdout.contains("revoked"), "{}", revoked.stdout);
    server.anonymous().get(&path_of(&url)).assert_status(404);
    assert!(server
        .cli(&["users", "invitations"])
        .success()
        .stdout
        .contains("no pending invitations"));

    let again = server.cli(&["users", "revoke-invite", "rita@blog.example"]);
    assert_eq!(again.status.code(), Some(1), "{again:?}");
    assert_eq!(again.stderr.lines().count(), 1, "{}", again.stderr);
    assert!(
        again.stderr.contains("no pending invitation"),
        "{}",
        again.stderr
    );
    let bad = server.cli(&["users", "revoke-invite", "not an address"]);
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
}
