//! Paging as a browser without JavaScript sees it: numbered links and a "Show more"
//! link to the next page on every list, the `infinite_scroll` switch reaching the page,
//! and `paging.js` loaded as a file (the browser tests in `browser.rs` run it).

use crate::support::{Client, Page, Site, TestServer};

/// `client` publishes `count` posts titled "Post 01", "Post 02", … (the browser tests
/// page through them too).
pub fn publish_posts(client: &Client, count: u32) {
    for n in 1..=count {
        let slug = client.create_post(&format!("Post {n:02}"), &format!("<p>Number {n}.</p>"));
        client.publish(&slug);
    }
}

/// The `href` of the "Show more" link, if the page has one.
fn show_more(page: &Page) -> Option<String> {
    let links = page.select(".show-more a");
    assert!(links.len() <= 1, "one Show more at most on {}", page.url);
    links
        .first()
        .map(|a| a.attr("href").unwrap_or_default().to_owned())
}

/// The path of the signed-in user's author page, from the header's link to it.
pub fn author_path(client: &Client) -> String {
    let page = client.get("/").assert_status(200);
    page.select("a.me")
        .first()
        .and_then(|a| a.attr("href").map(str::to_owned))
        .expect("the header links to the user's author page")
}

#[test]
fn show_more_is_a_plain_link_to_the_next_page_until_the_last_page() {
    let server = TestServer::start();
    publish_posts(&server.author("prolific@blog.example"), 25);
    let visitor = server.anonymous();

    let first = visitor.get("/").assert_status(200);
    assert_eq!(show_more(&first).as_deref(), Some("/?page=2"));
    assert!(first.has("nav.pagination a[rel=next][href=\"/?page=2\"]"));
    assert_eq!(first.select(".show-more a")[0].text, "Show more");

    let second = visitor.get("/?page=2").assert_status(200);
    assert_eq!(show_more(&second).as_deref(), Some("/?page=3"));
    assert!(second.has("nav.pagination a[rel=prev][href=\"/\"]"));

    let last = visitor.get("/?page=3").assert_status(200);
    assert_eq!(show_more(&last), None, "nothing more after the last page");
    assert!(last.has("nav.pagination [aria-current=page]"));
}

#[test]
fn author_pages_page_with_show_more_too() {
    let server = TestServer::start();
    let author = server.author("prolific@blog.example");
    publish_posts(&author, 12);
    let path = author_path(&author);
    let visitor = server.anonymous();

    let first = visitor.get(&path).assert_status(200);
    assert_eq!(first.select("article.post-summary").len(), 10);
    assert_eq!(show_more(&first), Some(format!("{path}?page=2")));
    let second = visitor.get(&format!("{path}?page=2")).assert_status(200);
    assert_eq!(second.select("article.post-summary").len(), 2);
    assert_eq!(show_more(&second), None);
}

#[test]
fn one_page_of_posts_has_neither_page_links_nor_show_more() {
    let server = TestServer::start();
    publish_posts(&server.author("brief@blog.example"), 3);
    let home = server.anonymous().get("/").assert_status(200);
    assert_eq!(home.select("article.post-summary").len(), 3);
    assert!(!home.has("nav.pagination"));
    assert_eq!(show_more(&home), None);
}

#[test]
fn infinite_scroll_reaches_the_page_only_when_switched_on() {
    let server = TestServer::start();
    let home = server.anonymous().get("/").assert_status(200);
    assert!(home.has("body"));
    assert!(!home.has("body[data-infinite-scroll]"), "off by default");

    let server = Site::new().env("BLOG_SITE_INFINITE_SCROLL", "true").start();
    let home = server.anonymous().get("/").assert_status(200);
    assert!(home.has("body[data-infinite-scroll=true]"));
}

#[test]
fn pages_load_paging_js_as_a_deferred_file_and_have_no_inline_script() {
    let server = TestServer::start();
    let visitor = server.anonymous();
    let home = visitor.get("/").assert_status(200);
    let scripts = home.select("script");
    assert!(
        scripts
            .iter()
            .all(|s| s.attr("src").is_some() && s.inner_html.trim().is_empty()),
        "every script is a file: {scripts:?}"
    );
    let paging = scripts
        .iter()
        .find(|s| {
            s.attr("src")
                .is_some_and(|src| src.starts_with("/static/js/paging."))
        })
        .expect("paging.js on the page");
    assert!(
        paging.attr("defer").is_some(),
        "deferred, so it never blocks the page"
    );
    let src = paging.attr("src").unwrap_or_default();
    assert_ne!(src, "/static/js/paging.js", "under its hashed name");
    let js = visitor.get(src).assert_status(200);
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(js.body.contains("IntersectionObserver"));
}
