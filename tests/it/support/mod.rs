//! The harness: a `Site` is a temporary blog folder plus the environment every command
//! gets; `TestServer` runs `blog serve` in it (SIGTERM on drop); `Client` is a browser with
//! its own cookie jar that stops at redirects and fills forms by field name.

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::rc::Rc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use scraper::{ElementRef, Html, Selector};
use tempfile::TempDir;

/// Signing key for every test server, so tests never depend on `secret.key`.
pub const SECRET_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// The password every actor made by the harness signs in with (10+ characters).
pub const PASSWORD: &str = "correct horse battery";

/// How long a command or a server may take to start or stop before the test fails.
const PATIENCE: Duration = Duration::from_secs(30);

/// A blog folder (the current directory of every command) and the environment they run with.
pub struct Site {
    dir: TempDir,
    env: Vec<(String, String)>,
}

impl Site {
    /// A fresh empty folder; fixed secret key, cheap bcrypt.
    pub fn new() -> Self {
        Site {
            dir: tempfile::tempdir().expect("a temporary folder for the blog"),
            env: vec![
                ("BLOG_SECRET_KEY".into(), SECRET_KEY.into()),
                ("BLOG_ACCOUNTS_BCRYPT_COST".into(), "4".into()),
            ],
        }
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn open_registration(self) -> Self {
        self.env("BLOG_ACCOUNTS_OPEN_REGISTRATION", "true")
    }

    /// Lets the server find (or make) its own key in `blog-data/secret.key`.
    pub fn without_secret_key(mut self) -> Self {
        self.env.retain(|(k, _)| k != "BLOG_SECRET_KEY");
        self
    }

    /// Writes `blog.toml` in the folder.
    pub fn config(self, text: &str) -> Self {
        std::fs::write(self.path().join("blog.toml"), text).expect("write blog.toml");
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str]) -> Command {
        self.command_with(args, &[])
    }

    /// A command with some variables added to (or replacing) the site's.
    fn command_with(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Command {
        self.program_with(env!("CARGO_BIN_EXE_blog"), args, extra_env)
    }

    /// Runs `blog ARGS` on a pseudo-terminal (util-linux `script`), as someone at a
    /// shell would: what it draws only for terminals (progress bars) is in the output,
    /// stdout and stderr together, as the terminal showed them.
    pub fn run_on_terminal(&self, args: &[&str]) -> String {
        let line = std::iter::once(env!("CARGO_BIN_EXE_blog"))
            .chain(args.iter().copied())
            .map(|word| format!("'{}'", word.replace('\'', r"'\''")))
            .collect::<Vec<_>>()
            .join(" ");
        let output = self
            .program_with("script", &["-qec", &line, "/dev/null"], &[])
            .stdin(Stdio::null())
            .output()
            .expect("util-linux `script` runs");
        assert!(
            output.status.success(),
            "`blog {}` on a terminal: {output:?}",
            args.join(" ")
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn program_with(&self, program: &str, args: &[&str], extra_env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args).current_dir(self.path());
        // Only what the test sets: nothing leaks in from the developer's shell.
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("BLOG_")) {
            cmd.env_remove(key);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.envs(extra_env.iter().copied());
        cmd
    }

    /// Runs `blog ARGS` to completion (killed, and the test failed, if it hangs).
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, "")
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        self.run_full(args, stdin, &[])
    }

    /// `run` with extra environment variables, for one command only.
    pub fn run_env(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        self.run_full(args, "", extra_env)
    }

