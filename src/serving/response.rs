//! Building responses: pages, redirects, and the headers every response carries.

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use http::StatusCode;
use http_body_util::Full;
use maud::Markup;

pub type Response = http::Response<Full<Bytes>>;

pub fn html(status: StatusCode, markup: Markup) -> Response {
    let mut response = http::Response::new(Full::new(Bytes::from(markup.into_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // Pages show who is signed in and carry CSRF tokens: never shared caches, unless
    // `web::finish` finds the page the same for every anonymous reader.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(super::cache_control::PRIVATE),
    );
    response
}

pub fn text(status: StatusCode, body: &'static str) -> Response {
    let mut response = http::Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// A generated document that is not a page (a feed, the sitemap, robots.txt): the
/// same for every visitor, so anyone may keep it for its lifetime (`cache_control`).
pub fn document(content_type: &'static str, body: String, cache_control: HeaderValue) -> Response {
    let mut response = http::Response::new(Full::new(Bytes::from(body)));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, cache_control);
    response
}

/// 303 See Other: where a successful form POST sends the browser. `location` comes
/// from `urls`, which percent-encodes, so it is always a valid header.
pub fn redirect(location: &str) -> Response {
    let mut response = http::Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::SEE_OTHER;
    let value = HeaderValue::from_str(location).unwrap_or_else(|_| HeaderValue::from_static("/"));
    response.headers_mut().insert(header::LOCATION, value);
    response
}

/// 302 Found: the same thing at another address, for now (a post's page asked for
/// as ActivityPub JSON goes to its object).
pub fn redirect_found(location: &str) -> Response {
    let mut response = redirect(location);
    *response.status_mut() = StatusCode::FOUND;
    response
}

/// 301 Moved Permanently to `location` (an old address of the blog); browsers and
/// search engines remember it, so it is kept an hour in shared caches too.
pub fn moved_permanently(location: &str) -> Response {
    let mut response = redirect(location);
    *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

pub fn with_cookie(mut response: Response, set_cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(set_cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// No inline scripts, no framing, no plugins; images only from this site.
///
/// Styles are loosened for `style="..."` attributes only (`style-src-attr`), never for
/// `<style>` elements: post bodies keep image width, float and text alignment as style
/// attributes (the sanitizer allows just those properties), and Summernote writes its
/// own UI with inline style attributes. Under `style-src 'self'` Chromium blocked both
/// ("Applying inline style violates ... 'style-src 'self''", dozens on `/posts/new`);
/// with `style-src-attr 'unsafe-inline'` it reports none. A browser that does not know
/// `style-src-attr` falls back to `style-src 'self'`: the page works, unstyled.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The security headers that go on every response, errors and 304s included. A list,
/// so `blog nginx-config` gives nginx the very same ones for the files it serves itself.
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
];

/// For files whose name changes with their content (hashed assets, uploads): a year.
pub const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// `SECURITY_HEADERS` as header names and values, parsed once: on every response,
/// parsing the names again took a quarter of the work of sending a cached page.
static SECURITY: std::sync::LazyLock<[(http::HeaderName, HeaderValue); 4]> =
    std::sync::LazyLock::new(|| {
        SECURITY_HEADERS.map(|(name, value)| {
            (
                http::HeaderName::from_static(name),
                HeaderValue::from_static(value),
            )
        })
    });

pub fn add_security_headers(headers: &mut HeaderMap) {
    headers.reserve(SECURITY.len());
    for (name, value) in SECURITY.iter() {
        headers.insert(name.clone(), value.clone());
    }
}

/// True when the client's `If-None-Match` names `etag` (or `*`).
pub fn etag_matches(request_headers: &HeaderMap, etag: &str) -> bool {
    request_headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

pub fn not_modified() -> Response {
    let mut response = http::Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::NOT_MODIFIED;
    response
}

/// `{"error": "…"}` with the status, for the editor's uploads.
pub fn json_error(status: StatusCode, message: &str) -> Response {
    json(status, &serde_json::json!({ "error": message }))
}

pub fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    let mut response = http::Response::new(super::full(value.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
