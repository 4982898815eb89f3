//! Media: profile thumbnails, editor uploads, the files they leave on disk, and the GC
//! that removes every orphan. Each test looks at the media folder itself.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::{Client, Site, TestServer};

const ROTATED_GPS_JPG: &[u8] = include_bytes!("../fixtures/rotated-gps.jpg");
const WIDE_PNG: &[u8] = include_bytes!("../fixtures/wide.png");
const SMALL_PNG: &[u8] = include_bytes!("../fixtures/small.png");
const PHOTO_WEBP: &[u8] = include_bytes!("../fixtures/photo.webp");
const ANIM_GIF: &[u8] = include_bytes!("../fixtures/anim.gif");
const TRUNCATED_JPG: &[u8] = include_bytes!("../fixtures/truncated.jpg");
const HTML_AS_JPG: &[u8] = include_bytes!("../fixtures/page.html.jpg");
const SVG: &[u8] = include_bytes!("../fixtures/drawing.svg");
const BOMB_PNG: &[u8] = include_bytes!("../fixtures/bomb.png");

const PROFILE_FORM: &str = "form[action=\"/accounts/profile\"]";

/// Every file under the media folder, as paths relative to it.
fn media_files(server: &TestServer) -> BTreeSet<String> {
    let root = server.path().join("blog-data/media");
    let mut out = BTreeSet::new();
    walk(&root, &root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(relative);
        }
    }
}

/// Uploads through `/uploads` as the editor does (CSRF token in a header).
pub(crate) fn upload(client: &Client, name: &str, bytes: &[u8]) -> crate::support::Page {
    let token = client.csrf_token();
    client.post_multipart(
        "/uploads",
        &[],
        &[("file", name, bytes)],
        &[("x-csrf-token", &token)],
    )
}

/// The `url` of a successful upload's JSON answer.
pub(crate) fn uploaded_url(client: &Client, name: &str, bytes: &[u8]) -> String {
    let page = upload(client, name, bytes).assert_status(200);
    let json: serde_json::Value = serde_json::from_str(&page.body).expect("JSON answer");
    json["url"].as_str().expect("a url").to_owned()
}

pub(crate) fn set_avatar(client: &Client, name: &str, bytes: &[u8]) -> crate::support::Page {
    client
        .get("/accounts/profile")
        .assert_status(200)
        .form(PROFILE_FORM)
        .attach("avatar", name, bytes)
        .submit()
}

fn decode(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory(bytes).expect("a decodable image")
}

