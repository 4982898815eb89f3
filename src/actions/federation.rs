//! Federation's writes: the activities our posts cause, queued in their transactions
//! (`post_changed`); what a verified activity from another server changes
//! (`receive`); our writers following, replying to and unfollowing remote accounts;
//! admins' blocks; the delivery worker's record of each try.

use rusqlite::Connection;
use serde_json::Value;

use super::{audit, forbidden, ActionError, Blog};
use crate::auth::Actor;
use crate::content::{excerpt, CommentBody, CommentStatus, Kind, Post};
use crate::db::federation::{self as store, KeyPair, NewReceived, RemoteActor};
use crate::db::{self, audit::Action, comments::NewComment};
use crate::federation::actors::{handle_from_name, BLOG_HANDLE};
use crate::federation::documents;
use crate::federation::incoming::{Activity, Object, OurPost};
use crate::federation::{domain_of, keys, Federation, Local};

/// What happened to a post, as its followers must hear it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Published (again, after a return to draft).
    Published,
    /// A published post's new text.
    Updated,
    /// Deleted, or back to draft: gone from readers' timelines.
    Withdrawn,
}

/// Queues the activity for `post` (as it is now) to every follower of its author and
/// of the blog, one delivery per server. Pages are not federated.
pub(super) fn post_changed(
    tx: &Connection,
    fed: Option<&Federation>,
    post: &Post,
    change: Change,
) -> rusqlite::Result<()> {
    let Some(fed) = fed else {
        return Ok(());
    };
    if post.kind != Kind::Post {
        return Ok(());
    }
    let author = Local::User(post.author_id);
    let (author_key, blog_key) = (author.key(), Local::Blog.key());
    let now = db::now_ms();
    let queued = match change {
        Change::Published | Change::Updated => {
            let kind = if change == Change::Published {
                "Create"
            } else {
                "Update"
            };
            let create = documents::activity(
                fed,
                &new_id(fed)?,
                kind,
                author,
                documents::article(fed, post),
            );
            let to_author = store::inboxes_of_followers(tx, &[&author_key])?;
            let mut queued = store::queue(tx, &author_key, &create.to_string(), &to_author, now)?;
            // The blog's followers see the post as the blog's boost of it.
            let kind = if change == Change::Published {
                "Announce"
            } else {
                "Update"
            };
            let to_blog: Vec<String> = store::inboxes_of_followers(tx, &[&blog_key])?
                .into_iter()
                .filter(|inbox| kind == "Announce" || !to_author.contains(inbox))
                .collect();
            let blog_activity = match kind {
                "Announce" => documents::activity(
                    fed,
                    &new_id(fed)?,
                    "Announce",
                    Local::Blog,
                    Value::String(fed.url(&crate::federation::actors::post_path(post.id))),
                ),
                _ => create,
            };
            let signer = if kind == "Announce" {
                &blog_key
            } else {
                &author_key
            };
            queued += store::queue(tx, signer, &blog_activity.to_string(), &to_blog, now)?;
            queued
        }
        Change::Withdrawn => {
            let delete = documents::delete_post(fed, &new_id(fed)?, post);
            let inboxes = store::inboxes_of_followers(tx, &[&author_key, &blog_key])?;
            store::queue(tx, &author_key, &delete.to_string(), &inboxes, now)?
        }
    };
    if queued > 0 {
        fed.wake();
    }
    Ok(())
}

