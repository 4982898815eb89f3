//! What every answer needs, whatever the route: building responses with the security
//! headers, what caches may keep (`Cache-Control`), conditional requests and compression (ETag, 304, gzip/brotli), the cache of
//! rendered public pages, the client's address behind trusted proxies, and the access
//! log. It knows no route and no handler: `web` uses it, `app` holds its caches, and
//! nothing here imports `web`.

pub mod access_log;
pub mod cache;
pub mod cache_control;
pub mod conditional;
pub mod proxy;
pub mod response;

use bytes::Bytes;
use http_body_util::Full;

/// A body for hyper's `Full`, for code that builds bytes itself.
pub fn full(bytes: impl Into<Bytes>) -> Full<Bytes> {
    Full::new(bytes.into())
}
