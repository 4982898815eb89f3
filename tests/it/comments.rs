//! Comments: who may write them, moderation, plain text with clickable links, the
//! per-post switch, throttling, CSRF, and what deleting a post does to them.

use crate::support::{Client, Page, Site, TestServer};

fn comment_form(slug: &str) -> String {
    format!("form[action=\"/posts/{slug}/comments\"]")
}

/// A server with `[comments]` set as given, an author and one published post.
fn blog_with(comments_config: &str) -> (TestServer, Client, String) {
    let server = Site::new()
        .config(&format!("[comments]\n{comments_config}\n"))
        .start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Talk to me", "<p>What do you think?</p>");
    author.publish(&slug);
    (server, author, slug)
}

fn post_page(client: &Client, slug: &str) -> Page {
    client.get(&format!("/posts/{slug}")).assert_status(200)
}

/// Sends a comment through the post page's form; the answer as it came.
fn comment(client: &Client, slug: &str, body: &str) -> Page {
    post_page(client, slug)
        .form(&comment_form(slug))
        .fill("body", body)
        .submit()
}

/// The id a successful comment's redirect points at (`/posts/x#comment-7`).
#[track_caller]
fn comment_id(answer: &Page) -> String {
    let location = answer.location();
    location
        .rsplit_once("#comment-")
        .map(|(_, id)| id.to_owned())
        .unwrap_or_else(|| panic!("{location} names no comment"))
}

/// The comment bodies a client sees on the post page, oldest first.
fn bodies(client: &Client, slug: &str) -> Vec<String> {
    post_page(client, slug)
        .select("#comments .comment-body")
        .into_iter()
        .map(|body| body.text)
        .collect()
}

/// Presses a moderator's button (`approve`, `hide`, `delete`) on the post page;
/// "Delete…" is a link to the page that asks, whose button is then pressed.
fn press(client: &Client, slug: &str, id: &str, action: &str) -> Page {
    let page = post_page(client, slug);
    let path = format!("/comments/{id}/{action}");
    if action == "delete" {
        assert!(page.has(&format!("a[href=\"{path}\"]")), "a Delete… link");
        return client.confirm(&path);
    }
    page.form(&format!("form[action=\"{path}\"]")).submit()
}

fn count_comments(server: &TestServer) -> i64 {
    let db = rusqlite::Connection::open(server.path().join("blog-data/blog.sqlite3"))
        .expect("the database opens");
    db.query_row("SELECT count(*) FROM comments", [], |row| row.get(0))
        .expect("count the comments")
}

#[test]
fn a_readers_comment_appears_at_once_without_moderation() {
    let (server, _author, slug) = blog_with("");
    let visitor = server.anonymous();
    // Rendered (and cached) for visitors before the comment exists.
    assert!(bodies(&visitor, &slug).is_empty());

    let reader = server.reader("reader@blog.example");
    let answer = comment(&reader, &slug, "First!").assert_status(303);
    let id = comment_id(&answer);
    assert_eq!(answer.location(), format!("/posts/{slug}#comment-{id}"));

    assert_eq!(bodies(&visitor, &slug), ["First!"]);
    let page = post_page(&visitor, &slug);
    let item = &page.select(&format!("#comment-{id} .commenter"))[0];
    assert_eq!(item.text, "reader");
    assert!(page.has(&format!("#comment-{id} time[datetime]")));
}

