//! Second factors: an authenticator app (TOTP) confirmed by a first code, its ten
//! recovery codes, a login's second step, and `blog users reset-2fa`. Adding or
//! removing a factor ends the account's other sessions. Passkeys are in `passkeys.rs`.

use super::security::{self, Event};
use super::{forbidden, ActionError, Blog};
use crate::auth::{throttle, totp, Actor};
use crate::content::{User, UserId};
use crate::db;

fn now_secs() -> u64 {
    u64::try_from(db::now_ms() / 1000).unwrap_or(0)
}

/// The acting account's authenticator secret waiting for its first code: a new one,
/// or the one already waiting (so a reload shows the same QR code). `Refused` when the
/// account already has a confirmed app.
pub fn pending_totp(blog: Blog, actor: &Actor) -> Result<Vec<u8>, ActionError> {
    let user = actor.user().ok_or_else(|| forbidden(actor))?;
    let fresh = totp::new_secret()?;
    blog.db.write_now(|tx| {
        match db::factors::totp(tx, user.id)? {
            Some(t) if t.confirmed => return Ok(Err(ActionError::Refused("problems.totp_exists"))),
            Some(t) => return Ok(Ok(t.secret)),
            None => {}
        }
        db::factors::start_totp(tx, user.id, &fresh, db::now_ms())?;
        Ok(Ok(fresh))
    })?
}

/// Confirms the waiting secret with its first code: the app becomes a factor, ten
/// recovery codes are made (returned, to be shown once) and every other session of
/// the account ends (`keep` is this browser's).
pub fn confirm_totp(
    blog: Blog,
    actor: &Actor,
    code: &str,
    keep: &[u8],
    client: &str,
) -> Result<Vec<String>, ActionError> {
    let user = actor.user().ok_or_else(|| forbidden(actor))?;
    let codes = totp::new_recovery_codes()?;
    let hashes: Vec<[u8; 32]> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    let now = now_secs();
    blog.db.write_now(|tx| {
        let Some(pending) = db::factors::totp(tx, user.id)? else {
            return Ok(Err(ActionError::Refused("problems.totp_not_started")));
        };
        if pending.confirmed {
            return Ok(Err(ActionError::Refused("problems.totp_exists")));
        }
        let accepted = match totp::matching_step(&pending.secret, code, now) {
            Some(step) => db::factors::use_step(tx, user.id, step, db::now_ms(), true)?,
            None => false,
        };
        if !accepted {
            return Ok(Err(ActionError::Refused("problems.code_wrong")));
        }
        db::factors::set_recovery_codes(tx, user.id, &hashes)?;
        security::record(
            tx,
            blog.letters,
            actor,
            user,
            &Event::FactorAdded("authenticator app".into()),
            client,
        )?;
        security::end_other_sessions(tx, blog.letters, actor, user, keep, client)?;
        Ok(Ok(codes.clone()))
    })?
}

/// Removes the acting account's authenticator app; with its last factor go its
/// recovery codes. Every other session ends.
pub fn remove_totp(
    blog: Blog,
    actor: &Actor,
    keep: &[u8],
    client: &str,
) -> Result<(), ActionError> {
    let user = actor.user().ok_or_else(|| forbidden(actor))?;
    blog.db.write_now(|tx| {
        if !db::factors::delete_totp(tx, user.id)? {
            return Ok(Err(ActionError::NotFound("no authenticator app".into())));
        }
        if db::passkeys::count(tx, user.id)? == 0 {
            db::factors::delete_recovery_codes(tx, user.id)?;
        }
        security::record(
            tx,
            blog.letters,
            actor,
            user,
            &Event::FactorRemoved("authenticator app".into()),
            client,
        )?;
        security::end_other_sessions(tx, blog.letters, actor, user, keep, client)?;
        Ok(Ok(()))
    })?
}

/// Ten new recovery codes for the acting account (which must have a factor), in place
/// of the old ones; returned to be shown once.
pub fn renew_recovery_codes(
    blog: Blog,
    actor: &Actor,
    client: &str,
) -> Result<Vec<String>, ActionError> {
    let user = actor.user().ok_or_else(|| forbidden(actor))?;
    let codes = totp::new_recovery_codes()?;
    let hashes: Vec<[u8; 32]> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    blog.db.write_now(|tx| {
        let has_totp = db::factors::totp(tx, user.id)?.is_some_and(|t| t.confirmed);
        if !has_totp && db::passkeys::count(tx, user.id)? == 0 {
            return Ok(Err(ActionError::Refused("problems.no_second_factor")));
        }
        db::factors::set_recovery_codes(tx, user.id, &hashes)?;
        security::record(
            tx,
            blog.letters,
            actor,
            user,
            &Event::RecoveryCodesRenewed,
            client,
        )?;
        Ok(Ok(codes.clone()))
    })?
}

