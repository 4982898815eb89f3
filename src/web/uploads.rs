//! `POST /uploads`: an image from the editor, answered with JSON: `{"url": "/media/…"}`
//! or a 4xx `{"error": "…"}` that the editor shows.

use bytes::Bytes;
use http::StatusCode;

use super::request::Ctx;
use super::WebError;
use crate::actions::{self, Blog};
use crate::auth::{permissions, Actor};
use crate::content::problems::Message;
use crate::media::library::{self, MediaError};
use crate::serving::response::{json, json_error, Response};
use crate::urls;

pub async fn create(ctx: &Ctx) -> Result<Response, WebError> {
    let Some(user) = ctx.user.as_ref() else {
        return Ok(json_error(
            StatusCode::UNAUTHORIZED,
            ctx.text().get("uploads.log_in"),
        ));
    };
    if !permissions::can_write(user) {
        return Ok(json_error(
            StatusCode::FORBIDDEN,
            ctx.text().get("uploads.authors_only"),
        ));
    }
    if !ctx.app.rates.upload(ctx.client) {
        return Ok(json_error(
            StatusCode::TOO_MANY_REQUESTS,
            ctx.text().get("uploads.too_many"),
        ));
    }
    let Some(file) = ctx.form.file("file") else {
        return Ok(json_error(
            StatusCode::BAD_REQUEST,
            ctx.text().get("uploads.no_file"),
        ));
    };
    match store(ctx, file.bytes.clone()).await? {
        Ok(path) => Ok(json(
            StatusCode::OK,
            &serde_json::json!({ "url": urls::media(&path) }),
        )),
        Err(problem) => Ok(json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ctx.text().format_message(&problem),
        )),
    }
}

/// Stores an image the signed-in writer sent (the editor's, or a post form's featured
/// image), as an image job; its path to show, or what is wrong with the file.
pub(super) async fn store(ctx: &Ctx, bytes: Bytes) -> Result<Result<String, Message>, WebError> {
    let actor = ctx.actor()?;
    let memory = library::upload_memory(&bytes);
    let stored = ctx
        .app
        .image_job(memory, move |app| {
            actions::media::upload(app.blog(), &actor, &bytes)
        })
        .await?;
    match stored {
        Ok(path) => Ok(Ok(path)),
        Err(MediaError::Image(err)) => Ok(Err(err.message())),
        Err(MediaError::Internal(err)) => Err(WebError::Internal(err)),
    }
}

/// Makes a square picture (an avatar, the site's icon) by `action`, as an image job;
/// what is wrong with the file when it is refused.
pub(super) async fn store_square(
    ctx: &Ctx,
    bytes: Bytes,
    action: impl FnOnce(Blog, &Actor, &[u8]) -> Result<(), MediaError> + Send + 'static,
) -> Result<Result<(), Message>, WebError> {
    let actor = ctx.actor()?;
    let memory = library::avatar_memory(&bytes);
    let stored = ctx
        .app
        .image_job(memory, move |app| action(app.blog(), &actor, &bytes))
        .await?;
    match stored {
        Ok(()) => Ok(Ok(())),
        Err(MediaError::Image(err)) => Ok(Err(err.message())),
        Err(MediaError::Internal(err)) => Err(WebError::Internal(err)),
    }
}
