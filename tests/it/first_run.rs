//! A blog as its first user meets it: absolute links that name the address it was
//! started on, `blog check` on addresses that cannot work, invitations, and the site
//! settings an admin sets in the browser.

use crate::support::{Site, TestServer};

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
