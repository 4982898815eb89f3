//! The last step for a rendered page: an ETag from its bytes (a matching
//! `If-None-Match` gets 304), and gzip or brotli when the client takes them. A
//! `PreparedPage` holds one page's bytes with its compressed forms, made at most once,
//! so a cached page is compressed once, not per request.

use std::sync::OnceLock;

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

/// True for a 200 HTML page that nothing has given an ETag yet.
pub fn is_page(response: &Response) -> bool {
    response.status() == StatusCode::OK
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
        && !response.headers().contains_key(header::ETAG)
}

/// Adds an ETag to a 200 HTML page, answers 304 when the client has it, and
/// compresses it when accepted. Other responses pass unchanged.
pub async fn finish(response: Response, conditions: &Conditions) -> Response {
    if !is_page(&response) {
        return response;
    }
    PreparedPage::from_response(response, Effort::Fast)
        .await
        .respond(conditions)
}

/// A rendered page, ready to be sent in any encoding.
pub struct PreparedPage {
    headers: HeaderMap,
    body: Bytes,
    /// The first 20 hex digits of the body's SHA-256.
    digest: String,
    effort: Effort,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
}

impl PreparedPage {
    pub async fn from_response(response: Response, effort: Effort) -> Self {
        let (parts, body) = response.into_parts();
        let body: Bytes = match body.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(never) => match never {},
        };
        let mut headers = parts.headers;
        headers.remove(header::CONTENT_LENGTH);
        let digest = hex::encode(Sha256::digest(&body))[..20].to_string();
        Self {
            headers,
            body,
            digest,
            effort,
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    fn compressed(&self, encoding: Encoding) -> &Bytes {
        let cell = match encoding {
            Encoding::Gzip => &self.gzip,
            Encoding::Brotli => &self.brotli,
        };
        cell.get_or_init(|| Bytes::from(compress::compress(&self.body, encoding, self.effort)))
    }

    /// The page for one request: 304 when its `If-None-Match` names this version,
    /// else the body in the best encoding it accepts. Each encoding has its own ETag.
    pub fn respond(&self, conditions: &Conditions) -> Response {
        let encoding = conditions
            .encoding
            .filter(|_| self.body.len() >= MIN_COMPRESS_BYTES);
        let etag = match encoding {
            Some(e) => format!("\"{}-{}\"", self.digest, e.header_value()),
            None => format!("\"{}\"", self.digest),
        };
        let mut headers = self.headers.clone();
        if let Ok(value) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, value);
        }
        headers.insert(
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
                for value in headers.get_all(&name) {
                    not_modified
                        .headers_mut()
                        .append(name.clone(), value.clone());
                }
            }
            return not_modified;
        }
        let body = match encoding {
            Some(e) => {
                headers.insert(
                    header::CONTENT_ENCODING,
                    HeaderValue::from_static(e.header_value()),
                );
                self.compressed(e).clone()
            }
            None => self.body.clone(),
        };
        let mut response = http::Response::new(super::full(body));
        *response.headers_mut() = headers;
        response
    }
}
