//! The comments section under a post, as this visitor sees it: read for the post's
//! page (`web::posts::show`), and its composer rules shared with `web::comments`.

use super::request::Ctx;
use super::WebError;
use crate::actions::comments::Comments;
use crate::auth::permissions;
use crate::content::Post;
use crate::db::{self, comments::Audience};
use crate::views::comments::{Composer, Thread};
use crate::views::PageCtx;

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
        composer: composer(
            ctx,
            if closed {
                Comments::Closed
            } else {
                Comments::Open
            },
        ),
        held: ctx.query("comment") == Some("held"),
    }))
}

/// The page context for a post page with this thread: a visitor shown the comment
/// form gets a page of their own, never cached, with the cookie its token needs.
pub fn page_ctx(ctx: &Ctx, thread: Option<&Thread>) -> PageCtx {
    match thread {
        Some(thread) if thread.composer == Composer::Visitor => ctx.form_page(),
        _ => ctx.page(),
    }
}

pub fn composer(ctx: &Ctx, state: Comments) -> Composer {
    if state == Comments::Closed {
        Composer::Closed
    } else if ctx.user.is_some() {
        Composer::Member
    } else if ctx.app.config.comments.anonymous {
        Composer::Visitor
    } else {
        Composer::LogIn
    }
}

/// The post, when this user may moderate what is under it (comments, mentions): 404
/// when they cannot see it (a draft not theirs), 403 for anyone but its author and
/// the admins.
pub fn moderated(ctx: &Ctx, post: Post) -> Result<Post, WebError> {
    let user = ctx.user.as_ref().ok_or(WebError::Forbidden)?;
    if !permissions::can_see(Some(user), &post) {
        return Err(WebError::NotFound);
    }
    if !permissions::can_moderate(user, &post) {
        return Err(WebError::Forbidden);
    }
    Ok(post)
}

pub fn can_moderate(ctx: &Ctx, post: &Post) -> bool {
    ctx.user
        .as_ref()
        .is_some_and(|user| permissions::can_moderate(user, post))
}