/// Gives every writer without a handle one, from their display name (`author`,
/// `author2`, … when nothing of it is left or it is taken).
pub fn ensure_handles(blog: Blog) -> Result<(), ActionError> {
    let missing = blog.db.read_now(store::writers_without_handle)?;
    if missing.is_empty() {
        return Ok(());
    }
    blog.db.write_now(|tx| {
        for (user, name) in store::writers_without_handle(tx)? {
            let base = handle_from_name(&name);
            let mut n = 1;
            loop {
                let handle = match n {
                    1 => base.clone(),
                    n => format!("{base}{n}"),
                };
                if handle != BLOG_HANDLE && store::claim_handle(tx, user, &handle)? {
                    break;
                }
                n += 1;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// The actor's key pair, made and stored the first time it is asked for.
pub fn key_pair(blog: Blog, actor: Local) -> Result<KeyPair, ActionError> {
    let key = actor.key();
    if let Some(pair) = blog.db.read_now(|conn| store::key_pair(conn, &key))? {
        return Ok(pair);
    }
    let made = keys::generate()?;
    blog.db
        .write_now(|tx| {
            store::insert_key_pair(tx, &key, &made, db::now_ms())?;
            store::key_pair(tx, &key)
        })?
        .ok_or_else(|| ActionError::Internal(anyhow::anyhow!("the key pair of {key} was not kept")))
}

/// Keeps what a remote actor's server said of it.
pub fn save_remote_actor(blog: Blog, actor: &RemoteActor) -> Result<(), ActionError> {
    blog.db
        .write_now(|tx| store::save_remote_actor(tx, actor))?;
    Ok(())
}

/// What taking an activity in did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Done(&'static str),
    /// Taken in before: nothing changed.
    Replayed,
    /// From a blocked account or domain: dropped.
    Blocked,
    Ignored(String),
}

/// Where a verified activity lands.
pub struct Inbound<'a> {
    pub fed: &'a Federation,
    pub comments: &'a crate::config::Comments,
    /// Who sent it: the owner of the key that signed it.
    pub actor: &'a RemoteActor,
    /// The activity's own id, by which a replay is known.
    pub id: &'a str,
}

/// Stores what a verified activity changes, in one transaction with the record of
/// its id, so a replay changes nothing.
pub fn receive(blog: Blog, inbound: &Inbound, activity: Activity) -> Result<Received, ActionError> {
    let now = db::now_ms();
    let actor = inbound.actor;
    Ok(blog.db.write_now(|tx| {
        if store::is_blocked(tx, &actor.id, &domain_of(&actor.id))? {
            return Ok(Received::Blocked);
        }
        if !inbound.id.is_empty() && !store::first_sighting(tx, inbound.id, now)? {
            return Ok(Received::Replayed);
        }
        store::save_remote_actor(tx, actor)?;
        take_in(tx, blog, inbound, activity, now)
    })?)
}

fn take_in(
    tx: &Connection,
    blog: Blog,
    inbound: &Inbound,
    activity: Activity,
    now: i64,
) -> rusqlite::Result<Received> {
    let (fed, actor) = (inbound.fed, inbound.actor);
    Ok(match activity {
        Activity::Follow { object, body, .. } => {
            if let Local::User(user) = object {
                if !store::is_writer(tx, user)? {
                    return Ok(Received::Ignored("a Follow of nobody here".into()));
                }
            }
            store::add_follower(tx, &object.key(), &actor.id, now)?;
            let mut body = body;
            if let Some(fields) = body.as_object_mut() {
                fields.remove("@context");
            }
            let accept = documents::to_one(fed, &new_id(fed)?, "Accept", object, &actor.id, body);
            store::queue(
                tx,
                &object.key(),
                &accept.to_string(),
                std::slice::from_ref(&actor.inbox),
                now,
            )?;
            fed.wake();
            Received::Done("follower added")
        }
        Activity::UndoFollow { object } => {
            store::remove_follower(tx, &object.key(), &actor.id)?;
            Received::Done("follower removed")
        }
        Activity::Accept { follow_id } => match store::accept_following(tx, &follow_id, &actor.id)?
        {
            true => Received::Done("follow accepted"),
            false => Received::Ignored("an Accept of no Follow of ours".into()),
        },
        Activity::Create(object) | Activity::Update(object) if object.attributed_to != actor.id => {
            Received::Ignored(format!("a note attributed to {}", object.attributed_to))
        }
        Activity::Create(object) => created(tx, blog, inbound, &object, now)?,
        Activity::Update(object) => {
            if let Some(comment) = store::comment_by_remote_id(tx, &object.id, &actor.id)? {
                db::comments::set_body(tx, comment, comment_text(&object).as_str())?;
                Received::Done("reply updated")
            } else if store::received_by_id(tx, &object.id)?.is_some() {
                save_received(tx, actor, &object, now)?;
                Received::Done("post updated")
            } else {
                Received::Ignored("an Update of nothing we keep".into())
            }
        }
        Activity::Delete { object_id } if object_id == actor.id => {
            store::remove_follower_everywhere(tx, &actor.id)?;
            store::remove_comments_of(tx, &actor.id)?;
            Received::Done("account removed")
        }
        Activity::Delete { object_id } => {
            if let Some(comment) = store::comment_by_remote_id(tx, &object_id, &actor.id)? {
                db::comments::delete(tx, comment)?;
                Received::Done("reply removed")
            } else if store::remove_received(tx, &object_id, &actor.id)? {
                Received::Done("post removed")
            } else {
                Received::Ignored("a Delete of nothing we keep".into())
            }
        }
        Activity::Like { id, post } => react(tx, &id, &post, "like", &actor.id, now)?,
        Activity::Announce { id, post } => react(tx, &id, &post, "boost", &actor.id, now)?,
        Activity::UndoReaction { id } => match store::remove_reaction(tx, &id, &actor.id)? {
            true => Received::Done("reaction removed"),
            false => Received::Ignored("an Undo of nothing we keep".into()),
        },
        Activity::Ignored(why) => Received::Ignored(why),
    })
}

fn new_id(fed: &Federation) -> rusqlite::Result<String> {
    documents::new_activity_id(fed)
        .map_err(|err| rusqlite::Error::ToSqlConversionFailure(err.into()))
}

/// A reply to one of our posts becomes a comment under the moderation rules; a post
/// from an account one of our writers follows is kept for `/admin/fediverse`.
fn created(
    tx: &Connection,
    blog: Blog,
    inbound: &Inbound,
    object: &Object,
    now: i64,
) -> rusqlite::Result<Received> {
    let (fed, actor) = (inbound.fed, inbound.actor);
    let ours = object
        .in_reply_to
        .as_deref()
        .and_then(|url| crate::federation::incoming::our_post(fed, url));
    if let Some(target) = ours {
        let Some(post) = our_published_post(tx, &target)? else {
            return Ok(Received::Ignored("a reply to no published post".into()));
        };
        if !inbound.comments.enabled || db::comments::closed(tx, post.id)? {
            return Ok(Received::Ignored("comments are closed".into()));
        }
        if store::comment_by_remote_id(tx, &object.id, &actor.id)?.is_some() {
            return Ok(Received::Ignored("a reply taken in before".into()));
        }
        let body = comment_text(object);
        let status = match inbound.comments.moderation {
            true => CommentStatus::Pending,
            false => CommentStatus::Approved,
        };
        let new = NewComment {
            post_id: post.id,
            author_id: None,
            author_name: &actor.name,
            body: &body,
            status,
            client: &format!("ap:{}", domain_of(&actor.id)),
        };
        let id = db::comments::insert(tx, &new, object.published.unwrap_or(now).min(now))?;
        store::set_comment_origin(tx, id, &actor.id, &actor.url, &object.id)?;
        let notice = super::mail::NewComment {
            id,
            by: None,
            name: &actor.name,
            body: body.as_str(),
            status,
        };
        super::mail::comment_notice(tx, blog.letters, &post, &notice)?;
        return Ok(Received::Done("reply added as a comment"));
    }
    if object.in_reply_to.is_none() && store::is_followed(tx, &actor.id)? {
        save_received(tx, actor, object, now)?;
        return Ok(Received::Done("post kept"));
    }
    Ok(Received::Ignored(
        "neither a reply to us nor from someone we follow".into(),
    ))
}

fn our_published_post(tx: &Connection, target: &OurPost) -> rusqlite::Result<Option<Post>> {
    let post = match target {
        OurPost::Id(id) => db::posts::by_id(tx, *id)?,
        OurPost::Slug(slug) => db::posts::by_slug(tx, slug)?,
    };
    Ok(post.filter(|post| post.is_published() && post.kind == Kind::Post))
}

/// A remote note's text, as a comment keeps it (plain text, within the length limit).
fn comment_text(object: &Object) -> CommentBody {
    let text: String = excerpt::text_of(&object.content)
        .chars()
        .take(crate::content::comment::MAX_BODY_CHARS)
        .collect();
    text.parse()
        .unwrap_or_else(|_| CommentBody::from_storage(object.url.clone()))
}

fn save_received(
    tx: &Connection,
    actor: &RemoteActor,
    object: &Object,
    now: i64,
) -> rusqlite::Result<()> {
    let content = crate::content::html::sanitize(&object.content, "");
    let received = NewReceived {
        object_id: &object.id,
        actor: &actor.id,
        url: &object.url,
        name: &object.name,
        content: content.as_str(),
        published_at: object.published.unwrap_or(now),
    };
    store::save_received(tx, &received, now)
}

fn react(
    tx: &Connection,
    id: &str,
    target: &OurPost,
    kind: &str,
    actor: &str,
    now: i64,
) -> rusqlite::Result<Received> {
    let Some(post) = our_published_post(tx, target)? else {
        return Ok(Received::Ignored("a reaction to no published post".into()));
    };
    store::add_reaction(tx, id, post.id, kind, actor, now)?;
    Ok(Received::Done("reaction counted"))
}

// --- Our writers and other servers' accounts ----------------------------------------

/// The writer (or, from the command line, nobody) acting: who follows and replies.
fn writer(actor: &Actor) -> Result<Local, ActionError> {
    match actor.user() {
        Some(user) if actor.may_write() => Ok(Local::User(user.id)),
        _ => Err(forbidden(actor)),
    }
}

/// The acting writer follows `remote`: a Follow is sent, and the account's posts are
/// kept once it accepts.
pub fn follow(
    blog: Blog,
    fed: &Federation,
    actor: &Actor,
    remote: &RemoteActor,
) -> Result<(), ActionError> {
    let local = writer(actor)?;
    let now = db::now_ms();
    blog.db.write_now(|tx| {
        store::save_remote_actor(tx, remote)?;
        let id = new_id(fed)?;
        let follow = documents::to_one(
            fed,
            &id,
            "Follow",
            local,
            &remote.id,
            Value::String(remote.id.clone()),
        );
        store::add_following(tx, &local.key(), &remote.id, &id, now)?;
        store::queue(
            tx,
            &local.key(),
            &follow.to_string(),
            std::slice::from_ref(&remote.inbox),
            now,
        )
    })?;
    fed.wake();
    Ok(())
}

/// The acting writer stops following `remote`: an Undo of the Follow is sent.
pub fn unfollow(
    blog: Blog,
    fed: &Federation,
    actor: &Actor,
    remote: &str,
) -> Result<(), ActionError> {
    let local = writer(actor)?;
    let now = db::now_ms();
    blog.db.write_now(|tx| {
        let Some(follow_id) = store::remove_following(tx, &local.key(), remote)? else {
            return Ok(Err(ActionError::NotFound(format!(
                "you do not follow {remote}"
            ))));
        };
        let Some(account) = store::remote_actor(tx, remote)? else {
            return Ok(Ok(()));
        };
        let follow = documents::to_one(
            fed,
            &follow_id,
            "Follow",
            local,
            remote,
            Value::String(remote.into()),
        );
        let undo = documents::to_one(fed, &new_id(fed)?, "Undo", local, remote, follow);
        store::queue(tx, &local.key(), &undo.to_string(), &[account.inbox], now)?;
        Ok(Ok(()))
    })??;
    fed.wake();
    Ok(())
}

/// The acting writer's reply to a received post: a Note to its author.
pub fn reply(
    blog: Blog,
    fed: &Federation,
    actor: &Actor,
    object_id: &str,
    text: &CommentBody,
) -> Result<(), ActionError> {
    let local = writer(actor)?;
    let Local::User(author) = local else {
        return Err(forbidden(actor));
    };
    let now = db::now_ms();
    blog.db.write_now(|tx| {
        let Some(post) = store::received_by_id(tx, object_id)? else {
            return Ok(Err(ActionError::NotFound(format!(
                "no post {object_id} was received"
            ))));
        };
        let Some(account) = store::remote_actor(tx, &post.actor)? else {
            return Ok(Err(ActionError::NotFound(format!(
                "{} is not known",
                post.actor
            ))));
        };
        let html = note_html(text);
        let id = store::insert_note(tx, author, object_id, &html, now)?;
        let note = documents::note(fed, id, local, object_id, &account.id, &html, now);
        let create = documents::activity(fed, &new_id(fed)?, "Create", local, note);
        store::queue(
            tx,
            &local.key(),
            &create.to_string(),
            &[account.delivery_inbox().to_string()],
            now,
        )?;
        Ok(Ok(()))
    })??;
    fed.wake();
    Ok(())
}

/// A reply's text as the HTML of a note: paragraphs, escaped.
pub fn note_html(text: &CommentBody) -> String {
    text.as_str()
        .split("\n\n")
        .map(|paragraph| {
            let escaped = maud::html! { (paragraph) }.into_string();
            format!("<p>{}</p>", escaped.replace('\n', "<br>"))
        })
        .collect()
}

/// Blocks an account (its actor URL) or a whole domain: nothing from it is taken in,
/// and what it sent before (follows, replies, likes, posts) goes.
pub fn block(blog: Blog, actor: &Actor, target: &str) -> Result<(), ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    let target = target.trim();
    let is_actor = target.starts_with("https://") || target.starts_with("http://");
    let is_domain = !target.is_empty()
        && !is_actor
        && target
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !is_actor && !is_domain {
        return Err(ActionError::Refused("federation.block_invalid"));
    }
    blog.db.write_now(|tx| {
        store::block(tx, target, db::now_ms())?;
        store::forget_blocked(tx, target)?;
        audit(tx, actor, Action::FederationBlock, target, "")
    })?;
    Ok(())
}

pub fn unblock(blog: Blog, actor: &Actor, target: &str) -> Result<(), ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    blog.db.write_now(|tx| {
        if store::unblock(tx, target)? {
            audit(tx, actor, Action::FederationUnblock, target, "")?;
        }
        Ok(())
    })?;
    Ok(())
}

// --- The delivery worker's records ---------------------------------------------------

/// What became of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    Retry { at: i64, error: String },
    Failed(String),
}

pub fn record(blog: Blog, id: i64, outcome: &Outcome) -> Result<(), ActionError> {
    blog.db.write_now(|tx| match outcome {
        Outcome::Sent => store::mark_sent(tx, id),
        Outcome::Retry { at, error } => store::mark_retry(tx, id, *at, error),
        Outcome::Failed(error) => store::mark_failed(tx, id, error),
    })?;
    Ok(())
}

/// Forgets deliveries and activity ids older than a month.
pub fn prune(blog: Blog) -> Result<(), ActionError> {
    let month_ago = db::now_ms() - 30 * 24 * 3600 * 1000;
    blog.db.write_now(|tx| store::prune(tx, month_ago))?;
    Ok(())
}
