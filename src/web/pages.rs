//! The last step for a rendered page: an ETag from its bytes (answering a matching
//! `If-None-Match` with 304), and gzip or brotli when the client takes them.

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use http::StatusCode;
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};

use super::response::{self, Response};
use crate::compress::{self, Effort, Encoding};

/// Smaller pages are not worth compressing.
const MIN_COMPRESS_BYTES: usize = 1024;

/// What the request said about caching and encodings.
pub struct Conditions {
    if_none_match: HeaderMap,
    encoding: Option<Encoding>,
}

impl Conditions {
    pub fn of(headers: &HeaderMap) -> Self {
        let mut if_none_match = HeaderMap::new();
        for value in headers.get_all(header::IF_NONE_MATCH) {
            if_none_match.append(header::IF_NONE_MATCH, value.clone());
        }
        let accept = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok());
        Self {
            if_none_match,
            encoding: compress::negotiate(accept),
        }
    }
}

/// Adds an ETag to a 200 HTML page, answers 304 when the client has it, and
/// compresses it when accepted. Other responses pass unchanged.
pub async fn finish(response: Response, conditions: &Conditions) -> Response {
    let is_page = response.status() == StatusCode::OK
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
        && !response.headers().contains_key(header::ETAG);
    if !is_page {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes: Bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(never) => match never {},
    };
    let digest = hex::encode(Sha256::digest(&bytes));
    let encoding = conditions
        .encoding
        .filter(|_| bytes.len() >= MIN_COMPRESS_BYTES);
    let etag = match encoding {
        Some(e) => format!("\"{}-{}\"", &digest[..20], e.header_value()),
        None => format!("\"{}\"", &digest[..20]),
    };
    if let Ok(value) = HeaderValue::from_str(&etag) {
        parts.headers.insert(header::ETAG, value);
    }
    parts.headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Encoding, Cookie"),
    );
    if response::etag_matches(&conditions.if_none_match, &etag) {
        let mut not_modified = response::not_modified();
        for name in [
            header::ETAG,
            header::VARY,
            header::CACHE_CONTROL,
            header::SET_COOKIE,
        ] {
            for value in parts.headers.get_all(&name) {
                not_modified
                    .headers_mut()
                    .append(name.clone(), value.clone());
            }
        }
        return not_modified;
    }
    let body = match encoding {
        Some(e) => {
            parts.headers.insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static(e.header_value()),
            );
            Bytes::from(compress::compress(&bytes, e, Effort::Fast))
        }
        None => bytes,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    http::Response::from_parts(parts, super::full(body))
}
