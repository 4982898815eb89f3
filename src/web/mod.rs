//! HTTP in, HTTP out: `handle` turns a request into a response, in named steps:
//! refuse smuggling, serve files, serve a cached page, build the context (session,
//! body, form), check CSRF, dispatch to one handler per route, finish (cookie, cache,
//! ETag). Handlers are thin glue between `actions`, `db` reads, `auth` and `views`;
//! what every answer needs whatever its route lives in `serving`.

pub mod accounts;
pub mod admin;
pub mod comments;
mod dispatch;
pub mod error;
pub mod federation;
pub mod fediverse;
pub mod mail;
pub mod media;
pub mod posts;
pub mod request;
pub mod router;
pub mod search;
pub mod security;
pub mod settings;
pub mod static_files;
pub mod syndication;
pub mod thread;
pub mod uploads;
pub mod webmentions;
pub mod writing;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::FutureExt;
use http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use crate::app::App;
use crate::auth::{session, Token};
use crate::compress::Effort;
use crate::content::redirect::OldPath;
use crate::db;
use crate::serving::access_log;
use crate::serving::cache_control;
use crate::serving::conditional::{self, Conditions, PreparedPage};
use crate::serving::proxy::{self, Origin};
use crate::serving::response::{self, Response};
pub use error::WebError;
use request::{Ctx, CtxParts, Form};
use router::Route;

/// A client must send its whole body within this time.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// A request that takes longer than this, body included, is answered with 503 and its
/// work abandoned; SQLite transactions in flight still finish on their own thread.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Answers one request; never fails and never panics out (a panic is a 500 page).
pub async fn handle(app: Arc<App>, peer: std::net::IpAddr, req: Request<Incoming>) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let origin = proxy::origin(peer, req.headers(), &app.config.server.trusted_proxies);
    let answer = AssertUnwindSafe(respond(Arc::clone(&app), origin, req)).catch_unwind();
    let mut response = match tokio::time::timeout(REQUEST_TIMEOUT, answer).await {
        Ok(Ok(response)) => response,
        Ok(Err(_)) => {
            tracing::error!(%method, %path, "a handler panicked");
            response::text(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error\n")
        }
        Err(_) => {
            tracing::error!(%method, %path, "the request took longer than {REQUEST_TIMEOUT:?}");
            response::text(
                StatusCode::SERVICE_UNAVAILABLE,
                "The server is busy; try again\n",
            )
        }
    };
    response::add_security_headers(response.headers_mut());
    app.access_log.record(&access_log::Entry {
        method: method.as_str(),
        path: &path,
        status: response.status().as_u16(),
        millis: started.elapsed().as_secs_f64() * 1000.0,
        client: origin.client,
    });
    response
}

/// The steps, in order; each may answer early.
async fn respond(app: Arc<App>, origin: Origin, req: Request<Incoming>) -> Response {
    if let Some(refused) = refuse_smuggling(req.headers()) {
        return refused;
    }
    let req = match federation::answer(&app, req).await {
        Ok(answer) => return answer,
        Err(req) => req,
    };
    let route = Route::parse(req.method(), req.uri().path());
    if let Some(primary) = send_to_primary(&app, &req, route.as_ref()) {
        return primary;
    }
    if let Some(file) = serve_file(&app, route.as_ref(), req.headers()).await {
        return file;
    }
    if let Some(moved) = old_address(&app, req.method(), req.uri(), route.as_ref()).await {
        return moved;
    }
    let conditions = Conditions::of(req.headers());
    let cookie_token = session_cookie(req.headers());
    let audience = Audience::of(cookie_token.as_ref(), route.as_ref());
    let cache_key = cache_key(&req, route.as_ref());
    if cookie_token.is_none() {
        if let Some(page) = cached(&app, cache_key.as_deref()) {
            return page.answer(&conditions).await;
        }
    }
    let (parts, body) = req.into_parts();
    let (ctx, body) = match context(app, origin, &parts, body, cookie_token).await {
        Ok(built) => built,
        Err(failure) => return failure,
    };
    // Anonymous readers of public pages share one cached copy per address (visitors
    // with a cookie but no signed-in session too). The version is read under the
    // render lock, before rendering, so a write during the render leaves it stale.
    let cache_key = cache_key.filter(|_| ctx.user.is_none());
    let _rendering = match &cache_key {
        Some(key) => Some(ctx.app.page_cache.render_lock(key).await),
        None => None,
    };
    let version = ctx.app.page_cache.version();
    if let Some(page) = cache_key
        .as_deref()
        .and_then(|key| ctx.app.page_cache.get(key, version))
    {
        return audience.restrict(page.answer(&conditions).await);
    }
    let response = run(&ctx, &parts, route, body).await;
    let response = finish(
        &ctx,
        &parts.method,
        response,
        cache_key,
        version,
        &conditions,
    )
    .await;
    audience.restrict(response)
}

