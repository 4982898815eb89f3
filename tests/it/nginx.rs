//! The real nginx in front of the real binary, with the site `blog nginx-config` prints:
//! pages and logins pass through to blog with the client's address, while `/static/`
//! and `/media/` files come from nginx itself (blog's log shows no request for them).
//! Needs Debian's `nginx` and `libnginx-mod-http-brotli-static` (`.ci/run` installs
//! them); without nginx the tests are skipped, except on CI where they fail.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::media::{upload, uploaded_url};
use crate::production::decompress;
use crate::support::{Client, Site, TestServer, PASSWORD};

const SMALL_PNG: &[u8] = include_bytes!("../fixtures/small.png");
const ROTATED_JPG: &[u8] = include_bytes!("../fixtures/rotated-gps.jpg");

/// Small, so a too-large upload is cheap to send; the fixtures stay below it.
const MAX_UPLOAD_BYTES: u64 = 64 * 1024;

/// nginx reaches blog from this address (`proxy_bind`), the only trusted proxy, while
/// test clients connect from 127.0.0.1: so when blog logs 127.0.0.1 as the client, it
/// can only have read it from the X-Forwarded-For that nginx wrote.
const NGINX_SOURCE: &str = "127.0.0.2";

/// The same value the binary sends (`src/web/response.rs`).
const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// How long nginx may take to accept connections after it starts.
const STARTUP: Duration = Duration::from_secs(10);

/// A blog, and nginx in front of it with the site `blog nginx-config` printed.
pub(crate) struct Stack {
    pub(crate) server: TestServer,
    pub(crate) nginx: Nginx,
    static_dir: PathBuf,
}

impl Stack {
    /// `None` when nginx is not installed and the test should be skipped.
    fn start() -> Option<Stack> {
        Self::start_with(&[])
    }

    /// With `nginx-config --cache` (the cache in nginx's folder) and `[cache]
    /// s_maxage` as given.
    pub(crate) fn start_caching(s_maxage: &str) -> Option<Stack> {
        Self::start_with(&[("BLOG_CACHE_S_MAXAGE", s_maxage)])
    }

    fn start_with(env: &[(&str, &str)]) -> Option<Stack> {
        let binary = match find_nginx() {
            Some(binary) => binary,
            None if std::env::var("CI").as_deref() == Ok("true") => panic!(
                "nginx is not installed, and CI must run the nginx tests: \
                 apt-get install nginx libnginx-mod-http-brotli-static (.ci/run does)"
            ),
            None => {
                eprintln!(
                    "skipped: nginx not installed (apt-get install nginx libnginx-mod-http-brotli-static)"
                );
                return None;
            }
        };
        let mut site = Site::new()
            .env(
                "BLOG_SERVER_MAX_UPLOAD_BYTES",
                &MAX_UPLOAD_BYTES.to_string(),
            )
            .env("BLOG_SERVER_TRUSTED_PROXIES", &format!("{NGINX_SOURCE}/32"));
        for (key, value) in env {
            site = site.env(key, value);
        }
        let caching = !env.is_empty();
        let server = site.start();
        let dir = tempfile::tempdir().expect("a temporary folder for nginx");
        let static_dir = dir.path().join("static");
        let static_arg = static_dir.to_str().expect("a UTF-8 temporary path");
        server.cli(&["collectstatic", static_arg]).success();

        let listen = format!("127.0.0.1:{}", free_port());
        let cache_dir = dir.path().join("cache");
        let mut args = vec![
            "nginx-config",
            "--listen",
            &listen,
            "--static-dir",
            static_arg,
        ];
        if caching {
            let cache_arg = cache_dir.to_str().expect("a UTF-8 temporary path");
            args.extend(["--cache", "--cache-dir", cache_arg]);
        }
        // The server was started on port 0; the config must name the port it got.
        let site = server
            .cli_env(&args, &[("BLOG_SERVER_BIND", &server.address())])
            .success()
            .stdout;
        // What `certbot --nginx` does to the site: an HTTPS listener with a certificate.
        let tls_listen = format!("127.0.0.1:{}", free_port());
        let site = with_certificate(&site, &listen, &tls_listen, dir.path());
        let mut nginx = Nginx::start(&binary, dir, &site, &listen);
        nginx.tls_base = format!("https://{tls_listen}");
        Some(Stack {
            server,
            nginx,
            static_dir,
        })
    }

    /// A browser that talks to nginx.
    pub(crate) fn browser(&self) -> Client {
        Client::new(&self.nginx.base)
    }

