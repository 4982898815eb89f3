//! Webmentions on the web: the endpoint other sites send them to, the mentions under
//! a post, and their moderation. Everything 404s unless `[federation] enabled`.
//!
//! The endpoint answers at once with what it can tell without a request (both are
//! http(s) URLs, not the same, and the target is a published post of ours, by its
//! address or an old one that `redirects` maps to it) and queues the rest: the worker
//! fetches the source to see that it links here (`webmentions::worker`). Its answers
//! are one line of plain text, for the program that sent the mention.

use http::{header, HeaderValue, StatusCode};
use url::Url;

use super::request::Ctx;
use super::router::Route;
use super::WebError;
use crate::actions;
use crate::actions::webmentions::Moderation;
use crate::auth::Actor;
use crate::content::redirect::OldPath;
use crate::content::{Post, PostId};
use crate::db;
use crate::serving::response::{self, Response};
use crate::urls;
use crate::views;
use crate::views::webmentions::Mentions;

/// Longest `source` or `target` taken, in bytes.
const MAX_URL_BYTES: usize = 2048;

/// `POST /webmention`: 202 when queued, 400 with the reason when the request cannot
/// be a mention of ours (nothing is stored), 429 past the address's share.
pub async fn receive(ctx: &Ctx) -> Result<Response, WebError> {
    let Some(webmentions) = &ctx.app.webmentions else {
        return Err(WebError::NotFound);
    };
    if !ctx.app.rates.webmention(ctx.client) {
        return Ok(response::text(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many webmentions from this address: try again in an hour.\n",
        ));
    }
    let (source, target) = match checked(ctx.form.get("source"), ctx.form.get("target")) {
        Ok(pair) => pair,
        Err(why) => return Ok(response::text(StatusCode::BAD_REQUEST, why)),
    };
    if !webmentions.is_ours(&target) {
        return Ok(response::text(
            StatusCode::BAD_REQUEST,
            "The target is not on this blog.\n",
        ));
    }
    let Some(post) = post_at(ctx, &target).await? else {
        return Ok(response::text(
            StatusCode::BAD_REQUEST,
            "The target is not a published post of this blog.\n",
        ));
    };
    let actor = Actor::Remote(ctx.client.to_string());
    // Kept as parsed (no fragment, one spelling), so `…/post#comments` and `…/post`
    // from the same source are one mention.
    let (source, target) = (source.to_string(), target.to_string());
    ctx.app
        .act(move |blog| actions::webmentions::receive(blog, &actor, post, &source, &target))
        .await?;
    Ok(response::text(
        StatusCode::ACCEPTED,
        "Accepted: the source will be fetched to check that it links to the target.\n",
    ))
}

/// Both fields as http(s) URLs, different from each other; or the line that says
/// what is wrong.
fn checked(source: &str, target: &str) -> Result<(Url, Url), &'static str> {
    let (source, target) = (source.trim(), target.trim());
    if source.is_empty() {
        return Err("The source is missing: send the form fields source and target.\n");
    }
    if target.is_empty() {
        return Err("The target is missing: send the form fields source and target.\n");
    }
    if source.len() > MAX_URL_BYTES || target.len() > MAX_URL_BYTES {
        return Err("The source or target is longer than 2048 bytes.\n");
    }
    let Some(source) = crate::webmentions::absolute(source, None) else {
        return Err("The source is not an http or https URL.\n");
    };
    let Some(target) = crate::webmentions::absolute(target, None) else {
        return Err("The target is not an http or https URL.\n");
    };
    if source == target {
        return Err("The source and the target are the same URL.\n");
    }
    Ok((source, target))
}

