//! The benchmark's helper program (`cargo run --release --example loadgen -- …`):
//! - `seed DIR POSTS AUTHORS`: a fresh data folder with that many published posts of
//!   about 2 KB each, written with the project's own database code;
//! - `logins URL EMAIL PASSWORD SECONDS CLIENTS`: clients logging in again and again
//!   (bcrypt on every try); reports each login's latency, p50, p99 and max;
//! - `writes URL EMAIL PASSWORD CLIENTS POSTS`: clients creating and publishing posts
//!   over HTTP at once; reports posts per second and any failed write.
//!
//! `bench/run.sh` drives it; it is not part of the server.

use std::time::{Duration, Instant};

use blog::auth::password;
use blog::content::excerpt::excerpt;
use blog::content::html::sanitize;
use blog::content::{Email, Role, Slug};
use blog::db::{self, posts::NewPost, users::NewUser, Db};

const PARAGRAPH: &str = "A blog is read far more than it is written. This paragraph stands in for \
the kind of text people write: a few sentences about a trip, a recipe, a bug they fixed, or a book \
they liked, long enough to wrap over several lines on a phone. ";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["seed", dir, posts, authors] => seed(dir, parse(posts), parse(authors)),
        ["logins", url, email, pass, secs, clients] => {
            logins(url, email, pass, parse(secs), parse(clients))
        }
        ["writes", url, email, pass, clients, posts] => {
            writes(url, email, pass, parse(clients), parse(posts))
        }
        _ => Err("usage: loadgen seed DIR POSTS AUTHORS | logins URL EMAIL PASSWORD SECONDS CLIENTS | writes URL EMAIL PASSWORD CLIENTS POSTS".into()),
    };
    if let Err(err) = outcome {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}

fn parse(text: &str) -> usize {
    text.parse().unwrap_or_else(|_| {
        eprintln!("error: {text:?} is not a number");
        std::process::exit(2)
    })
}

type Outcome = Result<(), Box<dyn std::error::Error>>;

/// Authors are `author1@bench.example` … with the password `bench password 1`.
fn seed(dir: &str, posts: usize, authors: usize) -> Outcome {
    let data = std::path::Path::new(dir);
    std::fs::create_dir_all(data.join("media"))?;
    let db = Db::open(&data.join("blog.sqlite3"))?;
    let started = Instant::now();
    let hash = password::hash("bench password 1", 12)?;
    let body_html = format!(
        "<h2>Notes</h2>{}",
        format!("<p>{}</p>", PARAGRAPH.repeat(2)).repeat(5)
    );
    let body = sanitize(&body_html, "http://127.0.0.1:8000");
    let summary = excerpt(&body);
    let now = db::now_ms();
    db.write_now(|tx| {
        let mut ids = Vec::new();
        for n in 1..=authors.max(1) {
            let email: Email = format!("author{n}@bench.example")
                .parse()
                .map_err(|_| rusqlite::Error::InvalidQuery)?;
            let user = NewUser {
                email: &email,
                password_hash: Some(&hash),
                display_name: &format!("Author {n}"),
                role: Role::Author,
            };
            ids.push(db::users::insert(tx, &user, now)?);
        }
        for n in 0..posts {
            let title = format!("Post number {n}");
            let post = NewPost {
                author_id: ids[n % ids.len()],
                title: &title,
                body: &body,
                excerpt: &summary,
            };
            let (id, _) = db::posts::insert(tx, &post, &Slug::from_title(&title), now)?;
            // One minute apart, oldest first, so page 500 is a real page deep down.
            let published = now - (posts - n) as i64 * 60_000;
            db::posts::set_published(tx, id, Some(published))?;
        }
        Ok(())
    })?;
    println!(
        "seeded {posts} posts by {authors} authors in {:.1}s ({} bytes of body each)",
        started.elapsed().as_secs_f64(),
        body.as_str().len()
    );
    Ok(())
}

/// A client with its own cookie; the CSRF token is read from the login form.
struct Browser {
    agent: ureq::Agent,
    base: String,
    cookie: String,
}

impl Browser {
    fn new(base: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .new_agent();
        Self {
            agent,
            base: base.trim_end_matches('/').to_string(),
            cookie: String::new(),
        }
    }