    /// A signed-in browser, through nginx, for a new account with this role.
    pub(crate) fn user(&self, email: &str, role: &str) -> Client {
        self.server.create_user(email, role);
        let client = self.browser();
        client.sign_in(email, PASSWORD);
        client
    }

    /// Stops blog and answers the lines it logged for requests whose path starts with
    /// `prefix`. Each worker hands its request lines to the log every 50 ms, and all
    /// that is left as it stops: stopped, the log is complete, with no sleep.
    fn blog_requests(self, prefix: &str) -> Vec<String> {
        let needle = format!("path={prefix}");
        self.server
            .stop_and_log()
            .lines()
            .filter(|line| line.contains(&needle))
            .map(str::to_owned)
            .collect()
    }
}

/// nginx in the foreground, every file of it in its own temporary folder; killed on drop.
pub(crate) struct Nginx {
    child: Child,
    pub(crate) dir: TempDir,
    base: String,
    /// The HTTPS listener certbot would add, with a self-signed certificate.
    tls_base: String,
    pub(crate) address: String,
}

impl Nginx {
    pub(crate) fn start(binary: &Path, dir: TempDir, site: &str, listen: &str) -> Nginx {
        let root = dir
            .path()
            .to_str()
            .expect("a UTF-8 temporary path")
            .to_owned();
        std::fs::write(dir.path().join("site.conf"), site).expect("write site.conf");
        // Debian puts dynamic modules here; elsewhere, whatever the system enables.
        let module = Path::new("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so");
        let modules = if module.exists() {
            format!("load_module {};", module.display())
        } else {
            "include /etc/nginx/modules-enabled/*.conf;".to_owned()
        };
        let conf = format!(
            "# The test's own frame around the site: one foreground process (so it keeps
# the test's user, who can read the temporary folders), every file in {root}.
{modules}
daemon off;
master_process off;
pid {root}/nginx.pid;
error_log {root}/error.log info;
events {{
    worker_connections 64;
}}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    proxy_bind {NGINX_SOURCE};
    include {root}/site.conf;
}}
"
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("write nginx.conf");
        let output = File::create(dir.path().join("stderr.log")).expect("nginx's stderr file");
        let child = Command::new(binary)
            .args(["-p", &root, "-e", &format!("{root}/error.log"), "-c"])
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(output)
            .spawn()
            .expect("nginx runs");
        let mut nginx = Nginx {
            child,
            dir,
            base: format!("http://{listen}"),
            tls_base: String::new(),
            address: listen.to_owned(),
        };
        nginx.wait_until_listening();
        nginx
    }

    /// nginx says nothing when it is ready: try to connect, for a bounded time.
    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + STARTUP;
        loop {
            if TcpStream::connect(&self.address).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("nginx exited ({status}) at start:\n{}", self.errors());
            }
            assert!(
                Instant::now() < deadline,
                "nginx did not listen on {} within {STARTUP:?}:\n{}",
                self.address,
                self.errors()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// What nginx said on stderr and in its error log, to explain a failure.
    fn errors(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.path().join(name));
        format!(
            "stderr: {}\nerror.log: {}",
            read("stderr.log").unwrap_or_default(),
            read("error.log").unwrap_or_default()
        )
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!("--- nginx ---\n{}", self.errors());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `nginx` on the PATH, or in /usr/sbin, which a non-root PATH may lack.
pub(crate) fn find_nginx() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join("nginx"))
        .find(|candidate| candidate.is_file())
}

/// The site with the lines `certbot --nginx` adds: a TLS listener and a certificate
/// (here self-signed, made with openssl for localhost).
fn with_certificate(site: &str, listen: &str, tls_listen: &str, dir: &Path) -> String {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl makes a test certificate");
    assert!(made.success(), "openssl could not make a certificate");
    let plain = format!("    listen {listen};");
    assert!(
        site.contains(&plain),
        "the site listens on {listen}:\n{site}"
    );
    site.replacen(
        &plain,
        &format!(
            "{plain}\n    listen {tls_listen} ssl;\n    ssl_certificate {};\n    ssl_certificate_key {};",
            cert.display(),
            key.display()
        ),
        1,
    )
}

/// A port nobody listens on now: the OS picks it, and we let it go for nginx.
pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("an ephemeral port");
    listener.local_addr().expect("a bound address").port()
}