#[test]
fn with_moderation_a_comment_waits_for_the_posts_author() {
    let (server, author, slug) = blog_with("moderation = true");
    let visitor = server.anonymous();
    assert!(bodies(&visitor, &slug).is_empty());

    let reader = server.reader("reader@blog.example");
    let answer = comment(&reader, &slug, "Please approve me").assert_status(303);
    assert_eq!(
        answer.location(),
        format!("/posts/{slug}?comment=held#comments")
    );
    assert!(answer.follow().has("#comments .notice[role=status]"));
    assert!(bodies(&visitor, &slug).is_empty(), "held from visitors");
    // Its writer sees it, marked as waiting.
    let own = post_page(&reader, &slug);
    assert_eq!(own.select("#comments .badge.pending").len(), 1);
    assert!(!own.has("form[action$=\"/approve\"]"));

    let page = post_page(&author, &slug);
    assert_eq!(bodies(&author, &slug), ["Please approve me"]);
    let approve = page.select("form[action$=\"/approve\"]");
    assert_eq!(approve.len(), 1, "the author may approve it");
    let action = approve[0].attr("action").unwrap().to_owned();
    let id = action.split('/').nth(2).unwrap().to_owned();
    press(&author, &slug, &id, "approve").assert_status(303);

    assert_eq!(bodies(&visitor, &slug), ["Please approve me"]);

    // The post's author needs no one's approval.
    let answer = comment(&author, &slug, "Thanks for reading").assert_status(303);
    comment_id(&answer);
    assert_eq!(
        bodies(&visitor, &slug),
        ["Please approve me", "Thanks for reading"]
    );
}

#[test]
fn visitors_cannot_comment_unless_the_config_allows_it() {
    let (server, author, slug) = blog_with("");
    let visitor = server.anonymous();
    let page = post_page(&visitor, &slug);
    assert!(!page.has(&comment_form(&slug)), "no form for visitors");
    let login = page.select("#comments a[href^=\"/accounts/login\"]");
    assert_eq!(login.len(), 1, "a link to log in instead");

    let token = visitor.csrf_token();
    let refused = visitor
        .post(
            &format!("/posts/{slug}/comments"),
            &[
                ("csrf_token", &token),
                ("name", "Mallory"),
                ("body", "sneaking in"),
            ],
        )
        .assert_status(403);
    assert!(refused.has("a[href^=\"/accounts/login\"]"));
    assert!(bodies(&author, &slug).is_empty());
    assert_eq!(count_comments(&server), 0);
}

#[test]
fn with_anonymous_comments_a_visitor_signs_with_a_name() {
    let (server, _author, slug) = blog_with("anonymous = true");
    let visitor = server.anonymous();
    let page = post_page(&visitor, &slug);
    // The form carries this visitor's token, so the page is theirs alone.
    assert!(!page.set_cookies().is_empty(), "the token's cookie is set");
    let form = page.form(&comment_form(&slug));
    assert_eq!(form.value("name"), Some(""));

    let unsigned = form.fill("body", "Who am I?").submit().assert_status(422);
    assert!(unsigned.has("[role=alert]"));
    assert_eq!(
        unsigned.select("textarea[name=body]")[0].text,
        "Who am I?",
        "what was typed stays"
    );

    let answer = post_page(&visitor, &slug)
        .form(&comment_form(&slug))
        .fill("name", "  Kim  Min-ji ")
        .fill("body", "Hello from a guest")
        .submit()
        .assert_status(303);
    let id = comment_id(&answer);

    let other = server.anonymous();
    let page = post_page(&other, &slug);
    assert_eq!(bodies(&other, &slug), ["Hello from a guest"]);
    let name = &page.select(&format!("#comment-{id} .commenter"))[0];
    assert_eq!(name.text, "Kim Min-ji");
    assert!(
        page.has(&format!("#comment-{id} .badge")),
        "marked as a guest"
    );
}

#[test]
fn a_comment_is_plain_text_with_its_links_made_clickable() {
    let (server, _author, slug) = blog_with("");
    let reader = server.reader("reader@blog.example");
    let body = "<script>alert(1)</script> <b>bold</b>\nsee https://example.com/a?b=1&c=2 now";
    let id = comment_id(&comment(&reader, &slug, body).assert_status(303));

    let page = post_page(&server.anonymous(), &slug);
    let html = &page.select(&format!("#comment-{id} .comment-body"))[0].inner_html;
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("<br>"), "the line break is kept: {html}");
    let links = page.select(&format!("#comment-{id} .comment-body a"));
    assert_eq!(links.len(), 1, "{html}");
    assert_eq!(links[0].attr("href"), Some("https://example.com/a?b=1&c=2"));
    assert_eq!(links[0].attr("rel"), Some("nofollow ugc noopener"));
    assert!(
        !page.has("script:not([src])"),
        "no inline script on the page"
    );
}

