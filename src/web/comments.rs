//! Comment handlers: the section under a post, posting a comment, moderating one,
//! closing a post's comments. Members comment; visitors only when
//! `[comments] anonymous = true`. With `moderation = true` a comment waits for
//! approval, unless it comes from someone who could approve it (the post's author,
//! an admin). `enabled = false` makes every comment route 404.

use http::StatusCode;

use super::request::Ctx;
use super::thread::{can_moderate, composer, moderated};
use super::WebError;
use crate::actions::comments::{Comments, Moderation, Typed};
use crate::actions::{self, ActionError};
use crate::auth::{permissions, Actor};
use crate::content::problems::FORM;
use crate::content::{CommentBody, CommentId, CommentStatus, CommenterName, Post, Problems, Slug};
use crate::db;
use crate::serving::response::{self, Response};
use crate::urls::{self, Notice};
use crate::views;
use crate::views::comments::{CommentForm, Composer, WayOn};

/// A new comment: 303 to it (or to the notice that it waits for approval); 403 with
/// the reason when this visitor may not comment here; 422 or 429 with the form kept.
pub async fn create(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = commentable_post(ctx, slug).await?;
    if ctx.user.is_none() && !ctx.app.config.comments.anonymous {
        return Ok(refused(ctx, &post, "comments.members_only", WayOn::LogIn));
    }
    let id = post.id;
    if ctx
        .app
        .db
        .read(move |conn| db::comments::closed(conn, id))
        .await?
    {
        return Ok(refused(ctx, &post, "comments.closed", WayOn::BackToPost));
    }
    let composer = composer(ctx, Comments::Open);
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
    let actor = match &ctx.user {
        Some(user) => Actor::User(user.clone()),
        None => Actor::Visitor,
    };
    let typed = Typed {
        body,
        name,
        status,
        client: ctx.client.to_string(),
    };
    let comment = match ctx
        .app
        .act(move |blog| actions::comments::create(blog, &actor, id, &typed))
        .await
    {
        Ok(comment) => comment,
        Err(ActionError::Throttled) => {
            let problems = Problems::of(FORM, "comments.throttled");
            return Ok(refuse(StatusCode::TOO_MANY_REQUESTS, &problems));
        }
        Err(err) => return Err(err.into()),
    };
    Ok(response::redirect(&match status {
        CommentStatus::Approved => urls::comment_anchor(&post.slug, comment),
        _ => urls::post_comments_section(&post.slug, Notice::Held),
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

/// Approves, hides or deletes a comment: 404 when there is no such comment (or its
/// post is a draft this user cannot see), 403 for anyone but the post's author and
/// the admins. Back to the comment, or to the admin page whose button this was.
pub async fn moderate(
    ctx: &Ctx,
    id: CommentId,
    moderation: Moderation,
) -> Result<Response, WebError> {
    let post = moderated_post(ctx, id).await?;
    let actor = ctx.actor()?;
    ctx.app
        .act(move |blog| actions::comments::moderate(blog, &actor, id, moderation))
        .await?;
    let back = match moderation {
        Moderation::Delete => urls::post_comments_section(&post.slug, Notice::None),
        _ => urls::comment_anchor(&post.slug, id),
    };
    Ok(response::redirect(&ctx.next_or(back)))
}

/// The page that asks before a comment goes; its form POSTs to the same route as
/// the button did before, carrying the `next` it was opened with.
pub async fn delete_confirm(ctx: &Ctx, id: CommentId) -> Result<Response, WebError> {
    let post = moderated_post(ctx, id).await?;
    let comment = ctx
        .app
        .db
        .read(move |conn| db::comments::by_id(conn, id))
        .await?
        .ok_or(WebError::NotFound)?;
    let page = views::comments::delete_confirm(&ctx.page(), &post, &comment, ctx.next_asked());
    Ok(response::html(StatusCode::OK, page))
}

/// The post a comment is on, when this user may moderate it: 404 when there is no
/// such comment (or its post is a draft this user cannot see), 403 for anyone but
/// the post's author and the admins.
async fn moderated_post(ctx: &Ctx, id: CommentId) -> Result<Post, WebError> {
    if !ctx.app.config.comments.enabled {
        return Err(WebError::NotFound);
    }
    let post = ctx
        .app
        .db
        .read(move |conn| db::comments::post_of(conn, id))
        .await?
        .ok_or(WebError::NotFound)?;
    moderated(ctx, post)
}

/// Closes a post's comments or opens them again; for its author and the admins.
pub async fn set_state(ctx: &Ctx, slug: Slug, state: Comments) -> Result<Response, WebError> {
    let post = moderated_thread(ctx, slug).await?;
    let actor = ctx.actor()?;
    let slug = post.slug.clone();
    ctx.app
        .act(move |blog| actions::comments::set_state(blog, &actor, &slug, state))
        .await?;
    Ok(response::redirect(&urls::post_comments_section(
        &post.slug,
        Notice::None,
    )))
}

/// The page that asks before a post's comments close; only its POST closes them.
pub async fn close_confirm(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = moderated_thread(ctx, slug).await?;
    let page = views::comments::close_confirm(&ctx.page(), &post);
    Ok(response::html(StatusCode::OK, page))
}

/// A published post whose comments this user may close and open: 404 as
/// `commentable_post`, 403 for anyone but its author and the admins.
async fn moderated_thread(ctx: &Ctx, slug: Slug) -> Result<Post, WebError> {
    let post = commentable_post(ctx, slug).await?;
    let user = ctx.user.as_ref().ok_or(WebError::Forbidden)?;
    if !permissions::can_moderate(user, &post) {
        return Err(WebError::Forbidden);
    }
    Ok(post)
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
        .filter(|post| post.is_published() && !post.is_page())
        .ok_or(WebError::NotFound)
}

/// 403 with the reason, for a post closed to comments or a visitor where only members
/// comment; nothing was written.
fn refused(ctx: &Ctx, post: &Post, message: &'static str, way_on: WayOn) -> Response {
    let page = ctx.page();
    let message = page.t(message);
    response::html(
        StatusCode::FORBIDDEN,
        views::comments::refused(&page, post, message, way_on),
    )
}
