//! Start-up faults: a data folder that cannot be made or written, a database that is
//! not SQLite, is damaged, or comes from a newer `blog`. Each stops `serve` with one
//! line saying what is wrong and what to do, a non-zero exit, and no panic.

use std::io::{Seek, SeekFrom, Write};

use crate::support::{Output, Site, TestServer};

#[track_caller]
fn assert_one_line_failure(output: &Output, expected: &[&str]) {
    assert!(
        !output.status.success(),
        "serve should have failed: {output:?}"
    );
    assert!(
        output.status.code().is_some(),
        "killed by a signal: {output:?}"
    );
    let stderr = output.stderr.trim();
    assert_eq!(stderr.lines().count(), 1, "one line, not: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    assert!(
        expected.iter().any(|e| stderr.contains(e)),
        "expected one of {expected:?} in: {stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "nothing on stdout: {}",
        output.stdout
    );
}

/// A stopped site whose database holds one post, for tests that then damage it.
fn site_with_a_database() -> Site {
    let server = TestServer::start();
    let author = server.author("ann@example.com");
    let slug = author.create_post("Kept", "<p>Text.</p>");
    author.publish(&slug);
    server.stop_keeping_folder()
}

#[test]
fn a_data_folder_that_cannot_be_created_stops_serve_with_one_line() {
    let site = Site::new();
    // A folder inside a regular file cannot be made, whoever we are (root included).
    std::fs::write(site.path().join("not-a-folder"), "x").unwrap();
    let output = site.run_env(
        &["serve", "--bind", "127.0.0.1:0"],
        &[("BLOG_STORAGE_DATA_DIR", "not-a-folder/blog-data")],
    );
    assert_one_line_failure(&output, &["cannot create the data folder"]);
}

#[test]
fn a_database_that_is_not_sqlite_stops_serve_with_one_line() {
    let site = Site::new();
    std::fs::create_dir_all(site.path().join("blog-data")).unwrap();
    std::fs::write(
        site.path().join("blog-data/blog.sqlite3"),
        "these are not the bytes of a database\n".repeat(200),
    )
    .unwrap();
    let output = site.run(&["serve", "--bind", "127.0.0.1:0"]);
    assert_one_line_failure(&output, &["is not a SQLite database"]);
    assert!(output.stderr.contains("restore"), "{}", output.stderr);
}

#[test]
fn a_damaged_database_stops_serve_and_check_reports_it() {
    let site = site_with_a_database();
    let path = site.path().join("blog-data/blog.sqlite3");
    let length = std::fs::metadata(&path).unwrap().len();
    assert!(length > 8 * 4096, "a database of several pages: {length}");
    // Scribble over the head of every page after the first: page 1 (the file header
    // and the schema) stays, so SQLite opens the file, and every table is broken.
    let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    for page in 1..length / 4096 {
        file.seek(SeekFrom::Start(page * 4096)).unwrap();
        file.write_all(&[0xA5; 64]).unwrap();
    }
    drop(file);
    let output = site.run(&["serve", "--bind", "127.0.0.1:0"]);
    assert_one_line_failure(
        &output,
        &["damaged", "not a readable SQLite database", "malformed"],
    );
    let check = site.run(&["check"]);
    assert!(
        !check.status.success(),
        "check passed a damaged database: {check:?}"
    );
    assert!(!check.stderr.contains("panicked"), "{}", check.stderr);
}

/// The whole file is read only once the port is open, so the first answer never waits
/// for it; damage found then stops the server with one line all the same.
#[test]
fn damage_deep_in_the_database_is_found_after_start_up_and_stops_serve() {
    let server = TestServer::start();
    let author = server.author("ann@example.com");
    // Enough posts that their pages come after every table the server reads to start.
    let body = format!("<p>{}</p>", "Many words here. ".repeat(400));
    for n in 0..40 {
        let slug = author.create_post(&format!("Post {n}"), &body);
        author.publish(&slug);
    }
    let site = server.stop_keeping_folder();
    let path = site.path().join("blog-data/blog.sqlite3");
    let length = std::fs::metadata(&path).unwrap().len();
    let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    for page in [length / 4096 - 2, length / 4096 - 1] {
        file.seek(SeekFrom::Start(page * 4096)).unwrap();
        file.write_all(&[0xA5; 64]).unwrap();
    }
    drop(file);

    let output = site.run(&["serve", "--bind", "127.0.0.1:0"]);
    assert!(!output.status.success(), "serve went on: {output:?}");
    assert!(
        output.stdout.starts_with("listening on "),
        "{}",
        output.stdout
    );
    let last = output.stderr.trim().lines().last().unwrap_or_default();
    assert!(last.starts_with("error: "), "{}", output.stderr);
    assert!(
        ["damaged", "malformed"].iter().any(|w| last.contains(w)),
        "{last}"
    );
    assert!(!output.stderr.contains("panicked"), "{}", output.stderr);
}

#[test]
fn a_database_from_a_newer_blog_stops_serve_with_one_line() {
    let site = site_with_a_database();
    let conn = rusqlite::Connection::open(site.path().join("blog-data/blog.sqlite3")).unwrap();
    conn.pragma_update(None, "user_version", 9999).unwrap();
    drop(conn);
    let output = site.run(&["serve", "--bind", "127.0.0.1:0"]);
    assert_one_line_failure(&output, &["newer version of blog"]);
    assert!(output.stderr.contains("upgrade blog"), "{}", output.stderr);
}

#[test]
fn a_read_only_data_folder_stops_serve_with_one_line() {
    // Root ignores permission bits, so the folder is a read-only tmpfs when this
    // machine allows mounting one; otherwise the mode bits are enough.
    let site = Site::new();
    let data = site.path().join("blog-data");
    std::fs::create_dir_all(&data).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs"])
        .arg(&data)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        // SAFETY: geteuid only reads the process's credentials.
        if unsafe { libc::geteuid() } == 0 {
            assert!(
                std::env::var("CI").is_err(),
                "under CI=true this test must run: mounting a tmpfs failed as root"
            );
            eprintln!("skipped: cannot mount a read-only tmpfs here, and root ignores mode bits");
            return;
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o500)).unwrap();
    }
    let output = site.run(&["serve", "--bind", "127.0.0.1:0"]);
    if mounted {
        let _ = std::process::Command::new("umount").arg(&data).status();
    }
    assert_one_line_failure(
        &output,
        &[
            "cannot create the data folder",
            "cannot create the database",
            "read-only",
            "Read-only",
        ],
    );
}
