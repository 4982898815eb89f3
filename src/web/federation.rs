//! Federation's endpoints, answered before the page router: they speak JSON to other
//! servers, carry no session, no CSRF token and no page cache. WebFinger and NodeInfo
//! at their standard paths; our actors (`/ap/blog`, `/ap/users/{id}`), their inboxes,
//! outboxes and collections; posts as `Article`s (`/ap/posts/{id}`), replies as
//! `Note`s; the shared inbox `/ap/inbox`. A post's or author's page asked for as
//! ActivityPub JSON is sent to its actor or object. With `[federation]` off, none of
//! these exist, and a read-only follower sends them all to the primary.

use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde_json::Value;

use crate::actions::federation::{self as act, Inbound, Received};
use crate::app::App;
use crate::content::{PostId, Slug, UserId};
use crate::db::{self, federation as store};
use crate::federation::documents::{self, ActorInfo};
use crate::federation::incoming;
use crate::federation::remote::{self, Signer};
use crate::federation::signatures::{self, Refusal};
use crate::federation::{actors, Federation, Local, ACTIVITY_JSON, MAX_ACTIVITY_BYTES};
use crate::serving::response::{self, Response};
use crate::urls;

/// The answer when `req` is for one of federation's endpoints; the request back
/// otherwise.
pub async fn answer(app: &Arc<App>, req: Request<Incoming>) -> Result<Response, Request<Incoming>> {
    // A read-only follower makes no keys and takes nothing in: the primary answers
    // (`web::send_to_primary` redirects there).
    let Some(fed) = app.federation.clone().filter(|_| !app.follower) else {
        return Err(req);
    };
    let path = req.uri().path().to_string();
    let get = req.method() == Method::GET || req.method() == Method::HEAD;
    let post = req.method() == Method::POST;
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let result = match (get, post, segs.as_slice()) {
        (true, _, [".well-known", "webfinger"]) => webfinger(app, &fed, req.uri().query()).await,
        (true, _, [".well-known", "nodeinfo"]) => Ok(json(&documents::nodeinfo_links(&fed))),
        (true, _, ["nodeinfo", "2.1"]) => nodeinfo(app).await,
        (true, _, ["ap", "posts", id]) => match id.parse() {
            Ok(id) => article(app, &fed, id).await,
            Err(_) => Ok(not_found()),
        },
        (true, _, ["ap", "notes", id]) => match id.parse() {
            Ok(id) => note(app, &fed, id).await,
            Err(_) => Ok(not_found()),
        },
        (_, true, ["ap", "inbox"]) => inbox(app, &fed, req).await,
        (_, _, ["ap", ..]) => match actor_route(&segs[1..]) {
            Some((actor, rest)) => match (get, post, rest) {
                (true, _, None) => actor_document(app, &fed, actor).await,
                (true, _, Some("outbox")) => outbox(app, &fed, actor).await,
                (true, _, Some("followers")) => followers(app, &fed, actor).await,
                (true, _, Some("following")) => Ok(json(&documents::counted_collection(
                    &fed.url(&format!("{}/following", actor.path())),
                    0,
                ))),
                (_, true, Some("inbox")) => inbox(app, &fed, req).await,
                _ => Ok(not_found()),
            },
            None => Ok(not_found()),
        },
        (true, _, ["posts", slug]) if wants_activity(&req) => match slug.parse::<Slug>() {
            Ok(slug) => post_object(app, &fed, slug).await,
            Err(_) => return Err(req),
        },
        (true, _, ["authors", id]) if wants_activity(&req) => match id.parse() {
            Ok(id) => Ok(response::redirect_found(
                &fed.url(&Local::User(UserId(id)).path()),
            )),
            Err(_) => return Err(req),
        },
        _ => return Err(req),
    };
    Ok(result.unwrap_or_else(|err| {
        tracing::error!("federation: {err:#}");
        response::text(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error\n")
    }))
}

/// `blog` or `users/{id}`, then what follows.
fn actor_route<'a>(segs: &[&'a str]) -> Option<(Local, Option<&'a str>)> {
    match segs {
        ["blog"] => Some((Local::Blog, None)),
        ["blog", rest] => Some((Local::Blog, Some(*rest))),
        ["users", id] => Some((Local::User(UserId(id.parse().ok()?)), None)),
        ["users", id, rest] => Some((Local::User(UserId(id.parse().ok()?)), Some(*rest))),
        _ => None,
    }
}

