//! Posts: who sees drafts, publishing, editing, deleting, permissions, the paginated
//! list, slugs, sanitizing, form validation, and the drafts and author pages.

use crate::support::{percent_decode, Client, Page, TestServer, NEW_POST_FORM};

fn title_of(page: &Page) -> String {
    let titles = page.select("article.post h1");
    assert_eq!(titles.len(), 1, "one article.post h1 on {}", page.url);
    titles[0].text.clone()
}

fn body_of(page: &Page) -> String {
    let bodies = page.select("article.post .post-body");
    assert_eq!(bodies.len(), 1, "one .post-body on {}", page.url);
    bodies[0].inner_html.clone()
}

/// Titles of the post summaries on a list page, top to bottom.
fn listed(page: &Page) -> Vec<String> {
    page.select("article.post-summary h2 a[href^=\"/posts/\"]")
        .into_iter()
        .map(|a| a.text)
        .collect()
}

fn edit_form(slug: &str) -> String {
    format!("form[action=\"/posts/{slug}/edit\"]")
}

fn publish_and_list(client: &Client, title: &str) -> String {
    let slug = client.create_post(title, &format!("<p>Body of {title}</p>"));
    client.publish(&slug);
    slug
}

#[test]
fn new_posts_are_drafts_visible_to_their_author_and_admins() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let admin = server.admin();
    let slug = author.create_post("Secret plans", "<p>Not yet</p>");
    let path = format!("/posts/{slug}");

    assert_eq!(
        title_of(&author.get(&path).assert_status(200)),
        "Secret plans"
    );
    assert_eq!(
        title_of(&admin.get(&path).assert_status(200)),
        "Secret plans"
    );
    assert!(!listed(&server.anonymous().get("/").assert_status(200))
        .contains(&"Secret plans".to_owned()));
}

#[test]
fn draft_is_404_for_other_authors_and_anonymous_visitors() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let other = server.author("other@blog.example");
    let slug = author.create_post("Secret plans", "<p>Not yet</p>");
    let path = format!("/posts/{slug}");

    other.get(&path).assert_status(404);
    server.anonymous().get(&path).assert_status(404);
    server
        .anonymous()
        .get("/posts/no-such-post")
        .assert_status(404);
}

#[test]
fn publishing_shows_a_post_to_everyone_and_unpublishing_hides_it_again() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Hello world", "<p>First words</p>");
    let path = format!("/posts/{slug}");
    let visitor = server.anonymous();

    author.publish(&slug);
    let page = visitor.get(&path).assert_status(200);
    assert_eq!(title_of(&page), "Hello world");
    assert!(body_of(&page).contains("First words"));
    assert_eq!(listed(&visitor.get("/")), ["Hello world"]);

    author.unpublish(&slug);
    visitor.get(&path).assert_status(404);
    assert!(listed(&visitor.get("/")).is_empty());
    author.get(&path).assert_status(200);
}

#[test]
fn post_page_shows_edit_controls_to_its_author_and_admins_only() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let other = server.author("other@blog.example");
    let admin = server.admin();
    let slug = publish_and_list(&author, "Controlled");
    let path = format!("/posts/{slug}");
    let controls = [
        format!("a[href=\"/posts/{slug}/edit\"]"),
        format!("form[action=\"/posts/{slug}/unpublish\"]"),
        format!("form[action=\"/posts/{slug}/delete\"]"),
    ];

    for (who, client) in [("author", &author), ("admin", &admin)] {
        let page = client.get(&path).assert_status(200);
        for control in &controls {
            assert!(page.has(control), "the {who} sees {control}");
        }
    }
    for (who, client) in [("other author", &other), ("visitor", &server.anonymous())] {
        let page = client.get(&path).assert_status(200);
        for control in &controls {
            assert!(!page.has(control), "the {who} does not see {control}");
        }
    }
    let draft = author.create_post("Still a draft", "<p>x</p>");
    assert!(author
        .get(&format!("/posts/{draft}"))
        .has(&format!("form[action=\"/posts/{draft}/publish\"]")));
}

