//! Production chores: `blog backup` while the server writes, restoring as the README
//! says, and `blog check --deploy` flagging each unsafe setting.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::mpsc;
use std::thread;

use crate::support::{Client, Site, TestServer, PASSWORD};

const SMALL_PNG: &[u8] = include_bytes!("../fixtures/small.png");

/// Uploads an image as the editor does and answers its `/media/…` URL.
fn upload_image(client: &Client) -> String {
    let token = client.csrf_token();
    let page = client
        .post_multipart(
            "/uploads",
            &[],
            &[("file", "small.png", SMALL_PNG)],
            &[("x-csrf-token", &token)],
        )
        .assert_status(200);
    let json: serde_json::Value = serde_json::from_str(&page.body).expect("JSON answer");
    json["url"].as_str().expect("a url").to_owned()
}

/// The paths of the entries in a tar file.
fn tar_entries(file: &Path) -> Vec<String> {
    let mut archive = tar::Archive::new(std::fs::File::open(file).expect("the media tar"));
    archive
        .entries()
        .expect("a readable tar")
        .map(|entry| {
            let entry = entry.expect("a tar entry");
            let path = entry.path().expect("an entry path");
            path.to_string_lossy().trim_end_matches('/').to_owned()
        })
        .collect()
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|err| panic!("chmod {mode:o} {}: {err}", path.display()));
}

#[test]
fn backup_taken_during_writes_passes_integrity_check_and_holds_the_posts() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let url = upload_image(&author);
    author.create_post("With a picture", &format!("<p><img src=\"{url}\"></p>"));

    // A second browser, on a thread of its own, keeps writing posts; each 303 is
    // reported as it arrives.
    let base = format!("http://{}", server.address());
    let (acked, acks) = mpsc::channel();
    let writer = thread::spawn(move || {
        let client = Client::new(&base);
        client.sign_in("writer@blog.example", PASSWORD);
        for i in 0..40 {
            client.create_post(&format!("Busy post {i}"), "<p>written during a backup</p>");
            let _ = acked.send(i);
        }
    });
    for _ in 0..5 {
        acks.recv()
            .expect("the writer acknowledges its first posts");
    }
    let acknowledged = 5 + acks.try_iter().count();

    let out = server.cli(&["backup", "backup.sqlite3"]).success();
    writer.join().expect("the writer thread finishes");
    assert!(
        out.stdout.contains("backup.sqlite3.media.tar"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("secret key"), "{}", out.stdout);

    let file = server.path().join("backup.sqlite3");
    let copy = rusqlite::Connection::open(&file).expect("the backup opens");
    let integrity: String = copy
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity_check runs");
    assert_eq!(integrity, "ok");
    for i in 0..acknowledged {
        let title = format!("Busy post {i}");
        let found: i64 = copy
            .query_row(
                "SELECT count(*) FROM posts WHERE title = ?1",
                [&title],
                |row| row.get(0),
            )
            .expect("query the backup");
        assert_eq!(
            found, 1,
            "{title:?}, acknowledged before the backup, is in it"
        );
    }
    assert!(
        !server.path().join("backup.sqlite3-wal").exists(),
        "the backup is one self-contained file"
    );
    for name in ["backup.sqlite3", "backup.sqlite3.media.tar"] {
        let mode = std::fs::metadata(server.path().join(name))
            .expect("the backup files exist")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name} is private (password hashes)");
    }

    let entries = tar_entries(&server.path().join("backup.sqlite3.media.tar"));
    let image = url.strip_prefix("/media/").expect("a /media/ url");
    assert!(entries.iter().any(|e| e == image), "{image} in {entries:?}");
    assert!(
        !entries.iter().any(|e| e.starts_with(".tmp")),
        "no .tmp/ in {entries:?}"
    );
    assert!(
        !entries.iter().any(|e| e.contains("secret")),
        "no secret key in {entries:?}"
    );
}

#[test]
fn restoring_a_backup_gives_back_the_posts_and_media() {
    let server = TestServer::start();
    let author = server.author("keeper@blog.example");
    let url = upload_image(&author);
    let slug = author.create_post("Kept safe", &format!("<p><img src=\"{url}\"></p>"));
    author.publish(&slug);
    let image = server.anonymous().get(&url).assert_status(200).bytes;
    server.cli(&["backup", "kept.sqlite3"]).success();
    let file = server.path().join("kept.sqlite3");
    let tar_file = server.path().join("kept.sqlite3.media.tar");

    // Restore as the README says, into a new folder: copy FILE to
    // <data_dir>/blog.sqlite3, untar FILE.media.tar into <data_dir>/media.
    let fresh = Site::new();
    let data = fresh.path().join("blog-data");
    std::fs::create_dir_all(data.join("media")).expect("make the data folder");
    std::fs::copy(&file, data.join("blog.sqlite3")).expect("copy the database");
    let untar = std::process::Command::new("tar")
        .arg("-xf")
        .arg(&tar_file)
        .arg("-C")
        .arg(data.join("media"))
        .status()
        .expect("tar runs");
    assert!(untar.success(), "tar -xf: {untar:?}");
    drop(server);

    let restored = fresh.start();
    let visitor = restored.anonymous();
    let page = visitor.get(&format!("/posts/{slug}")).assert_status(200);
    assert!(page.text().contains("Kept safe"), "{}", page.text());
    assert!(page.has(&format!("img[src=\"{url}\"]")), "{}", page.body);
    assert_eq!(visitor.get(&url).assert_status(200).bytes, image);
    let keeper = restored.anonymous();
    keeper.sign_in("keeper@blog.example", PASSWORD);
}