/// How a login's second step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// A code from the app, or a recovery code (now spent): how, for the audit log.
    Passed(&'static str),
    /// Wrong, reused or spent: counted against the account and the client like a
    /// wrong password, and in the audit log.
    Failed,
}

/// Checks the code typed at a login's second step for `user`: a code from the app
/// (only a step later than the last one used, so each code works once) or an unused
/// recovery code (spent now).
pub fn check_code(
    blog: Blog,
    user: &User,
    code: &str,
    client: &str,
) -> Result<Checked, ActionError> {
    let now = now_secs();
    let visitor = Actor::Visitor;
    Ok(blog.db.write_now(|tx| {
        if totp::looks_like_recovery_code(code) {
            let hash = totp::recovery_hash(code);
            if db::factors::use_recovery_code(tx, user.id, &hash, db::now_ms())? {
                let left = db::factors::recovery_codes_left(tx, user.id)?;
                security::record(
                    tx,
                    blog.letters,
                    &visitor,
                    user,
                    &Event::RecoveryCodeUsed { left },
                    client,
                )?;
                return Ok(Checked::Passed("password + recovery code"));
            }
        } else if let Some(t) = db::factors::totp(tx, user.id)?.filter(|t| t.confirmed) {
            if let Some(step) = totp::matching_step(&t.secret, code, now) {
                if db::factors::use_step(tx, user.id, step, db::now_ms(), false)? {
                    return Ok(Checked::Passed("password + code"));
                }
            }
        }
        throttle::record_failure(tx, user.email.as_str(), client, db::now_ms())?;
        security::record(
            tx,
            blog.letters,
            &visitor,
            user,
            &Event::SecondFactorFailed("code"),
            client,
        )?;
        Ok(Checked::Failed)
    })?)
}

/// Notes a passkey that failed as a login's second factor.
pub fn second_factor_failed(
    blog: Blog,
    user: &User,
    how: &'static str,
    client: &str,
) -> Result<(), ActionError> {
    blog.db.write_now(|tx| {
        throttle::record_failure(tx, user.email.as_str(), client, db::now_ms())?;
        security::record(
            tx,
            blog.letters,
            &Actor::Visitor,
            user,
            &Event::SecondFactorFailed(how),
            client,
        )
    })?;
    Ok(())
}

/// A login whose password was right waits for its second factor, under the browser's
/// session token (`token_hash`), for a few minutes.
pub fn await_second_factor(
    blog: Blog,
    user: UserId,
    token_hash: &[u8],
    next: &str,
) -> Result<(), ActionError> {
    let expires = db::now_ms() + CHALLENGE_MS;
    blog.db
        .write_now(|tx| db::factors::put_challenge(tx, token_hash, user, next, expires))?;
    Ok(())
}

/// How long a login waits for its second factor.
pub const CHALLENGE_MS: i64 = 10 * 60 * 1000;

/// Forgets a half-done login (the visitor gave up, or went back to the password).
pub fn forget_challenge(blog: Blog, token_hash: &[u8]) -> Result<(), ActionError> {
    blog.db
        .write_now(|tx| db::factors::delete_challenge(tx, token_hash))?;
    Ok(())
}

/// `blog users reset-2fa`: removes every factor of the account (app, recovery codes,
/// passkeys) and ends its sessions, for an owner who lost them all. Says what went.
pub fn reset(blog: Blog, actor: &Actor, id: UserId) -> Result<String, ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    blog.db.write_now(|tx| {
        let Some(user) = db::users::by_id(tx, id)? else {
            return Ok(Err(ActionError::NotFound(format!(
                "there is no account {id}"
            ))));
        };
        let app = db::factors::delete_totp(tx, user.id)?;
        db::factors::delete_recovery_codes(tx, user.id)?;
        let passkeys = db::passkeys::delete_all(tx, user.id)?;
        db::sessions::delete_all(tx, user.id)?;
        security::record(tx, blog.letters, actor, &user, &Event::TwoFactorReset, "")?;
        let what = match (app, passkeys) {
            (true, 0) => "an authenticator app".to_string(),
            (true, n) => format!("an authenticator app and {n} passkeys"),
            (false, 0) => "it had none".to_string(),
            (false, n) => format!("{n} passkeys"),
        };
        Ok(Ok(what))
    })?
}
