//! Writing without fear: the editor's background save (JSON), a post's revisions with
//! their word diff and restore, and secret preview links to a draft.

use http::StatusCode;

use super::posts::{checked, editable_post, editor, submitted};
use super::request::Ctx;
use super::WebError;
use crate::actions::posts::{Edit, Featured};
use crate::actions::{self, ActionError};
use crate::auth::Token;
use crate::content::excerpt::text_of;
use crate::content::{diff, Post, SanitizedHtml, Slug};
use crate::db::{self, revisions::Revision};
use crate::serving::response::{self, json, Response};
use crate::urls;
use crate::views::{self, revisions::Compared, revisions::Row};

/// `POST /posts/{slug}/autosave`: saves a draft in the background, answering JSON:
/// `{"revision": N, "saved_at": "12:03"}`; 409 with the post as saved elsewhere when
/// this tab started from an older save; 422 with the message for a bad field. A
/// published post changes only when its author presses Save.
pub async fn autosave(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    if post.is_published() {
        return Ok(response::json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.text().get("posts.published_not_autosaved"),
        ));
    }
    let values = submitted(ctx);
    let edit = match checked(ctx, &values, Some(&post)).await? {
        // The background save sends the text only: the featured image stays.
        Ok(edit) => Edit {
            featured: Featured::Unchanged,
            ..edit
        },
        Err(problems) => {
            let text = ctx.text();
            let message = problems
                .all()
                .next()
                .map(|m| text.format_message(m))
                .unwrap_or_default();
            return Ok(response::json_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &message,
            ));
        }
    };
    let actor = ctx.actor()?;
    let slug = post.slug.clone();
    let saved = ctx
        .app
        .act(move |blog| actions::posts::update(blog, &actor, &slug, &edit))
        .await;
    let page = ctx.page();
    match saved {
        Ok(saved) => {
            ctx.app.schedule_changed.notify_one();
            Ok(json(
                StatusCode::OK,
                &serde_json::json!({
                    "revision": saved.revision,
                    "saved_at": page.time_of_day(db::now_ms()),
                }),
            ))
        }
        Err(ActionError::Stale(theirs)) => Ok(json(
            StatusCode::CONFLICT,
            &serde_json::json!({
                "error": page.t("posts.stale"),
                "revision": theirs.revision,
                "title": theirs.title,
                "body": theirs.body.as_str(),
            }),
        )),
        Err(err) => Err(err.into()),
    }
}

/// `GET /posts/{slug}/revisions[?from=A&to=B]`: the kept revisions, newest first, and
/// the changes between two of them (the newest two unless chosen).
pub async fn revisions(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    let id = post.id;
    let kept = ctx
        .app
        .db
        .read(move |conn| db::revisions::for_post(conn, id))
        .await?;
    let chosen = |name: &str| ctx.query(name).and_then(|v| v.parse::<i64>().ok());
    let pick = |id: Option<i64>, default: usize| match id {
        Some(id) => kept.iter().find(|r| r.id == id),
        None => kept.get(default),
    };
    let (from, to) = (pick(chosen("from"), 1), pick(chosen("to"), 0));
    if (chosen("from").is_some() && from.is_none()) || (chosen("to").is_some() && to.is_none()) {
        return Err(WebError::NotFound);
    }
    let compared = match (from, to) {
        (Some(from), Some(to)) => Some(compare(from, to)),
        _ => None,
    };
    let rows: Vec<Row> = kept.iter().map(row).collect();
    Ok(response::html(
        StatusCode::OK,
        views::revisions::list(&ctx.page(), &post, &rows, compared.as_ref()),
    ))
}

fn row(revision: &Revision) -> Row {
    Row {
        id: revision.id,
        author_name: revision.author_name.clone(),
        title: revision.title.clone(),
        saved_at: revision.saved_at,
    }
}

fn compare(from: &Revision, to: &Revision) -> Compared {
    Compared {
        from: row(from),
        to: row(to),
        title: diff::words(&from.title, &to.title),
        body: diff::words(&readable(&from.body), &readable(&to.body)),
    }
}

/// A body as a reader reads it: its words, and its images by name (a diff of the HTML
/// itself would mark tags as changed words).
fn readable(body: &SanitizedHtml) -> String {
    let mut text = text_of(body.as_str());
    for path in body.media_paths() {
        text.push_str(&format!(" [{path}]"));
    }
    text
}

/// `POST /posts/{slug}/revisions/{id}/restore`: the revision becomes the post's text
/// again, as a new revision.
pub async fn restore(ctx: &Ctx, slug: Slug, revision: i64) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    let actor = ctx.actor()?;
    let slug = post.slug.clone();
    ctx.app
        .act(move |blog| actions::posts::restore(blog, &actor, &slug, revision))
        .await?;
    Ok(response::redirect(&urls::shown(&post)))
}

/// `POST /posts/{slug}/preview-link`: the edit page again, with the new link shown this
/// once (only its hash is stored).
pub async fn make_preview_link(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    let actor = ctx.actor()?;
    let slug = post.slug.clone();
    let token = ctx
        .app
        .act(move |blog| actions::posts::create_preview_link(blog, &actor, &slug))
        .await?;
    let url = ctx
        .app
        .config
        .site
        .base_url
        .join(&urls::preview(token.as_str()));
    Ok(editor(ctx, &post, Some(url)))
}

/// `POST /posts/{slug}/preview-link/revoke`: every link to the post stops working.
pub async fn revoke_preview_links(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    let actor = ctx.actor()?;
    let slug = post.slug.clone();
    ctx.app
        .act(move |blog| actions::posts::revoke_preview_links(blog, &actor, &slug))
        .await?;
    Ok(response::redirect(&urls::post_edit(&post.slug)))
}

/// `GET /preview/{token}`: the draft a live link points at, for anyone who has it;
/// never indexed, never stored by a browser or a proxy. 404 once revoked.
pub async fn preview(ctx: &Ctx, token: &str) -> Result<Response, WebError> {
    let hash = Token::parse(token).ok_or(WebError::NotFound)?.hash();
    let post: Post = ctx
        .app
        .db
        .read(move |conn| {
            let Some(id) = db::preview_links::post_of(conn, &hash)? else {
                return Ok(None);
            };
            db::posts::by_id(conn, id)
        })
        .await?
        .ok_or(WebError::NotFound)?;
    let post = super::posts::for_readers(ctx, post).await?;
    // Never stored by a browser or a proxy: see `Route::is_never_stored`.
    let mut answer = response::html(StatusCode::OK, views::posts::preview(&ctx.page(), &post));
    answer.headers_mut().insert(
        "x-robots-tag",
        http::HeaderValue::from_static("noindex, nofollow"),
    );
    Ok(answer)
}