#[test]
fn only_the_posts_author_and_admins_moderate_its_comments() {
    let (server, author, slug) = blog_with("");
    let reader = server.reader("reader@blog.example");
    let id = comment_id(&comment(&reader, &slug, "Keep me").assert_status(303));
    let other = server.author("other@blog.example");
    let visitor = server.anonymous();

    assert!(!post_page(&other, &slug).has("form[action^=\"/comments/\"]"));
    for client in [&other, &reader] {
        let token = client.csrf_token();
        for action in ["approve", "hide", "delete"] {
            client
                .post(
                    &format!("/comments/{id}/{action}"),
                    &[("csrf_token", &token)],
                )
                .assert_status(403);
        }
    }
    let token = visitor.csrf_token();
    visitor
        .post(&format!("/comments/{id}/hide"), &[("csrf_token", &token)])
        .assert_status(403);
    assert_eq!(bodies(&visitor, &slug), ["Keep me"], "nothing changed");

    let token = author.csrf_token();
    author
        .post("/comments/999999/hide", &[("csrf_token", &token)])
        .assert_status(404);

    let hidden = press(&author, &slug, &id, "hide").assert_status(303);
    assert_eq!(hidden.location(), format!("/posts/{slug}#comment-{id}"));
    assert!(bodies(&visitor, &slug).is_empty(), "hidden from readers");
    assert!(post_page(&author, &slug).has(&format!("#comment-{id} .badge.hidden")));

    let admin = server.admin();
    press(&admin, &slug, &id, "approve").assert_status(303);
    assert_eq!(bodies(&visitor, &slug), ["Keep me"]);

    press(&author, &slug, &id, "delete").assert_status(303);
    assert!(bodies(&author, &slug).is_empty());
    assert_eq!(count_comments(&server), 0);
}

#[test]
fn deleting_a_post_deletes_its_comments() {
    let (server, author, slug) = blog_with("");
    let reader = server.reader("reader@blog.example");
    comment(&reader, &slug, "One").assert_status(303);
    comment(&reader, &slug, "Two").assert_status(303);
    assert_eq!(count_comments(&server), 2);

    author.delete_post(&slug).assert_status(303);
    assert_eq!(count_comments(&server), 0);
}

#[test]
fn a_closed_post_refuses_new_comments_and_says_so() {
    let (server, author, slug) = blog_with("");
    let reader = server.reader("reader@blog.example");
    comment(&reader, &slug, "Before closing").assert_status(303);

    assert!(!post_page(&reader, &slug).has("[href$=\"/comments/close\"]"));
    let closed = author
        .confirm(&format!("/posts/{slug}/comments/close"))
        .assert_status(303);
    assert_eq!(closed.location(), format!("/posts/{slug}#comments"));

    let page = post_page(&reader, &slug);
    assert!(!page.has(&comment_form(&slug)));
    assert!(page.has("#comments .comments-closed"));
    assert_eq!(bodies(&reader, &slug), ["Before closing"], "old ones stay");
    let token = reader.csrf_token();
    let refused = reader
        .post(
            &format!("/posts/{slug}/comments"),
            &[("csrf_token", &token), ("body", "Too late")],
        )
        .assert_status(403);
    assert!(refused.text().contains("closed"), "{}", refused.text());
    assert_eq!(count_comments(&server), 1);

    author
        .post_action(&slug, "comments/open")
        .assert_status(303);
    comment(&reader, &slug, "Open again").assert_status(303);
    assert_eq!(count_comments(&server), 2);
}

