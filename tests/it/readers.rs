//! Readers' side: tags and their pages, the Atom feeds, the sitemap, robots.txt, and
//! the canonical link and preview tags of a post page.

use std::io::{Read, Write};
use std::net::TcpStream;

use crate::support::{Client, Page, Site, TestServer, NEW_POST_FORM};

const BASE: &str = "http://blog.example";
const WIDE_PNG: &[u8] = include_bytes!("../fixtures/wide.png");

/// A server whose `[site] base_url` differs from the address it listens on.
fn server() -> TestServer {
    Site::new().env("BLOG_SITE_BASE_URL", BASE).start()
}

/// Writes a post with tags through the form and publishes it; answers its slug.
fn publish_tagged(client: &Client, title: &str, body: &str, tags: &str) -> String {
    let slug = write_tagged(client, title, body, tags);
    client.publish(&slug);
    slug
}

/// Writes a draft with tags; answers its slug.
fn write_tagged(client: &Client, title: &str, body: &str, tags: &str) -> String {
    let page = client
        .get("/posts/new")
        .assert_status(200)
        .form(NEW_POST_FORM)
        .fill("title", title)
        .fill("body", body)
        .fill("tags", tags)
        .submit()
        .assert_status(303);
    page.location_decoded()
        .strip_prefix("/posts/")
        .expect("a new post leads to its page")
        .to_owned()
}

/// The tag links of the first post on a page: (text, href).
fn tag_links(page: &Page) -> Vec<(String, String)> {
    page.select("ul.tags a[rel=tag]")
        .into_iter()
        .map(|a| (a.text.clone(), a.attr("href").unwrap_or("").to_owned()))
        .collect()
}

fn listed(page: &Page) -> Vec<String> {
    page.select("article.post-summary h2 a")
        .into_iter()
        .map(|a| a.text)
        .collect()
}

/// The text of each `name` element under the root's children named `parent`.
fn texts(doc: &roxmltree::Document, parent: &str, name: &str) -> Vec<String> {
    doc.root_element()
        .children()
        .filter(|n| n.has_tag_name(parent))
        .filter_map(|n| n.children().find(|c| c.has_tag_name(name)))
        .map(|n| n.text().unwrap_or("").to_owned())
        .collect()
}

fn child_text(node: roxmltree::Node, name: &str) -> String {
    node.children()
        .find(|c| c.has_tag_name(name))
        .and_then(|c| c.text())
        .unwrap_or("")
        .to_owned()
}

#[test]
fn tags_are_trimmed_case_folded_and_keep_korean() {
    let server = server();
    let author = server.author("tagger@blog.example");
    let slug = publish_tagged(&author, "Tagged", "<p>x</p>", " 한국어 , Rust,rust, ,RUST ");
    let visitor = server.anonymous();
    let post = visitor.get(&format!("/posts/{slug}")).assert_status(200);
    let links = tag_links(&post);
    assert_eq!(
        links,
        vec![
            ("#rust".to_owned(), "/tags/rust".to_owned()),
            (
                "#한국어".to_owned(),
                "/tags/%ED%95%9C%EA%B5%AD%EC%96%B4".to_owned()
            ),
        ]
    );
    // The Korean tag's page lists the post; so does the home page's summary link.
    let tag_page = visitor.get(&links[1].1).assert_status(200);
    assert_eq!(listed(&tag_page), vec!["Tagged"]);
    let home = visitor.get("/").assert_status(200);
    assert_eq!(tag_links(&home).len(), 2);
    // A tag in the address is folded like a typed one.
    assert_eq!(
        listed(&visitor.get("/tags/RUST").assert_status(200)),
        vec!["Tagged"]
    );
    // The edit form shows the current tags.
    let edit = author
        .get(&format!("/posts/{slug}/edit"))
        .assert_status(200);
    assert_eq!(edit.input_value("tags").as_deref(), Some("rust, 한국어"));
}

#[test]
fn too_many_or_too_long_tags_are_refused_beside_the_field() {
    let server = server();
    let author = server.author("tagger@blog.example");
    let many: Vec<String> = (0..11).map(|n| format!("t{n}")).collect();
    let page = author
        .get("/posts/new")
        .form(NEW_POST_FORM)
        .fill("title", "Too many")
        .fill("tags", &many.join(","))
        .submit()
        .assert_status(422);
    assert!(page.has(".field-error"), "{}", page.body);
    assert_eq!(page.input_value("tags"), Some(many.join(",")));
}