/// Who may keep the answer besides its reader, beyond what the page itself allows.
#[derive(Clone, Copy)]
enum Audience {
    /// No session cookie: shared caches may keep a public page (`finish` decides).
    Anyone,
    /// The request carries our session cookie: its answer is the browser's alone, even
    /// a page that came from the page cache (a CDN may ignore `Vary: Cookie`).
    Session,
    /// The editor and the admin pages: nobody keeps them, the browser included.
    NoOne,
}

impl Audience {
    fn of(cookie: Option<&Token>, route: Option<&Route>) -> Self {
        match (cookie, route) {
            (_, Some(route)) if route.is_never_stored() => Self::NoOne,
            (Some(_), _) => Self::Session,
            (None, _) => Self::Anyone,
        }
    }

    fn restrict(self, mut response: Response) -> Response {
        let value = match self {
            Self::Anyone => return response,
            Self::Session => cache_control::PRIVATE,
            Self::NoOne => cache_control::NEVER_STORED,
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, http::HeaderValue::from_static(value));
        response
    }
}

/// hyper takes a chunked body and drops a Content-Length sent beside it, so the two
/// cannot be told apart here; a proxy in front may have read the same bytes the other
/// way (request smuggling). Browsers always send a length, so a request with a
/// Transfer-Encoding gets 411 Length Required, its body unread, and the connection
/// closes, so bytes after it are never taken for another request.
fn refuse_smuggling(headers: &HeaderMap) -> Option<Response> {
    headers.get(header::TRANSFER_ENCODING)?;
    let mut refused = response::text(
        StatusCode::LENGTH_REQUIRED,
        "Send the body with a Content-Length header; Transfer-Encoding is not accepted.\n",
    );
    refused
        .headers_mut()
        .insert(header::CONNECTION, http::HeaderValue::from_static("close"));
    Some(refused)
}

/// A follower (`blog serve --replica`) never writes: every request but a reader's
/// is redirected to the primary at `[site] base_url`, with 307 so a POST stays a POST.
fn send_to_primary(app: &App, req: &Request<Incoming>, route: Option<&Route>) -> Option<Response> {
    let is_read = req.method() == Method::GET || req.method() == Method::HEAD;
    if !app.follower || (is_read && route.is_some_and(Route::is_for_readers)) {
        return None;
    }
    let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let mut redirect = response::redirect(&app.config.site.base_url.join(target));
    *redirect.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    redirect.headers_mut().insert(
        header::CACHE_CONTROL,
        http::HeaderValue::from_static(cache_control::NEVER_STORED),
    );
    Some(redirect)
}

/// Files and the health check need no session, so they skip the database.
async fn serve_file(app: &App, route: Option<&Route>, headers: &HeaderMap) -> Option<Response> {
    match route? {
        Route::Static(name) => Some(static_files::serve(name, headers)),
        Route::Media(path) => Some(media::serve(app, path).await),
        Route::Healthz => Some(response::text(StatusCode::OK, "ok\n")),
        _ => None,
    }
}