#[test]
fn editing_changes_the_title_but_keeps_the_slug() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("First title", "<p>Original body</p>");

    let form = author
        .get(&format!("/posts/{slug}/edit"))
        .assert_status(200)
        .form(&edit_form(&slug));
    assert_eq!(
        form.value("title"),
        Some("First title"),
        "the form holds the current title"
    );
    assert!(
        form.value("body")
            .unwrap_or_default()
            .contains("Original body"),
        "and the current body"
    );
    let page = form
        .fill("title", "Second title")
        .fill("body", "<p>Changed body</p>")
        .submit()
        .assert_status(303);
    assert_eq!(
        page.location_decoded(),
        format!("/posts/{slug}"),
        "same slug after a new title"
    );

    let page = author.get(&format!("/posts/{slug}")).assert_status(200);
    assert_eq!(title_of(&page), "Second title");
    assert!(body_of(&page).contains("Changed body"));
}

#[test]
fn delete_asks_on_get_and_deletes_on_post() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let slug = publish_and_list(&author, "Short lived");
    let path = format!("/posts/{slug}");
    let visitor = server.anonymous();

    let confirm = author
        .get(&format!("/posts/{slug}/delete"))
        .assert_status(200);
    visitor.get(&path).assert_status(200); // asking deletes nothing
    author.get(&path).assert_status(200);

    confirm
        .form(&format!("form[action=\"/posts/{slug}/delete\"]"))
        .submit()
        .assert_status(303);
    visitor.get(&path).assert_status(404);
    author.get(&path).assert_status(404);
    assert!(listed(&visitor.get("/")).is_empty());
}

#[test]
fn another_author_cannot_edit_publish_or_delete_a_post() {
    let server = TestServer::start();
    let owner = server.author("owner@blog.example");
    let intruder = server.author("intruder@blog.example");
    let slug = publish_and_list(&owner, "Mine alone");
    let draft = owner.create_post("My draft", "<p>draft</p>");
    let token = intruder.csrf_token();

    intruder
        .get(&format!("/posts/{slug}/edit"))
        .assert_status(403);
    intruder
        .get(&format!("/posts/{slug}/delete"))
        .assert_status(403);
    let edit = [
        ("csrf_token", token.as_str()),
        ("title", "Hijacked"),
        ("body", "<p>pwned</p>"),
        ("tags", ""),
    ];
    intruder
        .post(&format!("/posts/{slug}/edit"), &edit)
        .assert_status(403);
    for action in ["publish", "unpublish", "delete"] {
        intruder
            .post(
                &format!("/posts/{slug}/{action}"),
                &[("csrf_token", &token)],
            )
            .assert_status(403);
    }
    // On a draft the intruder cannot see, SPEC 12 allows 403 (not theirs) or 404 (a draft).
    intruder
        .post(
            &format!("/posts/{draft}/publish"),
            &[("csrf_token", &token)],
        )
        .assert_status_in(&[403, 404]);

    let visitor = server.anonymous();
    let page = visitor.get(&format!("/posts/{slug}")).assert_status(200);
    assert_eq!(title_of(&page), "Mine alone", "unchanged");
    assert!(!body_of(&page).contains("pwned"));
    visitor.get(&format!("/posts/{draft}")).assert_status(404);
}

#[test]
fn admin_can_edit_and_unpublish_any_post() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let admin = server.admin();
    let slug = publish_and_list(&author, "Needs moderation");

    admin
        .get(&format!("/posts/{slug}/edit"))
        .assert_status(200)
        .form(&edit_form(&slug))
        .fill("title", "Moderated")
        .submit()
        .assert_status(303);
    assert_eq!(
        title_of(&server.anonymous().get(&format!("/posts/{slug}"))),
        "Moderated"
    );
    admin.unpublish(&slug);
    server
        .anonymous()
        .get(&format!("/posts/{slug}"))
        .assert_status(404);
}

#[test]
fn readers_and_visitors_cannot_write_posts() {
    let server = TestServer::start();
    let reader = server.reader("reader@blog.example");
    reader.get("/posts/new").assert_status(403);
    let token = reader.csrf_token();
    let fields = [
        ("csrf_token", token.as_str()),
        ("title", "Reader post"),
        ("body", "<p>x</p>"),
        ("tags", ""),
    ];
    reader.post("/posts/new", &fields).assert_status(403);

    let page = server.anonymous().get("/posts/new").assert_status(303);
    assert!(
        page.location().starts_with("/accounts/login?next="),
        "to login, not {}",
        page.location()
    );
    server.anonymous().get("/drafts").assert_status(303);
}