#[test]
fn avatar_from_a_rotated_jpeg_with_gps_is_square_upright_and_without_exif() {
    let server = TestServer::start();
    let author = server.author("photo@blog.example");
    set_avatar(&author, "holiday.jpg", ROTATED_GPS_JPG).assert_status(303);

    let profile = author.get("/accounts/profile").assert_status(200);
    let src = profile.select("img.avatar.large")[0]
        .attr("src")
        .unwrap()
        .to_owned();
    let served = author.get(&src).assert_status(200);
    assert_eq!(served.header("content-type"), Some("image/jpeg"));
    let thumb = decode(&served.bytes).to_rgb8();
    assert_eq!(thumb.dimensions(), (256, 256), "a 256 px square");
    // The fixture's red band is on the left as stored; upright (EXIF orientation 6)
    // it is at the top.
    let top = thumb.get_pixel(128, 8).0;
    let bottom = thumb.get_pixel(128, 247).0;
    assert!(
        top[0] > 180 && top[1] < 80 && top[2] < 80,
        "top is red: {top:?}"
    );
    assert!(
        !(bottom[0] > 180 && bottom[1] < 80),
        "bottom is not red: {bottom:?}"
    );
    assert!(!contains(&served.bytes, b"Exif"), "no EXIF block");
    assert!(!contains(&served.bytes, b"TestCam"), "no camera make");

    // The 64 px thumbnail shows in the header and beside the author's posts.
    let header_img = profile.select("header img.avatar.small")[0]
        .attr("src")
        .unwrap()
        .to_owned();
    let small = decode(&author.get(&header_img).assert_status(200).bytes);
    assert_eq!((small.width(), small.height()), (64, 64));
    let slug = author.create_post("With a face", "<p>hi</p>");
    author.publish(&slug);
    let post = server
        .anonymous()
        .get(&format!("/posts/{slug}"))
        .assert_status(200);
    assert!(post.has(&format!(".byline img[src=\"{header_img}\"]")));
    // The only account, so its id is 1.
    let author_page = server.anonymous().get("/authors/1").assert_status(200);
    assert!(author_page.has(&format!("img.avatar.large[src=\"{src}\"]")));
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn replacing_and_removing_an_avatar_deletes_the_old_files_at_once() {
    let server = TestServer::start();
    let reader = server.reader("face@blog.example");
    set_avatar(&reader, "one.jpg", ROTATED_GPS_JPG).assert_status(303);
    let first = media_files(&server);
    assert_eq!(first.len(), 2, "a 256 px and a 64 px file: {first:?}");

    set_avatar(&reader, "two.png", SMALL_PNG).assert_status(303);
    let second = media_files(&server);
    assert_eq!(second.len(), 2, "{second:?}");
    assert!(
        first.is_disjoint(&second),
        "the old files are gone: {first:?} then {second:?}"
    );

    reader
        .get("/accounts/profile")
        .form(PROFILE_FORM)
        .check("remove_avatar", "1")
        .submit()
        .assert_status(303);
    assert!(
        media_files(&server).is_empty(),
        "{:?}",
        media_files(&server)
    );
    assert!(!reader.get("/accounts/profile").has("img.avatar"));
}

#[test]
fn an_upload_used_by_a_post_is_deleted_with_the_post() {
    let server = TestServer::start();
    let author = server.author("pics@blog.example");
    let url = uploaded_url(&author, "wide.png", WIDE_PNG);
    assert_eq!(
        media_files(&server).len(),
        7,
        "the original, the 1600 px copy, two narrower PNGs and three WebPs"
    );
    let slug = author.create_post("Pictures", &format!("<p><img src=\"{url}\"></p>"));
    author.publish(&slug);
    assert!(server
        .anonymous()
        .get(&format!("/posts/{slug}"))
        .has(&format!("img[src=\"{url}\"]")));

    // Nothing is collected while the post uses it, even with no grace at all.
    server
        .cli_env(&["media", "gc"], &[("BLOG_MEDIA_GC_GRACE", "0s")])
        .success();
    assert_eq!(media_files(&server).len(), 7);

    author.delete_post(&slug).assert_status(303);
    assert!(
        media_files(&server).is_empty(),
        "{:?}",
        media_files(&server)
    );
    author.get(&url).assert_status(404);
}

#[test]
fn editing_an_image_out_of_a_body_deletes_it_but_keeps_the_others() {
    let server = TestServer::start();
    let author = server.author("edit@blog.example");
    let kept = uploaded_url(&author, "photo.webp", PHOTO_WEBP);
    let dropped = uploaded_url(&author, "anim.gif", ANIM_GIF);
    let slug = author.create_post(
        "Two pictures",
        &format!("<p><img src=\"{kept}\"><img src=\"{dropped}\"></p>"),
    );
    // Each with its WebP copy.
    assert_eq!(media_files(&server).len(), 4);

    author
        .edit_post(&slug, "body", &format!("<p><img src=\"{kept}\"></p>"))
        .assert_status(303);
    let left = media_files(&server);
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().any(|path| kept.ends_with(path.as_str())));
    author.get(&kept).assert_status(200);
    author.get(&dropped).assert_status(404);
}

#[test]
fn an_unused_upload_survives_the_grace_period_then_the_gc_deletes_it() {
    let server = TestServer::start();
    let author = server.author("draft@blog.example");
    let url = uploaded_url(&author, "photo.webp", PHOTO_WEBP);
    assert_eq!(media_files(&server).len(), 2, "the photo and its WebP copy");

    // Within the default 24 h grace: an editor may still be open.
    let kept = server.cli(&["media", "gc"]).success();
    assert!(kept.stdout.contains("0 files"), "{}", kept.stdout);
    assert_eq!(media_files(&server).len(), 2);

    let swept = server
        .cli_env(&["media", "gc"], &[("BLOG_MEDIA_GC_GRACE", "0s")])
        .success();
    assert!(
        swept.stdout.contains(url.trim_start_matches("/media/")),
        "{}",
        swept.stdout
    );
    assert!(swept.stdout.contains("2 files"), "{}", swept.stdout);
    assert!(media_files(&server).is_empty());
    author.get(&url).assert_status(404);
}

