//! Comments from an export's `comments.json`, put back on the posts of the same slug.
//! A comment is the same comment when it is on the same post, at the same time, with
//! the same text: a second run adds none.

use anyhow::{bail, Context};
use rusqlite::{params, OptionalExtension};

use super::bundle::CommentEntry;
use super::progress::Progress;
use super::{dates, skipped, Tally};
use crate::content::{Email, Slug};
use crate::db::{self, Db};

/// Recorded as the comment's client address, which throttling reads: none of the
/// visitors' real ones travel in an export.
const CLIENT: &str = "import";

pub fn import(
    db: &Db,
    entries: &[CommentEntry],
    zone: &jiff::tz::TimeZone,
    progress: &Progress,
    tally: &mut Tally,
) {
    for (i, entry) in entries.iter().enumerate() {
        match one(db, entry, zone) {
            Ok(true) => tally.comments += 1,
            Ok(false) => tally.present += 1,
            Err(err) => {
                tally.failed += 1;
                progress.warn(skipped(
                    format!("comment {} on {}", i + 1, entry.post),
                    &err,
                ));
            }
        }
    }
}

fn one(db: &Db, entry: &CommentEntry, zone: &jiff::tz::TimeZone) -> anyhow::Result<bool> {
    if !matches!(entry.status.as_str(), "pending" | "approved" | "hidden") {
        bail!(
            "status {:?} is not pending, approved or hidden",
            entry.status
        );
    }
    let slug: Slug = entry
        .post
        .parse()
        .map_err(|_| anyhow::anyhow!("{:?} is not a slug", entry.post))?;
    let email: Option<Email> = match entry.author_email.as_deref() {
        Some(text) => Some(
            text.parse()
                .map_err(|_| anyhow::anyhow!("{text:?} is not an email address"))?,
        ),
        None => None,
    };
    let created_at = dates::parse(&entry.created_at, zone).context("created_at")?;
    let entry = entry.clone();
    db.write_now(move |tx| {
        let Some(post) = db::posts::by_slug(tx, &slug)? else {
            return Ok(Err(format!("no post has the slug {slug}")));
        };
        let author = match &email {
            Some(email) => match db::users::by_email(tx, email)? {
                Some(user) => Some(user.id),
                None => return Ok(Err(format!("no account has the email {email}"))),
            },
            None => None,
        };
        // The comments table belongs to the readers' side; these two statements are
        // all an import needs of it.
        let present = tx
            .prepare_cached(
                "SELECT 1 FROM comments WHERE post_id = ?1 AND created_at = ?2 AND body = ?3",
            )?
            .query_row(params![post.id, created_at, entry.body], |_| Ok(()))
            .optional()?
            .is_some();
        if present {
            return Ok(Ok(false));
        }
        tx.prepare_cached(
            "INSERT INTO comments (post_id, author_id, author_name, body, status, client, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            post.id,
            author,
            entry.author_name,
            entry.body,
            entry.status,
            CLIENT,
            created_at
        ])?;
        Ok(Ok(true))
    })?
    .map_err(anyhow::Error::msg)
}
