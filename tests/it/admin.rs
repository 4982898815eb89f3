//! `/admin`: only admins see it or act from it; each action does what it says and
//! writes one audit row, shown on the dashboard; the GC button deletes orphans; the
//! counts add up.

use crate::support::{Client, Page, Site, TestServer};

const SMALL_PNG: &[u8] = include_bytes!("../fixtures/small.png");
const WIDE_PNG: &[u8] = include_bytes!("../fixtures/wide.png");

/// An admin, an author with a published post and a draft, a reader with two comments
/// waiting for approval on the published post.
struct Blog {
    server: TestServer,
    admin: Client,
    author: Client,
    reader: Client,
    published: String,
    draft: String,
}

fn blog(site: Site) -> Blog {
    let server = site.config("[comments]\nmoderation = true\n").start();
    let admin = server.admin();
    let author = server.author("writer@blog.example");
    let reader = server.reader("reader@blog.example");
    let published = author.create_post("Out there", "<p>Read me</p>");
    author.publish(&published);
    let draft = author.create_post("Not yet", "<p>Secret</p>");
    for body in ["First thought", "Second thought"] {
        comment(&reader, &published, body);
    }
    Blog {
        server,
        admin,
        author,
        reader,
        published,
        draft,
    }
}

/// Comments through the post page's form.
pub(crate) fn comment(client: &Client, slug: &str, body: &str) {
    client
        .get(&format!("/posts/{slug}"))
        .assert_status(200)
        .form(&format!("form[action=\"/posts/{slug}/comments\"]"))
        .fill("body", body)
        .submit()
        .assert_status(303);
}

/// Every row but logins (which the tests' sign-ins write; see `security.rs`).
fn audit_rows(server: &TestServer) -> Vec<(String, String, String, String)> {
    server
        .audit_rows()
        .into_iter()
        .filter(|row| row.action != "account.login")
        .map(|row| (row.actor, row.action, row.target, row.detail))
        .collect()
}

/// The dashboard's audit log as text, one line per row, newest first.
fn dashboard_log(admin: &Client) -> Vec<String> {
    admin
        .get("/admin")
        .assert_status(200)
        .select("#audit tr.audit-entry")
        .into_iter()
        .map(|row| row.text)
        .filter(|text| !text.contains("logged in"))
        .collect()
}

/// Presses the one button on an admin page that posts to `action`.
fn press(admin: &Client, page: &str, action: &str) -> Page {
    admin
        .get(page)
        .assert_status(200)
        .form(&format!("form[action=\"{action}\"]"))
        .submit()
}

fn user_id(admin: &Client, email: &str) -> String {
    let page = admin.get("/admin/users").assert_status(200);
    let rows = page.select("tr.admin-user");
    let row = rows
        .iter()
        .find(|row| row.text.contains(email))
        .unwrap_or_else(|| panic!("{email} is listed on /admin/users"));
    row.attr("data-id").expect("a data-id").to_owned()
}

fn waiting_comment_ids(admin: &Client) -> Vec<String> {
    admin
        .get("/admin/comments")
        .assert_status(200)
        .select("article.admin-comment")
        .into_iter()
        .filter_map(|c| {
            c.attr("id")
                .map(|id| id.trim_start_matches("comment-").to_owned())
        })
        .collect()
}

/// The value beside a label in the dashboard's counts.
fn count(page: &Page, label: &str) -> String {
    let labels = page.select("#counts th");
    let values = page.select("#counts td");
    labels
        .iter()
        .zip(&values)
        .find(|(th, _)| th.text == label)
        .map(|(_, td)| td.text.clone())
        .unwrap_or_else(|| panic!("no {label} in the counts: {}", page.text()))
}

