//! `blog serve` in a `Site`'s folder: `TestServer` starts it on an ephemeral port,
//! waits for its `listening on` line, keeps its log, makes signed-in actors, and stops
//! it with SIGTERM on drop.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use super::site::{signal, signal_group, waiter};
use super::{Client, Output, Site, PASSWORD, PATIENCE};

impl Site {
    /// Starts `blog serve --bind 127.0.0.1:0` and waits for its first stdout line.
    pub fn start(self) -> TestServer {
        let command = self.command(&["serve", "--bind", "127.0.0.1:0"]);
        self.start_command(command, Signals::Process)
    }

    /// Starts `blog serve --bind BIND` (a port chosen by the test, for a `base_url` that
    /// must name it before the server starts).
    pub fn start_at(self, bind: &str) -> TestServer {
        let command = self.command(&["serve", "--bind", bind]);
        self.start_command(command, Signals::Process)
    }

    /// Starts the site as `http://localhost:PORT` (its `base_url`), on a port chosen
    /// here: WebAuthn needs a domain name as the relying party, not an address.
    pub fn start_on_localhost(self) -> TestServer {
        let port = crate::nginx::free_port();
        self.env("BLOG_SITE_BASE_URL", &format!("http://localhost:{port}"))
            .start_at(&format!("127.0.0.1:{port}"))
    }

    /// Starts `program ARGS` in the folder with the site's environment, where the
    /// program runs `blog serve` as its child (Litestream's `replicate -exec`, with
    /// `{blog}` in ARGS standing for the binary): signals go to both, as a process
    /// group, so `kill_hard` is the machine dying.
    pub fn start_under(self, program: &Path, args: &[&str]) -> TestServer {
        let blog = env!("CARGO_BIN_EXE_blog");
        let args: Vec<String> = args.iter().map(|a| a.replace("{blog}", blog)).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut command = self.program(program.to_str().expect("a UTF-8 path"), &args);
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        self.start_command(command, Signals::Group)
    }

    fn start_command(self, mut command: std::process::Command, signals: Signals) -> TestServer {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the blog binary runs");
        let pid = child.id();
        let send = move |name: &str| match signals {
            Signals::Process => signal(pid, name),
            Signals::Group => signal_group(pid, name),
        };

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

        // The first stdout line says where it listens (under a wrapper, the first such
        // line: Litestream logs on stdout too, into the log here); the reader stays
        // alive for the child's life, so stdout never closes under the server.
        let (first, first_line) = mpsc::channel();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let wrapper_log = Arc::clone(&log);
        thread::spawn(move || {
            let mut line = String::new();
            loop {
                line.clear();
                let read = stdout.read_line(&mut line);
                let wrapped = matches!(signals, Signals::Group);
                if wrapped && matches!(read, Ok(n) if n > 0) && !line.starts_with("listening on ") {
                    wrapper_log.lock().unwrap().push_str(&line);
                    continue;
                }
                break;
            }
            let _ = first.send(line);
            let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        });

        let exited = waiter(child);
        let line = match first_line.recv_timeout(PATIENCE) {
            Ok(line) if !line.is_empty() => line,
            outcome => {
                if outcome.is_err() {
                    send("KILL");
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
            signals,
            exited,
            status: None,
            log,
            log_closed,
        }
    }
}

/// Whom signals reach: `blog serve` alone, or the group of the program it runs under.
#[derive(Clone, Copy)]
enum Signals {
    Process,
    Group,
}

/// A running `blog serve`, stopped with SIGTERM on drop.
pub struct TestServer {
    site: Site,
    base: String,
    pid: u32,
    signals: Signals,
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

    /// The server's process id, for tests that read its `/proc` entry.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// `http://host:port`, for a `Client` made on another thread (a `Client` stays on
    /// the thread that made it).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `host:port` of the server, for tests that speak raw HTTP.
    pub fn address(&self) -> String {
        self.base.trim_start_matches("http://").to_owned()
    }

    /// Runs the CLI in the server's folder with its environment, while it serves.
    pub fn cli(&self, args: &[&str]) -> Output {
        self.site.run(args)
    }

    /// `cli` with this text on standard input.
    pub fn cli_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        self.site.run_with_stdin(args, stdin)
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
        self.signal("TERM");
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
        self.signal("KILL");
        let status = self
            .exited
            .recv_timeout(PATIENCE)
            .expect("a killed server exits");
        self.status = Some(status);
        status
    }

    fn signal(&self, name: &str) {
        match self.signals {
            Signals::Process => signal(self.pid, name),
            Signals::Group => signal_group(self.pid, name),
        }
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
                self.signal("TERM");
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
                self.signal("KILL");
                let _ = self.exited.recv_timeout(PATIENCE);
            }
            return;
        }
        self.terminate();
    }
}

/// One row of the audit log, read straight from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

impl TestServer {
    /// Every audit row, oldest first.
    pub fn audit_rows(&self) -> Vec<AuditRow> {
        let db = rusqlite::Connection::open(self.path().join("blog-data/blog.sqlite3"))
            .expect("the database opens");
        let mut stmt = db
            .prepare("SELECT actor_email, action, target, detail FROM audit_log ORDER BY id")
            .expect("the audit log exists");
        stmt.query_map([], |row| {
            Ok(AuditRow {
                actor: row.get(0)?,
                action: row.get(1)?,
                target: row.get(2)?,
                detail: row.get(3)?,
            })
        })
        .expect("read the audit log")
        .collect::<Result<_, _>>()
        .expect("audit rows")
    }
}
