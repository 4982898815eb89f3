//! `blog import django FILE`: the posts and users of a Django Girls blog, from the JSON
//! that `python manage.py dumpdata auth.user blog.post` writes (a list of
//! `{"model", "pk", "fields"}` records).
//!
//! Users come from `auth.user`, or from a custom user model: any other model whose
//! records have an `email` field. Posts come from `blog.post` (or another `*.post` with
//! `title` and `text`). An account without an address gets `<username>@imported.invalid`
//! (a domain that can never receive mail), so the posts keep their author; the line
//! printed for it says so.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context};
use serde_json::{Map, Value};

use super::posts::{self, Incoming};
use super::progress::Progress;
use super::users::{self, Account};
use super::{dates, escape, skipped, Tally};
use crate::actions::Blog;
use crate::config::Config;
use crate::content::html::sanitize_checked;
use crate::content::{Email, Kind, UserId};

/// Where made-up addresses live: `.invalid` is reserved (RFC 2606) and never delivers.
const NO_EMAIL_DOMAIN: &str = "imported.invalid";

struct Record {
    model: String,
    pk: String,
    fields: Map<String, Value>,
}

pub fn run(config: &Config, blog: Blog, file: &Path) -> anyhow::Result<Tally> {
    let records = read(file)?;
    let Some(post_model) = post_model(&records) else {
        bail!(
            "{} has no blog.post records: dump them with `python manage.py dumpdata auth.user blog.post --indent 2 > {}`",
            file.display(),
            file.display()
        );
    };
    let user_model = user_model(&records, &post_model, file)?;
    let zone = jiff::tz::TimeZone::get(config.site.timezone.as_str())?;
    let posts: Vec<&Record> = records.iter().filter(|r| r.model == post_model).collect();
    let people: Vec<&Record> = match &user_model {
        Some(model) => records.iter().filter(|r| &r.model == model).collect(),
        None => Vec::new(),
    };
    println!(
        "{}: {} from {post_model}, {} from {}",
        file.display(),
        super::count(posts.len() as u64, "post"),
        super::count(people.len() as u64, "user"),
        user_model.as_deref().unwrap_or("no user model")
    );

    let mut tally = Tally::default();
    let progress = Progress::new((posts.len() + people.len()) as u64, "records");
    let mut authors = Authors::default();
    for person in people {
        let what = format!("{} {}", person.model, person.pk);
        match account(person, &zone, &progress)
            .and_then(|account| users::ensure(config, blog, &account, &progress, &mut tally))
        {
            Ok(id) => authors.add(person, id),
            Err(err) => {
                tally.failed += 1;
                progress.warn(skipped(what, &err));
            }
        }
        progress.inc();
    }
    for post in posts {
        let what = format!("{} {}", post.model, post.pk);
        let saved = incoming(post, &authors, &zone, config).and_then(|incoming| {
            if posts::exists(
                blog.db,
                incoming.author,
                &incoming.title,
                incoming.created_at,
            )? {
                return Ok(None);
            }
            posts::save(blog, &incoming)
        });
        match saved {
            Ok(Some(_)) => tally.posts += 1,
            Ok(None) => tally.present += 1,
            Err(err) => {
                tally.failed += 1;
                progress.warn(skipped(what, &err));
            }
        }
        progress.inc();
    }
    progress.finish();
    Ok(tally)
}

fn read(file: &Path) -> anyhow::Result<Vec<Record>> {
    let text = std::fs::read_to_string(file).with_context(|| {
        format!(
            "cannot read {}: check the path (it should be the output of `python manage.py dumpdata`)",
            file.display()
        )
    })?;
    let value: Value = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not JSON: write it with `python manage.py dumpdata auth.user blog.post --indent 2`",
            file.display()
        )
    })?;
    let Value::Array(items) = value else {
        bail!(
            "{} is not a Django dumpdata file: expected a list of {{\"model\": …, \"pk\": …, \"fields\": {{…}}}} records",
            file.display()
        );
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            record(item).with_context(|| {
                format!(
                    "{}, record {}: not a dumpdata record (it needs \"model\", \"pk\" and \"fields\"); is this a dumpdata file?",
                    file.display(),
                    i + 1
                )
            })
        })
        .collect()
}

