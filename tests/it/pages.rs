//! Pages and featured images (issue #15): standalone pages at `/pages/{slug}`, in the
//! site's menu in the admin's order and nowhere posts are listed; a featured image
//! on the lists and in link previews, kept by the media GC and released with its post.

use std::path::PathBuf;

use crate::media::uploaded_url;
use crate::support::{Client, Form, Page, Site, TestServer};

const SMALL_PNG: &[u8] = include_bytes!("../fixtures/small.png");
const WIDE_PNG: &[u8] = include_bytes!("../fixtures/wide.png");
const NOT_AN_IMAGE: &[u8] = include_bytes!("../fixtures/page.html.jpg");

const NEW_PAGE_FORM: &str = "form[action=\"/pages/new\"]";

/// Writes a page through `/pages/new` (with `tags`, which its form does not show, as a
/// script could send them); answers its slug.
pub(crate) fn create_page(client: &Client, title: &str, body: &str) -> String {
    let page = client
        .get("/pages/new")
        .assert_status(200)
        .form(NEW_PAGE_FORM)
        .fill("title", title)
        .fill("body", body)
        .check("tags", "shared")
        .submit()
        .assert_status(303);
    let location = page.location_decoded();
    location
        .strip_prefix("/pages/")
        .unwrap_or_else(|| panic!("a new page leads to /pages/{{slug}}, not {location}"))
        .to_owned()
}

/// Presses a button of the page's own view, like `publish`.
pub(crate) fn page_action(client: &Client, slug: &str, action: &str) -> Page {
    client
        .get(&format!("/pages/{slug}"))
        .assert_status(200)
        .form(&format!("form[action=\"/posts/{slug}/{action}\"]"))
        .submit()
}

