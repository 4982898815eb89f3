//! Images for readers (issue 21): every upload gets narrower and WebP copies, made
//! once at upload; a post page offers them in `srcset` with each image's size and a
//! loading hint; the copies go with their original; `blog media rebuild` makes the
//! missing ones. Everything is checked as served: the page's markup, then each file
//! it names, fetched and decoded.

use std::collections::BTreeSet;

use crate::media::uploaded_url;
use crate::support::{Client, Page, TestServer};

const WIDE_PNG: &[u8] = include_bytes!("../fixtures/wide.png");
const PHOTO_WEBP: &[u8] = include_bytes!("../fixtures/photo.webp");

/// An 1800 × 1200 photo-like JPEG (smooth gradients and some grain), made here with a
/// real encoder so the fixtures folder does not carry a large file.
fn camera_jpeg() -> Vec<u8> {
    let image = image::RgbImage::from_fn(1800, 1200, |x, y| {
        let grain = ((x * 7919 + y * 104_729) % 23) as u8;
        image::Rgb([(x / 10) as u8 ^ grain, (y / 7) as u8, ((x + y) / 16) as u8])
    });
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(&image)
        .expect("encode the test photo");
    bytes
}

/// The catalogue's rows for one image (found by its shown path): (variant, width).
fn variant_rows(server: &TestServer, shown_url: &str) -> BTreeSet<(String, u32)> {
    let db = rusqlite::Connection::open(server.path().join("blog-data/blog.sqlite3")).unwrap();
    let shown = shown_url.trim_start_matches("/media/");
    let mut stmt = db
        .prepare(
            "SELECT variant, width FROM media_files WHERE media_id =
               (SELECT media_id FROM media_files WHERE path = ?1)",
        )
        .unwrap();
    stmt.query_map([shown], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn rows(list: &[(&str, u32)]) -> BTreeSet<(String, u32)> {
    list.iter().map(|(v, w)| (v.to_string(), *w)).collect()
}

/// Files under the media folder.
fn files_on_disk(server: &TestServer) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        count(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
    }
    count(&server.path().join("blog-data/media"))
}

/// `srcset="/a 480w, /b 960w"` as (url, width).
fn candidates(srcset: &str) -> Vec<(String, u32)> {
    srcset
        .split(", ")
        .map(|candidate| {
            let (url, width) = candidate.rsplit_once(' ').expect("url and width");
            let width = width.strip_suffix('w').expect("a width descriptor");
            (url.to_string(), width.parse().expect("a number"))
        })
        .collect()
}

/// Fetches each candidate: served with `content_type`, exactly as wide as it says.
fn assert_served(visitor: &Client, srcset: &str, content_type: &str) -> usize {
    let list = candidates(srcset);
    for (url, width) in &list {
        let page = visitor.get(url).assert_status(200);
        assert_eq!(page.header("content-type"), Some(content_type), "{url}");
        let decoded = image::load_from_memory(&page.bytes).expect("a decodable image");
        assert_eq!(decoded.width(), *width, "{url} says {width}w");
    }
    list.len()
}

/// The page once `ready` holds: a write by the CLI (another process) reaches the
/// server's page cache within its watcher's interval, not at once.
fn page_when(visitor: &Client, path: &str, ready: impl Fn(&Page) -> bool) -> Page {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let page = visitor.get(path).assert_status(200);
        if ready(&page) || std::time::Instant::now() > deadline {
            return page;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn post_with(author: &Client, title: &str, body: &str) -> String {
    let slug = author.create_post(title, body);
    author.publish(&slug);
    slug
}

#[test]
fn an_upload_gets_narrower_and_webp_copies_in_the_catalogue() {
    let server = TestServer::start();
    let author = server.author("photos@blog.example");
    let photo = uploaded_url(&author, "camera.jpg", &camera_jpeg());
    assert_eq!(
        variant_rows(&server, &photo),
        rows(&[
            ("original", 1800),
            ("display", 1600),
            ("narrow", 480),
            ("narrow", 960),
            ("webp", 480),
            ("webp", 960),
            ("webp", 1600),
        ])
    );
    let wide = uploaded_url(&author, "wide.png", WIDE_PNG);
    assert_eq!(
        variant_rows(&server, &wide),
        rows(&[
            ("original", 2000),
            ("display", 1600),
            ("narrow", 480),
            ("narrow", 960),
            ("webp", 480),
            ("webp", 960),
            ("webp", 1600),
        ])
    );
    // Narrower than the smallest width: only a WebP copy of the same size.
    let small = uploaded_url(&author, "photo.webp", PHOTO_WEBP);
    assert_eq!(
        variant_rows(&server, &small),
        rows(&[("original", 320), ("webp", 320)])
    );
    assert_eq!(files_on_disk(&server), 16, "every row has its file");
}

#[test]
fn a_post_page_offers_srcset_sizes_and_loading_hints_and_each_file_is_what_it_says() {
    let server = TestServer::start();
    let author = server.author("photos@blog.example");
    let photo = uploaded_url(&author, "camera.jpg", &camera_jpeg());
    let screenshot = uploaded_url(&author, "wide.png", WIDE_PNG);
    let slug = post_with(
        &author,
        "Two pictures",
        &format!(
            r#"<p><img src="{photo}" alt="A photo"></p><p>Text</p><p><img src="{screenshot}" alt="A screenshot"></p>"#
        ),
    );
    let visitor = server.anonymous();
    let page: Page = visitor.get(&format!("/posts/{slug}")).assert_status(200);

    let images = page.select(".post-body img");
    assert_eq!(images.len(), 2, "{}", page.body);
    let (first, second) = (&images[0], &images[1]);
    assert_eq!(first.attr("src"), Some(photo.as_str()));
    assert_eq!(first.attr("alt"), Some("A photo"));
    assert_eq!(
        (first.attr("width"), first.attr("height")),
        (Some("1600"), Some("1066"))
    );
    assert_eq!(first.attr("fetchpriority"), Some("high"));
    assert_eq!(first.attr("loading"), None);
    assert_eq!(
        (second.attr("width"), second.attr("height")),
        (Some("1600"), Some("400"))
    );
    assert_eq!(second.attr("loading"), Some("lazy"));
    assert_eq!(second.attr("fetchpriority"), None);
    for img in &images {
        assert!(img.attr("sizes").is_some_and(|s| s.contains("100vw")));
    }

    // The JPEG photo: JPEG candidates, the shown file the widest; WebP before them.
    let jpeg = first.attr("srcset").expect("a srcset");
    assert_eq!(assert_served(&visitor, jpeg, "image/jpeg"), 3);
    assert!(jpeg.ends_with(&format!("{photo} 1600w")), "{jpeg}");
    let sources = page.select(".post-body picture source[type=\"image/webp\"]");
    assert_eq!(sources.len(), 2);
    let webp = sources[0].attr("srcset").expect("a WebP srcset");
    assert_eq!(assert_served(&visitor, webp, "image/webp"), 3);
    // The lossless screenshot keeps PNG for the browsers that take no WebP.
    let png = second.attr("srcset").expect("a srcset");
    assert_eq!(assert_served(&visitor, png, "image/png"), 3);
    assert_eq!(
        assert_served(&visitor, sources[1].attr("srcset").unwrap(), "image/webp"),
        3
    );

    // A phone at 1x picks the 480 px WebP: far fewer bytes than the shown JPEG.
    let (small_webp, _) = &candidates(webp)[0];
    let phone = visitor.get(small_webp).bytes.len();
    let desktop = visitor.get(&photo).bytes.len();
    assert!(
        phone * 4 < desktop,
        "480 px WebP {phone} B vs 1600 px JPEG {desktop} B"
    );

    // Feeds keep plain absolute sources.
    let feed = visitor.get("/feed.xml").assert_status(200).body;
    assert!(feed.contains(&format!("/media/{}", photo.trim_start_matches("/media/"))));
    assert!(
        !feed.contains("srcset") && !feed.contains("&lt;picture"),
        "{feed}"
    );
}

#[test]
fn deleting_the_post_or_the_gc_removes_every_variant_with_its_original() {
    let server = TestServer::start();
    let author = server.author("photos@blog.example");
    let photo = uploaded_url(&author, "camera.jpg", &camera_jpeg());
    let slug = post_with(&author, "Photo", &format!(r#"<p><img src="{photo}"></p>"#));
    let page = server.anonymous().get(&format!("/posts/{slug}"));
    let webp = page.select("picture source")[0]
        .attr("srcset")
        .unwrap()
        .to_string();
    assert_eq!(files_on_disk(&server), 7);

    author.delete_post(&slug).assert_status(303);
    assert_eq!(files_on_disk(&server), 0);
    for (url, _) in candidates(&webp) {
        server.anonymous().get(&url).assert_status(404);
    }

    // An upload that no post took: the GC takes all its files after the grace period.
    uploaded_url(&author, "camera.jpg", &camera_jpeg());
    assert_eq!(files_on_disk(&server), 7);
    let swept = server
        .cli_env(&["media", "gc"], &[("BLOG_MEDIA_GC_GRACE", "0s")])
        .success();
    assert!(swept.stdout.contains("7 files"), "{}", swept.stdout);
    assert_eq!(files_on_disk(&server), 0);
}

#[test]
fn media_rebuild_makes_the_missing_variants_once() {
    let server = TestServer::start();
    let author = server.author("photos@blog.example");
    let photo = uploaded_url(&author, "camera.jpg", &camera_jpeg());
    let slug = post_with(&author, "Photo", &format!(r#"<p><img src="{photo}"></p>"#));
    let visitor = server.anonymous();
    assert!(visitor.get(&format!("/posts/{slug}")).has("picture source"));

    // As a database from before variants: their rows and files gone.
    let db = rusqlite::Connection::open(server.path().join("blog-data/blog.sqlite3")).unwrap();
    let paths: Vec<String> = db
        .prepare("SELECT path FROM media_files WHERE variant IN ('narrow', 'webp')")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(paths.len(), 5);
    db.execute(
        "DELETE FROM media_files WHERE variant IN ('narrow', 'webp')",
        [],
    )
    .unwrap();
    drop(db);
    for path in &paths {
        std::fs::remove_file(server.path().join("blog-data/media").join(path)).unwrap();
    }
    let path = format!("/posts/{slug}");
    let page = page_when(&visitor, &path, |page| !page.has("picture"));
    assert!(!page.has("picture"), "the page follows the catalogue");
    let img = &page.select(".post-body img")[0];
    assert_eq!(img.attr("width"), Some("1600"));
    assert_eq!(img.attr("srcset"), None, "only the shown file is left");

    let first = server.cli(&["media", "rebuild"]).success();
    assert!(
        first
            .stdout
            .lines()
            .any(|line| line == "5 files made for 1 image"),
        "{}",
        first.stdout
    );
    assert_eq!(files_on_disk(&server), 7);
    let page = page_when(&visitor, &path, |page| page.has("picture"));
    let webp = page.select("picture source")[0]
        .attr("srcset")
        .unwrap()
        .to_string();
    assert_eq!(assert_served(&visitor, &webp, "image/webp"), 3);
    let jpeg = page.select(".post-body img")[0]
        .attr("srcset")
        .unwrap()
        .to_string();
    assert_eq!(assert_served(&visitor, &jpeg, "image/jpeg"), 3);

    let second = server.cli(&["media", "rebuild"]).success();
    assert!(
        second.stdout.contains("0 files made for 0 images"),
        "{}",
        second.stdout
    );
    assert_eq!(files_on_disk(&server), 7);
}

#[test]
fn media_rebuild_names_an_image_whose_original_is_lost_and_fails() {
    let server = TestServer::start();
    let author = server.author("photos@blog.example");
    let photo = uploaded_url(&author, "camera.jpg", &camera_jpeg());
    let db = rusqlite::Connection::open(server.path().join("blog-data/blog.sqlite3")).unwrap();
    db.execute("DELETE FROM media_files WHERE variant = 'webp'", [])
        .unwrap();
    let original: String = db
        .query_row(
            "SELECT path FROM media_files WHERE variant = 'original'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    drop(db);
    std::fs::remove_file(server.path().join("blog-data/media").join(&original)).unwrap();

    let run = server.cli(&["media", "rebuild"]);
    assert!(!run.status.success());
    assert!(
        run.stderr.contains(&format!("cannot read {original}")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("1 image could not"), "{}", run.stderr);
    // Nothing else changed: the page's file is still served.
    server.anonymous().get(&photo).assert_status(200);
}
