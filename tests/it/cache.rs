//! The page cache never serves stale content: every write is visible on the very next
//! read of every page it affects, for visitors whose pages come from the cache.

use crate::support::{Client, TestServer};

/// Reads every page a post shows on, as an anonymous visitor (filling the cache).
fn read_all(visitor: &Client, slug: &str) -> [String; 3] {
    [
        visitor.get("/").assert_status(200).text(),
        visitor
            .get(&format!("/posts/{slug}"))
            .assert_status(200)
            .text(),
        visitor.get("/authors/1").assert_status(200).text(),
    ]
}

#[test]
fn a_write_is_visible_on_the_very_next_read_of_every_page_it_affects() {
    let server = TestServer::start();
    let author = server.author("fresh@blog.example");
    let visitor = server.anonymous();
    let slug = author.create_post("First title", "<p>first body</p>");
    author.publish(&slug);
    for page in read_all(&visitor, &slug) {
        assert!(page.contains("First title"));
    }
    // Twice, so the second read is served from the cache.
    read_all(&visitor, &slug);

    // Edit: list, post and author page all show the new title at once.
    author
        .edit_post(&slug, "title", "Second title")
        .assert_status(303);
    for page in read_all(&visitor, &slug) {
        assert!(
            page.contains("Second title") && !page.contains("First title"),
            "{page}"
        );
    }

    // Profile: the author's new name shows on the list, the post and their page.
    author
        .get("/accounts/profile")
        .form("form[action=\"/accounts/profile\"]")
        .fill("display_name", "Renamed Writer")
        .submit()
        .assert_status(303);
    for page in read_all(&visitor, &slug) {
        assert!(page.contains("Renamed Writer"), "{page}");
    }

    // A new post appears on the list and the author page at once.
    let other = author.create_post("Brand new", "<p>x</p>");
    author.publish(&other);
    let [list, _, author_page] = read_all(&visitor, &slug);
    assert!(list.contains("Brand new") && author_page.contains("Brand new"));

    // Unpublish hides it at once; its page is 404 for the visitor.
    author.unpublish(&other);
    let [list, _, author_page] = read_all(&visitor, &slug);
    assert!(!list.contains("Brand new") && !author_page.contains("Brand new"));
    visitor.get(&format!("/posts/{other}")).assert_status(404);

    // Delete: gone from every page.
    author.delete_post(&slug).assert_status(303);
    visitor.get(&format!("/posts/{slug}")).assert_status(404);
    assert!(!visitor.get("/").text().contains("Second title"));
    assert!(!visitor.get("/authors/1").text().contains("Second title"));
}

#[test]
fn a_write_by_the_command_line_reaches_cached_pages_too() {
    let server = TestServer::start();
    let author = server.author("cli@blog.example");
    let visitor = server.anonymous();
    let slug = author.create_post("Soon gone", "<p>x</p>");
    author.publish(&slug);
    assert!(visitor.get("/").text().contains("Soon gone"));
    assert!(
        visitor.get("/").text().contains("Soon gone"),
        "now from the cache"
    );

    server
        .cli(&["users", "delete", "cli@blog.example", "--yes"])
        .success();
    // Another process's commit is noticed by the cache's watcher within milliseconds;
    // allow it a bounded moment.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while visitor.get("/").text().contains("Soon gone") {
        assert!(
            std::time::Instant::now() < deadline,
            "the deleted post stayed on the list"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    visitor.get(&format!("/posts/{slug}")).assert_status(404);
}

#[test]
fn feed_and_tag_page_show_an_edit_and_a_publication_on_the_very_next_read() {
    let server = TestServer::start();
    let author = server.author("fresh@blog.example");
    let visitor = server.anonymous();
    let write = |title: &str| {
        author
            .get("/posts/new")
            .form("form[action=\"/posts/new\"]")
            .fill("title", title)
            .fill("body", "<p>x</p>")
            .fill("tags", "fresh")
            .submit()
            .assert_status(303)
            .location_decoded()
            .trim_start_matches("/posts/")
            .to_owned()
    };
    let slug = write("First title");
    author.publish(&slug);
    let read = || {
        [
            visitor.get("/feed.xml").assert_status(200).body,
            visitor.get("/tags/fresh").assert_status(200).text(),
        ]
    };
    // Twice, so the tag page's second read comes from the cache.
    read();
    for page in read() {
        assert!(page.contains("First title"), "{page}");
    }

    author
        .edit_post(&slug, "title", "Second title")
        .assert_status(303);
    for page in read() {
        assert!(
            page.contains("Second title") && !page.contains("First title"),
            "{page}"
        );
    }

    let other = write("Brand new");
    for page in read() {
        assert!(!page.contains("Brand new"), "a draft shows nowhere: {page}");
    }
    author.publish(&other);
    for page in read() {
        assert!(page.contains("Brand new"), "{page}");
    }
}

/// What the page cache compares against: the count of changes to what readers see.
fn content_version(server: &TestServer) -> i64 {
    rusqlite::Connection::open(server.path().join("blog-data/blog.sqlite3"))
        .expect("the database opens")
        .query_row("SELECT n FROM content_version", [], |row| row.get(0))
        .expect("the content version")
}

#[test]
fn an_upload_no_page_shows_yet_leaves_cached_pages_alone() {
    let server = TestServer::start();
    let author = server.author("pics@blog.example");
    let visitor = server.anonymous();
    let slug = author.create_post("A picture soon", "<p>Words first.</p>");
    author.publish(&slug);
    read_all(&visitor, &slug);

    // The upload and its copies are stored, but no page a visitor sees shows them.
    let before = content_version(&server);
    let url = crate::media::uploaded_url(
        &author,
        "small.png",
        include_bytes!("../fixtures/small.png"),
    );
    assert_eq!(content_version(&server), before, "the cache stays warm");

    // Saving the post that shows it is the change: the next read shows the image.
    author
        .edit_post(
            &slug,
            "body",
            &format!("<p><img src=\"{url}\" alt=\"A small dot\"></p>"),
        )
        .assert_status(303);
    assert!(content_version(&server) > before);
    let post = visitor.get(&format!("/posts/{slug}")).assert_status(200);
    assert!(post.has(&format!("img[src=\"{url}\"]")), "{}", post.body);
}