#[test]
fn non_admins_get_403_on_every_admin_page_and_action_and_nothing_changes() {
    let blog = blog(Site::new());
    let reader_id = user_id(&blog.admin, "reader@blog.example");
    let comment = waiting_comment_ids(&blog.admin)[0].clone();
    let (published, draft) = (&blog.published, &blog.draft);
    let before = audit_rows(&blog.server);
    let pages = [
        "/admin",
        "/admin/",
        "/admin/posts",
        "/admin/users",
        "/admin/comments",
        "/admin/media",
        "/admin/posts?page=2",
    ];
    let actions = [
        format!("/admin/users/{reader_id}/role"),
        format!("/admin/users/{reader_id}/deactivate"),
        format!("/admin/users/{reader_id}/reactivate"),
        format!("/admin/users/{reader_id}/reset-link"),
        "/admin/media/gc".to_owned(),
        // Unknown targets are 403 too: nothing is looked up for a non-admin.
        "/admin/users/9999/role".to_owned(),
    ];
    let visitor = blog.server.anonymous();
    for (who, client) in [
        ("reader", &blog.reader),
        ("author", &blog.author),
        ("visitor", &visitor),
    ] {
        for page in pages {
            let answer = client.get(page);
            assert_eq!(answer.status, 403, "{who} GET {page}");
        }
        // A valid token for the client's own session: only the role stops them.
        let token = client.csrf_token();
        for action in &actions {
            let answer = client.post(action, &[("csrf_token", &token), ("role", "admin")]);
            assert_eq!(answer.status, 403, "{who} POST {action}");
        }
        // The admin's moderation buttons post to the authors' routes, which refuse
        // anyone but the post's author and the admins.
        if who != "author" {
            for verb in ["approve", "hide", "delete"] {
                let action = format!("/comments/{comment}/{verb}");
                let answer = client.post(&action, &[("csrf_token", &token)]);
                assert_eq!(answer.status, 403, "{who} POST {action}");
            }
        }
    }

    assert_eq!(audit_rows(&blog.server), before);
    assert_eq!(dashboard_log(&blog.admin).len(), before.len());
    visitor
        .get(&format!("/posts/{published}"))
        .assert_status(200);
    visitor.get(&format!("/posts/{draft}")).assert_status(404);
    assert_eq!(waiting_comment_ids(&blog.admin).len(), 2);
    assert!(blog.reader.is_signed_in());
    blog.reader.get("/posts/new").assert_status(403);
    // The author and reader have no Admin link; the admin has one.
    assert!(!blog.author.get("/").has("header a[href=\"/admin\"]"));
    assert!(blog.admin.get("/").has("header a[href=\"/admin\"]"));
}

#[test]
fn admin_pages_are_never_stored() {
    let server = TestServer::start();
    let admin = server.admin();
    for page in [
        "/admin",
        "/admin/posts",
        "/admin/users",
        "/admin/comments",
        "/admin/media",
    ] {
        let answer = admin.get(page).assert_status(200);
        assert_eq!(
            answer.header("cache-control"),
            Some("private, no-store"),
            "{page}"
        );
    }
}

