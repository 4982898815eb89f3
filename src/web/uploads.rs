//! `POST /uploads`: an image from the editor, answered with JSON: `{"url": "/media/…"}`
//! or a 4xx `{"error": "…"}` that the editor shows.

use http::header::{self, HeaderValue};
use http::StatusCode;

use super::request::Ctx;
use super::response::Response;
use super::WebError;
use crate::media::library::{self, MediaError};
use crate::urls;

pub async fn create(ctx: &Ctx) -> Result<Response, WebError> {
    let Some(user) = ctx.user.as_ref() else {
        return Ok(json_error(
            StatusCode::UNAUTHORIZED,
            ctx.text().get("uploads.log_in"),
        ));
    };
    if !user.role.can_write() {
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
    let (owner, bytes) = (user.id, file.bytes.clone());
    let memory = library::upload_memory(&bytes);
    let stored = ctx
        .app
        .image_job(memory, move |app| {
            library::store_upload(&app.db, &app.media, owner, &bytes)
        })
        .await?;
    match stored {
        Ok(path) => Ok(json(
            StatusCode::OK,
            &serde_json::json!({ "url": urls::media(&path) }),
        )),
        Err(MediaError::Image(err)) => Ok(json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ctx.text().format_message(&err.message()),
        )),
        Err(MediaError::Internal(err)) => Err(WebError::Internal(err)),
    }
}

pub fn json_error(status: StatusCode, message: &str) -> Response {
    json(status, &serde_json::json!({ "error": message }))
}

fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    let mut response = http::Response::new(super::full(value.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
