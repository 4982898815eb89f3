//! Search: `/search?q=` finds published posts by English and Korean words (inside
//! longer Korean words too), never drafts, follows every write at once, survives FTS5
//! syntax typed as a query, marks what it found without trusting the post's text as
//! HTML, and pages like the other lists.

use crate::support::{Client, Page, Site, TestServer};

/// `/search?q=…` with every byte of the query percent-encoded but letters and digits.
fn search_url(query: &str) -> String {
    let mut url = String::from("/search?q=");
    for byte in query.bytes() {
        if byte.is_ascii_alphanumeric() {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

fn search(client: &Client, query: &str) -> Page {
    client.get(&search_url(query)).assert_status(200)
}

/// The titles of the posts found, in order.
fn found(client: &Client, query: &str) -> Vec<String> {
    search(client, query)
        .select("article.search-hit h2 a")
        .into_iter()
        .map(|a| a.text)
        .collect()
}

fn publish_post(author: &Client, title: &str, body: &str) -> String {
    let slug = author.create_post(title, body);
    author.publish(&slug);
    slug
}

#[test]
fn finds_an_english_word_in_a_title_and_in_a_body() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    publish_post(&author, "Ownership in Rust", "<p>Nothing to see.</p>");
    publish_post(
        &author,
        "Notes",
        "<p>The <b>borrow</b> checker is strict.</p>",
    );
    let visitor = server.anonymous();
    assert_eq!(found(&visitor, "ownership"), vec!["Ownership in Rust"]);
    assert_eq!(
        search(&visitor, "ownership").select("p.search-count")[0].text,
        "1 post found."
    );
    assert_eq!(found(&visitor, "BORROW checker"), vec!["Notes"]);
    // Markup is not text: the `b` of `<b>` is not a word of the body.
    assert!(found(&visitor, "b>").is_empty());
    let nothing = search(&visitor, "zebra");
    assert!(nothing.has("p.empty"), "{}", nothing.body);
}

#[test]
fn finds_a_korean_word_inside_a_longer_korean_sentence() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    // ASCII titles: the harness finds a post's forms by its slug as typed.
    publish_post(&author, "Diary", "<p>어제 서울에서 친구를 만났습니다</p>");
    publish_post(&author, "Travel", "<p>한국의 부산은 바다가 좋습니다</p>");
    let visitor = server.anonymous();
    // Two syllables, written joined to its particle: no word tokenizer finds this.
    assert_eq!(found(&visitor, "서울"), vec!["Diary"]);
    assert_eq!(found(&visitor, "친구를"), vec!["Diary"]);
    assert_eq!(found(&visitor, "한국"), vec!["Travel"]);
    assert_eq!(found(&visitor, "서울 친구"), vec!["Diary"]);
    assert!(
        found(&visitor, "서울 바다").is_empty(),
        "every word must be found"
    );
    let page = search(&visitor, "서울");
    let snippet = &page.select("article.search-hit .snippet")[0];
    assert!(
        snippet.inner_html.contains("<mark>서울</mark>에서"),
        "{}",
        snippet.inner_html
    );
}

#[test]
fn drafts_are_never_found_and_every_write_shows_on_the_next_search() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let visitor = server.anonymous();
    let slug = author.create_post("Quokka day", "<p>A quokka smiled at me.</p>");
    assert!(found(&visitor, "quokka").is_empty(), "a draft is not found");
    assert!(
        found(&author, "quokka").is_empty(),
        "not even by its author"
    );

    author.publish(&slug);
    assert_eq!(found(&visitor, "quokka"), vec!["Quokka day"]);

    author
        .edit_post(&slug, "body", "<p>A wombat waved.</p>")
        .assert_status(303);
    assert_eq!(found(&visitor, "wombat"), vec!["Quokka day"]);
    assert!(
        found(&visitor, "smiled").is_empty(),
        "the old body is forgotten"
    );

    author.unpublish(&slug);
    assert!(found(&visitor, "wombat").is_empty());
    author.publish(&slug);
    assert_eq!(found(&visitor, "wombat"), vec!["Quokka day"]);
    author.delete_post(&slug).assert_status(303);
    assert!(found(&visitor, "wombat").is_empty());

    // A deleted account takes its posts along, and their index rows with them.
    publish_post(&author, "Platypus", "<p>Egg-laying mammal.</p>");
    assert_eq!(found(&visitor, "platypus"), vec!["Platypus"]);
    server
        .cli(&["users", "delete", "writer@blog.example", "--yes"])
        .success();
    assert!(found(&visitor, "platypus").is_empty());
}

