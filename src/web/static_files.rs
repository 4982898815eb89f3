//! `/static/...`: embedded assets under their hashed names, cached for a year.

use http::header::{self, HeaderMap, HeaderValue};
use http::StatusCode;

use super::response::{self, Response};
use crate::assets;

pub fn serve(name: &str, request_headers: &HeaderMap) -> Response {
    let Some(asset) = assets::get(name) else {
        return response::text(StatusCode::NOT_FOUND, "Not found\n");
    };
    let etag_matches = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == asset.etag));
    let mut response = if etag_matches {
        let mut r = http::Response::new(super::full(bytes::Bytes::new()));
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = http::Response::new(super::full(asset.body.clone().into_owned()));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        );
        r
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Ok(etag) = HeaderValue::from_str(&asset.etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}
