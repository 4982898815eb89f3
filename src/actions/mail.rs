//! The mail that changes cause, queued in their transactions (see `mail`), and the
//! worker's record of what became of each mail.

use super::{ActionError, Blog};
use crate::content::{CommentId, CommentStatus, Kind, Post, UserId};
use crate::db::{self, outbox};
use crate::mail::letters::{CommentNotice, PostLetter};
use crate::mail::{self, Letters};
use crate::urls;

/// Mails a newly published post to every confirmed subscriber of the blog or of its
/// author, once in the post's life: publishing it again after a return to draft sends
/// nothing. Pages are not mailed.
pub(super) fn new_post(
    tx: &rusqlite::Connection,
    letters: Option<&Letters>,
    post: &Post,
) -> rusqlite::Result<()> {
    let Some(letters) = letters else {
        return Ok(());
    };
    if post.kind != Kind::Post || !db::subscribers::mark_post_mailed(tx, post.id, db::now_ms())? {
        return Ok(());
    }
    let letter = PostLetter {
        title: post.title.clone(),
        author: post.author_name.clone(),
        url: letters.url(&urls::post(&post.slug)),
        body: post.body.clone(),
        excerpt: post.excerpt.clone(),
    };
    let letters = &letters.titled(tx)?;
    let subscribers = db::subscribers::confirmed_for(tx, post.author_id)?;
    for subscriber in &subscribers {
        mail::queue(tx, letters, &letters.post(subscriber, &letter))?;
    }
    Ok(())
}

/// A new comment, as its notice needs it.
pub(super) struct NewComment<'a> {
    pub id: CommentId,
    pub by: Option<UserId>,
    pub name: &'a str,
    pub body: &'a str,
    pub status: CommentStatus,
}

/// Tells the post's author of a new comment (or one waiting for their approval),
/// unless they wrote it, turned these mails off, or are deactivated.
pub(super) fn comment_notice(
    tx: &rusqlite::Connection,
    letters: Option<&Letters>,
    post: &Post,
    comment: &NewComment,
) -> rusqlite::Result<()> {
    let Some(letters) = letters else {
        return Ok(());
    };
    let waiting = match comment.status {
        CommentStatus::Approved => false,
        CommentStatus::Pending => true,
        CommentStatus::Hidden => return Ok(()),
    };
    if comment.by == Some(post.author_id) || !db::users::notifies_comments(tx, post.author_id)? {
        return Ok(());
    }
    let Some(author) = db::users::by_id(tx, post.author_id)?.filter(|a| a.is_active) else {
        return Ok(());
    };
    let path = match waiting {
        true => urls::post_comments_section(&post.slug, urls::Notice::None),
        false => urls::comment_anchor(&post.slug, comment.id),
    };
    let letters = &letters.titled(tx)?;
    let notice = CommentNotice {
        author: post.author_id,
        post_title: post.title.clone(),
        commenter: comment.name.to_string(),
        body: comment.body.to_string(),
        waiting,
        url: letters.url(&path),
    };
    mail::queue(
        tx,
        letters,
        &letters.comment(author.email.as_str(), &notice),
    )
}

/// What became of one try to send a queued mail.
#[derive(Debug)]
pub enum Outcome {
    Sent,
    /// Try again at this time (ms), after this error.
    Retry {
        at: i64,
        error: String,
    },
    /// Given up, for this reason.
    Failed(String),
}

/// How long sent and failed mails stay listed (`blog mail status`, the throttles).
const KEPT_FOR_MS: i64 = 30 * 24 * 3600 * 1000;

/// Forgets sent and failed mails older than a month; returns how many.
pub fn prune(blog: Blog) -> Result<usize, ActionError> {
    let before = db::now_ms() - KEPT_FOR_MS;
    Ok(blog.db.write_now(|tx| outbox::prune_finished(tx, before))?)
}

/// The worker's record of a try; the mail's row says what happened.
pub fn record(blog: Blog, id: i64, outcome: &Outcome) -> Result<(), ActionError> {
    let now = db::now_ms();
    blog.db.write_now(|tx| match outcome {
        Outcome::Sent => outbox::mark_sent(tx, id, now),
        Outcome::Retry { at, error } => outbox::retry_at(tx, id, *at, error),
        Outcome::Failed(error) => outbox::mark_failed(tx, id, now, error),
    })?;
    Ok(())
}
