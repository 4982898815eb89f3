//! Comment handlers: the section under a post, posting a comment, moderating one,
//! closing a post's comments. Members comment; visitors only when
//! `[comments] anonymous = true`. With `moderation = true` a comment waits for
//! approval, unless it comes from someone who could approve it (the post's author,
//! an admin). `enabled = false` makes every comment route 404.

use http::StatusCode;

use super::request::Ctx;
use super::response::{self, Response};
use super::WebError;
use crate::auth::{permissions, throttle};
use crate::content::problems::FORM;
use crate::content::{
    CommentBody, CommentId, CommentStatus, CommenterName, Post, PostId, Problems, Slug,
};
use crate::db::audit::{Action, NewEntry};
use crate::db::{self, comments::Audience, comments::NewComment};
use crate::urls;
use crate::views::comments::{CommentForm, Composer, Thread};
use crate::views::{self, PageCtx};

/// What a moderator's button does to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Moderation {
    Approve,
    Hide,
    Delete,
}

/// The comments section of a post's page for this visitor; `None` when comments are
/// off or the post is a draft (comments are for published posts).
pub async fn thread(ctx: &Ctx, post: &Post) -> Result<Option<Thread>, WebError> {
    if !ctx.app.config.comments.enabled || !post.is_published() {
        return Ok(None);
    }
    let can_moderate = can_moderate(ctx, post);
    let audience = match &ctx.user {
        _ if can_moderate => Audience::Moderator,
        Some(user) => Audience::Member(user.id),
        None => Audience::Public,
    };
    let id = post.id;
    let (comments, closed, waiting) = ctx
        .app
        .db
        .read(move |conn| {
            let comments = db::comments::for_post(conn, id, audience)?;
            let closed = db::comments::closed(conn, id)?;
            let waiting = if can_moderate {
                db::comments::count_waiting(conn, Some(id))?
            } else {
                0
            };
            Ok((comments, closed, waiting))
        })
        .await?;
    Ok(Some(Thread {
        slug: post.slug.clone(),
        comments,
        can_moderate,
        closed,
        waiting,
        composer: composer(ctx, closed),
        held: ctx.query("comment") == Some("held"),
    }))
}

/// The page context for a post page with this thread: a visitor shown the comment
/// form gets a page of their own, never cached, with the cookie its token needs.
pub fn page(ctx: &Ctx, thread: Option<&Thread>) -> PageCtx {
    match thread {
        Some(thread) if thread.composer == Composer::Visitor => ctx.form_page(),
        _ => ctx.page(),
    }
}

fn composer(ctx: &Ctx, closed: bool) -> Composer {
    if closed {
        Composer::Closed
    } else if ctx.user.is_some() {
        Composer::Member
    } else if ctx.app.config.comments.anonymous {
        Composer::Visitor
    } else {
        Composer::LogIn
    }
}

fn can_moderate(ctx: &Ctx, post: &Post) -> bool {
    ctx.user
        .as_ref()
        .is_some_and(|user| permissions::can_moderate(user, post))
}

/// A new comment: 303 to it (or to the notice that it waits for approval); 403 with
/// the reason when this visitor may not comment here; 422 or 429 with the form kept.
pub async fn create(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = commentable_post(ctx, slug).await?;
    if ctx.user.is_none() && !ctx.app.config.comments.anonymous {
        return Ok(refused(ctx, &post, "comments.members_only", true));
    }
    let id = post.id;
    if ctx
        .app
        .db
        .read(move |conn| db::comments::closed(conn, id))
        .await?
    {
        return Ok(refused(ctx, &post, "comments.closed", false));
    }
    let composer = composer(ctx, false);
    let values = CommentForm {
        name: ctx.form.get("name"),
        body: ctx.form.get("body"),
    };
    let refuse = |status, problems: &Problems| {
        let page = views::comments::form_page(&ctx.form_page(), &post, composer, &values, problems);
        response::html(status, page)
    };
    let (body, name) = match check(&values, composer) {
        Ok(checked) => checked,
        Err(problems) => return Ok(refuse(StatusCode::UNPROCESSABLE_ENTITY, &problems)),
    };
    let status = if ctx.app.config.comments.moderation && !can_moderate(ctx, &post) {
        CommentStatus::Pending
    } else {
        CommentStatus::Approved
    };
    let Some(comment) = save(ctx, id, body, name, status).await? else {
        let problems = Problems::of(FORM, "comments.throttled");
        return Ok(refuse(StatusCode::TOO_MANY_REQUESTS, &problems));
    };
    Ok(response::redirect(&match status {
        CommentStatus::Approved => urls::comment_anchor(&post.slug, comment),
        _ => urls::post_comments_section(&post.slug, true),
    }))
}

/// The body, and the name a visitor signs with ("" for a member, who signs with their
/// account); or what is wrong with them.
fn check(values: &CommentForm, composer: Composer) -> Result<(CommentBody, String), Problems> {
    let mut problems = Problems::new();
    let body = values
        .body
        .parse::<CommentBody>()
        .map_err(|err| problems.add("body", err.message()))
        .ok();
    let name = match composer {
        Composer::Visitor => values
            .name
            .parse::<CommenterName>()
            .map(|name| name.to_string())
            .map_err(|err| problems.add("name", err.message()))
            .ok(),
        _ => Some(String::new()),
    };
    match (body, name) {
        (Some(body), Some(name)) => Ok((body, name)),
        _ => Err(problems),
    }
}

