//! Signed-in browsers: the session a login starts and a logout ends, and the ones an
//! account (or an admin, or `blog users logout`) ends from elsewhere. An ended
//! session's row is gone, so its next request is a visitor's.

use super::security::{self, Event};
use super::{forbidden, ActionError, Blog};
use crate::auth::{throttle, Actor};
use crate::content::{User, UserId};
use crate::db::{self, sessions::Seen};

/// Refresh a session's "last seen" at most this often: not a write per request.
pub const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;

/// A new session for `user` under `token_hash` (never the token the browser brought,
/// so a planted cookie is not adopted); the browser's old session (`old_hash`) and any
/// half-done login of it end, and the account's failed logins are forgotten. `how`
/// says how they proved who they are, for the audit log.
pub fn start(
    blog: Blog,
    user: &User,
    token_hash: &[u8],
    old_hash: &[u8],
    lifetime_ms: i64,
    seen: &Seen,
    how: &'static str,
) -> Result<(), ActionError> {
    let now = db::now_ms();
    blog.db.write_now(|tx| {
        db::sessions::delete(tx, old_hash)?;
        db::factors::delete_challenge(tx, old_hash)?;
        db::sessions::insert(tx, token_hash, user.id, now, now + lifetime_ms, seen)?;
        throttle::record_success(tx, user.email.as_str(), now)?;
        let actor = Actor::User(user.clone());
        security::record(
            tx,
            blog.letters,
            &actor,
            user,
            &Event::Login(how),
            &seen.client,
        )
    })?;
    Ok(())
}

/// Ends one session (logout).
pub fn end(blog: Blog, token_hash: &[u8]) -> Result<(), ActionError> {
    blog.db
        .write_now(|tx| db::sessions::delete(tx, token_hash))?;
    Ok(())
}

/// Notes that a session was used now, from `client`.
pub fn touch(blog: Blog, token_hash: &[u8], client: &str) -> Result<(), ActionError> {
    blog.db
        .write_now(|tx| db::sessions::touch(tx, token_hash, db::now_ms(), client))?;
    Ok(())
}

/// The acting account ends one of its own sessions, named by the key its profile
/// lists; `NotFound` when it has none by that key.
pub fn end_own(blog: Blog, actor: &Actor, key: &str) -> Result<(), ActionError> {
    let user = actor.user().ok_or_else(|| forbidden(actor))?;
    blog.db.write_now(|tx| {
        if !db::sessions::delete_by_key(tx, user.id, key)? {
            return Ok(Err(ActionError::NotFound(format!("no session {key}"))));
        }
        security::record(tx, blog.letters, actor, user, &Event::SessionsEnded(1), "")?;
        Ok(Ok(()))
    })?
}

/// The acting account ends every session of its own but `keep` (this browser's);
/// returns how many ended.
pub fn end_others(blog: Blog, actor: &Actor, keep: &[u8]) -> Result<usize, ActionError> {
    let user = actor.user().ok_or_else(|| forbidden(actor))?;
    Ok(blog
        .db
        .write_now(|tx| security::end_other_sessions(tx, blog.letters, actor, user, keep, ""))?)
}

/// An admin (from `/admin/users` or `blog users logout`) ends every session of an
/// account, their own included. Returns the account and how many ended.
pub fn end_all(blog: Blog, actor: &Actor, id: UserId) -> Result<(User, usize), ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    blog.db.write_now(|tx| {
        let Some(user) = db::users::by_id(tx, id)? else {
            return Ok(Err(ActionError::NotFound(format!(
                "there is no account {id}"
            ))));
        };
        let ended = db::sessions::delete_all(tx, user.id)?;
        security::record(
            tx,
            blog.letters,
            actor,
            &user,
            &Event::SessionsEnded(ended),
            "",
        )?;
        Ok(Ok((user, ended)))
    })?
}
