//! Webmentions: one received and queued for its check, the worker's record of each
//! check and send, their moderation, and the sends a publish or an update queues.

use super::{audit, forbidden, ActionError, Blog};
use crate::auth::Actor;
use crate::content::{Post, PostId};
use crate::db::webmentions::{self as table, Status, Summary};
use crate::db::{self, audit::Action};
use crate::urls;
use crate::webmentions::Webmentions;

/// A mention the endpoint accepted: its source is fetched later (`worker`). A second
/// one of the same source and target checks the first again.
pub fn receive(
    blog: Blog,
    actor: &Actor,
    post: PostId,
    source: &str,
    target: &str,
) -> Result<i64, ActionError> {
    let Some(webmentions) = blog.webmentions else {
        return Err(forbidden(actor));
    };
    let id = blog
        .db
        .write_now(|tx| table::receive(tx, post, source, target, db::now_ms()))?;
    webmentions.wake();
    Ok(id)
}

/// What one check of a mention's source found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// It links to the target and says this of itself.
    Links(Summary),
    /// Refused for good, for this reason (no link, gone, not an answer worth reading).
    Refused(String),
    /// It could not be read now; try again at this time (ms).
    Retry { at: i64, error: String },
}

/// The worker's record of a check. A mention that still links keeps its approval;
/// one that no longer links (or is gone) is refused, and so no longer shown.
pub fn record_check(blog: Blog, id: i64, check: &Check) -> Result<(), ActionError> {
    let now = db::now_ms();
    blog.db.write_now(|tx| {
        let Some(mention) = table::by_id(tx, id)? else {
            return Ok(());
        };
        match check {
            Check::Links(summary) => {
                let status = match mention.status {
                    Status::Approved => Status::Approved,
                    _ => Status::Pending,
                };
                table::verified(tx, id, status, summary, now)
            }
            Check::Refused(reason) => table::refused(tx, id, reason, now),
            Check::Retry { at, error } => table::retry_at(tx, id, *at, error),
        }
    })?;
    Ok(())
}

/// What a moderator does to a mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    Approve,
    Delete,
}

/// Approves or deletes a mention, for the post's author and the admins; returns the
/// post it is on.
pub fn moderate(
    blog: Blog,
    actor: &Actor,
    id: i64,
    moderation: Moderation,
) -> Result<Post, ActionError> {
    blog.db.write_now(|tx| {
        let not_found = || ActionError::NotFound(format!("there is no webmention {id}"));
        let Some(mention) = table::by_id(tx, id)? else {
            return Ok(Err(not_found()));
        };
        let Some(post) = db::posts::by_id(tx, mention.post_id)? else {
            return Ok(Err(not_found()));
        };
        if !actor.may_edit(&post) {
            return Ok(Err(forbidden(actor)));
        }
        let logged = match moderation {
            Moderation::Approve => {
                table::approve(tx, id)?;
                Action::WebmentionApprove
            }
            Moderation::Delete => {
                table::delete(tx, id)?;
                Action::WebmentionDelete
            }
        };
        audit(tx, actor, logged, post.title.clone(), mention.source)?;
        Ok(Ok(post))
    })?
}

/// Queues a webmention to every external page `post`'s `body` links to, and, after an
/// update, to those its body `before` linked to (so a page it no longer links to hears
/// of it too, §3.1.3). Runs in the transaction that publishes or updates the post;
/// nothing when federation is off or the post is a page.
pub(super) fn queue_sends(
    tx: &rusqlite::Connection,
    webmentions: Option<&Webmentions>,
    post: &Post,
    body: &str,
    before: Option<&str>,
) -> rusqlite::Result<()> {
    let Some(webmentions) = webmentions else {
        return Ok(());
    };
    if post.is_page() {
        return Ok(());
    }
    let source = webmentions.url(&urls::post(&post.slug));
    let mut targets = webmentions.external_links(body);
    if let Some(before) = before {
        for old in webmentions.external_links(before) {
            if !targets.contains(&old) {
                targets.push(old);
            }
        }
    }
    let now = db::now_ms();
    for target in &targets {
        table::enqueue_send(tx, &source, target, now)?;
    }
    if !targets.is_empty() {
        webmentions.wake();
    }
    Ok(())
}

/// What became of one try to send a webmention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// The target's endpoint took it.
    Sent { endpoint: String },
    /// The target has no endpoint: nothing to send.
    NoEndpoint,
    /// Given up, for this reason.
    Failed(String),
    /// Try again at this time (ms), after this error.
    Retry { at: i64, error: String },
}

pub fn record_send(blog: Blog, id: i64, sent: &Sent) -> Result<(), ActionError> {
    let now = db::now_ms();
    blog.db.write_now(|tx| match sent {
        Sent::Sent { endpoint } => table::finish_send(tx, id, "sent", Some(endpoint), None, now),
        Sent::NoEndpoint => table::finish_send(tx, id, "no_endpoint", None, None, now),
        Sent::Failed(error) => table::finish_send(tx, id, "failed", None, Some(error), now),
        Sent::Retry { at, error } => table::retry_send_at(tx, id, *at, error),
    })?;
    Ok(())
}

/// How long refused mentions and finished sends stay, for the admins to see why.
const KEPT_FOR_MS: i64 = 30 * 24 * 3600 * 1000;

/// Forgets refused mentions and finished sends older than a month; returns how many.
pub fn prune(blog: Blog) -> Result<usize, ActionError> {
    let before = db::now_ms() - KEPT_FOR_MS;
    Ok(blog
        .db
        .write_now(|tx| Ok(table::prune_refused(tx, before)? + table::prune_sends(tx, before)?))?)
}