    fn run_full(&self, args: &[&str], stdin: &str, extra_env: &[(&str, &str)]) -> Output {
        let mut child = self
            .command_with(args, extra_env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the blog binary runs");
        let mut input = child.stdin.take().expect("stdin is piped");
        let stdin = stdin.to_owned();
        // A writer thread, so a command that never reads its stdin cannot block us.
        let writer = thread::spawn(move || {
            let _ = input.write_all(stdin.as_bytes());
        });
        let stdout = drain(child.stdout.take().expect("stdout is piped"));
        let stderr = drain(child.stderr.take().expect("stderr is piped"));
        let pid = child.id();
        let exited = waiter(child);
        let status = match exited.recv_timeout(PATIENCE) {
            Ok(status) => status,
            Err(_) => {
                signal(pid, "KILL");
                panic!("`blog {}` did not exit within {PATIENCE:?}", args.join(" "));
            }
        };
        let _ = writer.join();
        Output {
            status,
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
        }
    }

    /// Starts `blog serve --bind 127.0.0.1:0` and waits for its first stdout line.
    pub fn start(self) -> TestServer {
        let mut child = self
            .command(&["serve", "--bind", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the blog binary runs");
        let pid = child.id();

        // Keep draining stderr (one log line per request) so the server never blocks on it.
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr is piped"));
        let sink = Arc::clone(&log);
        let (closed, log_closed) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            while matches!(stderr.read_line(&mut line), Ok(n) if n > 0) {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
            let _ = closed.send(());
        });

        // The first stdout line says where it listens; the reader stays alive for the
        // child's life, so stdout never closes under the server.
        let (first, first_line) = mpsc::channel();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        thread::spawn(move || {
            let mut line = String::new();
            let _ = stdout.read_line(&mut line);
            let _ = first.send(line);
            let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        });

        let exited = waiter(child);
        let line = match first_line.recv_timeout(PATIENCE) {
            Ok(line) if !line.is_empty() => line,
            outcome => {
                if outcome.is_err() {
                    signal(pid, "KILL");
                }
                let status = exited.recv_timeout(PATIENCE);
                panic!(
                    "`blog serve` printed no `listening on` line (exit: {status:?})\nstderr:\n{}",
                    log.lock().unwrap()
                );
            }
        };
        let base = line
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first stdout line is {line:?}, not `listening on http://…`"))
            .trim_end_matches('/')
            .to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "listening on {base}");
        TestServer {
            site: self,
            base,
            pid,
            exited,
            status: None,
            log,
            log_closed,
        }
    }
}

/// What a finished command left behind.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Panics with the command's stderr unless it exited 0.
    pub fn success(self) -> Self {
        assert!(
            self.status.success(),
            "exit {:?}, stderr: {}",
            self.status,
            self.stderr
        );
        self
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Waits for the child on a thread of its own, so the test can wait with a deadline.
fn waiter(mut child: Child) -> Receiver<ExitStatus> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let status = child.wait().expect("wait for the blog process");
        let _ = tx.send(status);
    });
    rx
}

fn signal(pid: u32, name: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status();
}

/// A running `blog serve`, stopped with SIGTERM on drop.
pub struct TestServer {
    site: Site,
    base: String,
    pid: u32,
    exited: Receiver<ExitStatus>,
    status: Option<ExitStatus>,
    log: Arc<Mutex<String>>,
    /// Says when stderr has closed: every line the server wrote is in `log`.
    log_closed: Receiver<()>,
}

impl TestServer {
    /// A server with no config file and closed registration.
    pub fn start() -> Self {
        Site::new().start()
    }

    /// A server where visitors may sign up.
    pub fn open() -> Self {
        Site::new().open_registration().start()
    }

    pub fn path(&self) -> &Path {
        self.site.path()
    }

    /// `host:port` of the server, for tests that speak raw HTTP.
    pub fn address(&self) -> String {
        self.base.trim_start_matches("http://").to_owned()
    }

    /// Runs the CLI in the server's folder with its environment, while it serves.
    pub fn cli(&self, args: &[&str]) -> Output {
        self.site.run(args)
    }

    /// `cli` with extra environment variables for this one command.
    pub fn cli_env(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        self.site.run_env(args, extra_env)
    }

