//! `/static/...`: embedded assets under their hashed names, cached for a year, in the
//! best encoding the client accepts (compressed once, not per request).

use http::header::{self, HeaderMap, HeaderValue};
use http::StatusCode;

use crate::assets;
use crate::compress;
use crate::serving::response::{self, Response};

pub fn serve(name: &str, request_headers: &HeaderMap) -> Response {
    let Some(asset) = assets::get(name) else {
        return response::text(StatusCode::NOT_FOUND, "Not found\n");
    };
    let accept = request_headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let chosen =
        compress::negotiate(accept).and_then(|e| asset.compressed(e).map(|body| (e, body)));
    let encoding = chosen.map(|(e, _)| e);
    let etag = asset.etag_for(encoding);
    let mut response = if response::etag_matches(request_headers, &etag) {
        response::not_modified()
    } else {
        let body = chosen.map_or_else(|| asset.body.clone(), |(_, body)| body.clone());
        let mut r = http::Response::new(crate::serving::full(body));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        );
        if let Some(e) = encoding {
            r.headers_mut().insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static(e.header_value()),
            );
        }
        r
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(response::CACHE_FOREVER),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}