#[test]
fn backup_refuses_to_overwrite_without_force() {
    let server = TestServer::start();
    server.cli(&["backup", "b.sqlite3"]).success();
    let file = server.path().join("b.sqlite3");
    let tar_file = server.path().join("b.sqlite3.media.tar");
    std::fs::write(&file, "an older backup").expect("plant a file");

    let again = server.cli(&["backup", "b.sqlite3"]);
    assert_eq!(again.status.code(), Some(1), "stderr: {}", again.stderr);
    assert_eq!(again.stderr.trim().lines().count(), 1, "{:?}", again.stderr);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    assert_eq!(
        std::fs::read_to_string(&file).expect("the file"),
        "an older backup",
        "left as it was"
    );

    // The tar alone is enough to refuse: the pair belongs together.
    std::fs::remove_file(&file).expect("remove the file");
    let again = server.cli(&["backup", "b.sqlite3"]);
    assert_eq!(again.status.code(), Some(1), "stderr: {}", again.stderr);
    assert!(again.stderr.contains("media.tar"), "{}", again.stderr);

    server.cli(&["backup", "b.sqlite3", "--force"]).success();
    let copy = rusqlite::Connection::open(&file).expect("the new backup opens");
    let integrity: String = copy
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity_check runs");
    assert_eq!(integrity, "ok");
    assert!(tar_file.exists());

    // Never over the live database, not even with --force.
    let live = server.cli(&["backup", "blog-data/blog.sqlite3", "--force"]);
    assert_eq!(live.status.code(), Some(1), "stderr: {}", live.stderr);
    assert!(live.stderr.contains("live database"), "{}", live.stderr);
}

const UNSAFE: &str = r#"
[site]
base_url = "http://blog.example.com"

[server]
bind = "0.0.0.0:8000"
trusted_proxies = ["0.0.0.0/0"]

[accounts]
open_registration = true
bcrypt_cost = 4
"#;

#[test]
fn check_deploy_flags_each_unsafe_setting() {
    let site = Site::new().without_secret_key().config(UNSAFE);
    // A plain check makes the data folder, the database and secret.key (0600).
    site.run(&["check"]).success();
    let data = site.path().join("blog-data");
    chmod(&data, 0o755);
    chmod(&data.join("blog.sqlite3"), 0o644);
    chmod(&data.join("secret.key"), 0o644);

    let out = site.run(&["check", "--deploy"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let warnings: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    let expected = [
        "base_url is http://blog.example.com",
        "trusted_proxies has 0.0.0.0/0",
        "blog-data has mode 0755",
        "blog.sqlite3 has mode 0644",
        "secret.key has mode 0644",
        "open_registration is true",
        "bcrypt_cost is 4",
    ];
    for part in expected {
        let lines: Vec<_> = warnings.iter().filter(|l| l.contains(part)).collect();
        assert_eq!(lines.len(), 1, "one line with {part:?} in {warnings:#?}");
    }
    assert_eq!(warnings.len(), expected.len(), "{warnings:#?}");
    assert!(out.stderr.contains("7 unsafe settings"), "{}", out.stderr);

    // Proxies narrowed to loopback: then binding to every interface lets visitors go
    // around nginx.
    let out = site.run_env(
        &["check", "--deploy"],
        &[("BLOG_SERVER_TRUSTED_PROXIES", "127.0.0.1/32,::1/128")],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("warning: [server] bind is 0.0.0.0:8000")
                && l.contains("127.0.0.1:8000")),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("trusted_proxies has"),
        "{}",
        out.stdout
    );
}

const SAFE: &str = r#"
[site]
base_url = "https://blog.example.com"

[server]
bind = "127.0.0.1:8000"

[accounts]
bcrypt_cost = 12
"#;

#[test]
fn check_deploy_passes_a_safe_setup() {
    let site = Site::new()
        .without_secret_key()
        .env("BLOG_ACCOUNTS_BCRYPT_COST", "12")
        .config(SAFE);
    site.run(&["check"]).success();
    let data = site.path().join("blog-data");
    chmod(&data, 0o700);
    chmod(&data.join("blog.sqlite3"), 0o600);
    let key_mode = std::fs::metadata(data.join("secret.key"))
        .expect("secret.key made")
        .permissions()
        .mode();
    assert_eq!(key_mode & 0o777, 0o600, "secret.key is made private");

    let out = site.run(&["check", "--deploy"]).success();
    assert!(!out.stdout.contains("warning"), "{}", out.stdout);
    assert!(out.stdout.contains("no unsafe settings"), "{}", out.stdout);
}

#[test]
fn backup_warns_when_a_media_file_the_database_names_is_not_in_the_tar() {
    let server = TestServer::start();
    let author = server.author("careless@blog.example");
    let url = upload_image(&author);
    let image = url.strip_prefix("/media/").expect("a /media/ url");
    std::fs::remove_file(server.path().join("blog-data/media").join(image))
        .expect("remove the uploaded file behind the server's back");

    let out = server.cli(&["backup", "b.sqlite3"]).success();
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("warning: 1 media file named by the database not in the tar")),
        "{}",
        out.stdout
    );
}