    fn get(&mut self, path: &str) -> Result<(u16, String), ureq::Error> {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .call()?;
        self.keep_cookie(&response);
        let status = response.status().as_u16();
        Ok((status, response.body_mut().read_to_string()?))
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Result<(u16, String), ureq::Error> {
        let mut response = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send_form(form.iter().copied())?;
        self.keep_cookie(&response);
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let _ = response.body_mut().read_to_string();
        Ok((status, location))
    }

    fn keep_cookie(&mut self, response: &ureq::http::Response<ureq::Body>) {
        if let Some(value) = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
        {
            if let Some(pair) = value.split(';').next() {
                self.cookie = pair.to_string();
            }
        }
    }

    fn csrf(&mut self, path: &str) -> Result<String, Box<dyn std::error::Error>> {
        let (_, html) = self.get(path)?;
        let marker = "name=\"csrf_token\" value=\"";
        let start = html.find(marker).ok_or("no csrf_token on the page")? + marker.len();
        let end = html[start..].find('"').ok_or("unterminated csrf_token")?;
        Ok(html[start..start + end].to_string())
    }

    fn login(&mut self, email: &str, password: &str) -> Result<u16, Box<dyn std::error::Error>> {
        Ok(self.login_timed(email, password)?.0)
    }

    /// Logs in; the status, and how long the form's POST took.
    fn login_timed(
        &mut self,
        email: &str,
        password: &str,
    ) -> Result<(u16, Duration), Box<dyn std::error::Error>> {
        let token = self.csrf("/accounts/login")?;
        let sent = Instant::now();
        let (status, _) = self.post(
            "/accounts/login",
            &[
                ("csrf_token", &token),
                ("email", email),
                ("password", password),
            ],
        )?;
        Ok((status, sent.elapsed()))
    }
}

fn logins(url: &str, email: &str, password: &str, seconds: usize, clients: usize) -> Outcome {
    let until = Instant::now() + Duration::from_secs(seconds as u64);
    let threads: Vec<_> = (0..clients.max(1))
        .map(|_| {
            let (url, email, password) = (url.to_string(), email.to_string(), password.to_string());
            std::thread::spawn(move || {
                // How long each login took, from sending the form to the answer: what
                // an author waits for after pressing "Log in".
                let (mut took, mut failed) = (Vec::new(), 0u64);
                while Instant::now() < until {
                    let mut browser = Browser::new(&url);
                    match browser.login_timed(&email, &password) {
                        Ok((303, time)) => took.push(time),
                        _ => failed += 1,
                    }
                }
                (took, failed)
            })
        })
        .collect();
    let (mut took, mut failed) = (Vec::new(), 0);
    for thread in threads {
        let (t, f) = thread.join().unwrap_or_default();
        took.extend(t);
        failed += f;
    }
    took.sort();
    // Nearest-rank percentiles: with fewer than a hundred logins, p99 is the slowest.
    let at = |q: f64| {
        let rank = ((q * took.len() as f64).ceil() as usize).clamp(1, took.len().max(1));
        took.get(rank - 1)
            .map_or(0.0, |t: &Duration| t.as_secs_f64() * 1000.0)
    };
    println!(
        "logins: {} in {seconds}s ({:.1}/s), {failed} failed; latency p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        took.len(),
        took.len() as f64 / seconds.max(1) as f64,
        at(0.50),
        at(0.99),
        at(1.0)
    );
    if failed > 0 {
        return Err(format!("{failed} logins failed").into());
    }
    Ok(())
}

fn writes(url: &str, email: &str, password: &str, clients: usize, posts: usize) -> Outcome {
    let started = Instant::now();
    let threads: Vec<_> = (0..clients.max(1))
        .map(|client| {
            let (url, email, password) = (url.to_string(), email.to_string(), password.to_string());
            std::thread::spawn(move || -> (u64, u64) {
                let mut browser = Browser::new(&url);
                if !matches!(browser.login(&email, &password), Ok(303)) {
                    return (0, posts as u64);
                }
                let (mut ok, mut failed) = (0u64, 0u64);
                for n in 0..posts {
                    let title = format!("Written under load {client}-{n}");
                    let result = (|| -> Result<bool, Box<dyn std::error::Error>> {
                        let token = browser.csrf("/posts/new")?;
                        let form = [
                            ("csrf_token", token.as_str()),
                            ("title", title.as_str()),
                            ("body", "<p>load</p>"),
                            ("tags", ""),
                        ];
                        let (status, location) = browser.post("/posts/new", &form)?;
                        if status != 303 {
                            return Ok(false);
                        }
                        let (status, _) = browser
                            .post(&format!("{location}/publish"), &[("csrf_token", &token)])?;
                        Ok(status == 303)
                    })();
                    match result {
                        Ok(true) => ok += 1,
                        _ => failed += 1,
                    }
                }
                (ok, failed)
            })
        })
        .collect();
    let (mut ok, mut failed) = (0, 0);
    for thread in threads {
        let (o, f) = thread.join().unwrap_or((0, posts as u64));
        ok += o;
        failed += f;
    }
    let secs = started.elapsed().as_secs_f64();
    println!("writes: {ok} posts created and published by {clients} clients in {secs:.1}s ({:.1} posts/s), {failed} failed", ok as f64 / secs);
    Ok(())
}
