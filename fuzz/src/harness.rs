//! Raw bytes in, through the real request path: hyper's HTTP/1.1 connection and
//! `blog::web::handle`, over an in-memory stream instead of a socket. The fuzz target
//! and the regression test (`tests/properties/regressions.rs`) share this file, so a
//! crash input replays exactly as it was found.
//!
//! The blog it serves lives in a temporary folder with a signed-in admin (a fixed
//! session token, so seeds can carry its cookie and CSRF token), a reader for the
//! admin's buttons to act on, one published post with a comment, open registration
//! and anonymous comments: inputs reach the authoring, comment and admin handlers,
//! not only the login page.
//!
//! A `Harness` owns threads (tokio's blocking pool, bcrypt's, the cache watcher) and a
//! database: build it in the process that runs the inputs, never before a `fork` (a
//! forked child has one thread, and every job queued for the others waits forever).
//! The folder goes under `FUZZ_WORK_DIR` when that is set, so a fuzzing run can remove
//! what its killed children left behind.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{bail, Context};
use blog::app::App;
use blog::auth::{csrf, password, Token};
use blog::config::{Config, SecretKey};
use blog::content::{Email, Role};
use blog::db::{self, Db};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The signed-in admin's session cookie value; seeds send `blog_session=` this.
pub const SESSION: &str = "f022c0ffee5eed5f022c0ffee5eed5f022c0ffee5eed5f022c0ffee5eed5f0aa";

/// Written as `secret.key`, so the admin's CSRF token is the same in every run.
const SECRET_KEY: &str = "fuzzing-only-secret-key-0123456789abcdef0123456789abcdef";

pub const ADMIN_EMAIL: &str = "admin@fuzz.example";
pub const ADMIN_PASSWORD: &str = "fuzzing password";

/// A second account (user 2), for the admin's buttons to act on.
pub const READER_EMAIL: &str = "reader@fuzz.example";

/// The seeded post's slug (from its title).
pub const POST_SLUG: &str = "hello-fuzz";

/// Longer than any request may take here: every input ends with EOF, so nothing waits
/// on the client. Past it the input counts as a hang.
const INPUT_TIMEOUT: Duration = Duration::from_secs(20);

/// Requests come from loopback, a trusted proxy by default, so `X-Forwarded-*`
/// headers are believed and their parsing is fuzzed too.
const PEER: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

pub struct Harness {
    runtime: tokio::runtime::Runtime,
    app: Arc<App>,
    session_hash: [u8; 32],
    admin: blog::content::UserId,
    // Dropped last: the database lives in it.
    _dir: tempfile::TempDir,
}

/// What one input got back.
#[derive(Debug)]
pub struct Outcome {
    /// The status of every response `web::handle` gave, in order.
    pub statuses: Vec<u16>,
    /// Each of those requests: its class (`Class::of`) and status.
    pub requests: Vec<(Class, u16)>,
    /// Everything the connection wrote back.
    pub bytes: Vec<u8>,
    /// The connection had not closed within `INPUT_TIMEOUT`.
    pub hung: bool,
}

/// What part of the site a request exercised, for a fuzzing run to show that each one
/// ran (and with which statuses), not only that inputs went in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    Login,
    Signup,
    Password,
    Upload,
    Comment,
    Admin,
    Post,
    Other,
}

impl Class {
    pub const ALL: [Class; 8] = [
        Class::Login,
        Class::Signup,
        Class::Password,
        Class::Upload,
        Class::Comment,
        Class::Admin,
        Class::Post,
        Class::Other,
    ];

    /// The class of a request for `path`: uploads are the editor's and the profile
    /// picture's (both decode an image); posts are writes to `/posts/…`.
    pub fn of(method: &str, path: &str) -> Class {
        let post = method == "POST";
        if path.starts_with("/accounts/login") {
            Class::Login
        } else if path.starts_with("/accounts/signup") {
            Class::Signup
        } else if path.starts_with("/accounts/password") {
            Class::Password
        } else if path.starts_with("/uploads") || (post && path.starts_with("/accounts/profile")) {
            Class::Upload
        } else if path.starts_with("/admin") {
            Class::Admin
        } else if path.contains("/comments") {
            Class::Comment
        } else if post && path.starts_with("/posts/") {
            Class::Post
        } else {
            Class::Other
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Class::Login => "login",
            Class::Signup => "signup",
            Class::Password => "password",
            Class::Upload => "upload",
            Class::Comment => "comment",
            Class::Admin => "admin",
            Class::Post => "post",
            Class::Other => "other",
        }
    }
}