#[test]
fn comment_posting_is_throttled_per_client_address() {
    let (server, _author, slug) = blog_with("");
    let reader = server.reader("reader@blog.example");
    for n in 0..10 {
        comment(&reader, &slug, &format!("Comment {n}")).assert_status(303);
    }
    let refused = comment(&reader, &slug, "One too many").assert_status(429);
    assert!(refused.has("[role=alert]"));
    assert_eq!(
        refused.select("textarea[name=body]")[0].text,
        "One too many",
        "the form is kept"
    );
    assert_eq!(count_comments(&server), 10);
}

#[test]
fn every_comment_post_needs_the_csrf_token() {
    let (server, author, slug) = blog_with("");
    let reader = server.reader("reader@blog.example");
    post_page(&reader, &slug)
        .form(&comment_form(&slug))
        .fill("body", "forged")
        .without("csrf_token")
        .submit()
        .assert_status(403);
    assert_eq!(count_comments(&server), 0);

    let id = comment_id(&comment(&reader, &slug, "Real one").assert_status(303));
    let forged = |action: &str| {
        // Delete's form is on the page that asks; the others are on the post.
        let page = match action {
            "delete" => author.get(&format!("/comments/{id}/delete")),
            _ => post_page(&author, &slug),
        };
        page.form(&format!("form[action=\"/comments/{id}/{action}\"]"))
            .without("csrf_token")
            .submit()
            .assert_status(403);
    };
    forged("hide");
    forged("delete");
    assert_eq!(bodies(&server.anonymous(), &slug), ["Real one"]);
    // An approve button shows only on a comment that is not approved.
    press(&author, &slug, &id, "hide").assert_status(303);
    forged("approve");
    assert!(
        bodies(&server.anonymous(), &slug).is_empty(),
        "still hidden"
    );
    press(&author, &slug, &id, "approve").assert_status(303);
    author
        .post(&format!("/posts/{slug}/comments/close"), &[])
        .assert_status(403);
    assert_eq!(bodies(&server.anonymous(), &slug), ["Real one"]);
    assert!(
        post_page(&reader, &slug).has(&comment_form(&slug)),
        "still open"
    );
}

#[test]
fn a_rejected_comment_comes_back_with_the_problem() {
    let (server, _author, slug) = blog_with("");
    let reader = server.reader("reader@blog.example");
    let empty = comment(&reader, &slug, "   \n  ").assert_status(422);
    assert!(empty.has("form .field-error"));
    let long = "x".repeat(5001);
    let too_long = comment(&reader, &slug, &long).assert_status(422);
    assert_eq!(too_long.select("textarea[name=body]")[0].text, long);
    assert_eq!(count_comments(&server), 0);
}

#[test]
fn with_comments_off_there_are_none_to_see_or_send() {
    let (server, _author, slug) = blog_with("enabled = false");
    let reader = server.reader("reader@blog.example");
    assert!(!post_page(&reader, &slug).has("#comments"));
    let token = reader.csrf_token();
    reader
        .post(
            &format!("/posts/{slug}/comments"),
            &[("csrf_token", &token), ("body", "Anyone?")],
        )
        .assert_status(404);
    assert_eq!(count_comments(&server), 0);
}

#[test]
fn comments_speak_korean_on_a_korean_site() {
    let server = Site::new().config("[site]\nlanguage = \"ko\"\n").start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Hello", "<p>Hi</p>");
    author.publish(&slug);
    let page = post_page(&server.anonymous(), &slug);
    assert_eq!(page.select("#comments h2")[0].text, "댓글");
    assert!(page.text().contains("로그인하고 댓글 쓰기"));
}