/// One answer, as raw as it came.
pub(crate) struct Raw {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Raw {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn count(&self, name: &str) -> usize {
        self.headers.iter().filter(|(k, _)| k == name).count()
    }
}

/// A GET sent byte for byte (paths with `..` stay as written, `Accept-Encoding` is ours,
/// bodies stay compressed). HTTP/1.1, since nginx gzips for nothing older; the files
/// and pages asked for this way come with a Content-Length, never chunked.
pub(crate) fn raw_get(address: &str, path: &str, headers: &[(&str, &str)]) -> Raw {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a read timeout");
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send the request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete head for {path}: {raw:?}"));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line for {path}: {head}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Raw {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

#[track_caller]
pub(crate) fn assert_security_headers(raw: &Raw, what: &str) {
    for name in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "x-frame-options",
    ] {
        assert_eq!(
            raw.count(name),
            1,
            "one {name} on {what}: {:?}",
            raw.headers
        );
    }
    assert_eq!(raw.header("x-content-type-options"), Some("nosniff"));
    let csp = raw.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
}

#[test]
fn the_session_cookie_is_secure_when_nginx_says_the_request_was_https() {
    let Some(stack) = Stack::start() else { return };
    stack.server.create_user("tls@blog.example", "author");

    let over_https = Client::new_trusting_any_certificate(&stack.nginx.tls_base);
    let page = over_https
        .login("tls@blog.example", PASSWORD)
        .assert_status(303);
    let cookies = page.set_cookies();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("blog_session=") && c.contains("Secure")),
        "HTTPS at nginx gives a Secure cookie: {cookies:?}"
    );
    assert!(over_https
        .get("/posts/new")
        .assert_status(200)
        .is_signed_in());

    let over_http = stack.browser();
    let page = over_http
        .login("tls@blog.example", PASSWORD)
        .assert_status(303);
    let cookies = page.set_cookies();
    assert!(
        cookies.iter().all(|c| !c.contains("Secure")),
        "plain HTTP at nginx gives no Secure cookie: {cookies:?}"
    );
}

#[test]
fn pages_and_logins_pass_through_nginx_with_the_client_address() {
    let Some(stack) = Stack::start() else { return };

    let home = raw_get(&stack.nginx.address, "/", &[]);
    assert_eq!(home.status, 200);
    assert!(
        home.header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{:?}",
        home.headers
    );
    // Sent by blog, and not a second time by nginx.
    assert_security_headers(&home, "/ through nginx");

    // A client's own X-Forwarded-For is kept, and nginx's real peer added after it:
    // blog takes the rightmost address not of a trusted proxy, the one nginx saw.
    raw_get(
        &stack.nginx.address,
        "/xff-probe",
        &[("X-Forwarded-For", "203.0.113.9")],
    );
    let log = stack.server.log_with("path=/xff-probe");
    let line = log
        .lines()
        .find(|l| l.contains("path=/xff-probe"))
        .unwrap_or_default();
    assert!(
        line.contains("client=127.0.0.1"),
        "blog logs the address nginx saw, not nginx's own ({NGINX_SOURCE}) nor a claimed one: {line}"
    );

    let author = stack.user("author@blog.example", "author");
    let form = author.get("/posts/new").assert_status(200);
    assert!(form.is_signed_in());
    let slug = author.create_post("Through the proxy", "<p>Hello from behind nginx.</p>");
    author.publish(&slug);
    let page = stack
        .browser()
        .get(&format!("/posts/{slug}"))
        .assert_status(200);
    assert!(page.text().contains("Hello from behind nginx."));
    let log = stack.server.log_with("method=POST path=/accounts/login");
    let logins: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("method=POST path=/accounts/login"))
        .collect();
    assert!(
        logins.iter().all(|l| l.contains("client=127.0.0.1")),
        "the login is throttled by the client's address: {logins:?}"
    );
}

#[test]
fn static_files_come_from_nginx_byte_identical_and_precompressed() {
    let Some(stack) = Stack::start() else { return };
    let home = stack.browser().get("/").assert_status(200);
    let css = home.select("link[rel=stylesheet]")[0]
        .attr("href")
        .expect("a stylesheet link")
        .to_owned();
    assert!(css.starts_with("/static/css/site."), "{css}");
    let file = stack.static_dir.join(css.trim_start_matches("/static/"));
    let collected = std::fs::read(&file).expect("collectstatic wrote the stylesheet");

    let plain = raw_get(&stack.nginx.address, &css, &[]);
    assert_eq!(plain.status, 200);
    assert_eq!(plain.body, collected);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("cache-control"), Some(CACHE_FOREVER));
    assert_eq!(
        plain.header("content-type"),
        Some("text/css; charset=utf-8"),
        "the type blog gives it"
    );
    assert_eq!(plain.count("vary"), 1, "{:?}", plain.headers);
    assert_eq!(plain.header("vary"), Some("Accept-Encoding"));
    assert_security_headers(&plain, "a stylesheet from nginx");

    for encoding in ["br", "gzip"] {
        let packed = raw_get(&stack.nginx.address, &css, &[("Accept-Encoding", encoding)]);
        assert_eq!(packed.status, 200);
        assert_eq!(
            packed.header("content-encoding"),
            Some(encoding),
            "nginx serves the {encoding} twin: {:?}",
            packed.headers
        );
        assert_eq!(decompress(encoding, &packed.body), collected, "{encoding}");
        assert_eq!(packed.header("cache-control"), Some(CACHE_FOREVER));
    }
    let missing = raw_get(&stack.nginx.address, "/static/css/nothing.css", &[]);
    assert_eq!(missing.status, 404);
    assert_security_headers(&missing, "a 404 from nginx");

    // What nginx sent is what blog itself sends...
    let direct = raw_get(&stack.server.address(), &css, &[]);
    assert_eq!(direct.status, 200);
    assert_eq!(direct.body, plain.body);
    // ...and that one request is the only one for an asset that reached blog.
    let reached = stack.blog_requests("/static/");
    assert_eq!(reached.len(), 1, "blog served assets: {reached:?}");
}