#[test]
fn media_gc_deletes_a_planted_unknown_file_and_dry_run_keeps_it() {
    let server = TestServer::start();
    let planted = server
        .path()
        .join("blog-data/media/uploads/2020/01/stray.jpg");
    std::fs::create_dir_all(planted.parent().unwrap()).unwrap();
    std::fs::write(&planted, b"left behind by a crash").unwrap();
    let temp = server.path().join("blog-data/media/.tmp/half.part");
    std::fs::create_dir_all(temp.parent().unwrap()).unwrap();
    std::fs::write(&temp, b"half").unwrap();
    let no_grace = [("BLOG_MEDIA_GC_GRACE", "0s")];

    let dry = server
        .cli_env(&["media", "gc", "--dry-run"], &no_grace)
        .success();
    assert!(
        dry.stdout
            .contains("would delete uploads/2020/01/stray.jpg (22 bytes)"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains(".tmp/half.part"), "{}", dry.stdout);
    assert!(planted.exists() && temp.exists());

    // A fresh file is within the default grace period.
    server.cli(&["media", "gc"]).success();
    assert!(planted.exists());

    let real = server.cli_env(&["media", "gc"], &no_grace).success();
    assert!(
        real.stdout
            .contains("deleted uploads/2020/01/stray.jpg (22 bytes)"),
        "{}",
        real.stdout
    );
    assert!(
        real.stdout.contains("2 files, 26 bytes freed"),
        "{}",
        real.stdout
    );
    assert!(!planted.exists() && !temp.exists());
}

#[test]
fn bad_uploads_are_refused_with_a_message_and_leave_nothing_on_disk() {
    let server = Site::new()
        .env("BLOG_SERVER_MAX_UPLOAD_BYTES", "200000")
        .start();
    let author = server.author("careful@blog.example");
    let cases: [(&str, &[u8], &str); 4] = [
        ("page.jpg", HTML_AS_JPG, "not a JPEG, PNG, GIF or WebP"),
        ("drawing.svg", SVG, "SVG"),
        ("truncated.jpg", TRUNCATED_JPG, "damaged"),
        ("bomb.png", BOMB_PNG, "pixels"),
    ];
    for (name, bytes, message) in cases {
        let page = upload(&author, name, bytes);
        assert!((400..500).contains(&page.status), "{name}: {}", page.status);
        let json: serde_json::Value = serde_json::from_str(&page.body).expect("JSON error");
        let error = json["error"].as_str().unwrap_or_default();
        assert!(error.contains(message), "{name}: {error}");
        assert!(
            media_files(&server).is_empty(),
            "{name} left {:?}",
            media_files(&server)
        );
    }
    // A body announced larger than the limit is refused before it is sent: the answer
    // comes back although not one byte of the body went out.
    let answer = announce_body(
        &server.address(),
        &author.csrf_token(),
        &author.cookie("blog_session").unwrap(),
        300_000,
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"error\""), "{answer}");

    // The same refusal for an avatar, on the profile form.
    let page = set_avatar(&author, "page.jpg", HTML_AS_JPG);
    assert_eq!(page.status, 422);
    assert!(page.has(".field-error"));
    assert!(media_files(&server).is_empty());
}

/// Sends only the head of an upload that announces `length` bytes, then reads the answer.
fn announce_body(address: &str, csrf: &str, session: &str, length: usize) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST /uploads HTTP/1.1\r\nHost: {address}\r\nContent-Type: multipart/form-data; boundary=x\r\n\
         Content-Length: {length}\r\nX-CSRF-Token: {csrf}\r\nCookie: blog_session={session}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn uploads_need_an_author_and_a_csrf_token() {
    let server = TestServer::start();
    let reader = server.reader("reader@blog.example");
    assert_eq!(upload(&reader, "a.png", SMALL_PNG).status, 403);
    assert_eq!(upload(&server.anonymous(), "a.png", SMALL_PNG).status, 401);
    let author = server.author("author@blog.example");
    let forged = author.post_multipart("/uploads", &[], &[("file", "a.png", SMALL_PNG)], &[]);
    assert_eq!(forged.status, 403);
    assert!(forged.body.contains("\"error\""));
    assert!(media_files(&server).is_empty());
}

