//! HTTP in, HTTP out: `handle` turns a request into a response. It decodes what every
//! handler needs (route, session, form, CSRF check) once, dispatches to one handler per
//! route, and adds the headers every response carries. Handlers are thin glue between
//! `auth`, `db`, `content` and `views`.

pub mod access_log;
pub mod accounts;
pub mod admin;
pub mod cache;
pub mod comments;
pub mod error;
pub mod media;
pub mod pages;
pub mod posts;
pub mod proxy;
pub mod request;
pub mod response;
pub mod router;
pub mod search;
pub mod static_files;
pub mod syndication;
pub mod uploads;

use std::net::IpAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::FutureExt;
use http::{header, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;

use crate::app::App;
use crate::auth::{session, Token};
use crate::compress::Effort;
use crate::db;
pub use error::WebError;
use pages::PreparedPage;
// What `blog nginx-config` copies into nginx's config, so files nginx serves itself
// carry the same headers and types as when the binary serves them.
pub use media::TYPES as MEDIA_TYPES;
use request::{Ctx, CtxParts, Form};
use response::Response;
pub use response::{CACHE_FOREVER, SECURITY_HEADERS};
use router::Route;

/// A client must send its whole body within this time.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// A request that takes longer than this, body included, is answered with 503 and its
/// work abandoned; SQLite transactions in flight still finish on their own thread.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Answers one request; never fails and never panics out (a panic is a 500 page).
pub async fn handle(app: Arc<App>, peer: IpAddr, req: Request<Incoming>) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let origin = proxy::origin(peer, req.headers(), &app.config.server.trusted_proxies);
    let conditions = pages::Conditions::of(req.headers());
    let answer =
        AssertUnwindSafe(respond(Arc::clone(&app), origin, req, &conditions)).catch_unwind();
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

async fn respond(
    app: Arc<App>,
    origin: proxy::Origin,
    req: Request<Incoming>,
    conditions: &pages::Conditions,
) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let route = Route::parse(&method, &path);
    let wants_json = route == Some(Route::Upload);

    // hyper takes a chunked body and drops a Content-Length sent beside it; a proxy in
    // front may have read the same bytes the other way (request smuggling). Browsers
    // always send a length, so a Transfer-Encoding is refused outright.
    if req.headers().contains_key(header::TRANSFER_ENCODING) {
        return response::text(
            StatusCode::BAD_REQUEST,
            "Send the body with a Content-Length header; Transfer-Encoding is not accepted.\n",
        );
    }

    // Files and the health check need no session, so they skip the database.
    match &route {
        Some(Route::Static(name)) => return static_files::serve(name, req.headers()),
        Some(Route::Media(path)) => return media::serve(&app, path).await,
        Some(Route::Healthz) => return response::text(StatusCode::OK, "ok\n"),
        _ => {}
    }

    let (parts, body) = req.into_parts();
    let cookie_token = parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(session::from_cookie_header);
    let https = origin.https || app.config.site.base_url.is_https();

    // Most readers are anonymous and bring no cookie: their public pages come straight
    // from the cache, without a database query or a new session token.
    let is_read = method == Method::GET || method == Method::HEAD;
    let cache_key = match &route {
        Some(route) if is_read && route.is_public_page() => {
            parts.uri.path_and_query().map(|pq| pq.as_str().to_string())
        }
        _ => None,
    };
    let mut version = app.pages.version();
    if cookie_token.is_none() {
        if let Some(page) = cache_key
            .as_ref()
            .and_then(|key| app.pages.get(key, version))
        {
            return page.respond(conditions);
        }
    }

    let user = match &cookie_token {
        Some(token) => {
            let hash = token.hash();
            app.db
                .read(move |conn| db::sessions::user(conn, &hash, db::now_ms()))
                .await
        }
        None => Ok(None),
    };
    let (session, session_is_new) = match (cookie_token, Token::generate()) {
        (Some(token), _) => (token, false),
        (None, Ok(fresh)) => (fresh, true),
        (None, Err(err)) => return plain_500(err),
    };
    let user = match user {
        Ok(user) => user,
        Err(err) => return plain_500(err),
    };

    let body = if method == Method::POST {
        read_body(&app, &parts.headers, body).await
    } else {
        Ok(Bytes::new())
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (form, body) = match body {
        Ok(bytes) => match decode_form(content_type, bytes).await {
            Ok(form) => (form, Ok(())),
            Err(err) => (Form::default(), Err(err)),
        },
        Err(err) => (Form::default(), Err(err)),
    };

    let ctx = Ctx::new(CtxParts {
        app,
        path: path.clone(),
        query: parts.uri.query().map(str::to_string),
        form,
        client: origin.client,
        https,
        user,
        session,
        session_is_new,
    });

    // Anonymous readers of public pages share one cached copy per address (visitors
    // with a cookie but no signed-in session too). The version was read before
    // rendering, so a write during the render leaves the copy stale.
    let cache_key = cache_key.filter(|_| ctx.user.is_none());
    let _rendering = match &cache_key {
        Some(key) => {
            let lock = ctx.app.pages.render_lock(key).await;
            version = ctx.app.pages.version();
            Some(lock)
        }
        None => None,
    };
    if let Some(page) = cache_key
        .as_ref()
        .and_then(|key| ctx.app.pages.get(key, version))
    {
        return page.respond(conditions);
    }

    let result = match (route, body) {
        (_, Err(err)) => Err(err),
        (None, _) if Route::exists_for_other_method(&method, &path) => {
            Err(WebError::MethodNotAllowed)
        }
        (None, _) => Err(WebError::NotFound),
        (Some(route), Ok(_)) => {
            let csrf_header = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok());
            if method == Method::POST && !ctx.csrf_ok(csrf_header) {
                Err(WebError::Csrf)
            } else {
                dispatch(&ctx, route).await
            }
        }
    };
    let response = match result {
        Ok(response) => response,
        Err(err) if wants_json => err.into_json(ctx.text()),
        Err(err) => err.into_response(&ctx.page()),
    };

    // A visitor who was shown a form gets the cookie its CSRF token belongs to,
    // unless the handler set a session cookie of its own (login, signup).
    let response = match ctx.pending_visitor_session() {
        Some(token) if !response.headers().contains_key(header::SET_COOKIE) => {
            response::with_cookie(response, &session::visitor_cookie(token, ctx.https))
        }
        _ => response,
    };

    let shareable = pages::is_page(&response)
        && !response.headers().contains_key(header::SET_COOKIE)
        && !ctx.csrf_was_rendered();
    match cache_key {
        Some(key) if shareable => {
            // Compressed once, at its best, for every reader after this one.
            let page = Arc::new(PreparedPage::from_response(response, Effort::Best).await);
            ctx.app.pages.put(key, version, Arc::clone(&page));
            page.respond(conditions)
        }
        _ if is_read => pages::finish(response, conditions).await,
        _ => response,
    }
}