fn wants_activity(req: &Request<Incoming>) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|accept| accept.contains(ACTIVITY_JSON) || accept.contains("application/ld+json"))
}

fn json(value: &Value) -> Response {
    json_as(value, "application/activity+json")
}

fn json_as(value: &Value, content_type: &'static str) -> Response {
    let mut response = response::document(
        content_type,
        value.to_string(),
        HeaderValue::from_static("public, max-age=60"),
    );
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

fn not_found() -> Response {
    response::text(StatusCode::NOT_FOUND, "Not found\n")
}

fn refused(status: StatusCode, why: &str) -> Response {
    let mut response = response::text(status, "");
    *response.body_mut() = http_body_util::Full::new(Bytes::from(format!("{why}\n")));
    response
}

async fn webfinger(
    app: &Arc<App>,
    fed: &Federation,
    query: Option<&str>,
) -> anyhow::Result<Response> {
    let resource = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(name, _)| name == "resource")
        .map(|(_, value)| value.into_owned());
    let Some(resource) = resource else {
        return Ok(refused(
            StatusCode::BAD_REQUEST,
            "the query needs ?resource=acct:name@host",
        ));
    };
    let handle = match resource
        .strip_prefix("acct:")
        .and_then(|acct| acct.rsplit_once('@'))
    {
        Some((handle, host)) if host.eq_ignore_ascii_case(&fed.host) => handle.to_lowercase(),
        Some(_) => return Ok(not_found()),
        None => match Local::parse(&fed.base, &resource) {
            Some((actor, "")) => {
                let Some(handle) = handle_of(app, actor).await? else {
                    return Ok(not_found());
                };
                handle
            }
            _ => return Ok(not_found()),
        },
    };
    let Some(actor) = actor_by_handle(app, &handle).await? else {
        return Ok(not_found());
    };
    let page = page_of(fed, actor);
    Ok(json_as(
        &documents::webfinger(fed, &handle, actor, &page),
        "application/jrd+json",
    ))
}

async fn actor_by_handle(app: &Arc<App>, handle: &str) -> anyhow::Result<Option<Local>> {
    if handle == actors::BLOG_HANDLE {
        return Ok(Some(Local::Blog));
    }
    if !actors::is_handle(handle) {
        return Ok(None);
    }
    app.act(act::ensure_handles).await?;
    let handle = handle.to_string();
    Ok(app
        .db
        .read(move |conn| store::user_by_handle(conn, &handle))
        .await?
        .map(Local::User))
}

/// The actor's handle; `None` for a user who is not an active writer.
async fn handle_of(app: &Arc<App>, actor: Local) -> anyhow::Result<Option<String>> {
    let Local::User(user) = actor else {
        return Ok(Some(actors::BLOG_HANDLE.into()));
    };
    if !app
        .db
        .read(move |conn| store::is_writer(conn, user))
        .await?
    {
        return Ok(None);
    }
    app.act(act::ensure_handles).await?;
    app.db.read(move |conn| store::handle_of(conn, user)).await
}

fn page_of(fed: &Federation, actor: Local) -> String {
    match actor {
        Local::Blog => fed.url("/"),
        Local::User(id) => fed.url(&urls::author(id)),
    }
}

async fn nodeinfo(app: &Arc<App>) -> anyhow::Result<Response> {
    let (users, posts) = app
        .db
        .read(|conn| {
            let users = store::writer_count(conn)?;
            Ok((users, db::posts::count_published(conn, None)?))
        })
        .await?;
    let site = app.site().await?;
    let doc = documents::nodeinfo(
        users,
        i64::try_from(posts).unwrap_or(i64::MAX),
        app.config.accounts.open_registration,
        &site.title,
    );
    Ok(json_as(
        &doc,
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"",
    ))
}

async fn actor_document(
    app: &Arc<App>,
    fed: &Federation,
    actor: Local,
) -> anyhow::Result<Response> {
    let Some(handle) = handle_of(app, actor).await? else {
        return Ok(not_found());
    };
    let pair = app.act(move |blog| act::key_pair(blog, actor)).await?;
    let site = app.site().await?;
    let (name, summary, icon) = match actor {
        Local::Blog => (site.title.clone(), site.description.clone(), None),
        Local::User(id) => {
            let Some(user) = app.db.read(move |conn| db::users::by_id(conn, id)).await? else {
                return Ok(not_found());
            };
            // The display name, never the address's local part.
            let name = match user.display_name.trim() {
                "" => handle.clone(),
                name => name.to_string(),
            };
            let icon = user
                .avatar
                .map(|avatar| fed.url(&urls::media(&avatar.large)));
            (name, user.bio, icon)
        }
    };
    let info = ActorInfo {
        actor,
        handle: &handle,
        name: &name,
        summary: &summary,
        page: page_of(fed, actor),
        icon,
        public_pem: &pair.public_pem,
    };
    Ok(json(&documents::actor(fed, &info)))
}