#[test]
fn each_admin_action_changes_what_it_says_and_writes_one_audit_row() {
    let blog = blog(Site::new());
    let admin = &blog.admin;
    let visitor = blog.server.anonymous();
    let (published, draft) = (blog.published.clone(), blog.draft.clone());
    let setup = audit_rows(&blog.server);
    let setup: Vec<(&str, &str, &str)> = setup
        .iter()
        .map(|(actor, code, target, _)| (actor.as_str(), code.as_str(), target.as_str()))
        .collect();
    assert_eq!(
        setup,
        [
            ("cli", "user.role", "writer@blog.example"),
            ("cli", "user.role", "reader@blog.example"),
            ("writer@blog.example", "post.publish", "Out there"),
        ],
        "the CLI's role changes and the author's own publication are logged"
    );
    let mut expected_rows = setup.len();

    // Each step: press the button, check the site, then exactly one new row that the
    // dashboard shows first.
    let mut logged = |action: &str, shown: &str, target: &str| {
        expected_rows += 1;
        let rows = audit_rows(&blog.server);
        assert_eq!(rows.len(), expected_rows, "one row for {action}: {rows:?}");
        let (actor, code, row_target, _) = rows.last().unwrap();
        assert_eq!(
            (actor.as_str(), code.as_str(), row_target.as_str()),
            ("admin@blog.example", action, target)
        );
        let log = dashboard_log(admin);
        assert_eq!(log.len(), expected_rows);
        assert!(
            log[0].contains("admin@blog.example")
                && log[0].contains(shown)
                && log[0].contains(target),
            "{action}: {log:?}"
        );
    };

    let answer =
        press(admin, "/admin/posts", &format!("/posts/{draft}/publish")).assert_status(303);
    assert_eq!(
        answer.location(),
        "/admin/posts",
        "the admin's button posts to the author's route and leads back here"
    );
    visitor.get(&format!("/posts/{draft}")).assert_status(200);
    logged("post.publish", "published", "Not yet");

    press(admin, "/admin/posts", &format!("/posts/{draft}/unpublish")).assert_status(303);
    visitor.get(&format!("/posts/{draft}")).assert_status(404);
    logged("post.unpublish", "unpublished", "Not yet");

    let ids = waiting_comment_ids(admin);
    assert_eq!(ids.len(), 2);
    press(
        admin,
        "/admin/comments",
        &format!("/comments/{}/approve", ids[0]),
    )
    .assert_status(303);
    let public = visitor
        .get(&format!("/posts/{published}"))
        .assert_status(200);
    assert!(
        public.text().contains("First thought"),
        "approved comment shows"
    );
    logged("comment.approve", "approved comment", "Out there");

    press(
        admin,
        "/admin/comments",
        &format!("/comments/{}/hide", ids[1]),
    )
    .assert_status(303);
    assert!(waiting_comment_ids(admin).is_empty());
    let public = visitor
        .get(&format!("/posts/{published}"))
        .assert_status(200);
    assert!(
        !public.text().contains("Second thought"),
        "hidden comment stays hidden"
    );
    logged("comment.hide", "hid comment", "Out there");

    comment(&blog.reader, &published, "Third thought");
    let third = waiting_comment_ids(admin);
    let delete = format!("/comments/{}/delete?next=/admin/comments", third[0]);
    assert!(
        admin
            .get("/admin/comments")
            .has(&format!("a[href=\"{delete}\"]")),
        "Delete… leads to the page that asks"
    );
    let done = admin.confirm(&delete).assert_status(303);
    assert_eq!(done.location(), "/admin/comments");
    assert!(waiting_comment_ids(admin).is_empty());
    logged("comment.delete", "deleted comment", "Out there");

    let reader = user_id(admin, "reader@blog.example");
    admin
        .get("/admin/users")
        .form(&format!("form[action=\"/admin/users/{reader}/role\"]"))
        .fill("role", "author")
        .submit()
        .assert_status(303);
    blog.reader.get("/posts/new").assert_status(200);
    logged("user.role", "changed role", "reader@blog.example");

    press(
        admin,
        "/admin/users",
        &format!("/admin/users/{reader}/deactivate"),
    )
    .assert_status(303);
    assert!(
        !blog.reader.is_signed_in(),
        "deactivation ends the sessions"
    );
    let refused = blog.server.anonymous();
    refused
        .login("reader@blog.example", crate::support::PASSWORD)
        .assert_status_in(&[400, 401, 403, 422]);
    logged("user.deactivate", "deactivated", "reader@blog.example");

    press(
        admin,
        "/admin/users",
        &format!("/admin/users/{reader}/reactivate"),
    )
    .assert_status(303);
    blog.reader
        .sign_in("reader@blog.example", crate::support::PASSWORD);
    logged("user.reactivate", "reactivated", "reader@blog.example");

    let shown = press(
        admin,
        "/admin/users",
        &format!("/admin/users/{reader}/reset-link"),
    )
    .assert_status(200);
    let link = shown
        .select("#reset-link")
        .first()
        .map(|code| code.text.clone())
        .expect("the reset link is on the page");
    let path = crate::support::path_of(&link);
    assert!(path.starts_with("/accounts/reset/"), "{link}");
    visitor.get(&path).assert_status(200);
    assert!(!admin.get("/admin/users").has("#reset-link"), "shown once");
    logged(
        "user.reset_link",
        "made a reset link",
        "reader@blog.example",
    );
    let rows = audit_rows(&blog.server);
    assert!(
        !rows.last().unwrap().3.contains(&path[16..]),
        "no token in the log"
    );

    let delete = format!("/posts/{published}/delete?next=/admin/posts");
    assert!(
        admin
            .get("/admin/posts")
            .has(&format!("a[href=\"{delete}\"]")),
        "Delete… leads to the post's page that asks"
    );
    let done = admin.confirm(&delete).assert_status(303);
    assert_eq!(done.location(), "/admin/posts");
    visitor
        .get(&format!("/posts/{published}"))
        .assert_status(404);
    admin.get(&format!("/posts/{published}")).assert_status(404);
    logged("post.delete", "deleted post", "Out there");

    press(admin, "/admin/media", "/admin/media/gc").assert_status(200);
    logged("media.gc", "ran the media GC", "media");
}

