//! The last step for a rendered page: an ETag from its bytes (a matching
//! `If-None-Match` gets 304), and gzip or brotli when the client takes them. A
//! `PreparedPage` holds one page's bytes with its compressed forms, made at most once,
//! so a cached page is compressed once, not per request.

use std::sync::{Arc, OnceLock};

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
    Arc::new(PreparedPage::from_response(response, Effort::Fast).await)
        .answer(conditions)
        .await
}

/// A rendered page, ready to be sent in any encoding. Each encoding's headers (ETag
/// included) are made once, so sending a cached page only clones them.
pub struct PreparedPage {
    /// The handler's headers, without a length.
    headers: HeaderMap,
    /// The first 20 hex digits of the body's SHA-256.
    digest: String,
    effort: Effort,
    identity: Variant,
    gzip: OnceLock<Variant>,
    brotli: OnceLock<Variant>,
}

/// One encoding of a page: its body and all its headers.
struct Variant {
    headers: HeaderMap,
    etag: String,
    body: Bytes,
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
        let identity = variant(&headers, &digest, None, body);
        Self {
            headers,
            digest,
            effort,
            identity,
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// The variant for `encoding`, compressed on first use.
    fn variant(&self, encoding: Option<Encoding>) -> &Variant {
        let (cell, encoding) = match encoding {
            None => return &self.identity,
            Some(e @ Encoding::Gzip) => (&self.gzip, e),
            Some(e @ Encoding::Brotli) => (&self.brotli, e),
        };
        cell.get_or_init(|| {
            let body = Bytes::from(compress::compress(
                &self.identity.body,
                encoding,
                self.effort,
            ));
            variant(&self.headers, &self.digest, Some(encoding), body)
        })
    }

    /// `respond`, with any compression it needs first done on a blocking thread: a
    /// page of megabytes compressed at its best takes a moment, which the other
    /// requests on this worker must not wait for. Once made, a variant is kept, so a
    /// cached page is compressed once per encoding.
    pub async fn answer(self: Arc<Self>, conditions: &Conditions) -> Response {
        let encoding = self.encoding_for(conditions);
        if !self.has_variant(encoding) {
            let page = Arc::clone(&self);
            let made = tokio::task::spawn_blocking(move || {
                page.variant(encoding);
                // Brotli at its best effort works in megabytes of tables, freed when it
                // is done but kept by this pool thread's malloc arena: after the first
                // requests for a few pages the server sat at 25-32 MB instead of 24.
                crate::app::give_back_freed_memory();
            })
            .await;
            if let Err(err) = made {
                tracing::error!("compressing a page failed: {err}");
            }
        }
        self.respond(conditions)
    }

    fn encoding_for(&self, conditions: &Conditions) -> Option<Encoding> {
        conditions
            .encoding
            .filter(|_| self.identity.body.len() >= MIN_COMPRESS_BYTES)
    }

    fn has_variant(&self, encoding: Option<Encoding>) -> bool {
        match encoding {
            None => true,
            Some(Encoding::Gzip) => self.gzip.get().is_some(),
            Some(Encoding::Brotli) => self.brotli.get().is_some(),
        }
    }

    /// The page for one request: 304 when its `If-None-Match` names this version,
    /// else the body in the best encoding it accepts. Each encoding has its own ETag.
    pub fn respond(&self, conditions: &Conditions) -> Response {
        let chosen = self.variant(self.encoding_for(conditions));
        if response::etag_matches(&conditions.if_none_match, &chosen.etag) {
            let mut not_modified = response::not_modified();
            for name in [
                header::ETAG,
                header::VARY,
                header::CACHE_CONTROL,
                header::SET_COOKIE,
            ] {
                for value in chosen.headers.get_all(&name) {
                    not_modified
                        .headers_mut()
                        .append(name.clone(), value.clone());
                }
            }
            return not_modified;
        }
        let mut response = http::Response::new(crate::serving::full(chosen.body.clone()));
        *response.headers_mut() = chosen.headers.clone();
        response
    }
}

fn variant(headers: &HeaderMap, digest: &str, encoding: Option<Encoding>, body: Bytes) -> Variant {
    let etag = match encoding {
        Some(e) => format!("\"{digest}-{}\"", e.header_value()),
        None => format!("\"{digest}\""),
    };
    let mut headers = headers.clone();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Encoding, Cookie"),
    );
    if let Some(e) = encoding {
        headers.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(e.header_value()),
        );
    }
    // Every response gets them on its way out (`web::handle`); in the copy each answer
    // clones, that finds them in place instead of growing the map.
    response::add_security_headers(&mut headers);
    Variant {
        headers,
        etag,
        body,
    }
}