    /// Makes an account through the CLI: `createsuperuser`, then `set-role` unless admin.
    pub fn create_user(&self, email: &str, role: &str) {
        self.site
            .run_with_stdin(
                &["createsuperuser", "--email", email, "--password-stdin"],
                &format!("{PASSWORD}\n"),
            )
            .success();
        if role != "admin" {
            self.cli(&["users", "set-role", email, role]).success();
        }
    }

    /// A signed-in browser for a new account with this role.
    pub fn user(&self, email: &str, role: &str) -> Client {
        self.create_user(email, role);
        let client = self.anonymous();
        client.sign_in(email, PASSWORD);
        client
    }

    pub fn admin(&self) -> Client {
        self.user("admin@blog.example", "admin")
    }

    pub fn author(&self, email: &str) -> Client {
        self.user(email, "author")
    }

    pub fn reader(&self, email: &str) -> Client {
        self.user(email, "reader")
    }

    /// A browser with an empty cookie jar.
    pub fn anonymous(&self) -> Client {
        Client::new(&self.base)
    }

    /// Sends SIGTERM and waits for the exit.
    pub fn stop(mut self) -> ExitStatus {
        self.terminate()
    }

    /// `stop`, keeping the folder to look at (or start again in).
    pub fn stop_keeping_folder(mut self) -> Site {
        let status = self.terminate();
        assert!(
            status.success(),
            "`blog serve` exits 0 on SIGTERM: {status:?}"
        );
        std::mem::replace(&mut self.site, Site::new())
    }

    /// Sends SIGTERM without waiting (a request may still be in flight).
    pub fn send_sigterm(&self) {
        signal(self.pid, "TERM");
    }

    /// Waits for an exit that a signal has already asked for.
    pub fn wait(mut self) -> ExitStatus {
        let status = self
            .exited
            .recv_timeout(PATIENCE)
            .expect("`blog serve` exits");
        self.status = Some(status);
        status
    }

    /// `kill -9`: no shutdown code runs. Returns the folder, to start again in it.
    pub fn kill_hard(mut self) -> Site {
        self.kill();
        std::mem::replace(&mut self.site, Site::new())
    }

    /// SIGKILL, and the exit reaped.
    fn kill(&mut self) -> ExitStatus {
        signal(self.pid, "KILL");
        let status = self
            .exited
            .recv_timeout(PATIENCE)
            .expect("a killed server exits");
        self.status = Some(status);
        status
    }

    /// Everything the server wrote to stderr so far (one line per request).
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Stops the server with SIGTERM and answers everything it logged. Each worker
    /// writes its buffered request lines as it stops, so the log is complete: what is
    /// not in it was never requested (the way to test that something did NOT reach
    /// the server, with no sleep).
    #[track_caller]
    pub fn stop_and_log(mut self) -> String {
        let status = self.terminate();
        assert!(
            status.success(),
            "`blog serve` exits 0 on SIGTERM: {status:?}"
        );
        self.log_closed
            .recv_timeout(PATIENCE)
            .expect("the server's stderr closes once it has exited");
        self.log()
    }

    /// The log once it holds `needle`: lines reach us through a pipe and a reader
    /// thread, a moment after the response. Fails the test after `PATIENCE`.
    #[track_caller]
    pub fn log_with(&self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let log = self.log();
            if log.contains(needle) {
                return log;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no {needle:?} in the log:\n{log}"
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    fn terminate(&mut self) -> ExitStatus {
        if let Some(status) = self.status {
            return status;
        }
        // Signal only a child that has not been reaped: its pid is still ours.
        let status = match self.exited.try_recv() {
            Ok(status) => status,
            Err(_) => {
                signal(self.pid, "TERM");
                match self.exited.recv_timeout(PATIENCE) {
                    Ok(status) => status,
                    Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                        self.kill();
                        panic!("`blog serve` ignored SIGTERM for {PATIENCE:?} and was killed");
                    }
                }
            }
        };
        self.status = Some(status);
        status
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if thread::panicking() {
            // Shown with the failing test's output.
            eprintln!("--- blog serve stderr ---\n{}", self.log.lock().unwrap());
            if self.status.is_none() && self.exited.try_recv().is_err() {
                signal(self.pid, "KILL");
                let _ = self.exited.recv_timeout(PATIENCE);
            }
            return;
        }
        self.terminate();
    }
}

/// A browser: its own cookie jar, no redirects followed, every status returned as a page.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    jar: Rc<RefCell<Vec<(String, String)>>>,
    /// Sent as `X-Forwarded-For` on every request: a client behind the (trusted,
    /// loopback) proxy, as the server sees it.
    forwarded_for: Option<String>,
}