impl Outcome {
    /// Why this outcome is a bug, if it is one: the server answered 500 (a handler
    /// panicked or failed) or never finished.
    pub fn failure(&self) -> Option<String> {
        if self.hung {
            return Some(format!(
                "the connection was still open after {INPUT_TIMEOUT:?}"
            ));
        }
        self.statuses
            .contains(&500)
            .then(|| format!("the server answered 500 (statuses {:?})", self.statuses))
    }
}

impl Harness {
    /// A new blog in a temporary folder, seeded and ready.
    pub fn start() -> anyhow::Result<Self> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("blog-fuzz-");
        let dir = match std::env::var_os("FUZZ_WORK_DIR") {
            Some(parent) => builder.tempdir_in(parent),
            None => builder.tempdir(),
        }
        .context("cannot make a temporary data folder")?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start a runtime")?;
        let app = Arc::new(open_app(dir.path())?);
        let (admin, session_hash) = seed_admin(&app)?;
        let harness = Self {
            runtime,
            app,
            session_hash,
            admin,
            _dir: dir,
        };
        harness.seed_content()?;
        Ok(harness)
    }

    /// The CSRF token of the admin's session, for seeds.
    pub fn csrf_token(&self) -> anyhow::Result<String> {
        let session = Token::parse(SESSION).context("SESSION is not a token")?;
        Ok(csrf::token(&self.app.key, &session))
    }

    /// Serves `input` as everything a client sent on one connection, then EOF.
    pub fn run(&self, input: &[u8]) -> Outcome {
        // An input may have logged the admin out or changed the password (which ends
        // the other sessions); put the session back so the next input starts alike.
        self.restore_session();
        self.runtime.block_on(async {
            match tokio::time::timeout(INPUT_TIMEOUT, self.exchange(input)).await {
                Ok(outcome) => outcome,
                Err(_) => Outcome {
                    statuses: Vec::new(),
                    requests: Vec::new(),
                    bytes: Vec::new(),
                    hung: true,
                },
            }
        })
    }

    /// `run`, panicking when the outcome is a bug: what the fuzz target calls.
    pub fn check(&self, input: &[u8]) {
        let outcome = self.run(input);
        if let Some(failure) = outcome.failure() {
            panic!(
                "{failure}\ninput: {:?}\nresponse: {:?}",
                String::from_utf8_lossy(input),
                String::from_utf8_lossy(&outcome.bytes)
            );
        }
    }

    async fn exchange(&self, input: &[u8]) -> Outcome {
        let statuses = Arc::new(Mutex::new(Vec::new()));
        let (client, server) = tokio::io::duplex(64 * 1024);
        let app = Arc::clone(&self.app);
        let seen = Arc::clone(&statuses);
        let service = service_fn(move |req| {
            let app = Arc::clone(&app);
            let seen = Arc::clone(&seen);
            async move {
                let class = Class::of(req.method().as_str(), req.uri().path());
                let response = blog::web::handle(app, PEER, req).await;
                seen.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((class, response.status().as_u16()));
                Ok::<_, Infallible>(response)
            }
        });
        let mut http = blog::server::connection_settings(&self.app.config.server);
        // `half_close`, unlike the server: each input ends with EOF, and without it
        // hyper would drop the requests in flight instead of answering them.
        http.half_close(true);
        // Errors are how hyper refuses a malformed request: expected, not a finding.
        let serve = async {
            let _ = http.serve_connection(TokioIo::new(server), service).await;
        };
        let (mut from_server, mut to_server) = tokio::io::split(client);
        // Written and read at once: a reply larger than the pipe would otherwise stop
        // the server reading what is left of the input.
        let send = async {
            let _ = to_server.write_all(input).await;
            let _ = to_server.shutdown().await;
        };
        let receive = async {
            let mut bytes = Vec::new();
            let _ = from_server.read_to_end(&mut bytes).await;
            bytes
        };
        let ((), (), bytes) = tokio::join!(serve, send, receive);
        let requests =
            std::mem::take(&mut *statuses.lock().unwrap_or_else(PoisonError::into_inner));
        Outcome {
            statuses: requests.iter().map(|(_, status)| *status).collect(),
            requests,
            bytes,
            hung: false,
        }
    }

    fn restore_session(&self) {
        let hash = self.session_hash;
        let admin = self.admin;
        let now = db::now_ms();
        let alive = self
            .app
            .db
            .read_now(move |conn| db::sessions::user(conn, &hash, now))
            .is_ok_and(|user| user.is_some());
        if !alive {
            let _ = self.app.db.write_now(move |tx| {
                db::sessions::insert(tx, &hash, admin, now, now + DAY_MS, &Default::default())
            });
        }
    }

    /// A published post with a tag and a comment, made through the site itself.
    fn seed_content(&self) -> anyhow::Result<()> {
        let csrf = self.csrf_token()?;
        let forms = [
            (
                "/posts/new".to_string(),
                format!(
                    "title=Hello+fuzz&body=%3Cp%3EHi%3C%2Fp%3E&tags=rust%2C+web&csrf_token={csrf}"
                ),
            ),
            (
                format!("/posts/{POST_SLUG}/publish"),
                format!("csrf_token={csrf}"),
            ),
            (
                format!("/posts/{POST_SLUG}/comments"),
                format!("body=First%21&csrf_token={csrf}"),
            ),
        ];
        for (path, body) in forms {
            let request = format!(
                "POST {path} HTTP/1.1\r\nHost: fuzz\r\nCookie: blog_session={SESSION}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let outcome = self.run(request.as_bytes());
            if outcome.statuses != [303] {
                bail!(
                    "seeding {path} answered {:?}: {}",
                    outcome.statuses,
                    String::from_utf8_lossy(&outcome.bytes)
                );
            }
        }
        Ok(())
    }
}