/// Writes the comment, unless this client address has sent its share for now (`None`).
/// Counted and written in one transaction, so parallel posts cannot slip past.
async fn save(
    ctx: &Ctx,
    post_id: PostId,
    body: CommentBody,
    name: String,
    status: CommentStatus,
) -> Result<Option<CommentId>, WebError> {
    let author_id = ctx.user.as_ref().map(|user| user.id);
    let client = ctx.client.to_string();
    let now = db::now_ms();
    let written = ctx
        .app
        .db
        .write(move |tx| {
            if throttle::comments_throttled(tx, &client, now)? {
                return Ok(None);
            }
            let comment = NewComment {
                post_id,
                author_id,
                author_name: &name,
                body: &body,
                status,
                client: &client,
            };
            db::comments::insert(tx, &comment, now).map(Some)
        })
        .await?;
    Ok(written)
}

pub async fn approve(ctx: &Ctx, id: CommentId) -> Result<Response, WebError> {
    moderate(ctx, id, Moderation::Approve).await
}

pub async fn hide(ctx: &Ctx, id: CommentId) -> Result<Response, WebError> {
    moderate(ctx, id, Moderation::Hide).await
}

pub async fn delete(ctx: &Ctx, id: CommentId) -> Result<Response, WebError> {
    moderate(ctx, id, Moderation::Delete).await
}

/// Approves, hides or deletes a comment: 404 when there is no such comment (or its
/// post is a draft this user cannot see), 403 for anyone but the post's author and
/// the admins.
async fn moderate(ctx: &Ctx, id: CommentId, action: Moderation) -> Result<Response, WebError> {
    if !ctx.app.config.comments.enabled {
        return Err(WebError::NotFound);
    }
    let post = ctx
        .app
        .db
        .read(move |conn| db::comments::post_of(conn, id))
        .await?
        .ok_or(WebError::NotFound)?;
    let user = ctx.user.as_ref().ok_or(WebError::Forbidden)?;
    if !permissions::can_see(Some(user), &post) {
        return Err(WebError::NotFound);
    }
    if !permissions::can_moderate(user, &post) {
        return Err(WebError::Forbidden);
    }
    apply(ctx, id, &post, action).await?;
    Ok(response::redirect(&match action {
        Moderation::Delete => urls::post_comments_section(&post.slug, false),
        _ => urls::comment_anchor(&post.slug, id),
    }))
}

/// `moderate` once the caller has checked that this user may moderate the post's
/// comments; the admin dashboard comes here too. Every decision is in the audit log.
pub(super) async fn apply(
    ctx: &Ctx,
    id: CommentId,
    post: &Post,
    action: Moderation,
) -> Result<(), WebError> {
    let user = ctx.user.as_ref().ok_or(WebError::Forbidden)?;
    let logged = match action {
        Moderation::Approve => Action::CommentApprove,
        Moderation::Hide => Action::CommentHide,
        Moderation::Delete => Action::CommentDelete,
    };
    let entry = NewEntry::by(user, logged, post.title.clone()).detail(format!("#{id}"));
    ctx.app
        .db
        .write(move |tx| {
            match action {
                Moderation::Approve => db::comments::set_status(tx, id, CommentStatus::Approved)?,
                Moderation::Hide => db::comments::set_status(tx, id, CommentStatus::Hidden)?,
                Moderation::Delete => db::comments::delete(tx, id)?,
            }
            db::audit::record(tx, &entry, db::now_ms())
        })
        .await?;
    Ok(())
}

/// Closes (`true`) or opens again a post's comments; for its author and the admins.
pub async fn close(ctx: &Ctx, slug: Slug, closed: bool) -> Result<Response, WebError> {
    let post = commentable_post(ctx, slug).await?;
    let user = ctx.user.as_ref().ok_or(WebError::Forbidden)?;
    if !permissions::can_moderate(user, &post) {
        return Err(WebError::Forbidden);
    }
    let id = post.id;
    ctx.app
        .db
        .write(move |tx| db::comments::set_closed(tx, id, closed))
        .await?;
    Ok(response::redirect(&urls::post_comments_section(
        &post.slug, false,
    )))
}

/// A published post, when comments are on: anything else has no comments to take.
async fn commentable_post(ctx: &Ctx, slug: Slug) -> Result<Post, WebError> {
    if !ctx.app.config.comments.enabled {
        return Err(WebError::NotFound);
    }
    ctx.app
        .db
        .read(move |conn| db::posts::by_slug(conn, &slug))
        .await?
        .filter(Post::is_published)
        .ok_or(WebError::NotFound)
}

/// 403 with the reason, for a post closed to comments or a visitor where only members
/// comment; nothing was written.
fn refused(ctx: &Ctx, post: &Post, message: &'static str, offer_login: bool) -> Response {
    let page = ctx.page();
    let message = page.t(message);
    response::html(
        StatusCode::FORBIDDEN,
        views::comments::refused(&page, post, message, offer_login),
    )
}