fn record(item: Value) -> Option<Record> {
    let Value::Object(mut item) = item else {
        return None;
    };
    let model = item.get("model")?.as_str()?.to_ascii_lowercase();
    let pk = match item.get("pk") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(n)) => n.to_string(),
        // Natural keys (`dumpdata --natural-primary`) leave the pk out.
        _ => String::new(),
    };
    let Value::Object(fields) = item.remove("fields")? else {
        return None;
    };
    Some(Record { model, pk, fields })
}

fn post_model(records: &[Record]) -> Option<String> {
    if records.iter().any(|r| r.model == "blog.post") {
        return Some("blog.post".into());
    }
    records
        .iter()
        .find(|r| {
            r.model.ends_with(".post")
                && r.fields.contains_key("title")
                && r.fields.contains_key("text")
        })
        .map(|r| r.model.clone())
}

/// `auth.user` when the dump has it, else the one other model whose records have an
/// `email`.
fn user_model(records: &[Record], post_model: &str, file: &Path) -> anyhow::Result<Option<String>> {
    if records.iter().any(|r| r.model == "auth.user") {
        return Ok(Some("auth.user".into()));
    }
    let mut models: Vec<&str> = records
        .iter()
        .filter(|r| r.model != post_model && r.fields.contains_key("email"))
        .map(|r| r.model.as_str())
        .collect();
    models.sort_unstable();
    models.dedup();
    match models.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.to_string())),
        many => match many.iter().find(|m| m.ends_with("user")) {
            Some(user) => Ok(Some(user.to_string())),
            None => bail!(
                "{}: several models have an email field ({}); dump only the user model with the posts",
                file.display(),
                many.join(", ")
            ),
        },
    }
}

fn text<'a>(fields: &'a Map<String, Value>, key: &str) -> &'a str {
    fields.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn account(
    record: &Record,
    zone: &jiff::tz::TimeZone,
    progress: &Progress,
) -> anyhow::Result<Account> {
    let fields = &record.fields;
    let username = text(fields, "username").trim();
    let name = [text(fields, "first_name"), text(fields, "last_name")]
        .map(str::trim)
        .join(" ");
    let name = [
        name.trim(),
        text(fields, "name"),
        text(fields, "full_name"),
        username,
    ]
    .into_iter()
    .map(str::trim)
    .find(|n| !n.is_empty())
    .unwrap_or_default()
    .to_string();
    let address = text(fields, "email").trim();
    let email: Email = if address.is_empty() {
        let made_up = made_up_email(username, &record.pk);
        progress.say(format!(
            "{} {} ({username}) has no email: importing as {made_up}",
            record.model, record.pk
        ));
        made_up.parse()?
    } else {
        address
            .parse()
            .map_err(|_| anyhow::anyhow!("{address:?} is not an email address"))?
    };
    let joined = match fields.get("date_joined").and_then(Value::as_str) {
        Some(at) => Some(dates::parse(at, zone)?),
        None => None,
    };
    Ok(Account {
        active: fields
            .get("is_active")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        joined,
        ..Account::author(email, name)
    })
}

/// `<username>@imported.invalid`, keeping the characters an address allows.
pub(super) fn made_up_email(username: &str, pk: &str) -> String {
    let local: String = username
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._+-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let local = local.trim_matches(['.', '-']);
    if local.is_empty() {
        format!("user-{pk}@{NO_EMAIL_DOMAIN}")
    } else {
        format!("{local}@{NO_EMAIL_DOMAIN}")
    }
}

/// Accounts by the ways a post may point at its author: the pk, or a natural key
/// (`["username"]`, or the email for custom models).
#[derive(Default)]
struct Authors(HashMap<String, UserId>);

impl Authors {
    fn add(&mut self, record: &Record, id: UserId) {
        for key in [
            record.pk.as_str(),
            text(&record.fields, "username"),
            text(&record.fields, "email"),
        ] {
            if !key.is_empty() {
                self.0.insert(key.to_string(), id);
            }
        }
    }