async fn dispatch(ctx: &Ctx, route: Route) -> Result<Response, WebError> {
    match route {
        Route::Index => posts::index(ctx).await,
        Route::Post(slug) => posts::show(ctx, slug).await,
        Route::Author(id) => posts::author(ctx, id).await,
        Route::AuthorFeed(id) => syndication::author_feed(ctx, id).await,
        Route::Tag(tag) => posts::tag(ctx, tag).await,
        Route::Feed => syndication::feed(ctx).await,
        Route::Sitemap => syndication::sitemap(ctx).await,
        Route::Robots => Ok(syndication::robots(ctx)),
        Route::Search => search::show(ctx).await,
        Route::Drafts => posts::drafts(ctx).await,
        Route::NewForm => posts::new_form(ctx),
        Route::New => posts::create(ctx).await,
        Route::EditForm(slug) => posts::edit_form(ctx, slug).await,
        Route::Edit(slug) => posts::update(ctx, slug).await,
        Route::Publish(slug) => posts::publish(ctx, slug, true).await,
        Route::Unpublish(slug) => posts::publish(ctx, slug, false).await,
        Route::DeleteConfirm(slug) => posts::delete_confirm(ctx, slug).await,
        Route::Delete(slug) => posts::delete(ctx, slug).await,
        Route::NewComment(slug) => comments::create(ctx, slug).await,
        Route::CloseComments(slug) => comments::close(ctx, slug, true).await,
        Route::OpenComments(slug) => comments::close(ctx, slug, false).await,
        Route::ApproveComment(id) => comments::approve(ctx, id).await,
        Route::HideComment(id) => comments::hide(ctx, id).await,
        Route::DeleteComment(id) => comments::delete(ctx, id).await,
        Route::LoginForm => accounts::login_form(ctx),
        Route::Login => accounts::login(ctx).await,
        Route::Logout => accounts::logout(ctx).await,
        Route::SignupForm => accounts::signup_form(ctx),
        Route::Signup => accounts::signup(ctx).await,
        Route::ProfileForm => accounts::profile_form(ctx),
        Route::Profile => accounts::profile(ctx).await,
        Route::PasswordForm => accounts::password_form(ctx),
        Route::Password => accounts::password(ctx).await,
        Route::ResetForm(token) => accounts::reset_form(ctx, &token).await,
        Route::Reset(token) => accounts::reset(ctx, &token).await,
        Route::Upload => uploads::create(ctx).await,
        Route::Admin(page) => admin::show(ctx, page).await,
        Route::AdminAction(action) => admin::act(ctx, action).await,
        Route::Healthz | Route::Static(_) | Route::Media(_) => Err(WebError::NotFound),
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

/// A body for hyper's `Full`, for handlers that build bytes themselves.
pub fn full(bytes: impl Into<Bytes>) -> Full<Bytes> {
    Full::new(bytes.into())
}