#[test]
fn index_pages_ten_posts_at_a_time_newest_first() {
    let server = TestServer::start();
    let author = server.author("prolific@blog.example");
    for n in 1..=25 {
        publish_and_list(&author, &format!("Post {n:02}"));
    }
    let visitor = server.anonymous();
    let titles = |range: std::ops::RangeInclusive<u32>| -> Vec<String> {
        range.rev().map(|n| format!("Post {n:02}")).collect()
    };

    let first = visitor.get("/").assert_status(200);
    assert_eq!(
        listed(&first),
        titles(16..=25),
        "page 1: the ten newest, newest first"
    );
    assert!(
        first.has("nav.pagination a[href*=\"page=2\"]"),
        "page 1 links to page 2"
    );
    assert_eq!(
        listed(&visitor.get("/?page=1").assert_status(200)),
        titles(16..=25)
    );
    assert_eq!(
        listed(&visitor.get("/?page=2").assert_status(200)),
        titles(6..=15)
    );
    let third = visitor.get("/?page=3").assert_status(200);
    assert_eq!(listed(&third), titles(1..=5), "page 3 holds the last five");
    assert!(
        third.has("nav.pagination a[href*=\"page=2\"]"),
        "page 3 links back to page 2"
    );

    for past in ["/?page=4", "/?page=0", "/?page=abc", "/?page=-1"] {
        visitor.get(past).assert_status(404);
    }
}

#[test]
fn index_orders_posts_by_publication_time_not_creation_time() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let older = author.create_post("Written first", "<p>1</p>");
    let newer = author.create_post("Written second", "<p>2</p>");
    author.publish(&newer);
    // Publication times must differ; the server keeps them in milliseconds.
    std::thread::sleep(std::time::Duration::from_millis(5));
    author.publish(&older);
    assert_eq!(
        listed(&server.anonymous().get("/")),
        ["Written first", "Written second"],
        "the one published last comes first"
    );
}

#[test]
fn a_korean_title_gives_a_korean_slug() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let page = author
        .get("/posts/new")
        .form(NEW_POST_FORM)
        .fill("title", "안녕 세계")
        .fill("body", "<p>반갑습니다</p>")
        .submit()
        .assert_status(303);
    assert!(
        page.location().is_ascii(),
        "Location is percent-encoded: {:?}",
        page.location()
    );
    assert_eq!(page.location_decoded(), "/posts/안녕-세계");

    let page = author.get("/posts/안녕-세계").assert_status(200);
    assert_eq!(title_of(&page), "안녕 세계");
    assert!(body_of(&page).contains("반갑습니다"));
    let edit = page.select("a[href$=\"/edit\"]");
    assert_eq!(edit.len(), 1, "one edit link");
    assert_eq!(
        percent_decode(edit[0].attr("href").unwrap_or_default()),
        "/posts/안녕-세계/edit"
    );
}

#[test]
fn hostile_html_in_a_body_is_sanitized() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let hostile = r#"<p onclick="x()">hi<script>alert(1)</script><a href="javascript:alert(2)">l</a><img src="x" onerror="y()"></p>"#;
    let slug = author.create_post("Hostile", hostile);

    let page = author.get(&format!("/posts/{slug}")).assert_status(200);
    let body = body_of(&page);
    assert!(body.contains("hi"), "the text survives: {body}");
    for bad in ["<script", "onclick", "onerror", "javascript:"] {
        assert!(
            !body.to_ascii_lowercase().contains(bad),
            "{bad} removed from the body: {body}"
        );
    }
    for bad in ["onclick", "onerror", "javascript:"] {
        assert!(
            !page.body.to_ascii_lowercase().contains(bad),
            "{bad} appears nowhere on the page"
        );
    }
}