async fn outbox(app: &Arc<App>, fed: &Federation, actor: Local) -> anyhow::Result<Response> {
    if handle_of(app, actor).await?.is_none() {
        return Ok(not_found());
    }
    let author = match actor {
        Local::Blog => None,
        Local::User(id) => Some(id),
    };
    let (total, posts) = app
        .db
        .read(move |conn| {
            Ok((
                db::posts::count_published(conn, author)?,
                db::posts::published(conn, author, 20, 0)?,
            ))
        })
        .await?;
    let id = fed.url(&format!("{}/outbox", actor.path()));
    let total = i64::try_from(total).unwrap_or(i64::MAX);
    Ok(json(&documents::outbox(fed, &id, total, &posts)))
}

async fn followers(app: &Arc<App>, fed: &Federation, actor: Local) -> anyhow::Result<Response> {
    if handle_of(app, actor).await?.is_none() {
        return Ok(not_found());
    }
    let key = actor.key();
    let total = app
        .db
        .read(move |conn| store::follower_count(conn, &key))
        .await?;
    let id = fed.url(&format!("{}/followers", actor.path()));
    Ok(json(&documents::counted_collection(&id, total)))
}

async fn article(app: &Arc<App>, fed: &Federation, id: PostId) -> anyhow::Result<Response> {
    let post = app.db.read(move |conn| db::posts::by_id(conn, id)).await?;
    match post.filter(|post| post.is_published() && post.kind == crate::content::Kind::Post) {
        Some(post) => Ok(json(&documents::article_document(fed, &post))),
        None => Ok(not_found()),
    }
}

/// A post's page asked for as ActivityPub: its `Article`'s address.
async fn post_object(app: &Arc<App>, fed: &Federation, slug: Slug) -> anyhow::Result<Response> {
    let post = app
        .db
        .read(move |conn| db::posts::by_slug(conn, &slug))
        .await?;
    match post.filter(|post| post.is_published() && post.kind == crate::content::Kind::Post) {
        Some(post) => Ok(response::redirect_found(
            &fed.url(&actors::post_path(post.id)),
        )),
        None => Ok(not_found()),
    }
}

async fn note(app: &Arc<App>, fed: &Federation, id: i64) -> anyhow::Result<Response> {
    let Some(note) = app.db.read(move |conn| store::note(conn, id)).await? else {
        return Ok(not_found());
    };
    let to = app
        .db
        .read({
            let of = note.in_reply_to.clone();
            move |conn| Ok(store::received_by_id(conn, &of)?.map(|post| post.actor))
        })
        .await?
        .unwrap_or_default();
    let mut doc = documents::note(
        fed,
        note.id,
        Local::User(note.author_id),
        &note.in_reply_to,
        &to,
        &note.content,
        note.created_at,
    );
    doc["@context"] = Value::String("https://www.w3.org/ns/activitystreams".into());
    Ok(json(&doc))
}

