//! The server as production sees it: proxy headers believed only from trusted proxies,
//! hashed and compressed assets, ETags, graceful shutdown, durability, Unix sockets.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::{Client, Site, TestServer, PASSWORD};

pub(crate) fn decompress(encoding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "br" => brotli::BrotliDecompress(&mut &body[..], &mut out).expect("valid brotli"),
        "gzip" => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut out)
                .expect("valid gzip");
        }
        other => panic!("unexpected encoding {other}"),
    }
    out
}

/// A GET with extra request headers, through a fresh client (no cookies).
fn get_with(
    server: &TestServer,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut stream = TcpStream::connect(server.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        server.address()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, raw[split + 4..].to_vec())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn stylesheet_path(server: &TestServer) -> String {
    let home = server.anonymous().get("/").assert_status(200);
    let href = home.select("link[rel=stylesheet]")[0]
        .attr("href")
        .unwrap()
        .to_owned();
    assert!(href.starts_with("/static/css/site."), "{href}");
    href
}

#[test]
fn hashed_assets_are_cached_for_a_year_and_compressed_bodies_match_collectstatic() {
    let server = TestServer::start();
    let css = stylesheet_path(&server);
    let out = server.path().join("collected");
    server
        .cli(&["collectstatic", out.to_str().unwrap()])
        .success();
    let name = css.trim_start_matches("/static/");
    let collected = std::fs::read(out.join(name)).expect("collectstatic wrote the hashed name");

    let (status, headers, plain) = get_with(&server, &css, &[]);
    assert_eq!(status, 200);
    assert_eq!(plain, collected, "the same bytes as the collected file");
    assert_eq!(
        header(&headers, "cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(header(&headers, "x-content-type-options"), Some("nosniff"));

    for (encoding, suffix) in [("br", ".br"), ("gzip", ".gz")] {
        let (status, headers, body) = get_with(&server, &css, &[("Accept-Encoding", encoding)]);
        assert_eq!(status, 200);
        assert_eq!(header(&headers, "content-encoding"), Some(encoding));
        assert_eq!(decompress(encoding, &body), collected);
        let twin = std::fs::read(out.join(format!("{name}{suffix}"))).expect("a compressed twin");
        assert_eq!(
            twin, body,
            "nginx's {suffix} twin is byte-identical to what blog sends"
        );
    }
}

#[test]
fn assets_and_pages_answer_a_matching_if_none_match_with_304() {
    let server = TestServer::start();
    let css = stylesheet_path(&server);
    let (_, headers, _) = get_with(&server, &css, &[]);
    let etag = header(&headers, "etag")
        .expect("assets have an ETag")
        .to_owned();
    let (status, headers, body) = get_with(&server, &css, &[("If-None-Match", &etag)]);
    assert_eq!(status, 304);
    assert!(body.is_empty());
    assert!(
        header(&headers, "content-security-policy").is_some(),
        "security headers on 304s too"
    );

    let (status, headers, _) = get_with(&server, "/", &[]);
    assert_eq!(status, 200);
    let page_etag = header(&headers, "etag")
        .expect("pages have an ETag")
        .to_owned();
    let (status, headers, body) = get_with(&server, "/", &[("If-None-Match", &page_etag)]);
    assert_eq!(status, 304);
    assert!(body.is_empty());
    assert_eq!(header(&headers, "x-content-type-options"), Some("nosniff"));
    let (status, _, _) = get_with(&server, "/", &[("If-None-Match", "\"something-else\"")]);
    assert_eq!(status, 200);

    // A compressed page has its own ETag and decompresses to the page.
    let (_, headers, body) = get_with(&server, "/", &[("Accept-Encoding", "gzip")]);
    if header(&headers, "content-encoding") == Some("gzip") {
        assert_ne!(header(&headers, "etag"), Some(page_etag.as_str()));
        assert!(String::from_utf8(decompress("gzip", &body))
            .unwrap()
            .contains("<!DOCTYPE html>"));
    }
}

#[test]
fn forwarded_headers_are_believed_from_a_trusted_proxy_only() {
    // Loopback is trusted by default: the test client plays the proxy.
    let server = TestServer::start();
    server.create_user("proxied@blog.example", "author");
    let (_, headers, _) = get_with(
        &server,
        "/healthz",
        &[
            ("X-Forwarded-For", "203.0.113.7"),
            ("X-Forwarded-Proto", "https"),
        ],
    );
    assert!(header(&headers, "content-type").is_some());
    // The proxy's client is the one logged (and throttled).
    server.log_with("client=203.0.113.7");
    let cookie = login_cookie(
        &server,
        "proxied@blog.example",
        &[("X-Forwarded-Proto", "https")],
    );
    assert!(
        cookie.contains("Secure"),
        "HTTPS at the proxy gives a Secure cookie: {cookie}"
    );

    // With loopback not trusted, the same headers are ignored.
    let strict = Site::new()
        .env("BLOG_SERVER_TRUSTED_PROXIES", "10.0.0.0/8")
        .start();
    strict.create_user("direct@blog.example", "author");
    get_with(&strict, "/healthz", &[("X-Forwarded-For", "203.0.113.8")]);
    let log = strict.log_with("path=/healthz");
    assert!(
        !log.contains("203.0.113.8"),
        "a client cannot claim an address: {log}"
    );
    assert!(
        log.contains("client=127.0.0.1"),
        "the connection's own address: {log}"
    );
    let cookie = login_cookie(
        &strict,
        "direct@blog.example",
        &[("X-Forwarded-Proto", "https")],
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP stays plain: {cookie}"
    );
}

/// Logs in with raw HTTP (so extra headers can be sent) and returns the Set-Cookie.
fn login_cookie(server: &TestServer, email: &str, headers: &[(&str, &str)]) -> String {
    let visitor = Client::new(&format!("http://{}", server.address()));
    let form = visitor
        .get("/accounts/login")
        .form("form[action^=\"/accounts/login\"]");
    let token = form.value("csrf_token").unwrap().to_owned();
    let session = visitor.cookie("blog_session").unwrap();
    let body = format!(
        "csrf_token={token}&email={}&password={}",
        email.replace('@', "%40"),
        PASSWORD.replace(' ', "+")
    );
    let mut stream = TcpStream::connect(server.address()).unwrap();
    let mut head = format!(
        "POST /accounts/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: blog_session={session}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    stream
        .write_all(format!("{head}\r\n{body}").as_bytes())
        .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let (status, headers, _) = parse_response(&raw);
    assert_eq!(status, 303, "login through raw HTTP");
    header(&headers, "set-cookie")
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_request_in_flight_when_sigterm_arrives_still_gets_its_answer() {
    let server = TestServer::start();
    let author = server.author("late@blog.example");
    let token = author.csrf_token();
    let session = author.cookie("blog_session").unwrap();
    let body =
        format!("csrf_token={token}&title=Finished+after+SIGTERM&body=%3Cp%3Ex%3C%2Fp%3E&tags=");
    let (first, rest) = body.split_at(10);

    // Start the request: headers and part of the body.
    let mut stream = TcpStream::connect(server.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST /posts/new HTTP/1.1\r\nHost: x\r\nCookie: blog_session={session}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // hyper answers `100 Continue` when the handler starts reading the body: from then
    // on the request is in flight, not a connection that merely opened.
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(first.as_bytes()).unwrap();
    stream.flush().unwrap();

    server.send_sigterm();
    // The server stops accepting: wait (bounded) until a new connection is refused.
    let address = server.address();
    let mut refused = false;
    for _ in 0..200 {
        if TcpStream::connect(&address).is_err() {
            refused = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(refused, "after SIGTERM the listener closes");

    // The request in flight finishes and is answered.
    stream.write_all(rest.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let (status, headers, _) = parse_response(&raw);
    assert_eq!(status, 303, "{}", String::from_utf8_lossy(&raw));
    assert!(header(&headers, "location")
        .unwrap_or_default()
        .starts_with("/posts/finished-after-sigterm"));
    assert!(server.wait().success(), "exit code 0 after a graceful stop");
}

#[test]
fn a_post_acknowledged_with_303_survives_kill_9_and_a_restart() {
    let server = TestServer::start();
    let author = server.author("durable@blog.example");
    let slug = author.create_post("Written before the crash", "<p>still here</p>");
    author.publish(&slug);
    let site = server.kill_hard();

    let again = site.start();
    let page = again
        .anonymous()
        .get(&format!("/posts/{slug}"))
        .assert_status(200);
    assert!(page.text().contains("still here"));
    let check = again.cli(&["check"]).success();
    assert!(check.stdout.contains("database: ok"), "{}", check.stdout);
}

#[test]
fn sigterm_checkpoints_the_wal_into_the_database_file() {
    let server = TestServer::start();
    let author = server.author("wal@blog.example");
    author.create_post("Into the main file", "<p>x</p>");
    let wal = server.path().join("blog-data/blog.sqlite3-wal");
    assert!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0,
        "writes went to the WAL"
    );
    let site = server.stop_keeping_folder();
    let wal_bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_bytes, 0, "the WAL was checkpointed and truncated");
    drop(site);
}

#[test]
fn the_server_listens_on_a_unix_socket_when_asked() {
    use std::io::BufRead;
    use std::os::unix::net::UnixStream;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("blog.sock");
    let child = Command::new(env!("CARGO_BIN_EXE_blog"))
        .args(["serve", "--bind", &format!("unix:{}", socket.display())])
        .current_dir(dir.path())
        .env("BLOG_SECRET_KEY", crate::support::SECRET_KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = KillOnDrop(child);
    let mut line = String::new();
    let mut stdout = std::io::BufReader::new(server.0.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    assert_eq!(
        line.trim_end(),
        format!("listening on unix:{}", socket.display())
    );
    let mut stream = UnixStream::connect(&socket).expect("the socket accepts connections");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let (status, _, body) = parse_response(&raw);
    assert_eq!(status, 200);
    assert_eq!(body, b"ok\n");
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