#[test]
fn each_comment_shows_its_writers_thumbnail_and_name() {
    let (server, _author, slug) = blog_with("");
    let reader = server.reader("reader@blog.example");
    crate::media::set_avatar(
        &reader,
        "small.png",
        include_bytes!("../fixtures/small.png"),
    )
    .assert_status(303);
    let profile = reader.get("/accounts/profile").assert_status(200);
    let name_field = profile.form("form[action=\"/accounts/profile\"]");
    name_field
        .fill("display_name", "Rea Der")
        .submit()
        .assert_status(303);
    comment(&reader, &slug, "Nice post.").assert_status(303);

    let page = post_page(&server.anonymous(), &slug);
    let comment = &page.select("#comments article.comment")[0];
    assert!(comment.text.contains("Rea Der"), "{}", comment.text);
    let thumbnails = page.select("#comments article.comment img.avatar");
    assert_eq!(thumbnails.len(), 1);
    let src = thumbnails[0].attr("src").unwrap().to_owned();
    assert!(src.starts_with("/media/avatars/"), "{src}");
    server.anonymous().get(&src).assert_status(200);
    let thumbnail = image::load_from_memory(&server.anonymous().get(&src).bytes).unwrap();
    assert_eq!(
        (thumbnail.width(), thumbnail.height()),
        (64, 64),
        "the 64 px copy"
    );
}

#[test]
fn deleting_a_comment_asks_first_and_only_the_answer_deletes() {
    let (server, author, slug) = blog_with("");
    let reader = server.reader("reader@blog.example");
    let id = comment_id(&comment(&reader, &slug, "Mind your words").assert_status(303));

    let page = post_page(&author, &slug);
    assert!(
        !page.has(&format!("form[action=\"/comments/{id}/delete\"]")),
        "no button on the post deletes at once"
    );
    let link = &page.select(&format!("#comment-{id} a[href=\"/comments/{id}/delete\"]"))[0];
    assert_eq!(link.text, "Delete…");

    let asking = author
        .get(&format!("/comments/{id}/delete"))
        .assert_status(200);
    assert_eq!(asking.select("h1")[0].text, "Delete this comment?");
    assert!(
        asking.text().contains("Mind your words"),
        "it shows what goes"
    );
    assert_eq!(
        asking.select(".confirm a")[0].attr("href"),
        Some(format!("/posts/{slug}#comment-{id}").as_str()),
        "\"keep it\" leads back to the comment"
    );
    assert_eq!(count_comments(&server), 1, "asking deleted nothing");

    // Only the post's author and the admins are asked; the rest are refused.
    reader
        .get(&format!("/comments/{id}/delete"))
        .assert_status(403);
    server
        .anonymous()
        .get(&format!("/comments/{id}/delete"))
        .assert_status(403);
    author.get("/comments/999999/delete").assert_status(404);

    let done = author
        .confirm(&format!("/comments/{id}/delete"))
        .assert_status(303);
    assert_eq!(done.location(), format!("/posts/{slug}#comments"));
    assert_eq!(count_comments(&server), 0);
}

#[test]
fn closing_comments_asks_first_and_only_the_answer_closes() {
    let (server, author, slug) = blog_with("");
    let reader = server.reader("reader@blog.example");
    let close = format!("/posts/{slug}/comments/close");

    let page = post_page(&author, &slug);
    assert!(
        !page.has(&format!("form[action=\"{close}\"]")),
        "no button closes at once"
    );
    let switch = &page.select(&format!("#comments .comment-switch a[href=\"{close}\"]"))[0];
    assert_eq!(switch.text, "Close comments…");

    let asking = author.get(&close).assert_status(200);
    assert_eq!(
        asking.select("h1")[0].text,
        "Close comments on “Talk to me”?"
    );
    assert!(
        post_page(&reader, &slug).has(&comment_form(&slug)),
        "asking closed nothing"
    );
    reader.get(&close).assert_status(403);
    server.anonymous().get(&close).assert_status(403);

    author.confirm(&close).assert_status(303);
    let page = post_page(&reader, &slug);
    assert!(!page.has(&comment_form(&slug)));
    assert!(page.has("#comments .comments-closed"));
    // Opening again is not destructive: one button, no question.
    assert!(post_page(&author, &slug).has(&format!("form[action=\"/posts/{slug}/comments/open\"]")));
}