#[test]
fn tag_page_is_paged_like_the_home_page_and_unknown_tags_are_404() {
    let server = server();
    let author = server.author("prolific@blog.example");
    for n in 1..=25 {
        publish_tagged(&author, &format!("Post {n:02}"), "<p>x</p>", "paged");
    }
    publish_tagged(&author, "Untagged", "<p>x</p>", "other");
    write_tagged(&author, "Draft", "<p>x</p>", "paged");
    let visitor = server.anonymous();
    let first = visitor.get("/tags/paged").assert_status(200);
    assert_eq!(listed(&first)[0], "Post 25");
    assert!(first.has("a[href=\"/tags/paged?page=2\"]"));
    let third = visitor.get("/tags/paged?page=3").assert_status(200);
    assert_eq!(
        listed(&third),
        vec!["Post 05", "Post 04", "Post 03", "Post 02", "Post 01"]
    );
    visitor.get("/tags/paged?page=4").assert_status(404);
    visitor.get("/tags/paged?page=0").assert_status(404);
    visitor.get("/tags/nothing-here").assert_status(404);
}

#[test]
fn feed_is_atom_with_absolute_links_escaped_content_and_no_drafts() {
    let server = server();
    let author = server.author("feeder@blog.example");
    publish_tagged(&author, "Older", "<p>old & <b>bold</b></p>", "");
    let newer = publish_tagged(&author, "Newer", "<p>new</p>", "");
    write_tagged(&author, "Secret draft", "<p>hidden</p>", "");

    let page = server.anonymous().get("/feed.xml").assert_status(200);
    assert_eq!(
        page.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    let doc = roxmltree::Document::parse(&page.body).expect("the feed parses as XML");
    let root = doc.root_element();
    assert!(root.has_tag_name(("http://www.w3.org/2005/Atom", "feed")));
    assert_eq!(child_text(root, "id"), format!("{BASE}/feed.xml"));
    assert_eq!(texts(&doc, "entry", "title"), vec!["Newer", "Older"]);
    assert!(!page.body.contains("Secret draft"));

    let entries: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    let link = entries[0]
        .children()
        .find(|c| c.has_tag_name("link"))
        .and_then(|l| l.attribute("href"))
        .unwrap();
    assert_eq!(link, format!("{BASE}/posts/{newer}"));
    for entry in &entries {
        assert!(child_text(*entry, "id").starts_with(BASE));
        for name in ["published", "updated"] {
            let time = child_text(*entry, name);
            time.parse::<jiff::Timestamp>()
                .unwrap_or_else(|_| panic!("{name} {time:?} is RFC 3339"));
        }
        let author_name = entry
            .children()
            .find(|c| c.has_tag_name("author"))
            .map(|a| child_text(a, "name"));
        assert_eq!(author_name.as_deref(), Some("feeder"));
    }
    // The body is escaped text in the XML, whole HTML once parsed.
    let content = entries[1]
        .children()
        .find(|c| c.has_tag_name("content"))
        .unwrap();
    assert_eq!(content.attribute("type"), Some("html"));
    assert!(content.text().unwrap().contains("<b>bold</b>"));
    assert!(
        page.body.contains("&lt;b&gt;bold&lt;/b&gt;"),
        "{}",
        page.body
    );
}

#[test]
fn feed_content_shows_images_and_local_links_under_base_url() {
    let server = server();
    let author = server.author("feeder@blog.example");
    let image = crate::media::uploaded_url(&author, "wide.png", WIDE_PNG);
    assert!(image.starts_with("/media/"), "{image}");
    let other = publish_tagged(&author, "Other", "<p>x</p>", "");
    let body = format!(
        r#"<p><img src="{image}" alt="wide"> see <a href="/posts/{other}">other</a> and <a href="https://elsewhere.example/a">away</a></p>"#
    );
    publish_tagged(&author, "Pictured", &body, "");

    let page = server.anonymous().get("/feed.xml").assert_status(200);
    let doc = roxmltree::Document::parse(&page.body).expect("the feed parses as XML");
    let content = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .find(|e| child_text(*e, "title") == "Pictured")
        .and_then(|e| e.children().find(|c| c.has_tag_name("content")))
        .and_then(|c| c.text().map(str::to_owned))
        .expect("the entry has content");
    assert!(
        content.contains(&format!(r#"src="{BASE}{image}""#)),
        "{content}"
    );
    assert!(
        content.contains(&format!(r#"href="{BASE}/posts/{other}""#)),
        "{content}"
    );
    assert!(
        content.contains(r#"href="https://elsewhere.example/a""#),
        "{content}"
    );
    assert!(
        !content.contains("=\"/"),
        "no root-relative URL is left: {content}"
    );
    // The page itself keeps its relative URLs.
    let post = server.anonymous().get("/posts/pictured").assert_status(200);
    assert!(
        post.body.contains(&format!(r#"src="{image}""#)),
        "{}",
        post.body
    );
}

#[test]
fn feed_urls_come_from_base_url_not_the_host_header() {
    let server = server();
    let author = server.author("feeder@blog.example");
    publish_tagged(&author, "Hosted", "<p>x</p>", "");
    let mut stream = TcpStream::connect(server.address()).unwrap();
    stream
        .write_all(b"GET /feed.xml HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(&format!("{BASE}/posts/hosted")), "{answer}");
    assert!(!answer.contains("evil.example"), "{answer}");
}

#[test]
fn author_feed_holds_only_that_authors_posts_and_pages_link_their_feeds() {
    let server = server();
    let first = server.author("first@blog.example");
    let second = server.author("second@blog.example");
    publish_tagged(&first, "By first", "<p>x</p>", "");
    publish_tagged(&second, "By second", "<p>x</p>", "");
    let visitor = server.anonymous();
    let page = visitor.get("/authors/1/feed.xml").assert_status(200);
    let doc = roxmltree::Document::parse(&page.body).unwrap();
    assert_eq!(texts(&doc, "entry", "title"), vec!["By first"]);
    visitor.get("/authors/999/feed.xml").assert_status(404);

    let feed_links = |path: &str| -> Vec<String> {
        visitor
            .get(path)
            .select("head link[rel=alternate][type=\"application/atom+xml\"]")
            .into_iter()
            .filter_map(|l| l.attr("href").map(str::to_owned))
            .collect()
    };
    assert_eq!(feed_links("/"), vec!["/feed.xml"]);
    assert_eq!(
        feed_links("/authors/1"),
        vec!["/feed.xml", "/authors/1/feed.xml"]
    );
}

#[test]
fn sitemap_lists_published_posts_authors_and_tags_and_robots_points_at_it() {
    let server = server();
    let author = server.author("mapper@blog.example");
    let slug = publish_tagged(&author, "Mapped", "<p>x</p>", "maps");
    write_tagged(&author, "Unmapped draft", "<p>x</p>", "secret");
    let visitor = server.anonymous();
    let page = visitor.get("/sitemap.xml").assert_status(200);
    let doc = roxmltree::Document::parse(&page.body).expect("the sitemap parses");
    let locs = texts(&doc, "url", "loc");
    for expected in [
        format!("{BASE}/"),
        format!("{BASE}/posts/{slug}"),
        format!("{BASE}/authors/1"),
        format!("{BASE}/tags/maps"),
    ] {
        assert!(locs.contains(&expected), "{expected} in {locs:?}");
    }
    assert!(!page.body.contains("unmapped") && !page.body.contains("secret"));
    for lastmod in texts(&doc, "url", "lastmod") {
        lastmod.parse::<jiff::Timestamp>().unwrap();
    }

    let robots = visitor.get("/robots.txt").assert_status(200);
    assert!(robots
        .body
        .contains(&format!("Sitemap: {BASE}/sitemap.xml")));
    assert!(robots.body.contains("Disallow: /accounts/"));
}

#[test]
fn post_page_has_canonical_link_and_preview_tags_with_its_first_image() {
    let server = server();
    let author = server.author("shower@blog.example");
    let url = crate::media::uploaded_url(&author, "wide.png", WIDE_PNG);
    let slug = publish_tagged(
        &author,
        "Pictured",
        &format!("<p>Look at this.</p><p><img src=\"{url}\"></p>"),
        "",
    );
    let plain = publish_tagged(&author, "Plain", "<p>No image.</p>", "");
    let visitor = server.anonymous();
    let page = visitor.get(&format!("/posts/{slug}")).assert_status(200);
    let meta = |selector: &str| -> String {
        page.select(selector)
            .first()
            .and_then(|n| n.attr("content").or(n.attr("href")).map(str::to_owned))
            .unwrap_or_else(|| panic!("{selector} on the post page"))
    };
    let canonical = format!("{BASE}/posts/{slug}");
    assert_eq!(meta("link[rel=canonical]"), canonical);
    assert_eq!(meta("meta[property=\"og:url\"]"), canonical);
    assert_eq!(meta("meta[property=\"og:type\"]"), "article");
    assert_eq!(meta("meta[property=\"og:title\"]"), "Pictured");
    assert_eq!(meta("meta[property=\"og:description\"]"), "Look at this.");
    assert!(meta("meta[property=\"og:image\"]").starts_with(&format!("{BASE}/media/")));
    assert!(!meta("meta[property=\"og:site_name\"]").is_empty());
    assert_eq!(meta("meta[name=\"twitter:card\"]"), "summary_large_image");

    let page = visitor.get(&format!("/posts/{plain}")).assert_status(200);
    assert!(!page.has("meta[property=\"og:image\"]"));
    assert!(page.has("meta[name=\"twitter:card\"][content=summary]"));
}

/// The `href` of each `<link rel=alternate type=…>` in a page's head.
fn alternates(page: &Page, kind: &str) -> Vec<String> {
    page.select(&format!("head link[rel=alternate][type=\"{kind}\"]"))
        .iter()
        .filter_map(|link| link.attr("href").map(str::to_owned))
        .collect()
}

#[test]
fn each_tag_has_a_feed_with_only_its_posts_found_from_its_page() {
    let server = server();
    let author = server.author("tagger@blog.example");
    publish_tagged(&author, "Rusty", "<p>iron</p>", "rust, 러스트");
    publish_tagged(&author, "Cooking", "<p>soup</p>", "food");
    write_tagged(&author, "Rusty draft", "<p>not yet</p>", "rust");
    let visitor = server.anonymous();
    let page = visitor.get("/tags/rust").assert_status(200);
    // The site's feeds, then the tag's own.
    assert_eq!(
        alternates(&page, "application/atom+xml"),
        vec!["/feed.xml", "/tags/rust/feed.xml"]
    );
    assert_eq!(
        alternates(&page, "application/feed+json"),
        vec!["/feed.json", "/tags/rust/feed.json"]
    );

    let atom = visitor.get("/tags/rust/feed.xml").assert_status(200);
    let doc = roxmltree::Document::parse(&atom.body).expect("the feed parses as XML");
    assert_eq!(texts(&doc, "entry", "title"), vec!["Rusty"]);
    assert_eq!(
        child_text(doc.root_element(), "id"),
        format!("{BASE}/tags/rust/feed.xml")
    );
    // A Korean tag, percent-encoded in the path, has its feed too.
    let korean = visitor
        .get("/tags/%EB%9F%AC%EC%8A%A4%ED%8A%B8/feed.xml")
        .assert_status(200);
    assert!(korean.body.contains("Rusty") && !korean.body.contains("Cooking"));
    visitor
        .get("/tags/nothing-here/feed.xml")
        .assert_status(404);
    visitor
        .get("/tags/nothing-here/feed.json")
        .assert_status(404);
}

#[test]
fn every_atom_feed_has_a_json_feed_beside_it_with_the_same_items() {
    let server = server();
    let author = server.author("twofold@blog.example");
    publish_tagged(
        &author,
        "First",
        "<p>one <img src=\"/media/x.png\" alt=\"x\"></p>",
        "both",
    );
    publish_tagged(
        &author,
        "Second",
        "<p>two <a href=\"/posts/first\">back</a></p>",
        "both",
    );
    let visitor = server.anonymous();
    let home = visitor.get("/").assert_status(200);
    assert_eq!(
        alternates(&home, "application/feed+json"),
        vec!["/feed.json"]
    );
    let author_page = visitor.get("/authors/1").assert_status(200);
    assert_eq!(
        alternates(&author_page, "application/feed+json"),
        vec!["/feed.json", "/authors/1/feed.json"]
    );

    for (atom_path, json_path) in [
        ("/feed.xml", "/feed.json"),
        ("/authors/1/feed.xml", "/authors/1/feed.json"),
        ("/tags/both/feed.xml", "/tags/both/feed.json"),
    ] {
        let atom = visitor.get(atom_path).assert_status(200);
        let doc = roxmltree::Document::parse(&atom.body).expect("Atom parses");
        let atom_ids: Vec<String> = doc
            .root_element()
            .children()
            .filter(|n| n.has_tag_name("entry"))
            .map(|entry| child_text(entry, "id"))
            .collect();
        let page = visitor.get(json_path).assert_status(200);
        assert_eq!(
            page.header("content-type"),
            Some("application/feed+json; charset=utf-8")
        );
        let feed: serde_json::Value = serde_json::from_str(&page.body).expect("JSON Feed parses");
        assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(feed["feed_url"], format!("{BASE}{json_path}"));
        assert!(feed["title"].as_str().is_some_and(|t| !t.is_empty()));
        let items = feed["items"].as_array().expect("items");
        let ids: Vec<String> = items
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids, atom_ids, "{json_path} has the items of {atom_path}");
        assert_eq!(items[0]["title"], "Second");
        let html = items[1]["content_html"].as_str().unwrap();
        assert!(
            html.contains(&format!("src=\"{BASE}/media/x.png\"")),
            "{html}"
        );
        assert!(items[0]["content_html"]
            .as_str()
            .unwrap()
            .contains(&format!("href=\"{BASE}/posts/first\"")));
        assert_eq!(items[0]["authors"][0]["name"], "twofold");
        assert!(items[0]["date_published"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .is_ok());
        assert_eq!(items[0]["tags"], serde_json::json!(["both"]));
    }
}
