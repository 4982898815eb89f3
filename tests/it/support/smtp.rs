//! A real SMTP server for the mail tests: aiosmtpd (PyPI, in `target/tools-venv` as
//! `.ci/run` installs it) running `tests/smtp/server.py`, which writes every message it
//! accepts to a folder. `SmtpServer` starts it, stops it (an outage), starts it again on
//! the same port, and reads what arrived with `mail-parser`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mail_parser::{MessageParser, MimeHeaders};
use tempfile::TempDir;

/// How long a test waits for mail to arrive: the worker sends at once, but a debug
/// build on a shared machine can be slow.
const PATIENCE: Duration = Duration::from_secs(60);

pub struct SmtpServer {
    port: u16,
    inbox: TempDir,
    login: Option<(String, String)>,
    refuse: Option<String>,
    child: Option<Child>,
}

/// One message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub raw: String,
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub date: Option<String>,
    pub content_type: String,
    pub text: String,
    pub html: String,
    pub list_unsubscribe: Option<String>,
    pub list_unsubscribe_post: Option<String>,
}

impl Received {
    /// The first link in the plain-text part that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let start = self
            .text
            .find(prefix)
            .unwrap_or_else(|| panic!("no link {prefix}… in the mail:\n{}", self.text));
        self.text[start..]
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap_or_default()
            .to_string()
    }

    /// A security notice (`Security notice from …`, or Korean `… 보안 알림`).
    pub fn is_security_notice(&self) -> bool {
        self.subject.starts_with("Security notice") || self.subject.ends_with("보안 알림")
    }

    /// The URL inside `List-Unsubscribe: <…>`.
    pub fn unsubscribe_url(&self) -> String {
        let header = self
            .list_unsubscribe
            .as_deref()
            .unwrap_or_else(|| panic!("no List-Unsubscribe in:\n{}", self.raw));
        header
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string()
    }
}

/// The Python of the venv `.ci/run` makes, if aiosmtpd is in it; `None` (skip) on a
/// developer's machine without it, a failure under CI.
fn python() -> Option<PathBuf> {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools-venv/bin/python");
    let has_it = Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|status| status.success());
    match has_it {
        true => Some(python),
        false if std::env::var("CI").as_deref() == Ok("true") => panic!(
            "aiosmtpd is not installed, and CI must run the mail tests: \
             python3 -m venv target/tools-venv && target/tools-venv/bin/pip install aiosmtpd==1.4.6 (.ci/run does)"
        ),
        false => {
            eprintln!("skipped: aiosmtpd not installed (pip install aiosmtpd into target/tools-venv)");
            None
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

impl SmtpServer {
    /// Starts a server; `None` when aiosmtpd is missing outside CI.
    pub fn start() -> Option<Self> {
        Self::build(None, None)
    }

    /// A server that accepts mail only after `AUTH` with this user and password.
    pub fn with_login(user: &str, password: &str) -> Option<Self> {
        Self::build(Some((user.into(), password.into())), None)
    }

    /// A server that answers 550 (no such mailbox) to one address.
    pub fn refusing(address: &str) -> Option<Self> {
        Self::build(None, Some(address.into()))
    }

    fn build(login: Option<(String, String)>, refuse: Option<String>) -> Option<Self> {
        python()?;
        let mut server = Self {
            port: free_port(),
            inbox: tempfile::tempdir().expect("a folder for the inbox"),
            login,
            refuse,
            child: None,
        };
        server.resume();
        Some(server)
    }

    /// `smtp://[user@]127.0.0.1:PORT`, for `[mail] smtp_url`.
    pub fn url(&self) -> String {
        match &self.login {
            Some((user, _)) => format!("smtp://{user}@127.0.0.1:{}", self.port),
            None => format!("smtp://127.0.0.1:{}", self.port),
        }
    }

    /// Starts it again (after `stop`) on the same port, with the same inbox.
    pub fn resume(&mut self) {
        let python = python().expect("aiosmtpd was there when the server first started");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/server.py");
        let mut command = Command::new(python);
        command
            .arg(script)
            .arg(self.port.to_string())
            .arg(self.inbox.path());
        if let Some((user, password)) = &self.login {
            command.args(["--user", user, "--password", password]);
        }
        if let Some(address) = &self.refuse {
            command.args(["--refuse", address]);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python runs the SMTP server");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("the SMTP server says it is ready");
        assert_eq!(first.trim(), "ready", "the SMTP server did not start");
        self.child = Some(child);
    }

    /// Stops it (kill): connections are refused until `resume`.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<Received> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.inbox.path())
            .expect("the inbox folder")
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        files.sort();
        files.iter().map(|path| parse(path)).collect()
    }

    /// The messages to `to`, waiting until there are at least `count` of them; security
    /// notices (a mail at each login) left out, see `wait_for_notices`.
    #[track_caller]
    pub fn wait_for(&self, to: &str, count: usize) -> Vec<Received> {
        self.wait_for_where(to, count, |m| !m.is_security_notice())
    }

    /// The security notices to `to` (logins, factors, passwords), at least `count`.
    #[track_caller]
    pub fn wait_for_notices(&self, to: &str, count: usize) -> Vec<Received> {
        self.wait_for_where(to, count, Received::is_security_notice)
    }

    #[track_caller]
    fn wait_for_where(
        &self,
        to: &str,
        count: usize,
        keep: impl Fn(&Received) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let found: Vec<Received> = self
                .messages()
                .into_iter()
                .filter(|m| m.to == to && keep(m))
                .collect();
            if found.len() >= count {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "{count} mail(s) to {to} never arrived; the inbox has: {:?}",
                self.messages()
                    .iter()
                    .map(|m| (&m.to, &m.subject))
                    .collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn parse(path: &Path) -> Received {
    let raw = std::fs::read(path).expect("a message file");
    let message = MessageParser::default()
        .parse(&raw)
        .unwrap_or_else(|| panic!("{} is not a mail message", path.display()));
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|value| value.trim().to_string())
    };
    let to = message
        .to()
        .and_then(|to| to.first())
        .and_then(|addr| addr.address())
        .unwrap_or_default()
        .to_string();
    let content_type = message
        .content_type()
        .map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{sub}", ct.ctype()),
            None => ct.ctype().to_string(),
        })
        .unwrap_or_default();
    Received {
        raw: String::from_utf8_lossy(&raw).into_owned(),
        to,
        subject: message.subject().unwrap_or_default().to_string(),
        message_id: message.message_id().unwrap_or_default().to_string(),
        date: message.date().map(|date| date.to_rfc3339()),
        content_type,
        text: message
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        html: message
            .body_html(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        list_unsubscribe: header("List-Unsubscribe"),
        list_unsubscribe_post: header("List-Unsubscribe-Post"),
    }
}
