//! Comments: writing one, moderating, closing a post's comments, and bringing in those
//! of an export. Moderation is for those who may change the post (its author and the
//! admins) and is in the audit log.

use super::{audit, editable, forbidden, mail, no_post, ActionError, Blog};
use crate::auth::{throttle, Actor};
use crate::content::{CommentBody, CommentId, CommentStatus, Email, Post, PostId, Slug};
use crate::db::{self, audit::Action, comments::NewComment};

/// What a moderator's button does to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    Approve,
    Hide,
    Delete,
}

/// Whether a post takes new comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comments {
    Open,
    Closed,
}

/// A comment as typed: `name` is what a visitor signs with ("" for a member, who signs
/// with their account).
#[derive(Debug, Clone)]
pub struct Typed {
    pub body: CommentBody,
    pub name: String,
    pub status: CommentStatus,
    /// The client address: how many comments one address may send is limited.
    pub client: String,
}

/// Writes the comment, unless this client address has sent its share for now
/// (`Throttled`). Counted and written in one transaction, so parallel posts cannot
/// slip past.
pub fn create(
    blog: Blog,
    actor: &Actor,
    post: PostId,
    comment: &Typed,
) -> Result<CommentId, ActionError> {
    let now = db::now_ms();
    blog.db.write_now(|tx| {
        if throttle::comments_throttled(tx, &comment.client, now)? {
            return Ok(Err(ActionError::Throttled));
        }
        let new = NewComment {
            post_id: post,
            author_id: actor.user_id(),
            author_name: &comment.name,
            body: &comment.body,
            status: comment.status,
            client: &comment.client,
        };
        let id = db::comments::insert(tx, &new, now)?;
        let Some(post) = db::posts::by_id(tx, post)? else {
            return Ok(Ok(id));
        };
        let signed = actor
            .user()
            .map_or_else(|| comment.name.clone(), |user| user.name().to_string());
        let notice = mail::NewComment {
            id,
            by: actor.user_id(),
            name: &signed,
            body: comment.body.as_str(),
            status: comment.status,
        };
        mail::comment_notice(tx, blog.letters, &post, &notice)?;
        Ok(Ok(id))
    })?
}

/// Approves, hides or deletes a comment; returns the post it is on.
pub fn moderate(
    blog: Blog,
    actor: &Actor,
    id: CommentId,
    moderation: Moderation,
) -> Result<Post, ActionError> {
    blog.db.write_now(|tx| {
        let Some(post) = db::comments::post_of(tx, id)? else {
            return Ok(Err(ActionError::NotFound(format!(
                "there is no comment {id}"
            ))));
        };
        if !actor.may_edit(&post) {
            return Ok(Err(forbidden(actor)));
        }
        let logged = match moderation {
            Moderation::Approve => {
                db::comments::set_status(tx, id, CommentStatus::Approved)?;
                Action::CommentApprove
            }
            Moderation::Hide => {
                db::comments::set_status(tx, id, CommentStatus::Hidden)?;
                Action::CommentHide
            }
            Moderation::Delete => {
                db::comments::delete(tx, id)?;
                Action::CommentDelete
            }
        };
        audit(tx, actor, logged, post.title.clone(), format!("#{id}"))?;
        Ok(Ok(post))
    })?
}

/// Closes a post's comments, or opens them again.
pub fn set_state(
    blog: Blog,
    actor: &Actor,
    slug: &Slug,
    state: Comments,
) -> Result<Post, ActionError> {
    blog.db.write_now(|tx| {
        let post = match editable(tx, actor, slug)? {
            Ok(post) => post,
            Err(refused) => return Ok(Err(refused)),
        };
        db::comments::set_closed(tx, post.id, state == Comments::Closed)?;
        Ok(Ok(post))
    })?
}

/// A comment from an export, put back on the post of the same slug.
#[derive(Debug, Clone)]
pub struct ImportedComment {
    pub post: Slug,
    /// The member who wrote it; `None` for a visitor, who signed with `author_name`.
    pub author: Option<Email>,
    pub author_name: String,
    pub body: CommentBody,
    pub status: CommentStatus,
    pub created_at: i64,
    /// The comment it answers (imported before it).
    pub parent: Option<CommentId>,
    /// Where it came from, when the source has ids (WordPress).
    pub origin: Option<super::Origin>,
}

/// Recorded as an imported comment's client address, which throttling reads: none of
/// the visitors' real ones travel in an export.
const IMPORTED_CLIENT: &str = "import";

/// Saves an imported comment; `None` when it is already there (its origin imported
/// before, or the same post, time and text), so a second run adds none.
pub fn import(
    blog: Blog,
    actor: &Actor,
    comment: &ImportedComment,
) -> Result<Option<CommentId>, ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    blog.db.write_now(|tx| {
        let Some(post) = db::posts::by_slug(tx, &comment.post)? else {
            return Ok(Err(no_post(&comment.post)));
        };
        let author = match &comment.author {
            Some(email) => match db::users::by_email(tx, email)? {
                Some(user) => Some(user.id),
                None => {
                    return Ok(Err(ActionError::NotFound(format!(
                        "no account has the email {email}"
                    ))))
                }
            },
            None => None,
        };
        if let Some(origin) = &comment.origin {
            if origin.find(tx, super::Origin::COMMENT)?.is_some() {
                return Ok(Ok(None));
            }
        }
        if db::comments::exists(tx, post.id, comment.created_at, &comment.body)? {
            return Ok(Ok(None));
        }
        let new = NewComment {
            post_id: post.id,
            author_id: author,
            author_name: &comment.author_name,
            body: &comment.body,
            status: comment.status,
            client: IMPORTED_CLIENT,
        };
        let id = db::comments::insert(tx, &new, comment.created_at)?;
        if let Some(parent) = comment.parent {
            db::comments::set_parent(tx, id, parent)?;
        }
        if let Some(origin) = &comment.origin {
            origin.remember(tx, super::Origin::COMMENT, id.0)?;
        }
        Ok(Ok(Some(id)))
    })?
}
