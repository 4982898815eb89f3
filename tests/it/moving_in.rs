//! Moving in from WordPress (issue #18), on the export a real WordPress wrote
//! (`tests/fixtures/wordpress`, see its README): everything arrives, every old address
//! answers 301 to a page with the same text, and a second run changes nothing.

use std::path::{Path, PathBuf};

use crate::support::{Site, TestServer};

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/wordpress")
        .join(name)
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn database(server: &TestServer) -> rusqlite::Connection {
    rusqlite::Connection::open(server.path().join("blog-data/blog.sqlite3")).expect("the database")
}

/// (published, scheduled, kind) of the post or page with this slug.
fn status(db: &rusqlite::Connection, slug: &str) -> (bool, bool, String) {
    db.query_row(
        "SELECT published_at IS NOT NULL, publish_at IS NOT NULL, kind FROM posts WHERE slug = ?1",
        [slug],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .unwrap_or_else(|err| panic!("{slug}: {err}"))
}

/// The names of a post's tags, sorted.
fn tags_of(db: &rusqlite::Connection, slug: &str) -> Vec<String> {
    db.prepare(
        "SELECT tags.name FROM post_tags JOIN posts ON posts.id = post_tags.post_id
         JOIN tags ON tags.id = post_tags.tag_id
         WHERE posts.slug = ?1 ORDER BY tags.name",
    )
    .unwrap()
    .query_map([slug], |row| row.get(0))
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn body_of(db: &rusqlite::Connection, slug: &str) -> String {
    db.query_row("SELECT body FROM posts WHERE slug = ?1", [slug], |row| {
        row.get(0)
    })
    .unwrap_or_else(|err| panic!("{slug}: {err}"))
}

/// Every row of the tables an import writes, as text: equal before and after a run
/// that must change nothing.
fn snapshot(server: &TestServer) -> Vec<String> {
    let db = database(server);
    let mut rows = Vec::new();
    for (table, columns) in [
        ("posts", "id, slug, title, body, excerpt, published_at, publish_at, created_at, updated_at, featured_media_id, kind"),
        ("comments", "id, post_id, parent_id, author_id, author_name, body, status, created_at"),
        ("users", "id, email"),
        ("media", "id, kind"),
        ("media_files", "path, media_id"),
        ("post_tags", "*"),
        ("tags", "*"),
        ("redirects", "from_path, to_path, source"),
        ("import_sources", "*"),
    ] {
        let mut stmt = db
            .prepare(&format!("SELECT {columns} FROM {table} ORDER BY 1, 2"))
            .unwrap_or_else(|err| panic!("{table}: {err}"));
        let n = stmt.column_count();
        let table_rows = stmt
            .query_map([], |row| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                    .collect();
                Ok(format!("{table}: {}", cells.join(" | ")))
            })
            .unwrap();
        rows.extend(table_rows.map(Result::unwrap));
    }
    rows
}

/// `blog import SOURCE FILE FLAG DIR`, which must succeed.
fn run_import(
    server: &TestServer,
    source: &str,
    file: &Path,
    flag: &str,
    dir: &Path,
) -> crate::support::Output {
    server
        .cli(&[
            "import",
            source,
            file.to_str().unwrap(),
            flag,
            dir.to_str().unwrap(),
        ])
        .success()
}

/// `blog import wordpress` of the fixture export, with `uploads` as its folder.
pub(crate) fn import(server: &TestServer, uploads: &Path) -> crate::support::Output {
    run_import(
        server,
        "wordpress",
        &fixture("export.xml"),
        "--uploads",
        uploads,
    )
}

/// A running site with an admin, and a copy of a fixture folder of images.
fn site_and_copy_of(folder: &Path) -> (TestServer, tempfile::TempDir) {
    let server = Site::new().start();
    server.create_user("boss@new.example", "admin");
    let copy = tempfile::tempdir().unwrap();
    copy_dir(folder, copy.path());
    (server, copy)
}

#[test]
fn a_wordpress_site_moves_in_whole_and_its_old_links_answer_301() {
    let (server, uploads) = site_and_copy_of(&fixture("uploads"));

    let first = import(&server, uploads.path());
    assert!(
        first
            .stdout
            .contains("imported 10 posts, 2 users, 5 comments, 4 pages, 3 images"),
        "{}\n{}",
        first.stdout,
        first.stderr
    );
    assert_eq!(
        first.stdout.matches("/accounts/reset/").count(),
        2,
        "{}",
        first.stdout
    );
    assert!(
        first.stdout.contains("\"A private note\") was private"),
        "{}",
        first.stdout
    );
    assert!(first
        .stdout
        .contains("\"Members only\") was protected by a password"));
    // The one file the export names that the uploads folder lacks, by name.
    assert!(
        first
            .stderr
            .contains("missing image 2018/01/gone.jpg (in post 8 (\"Walking to the market\"))"),
        "{}",
        first.stderr
    );
    assert_eq!(
        first.stderr.matches("missing image").count(),
        1,
        "{}",
        first.stderr
    );

    let db = database(&server);
    for slug in [
        "hello-world",
        "the-morning-ferry",
        "walking-to-the-market",
        "안녕하세요-서울",
        "edited-later",
    ] {
        assert_eq!(status(&db, slug), (true, false, "post".into()), "{slug}");
    }
    for slug in [
        "a-private-note",
        "half-written",
        "waiting-for-review",
        "members-only",
    ] {
        assert_eq!(
            status(&db, slug),
            (false, false, "post".into()),
            "{slug} is a draft"
        );
    }
    assert_eq!(
        status(&db, "coming-soon"),
        (false, true, "post".into()),
        "future is scheduled"
    );
    for slug in ["about", "team", "sample-page"] {
        assert_eq!(status(&db, slug), (true, false, "page".into()), "{slug}");
    }
    assert_eq!(status(&db, "privacy-policy"), (false, false, "page".into()));

    // Times: WordPress's UTC ones; the edit a month later kept.
    let (published, updated): (i64, i64) = db
        .query_row(
            "SELECT published_at, updated_at FROM posts WHERE slug = 'edited-later'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(published, 1_556_679_600_000, "2019-05-01 12:00 in Seoul");
    assert_eq!(updated, 1_559_358_000_000, "2019-06-01 12:00 in Seoul");

    // Categories with the ones above them, tags, and sticky.
    assert_eq!(
        tags_of(&db, "the-morning-ferry"),
        ["local", "news", "photography", "sticky", "서울"]
    );

    // Bodies: clean HTML, images from our media, captions, a gallery, links for what
    // cannot come along.
    let ferry = body_of(&db, "the-morning-ferry");
    assert!(
        !ferry.contains("wp:") && !ferry.contains("wp-content"),
        "{ferry}"
    );
    assert!(ferry.contains("<h2>What we saw</h2>") && ferry.contains("<li>Gulls</li>"));
    assert!(ferry.contains("<figcaption>The harbour at dawn, from the ferry</figcaption>"));
    assert!(ferry.contains("<figcaption>Two evenings in Seoul</figcaption>"));
    assert_eq!(
        ferry.matches("<img src=\"/media/uploads/").count(),
        3,
        "{ferry}"
    );
    assert!(ferry.contains("<a href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\""));
    let market = body_of(&db, "walking-to-the-market");
    assert!(
        market.contains("<p>It was <em>cold</em>, and the stalls were<br>"),
        "{market}"
    );
    assert!(market.contains("<figcaption>The night market, from the bridge</figcaption>"));
    assert_eq!(
        market.matches("<img src=\"/media/uploads/").count(),
        4,
        "{market}"
    );
    assert!(
        market.contains("[contact-form-7 id=\"42\" title=\"Contact\"]</a>"),
        "{market}"
    );
    assert!(
        market.contains(">An old photo</a>"),
        "a missing image is a link: {market}"
    );
    assert!(!market.contains("<script"));
    let excerpt: String = db
        .query_row(
            "SELECT excerpt FROM posts WHERE slug = 'the-morning-ferry'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        excerpt,
        "The ferry leaves at six. This is the first paragraph, with a link."
    );

    // Images: each file once, re-encoded by our pipeline; featured images kept.
    let uploads_stored: i64 = db
        .query_row(
            "SELECT count(*) FROM media_files WHERE variant = 'original'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(uploads_stored, 3);
    let featured: i64 = db
        .query_row(
            "SELECT count(*) FROM posts WHERE featured_media_id IS NOT NULL AND slug IN ('the-morning-ferry', 'about')",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(featured, 2);

    // Comments: threads, statuses, a member's and visitors'.
    let comments: Vec<(String, String, Option<String>)> = db
        .prepare(
            "SELECT c.author_name, c.status, p.author_name FROM comments c
             LEFT JOIN comments p ON p.id = c.parent_id ORDER BY c.created_at",
        )
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        comments,
        [
            ("Minsu".into(), "approved".into(), None),
            ("Ada Admin".into(), "approved".into(), Some("Minsu".into())),
            ("Waiting".into(), "pending".into(), None),
            ("수진".into(), "approved".into(), None),
            ("A WordPress Commenter".into(), "approved".into(), None),
        ]
    );
    let reply_by_member: bool = db
        .query_row(
            "SELECT author_id IS NOT NULL FROM comments WHERE author_name = 'Ada Admin'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(reply_by_member);

    // Old addresses, in every spelling WordPress used, answer 301 to the same text.
    let reader = server.anonymous();
    for (old, text) in [
        ("/2019/03/the-morning-ferry/", "The ferry leaves at six."),
        ("/?p=7", "The ferry leaves at six."),
        (
            "/2019/03/the-morning-ferry/harbour-at-dawn/",
            "The ferry leaves at six.",
        ),
        ("/?attachment_id=4", "The ferry leaves at six."),
        ("/?p=8", "Before the market opened"),
        ("/index.php?p=8", "Before the market opened"),
        (
            "/2019/04/%ec%95%88%eb%85%95%ed%95%98%ec%84%b8%ec%9a%94-%ec%84%9c%ec%9a%b8/",
            "서울에서 보낸 첫날입니다.",
        ),
        ("/2019/04/안녕하세요-서울", "서울에서 보낸 첫날입니다."),
        ("/about/", "We write about harbours and markets."),
        ("/?page_id=16", "We write about harbours and markets."),
        ("/about/team/", "Ada and Jimin."),
        ("/category/news/local/", "The morning ferry"),
        ("/category/news/", "Walking to the market"),
        ("/?cat=3", "The morning ferry"),
        ("/category/%ec%97%ac%ed%96%89/", "안녕하세요, 서울"),
        ("/tag/%ec%84%9c%ec%9a%b8/", "안녕하세요, 서울"),
        ("/tag/photography/", "Walking to the market"),
        ("/author/jimin/", "Walking to the market"),
        ("/?author=2", "Walking to the market"),
    ] {
        let moved = reader.get(old).assert_status(301);
        let page = reader.get(&moved.location()).assert_status(200);
        assert!(
            page.text().contains(text),
            "{old} → {}: no {text:?}",
            moved.location()
        );
    }
    assert_eq!(
        reader.get("/feed/").assert_status(301).location(),
        "/feed.xml"
    );
    let file = reader
        .get("/wp-content/uploads/2019/03/harbour-300x225.jpg")
        .assert_status(301);
    assert!(
        file.location().starts_with("/media/uploads/"),
        "{}",
        file.location()
    );
    reader.get(&file.location()).assert_status(200);
    // A Korean slug reads back at its own address.
    let korean = reader.get("/posts/안녕하세요-서울").assert_status(200);
    assert!(
        korean.text().contains("저도 북촌 좋아해요!"),
        "its comment shows"
    );
    // The reply shows under the comment it answers.
    let ferry = reader.get("/posts/the-morning-ferry").assert_status(200);
    let replies = ferry.select("#comments li.reply");
    assert_eq!(replies.len(), 1);
    assert!(
        replies[0].text.contains("in reply to Minsu")
            && replies[0].text.contains("Thank you, Minsu.")
    );
    assert!(
        !ferry.text().contains("Not approved yet."),
        "pending comments wait"
    );
    // Drafts (a private post) keep no public old address.
    reader.get("/?p=11").assert_status(200);

    // A second run changes nothing.
    let before = snapshot(&server);
    let again = import(&server, uploads.path());
    assert!(
        again
            .stdout
            .contains("imported 0 posts, 0 users; 19 skipped (19 already there, 0 with errors)"),
        "{}",
        again.stdout
    );
    assert!(!again.stdout.contains("/accounts/reset/"));
    assert_eq!(snapshot(&server), before);

    // A post deleted here stays deleted when the import runs again.
    server
        .cli(&["posts", "delete", "walking-to-the-market", "--yes"])
        .success();
    let after_delete = import(&server, uploads.path());
    assert!(
        after_delete
            .stdout
            .contains("1 left out: 1 post deleted here after an earlier import"),
        "{}",
        after_delete.stdout
    );
    reader
        .get("/posts/walking-to-the-market")
        .assert_status(404);
}

#[test]
fn without_the_uploads_folder_every_image_is_named_and_stays_a_link() {
    let server = Site::new().start();
    server.create_user("boss@new.example", "admin");
    let xml = fixture("export.xml");
    let output = server
        .cli(&["import", "wordpress", xml.to_str().unwrap()])
        .success();
    assert!(
        output.stderr.contains("no --uploads DIR given"),
        "{}",
        output.stderr
    );
    for name in [
        "2019/03/harbour.jpg",
        "2019/03/market-300x225.jpg",
        "2019/03/hanok.png",
        "2018/01/gone.jpg",
    ] {
        assert!(
            output.stderr.contains(&format!("missing image {name} ")),
            "{name}: {}",
            output.stderr
        );
    }
    let ferry = server
        .anonymous()
        .get("/posts/the-morning-ferry")
        .assert_status(200);
    assert!(ferry.text().contains("The ferry leaves at six."));
    assert!(
        ferry.has("a[href=\"https://old.example/wp-content/uploads/2019/03/harbour-300x225.jpg\"]")
    );

    let refused = server.cli(&["import", "wordpress", "/nonexistent/export.xml"]);
    assert!(!refused.status.success());
    assert!(
        refused
            .stderr
            .contains("cannot read /nonexistent/export.xml"),
        "{}",
        refused.stderr
    );
}

pub(crate) fn ghost_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ghost")
        .join(name)
}

pub(crate) fn import_ghost(
    server: &TestServer,
    export: &Path,
    images: &Path,
) -> crate::support::Output {
    run_import(server, "ghost", export, "--images", images)
}

#[test]
fn a_ghost_site_moves_in_with_its_images_and_its_old_links_answer_301() {
    let (server, images) = site_and_copy_of(&ghost_fixture("images"));
    let export = ghost_fixture("export.json");

    let first = import_ghost(&server, &export, images.path());
    assert!(
        first
            .stdout
            .contains("imported 7 posts, 1 user, 2 pages, 3 images"),
        "{}\n{}",
        first.stdout,
        first.stderr
    );
    assert_eq!(first.stdout.matches("/accounts/reset/").count(), 1);
    assert!(first
        .stdout
        .contains("\"Members only\" was only for members: imported as a draft"));

    let db = database(&server);
    for slug in [
        "the-morning-ferry",
        "walking-to-the-market",
        "annyeonghaseyo-seoul",
        "coming-soon",
    ] {
        assert_eq!(status(&db, slug), (true, false, "post".into()), "{slug}");
    }
    assert_eq!(status(&db, "half-written"), (false, false, "post".into()));
    assert_eq!(status(&db, "members-only"), (false, false, "post".into()));
    assert_eq!(status(&db, "next-spring"), (false, true, "post".into()));
    assert_eq!(status(&db, "about-us"), (true, false, "page".into()));
    let (published, excerpt, featured): (i64, String, bool) = db
        .query_row(
            "SELECT published_at, excerpt, featured_media_id IS NOT NULL FROM posts WHERE slug = 'the-morning-ferry'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap();
    assert_eq!(published, 1_552_527_000_000, "2019-03-14 01:30 UTC");
    assert_eq!(excerpt, "A ferry at dawn, and what we saw.");
    assert!(featured);
    assert_eq!(
        tags_of(&db, "the-morning-ferry"),
        ["featured", "photography", "서울"],
        "internal tags stay behind"
    );
    let ferry = body_of(&db, "the-morning-ferry");
    assert_eq!(
        ferry.matches("<img src=\"/media/uploads/").count(),
        3,
        "{ferry}"
    );
    assert!(
        !ferry.contains("__GHOST_URL__") && !ferry.contains("kg-"),
        "{ferry}"
    );
    assert!(ferry.contains("<figcaption>The harbour at dawn, from the ferry</figcaption>"));
    assert!(ferry.contains("<figcaption>Two evenings in Seoul</figcaption>"));
    assert!(
        ferry.contains("<a href=\"https://www.youtube.com/embed/dQw4w9WgXcQ?feature=oembed\""),
        "an embed becomes a link: {ferry}"
    );

    let reader = server.anonymous();
    let uuid: String = {
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
        json["db"][0]["data"]["posts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["slug"] == "the-morning-ferry")
            .unwrap()["uuid"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (old, text) in [
        (
            "/the-morning-ferry/".to_string(),
            "The ferry leaves at six.",
        ),
        (
            "/the-morning-ferry/amp/".to_string(),
            "The ferry leaves at six.",
        ),
        (format!("/p/{uuid}/"), "The ferry leaves at six."),
        (
            "/annyeonghaseyo-seoul/".to_string(),
            "서울에서 보낸 첫날입니다.",
        ),
        (
            "/about-us/".to_string(),
            "We write about harbours and markets.",
        ),
        ("/tag/seoul/".to_string(), "안녕하세요, 서울"),
        ("/tag/photography/".to_string(), "Walking to the market"),
        ("/author/ada/".to_string(), "The morning ferry"),
    ] {
        let moved = reader.get(&old).assert_status(301);
        let page = reader.get(&moved.location()).assert_status(200);
        assert!(
            page.text().contains(text),
            "{old} → {}: no {text:?}",
            moved.location()
        );
    }
    assert_eq!(
        reader.get("/rss/").assert_status(301).location(),
        "/feed.xml"
    );
    let file = reader
        .get("/content/images/2026/12/harbour.jpg")
        .assert_status(301);
    reader.get(&file.location()).assert_status(200);

    let before = snapshot(&server);
    let again = import_ghost(&server, &export, images.path());
    assert!(
        again
            .stdout
            .contains("imported 0 posts, 0 users; 9 skipped (9 already there, 0 with errors)"),
        "{}",
        again.stdout
    );
    assert_eq!(snapshot(&server), before);
}

/// An export whose posts have no rendered `html` (or an empty one): the Lexical and
/// Mobiledoc documents Ghost wrote are made HTML here, to the same text and images.
#[test]
fn a_ghost_export_without_html_is_rendered_from_its_lexical_and_mobiledoc() {
    let (server, images) = site_and_copy_of(&ghost_fixture("images"));
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ghost_fixture("export.json")).unwrap())
            .unwrap();
    let mut kinds = Vec::new();
    for post in json["db"][0]["data"]["posts"].as_array_mut().unwrap() {
        post["html"] = serde_json::Value::Null;
        let kind = if post["lexical"].is_string() {
            "lexical"
        } else {
            "mobiledoc"
        };
        kinds.push((post["slug"].as_str().unwrap().to_owned(), kind));
    }
    assert!(
        kinds.iter().any(|(_, k)| *k == "mobiledoc") && kinds.iter().any(|(_, k)| *k == "lexical")
    );
    let export = images.path().join("export-without-html.json");
    std::fs::write(&export, serde_json::to_string(&json).unwrap()).unwrap();

    import_ghost(&server, &export, images.path());
    let reader = server.anonymous();
    let ferry = reader.get("/posts/the-morning-ferry").assert_status(200);
    for text in [
        "The ferry leaves at six.",
        "What we saw",
        "Gulls",
        "The harbour at dawn, from the ferry",
        "Two evenings in Seoul",
        "ferry --depart 06:00",
        "Last paragraph of the ferry post.",
    ] {
        assert!(ferry.text().contains(text), "{text}");
    }
    assert_eq!(
        ferry
            .select(".post-body img[src^=\"/media/uploads/\"]")
            .len(),
        3
    );
    assert!(ferry.has(".post-body a[href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\"]"));
    assert!(ferry.has(".post-body h2") && ferry.has(".post-body strong"));
    // Ghost's own first post is Mobiledoc.
    let welcome = reader.get("/posts/coming-soon").assert_status(200);
    assert!(
        welcome
            .text()
            .contains("This is Old Ghost, a brand new site by Ada Admin"),
        "{}",
        welcome.text()
    );
    assert!(
        welcome.has(".post-body a"),
        "its link, from a Mobiledoc markup"
    );
}

#[test]
fn on_a_terminal_the_wordpress_import_draws_a_progress_bar() {
    let site = Site::new();
    site.run_with_stdin(
        &[
            "createsuperuser",
            "--email",
            "boss@new.example",
            "--password-stdin",
        ],
        &format!("{}\n", crate::support::PASSWORD),
    )
    .success();
    let uploads = tempfile::tempdir().unwrap();
    copy_dir(&fixture("uploads"), uploads.path());
    let xml = fixture("export.xml");
    let shown = site.run_on_terminal(&[
        "import",
        "wordpress",
        xml.to_str().unwrap(),
        "--uploads",
        uploads.path().to_str().unwrap(),
    ]);
    assert!(
        shown.contains("/14 posts"),
        "a bar counting the items: {shown:?}"
    );
    assert!(shown.contains("imported 10 posts"), "{shown:?}");
}