impl Client {
    pub fn new(base: &str) -> Self {
        Self::with_tls(base, ureq::tls::TlsConfig::default())
    }

    /// No redirects followed, every status a page, nothing from the environment's proxy.
    fn with_tls(base: &str, tls: ureq::tls::TlsConfig) -> Self {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(PATIENCE))
            .tls_config(tls)
            .build()
            .new_agent();
        Client {
            agent,
            base: base.to_owned(),
            jar: Rc::default(),
            forwarded_for: None,
        }
    }

    /// The same browser (cookies shared) seen as coming from `address` through the
    /// proxy: every request carries `X-Forwarded-For: address`.
    pub fn via_proxy_from(&self, address: &str) -> Self {
        Client {
            forwarded_for: Some(address.to_owned()),
            ..self.clone()
        }
    }

    /// A browser for an HTTPS address whose certificate is the test's own, self-signed.
    pub fn new_trusting_any_certificate(base: &str) -> Self {
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(true)
            .build();
        Self::with_tls(base, tls)
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar
            .borrow()
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// Puts a cookie in the jar by hand (replaying an old session, for instance).
    pub fn set_cookie(&self, name: &str, value: &str) {
        let mut jar = self.jar.borrow_mut();
        jar.retain(|(k, _)| k != name);
        jar.push((name.into(), value.into()));
    }

    pub fn get(&self, path: &str) -> Page {
        let request = self.with_headers(self.agent.get(self.url(path)));
        self.page(path, request.call())
    }

    /// The cookie jar and the forwarded address, on any request.
    fn with_headers<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        let request = match self.cookie_header() {
            Some(cookies) => request.header("cookie", cookies),
            None => request,
        };
        match &self.forwarded_for {
            Some(address) => request.header("x-forwarded-for", address),
            None => request,
        }
    }

    /// POSTs an urlencoded form exactly as given (no CSRF token added).
    pub fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let request = self.with_headers(self.agent.post(self.url(path)));
        self.page(path, request.send_form(fields.iter().copied()))
    }

    /// POSTs `multipart/form-data`: text fields, then files as (field, file name, bytes);
    /// `headers` are added as given (an `X-CSRF-Token`, say).
    pub fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
        headers: &[(&str, &str)],
    ) -> Page {
        let boundary = "----blog-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, file_name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut request = self.with_headers(self.agent.post(self.url(path))).header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        );
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.page(path, request.send(&body[..]))
    }

    fn url(&self, path: &str) -> String {
        assert!(
            path.starts_with('/'),
            "a path on the test server, not {path:?}"
        );
        format!("{}{}", self.base, encode_path(path))
    }

    fn cookie_header(&self) -> Option<String> {
        let jar = self.jar.borrow();
        (!jar.is_empty()).then(|| {
            jar.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    fn page(
        &self,
        path: &str,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Page {
        let mut response = response.unwrap_or_else(|err| panic!("request to {path} failed: {err}"));
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        for (_, set_cookie) in headers.iter().filter(|(k, _)| k == "set-cookie") {
            self.store(set_cookie);
        }
        let body = response
            .body_mut()
            .read_to_vec()
            .unwrap_or_else(|err| panic!("body of {path}: {err}"));
        Page {
            status: response.status().as_u16(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            bytes: body,
            url: path.to_owned(),
            client: self.clone(),
        }
    }

    /// One host, one path: name and value, dropped when the server expires the cookie.
    fn store(&self, set_cookie: &str) {
        let mut parts = set_cookie.split(';').map(str::trim);
        let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
            return;
        };
        let expired = parts.any(|attr| {
            let attr = attr.to_ascii_lowercase();
            attr == "max-age=0"
                || attr.starts_with("max-age=-")
                || (attr.starts_with("expires=") && attr.contains("1970"))
        });
        let mut jar = self.jar.borrow_mut();
        jar.retain(|(k, _)| k != name);
        if !expired && !value.is_empty() {
            jar.push((name.to_owned(), value.to_owned()));
        }
    }

    /// Whether `/` shows this browser the logout form of a signed-in user.
    pub fn is_signed_in(&self) -> bool {
        self.get("/").assert_status(200).is_signed_in()
    }

    /// Submits the login form; the page is whatever the server answered.
    pub fn login(&self, email: &str, password: &str) -> Page {
        self.get("/accounts/login")
            .assert_status(200)
            .form(LOGIN_FORM)
            .fill("email", email)
            .fill("password", password)
            .submit()
    }

    pub fn sign_in(&self, email: &str, password: &str) {
        self.login(email, password).assert_status(303);
        assert!(self.is_signed_in(), "{email} is signed in after login");
    }

    /// The CSRF token of this browser's session, read from a form on its pages.
    pub fn csrf_token(&self) -> String {
        let page = self.get("/");
        let page = if page.has("input[name=csrf_token]") {
            page
        } else {
            self.get("/accounts/login")
        };
        page.select("input[name=csrf_token]")
            .first()
            .and_then(|input| input.attr("value").map(str::to_owned))
            .expect("a page with a csrf_token input")
    }

    /// Writes a new post through `/posts/new`; answers its slug (decoded).
    pub fn create_post(&self, title: &str, body: &str) -> String {
        let page = self
            .get("/posts/new")
            .assert_status(200)
            .form(NEW_POST_FORM)
            .fill("title", title)
            .fill("body", body)
            .fill("tags", "")
            .submit()
            .assert_status(303);
        let location = page.location_decoded();
        location
            .strip_prefix("/posts/")
            .unwrap_or_else(|| panic!("a new post leads to /posts/{{slug}}, not {location}"))
            .to_owned()
    }

    /// Presses the button of the post page's form for `/posts/{slug}/{action}`.
    pub fn post_action(&self, slug: &str, action: &str) -> Page {
        self.get(&format!("/posts/{slug}"))
            .assert_status(200)
            .form(&format!("form[action=\"/posts/{slug}/{action}\"]"))
            .submit()
    }

    pub fn publish(&self, slug: &str) {
        let page = self.post_action(slug, "publish").assert_status(303);
        assert_eq!(page.location_decoded(), format!("/posts/{slug}"));
    }

    /// Changes one field of a post through its edit form; returns the answer.
    pub fn edit_post(&self, slug: &str, field: &str, value: &str) -> Page {
        self.get(&format!("/posts/{slug}/edit"))
            .assert_status(200)
            .form(&format!("form[action=\"/posts/{slug}/edit\"]"))
            .fill(field, value)
            .submit()
    }

    /// Deletes a post the way a browser does: the confirmation page, then its form.
    pub fn delete_post(&self, slug: &str) -> Page {
        self.get(&format!("/posts/{slug}/delete"))
            .assert_status(200)
            .form(&format!(
                "form[action=\"/posts/{slug}/delete\"][method=\"post\"]"
            ))
            .submit()
    }

    pub fn unpublish(&self, slug: &str) {
        let page = self.post_action(slug, "unpublish").assert_status(303);
        assert_eq!(page.location_decoded(), format!("/posts/{slug}"));
    }
}

pub const LOGIN_FORM: &str = "form[action^=\"/accounts/login\"]";
pub const LOGOUT_FORM: &str = "form[action=\"/accounts/logout\"]";
pub const SIGNUP_FORM: &str = "form[action=\"/accounts/signup\"]";
pub const NEW_POST_FORM: &str = "form[action=\"/posts/new\"]";

/// One HTTP answer.
pub struct Page {
    pub status: u16,
    /// Lower-case names, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body as received, for images.
    pub bytes: Vec<u8>,
    /// The path that was requested.
    pub url: String,
    client: Client,
}

impl Page {
    /// Panics, showing the page, unless the status is `expected`.
    #[track_caller]
    pub fn assert_status(self, expected: u16) -> Self {
        assert_eq!(
            self.status,
            expected,
            "status of {}: {}",
            self.url,
            self.describe()
        );
        self
    }

    /// Panics, showing the page, unless the status is one of `expected`.
    #[track_caller]
    pub fn assert_status_in(self, expected: &[u16]) -> Self {
        assert!(
            expected.contains(&self.status),
            "status of {} not in {expected:?}: {}",
            self.url,
            self.describe()
        );
        self
    }

    fn describe(&self) -> String {
        let text = self.text();
        let excerpt: String = text.chars().take(600).collect();
        format!(
            "{} (location {:?}) {excerpt}",
            self.status,
            self.header("location")
        )
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The redirect target, as a path when it points at the test server itself.
    #[track_caller]
    pub fn location(&self) -> String {
        let location = self
            .header("location")
            .unwrap_or_else(|| panic!("no Location: {}", self.describe()));
        location
            .strip_prefix(self.client.base.as_str())
            .filter(|p| p.starts_with('/'))
            .unwrap_or(location)
            .to_owned()
    }

    /// The redirect target with its percent-escapes decoded (`/posts/안녕-세계`).
    #[track_caller]
    pub fn location_decoded(&self) -> String {
        percent_decode(&self.location())
    }

    /// GETs the redirect target with the same browser.
    #[track_caller]
    pub fn follow(&self) -> Page {
        self.client.get(&self.location())
    }

    pub fn select(&self, css: &str) -> Vec<Node> {
        let selector =
            Selector::parse(css).unwrap_or_else(|err| panic!("bad selector {css}: {err}"));
        Html::parse_document(&self.body)
            .select(&selector)
            .map(Node::from)
            .collect()
    }

    pub fn has(&self, css: &str) -> bool {
        !self.select(css).is_empty()
    }

    /// The visible text of the page, whitespace collapsed.
    pub fn text(&self) -> String {
        self.select("body")
            .first()
            .map(|body| body.text.clone())
            .unwrap_or_else(|| collapse(&self.body))
    }

    pub fn is_signed_in(&self) -> bool {
        self.has(LOGOUT_FORM)
    }

    /// The value of the form input named `name` (first one on the page).
    pub fn input_value(&self, name: &str) -> Option<String> {
        self.select(&format!("input[name=\"{name}\"]"))
            .first()
            .and_then(|i| i.attr("value").map(str::to_owned))
    }

    /// The one form matching `css`, with the values a browser would send.
    #[track_caller]
    pub fn form(&self, css: &str) -> Form {
        let selector =
            Selector::parse(css).unwrap_or_else(|err| panic!("bad selector {css}: {err}"));
        let html = Html::parse_document(&self.body);
        let forms: Vec<ElementRef> = html.select(&selector).collect();
        assert_eq!(
            forms.len(),
            1,
            "one {css} on {}: {}",
            self.url,
            self.describe()
        );
        let form = forms[0];
        let action = match form.attr("action") {
            Some(action) if !action.is_empty() => action.to_owned(),
            _ => self.url.clone(),
        };
        let method = form.attr("method").unwrap_or("get");
        assert!(method.eq_ignore_ascii_case("post"), "{css} is a POST form");
        let fields =
            Selector::parse("input[name], textarea[name], select[name]").expect("a valid selector");
        let mut values = Vec::new();
        for field in form.select(&fields) {
            let element = field.value();
            let name = element.attr("name").unwrap_or_default().to_owned();
            let value = match element.name() {
                "textarea" => field.text().collect::<String>(),
                "select" => {
                    let options: Vec<ElementRef> = field
                        .select(&Selector::parse("option").expect("valid"))
                        .collect();
                    let chosen = options
                        .iter()
                        .find(|o| o.attr("selected").is_some())
                        .or(options.first());
                    chosen
                        .map(|o| {
                            o.attr("value")
                                .map(str::to_owned)
                                .unwrap_or_else(|| o.text().collect())
                        })
                        .unwrap_or_default()
                }
                _ => match element
                    .attr("type")
                    .unwrap_or("text")
                    .to_ascii_lowercase()
                    .as_str()
                {
                    "submit" | "button" | "image" | "reset" | "file" => continue,
                    "checkbox" | "radio" if element.attr("checked").is_none() => continue,
                    "checkbox" | "radio" => element.attr("value").unwrap_or("on").to_owned(),
                    _ => element.attr("value").unwrap_or_default().to_owned(),
                },
            };
            values.push((name, value));
        }
        Form {
            action,
            fields: values,
            files: Vec::new(),
            client: self.client.clone(),
        }
    }
}

/// An element picked from a page.
#[derive(Debug)]
pub struct Node {
    pub inner_html: String,
    /// Text content, whitespace collapsed.
    pub text: String,
    attrs: Vec<(String, String)>,
}

impl Node {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl From<ElementRef<'_>> for Node {
    fn from(element: ElementRef<'_>) -> Self {
        Node {
            inner_html: element.inner_html(),
            text: collapse(&element.text().collect::<String>()),
            attrs: element
                .value()
                .attrs()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }
}

/// A form about to be sent: every field the page gave it, hidden `csrf_token` included.
pub struct Form {
    action: String,
    fields: Vec<(String, String)>,
    files: Vec<(String, String, Vec<u8>)>,
    client: Client,
}

impl Form {
    /// Types into an existing field; a field the form lacks fails the test.
    #[track_caller]
    pub fn fill(mut self, name: &str, value: &str) -> Self {
        let field = self.fields.iter_mut().find(|(k, _)| k == name);
        let (_, old) =
            field.unwrap_or_else(|| panic!("the form for {} has no field {name}", self.action));
        *old = value.to_owned();
        self
    }

    /// Leaves a field out of the request (a forged form without its CSRF token).
    pub fn without(mut self, name: &str) -> Self {
        self.fields.retain(|(k, _)| k != name);
        self
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Chooses a file for a file input; the form is then sent as multipart.
    pub fn attach(mut self, name: &str, file_name: &str, bytes: &[u8]) -> Self {
        self.files
            .push((name.into(), file_name.into(), bytes.to_vec()));
        self
    }

    /// Ticks a checkbox the page left unticked.
    pub fn check(mut self, name: &str, value: &str) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    pub fn submit(self) -> Page {
        let fields: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if self.files.is_empty() {
            return self.client.post(&self.action, &fields);
        }
        let files: Vec<(&str, &str, &[u8])> = self
            .files
            .iter()
            .map(|(n, f, b)| (n.as_str(), f.as_str(), b.as_slice()))
            .collect();
        self.client
            .post_multipart(&self.action, &fields, &files, &[])
    }
}

/// The path of an absolute URL (`http://host:port/a?b` → `/a?b`).
pub fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.find('/')
        .map_or("/".to_owned(), |i| rest[i..].to_owned())
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes what a URL cannot carry raw (non-ASCII, spaces); leaves `%XX` alone.
pub fn encode_path(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        if byte.is_ascii_graphic() {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
