//! Old links keep working (issue #18): an address the site does not answer itself, or
//! the home page with an old query (`/?p=12`), answers 301 to its new place when a row
//! of `redirects` says so; admins keep the rows by hand on `/admin/redirects` and with
//! `blog redirects`.

use crate::support::{Site, TestServer};

fn server() -> TestServer {
    Site::new().start()
}

#[test]
fn the_cli_adds_lists_and_removes_redirects_that_the_web_answers_with_301() {
    let server = server();
    let author = server.author("ana@blog.example");
    let slug = author.create_post("Moved in", "The same text as before.");
    author.publish(&slug);
    let reader = server.anonymous();

    reader.get("/2019/03/moved-in/").assert_status(404);
    let added = server
        .cli(&[
            "redirects",
            "add",
            "/2019/03/moved-in/",
            &format!("/posts/{slug}"),
        ])
        .success();
    assert!(added.stdout.contains("now answers 301"), "{}", added.stdout);
    server
        .cli(&[
            "redirects",
            "add",
            "https://old.example/?p=12",
            &format!("/posts/{slug}"),
        ])
        .success();
    server
        .cli(&[
            "redirects",
            "add",
            "/%ec%95%88%eb%85%95/",
            "/tags/%ED%95%9C",
        ])
        .success();

    for old in [
        "/2019/03/moved-in/",
        "/2019/03/moved-in",
        "/2019/03/moved-in/?utm_source=feed",
        "/?p=12",
        "/?p=12&preview=true",
    ] {
        let moved = reader.get(old).assert_status(301);
        assert_eq!(moved.location(), format!("/posts/{slug}"), "{old}");
        let page = reader.get(&moved.location()).assert_status(200);
        assert!(page.text().contains("The same text as before."), "{old}");
    }
    // Korean spelled either way, and the target kept encoded for the header.
    for old in ["/안녕/", "/%EC%95%88%EB%85%95"] {
        assert_eq!(
            reader.get(old).assert_status(301).location(),
            "/tags/%ED%95%9C"
        );
    }
    // The home page and its own pages are untouched; an unknown old id is the home page.
    reader.get("/").assert_status(200);
    reader.get("/?p=13").assert_status(200);
    reader.get("/?page=1").assert_status(200);
    reader.get("/2019/03/other/").assert_status(404);

    let list = server.cli(&["redirects", "list"]).success();
    assert!(
        list.stdout
            .contains(&format!("/2019/03/moved-in\t/posts/{slug}\tmanual"))
            && list.stdout.contains("/?p=12\t")
            && list.stdout.contains("/안녕\t/tags/%ED%95%9C\tmanual"),
        "{}",
        list.stdout
    );

    // A path the site answers itself is refused: the redirect could never be used.
    let shadowed = server.cli(&["redirects", "add", "/search", "/"]);
    assert!(!shadowed.status.success());
    assert!(
        shadowed.stderr.contains("answers /search itself"),
        "{}",
        shadowed.stderr
    );
    for (from, to) in [
        ("no-slash", "/"),
        ("/a", "javascript:alert(1)"),
        ("/a", "//evil.example/"),
    ] {
        let refused = server.cli(&["redirects", "add", from, to]);
        assert!(!refused.status.success(), "{from} -> {to}");
    }

    server
        .cli(&["redirects", "remove", "/2019/03/moved-in/"])
        .success();
    reader.get("/2019/03/moved-in/").assert_status(404);
    let again = server.cli(&["redirects", "remove", "/2019/03/moved-in/"]);
    assert!(!again.status.success() && again.stderr.contains("no redirect from"));

    let audit = server.audit_rows();
    assert!(audit
        .iter()
        .any(|row| row.actor == "cli" && row.action == "redirect.add" && row.target == "/?p=12"));
    assert!(audit
        .iter()
        .any(|row| row.action == "redirect.remove" && row.target == "/2019/03/moved-in"));
}

#[test]
fn admins_add_and_remove_redirects_on_their_page_and_nobody_else_may() {
    let server = server();
    let admin = server.admin();
    let author = server.author("ana@blog.example");
    author.get("/admin/redirects").assert_status(403);
    server
        .anonymous()
        .get("/admin/redirects")
        .assert_status(403);

    let page = admin.get("/admin/redirects").assert_status(200);
    assert!(page.has("#add-redirect") && !page.has("#redirects tr.redirect"));

    // Typed wrongly: the form comes back with what was typed and a message.
    let refused = page
        .form("#add-redirect")
        .fill("from", "old-page")
        .fill("to", "/pages/about")
        .submit()
        .assert_status(422);
    assert_eq!(refused.input_value("from").as_deref(), Some("old-page"));
    assert!(refused.has("p.field-error"));
    let shadowed = refused
        .form("#add-redirect")
        .fill("from", "/feed.xml")
        .fill("to", "/")
        .submit()
        .assert_status(422);
    assert!(shadowed.text().contains("answers that address itself"));

    admin
        .get("/admin/redirects")
        .form("#add-redirect")
        .fill("from", "/about-us/")
        .fill("to", "/pages/about")
        .submit()
        .assert_status(303);
    let listed = admin.get("/admin/redirects").assert_status(200);
    let rows = listed.select("#redirects tr.redirect");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].attr("data-from"), Some("/about-us"));
    let moved = server.anonymous().get("/about-us/").assert_status(301);
    assert_eq!(moved.location(), "/pages/about");

    listed.form("#redirects form").submit().assert_status(303);
    server.anonymous().get("/about-us/").assert_status(404);
    assert!(!admin.get("/admin/redirects").has("#redirects tr.redirect"));
    let audit = server.audit_rows();
    assert!(audit.iter().any(|row| row.actor == "admin@blog.example"
        && row.action == "redirect.add"
        && row.detail == "/pages/about"));
    assert!(admin.get("/admin").text().contains("added a redirect"));
}
