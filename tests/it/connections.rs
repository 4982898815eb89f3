//! Connections under abuse: slow and idle clients, a connection cap with a clear
//! answer, oversized heads, and the request-smuggling shapes. Every test is bounded
//! by short timeouts set in the config, and talks to 127.0.0.1 only.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::{Site, TestServer};

fn server_with(header_timeout: &str, max_connections: &str) -> TestServer {
    Site::new()
        .env("BLOG_SERVER_HEADER_TIMEOUT", header_timeout)
        .env("BLOG_SERVER_MAX_CONNECTIONS", max_connections)
        .start()
}

fn connect(server: &TestServer) -> TcpStream {
    let stream = TcpStream::connect(server.address()).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    stream
}

/// Writes `request` and reads one response's head (and a body up to its length).
fn exchange(stream: &mut TcpStream, request: &[u8]) -> String {
    stream.write_all(request).expect("send");
    read_response(stream)
}

fn read_response(stream: &mut TcpStream) -> String {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_owned)
                })
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if raw.len() >= end + 4 + length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&raw).into_owned()
}

fn status_of(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"))
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: blog.test\r\n\r\n").into_bytes()
}

/// True when the server closes the connection within `within`.
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).expect("read timeout");
    let mut buf = [0u8; 1024];
    let started = Instant::now();
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // a 408 or similar before the close is fine
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return started.elapsed() < within,
        }
    }
}

#[test]
fn a_client_trickling_its_headers_is_cut_off_while_others_are_served() {
    let server = server_with("1s", "1024");
    let mut slow = connect(&server);
    slow.write_all(b"GET / HTTP/1.1\r\nHost: blog.test\r\n")
        .unwrap();
    // Others are served meanwhile.
    server.anonymous().get("/").assert_status(200);
    std::thread::sleep(Duration::from_millis(400));
    slow.write_all(b"X-Slow: 1\r\n").unwrap();
    assert!(
        closed_within(&mut slow, Duration::from_secs(4)),
        "the slow client is still connected"
    );
    server.anonymous().get("/").assert_status(200);
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let server = server_with("1s", "1024");
    let mut idle = connect(&server);
    assert_eq!(status_of(&exchange(&mut idle, &get("/healthz"))), 200);
    assert!(
        closed_within(&mut idle, Duration::from_secs(4)),
        "the idle connection stayed open"
    );
}

#[test]
fn hundreds_of_idle_keep_alive_connections_do_not_starve_a_new_client() {
    let server = server_with("30s", "1024");
    let mut idle: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut stream = connect(&server);
            assert_eq!(status_of(&exchange(&mut stream, &get("/healthz"))), 200);
            stream
        })
        .collect();
    let started = Instant::now();
    server.anonymous().get("/").assert_status(200);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The idle ones still work too.
    assert_eq!(status_of(&exchange(&mut idle[0], &get("/healthz"))), 200);
}

#[test]
fn past_max_connections_a_new_connection_gets_503_with_retry_after_until_one_closes() {
    let server = server_with("30s", "20");
    let mut open: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut stream = connect(&server);
            assert_eq!(status_of(&exchange(&mut stream, &get("/healthz"))), 200);
            stream
        })
        .collect();
    let mut extra = connect(&server);
    let refused = exchange(&mut extra, &get("/"));
    assert_eq!(status_of(&refused), 503, "{refused}");
    let lower = refused.to_ascii_lowercase();
    assert!(lower.contains("retry-after: 5"), "{refused}");
    assert!(
        lower.contains("x-content-type-options: nosniff"),
        "{refused}"
    );
    assert!(refused.contains("Too many connections"), "{refused}");

    open.truncate(10);
    // The server sees the closes asynchronously: give it a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut next = connect(&server);
        let answer = exchange(&mut next, &get("/healthz"));
        if status_of(&answer) == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still refused after closing half: {answer}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn an_oversized_request_line_or_header_is_refused_with_4xx() {
    let server = TestServer::start();
    let long_path = format!("/{}", "a".repeat(200 * 1024));
    let mut stream = connect(&server);
    let status = status_of(&exchange(&mut stream, &get(&long_path)));
    assert!(
        [400, 414, 431].contains(&status),
        "long request line: {status}"
    );

    let mut stream = connect(&server);
    let request = format!(
        "GET / HTTP/1.1\r\nHost: blog.test\r\nCookie: {}\r\n\r\n",
        "c".repeat(200 * 1024)
    );
    let status = status_of(&exchange(&mut stream, request.as_bytes()));
    assert_eq!(status, 431, "long header");

    let mut stream = connect(&server);
    let mut request = String::from("GET / HTTP/1.1\r\nHost: blog.test\r\n");
    for n in 0..200 {
        request.push_str(&format!("X-Header-{n}: {n}\r\n"));
    }
    request.push_str("\r\n");
    let status = status_of(&exchange(&mut stream, request.as_bytes()));
    assert!([400, 431].contains(&status), "too many headers: {status}");
    server.anonymous().get("/").assert_status(200);
}

#[test]
fn content_length_with_transfer_encoding_or_two_lengths_is_refused() {
    let server = TestServer::start();
    let body = "email=a%40b.c&password=x";
    let smuggled = format!(
        "POST /accounts/login HTTP/1.1\r\nHost: blog.test\r\nContent-Length: {}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: blog.test\r\n\r\n",
        body.len()
    );
    let mut stream = connect(&server);
    let answer = exchange(&mut stream, smuggled.as_bytes());
    assert_eq!(status_of(&answer), 411, "{answer}");
    // The bytes after the chunked body are not taken for a second request.
    assert!(closed_within(&mut stream, Duration::from_secs(3)));

    // A chunked body alone: Length Required, and the body is never read to its end
    // (the connection closes though the client is still sending).
    let chunked_only = "POST /accounts/login HTTP/1.1\r\nHost: blog.test\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nemai\r\n";
    let mut stream = connect(&server);
    let answer = exchange(&mut stream, chunked_only.as_bytes());
    assert_eq!(status_of(&answer), 411, "{answer}");
    assert!(
        answer.contains("Content-Length"),
        "says what to send: {answer}"
    );
    assert!(closed_within(&mut stream, Duration::from_secs(3)));

    let two_lengths = format!(
        "POST /accounts/login HTTP/1.1\r\nHost: blog.test\r\nContent-Length: {}\r\nContent-Length: 3\r\n\r\n{body}",
        body.len()
    );
    let mut stream = connect(&server);
    assert_eq!(
        status_of(&exchange(&mut stream, two_lengths.as_bytes())),
        400
    );
    server.anonymous().get("/").assert_status(200);
}