    fn find(&self, author: Option<&Value>) -> anyhow::Result<UserId> {
        let key = match author {
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(natural)) => match natural.as_slice() {
                [Value::String(s)] => s.clone(),
                _ => bail!(
                    "the author {} is not a key this import knows",
                    Value::Array(natural.clone())
                ),
            },
            _ => bail!("it has no author"),
        };
        self.0.get(&key).copied().with_context(|| {
            format!("its author {key} is not among the users of the file: dump auth.user (or your user model) with the posts")
        })
    }
}

fn incoming(
    record: &Record,
    authors: &Authors,
    zone: &jiff::tz::TimeZone,
    config: &Config,
) -> anyhow::Result<Incoming> {
    let fields = &record.fields;
    let author = authors.find(fields.get("author"))?;
    let title = posts::title(text(fields, "title"))?;
    let Some(created) = fields.get("created_date").and_then(Value::as_str) else {
        bail!("it has no created_date");
    };
    let created_at = dates::parse(created, zone).context("created_date")?;
    let published_at = match fields.get("published_date") {
        Some(Value::String(at)) => Some(dates::parse(at, zone).context("published_date")?),
        _ => None,
    };
    let html = paragraphs(text(fields, "text"));
    Ok(Incoming {
        author,
        title,
        slug: None,
        body: sanitize_checked(&html, config.site.base_url.as_str())?,
        tags: Vec::new(),
        created_at,
        // Django Girls keeps no edit time; the last thing that happened is the best guess.
        updated_at: published_at.unwrap_or(created_at).max(created_at),
        published_at,
        kind: Kind::Post,
    })
}

/// Plain text as Django Girls shows it (`linebreaksbr`), made into HTML: blank lines
/// separate paragraphs, single line breaks stay breaks, everything else is text.
fn paragraphs(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut html = String::new();
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !lines.is_empty() {
                let escaped: Vec<String> = lines.iter().map(|l| escape(l.trim_end())).collect();
                html.push_str(&format!("<p>{}</p>\n", escaped.join("<br>")));
                lines.clear();
            }
        } else {
            lines.push(line);
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_make_paragraphs_and_single_breaks_stay() {
        let html =
            paragraphs("First line\r\nsecond line\r\n\r\n\r\n<script>alert(1)</script> & more\n");
        assert_eq!(
            html,
            "<p>First line<br>second line</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>\n"
        );
        assert_eq!(paragraphs("  \n\n"), "");
    }

    #[test]
    fn an_account_without_email_gets_an_address_that_cannot_receive_mail() {
        assert_eq!(
            made_up_email("Ola Nordmann", "3"),
            "ola-nordmann@imported.invalid"
        );
        assert_eq!(made_up_email("", "3"), "user-3@imported.invalid");
        assert!(made_up_email("ola@home", "1").parse::<Email>().is_ok());
    }

    fn records(json: &str) -> Vec<Record> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dump.json");
        std::fs::write(&file, json).unwrap();
        read(&file).unwrap()
    }

    #[test]
    fn finds_a_custom_email_user_model() {
        let found = records(
            r#"[{"model": "accounts.customuser", "pk": 1, "fields": {"email": "a@b.example"}},
                {"model": "blog.post", "pk": 1, "fields": {"author": 1, "title": "t", "text": ""}}]"#,
        );
        assert_eq!(
            user_model(&found, "blog.post", Path::new("d.json"))
                .unwrap()
                .as_deref(),
            Some("accounts.customuser")
        );
        assert_eq!(post_model(&found).as_deref(), Some("blog.post"));
    }

    #[test]
    fn refuses_what_is_not_a_dump_with_the_file_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dump.json");
        for (text, says) in [
            ("not json", "is not JSON"),
            (r#"{"model": "blog.post"}"#, "is not a Django dumpdata file"),
            (r#"[{"pk": 1}]"#, "record 1"),
        ] {
            std::fs::write(&file, text).unwrap();
            let err = format!("{:#}", read(&file).err().unwrap());
            assert!(err.contains(says) && err.contains("dump.json"), "{err}");
        }
        let missing = format!("{:#}", read(&dir.path().join("nope.json")).err().unwrap());
        assert!(
            missing.contains("cannot read") && missing.contains("nope.json"),
            "{missing}"
        );
    }
}