const DAY_MS: i64 = 24 * 3600 * 1000;

fn open_app(dir: &Path) -> anyhow::Result<App> {
    // Cheap bcrypt, so a fuzzed login costs a millisecond, not a quarter second.
    let mut config = Config::parse(
        "[accounts]\nopen_registration = true\nbcrypt_cost = 4\n\
         [comments]\nanonymous = true\n",
        "the fuzzing harness",
    )?;
    config.storage.data_dir = dir.to_path_buf();
    std::fs::create_dir_all(config.storage.media_dir())?;
    std::fs::write(config.storage.secret_key_file(), SECRET_KEY)?;
    let db = Db::open(&config.storage.database())?;
    let (key, _) = SecretKey::load(&config.storage)?;
    App::new(config, db, key)
}

fn seed_admin(app: &App) -> anyhow::Result<(blog::content::UserId, [u8; 32])> {
    let email: Email = ADMIN_EMAIL.parse()?;
    let reader: Email = READER_EMAIL.parse()?;
    let hash = password::hash(ADMIN_PASSWORD, 4)?;
    let session = Token::parse(SESSION)
        .context("SESSION is not a token")?
        .hash();
    let now = db::now_ms();
    let admin = app.db.write_now(move |tx| {
        let id = db::users::insert(
            tx,
            &db::users::NewUser {
                email: &email,
                password_hash: Some(&hash),
                display_name: "Fuzz Admin",
                role: Role::Admin,
            },
            now,
        )?;
        db::sessions::insert(tx, &session, id, now, now + DAY_MS, &Default::default())?;
        db::users::insert(
            tx,
            &db::users::NewUser {
                email: &reader,
                password_hash: Some(&hash),
                display_name: "Fuzz Reader",
                role: Role::Reader,
            },
            now,
        )?;
        Ok(id)
    })?;
    Ok((admin, session))
}