#[test]
fn bad_admin_input_gets_a_clear_4xx_and_changes_nothing() {
    let blog = blog(Site::new());
    let admin = &blog.admin;
    let before = audit_rows(&blog.server).len();
    let token = admin.csrf_token();
    let me = user_id(admin, "admin@blog.example");
    let reader = user_id(admin, "reader@blog.example");

    let bad_role = admin.post(
        &format!("/admin/users/{reader}/role"),
        &[("csrf_token", &token), ("role", "emperor")],
    );
    assert_eq!(bad_role.status, 400);
    assert!(
        bad_role.text().contains("not a role"),
        "{}",
        bad_role.text()
    );
    for action in ["role", "deactivate", "reset-link"] {
        let answer = admin.post(
            &format!("/admin/users/9999/{action}"),
            &[("csrf_token", &token), ("role", "author")],
        );
        assert_eq!(answer.status, 404, "{action} of an unknown user");
    }
    let demote_self = admin.post(
        &format!("/admin/users/{me}/role"),
        &[("csrf_token", &token), ("role", "reader")],
    );
    assert_eq!(demote_self.status, 400);
    let answer = admin.post(
        &format!("/admin/users/{me}/deactivate"),
        &[("csrf_token", &token)],
    );
    assert_eq!(answer.status, 400);
    let answer = admin.post("/comments/9999/approve", &[("csrf_token", &token)]);
    assert_eq!(answer.status, 404);
    let answer = admin.post("/posts/no-such-post/publish", &[("csrf_token", &token)]);
    assert_eq!(answer.status, 404);
    // Without the token, the central check refuses first.
    let answer = admin.post(&format!("/admin/users/{reader}/deactivate"), &[]);
    assert_eq!(answer.status, 403);

    assert_eq!(audit_rows(&blog.server).len(), before);
    blog.reader.get("/posts/new").assert_status(403);
    assert!(blog.reader.is_signed_in());
    assert!(admin.get("/admin").is_signed_in());
}

/// A 22-byte file in the media folder that no image row knows, as a crash between
/// writing a file and recording it would leave.
pub(crate) fn plant_orphan(server: &TestServer) -> std::path::PathBuf {
    let planted = server
        .path()
        .join("blog-data/media/uploads/2020/01/stray.jpg");
    std::fs::create_dir_all(planted.parent().unwrap()).unwrap();
    std::fs::write(&planted, b"left behind by a crash").unwrap();
    planted
}