#[test]
fn wide_uploads_get_a_1600_px_copy_for_the_page_and_keep_the_original() {
    let server = TestServer::start();
    let author = server.author("wide@blog.example");
    let url = uploaded_url(&author, "wide.png", WIDE_PNG);
    let shown = decode(&author.get(&url).assert_status(200).bytes);
    assert_eq!(shown.width(), 1600);
    let sizes: Vec<u32> = media_files(&server)
        .iter()
        .map(|path| {
            decode(&std::fs::read(server.path().join("blog-data/media").join(path)).unwrap())
                .width()
        })
        .collect();
    assert!(sizes.contains(&2000) && sizes.contains(&1600), "{sizes:?}");
}

#[test]
fn media_is_served_with_its_type_and_long_caching_and_paths_never_escape() {
    let server = TestServer::start();
    let author = server.author("serve@blog.example");
    let url = uploaded_url(&author, "small.png", SMALL_PNG);
    let page = server.anonymous().get(&url).assert_status(200);
    assert_eq!(page.header("content-type"), Some("image/png"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page
        .header("cache-control")
        .unwrap_or_default()
        .contains("max-age=31536000"));

    std::fs::create_dir_all(server.path().join("blog-data/media/.tmp")).unwrap();
    std::fs::write(server.path().join("blog-data/media/.tmp/x.png"), b"temp").unwrap();
    std::fs::write(
        server.path().join("blog-data/media/notes.txt"),
        b"not media",
    )
    .unwrap();
    let visitor = server.anonymous();
    for path in [
        "/media/../secret.key",
        "/media/%2e%2e/secret.key",
        "/media/..%2fsecret.key",
        "/media/uploads/..%2f..%2fsecret.key",
        "/media/%2e%2e%2f%2e%2e%2fblog.sqlite3",
        "/media/.tmp/x.png",
        "/media/notes.txt",
        "/media/uploads",
        "/media/uploads/",
        "/media/",
    ] {
        let page = visitor.get(path);
        assert_eq!(page.status, 404, "{path}");
        assert!(
            !page.body.contains("BEGIN") && !page.body.contains("SQLite format"),
            "{path}"
        );
    }
}

#[test]
fn deleting_a_user_deletes_their_posts_and_the_media_only_they_used() {
    let server = TestServer::start();
    let leaving = server.author("leaving@blog.example");
    let staying = server.author("staying@blog.example");
    set_avatar(&leaving, "me.jpg", ROTATED_GPS_JPG).assert_status(303);
    let theirs = uploaded_url(&leaving, "photo.webp", PHOTO_WEBP);
    let slug = leaving.create_post("Goodbye", &format!("<p><img src=\"{theirs}\"></p>"));
    let kept = uploaded_url(&staying, "small.png", SMALL_PNG);
    staying.create_post("Still here", &format!("<p><img src=\"{kept}\"></p>"));
    // Two avatar squares; each upload with its WebP copy.
    assert_eq!(media_files(&server).len(), 6);

    let refused = server.cli(&["users", "delete", "leaving@blog.example"]);
    assert!(!refused.status.success());
    assert_eq!(
        media_files(&server).len(),
        6,
        "nothing deleted without --yes"
    );

    let done = server
        .cli(&["users", "delete", "leaving@blog.example", "--yes"])
        .success();
    assert!(
        done.stdout.contains("1 post and 4 media files"),
        "{}",
        done.stdout
    );
    let left = media_files(&server);
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().any(|path| kept.ends_with(path.as_str())));
    server
        .anonymous()
        .get(&format!("/posts/{slug}"))
        .assert_status(404);
    leaving.get("/drafts").assert_status(303);
}
