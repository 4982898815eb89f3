//! Moving in and out: `blog import django`, `blog import markdown` and `blog export`,
//! run as an operator would, then checked on the site and in the database.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::support::{path_of, Client, Site, PASSWORD};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `tests/fixtures/markdown` in a temporary folder, with the shared image fixtures put
/// where its posts point (`pictures/`).
fn markdown_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    copy_dir(&fixture("markdown"), dir.path());
    let pictures = dir.path().join("pictures");
    std::fs::create_dir_all(&pictures).unwrap();
    for image in ["small.png", "wide.png"] {
        std::fs::copy(fixture(image), pictures.join(image)).unwrap();
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
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

fn create_admin(site: &Site, email: &str) {
    site.run_with_stdin(
        &["createsuperuser", "--email", email, "--password-stdin"],
        &format!("{PASSWORD}\n"),
    )
    .success();
}

/// The site's database, read directly: stored times are what the import must keep.
fn database(site: &Site) -> rusqlite::Connection {
    rusqlite::Connection::open(site.path().join("blog-data/blog.sqlite3")).expect("the database")
}

fn count(site: &Site, table: &str) -> i64 {
    database(site)
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .unwrap()
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

#[test]
fn django_import_keeps_dates_and_paragraphs_and_adds_nothing_the_second_time() {
    let site = Site::new();
    let dump = fixture("django/blog.json");
    let first = site.run(&["import", "django", arg(&dump)]).success();
    assert!(
        first.stdout.contains("blog.post") && first.stdout.contains("auth.user"),
        "says what it found: {}",
        first.stdout
    );
    assert_eq!(
        first.stdout.matches("/accounts/reset/").count(),
        2,
        "one reset link per created user: {}",
        first.stdout
    );
    assert!(
        first.stdout.contains("kim@imported.invalid"),
        "a user without email gets an address that says so: {}",
        first.stdout
    );
    assert!(
        first
            .stdout
            .contains("imported 3 posts, 2 users; 0 skipped"),
        "{}",
        first.stdout
    );

    let again = site.run(&["import", "django", arg(&dump)]).success();
    assert!(
        again
            .stdout
            .contains("imported 0 posts, 0 users; 3 skipped (3 already there, 0 with errors)"),
        "{}",
        again.stdout
    );
    assert!(
        !again.stdout.contains("/accounts/reset/"),
        "{}",
        again.stdout
    );
    assert_eq!(count(&site, "posts"), 3);
    assert_eq!(count(&site, "users"), 2);

    let (created, updated, published): (i64, i64, Option<i64>) = database(&site)
        .query_row(
            "SELECT created_at, updated_at, published_at FROM posts WHERE slug = 'not-ready-yet'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (created, updated, published),
        (1_772_736_300_000, 1_772_736_300_000, None)
    );
    let created: i64 = database(&site)
        .query_row(
            "SELECT created_at FROM posts WHERE slug = 'my-first-post'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        created, 1_772_360_130_123,
        "2026-03-01T10:15:30.123Z, to the millisecond"
    );

    let first_link = first
        .stdout
        .lines()
        .find(|line| line.contains("ola@example.com"))
        .and_then(|line| line.split_whitespace().last())
        .expect("ola's reset link")
        .to_owned();
    let server = site.start();
    let visitor = server.anonymous();
    let page = visitor.get("/posts/my-first-post").assert_status(200);
    let time = &page.select("article time")[0];
    assert_eq!(time.attr("datetime"), Some("2026-03-01T10:20:00+00:00"));
    let body = page.select("article")[0].inner_html.clone();
    assert!(
        body.contains("<p>Hello, Django Girls!<br>"),
        "a line break stays a break: {body}"
    );
    assert!(
        body.contains(
            "<p>A second paragraph &lt;script&gt;alert('x')&lt;/script&gt; &amp; more.</p>"
        ),
        "a blank line starts a paragraph, and a script is only text: {body}"
    );
    let by_kim = visitor.get("/posts/second-post").assert_status(200);
    assert!(
        by_kim.select("article .byline .author")[0]
            .text
            .contains("kim"),
        "the made-up address keeps the author: {}",
        by_kim.text()
    );
    visitor.get("/posts/not-ready-yet").assert_status(404);
    visitor.get(&path_of(&first_link)).assert_status(200);
}

#[test]
fn markdown_import_publishes_posts_with_tags_and_images_and_keeps_drafts_private() {
    let folder = markdown_folder();
    let site = Site::new();
    create_admin(&site, "admin@blog.example");
    let first = site
        .run(&["import", "markdown", arg(folder.path())])
        .success();
    assert!(
        first.stdout.contains("imported 4 posts, 1 user; 0 skipped"),
        "{}",
        first.stdout
    );
    assert!(
        first.stdout.contains("ann@example.com") && first.stdout.contains("/accounts/reset/"),
        "the author named in the front matter gets an account: {}",
        first.stdout
    );
    let media_rows = count(&site, "media");
    assert_eq!(media_rows, 2, "one media row per image");

    let again = site
        .run(&["import", "markdown", arg(folder.path())])
        .success();
    assert!(
        again
            .stdout
            .contains("imported 0 posts, 0 users; 4 skipped"),
        "{}",
        again.stdout
    );
    assert_eq!(count(&site, "posts"), 4);
    assert_eq!(count(&site, "media"), media_rows, "no image stored twice");

    let server = site.start();
    let visitor = server.anonymous();
    let home = visitor.get("/").assert_status(200).text();
    for title in [
        "First steps in Rust",
        "A wide picture: floated",
        "안녕 세계",
    ] {
        assert!(home.contains(title), "{title} on the home page: {home}");
    }
    assert!(!home.contains("Secret plans"), "the draft is not public");
    visitor.get("/posts/secret-plans").assert_status(404);

    let tagged = visitor.get("/tags/rust").assert_status(200).text();
    assert!(tagged.contains("First steps in Rust") && tagged.contains("A wide picture"));
    assert!(!tagged.contains("Secret plans"));
    let korean = visitor.get("/tags/한국어").assert_status(200).text();
    assert!(korean.contains("안녕 세계"));
    let page = visitor.get("/posts/안녕-세계").assert_status(200);
    assert_eq!(
        page.select("article time")[0].attr("datetime"),
        Some("2026-02-15T23:00:00+00:00"),
        "published: 2026-02-16T08:00:00+09:00"
    );

    let post = visitor.get("/posts/first-steps-in-rust").assert_status(200);
    let body = post.select("article")[0].inner_html.clone();
    for kept in [
        "<strong>fast</strong>",
        "<h2>What I did</h2>",
        "<li>installed it</li>",
        "<blockquote>",
    ] {
        assert!(body.contains(kept), "{kept} in {body}");
    }
    let img = post.select("article img");
    let src = img[0].attr("src").expect("the picture").to_owned();
    assert!(src.starts_with("/media/uploads/"), "{src}");
    let image = visitor.get(&src).assert_status(200);
    assert_eq!(image.header("content-type"), Some("image/png"));

    let wide = visitor
        .get("/posts/a-wide-picture-floated")
        .assert_status(200);
    let img = &wide.select("article img")[0];
    assert!(img.attr("src").unwrap().starts_with("/media/uploads/"));
    assert_eq!(img.attr("style"), Some("width:50%;float:left"));
    assert!(wide.select("article pre code")[0]
        .text
        .contains("println!(\"hi <there>\");"));
}

#[test]
fn bad_input_gets_one_line_naming_the_file_and_never_a_panic() {
    let site = Site::new();
    create_admin(&site, "admin@blog.example");
    let dir = tempfile::tempdir().unwrap();
    let not_json = dir.path().join("dump.json");
    std::fs::write(&not_json, "<html>oops</html>").unwrap();
    let missing = dir.path().join("missing.json");
    for (args, names) in [
        (vec!["import", "django", arg(&missing)], "missing.json"),
        (vec!["import", "django", arg(&not_json)], "dump.json"),
        (vec!["import", "markdown", arg(&missing)], "missing.json"),
    ] {
        let out = site.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
        assert!(out.stderr.contains(names), "{}", out.stderr);
    }

    // One broken file among good ones: skipped with a line, the rest imported, exit 1.
    let folder = markdown_folder();
    std::fs::write(
        folder.path().join("broken.md"),
        "---\ntitle: [unclosed\n---\nText\n",
    )
    .unwrap();
    let out = site.run(&["import", "markdown", arg(folder.path())]);
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("broken.md") && out.stderr.contains("not valid YAML"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        out.stdout.contains("imported 4 posts") && out.stdout.contains("1 with errors"),
        "{}",
        out.stdout
    );
}

/// Every post of a site as comparable data: title, slug, times, tags and the body with
/// whitespace between tags ignored and each image replaced by a digest of its pixels
/// (a re-import re-encodes the file, so bytes may differ; pixels of PNGs may not).
fn posts_of(site: &Site) -> BTreeMap<String, Vec<String>> {
    let media = site.path().join("blog-data/media");
    let conn = database(site);
    let mut statement = conn
        .prepare(
            "SELECT posts.slug, posts.title, posts.created_at, posts.updated_at, posts.published_at, posts.body, users.email,
                (SELECT group_concat(name, ',') FROM (SELECT tags.name FROM post_tags JOIN tags ON tags.id = post_tags.tag_id
                  WHERE post_tags.post_id = posts.id ORDER BY tags.name))
             FROM posts JOIN users ON users.id = posts.author_id",
        )
        .unwrap();
    let rows = statement
        .query_map([], |row| {
            let slug: String = row.get(0)?;
            let body: String = row.get(5)?;
            Ok((
                slug.clone(),
                vec![
                    slug,
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(2)?.to_string(),
                    row.get::<_, i64>(3)?.to_string(),
                    format!("{:?}", row.get::<_, Option<i64>>(4)?),
                    row.get::<_, String>(6)?,
                    row.get::<_, Option<String>>(7)?.unwrap_or_default(),
                    body,
                ],
            ))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    rows.into_iter()
        .map(|(slug, mut fields)| {
            let body = fields.pop().unwrap();
            fields.push(normalized_body(&body, &media));
            (slug, fields)
        })
        .collect()
}

fn normalized_body(body: &str, media: &Path) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("\"/media/") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "\"/media/".len()..];
        let end = after.find('"').expect("a closing quote");
        let pixels = image::open(media.join(&after[..end]))
            .expect("the image file is there")
            .to_rgba8();
        let digest = Sha256::digest(pixels.as_raw());
        out.push_str(&format!("\"pixels:{}", hex::encode(digest)));
        rest = &after[end..];
    }
    out.push_str(rest);
    // Markdown has one bold and one italic: `<b>` comes back as `<strong>`, `<i>` as `<em>`;
    // white space after a line break shows as nothing.
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed
        .replace("> <", "><")
        .replace("<br> ", "<br>")
        .replace("<b>", "<strong>")
        .replace("</b>", "</strong>")
        .replace("<i>", "<em>")
        .replace("</i>", "</em>")
}

#[test]
fn export_then_import_into_a_fresh_blog_gives_the_same_posts() {
    let source = Site::new();
    create_admin(&source, "admin@blog.example");
    let folder = markdown_folder();
    source
        .run(&["import", "markdown", arg(folder.path())])
        .success();
    source
        .run(&["import", "django", arg(&fixture("django/blog.json"))])
        .success();
    let server = source.start();
    // A post as the editor writes it, underline and floated picture included.
    let admin = server.anonymous();
    admin.sign_in("admin@blog.example", PASSWORD);
    let upload = admin_upload(&admin, &fixture("small.png"));
    let slug = admin.create_post(
        "Edited in the browser",
        &format!(
            "<p><b>Bold</b>, <u>underlined</u> and <a href=\"https://example.com/\">a link</a>.</p><p style=\"text-align:center\"><img src=\"{upload}\" style=\"width:25%;float:right\"></p><ol><li>one</li><li>two</li></ol>"
        ),
    );
    admin.publish(&slug);
    let source = server.stop_keeping_folder();
    database(&source)
        .execute(
            "INSERT INTO comments (post_id, author_id, author_name, body, status, client, created_at)
             SELECT id, NULL, 'A visitor', 'Nice post!', 'approved', '127.0.0.1', 1772400000000 FROM posts WHERE slug = 'my-first-post'",
            [],
        )
        .unwrap();

    let out = tempfile::tempdir().unwrap();
    let export_dir = out.path().join("export");
    let exported = source.run(&["export", arg(&export_dir)]).success();
    assert!(
        exported
            .stdout
            .contains("exported 8 posts (2 drafts), 3 images, 4 authors, 1 comment"),
        "{}",
        exported.stdout
    );
    let markdown =
        std::fs::read_to_string(export_dir.join("posts/first-steps-in-rust.md")).unwrap();
    assert!(
        markdown.starts_with("---\ntitle: First steps in Rust\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("**fast**") && markdown.contains("](first-steps-in-rust/"),
        "{markdown}"
    );
    let authors = std::fs::read_to_string(export_dir.join("authors.json")).unwrap();
    assert!(
        authors.contains("ann@example.com") && !authors.contains("$2"),
        "no hashes: {authors}"
    );
    let comments = std::fs::read_to_string(export_dir.join("comments.json")).unwrap();
    assert!(comments.contains("Nice post!"), "{comments}");

    let refused = source.run(&["export", arg(&export_dir)]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        refused.stderr.contains("not empty") && refused.stderr.contains("--force"),
        "{}",
        refused.stderr
    );
    source
        .run(&["export", arg(&export_dir), "--force"])
        .success();

    let target = Site::new();
    let imported = target
        .run(&["import", "markdown", arg(&export_dir)])
        .success();
    assert!(
        imported
            .stdout
            .contains("imported 8 posts, 4 users, 1 comment; 0 skipped"),
        "{}",
        imported.stdout
    );

    let before = posts_of(&source);
    let after = posts_of(&target);
    assert_eq!(before.len(), 8);
    let differ: Vec<String> = before
        .iter()
        .filter(|(slug, fields)| after.get(*slug) != Some(fields))
        .map(|(slug, fields)| format!("{slug}:\n  {fields:?}\n  {:?}", after.get(slug)))
        .collect();
    assert!(
        differ.is_empty(),
        "changed by the round trip:\n{}",
        differ.join("\n")
    );
    assert_eq!(count(&target, "comments"), 1);
    let roles = |site: &Site| -> Vec<(String, String, String)> {
        let conn = database(site);
        let mut statement = conn
            .prepare("SELECT email, role, display_name FROM users ORDER BY email")
            .unwrap();
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(roles(&source), roles(&target));
}

/// Uploads an image as the editor does; its `/media/` URL.
fn admin_upload(client: &Client, file: &Path) -> String {
    let page = client.get("/posts/new").assert_status(200);
    let token = page.input_value("csrf_token").expect("a CSRF token");
    let bytes = std::fs::read(file).unwrap();
    let answer = client
        .post_multipart(
            "/uploads",
            &[],
            &[("file", "small.png", &bytes)],
            &[("X-CSRF-Token", &token)],
        )
        .assert_status(200);
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    json["url"].as_str().unwrap().to_owned()
}

#[test]
fn on_a_terminal_import_and_export_draw_a_progress_bar_and_end_with_a_count() {
    let folder = markdown_folder();
    let site = Site::new();
    create_admin(&site, "admin@blog.example");
    let import = site.run_on_terminal(&["import", "markdown", arg(folder.path())]);
    assert!(
        import.contains("/4 files"),
        "a bar counting the files: {import:?}"
    );
    assert!(
        import.contains("imported 4 posts, 1 user; 0 skipped"),
        "{import:?}"
    );

    let out = site.path().join("export");
    let export = site.run_on_terminal(&["export", arg(&out)]);
    assert!(
        export.contains("/4 posts"),
        "a bar counting the posts: {export:?}"
    );
    assert!(export.contains("exported 4 posts"), "{export:?}");

    // Not on a terminal: the count alone, no bar.
    let plain = site.run(&["export", "--force", arg(&out)]).success();
    assert!(!plain.stdout.contains("/4 posts") && !plain.stderr.contains("/4 posts"));
    assert!(
        plain.stdout.contains("exported 4 posts"),
        "{}",
        plain.stdout
    );
}