/// 301 for an old address (`redirects`): looked up only for a path no route takes
/// (it would be a 404) and for the home page with a query of the old blog (`/?p=12`),
/// so the site's own pages never wait for it.
async fn old_address(
    app: &App,
    method: &Method,
    uri: &http::Uri,
    route: Option<&Route>,
) -> Option<Response> {
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    let query = uri.query();
    let keys = match route {
        None => OldPath::candidates(uri.path(), query, true),
        Some(Route::Index) if query.is_some_and(OldPath::is_old_query) => {
            OldPath::candidates(uri.path(), query, false)
        }
        Some(_) => return None,
    };
    if keys.is_empty() {
        return None;
    }
    let found = app
        .db
        .read(move |conn| db::redirects::lookup(conn, &keys))
        .await;
    match found {
        Ok(Some(target)) => Some(response::moved_permanently(target.as_str())),
        Ok(None) => None,
        Err(err) => {
            // The 404 page follows, as it would have without redirects.
            tracing::error!("looking up an old address: {err:#}");
            None
        }
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<Token> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(session::from_cookie_header)
}

/// The key under which an anonymous reader's copy of this page is cached, if it may be.
fn cache_key(req: &Request<Incoming>, route: Option<&Route>) -> Option<String> {
    let is_read = req.method() == Method::GET || req.method() == Method::HEAD;
    match route {
        Some(route) if is_read && route.is_public_page() => {
            req.uri().path_and_query().map(|pq| pq.as_str().to_string())
        }
        _ => None,
    }
}

/// Most readers are anonymous and bring no cookie: their public pages come straight
/// from the cache, without a database query or a new session token.
fn cached(app: &App, key: Option<&str>) -> Option<Arc<PreparedPage>> {
    let version = app.page_cache.version();
    app.page_cache.get(key?, version)
}

/// Who is asking and what they sent: the session's user, a new visitor token when
/// there is none, the body and its form; and the site's menu (from memory, see
/// `App::menu`). A body that cannot be read is kept as the
/// error to answer with once the context can render the page.
async fn context(
    app: Arc<App>,
    origin: Origin,
    parts: &http::request::Parts,
    body: Incoming,
    cookie_token: Option<Token>,
) -> Result<(Ctx, Result<(), WebError>), Response> {
    let live = match &cookie_token {
        Some(token) => {
            let hash = token.hash();
            app.db
                .read(move |conn| db::sessions::live(conn, &hash, db::now_ms()))
                .await
                .map_err(plain_500)?
        }
        None => None,
    };
    if let (Some(live), Some(token)) = (&live, &cookie_token) {
        touch_session(&app, live, token, origin.client).await;
    }
    let has_second_factor = live.as_ref().is_some_and(|l| l.has_second_factor);
    let user = live.map(|l| l.user);
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect();
    let menu = app.menu().await.map_err(plain_500)?;
    let site = app.site().await.map_err(plain_500)?;
    let (session, session_is_new) = match cookie_token {
        Some(token) => (token, false),
        None => (Token::generate().map_err(plain_500)?, true),
    };
    let (form, body) = match read_form(&app, parts, body).await {
        Ok(form) => (form, Ok(())),
        Err(err) => (Form::default(), Err(err)),
    };
    let https = origin.https || app.config.site.base_url.is_https();
    let ctx = Ctx::new(CtxParts {
        app,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        form,
        client: origin.client,
        https,
        user,
        has_second_factor,
        user_agent,
        session,
        session_is_new,
        menu,
        site,
    });
    Ok((ctx, body))
}

/// Notes when and from where a session was last seen, at most every few minutes (or
/// at once when its address changed), so the profile's list of sessions is current
/// without a write per request. A follower writes nothing.
async fn touch_session(
    app: &Arc<App>,
    live: &db::sessions::Live,
    token: &Token,
    client: std::net::IpAddr,
) {
    let client = client.to_string();
    let stale = db::now_ms() - live.last_seen_at >= crate::actions::sessions::TOUCH_EVERY_MS;
    if app.follower || (!stale && live.client == client) {
        return;
    }
    let hash = token.hash();
    // A page is still worth answering when this note cannot be written (a full disk).
    if let Err(err) = app
        .act(move |blog| crate::actions::sessions::touch(blog, &hash, &client))
        .await
    {
        tracing::warn!("cannot note when a session was last seen: {err}");
    }
}

/// The form of a POST; other methods have none.
async fn read_form(
    app: &App,
    parts: &http::request::Parts,
    body: Incoming,
) -> Result<Form, WebError> {
    if parts.method != Method::POST {
        return Ok(Form::default());
    }
    let bytes = read_body(app, &parts.headers, body).await?;
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    decode_form(content_type, bytes).await
}

/// The handler's answer, or the page for what stopped it: a bad body, no route, a
/// forged CSRF token.
async fn run(
    ctx: &Ctx,
    parts: &http::request::Parts,
    route: Option<Route>,
    body: Result<(), WebError>,
) -> Response {
    let wants_json = matches!(
        route,
        Some(
            Route::Upload
                | Route::Autosave(_)
                | Route::PasskeyLoginStart
                | Route::PasskeyLoginFinish
                | Route::PasskeyRegisterStart
                | Route::PasskeyRegisterFinish
        )
    );
    let result = match (route, body) {
        (_, Err(err)) => Err(err),
        (None, _) if Route::exists_for_other_method(&parts.method, parts.uri.path()) => {
            Err(WebError::MethodNotAllowed)
        }
        (None, _) => Err(WebError::NotFound),
        (Some(route), Ok(()))
            if parts.method == Method::POST
                && route.needs_csrf()
                && !csrf_ok(ctx, &parts.headers) =>
        {
            Err(WebError::Csrf)
        }
        (Some(route), Ok(())) => dispatch::dispatch(ctx, route).await,
    };
    match result {
        Ok(response) => response,
        Err(err) if wants_json => err.into_json(ctx.text()),
        Err(err) => err.into_response(&ctx.page()),
    }
}

fn csrf_ok(ctx: &Ctx, headers: &HeaderMap) -> bool {
    let header = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    ctx.csrf_ok(header)
}

/// A visitor who was shown a form gets the cookie its CSRF token belongs to; a public
/// page that nobody's session shaped is cached for the next anonymous reader, and
/// shared caches in front may keep it too (`[cache] s_maxage`); every page gets its
/// ETag and compression.
async fn finish(
    ctx: &Ctx,
    method: &Method,
    response: Response,
    cache_key: Option<String>,
    version: crate::serving::cache::Version,
    conditions: &Conditions,
) -> Response {
    // Unless the handler set a session cookie of its own (login, signup).
    let response = match ctx.pending_visitor_session() {
        Some(token) if !response.headers().contains_key(header::SET_COOKIE) => {
            response::with_cookie(response, &session::visitor_cookie(token, ctx.https))
        }
        _ => response,
    };
    let shareable = conditional::is_page(&response)
        && !response.headers().contains_key(header::SET_COOKIE)
        && !ctx.csrf_was_rendered();
    let is_read = method == Method::GET || method == Method::HEAD;
    match cache_key {
        Some(key) if shareable => {
            let mut response = response;
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                cache_control::shared_page(&ctx.app.config.cache),
            );
            // Compressed once, at its best, for every reader after this one.
            let page = Arc::new(PreparedPage::from_response(response, Effort::Best).await);
            ctx.app.page_cache.put(key, version, Arc::clone(&page));
            page.answer(conditions).await
        }
        _ if is_read => conditional::finish(response, conditions).await,
        _ => response,
    }
}

