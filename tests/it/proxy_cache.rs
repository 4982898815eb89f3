//! The real nginx with `proxy_cache`, from `blog nginx-config --cache`, in front of the
//! real binary: anonymous pages come from the cache; a signed-in author's pages are
//! never stored nor served to anyone else; a new post shows once `[cache] s_maxage`
//! has passed; and with blog stopped, readers still get the pages nginx kept. Skipped
//! without nginx, except on CI where it fails (see `nginx.rs`).

use std::net::TcpStream;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use crate::nginx::{assert_security_headers, raw_get, Raw, Stack};

/// Long enough for patience on a busy machine; the test fails only when it runs out.
const PATIENCE: Duration = Duration::from_secs(60);

fn body(raw: &Raw) -> String {
    String::from_utf8_lossy(&raw.body).into_owned()
}

/// Every cache key nginx stored (the `KEY:` line in each cache file's header).
fn stored_keys(cache: &Path) -> Vec<String> {
    let mut keys = Vec::new();
    let mut folders = vec![cache.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                let text = String::from_utf8_lossy(&bytes);
                if let Some(line) = text.lines().find(|l| l.starts_with("KEY: ")) {
                    keys.push(line.trim_start_matches("KEY: ").to_owned());
                }
            }
        }
    }
    keys
}

/// Asks nginx for `path` until `done` holds, or fails after `PATIENCE`.
#[track_caller]
fn poll(address: &str, path: &str, what: &str, done: impl Fn(&Raw) -> bool) -> Raw {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let answer = raw_get(address, path, &[]);
        if done(&answer) {
            return answer;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: still {} {:?} after {PATIENCE:?}",
            answer.status,
            answer.headers
        );
        thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn anonymous_pages_come_from_the_cache_and_a_signed_in_author_s_never_do() {
    let Some(stack) = Stack::start_caching("1h") else {
        return;
    };
    let nginx = stack.nginx.address.clone();

    let first = raw_get(&nginx, "/", &[]);
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-cache-status"), Some("MISS"));
    let again = raw_get(&nginx, "/", &[]);
    assert_eq!(
        again.header("x-cache-status"),
        Some("HIT"),
        "{:?}",
        again.headers
    );
    assert_eq!(again.body, first.body);
    assert!(
        again
            .header("cache-control")
            .is_some_and(|v| v.starts_with("public, max-age=0, s-maxage=3600, ")),
        "{:?}",
        again.headers
    );
    assert_eq!(again.header("set-cookie"), None, "{:?}", again.headers);
    assert_security_headers(&again, "a page from nginx's cache");

    // The author's pages, even a public one, pass the cache by and stay out of it.
    let author = stack.user("cached@blog.example", "author");
    let probe = "/?seen-by=author";
    let theirs = author.get(probe).assert_status(200);
    assert!(theirs.is_signed_in());
    assert_eq!(theirs.header("x-cache-status"), Some("BYPASS"));
    assert_eq!(theirs.header("cache-control"), Some("private, no-cache"));
    let home = author.get("/").assert_status(200);
    assert!(home.is_signed_in(), "not the anonymous copy in the cache");
    assert_eq!(home.header("x-cache-status"), Some("BYPASS"));
    let editor = author.get("/posts/new").assert_status(200);
    assert_eq!(editor.header("cache-control"), Some("private, no-store"));

    let keys = stored_keys(&stack.nginx.dir.path().join("cache"));
    assert!(!keys.is_empty(), "nginx stored the anonymous page");
    assert!(
        keys.iter()
            .all(|k| !k.contains("seen-by") && !k.contains("/posts/new")),
        "nothing the author asked for is stored: {keys:?}"
    );
    let anonymous = raw_get(&nginx, probe, &[]);
    assert_eq!(anonymous.status, 200);
    assert_eq!(anonymous.header("x-cache-status"), Some("MISS"));
    assert!(!body(&anonymous).contains("cached@blog.example"));
    let anonymous = stack.browser().get("/").assert_status(200);
    assert!(!anonymous.is_signed_in());
}

#[test]
fn a_new_post_shows_after_s_maxage_and_readers_get_pages_while_blog_is_down() {
    let Some(stack) = Stack::start_caching("1s") else {
        return;
    };
    let nginx = stack.nginx.address.clone();
    let author = stack.user("writer@blog.example", "author");
    let old = author.create_post("Kept by nginx", "<p>An older post.</p>");
    author.publish(&old);
    let post_path = format!("/posts/{old}");
    // After the first answer (a MISS) the page is in the cache, fresh or not.
    let cached = poll(&nginx, &post_path, "the post is cached", |raw| {
        raw.status == 200 && raw.header("x-cache-status").is_some_and(|s| s != "MISS")
    });
    assert!(body(&cached).contains("An older post."));
    let home = raw_get(&nginx, "/", &[]);
    assert!(body(&home).contains("Kept by nginx"));

    let new = author.create_post("Fresh from the author", "<p>Hot news.</p>");
    author.publish(&new);
    // The cache may answer with its copy for s_maxage (1 s), then while refreshing it.
    poll(&nginx, "/", "the new post on the cached home page", |raw| {
        raw.status == 200 && body(raw).contains("Fresh from the author")
    });

    stack.server.send_sigterm();
    let blog = stack.server.address();
    let deadline = Instant::now() + PATIENCE;
    while TcpStream::connect(&blog).is_ok() {
        assert!(Instant::now() < deadline, "blog did not stop");
        thread::sleep(Duration::from_millis(20));
    }
    for (path, text) in [
        ("/", "Fresh from the author"),
        (&post_path, "An older post."),
    ] {
        let stale = raw_get(&nginx, path, &[]);
        assert_eq!(stale.status, 200, "{path} while blog is down");
        assert!(body(&stale).contains(text), "{path}");
        assert!(
            matches!(stale.header("x-cache-status"), Some("STALE" | "HIT")),
            "{path}: {:?}",
            stale.headers
        );
        assert_security_headers(&stale, "a stale page");
    }
    // A signed-in author gets no one's cached copy, only the truth: blog is down.
    let down = author.get("/");
    assert_eq!(down.status, 502, "{:?}", down.header("x-cache-status"));
}
