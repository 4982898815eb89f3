//! `GET /media/<path>`: uploaded files, straight from the media folder. Names are
//! random and never reused, so they are cached for a year; the type comes from the
//! extension we gave the file, and `nosniff` (on every response) stops browsers from
//! guessing another.

use http::header::{self, HeaderValue};
use http::StatusCode;

use crate::app::App;
use crate::media::TYPES;
use crate::serving::response::{self, Response};

pub async fn serve(app: &App, path: &str) -> Response {
    let Some(file) = app.media.resolve(path) else {
        return response::text(StatusCode::NOT_FOUND, "Not found\n");
    };
    let Some(content_type) = content_type(path) else {
        return response::text(StatusCode::NOT_FOUND, "Not found\n");
    };
    // Only regular files, never directories (no listings) or links out of the folder.
    match tokio::fs::symlink_metadata(&file).await {
        Ok(meta) if meta.is_file() => {}
        _ => return response::text(StatusCode::NOT_FOUND, "Not found\n"),
    }
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            let mut response = http::Response::new(crate::serving::full(bytes));
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(response::CACHE_FOREVER),
            );
            response
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            response::text(StatusCode::NOT_FOUND, "Not found\n")
        }
        Err(err) => {
            tracing::error!("cannot read media file {path}: {err}");
            response::text(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error\n")
        }
    }
}

fn content_type(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.')?.1;
    TYPES
        .iter()
        .find(|(known, _)| *known == extension)
        .map(|(_, content_type)| *content_type)
}