/// Reads a POST body: refused with 413 when announced or found larger than the limit,
/// with 408 when it trickles in too slowly.
async fn read_body(
    app: &App,
    headers: &http::HeaderMap,
    body: Incoming,
) -> Result<Bytes, WebError> {
    let limit = app.config.server.max_upload_bytes;
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit) {
        return Err(WebError::PayloadTooLarge);
    }
    let limited = Limited::new(body, usize::try_from(limit).unwrap_or(usize::MAX));
    match tokio::time::timeout(BODY_TIMEOUT, limited.collect()).await {
        Err(_) => Err(WebError::Timeout),
        Ok(Err(err)) if err.is::<http_body_util::LengthLimitError>() => {
            Err(WebError::PayloadTooLarge)
        }
        Ok(Err(_)) => Err(WebError::BadRequest("errors.body_unreadable")),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

/// The form in a POST body, by its content type; other bodies give an empty form.
pub async fn decode_form(content_type: &str, body: Bytes) -> Result<Form, WebError> {
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok(Form::parse(&body));
    }
    if content_type.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(content_type)
            .map_err(|_| WebError::BadRequest("errors.multipart_boundary"))?;
        return Form::parse_multipart(body, &boundary)
            .await
            .map_err(|_| WebError::BadRequest("errors.multipart_malformed"));
    }
    Ok(Form::default())
}

/// For failures before there is a context to render a page with.
fn plain_500(err: anyhow::Error) -> Response {
    tracing::error!("{err:#}");
    response::text(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error\n")
}