#[test]
fn media_files_come_from_nginx_with_their_type_and_nothing_else_does() {
    let Some(stack) = Stack::start() else { return };
    let author = stack.user("author@blog.example", "author");
    let media_root = stack.server.path().join("blog-data/media");

    let mut uploaded = Vec::new();
    for (name, bytes, content_type) in [
        ("small.png", SMALL_PNG, "image/png"),
        ("photo.jpg", ROTATED_JPG, "image/jpeg"),
    ] {
        let url = uploaded_url(&author, name, bytes);
        let served = raw_get(&stack.nginx.address, &url, &[]);
        assert_eq!(served.status, 200, "{url}");
        assert_eq!(served.header("content-type"), Some(content_type), "{url}");
        assert_eq!(served.header("cache-control"), Some(CACHE_FOREVER));
        assert_security_headers(&served, &url);
        let on_disk = std::fs::read(media_root.join(url.trim_start_matches("/media/")))
            .expect("the uploaded file is in the media folder");
        assert_eq!(served.body, on_disk, "{url}");
        uploaded.push(url);
    }

    // Things in and near the media folder that must never be served.
    const SECRET: &[u8] = b"do not serve me";
    std::fs::create_dir_all(media_root.join(".tmp")).unwrap();
    std::fs::write(media_root.join(".tmp/half.png"), SECRET).unwrap();
    std::fs::write(media_root.join(".hidden.png"), SECRET).unwrap();
    std::fs::write(media_root.join("notes.txt"), SECRET).unwrap();
    std::fs::write(stack.server.path().join("blog-data/secret.key"), SECRET).unwrap();
    std::fs::write(stack.server.path().join("outside.png"), SECRET).unwrap();
    std::os::unix::fs::symlink(
        stack.server.path().join("outside.png"),
        media_root.join("link.png"),
    )
    .unwrap();
    for path in [
        "/media/.tmp/half.png",
        "/media/.tmp/",
        "/media/.hidden.png",
        "/media/notes.txt",
        "/media/link.png",
        "/media/",
        "/media/../secret.key",
        "/media/../blog-data/secret.key",
        "/media/%2e%2e/secret.key",
        "/media/..%2fsecret.key",
        "/media/uploads/../../secret.key",
    ] {
        let answer = raw_get(&stack.nginx.address, path, &[]);
        assert!(
            matches!(answer.status, 400 | 403 | 404),
            "{path}: {} {:?}",
            answer.status,
            answer.headers
        );
        assert!(
            !answer.body.windows(SECRET.len()).any(|w| w == SECRET),
            "{path} leaked a file"
        );
        assert_eq!(
            answer.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }

    // The uploaded files came from nginx alone.
    let reached: Vec<String> = stack
        .blog_requests("/media/")
        .into_iter()
        .filter(|line| {
            uploaded
                .iter()
                .any(|url| line.contains(&format!("path={url} ")))
        })
        .collect();
    assert!(reached.is_empty(), "blog served media: {reached:?}");
}

#[test]
fn an_upload_over_max_upload_bytes_is_refused_by_nginx() {
    let Some(stack) = Stack::start() else { return };
    let author = stack.user("author@blog.example", "author");
    let big = vec![b'x'; MAX_UPLOAD_BYTES as usize + 1];
    let page = upload(&author, "big.png", &big);
    assert_eq!(page.status, 413, "{}", page.body);
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    let reached = stack.blog_requests("/uploads");
    assert!(
        reached.is_empty(),
        "the body never reached blog: {reached:?}"
    );
}
