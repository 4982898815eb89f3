//! Passkeys: adding, naming and removing an account's own, noting each login with
//! one, and the server-side state of WebAuthn ceremonies between their two requests.
//! Adding or removing one ends the account's other sessions.

use super::security::{self, Event};
use super::{forbidden, ActionError, Blog};
use crate::auth::Actor;
use crate::db::{self, passkeys::NewPasskey};

/// How long a ceremony (the browser asking its authenticator) may take.
pub const CEREMONY_MS: i64 = 5 * 60 * 1000;

/// A passkey the browser just made, checked, to be stored.
pub struct Made {
    pub credential_id: Vec<u8>,
    pub user_handle: String,
    pub name: String,
    /// The library's record, as JSON.
    pub passkey: String,
}

/// Stores a new passkey of the acting account; every other session ends.
pub fn add(
    blog: Blog,
    actor: &Actor,
    made: &Made,
    keep: &[u8],
    client: &str,
) -> Result<i64, ActionError> {
    let user = actor.user().ok_or_else(|| forbidden(actor))?;
    let written = blog.db.write_now(|tx| {
        let new = NewPasskey {
            user: user.id,
            credential_id: &made.credential_id,
            user_handle: &made.user_handle,
            name: &made.name,
            passkey: &made.passkey,
        };
        let id = db::passkeys::insert(tx, &new, db::now_ms())?;
        let what = format!("passkey {}", made.name);
        security::record(
            tx,
            blog.letters,
            actor,
            user,
            &Event::FactorAdded(what),
            client,
        )?;
        security::end_other_sessions(tx, blog.letters, actor, user, keep, client)?;
        Ok(id)
    });
    match written {
        Ok(id) => Ok(id),
        Err(err) if db::is_unique_violation(&err) => {
            Err(ActionError::Refused("problems.passkey_exists"))
        }
        Err(err) => Err(err.into()),
    }
}

/// Renames one of the acting account's passkeys.
pub fn rename(blog: Blog, actor: &Actor, id: i64, name: &str) -> Result<(), ActionError> {
    let user = actor.user().ok_or_else(|| forbidden(actor))?;
    let renamed = blog
        .db
        .write_now(|tx| db::passkeys::rename(tx, user.id, id, name))?;
    if renamed {
        Ok(())
    } else {
        Err(ActionError::NotFound(format!("no passkey {id}")))
    }
}

/// Removes one of the acting account's passkeys; with its last factor go its recovery
/// codes. Every other session ends.
pub fn remove(
    blog: Blog,
    actor: &Actor,
    id: i64,
    keep: &[u8],
    client: &str,
) -> Result<(), ActionError> {
    let user = actor.user().ok_or_else(|| forbidden(actor))?;
    blog.db.write_now(|tx| {
        let Some(name) = db::passkeys::delete(tx, user.id, id)? else {
            return Ok(Err(ActionError::NotFound(format!("no passkey {id}"))));
        };
        if !db::factors::has_second_factor(tx, user.id)? {
            db::factors::delete_recovery_codes(tx, user.id)?;
        }
        let what = format!("passkey {name}");
        security::record(
            tx,
            blog.letters,
            actor,
            user,
            &Event::FactorRemoved(what),
            client,
        )?;
        security::end_other_sessions(tx, blog.letters, actor, user, keep, client)?;
        Ok(Ok(()))
    })?
}

/// After a login with a passkey: its new record (signature counter) and when.
pub fn used(blog: Blog, id: i64, passkey: &str) -> Result<(), ActionError> {
    blog.db
        .write_now(|tx| db::passkeys::used(tx, id, passkey, db::now_ms()))?;
    Ok(())
}

/// Keeps a ceremony's state for this browser (`token_hash`) until its finish.
pub fn begin_ceremony(
    blog: Blog,
    token_hash: &[u8],
    kind: &'static str,
    state: &str,
) -> Result<(), ActionError> {
    let expires = db::now_ms() + CEREMONY_MS;
    blog.db.write_now(|tx| {
        db::factors::delete_expired(tx, db::now_ms())?;
        db::passkeys::put_ceremony(tx, token_hash, kind, state, expires)
    })?;
    Ok(())
}

/// Takes the state of this browser's ceremony (each is used once); `None` when there
/// is none, or it ran out.
pub fn take_ceremony(
    blog: Blog,
    token_hash: &[u8],
    kind: &'static str,
) -> Result<Option<String>, ActionError> {
    Ok(blog
        .db
        .write_now(|tx| db::passkeys::take_ceremony(tx, token_hash, kind, db::now_ms()))?)
}
