//! Disk full: the data folder is a small tmpfs mounted by the test. A write that finds
//! no space gets a 507 page (or JSON for an upload), the server stays up, what was
//! committed before stays, no upload is left under a real name, and writing works
//! again once space is freed. Skipped, saying why, where mounting is not allowed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::media::upload;
use crate::support::{Site, TestServer, NEW_POST_FORM};

const WIDE_PNG: &[u8] = include_bytes!("../fixtures/wide.png");

/// A tmpfs mounted over a folder; unmounted (lazily, in case a file is still open)
/// when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Self> {
        std::fs::create_dir_all(dir).ok()?;
        let mounted = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0750"),
                "tmpfs",
            ])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        mounted.then(|| Self(dir.to_owned()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system holding `dir` with one file, up to the last byte.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let block = vec![0x55u8; 64 * 1024];
    while file.write_all(&block).is_ok() {}
    // Then byte by byte, so not even a small write fits.
    while file.write_all(&[0x55]).is_ok() {}
    let _ = file.sync_all();
    path
}

fn real_uploads(media: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![media.join("uploads")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

fn mount_or_skip(site: &Site) -> Option<Tmpfs> {
    let mount = Tmpfs::mount(&site.path().join("blog-data"), "6m");
    if mount.is_none() {
        // SAFETY: geteuid only reads the process's credentials.
        let root = unsafe { libc::geteuid() } == 0;
        assert!(
            !(root && std::env::var("CI").is_ok()),
            "under CI=true, as root, mounting a tmpfs must work for this test"
        );
        eprintln!("skipped: cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
    }
    mount
}

#[test]
fn a_full_disk_gets_507_keeps_what_was_saved_and_recovers_when_space_is_freed() {
    let site = Site::new();
    let Some(_mount) = mount_or_skip(&site) else {
        return;
    };
    let data = site.path().join("blog-data");
    let server: TestServer = site.start();
    let author = server.author("ann@example.com");
    let kept = author.create_post("Saved before", "<p>This was committed.</p>");
    author.publish(&kept);
    let form_page = author.get("/posts/new").assert_status(200);

    let filler = fill(&data);
    let big_body = format!("<p>{}</p>", "words that need room ".repeat(20_000));
    let refused = form_page
        .form(NEW_POST_FORM)
        .fill("title", "Written on a full disk")
        .fill("body", &big_body)
        .fill("tags", "")
        .submit();
    assert_eq!(refused.status, 507, "{}", refused.text());
    assert!(
        refused.text().contains("out of disk space"),
        "{}",
        refused.text()
    );

    let upload_refused = upload(&author, "wide.png", WIDE_PNG);
    assert_eq!(upload_refused.status, 507, "{}", upload_refused.body);
    assert!(
        upload_refused.body.contains("disk space"),
        "{}",
        upload_refused.body
    );
    assert!(
        real_uploads(&data.join("media")).is_empty(),
        "an upload was left under a real name"
    );

    // Still up, and what was committed before is intact.
    server.anonymous().get("/healthz").assert_status(200);
    let page = server
        .anonymous()
        .get(&format!("/posts/{kept}"))
        .assert_status(200);
    assert!(page.text().contains("This was committed."));
    let drafts = author.get("/drafts").assert_status(200);
    assert!(!drafts.text().contains("Written on a full disk"));

    std::fs::remove_file(filler).unwrap();
    let again = author.create_post("Written after freeing space", &big_body);
    author.publish(&again);
    server
        .anonymous()
        .get(&format!("/posts/{again}"))
        .assert_status(200);
    let url = crate::media::uploaded_url(&author, "wide.png", WIDE_PNG);
    server.anonymous().get(&url).assert_status(200);
    drop(server);
}
