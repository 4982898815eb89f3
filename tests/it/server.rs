//! The server process: first start, the secret key file, health, security headers,
//! a clean stop on SIGTERM, and one server per port.

use std::os::unix::fs::PermissionsExt;

use crate::support::{Page, Site, TestServer};

#[track_caller]
fn assert_security_headers(page: &Page) {
    let csp = page
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("CSP on {}", page.url));
    assert!(
        csp.contains("frame-ancestors 'none'"),
        "CSP forbids framing: {csp}"
    );
    // Scripts come from files only: the directive that governs them has no 'unsafe-inline'.
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    let scripts = directives
        .iter()
        .find(|d| d.starts_with("script-src ") || *d == &"script-src")
        .or_else(|| directives.iter().find(|d| d.starts_with("default-src")))
        .unwrap_or_else(|| panic!("CSP governs scripts: {csp}"));
    assert!(
        !scripts.contains("'unsafe-inline'"),
        "no inline scripts: {csp}"
    );
    assert_eq!(
        page.header("x-content-type-options"),
        Some("nosniff"),
        "on {}",
        page.url
    );
    assert!(
        page.header("referrer-policy").is_some(),
        "Referrer-Policy on {}",
        page.url
    );
}

#[test]
fn first_start_in_an_empty_folder_makes_the_database_and_serves_the_home_page() {
    let server = TestServer::start();
    assert!(
        server.path().join("blog-data/blog.sqlite3").is_file(),
        "the database is made at start-up"
    );
    let page = server.anonymous().get("/").assert_status(200);
    let kind = page.header("content-type").unwrap_or_default();
    assert!(kind.starts_with("text/html"), "an HTML page, not {kind}");
    assert!(page.has("html body"), "{}", page.body);
}

#[test]
fn a_new_data_folder_and_database_are_closed_to_other_users() {
    let server = TestServer::start();
    server.create_user("private@blog.example", "author");
    let mode = |path: &str| {
        std::fs::metadata(server.path().join(path))
            .unwrap_or_else(|err| panic!("{path}: {err}"))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(
        mode("blog-data"),
        0o750,
        "others cannot list the data folder"
    );
    for file in ["blog-data/blog.sqlite3", "blog-data/blog.sqlite3-wal"] {
        assert_eq!(
            mode(file),
            0o600,
            "{file} (password hashes) is the owner's alone"
        );
    }
    let check = server.cli(&["check", "--deploy"]);
    assert!(
        !check.stdout.contains("has mode"),
        "check --deploy finds nothing to say about them: {}",
        check.stdout
    );
}

#[test]
fn without_a_secret_key_in_the_environment_the_first_start_writes_secret_key_0600() {
    let server = Site::new().without_secret_key().start();
    let key = server.path().join("blog-data/secret.key");
    let meta = std::fs::metadata(&key).expect("blog-data/secret.key exists");
    assert_eq!(
        meta.permissions().mode() & 0o777,
        0o600,
        "only its owner reads the key"
    );
    assert!(meta.len() > 0, "the key is not empty");
    server.anonymous().get("/healthz").assert_status(200);
}

#[test]
fn healthz_answers_200() {
    let server = TestServer::start();
    server.anonymous().get("/healthz").assert_status(200);
}

#[test]
fn security_headers_are_on_pages_and_on_404s() {
    let server = TestServer::start();
    let client = server.anonymous();
    assert_security_headers(&client.get("/").assert_status(200));
    assert_security_headers(&client.get("/accounts/login").assert_status(200));
    assert_security_headers(&client.get("/no/such/page").assert_status(404));
    assert_security_headers(&client.get("/posts/no-such-post").assert_status(404));
}

#[test]
fn sigterm_stops_the_server_with_exit_code_0() {
    let server = TestServer::start();
    server.anonymous().get("/").assert_status(200);
    let status = server.stop();
    assert_eq!(
        status.code(),
        Some(0),
        "a clean exit on SIGTERM: {status:?}"
    );
}

/// The workers share their port (SO_REUSEPORT); that must not let a second `blog`
/// slip in beside a running one and take half its clients.
#[test]
fn a_second_server_on_the_same_port_stops_with_one_line() {
    let server = TestServer::start();
    let address = server.address();
    let second = server.cli(&["serve", "--bind", &address]);
    assert_eq!(second.status.code(), Some(1), "{second:?}");
    assert!(
        second
            .stderr
            .contains(&format!("cannot listen on {address}")),
        "{}",
        second.stderr
    );
    assert_eq!(second.stderr.trim().lines().count(), 1, "{}", second.stderr);
    server.anonymous().get("/").assert_status(200);
}
