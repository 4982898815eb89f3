//! Webmentions between two real blogs on 127.0.0.1 (`[federation]` on, loopback
//! allowed): a post on A that links to a post on B makes A send a webmention, B fetch
//! A's post to check it, and, once B's author approves it, show it under B's post.
//! A mention whose source does not link back ends refused and is never shown; bad
//! requests get 400 and store nothing; with federation off there is no endpoint.

use std::time::{Duration, Instant};

use crate::support::{Client, Page, Site, TestServer};

const FEDERATION: &str = "[federation]\nenabled = true\nallow_private_addresses = true\n";

/// How long the asynchronous steps (send, fetch, check) may take.
const PATIENCE: Duration = Duration::from_secs(30);

fn federated() -> TestServer {
    Site::new().config(FEDERATION).start()
}

/// A published post by `author` with this body; answers its slug.
fn published(author: &Client, title: &str, body: &str) -> String {
    let slug = author.create_post(title, body);
    author.publish(&slug);
    slug
}

/// Asks `get` again until `done` holds for its page, failing after `PATIENCE`.
#[track_caller]
fn eventually(what: &str, get: impl Fn() -> Page, done: impl Fn(&Page) -> bool) -> Page {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let page = get();
        if done(&page) {
            return page;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: still not so after {PATIENCE:?}:\n{}",
            page.body
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn rows(server: &TestServer, sql: &str) -> Vec<(String, String, String, Option<String>)> {
    let db = rusqlite::Connection::open(server.path().join("blog-data/blog.sqlite3"))
        .expect("the database opens");
    let mut statement = db.prepare(sql).expect("a query of the webmention tables");
    statement
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .expect("the query runs")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn received(server: &TestServer) -> Vec<(String, String, String, Option<String>)> {
    rows(
        server,
        "SELECT source, target, status, reason FROM webmentions ORDER BY id",
    )
}

#[test]
fn a_post_on_one_blog_that_links_to_another_is_mentioned_there_once_approved() {
    let b = federated();
    let b_author = b.author("writer@b.example");
    let b_slug = published(&b_author, "Harbour notes", "<p>The harbour at dawn.</p>");
    let b_url = format!("{}/posts/{b_slug}", b.base_url());

    // B tells senders where its endpoint is, in a header and in the head.
    let page = b
        .anonymous()
        .get(&format!("/posts/{b_slug}"))
        .assert_status(200);
    let endpoint = format!("{}/webmention", b.base_url());
    let advertised = format!("<{endpoint}>; rel=\"webmention\"");
    assert!(
        page.headers
            .iter()
            .any(|(name, value)| name == "link" && *value == advertised),
        "{:?}",
        page.headers
    );
    let links = page.select("head link[rel=webmention]");
    assert_eq!(
        links.first().and_then(|l| l.attr("href")),
        Some(endpoint.as_str())
    );

    let a = federated();
    let a_author = a.author("reader@a.example");
    let a_slug = published(
        &a_author,
        "A walk to the harbour",
        &format!("<p>After reading <a href=\"{b_url}\">these notes</a> I went too.</p>"),
    );
    let a_url = format!("{}/posts/{a_slug}", a.base_url());
    let a_page = a.anonymous().get(&format!("/posts/{a_slug}"));
    let a_name = a_page
        .select(".byline .p-author")
        .first()
        .expect("a byline")
        .text
        .clone();

    // A sends, B checks A's post and holds the mention for B's author.
    let waiting = eventually(
        "B's author sees the mention waiting",
        || b_author.get(&format!("/posts/{b_slug}")),
        |page| page.has("#mentions .mention[data-status=pending]"),
    );
    let mention = &waiting.select("#mentions .mention")[0];
    assert!(
        mention.text.contains("A walk to the harbour"),
        "{}",
        mention.text
    );
    assert!(mention.text.contains(&a_name), "{}", mention.text);
    let anonymous = b.anonymous().get(&format!("/posts/{b_slug}"));
    assert!(
        !anonymous.has("#mentions"),
        "nobody else sees it before approval"
    );

    let approve = waiting.select("#mentions form[action$=\"/approve\"]");
    let action = approve[0]
        .attr("action")
        .expect("an approve form")
        .to_owned();
    waiting
        .form(&format!("form[action=\"{action}\"]"))
        .submit()
        .assert_status(303);

    let shown = b
        .anonymous()
        .get(&format!("/posts/{b_slug}"))
        .assert_status(200);
    let mentions = shown.select("#mentions .mention");
    assert_eq!(mentions.len(), 1, "{}", shown.body);
    assert!(mentions[0].text.contains("A walk to the harbour"));
    let author_link = &shown.select("#mentions .mention-author")[0];
    assert_eq!(author_link.text, a_name);
    assert_eq!(author_link.attr("rel"), Some("nofollow ugc"));
    let source_link = &shown.select("#mentions .mention-source a")[0];
    assert_eq!(source_link.attr("href"), Some(a_url.as_str()));

    // A's outbox says where it went (A logs it once recorded).
    a.log_with(&format!("webmentions: sent {a_url}"));
    let sent = rows(
        &a,
        "SELECT source, target, status, endpoint FROM webmention_outbox",
    );
    assert_eq!(
        sent,
        vec![(
            a_url.clone(),
            b_url.clone(),
            "sent".into(),
            Some(endpoint.clone())
        )]
    );

    // An update of A's post that drops the link: B hears again, finds no link, and
    // the mention goes from the page.
    a_author
        .edit_post(&a_slug, "body", "<p>I went to the harbour.</p>")
        .assert_status(303);
    eventually(
        "the mention leaves B's post once A's post no longer links to it",
        || b.anonymous().get(&format!("/posts/{b_slug}")),
        |page| !page.has("#mentions"),
    );
    let after = received(&b);
    assert_eq!(after.len(), 1, "the same source and target are one mention");
    assert_eq!(after[0].2, "refused");
}

#[test]
fn a_mention_whose_source_does_not_link_back_is_refused_and_never_shown() {
    let b = federated();
    let b_author = b.author("writer@b.example");
    let b_slug = published(&b_author, "Harbour notes", "<p>The harbour at dawn.</p>");
    let b_url = format!("{}/posts/{b_slug}", b.base_url());
    let a = federated();
    let a_author = a.author("reader@a.example");
    let a_slug = published(&a_author, "Unrelated", "<p>Nothing about harbours.</p>");
    let a_url = format!("{}/posts/{a_slug}", a.base_url());

    let answer = b
        .anonymous()
        .post("/webmention", &[("source", &a_url), ("target", &b_url)])
        .assert_status(202);
    assert!(answer.body.starts_with("Accepted"), "{}", answer.body);
    b.log_with("the source does not link to the target");
    assert_eq!(
        received(&b),
        vec![(
            a_url,
            b_url,
            "refused".into(),
            Some("the source does not link to the target".into())
        )]
    );
    let page = b_author.get(&format!("/posts/{b_slug}")).assert_status(200);
    assert!(!page.has("#mentions"), "not even its author sees it");
}

#[test]
fn bad_requests_get_400_with_a_reason_and_store_nothing() {
    let server = federated();
    let author = server.author("writer@b.example");
    let slug = published(&author, "Harbour notes", "<p>x</p>");
    let draft = author.create_post("Draft notes", "<p>y</p>");
    let base = server.base_url().to_owned();
    let post = format!("{base}/posts/{slug}");
    let cases: Vec<(Vec<(&str, String)>, &str)> = vec![
        (vec![("target", post.clone())], "source is missing"),
        (
            vec![("source", "https://a.example/x".into())],
            "target is missing",
        ),
        (
            vec![
                ("source", "ftp://a.example/x".into()),
                ("target", post.clone()),
            ],
            "not an http or https URL",
        ),
        (
            vec![("source", post.clone()), ("target", post.clone())],
            "the same URL",
        ),
        (
            vec![
                ("source", "https://a.example/x".into()),
                ("target", "https://elsewhere.example/posts/x".into()),
            ],
            "not on this blog",
        ),
        (
            vec![
                ("source", "https://a.example/x".into()),
                ("target", format!("{base}/posts/{draft}")),
            ],
            "not a published post",
        ),
        (
            vec![
                ("source", "https://a.example/x".into()),
                ("target", format!("{base}/posts/no-such-post")),
            ],
            "not a published post",
        ),
        (
            vec![
                ("source", "https://a.example/x".into()),
                ("target", format!("{base}/tags/x")),
            ],
            "not a published post",
        ),
    ];
    let client = server.anonymous();
    for (fields, reason) in &cases {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = client.post("/webmention", &fields).assert_status(400);
        assert!(answer.body.contains(reason), "{fields:?}: {}", answer.body);
        assert_eq!(
            answer.body.trim_end().lines().count(),
            1,
            "one line: {}",
            answer.body
        );
    }
    assert!(received(&server).is_empty(), "nothing was stored");
}

#[test]
fn with_federation_off_there_is_no_endpoint_and_nothing_is_advertised() {
    let server = TestServer::start();
    let author = server.author("writer@b.example");
    let slug = published(&author, "Harbour notes", "<p>x</p>");
    let post = format!("{}/posts/{slug}", server.base_url());
    server
        .anonymous()
        .post(
            "/webmention",
            &[("source", "https://a.example/x"), ("target", &post)],
        )
        .assert_status(404);
    let page = server
        .anonymous()
        .get(&format!("/posts/{slug}"))
        .assert_status(200);
    assert!(
        !page
            .headers
            .iter()
            .any(|(name, value)| name == "link" && value.contains("webmention")),
        "{:?}",
        page.headers
    );
    assert!(!page.has("link[rel=webmention]"));
}

#[test]
fn a_link_to_an_old_address_reaches_the_post_and_only_its_moderators_delete_the_mention() {
    let b = federated();
    let b_author = b.author("writer@b.example");
    let b_slug = published(&b_author, "Harbour notes", "<p>The harbour at dawn.</p>");
    b.cli(&[
        "redirects",
        "add",
        "/2019/03/harbour/",
        &format!("/posts/{b_slug}"),
    ])
    .success();
    let old_url = format!("{}/2019/03/harbour/", b.base_url());
    let a = federated();
    let a_author = a.author("reader@a.example");
    // A finds B's endpoint on the page the old address redirects to.
    let a_slug = published(
        &a_author,
        "Old links still work",
        &format!("<p>As <a href=\"{old_url}\">these old notes</a> say.</p>"),
    );
    let waiting = eventually(
        "the mention of the old address waits under the post",
        || b_author.get(&format!("/posts/{b_slug}")),
        |page| page.has("#mentions .mention[data-status=pending]"),
    );
    assert!(waiting.text().contains("Old links still work"));
    let delete = waiting.select("#mentions a[href$=\"/delete\"]")[0]
        .attr("href")
        .expect("a delete link")
        .to_owned();

    // Another author of B may not touch it; a visitor is not even asked.
    let other = b.author("other@b.example");
    other.get(&delete).assert_status(403);
    b.anonymous().get(&delete).assert_status(403);

    // Its moderator is asked first, shown where it comes from; then it is gone.
    let asked = b_author.get(&delete).assert_status(200);
    let a_url = format!("{}/posts/{a_slug}", a.base_url());
    assert!(
        asked.text().contains("Delete this mention?"),
        "{}",
        asked.body
    );
    assert!(
        asked.has(&format!(".confirm a[href=\"{a_url}\"]")),
        "{}",
        asked.body
    );
    b_author.confirm(&delete).assert_status(303);
    let page = b_author.get(&format!("/posts/{b_slug}")).assert_status(200);
    assert!(!page.has("#mentions"), "{}", page.body);
    assert!(received(&b).is_empty(), "the row is deleted");
}

#[test]
fn admins_find_the_mentions_waiting_on_the_comments_page() {
    let b = federated();
    let admin = b.admin();
    let b_author = b.author("writer@b.example");
    let b_slug = published(&b_author, "Harbour notes", "<p>The harbour at dawn.</p>");
    let b_url = format!("{}/posts/{b_slug}", b.base_url());
    let a = federated();
    let a_author = a.author("reader@a.example");
    published(
        &a_author,
        "Seen from the ferry",
        &format!("<p><a href=\"{b_url}\">The harbour</a>, from the ferry.</p>"),
    );
    let listed = eventually(
        "the admins' list shows the mention waiting",
        || admin.get("/admin/comments"),
        |page| page.has(".mentions-waiting .admin-mention"),
    );
    let item = &listed.select(".mentions-waiting .admin-mention")[0];
    assert!(item.text.contains("Seen from the ferry"), "{}", item.text);
    assert!(item.text.contains("Harbour notes"), "{}", item.text);
    let approved = listed
        .form(".mentions-waiting form[action$=\"/approve\"]")
        .submit()
        .assert_status(303);
    assert_eq!(approved.location(), "/admin/comments");
    assert!(!admin.get("/admin/comments").has(".mentions-waiting"));
    let shown = b.anonymous().get(&format!("/posts/{b_slug}"));
    assert!(shown.select("#mentions .mention")[0]
        .text
        .contains("Seen from the ferry"));
}

/// A source page served from the test: the first request gets `503`, every later one
/// the page (which links to `target`, once known). Answers its URL.
fn flaky_source(target: std::sync::Arc<std::sync::Mutex<String>>) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!(
        "http://{}/note",
        listener.local_addr().expect("its address")
    );
    std::thread::spawn(move || {
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut request = [0u8; 8192];
            let _ = stream.read(&mut request);
            let answer = if i == 0 {
                "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    .to_string()
            } else {
                let body = format!(
                    "<title>A flaky note</title><p><a href=\"{}\">read this</a></p>",
                    target.lock().expect("the target").as_str()
                );
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
            };
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    url
}

#[test]
fn a_source_that_fails_for_now_is_checked_again_after_a_restart() {
    let target = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let source = flaky_source(std::sync::Arc::clone(&target));
    let b = federated();
    let b_author = b.author("writer@b.example");
    let b_slug = published(&b_author, "Harbour notes", "<p>The harbour at dawn.</p>");
    let b_url = format!("{}/posts/{b_slug}", b.base_url());
    *target.lock().unwrap() = b_url.clone();
    b.anonymous()
        .post("/webmention", &[("source", &source), ("target", &b_url)])
        .assert_status(202);
    b.log_with("the source answered 503");
    assert_eq!(received(&b)[0].2, "queued", "it waits for another try");

    // Stopped before the next try (10 s later), the server tries again once back.
    let site = b.stop_keeping_folder();
    let b = site.start();
    b.log_with("waiting for moderation");
    let after = received(&b);
    assert_eq!(
        (after.len(), after[0].2.as_str()),
        (1, "pending"),
        "{after:?}"
    );
}

#[test]
fn a_flood_of_webmentions_from_one_address_is_told_to_wait() {
    let server = federated();
    let client = server.anonymous();
    // Each asks for a fetch; an address gets 60 an hour, counted before any check.
    for _ in 0..60 {
        client
            .post("/webmention", &[("source", "https://a.example/x")])
            .assert_status(400);
    }
    let refused = client
        .post("/webmention", &[("source", "https://a.example/x")])
        .assert_status(429);
    assert!(refused.body.contains("try again"), "{}", refused.body);
    // Another address still gets through.
    server
        .anonymous()
        .via_proxy_from("203.0.113.9")
        .post("/webmention", &[("source", "https://a.example/x")])
        .assert_status(400);
}

#[test]
fn publishing_from_the_command_line_queues_the_webmentions_too() {
    // The command knows the blog's address from `base_url` alone.
    let server = Site::new()
        .config(&format!(
            "{FEDERATION}[site]\nbase_url = \"http://blog.example\"\n"
        ))
        .start();
    let author = server.author("writer@b.example");
    // Nothing listens on port 9 of this machine: the send waits in the queue.
    let target = "http://127.0.0.1:9/elsewhere";
    let slug = author.create_post(
        "From the terminal",
        &format!("<p><a href=\"{target}\">elsewhere</a> and <a href=\"/posts/x\">here</a></p>"),
    );
    assert!(
        rows(
            &server,
            "SELECT source, target, status, endpoint FROM webmention_outbox"
        )
        .is_empty(),
        "a draft sends nothing"
    );
    server.cli(&["posts", "publish", &slug]).success();
    let queued = rows(
        &server,
        "SELECT source, target, status, endpoint FROM webmention_outbox",
    );
    let source = format!("http://blog.example/posts/{slug}");
    assert_eq!(queued.len(), 1, "only the external link: {queued:?}");
    assert_eq!(
        (queued[0].0.as_str(), queued[0].1.as_str()),
        (source.as_str(), target)
    );
}
