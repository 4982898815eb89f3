//! Comments from an export's `comments.json`, put back on the posts of the same slug.
//! A comment is the same comment when it is on the same post, at the same time, with
//! the same text: a second run adds none.

use anyhow::{bail, Context};

use super::bundle::CommentEntry;
use super::progress::Progress;
use super::{dates, skipped, Tally};
use crate::actions::comments::ImportedComment;
use crate::actions::{self, Blog};
use crate::auth::Actor;
use crate::content::{CommentBody, CommentStatus, Email, Slug};

pub fn import(
    blog: Blog,
    entries: &[CommentEntry],
    zone: &jiff::tz::TimeZone,
    progress: &Progress,
    tally: &mut Tally,
) {
    for (i, entry) in entries.iter().enumerate() {
        match one(blog, entry, zone) {
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

fn one(blog: Blog, entry: &CommentEntry, zone: &jiff::tz::TimeZone) -> anyhow::Result<bool> {
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
    let status: CommentStatus = entry.status.parse()?;
    let comment = ImportedComment {
        post: slug,
        author: email,
        author_name: entry.author_name.clone(),
        // Bodies of an export were checked when they were typed; a stricter rule
        // since then must not drop an old comment.
        body: CommentBody::from_storage(entry.body.clone()),
        status,
        created_at,
        parent: None,
        origin: None,
    };
    Ok(actions::comments::import(blog, &Actor::Importer, &comment)?.is_some())
}