/// The menu's links in the header, as a visitor sees them: (text, href).
fn menu(client: &Client, path: &str) -> Vec<(String, String)> {
    client
        .get(path)
        .assert_status(200)
        .select("header nav.site-menu a")
        .iter()
        .map(|a| {
            (
                a.text.trim().to_owned(),
                a.attr("href").unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// The name of a page's position field on `/admin/menu`.
fn position_field(admin_menu: &Page, slug: &str) -> String {
    admin_menu
        .select(&format!(
            "tr.admin-page[data-slug=\"{slug}\"] input[type=\"number\"]"
        ))
        .first()
        .and_then(|input| input.attr("name").map(str::to_owned))
        .unwrap_or_else(|| panic!("{slug} on the menu page: {}", admin_menu.body))
}

pub(crate) fn save_menu(admin: &Client, positions: &[(&str, &str)]) -> Page {
    let page = admin.get("/admin/menu").assert_status(200);
    let mut form = page.form("form#menu");
    for (slug, position) in positions {
        form = form.fill(&position_field(&page, slug), position);
    }
    form.submit()
}

#[test]
fn pages_are_in_the_menu_in_the_admins_order_and_nowhere_posts_are_listed() {
    let server = TestServer::start();
    let admin = server.admin();
    let about = create_page(&admin, "About", "<p>Zebra stripes, the about page</p>");
    let contact = create_page(&admin, "Contact", "<p>Zebra mail, the contact page</p>");
    let draft = create_page(&admin, "Unfinished", "<p>Not yet</p>");
    assert_eq!(about, "about");
    for slug in [&about, &contact] {
        let done = page_action(&admin, slug, "publish").assert_status(303);
        assert_eq!(done.location_decoded(), format!("/pages/{slug}"));
    }
    // A post with the same words and tag, so the lists below are not empty by chance.
    let post = admin.create_post("Zebra news", "<p>Zebra crossing, a post</p>");
    admin.edit_post(&post, "tags", "shared").assert_status(303);
    admin.publish(&post);

    // The admin orders the menu: Contact first; the draft is in no visitor's menu.
    save_menu(&admin, &[(&contact, "1"), (&about, "2"), (&draft, "0")]).assert_status(303);
    let visitor = server.anonymous();
    let expected = vec![
        ("Contact".to_owned(), "/pages/contact".to_owned()),
        ("About".to_owned(), "/pages/about".to_owned()),
    ];
    for path in [
        "/",
        "/pages/about",
        "/search?q=x",
        &format!("/posts/{post}"),
    ] {
        assert_eq!(menu(&visitor, path), expected, "the menu on {path}");
    }
    assert_eq!(
        menu(&admin, "/drafts"),
        expected,
        "signed-in pages have it too"
    );
    let row = server
        .audit_rows()
        .into_iter()
        .find(|row| row.action == "menu.order")
        .expect("an audit row for the menu");
    assert_eq!(row.detail, "unfinished, contact, about");

    // A new order shows at once, cached pages included; a page taken out goes.
    save_menu(&admin, &[(&contact, ""), (&about, "1")]).assert_status(303);
    assert_eq!(
        menu(&visitor, "/"),
        vec![("About".to_owned(), "/pages/about".to_owned())]
    );

    // The page itself: no byline, no date, no comments.
    let shown = visitor.get("/pages/about").assert_status(200);
    assert!(shown.text().contains("Zebra stripes"));
    assert!(!shown.has("p.byline") && !shown.has("time") && !shown.has("#comments"));
    assert!(
        !shown.has(".post-actions"),
        "a visitor gets no edit buttons"
    );
    assert!(admin.get("/pages/about").has(".post-actions"));
    // The post's address of a page leads to the page; a post is no page.
    let moved = visitor.get("/posts/about").assert_status(303);
    assert_eq!(moved.location_decoded(), "/pages/about");
    visitor.get(&format!("/pages/{post}")).assert_status(404);
    visitor.get(&format!("/pages/{draft}")).assert_status(404);
    // No comments on a page, whatever is posted.
    admin
        .post(
            "/posts/about/comments",
            &[("csrf_token", &admin.csrf_token()), ("body", "Hello")],
        )
        .assert_status(404);

    // Nowhere posts are listed.
    let author_page = visitor
        .get(&format!("/posts/{post}"))
        .select("p.byline a.author")[0]
        .attr("href")
        .expect("the author's link")
        .to_owned();
    let search = visitor.get("/search?q=Zebra").assert_status(200);
    let hits: Vec<String> = search
        .select("article.search-hit")
        .iter()
        .map(|hit| hit.text.clone())
        .collect();
    assert_eq!(hits.len(), 1, "only the post is found: {hits:?}");
    for path in ["/", "/feed.xml", "/tags/shared", &author_page] {
        // What the page lists, without the header, where the menu links the page.
        let answer = visitor.get(path).assert_status(200);
        let body = match answer.select("main").first() {
            Some(main) => main.inner_html.clone(),
            None => answer.body.clone(),
        };
        assert!(
            !body.contains("Zebra stripes") && !body.contains("/pages/about"),
            "{path} lists no page"
        );
    }
    assert!(visitor.get("/").body.contains("Zebra news"));
    assert!(visitor.get("/feed.xml").body.contains("Zebra news"));
    assert!(!visitor.get("/sitemap.xml").body.contains("unfinished"));
    assert!(visitor.get("/sitemap.xml").body.contains("/pages/about"));
    // A writer finds draft pages under their drafts, apart from draft posts.
    let drafts = admin.get("/drafts").assert_status(200);
    assert!(drafts.text().contains("Unfinished"));
    assert!(drafts.has("a[href=\"/pages/unfinished\"]"));
}

#[test]
fn the_menu_page_is_for_admins_and_a_bad_position_keeps_the_form() {
    let server = TestServer::start();
    let admin = server.admin();
    let author = server.author("writer@blog.example");
    let about = create_page(&author, "About me", "<p>Hi</p>");
    page_action(&author, &about, "publish").assert_status(303);

    author.get("/admin/menu").assert_status(403);
    author
        .post("/admin/menu", &[("csrf_token", &author.csrf_token())])
        .assert_status(403);

    let refused = save_menu(&admin, &[(&about, "first")]).assert_status(422);
    let field = position_field(&refused, &about);
    assert_eq!(refused.input_value(&field).as_deref(), Some("first"));
    assert!(refused.text().contains("About me"), "{}", refused.text());
    assert!(refused.has("p.field-error"));
    assert!(
        menu(&server.anonymous(), "/").is_empty(),
        "nothing was saved"
    );
    assert!(server
        .audit_rows()
        .iter()
        .all(|row| row.action != "menu.order"));
}

#[test]
fn the_menu_follows_a_change_made_by_another_process() {
    let server = TestServer::start();
    let admin = server.admin();
    let about = create_page(&admin, "About", "<p>Hi</p>");
    page_action(&admin, &about, "publish").assert_status(303);
    save_menu(&admin, &[(&about, "1")]).assert_status(303);
    let visitor = server.anonymous();
    assert_eq!(menu(&visitor, "/").len(), 1);
    // The server keeps the menu in memory, per content version: a write by the CLI
    // moves that version, and the next page reads the menu again.
    server.cli(&["posts", "unpublish", &about]).success();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !menu(&visitor, "/").is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the menu still shows an unpublished page"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    visitor.get(&format!("/pages/{about}")).assert_status(404);
}

fn media_file(server: &TestServer, url: &str) -> PathBuf {
    server
        .path()
        .join("blog-data/media")
        .join(url.trim_start_matches("/media/"))
}

pub(crate) fn edit_form(client: &Client, slug: &str) -> Form {
    client
        .get(&format!("/posts/{slug}/edit"))
        .assert_status(200)
        .form(&format!("form[action=\"/posts/{slug}/edit\"]"))
}

/// The `og:image` and `twitter:image` of a post's page.
fn preview_images(client: &Client, slug: &str) -> (String, String) {
    let page = client.get(&format!("/posts/{slug}")).assert_status(200);
    let content = |css: &str| {
        page.select(css)
            .first()
            .and_then(|meta| meta.attr("content").map(str::to_owned))
            .unwrap_or_default()
    };
    (
        content("meta[property=\"og:image\"]"),
        content("meta[name=\"twitter:image\"]"),
    )
}

fn thumbnail(client: &Client) -> Option<String> {
    client
        .get("/")
        .assert_status(200)
        .select("article.post-summary img.featured")
        .first()
        .and_then(|img| img.attr("src").map(str::to_owned))
}

#[test]
fn a_featured_image_is_on_the_list_and_the_og_image_survives_the_gc_and_goes_with_the_post() {
    let server = Site::new().env("BLOG_MEDIA_GC_GRACE", "0s").start();
    let author = server.author("writer@blog.example");
    let visitor = server.anonymous();
    let in_body = uploaded_url(&author, "small.png", SMALL_PNG);
    let slug = author.create_post(
        "Pictured",
        &format!("<p>Look</p><p><img src=\"{in_body}\"></p>"),
    );
    author.publish(&slug);
    assert_eq!(thumbnail(&visitor), None);
    let (og, _) = preview_images(&visitor, &slug);
    assert!(
        og.ends_with(&in_body),
        "the body's first image until one is featured: {og}"
    );

    // Chosen from the post's images: the edit form offers them.
    let form = edit_form(&author, &slug);
    let offered = author
        .get(&format!("/posts/{slug}/edit"))
        .select("select[name=\"featured_image\"] option")
        .iter()
        .filter_map(|o| o.attr("value").map(str::to_owned))
        .collect::<Vec<_>>();
    let path = in_body.trim_start_matches("/media/").to_owned();
    assert!(offered.contains(&path), "{offered:?}");
    form.fill("featured_image", &path)
        .submit()
        .assert_status(303);
    assert_eq!(thumbnail(&visitor).as_deref(), Some(in_body.as_str()));

    // Uploaded with the form: it is featured instead of the body's image.
    edit_form(&author, &slug)
        .attach("featured_upload", "wide.png", WIDE_PNG)
        .submit()
        .assert_status(303);
    let featured = thumbnail(&visitor).expect("a thumbnail on the list");
    assert_ne!(featured, in_body);
    let (og, twitter) = preview_images(&visitor, &slug);
    assert!(og.starts_with("http") && og.ends_with(&featured), "{og}");
    assert_eq!(twitter, og);
    // A save without the field (a script's, an autosave) keeps it.
    author
        .post(
            &format!("/posts/{slug}/edit"),
            &[
                ("csrf_token", &author.csrf_token()),
                ("title", "Pictured"),
                (
                    "body",
                    &format!("<p>Look</p><p><img src=\"{in_body}\"></p>"),
                ),
            ],
        )
        .assert_status(303);
    assert_eq!(thumbnail(&visitor).as_deref(), Some(featured.as_str()));

    // Only the post's featured image uses the file: the GC keeps it.
    let orphan = uploaded_url(&author, "small.png", SMALL_PNG);
    server
        .cli_env(&["media", "gc"], &[("BLOG_MEDIA_GC_GRACE", "0s")])
        .success();
    assert!(!media_file(&server, &orphan).exists(), "the GC ran");
    assert!(
        media_file(&server, &featured).exists(),
        "the GC counts featured images"
    );
    visitor.get(&featured).assert_status(200);

    // Deleting the post releases it.
    author.delete_post(&slug).assert_status(303);
    assert!(!media_file(&server, &featured).exists());
    assert!(!media_file(&server, &in_body).exists());
}

#[test]
fn a_featured_image_no_longer_chosen_is_released_and_a_bad_one_keeps_the_form() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Plain", "<p>No pictures</p>");
    edit_form(&author, &slug)
        .attach("featured_upload", "small.png", SMALL_PNG)
        .submit()
        .assert_status(303);
    let chosen = author
        .get(&format!("/posts/{slug}/edit"))
        .select("select[name=\"featured_image\"] option[selected]")
        .first()
        .and_then(|o| o.attr("value").map(str::to_owned))
        .unwrap_or_default();
    assert!(!chosen.is_empty(), "the upload is the featured image");
    let file = media_file(&server, &chosen);
    assert!(file.exists());

    // Not one of our uploads, or not an image: 422, with what was typed kept.
    for (form, what) in [
        (
            edit_form(&author, &slug)
                .fill("title", "Plain, renamed")
                .fill("featured_image", "uploads/2020/01/nothing.png"),
            "an unknown path",
        ),
        (
            edit_form(&author, &slug)
                .fill("title", "Plain, renamed")
                .attach("featured_upload", "page.jpg", NOT_AN_IMAGE),
            "not an image",
        ),
    ] {
        let refused = form.submit().assert_status(422);
        assert_eq!(
            refused.input_value("title").as_deref(),
            Some("Plain, renamed"),
            "{what}"
        );
        assert!(
            refused.has("fieldset.featured-image p.field-error"),
            "{what}"
        );
    }
    assert!(file.exists(), "a refused save changes nothing");

    edit_form(&author, &slug)
        .fill("featured_image", "")
        .submit()
        .assert_status(303);
    assert!(!file.exists(), "an image nothing uses any more is deleted");
}

#[test]
fn a_draft_page_autosaves_keeps_revisions_and_has_preview_links_like_a_post() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let slug = create_page(&author, "Colophon", "<p>Set in type</p>");
    let editor = author
        .get(&format!("/posts/{slug}/edit"))
        .assert_status(200);
    assert_eq!(editor.select("h1")[0].text, "Edit page");
    assert!(!editor.has("input[name=\"tags\"]"), "pages have no tags");
    let form = &editor.select("form.post-form")[0];
    assert_eq!(
        form.attr("data-autosave-url"),
        Some(format!("/posts/{slug}/autosave").as_str())
    );
    // The background save, as the editor sends it.
    author
        .post_multipart(
            &format!("/posts/{slug}/autosave"),
            &[
                ("title", "Colophon"),
                ("body", "<p>Set in type, autosaved</p>"),
                ("publish_at", ""),
            ],
            &[],
            &[("x-csrf-token", &author.csrf_token())],
        )
        .assert_status(200);
    assert!(author
        .get(&format!("/pages/{slug}"))
        .assert_status(200)
        .text()
        .contains("Set in type, autosaved"));
    // Its revisions, like a post's (a minute of autosaves folds into one).
    let revisions = author
        .get(&format!("/posts/{slug}/revisions"))
        .assert_status(200);
    assert!(
        revisions.text().contains("Colophon"),
        "{}",
        revisions.text()
    );

    // A preview link shows the draft page to a friend, without a byline.
    let made = author
        .get(&format!("/posts/{slug}/edit"))
        .form(&format!("form[action=\"/posts/{slug}/preview-link\"]"))
        .submit()
        .assert_status(200);
    let url = made.select("#preview-link code")[0].text.clone();
    let friend = server.anonymous();
    friend.get(&format!("/pages/{slug}")).assert_status(404);
    let shown = friend
        .get(&crate::support::path_of(&url))
        .assert_status(200);
    assert!(shown.text().contains("Set in type, autosaved"));
    assert!(!shown.has("p.byline"));

    // Saving from the editor leads back to the page.
    let saved = edit_form(&author, &slug)
        .fill("title", "Colophon, again")
        .submit()
        .assert_status(303);
    assert_eq!(saved.location_decoded(), format!("/pages/{slug}"));
}

#[test]
fn a_page_survives_export_and_import_as_a_page() {
    let server = TestServer::start();
    let admin = server.admin();
    let slug = create_page(&admin, "About us", "<p>Who we are.</p>");
    page_action(&admin, &slug, "publish").assert_status(303);
    let source = server.stop_keeping_folder();
    let out = tempfile::tempdir().expect("a folder");
    let dir = out.path().join("export");
    let dir_arg = dir.to_str().expect("a UTF-8 path");
    source.run(&["export", dir_arg]).success();
    let written = std::fs::read_to_string(dir.join(format!("posts/{slug}.md")))
        .expect("the page is exported");
    assert!(written.contains("\npage: true\n"), "{written}");

    let target = crate::support::Site::new();
    target
        .run_with_stdin(
            &[
                "createsuperuser",
                "--email",
                "admin@blog.example",
                "--password-stdin",
            ],
            crate::support::PASSWORD,
        )
        .success();
    target.run(&["import", "markdown", dir_arg]).success();
    let server = target.start();
    let visitor = server.anonymous();
    let page = visitor.get(&format!("/pages/{slug}")).assert_status(200);
    assert!(page.text().contains("Who we are."));
    assert!(
        !visitor.get("/").text().contains("About us"),
        "not in the posts"
    );
}