#[test]
fn empty_title_is_422_and_keeps_the_typed_body() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let page = author
        .get("/posts/new")
        .form(NEW_POST_FORM)
        .fill("title", "")
        .fill("body", "<p>Typed with care</p>")
        .fill("tags", "keepme")
        .submit();
    assert_eq!(page.status, 422);
    assert!(
        page.has(".field-error"),
        "the problem is stated beside the field"
    );
    let form = page.form(NEW_POST_FORM);
    assert!(
        form.value("body")
            .unwrap_or_default()
            .contains("Typed with care"),
        "the body is kept"
    );
    assert_eq!(form.value("tags"), Some("keepme"), "the tags are kept");
}

#[test]
fn titles_are_limited_to_200_characters() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let too_long = "t".repeat(201);
    let page = author
        .get("/posts/new")
        .form(NEW_POST_FORM)
        .fill("title", &too_long)
        .fill("body", "<p>Long</p>")
        .submit();
    assert_eq!(page.status, 422);
    assert!(page.has(".field-error"));
    assert_eq!(
        page.form(NEW_POST_FORM).value("title"),
        Some(too_long.as_str()),
        "the typed title is kept"
    );

    let slug = author.create_post(&"t".repeat(200), "<p>Just fits</p>");
    assert_eq!(
        title_of(&author.get(&format!("/posts/{slug}"))),
        "t".repeat(200)
    );
}

#[test]
fn drafts_page_lists_only_the_authors_own_drafts() {
    let server = TestServer::start();
    let alice = server.author("alice@blog.example");
    let bob = server.author("bob@blog.example");
    alice.create_post("Alice draft one", "<p>a</p>");
    alice.create_post("Alice draft two", "<p>a</p>");
    publish_and_list(&alice, "Alice published");
    bob.create_post("Bob draft", "<p>b</p>");

    let text = alice.get("/drafts").assert_status(200).text();
    assert!(
        text.contains("Alice draft one") && text.contains("Alice draft two"),
        "{text}"
    );
    assert!(
        !text.contains("Alice published"),
        "published posts are not drafts"
    );
    assert!(!text.contains("Bob draft"), "only her own drafts");

    let text = bob.get("/drafts").assert_status(200).text();
    assert!(
        text.contains("Bob draft") && !text.contains("Alice draft"),
        "{text}"
    );
}

#[test]
fn author_page_lists_their_published_posts_only() {
    let server = TestServer::start();
    let alice = server.author("alice@blog.example");
    let bob = server.author("bob@blog.example");
    let slug = publish_and_list(&alice, "Alice in public");
    alice.create_post("Alice in private", "<p>a</p>");
    publish_and_list(&bob, "Bob in public");

    let post = server
        .anonymous()
        .get(&format!("/posts/{slug}"))
        .assert_status(200);
    let link = post.select("a[href^=\"/authors/\"]");
    let href = link
        .first()
        .and_then(|a| a.attr("href"))
        .expect("the post links to its author")
        .to_owned();

    let text = server.anonymous().get(&href).assert_status(200).text();
    assert!(text.contains("Alice in public"), "{text}");
    assert!(
        !text.contains("Alice in private"),
        "no drafts on the author page"
    );
    assert!(!text.contains("Bob in public"), "no other author's posts");
}

#[test]
fn lists_show_the_first_paragraph_and_the_reading_time() {
    let server = TestServer::start();
    let author = server.author("reading@blog.example");
    let long = format!(
        "<h2>Intro</h2><p>The <b>first</b> paragraph.</p><p>{}</p>",
        "word ".repeat(450)
    );
    let slug = author.create_post("A long read", &long);
    author.publish(&slug);
    let home = server.anonymous().get("/").assert_status(200);
    let summary = &home.select("article.post-summary")[0];
    assert!(
        summary.text.contains("The first paragraph."),
        "{}",
        summary.text
    );
    assert!(
        !summary.text.contains("Intro"),
        "the heading is not the excerpt"
    );
    assert!(
        !summary.text.contains("word word"),
        "only the first paragraph"
    );
    assert!(summary.text.contains("3 min read"), "{}", summary.text);
    let post = server
        .anonymous()
        .get(&format!("/posts/{slug}"))
        .assert_status(200);
    assert!(post.select(".byline")[0].text.contains("3 min read"));
}