#[test]
fn the_gc_button_deletes_a_planted_orphan_and_reports_its_bytes() {
    // One file: the dashboard, the notice and the audit log say "1 file", never
    // "1 files" (the plural rules of `locales/en/admin.ftl`).
    let server = Site::new().env("BLOG_MEDIA_GC_GRACE", "0s").start();
    let admin = server.admin();
    let planted = plant_orphan(&server);

    let dashboard = admin.get("/admin").assert_status(200);
    assert_eq!(
        count(&dashboard, "Orphans (the GC would delete)"),
        "1 file, 22 bytes"
    );
    let media = admin.get("/admin/media").assert_status(200);
    assert!(
        media
            .select("#orphans")
            .first()
            .is_some_and(|o| o.text.contains("uploads/2020/01/stray.jpg")),
        "{}",
        media.text()
    );
    assert!(planted.exists(), "looking is a dry run");

    let freed = press(&admin, "/admin/media", "/admin/media/gc").assert_status(200);
    let notice = freed
        .select(".gc-freed")
        .first()
        .map(|n| n.text.clone())
        .expect("a report");
    assert!(
        notice.contains("deleted 1 file and freed 22 bytes"),
        "{notice}"
    );
    assert!(notice.contains("uploads/2020/01/stray.jpg"), "{notice}");
    assert!(!planted.exists());
    let rows = audit_rows(&server);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].3, "1 file, 22 bytes");
    let dashboard = admin.get("/admin").assert_status(200);
    assert!(
        dashboard_log(&admin)
            .iter()
            .any(|line| line.contains("ran the media GC") && line.contains("1 file, 22 bytes")),
        "{:?}",
        dashboard_log(&admin)
    );
    assert_eq!(
        count(&dashboard, "Orphans (the GC would delete)"),
        "0 files, 0 bytes"
    );
}

#[test]
fn the_counts_add_up_for_a_small_known_site() {
    let blog = blog(Site::new());
    let url = crate::media::uploaded_url(&blog.author, "small.png", SMALL_PNG);
    blog.author
        .create_post("With a picture", &format!("<p><img src=\"{url}\"></p>"));
    let uploaded = blog
        .server
        .path()
        .join("blog-data")
        .join(url.trim_start_matches('/'));
    let on_disk = std::fs::metadata(&uploaded)
        .expect("the upload is on disk")
        .len();

    let page = blog.admin.get("/admin").assert_status(200);
    assert_eq!(count(&page, "Posts"), "3");
    assert_eq!(count(&page, "Drafts"), "2");
    assert_eq!(count(&page, "Users"), "3");
    assert_eq!(count(&page, "Comments waiting"), "2");
    // The upload and its WebP copy, both in the count and in the bytes.
    let media = count(&page, "Media files");
    let copies: Vec<u64> = std::fs::read_dir(std::path::Path::new(&uploaded).parent().unwrap())
        .unwrap()
        .flatten()
        .map(|entry| entry.metadata().unwrap().len())
        .collect();
    assert_eq!(copies.len(), 2);
    let total: u64 = copies.iter().sum();
    assert!(total > on_disk);
    assert!(
        media.starts_with("2 files, ") && media.contains(&format!("{total} bytes")),
        "{media}"
    );
    assert_eq!(
        count(&page, "Orphans (the GC would delete)"),
        "0 files, 0 bytes"
    );
    let database = std::fs::metadata(blog.server.path().join("blog-data/blog.sqlite3"))
        .unwrap()
        .len();
    assert!(database > 0);
    assert!(count(&page, "Database").contains("bytes"));

    // One row per image, its copies counted and sized with it: the small picture and
    // its WebP copy; a wide one with its six copies for srcset, shown by its 1600 px
    // copy.
    let wide = crate::media::uploaded_url(&blog.author, "wide.png", WIDE_PNG);
    let media = blog.admin.get("/admin/media").assert_status(200);
    let rows = media.select("tr.admin-file");
    assert_eq!(rows.len(), 2, "{}", media.text());
    assert!(
        rows[0].text.contains(wide.trim_start_matches("/media/")),
        "{}",
        rows[0].text
    );
    assert!(rows[0].text.contains("2000 × 500"), "{}", rows[0].text);
    assert!(rows[0].text.contains("7 files, "), "{}", rows[0].text);
    assert!(rows[0].text.contains("nothing"), "unused: {}", rows[0].text);
    assert!(rows[1].text.contains("48 × 32"), "{}", rows[1].text);
    assert!(
        rows[1].text.contains("2 files, ") && rows[1].text.contains(&format!("{total} bytes")),
        "{}",
        rows[1].text
    );
    assert!(rows[1].text.contains("With a picture"), "{}", rows[1].text);
    assert_eq!(
        blog.admin.get("/admin/posts").select("tr.admin-post").len(),
        3
    );
}