/// An inbox: the body within `MAX_ACTIVITY_BYTES`, the signature checked (headers,
/// Date, Digest), the key fetched and its owner matched with the activity's actor,
/// the signature verified; only then is anything stored. Refusals are one line.
async fn inbox(
    app: &Arc<App>,
    fed: &Federation,
    req: Request<Incoming>,
) -> anyhow::Result<Response> {
    let (parts, body) = req.into_parts();
    let announced = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|n| n > MAX_ACTIVITY_BYTES) {
        return Ok(too_large());
    }
    let body = match Limited::new(body, MAX_ACTIVITY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => return Ok(too_large()),
        Err(_) => {
            return Ok(refused(
                StatusCode::BAD_REQUEST,
                "the body could not be read",
            ))
        }
    };
    let target = parts.uri.path_and_query().map_or_else(
        || parts.uri.path().to_string(),
        |pq| pq.as_str().to_string(),
    );
    let claimed = match signatures::check_post(&target, &parts.headers, &body, SystemTime::now()) {
        Ok(claimed) => claimed,
        Err(refusal) => return Ok(unauthorized(&refusal)),
    };
    let Ok(doc) = serde_json::from_slice::<Value>(&body) else {
        return Ok(refused(StatusCode::BAD_REQUEST, "the body is not JSON"));
    };
    let Some(actor_id) = incoming::actor_of(&doc).map(str::to_string) else {
        return Ok(refused(
            StatusCode::BAD_REQUEST,
            "the activity names no actor",
        ));
    };
    let key_id = claimed.key_id().to_string();
    let actor = match signer_of(app, fed, &key_id, &actor_id, &claimed).await {
        Ok(actor) => actor,
        Err(refusal) => return Ok(unauthorized(&refusal)),
    };
    let id = crate::federation::remote::str_of(&doc, "id")
        .unwrap_or("")
        .to_string();
    let activity = incoming::read(fed, &doc);
    let comments = app.config.comments.clone();
    let fed = fed.clone();
    let received = app
        .act(move |blog| {
            let inbound = Inbound {
                fed: &fed,
                comments: &comments,
                actor: &actor,
                id: &id,
            };
            act::receive(blog, &inbound, activity)
        })
        .await?;
    match &received {
        Received::Done(what) => tracing::info!("federation: from {actor_id}: {what}"),
        Received::Replayed => tracing::info!("federation: from {actor_id}: a replay, ignored"),
        Received::Blocked => tracing::info!("federation: from {actor_id}: blocked"),
        Received::Ignored(why) => tracing::debug!("federation: from {actor_id}: ignored, {why}"),
    }
    Ok(refused(StatusCode::ACCEPTED, "accepted"))
}

fn too_large() -> Response {
    refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        "the activity is larger than 256 KiB",
    )
}

fn unauthorized(refusal: &Refusal) -> Response {
    tracing::info!("federation: an inbox POST was refused: {refusal}");
    refused(StatusCode::UNAUTHORIZED, &refusal.to_string())
}

/// The remote actor whose key signed the request, after checking that the key is
/// its own and the actor is the activity's. The cached copy is tried first; a
/// signature it does not verify fetches the actor again once (keys rotate).
async fn signer_of(
    app: &Arc<App>,
    fed: &Federation,
    key_id: &str,
    actor_id: &str,
    claimed: &signatures::Claimed,
) -> Result<store::RemoteActor, Refusal> {
    let key_owner = key_id.split('#').next().unwrap_or(key_id).to_string();
    let cached = {
        let owner = key_owner.clone();
        app.db
            .read(move |conn| store::remote_actor(conn, &owner))
            .await
            .ok()
            .flatten()
    };
    if let Some(actor) = cached.filter(|actor| actor.key_id == key_id) {
        if actor.id != actor_id {
            return Err(Refusal::NotTheActor(
                key_id.into(),
                actor.id,
                actor_id.into(),
            ));
        }
        if claimed.holds(&actor.public_pem) {
            return Ok(actor);
        }
    }
    let actor = fetch_actor(app, fed, &key_owner)
        .await
        .map_err(|err| Refusal::NoKey(key_id.into(), format!("{err:#}")))?;
    if actor.key_id != key_id {
        return Err(Refusal::NoKey(
            key_id.into(),
            format!("{} has another key", actor.id),
        ));
    }
    if actor.id != actor_id {
        return Err(Refusal::NotTheActor(
            key_id.into(),
            actor.id,
            actor_id.into(),
        ));
    }
    if !claimed.holds(&actor.public_pem) {
        return Err(Refusal::Forged(key_id.into()));
    }
    Ok(actor)
}

/// Fetches a remote actor, asking with the blog's signature (servers in secure mode
/// answer only signed requests).
pub async fn fetch_actor(
    app: &Arc<App>,
    fed: &Federation,
    url: &str,
) -> anyhow::Result<store::RemoteActor> {
    let pair = app.act(|blog| act::key_pair(blog, Local::Blog)).await?;
    let key_id = format!("{}#main-key", fed.url(&Local::Blog.path()));
    let (app, url) = (Arc::clone(app), url.to_string());
    tokio::task::spawn_blocking(move || {
        let signer = Signer {
            key_id: &key_id,
            private_pem: &pair.private_pem,
        };
        remote::fetch_actor(app.outbound(), &url, Some(&signer))
    })
    .await?
}