#[test]
fn fts_syntax_in_the_query_gives_results_or_an_empty_page_never_a_500() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    publish_post(
        &author,
        "Operators",
        r#"<p>Write "quoted" text, a * b, AND( x ), NEAR(a b), -x and title: here.</p>"#,
    );
    let visitor = server.anonymous();
    for query in [
        "\"",
        "\"\"\"",
        "*",
        "a*",
        "AND(",
        "AND",
        "OR",
        "NOT",
        "NEAR(",
        "NEAR(a b)",
        "-x",
        "title:",
        "title:operators",
        "^",
        "(",
        ")",
        "{title}: x",
        "'",
        "\\",
        "%",
        "_",
        "\"quoted",
        "quoted\"",
        "+",
        "col:\"a\"",
        ";",
        "--",
    ] {
        let page = search(&visitor, query);
        assert!(
            page.has("article.search-hit") || page.has("p.empty"),
            "{query:?}: {}",
            page.body
        );
    }
    assert_eq!(found(&visitor, "\"quoted\""), vec!["Operators"]);
    assert_eq!(found(&visitor, "AND("), vec!["Operators"]);
    assert_eq!(found(&visitor, "title:"), vec!["Operators"]);
    assert_eq!(found(&visitor, "-x"), vec!["Operators"]);
    assert!(found(&visitor, "NEAR(zzz").is_empty());
}

#[test]
fn the_snippet_marks_the_match_and_escapes_html_from_the_post() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    publish_post(
        &author,
        "<img src=x onerror=alert(1)> Quokka",
        "<p>Type &lt;script&gt;alert(1)&lt;/script&gt; near the quokka.</p>",
    );
    let visitor = server.anonymous();
    let page = search(&visitor, "quokka");
    let hit = &page.select("article.search-hit")[0];
    assert!(
        hit.inner_html
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; near the <mark>quokka</mark>"),
        "{}",
        hit.inner_html
    );
    assert!(
        hit.inner_html
            .contains("&lt;img src=x onerror=alert(1)&gt; <mark>Quokka</mark>"),
        "{}",
        hit.inner_html
    );
    assert!(!page.body.contains("<script>alert"), "{}", page.body);
    assert!(!page.has("article.search-hit img"));
    // The fallback for short words marks them too.
    let short = search(&visitor, "ne");
    assert!(
        short.body.contains("<mark>ne</mark>ar the"),
        "{}",
        short.body
    );
}

#[test]
fn search_pages_are_paged_like_the_home_page() {
    let server = Site::new().env("BLOG_SITE_POSTS_PER_PAGE", "2").start();
    let author = server.author("writer@blog.example");
    for n in 1..=3 {
        publish_post(&author, &format!("Walrus {n}"), "<p>Tusks.</p>");
    }
    let visitor = server.anonymous();
    let first = search(&visitor, "walrus");
    assert_eq!(first.select("article.search-hit").len(), 2);
    // The count is of every post found, not of this page's.
    assert_eq!(first.select("p.search-count")[0].text, "3 posts found.");
    let next = first
        .select("nav.pagination a[rel=next]")
        .first()
        .and_then(|a| a.attr("href").map(str::to_owned))
        .expect("a link to page 2");
    assert_eq!(next, "/search?q=walrus&page=2");
    let second = visitor.get(&next).assert_status(200);
    assert_eq!(found_on(&second), vec!["Walrus 1"], "oldest last");
    visitor.get("/search?q=walrus&page=3").assert_status(404);
    visitor.get("/search?q=walrus&page=abc").assert_status(404);
    visitor.get("/search?q=walrus&page=0").assert_status(404);
    // Nothing found is a page of its own; there is no page after it.
    search(&visitor, "narwhal");
    visitor.get("/search?q=narwhal&page=2").assert_status(404);
    // The page shows what was searched for in its form.
    let main_input = |page: &Page| {
        page.select("main form[role=search] input[name=q]")[0]
            .attr("value")
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        main_input(&search(&visitor, "walrus 서울 \"x")),
        "walrus 서울 \"x"
    );
    // No query: just the form.
    let empty = visitor.get("/search").assert_status(200);
    assert!(!empty.has("article.search-hit") && !empty.has("p.empty"));
    assert_eq!(main_input(&empty), "");
    // Too long: refused with a reason, the form kept.
    let long = "walrus ".repeat(40);
    let refused = visitor.get(&search_url(&long)).assert_status(400);
    assert!(refused.has("p.form-error"), "{}", refused.body);
}

#[test]
fn every_page_has_a_search_box_in_its_header() {
    let server = TestServer::start();
    let visitor = server.anonymous();
    for path in ["/", "/accounts/login", "/search?q=x", "/no-such-page"] {
        let page = visitor.get(path);
        let form = page.select("header form[role=search]");
        assert_eq!(form.len(), 1, "{path}: {}", page.body);
        assert_eq!(form[0].attr("action"), Some("/search"));
        assert_eq!(form[0].attr("method"), Some("get"));
        assert!(page.has("header form[role=search] input[name=q]"), "{path}");
    }
}

fn found_on(page: &Page) -> Vec<String> {
    page.select("article.search-hit h2 a")
        .into_iter()
        .map(|a| a.text)
        .collect()
}