/// The published post at `target` (one of our URLs): by its path, or by an old
/// address that `redirects` sends to one.
async fn post_at(ctx: &Ctx, target: &Url) -> Result<Option<PostId>, WebError> {
    let path = target.path().to_string();
    let query = target.query().map(str::to_string);
    let found = ctx
        .app
        .db
        .read(move |conn| {
            let slug = match Route::parse(&http::Method::GET, &path) {
                Some(Route::Post(slug)) => Some(slug),
                _ => {
                    let keys = OldPath::candidates(&path, query.as_deref(), true);
                    let moved = match keys.is_empty() {
                        true => None,
                        false => db::redirects::lookup(conn, &keys)?,
                    };
                    moved.and_then(|to| {
                        let to = to.as_str().to_string();
                        match Route::parse(&http::Method::GET, to.split('?').next()?) {
                            Some(Route::Post(slug)) => Some(slug),
                            _ => None,
                        }
                    })
                }
            };
            let Some(slug) = slug else {
                return Ok(None);
            };
            Ok(db::posts::by_slug(conn, &slug)?
                .filter(|post| post.is_published() && !post.is_page())
                .map(|post| post.id))
        })
        .await?;
    Ok(found)
}

/// The mentions section of a published post, with `Link` header of the endpoint;
/// `None` when federation is off or the post is a draft.
pub async fn section(ctx: &Ctx, post: &Post) -> Result<Option<Mentions>, WebError> {
    let Some(webmentions) = &ctx.app.webmentions else {
        return Ok(None);
    };
    if !post.is_published() {
        return Ok(None);
    }
    let can_moderate = super::thread::can_moderate(ctx, post);
    let id = post.id;
    let mentions = ctx
        .app
        .db
        .read(move |conn| db::webmentions::for_post(conn, id, can_moderate))
        .await?;
    Ok(Some(Mentions {
        endpoint: webmentions.url(&urls::webmention_endpoint()),
        mentions,
        can_moderate,
    }))
}

/// Tells senders where the endpoint is (`Link: <…>; rel="webmention"`).
pub fn advertise(mut response: Response, mentions: Option<&Mentions>) -> Response {
    if let Some(value) = mentions
        .and_then(|m| HeaderValue::from_str(&format!("<{}>; rel=\"webmention\"", m.endpoint)).ok())
    {
        response.headers_mut().append(header::LINK, value);
    }
    response
}

/// Approves or deletes a mention: 404 when there is none (or federation is off), 403
/// for anyone but the post's author and the admins. Back to the post's mentions, or
/// to the admin page whose button this was.
pub async fn moderate(ctx: &Ctx, id: i64, moderation: Moderation) -> Result<Response, WebError> {
    let post = moderated_post(ctx, id).await?;
    let actor = ctx.actor()?;
    ctx.app
        .act(move |blog| actions::webmentions::moderate(blog, &actor, id, moderation))
        .await?;
    let back = urls::post_mentions_section(&post.slug);
    Ok(response::redirect(&ctx.next_or(back)))
}

/// The page that asks before a mention goes; its form POSTs to the same address.
pub async fn delete_confirm(ctx: &Ctx, id: i64) -> Result<Response, WebError> {
    let post = moderated_post(ctx, id).await?;
    let mention = ctx
        .app
        .db
        .read(move |conn| db::webmentions::by_id(conn, id))
        .await?
        .ok_or(WebError::NotFound)?;
    let page = views::webmentions::delete_confirm(&ctx.page(), &post, &mention, ctx.next_asked());
    Ok(response::html(StatusCode::OK, page))
}

/// The post a mention is on, when this user may moderate it.
async fn moderated_post(ctx: &Ctx, id: i64) -> Result<Post, WebError> {
    if ctx.app.webmentions.is_none() {
        return Err(WebError::NotFound);
    }
    let post = ctx
        .app
        .db
        .read(move |conn| {
            let Some(mention) = db::webmentions::by_id(conn, id)? else {
                return Ok(None);
            };
            db::posts::by_id(conn, mention.post_id)
        })
        .await?
        .ok_or(WebError::NotFound)?;
    super::thread::moderated(ctx, post)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_that_cannot_be_a_mention_says_why() {
        let ok = checked("https://a.example/x", "https://b.example/posts/y");
        assert!(ok.is_ok());
        for (source, target) in [
            ("", "https://b.example/posts/y"),
            ("https://a.example/x", ""),
            ("ftp://a.example/x", "https://b.example/posts/y"),
            ("https://a.example/x", "/posts/y"),
            ("https://b.example/posts/y#a", "https://b.example/posts/y"),
        ] {
            assert!(checked(source, target).is_err(), "{source} {target}");
        }
    }
}
