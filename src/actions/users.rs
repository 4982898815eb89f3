//! Accounts: making one, roles, deactivation, deletion, profiles, passwords and reset
//! links (sessions are in `sessions.rs`). What an admin does to
//! another account is in the audit log, whether done from `/admin` or `blog users`.

use super::security::{self, Event};
use super::{audit, forbidden, ActionError, Blog};
use crate::auth::{reset, throttle, Actor, Token};
use crate::config::BaseUrl;
use crate::content::{Email, Role, User, UserId};
use crate::db::{self, audit::Action, users::NewUser};

/// A new account. `password_hash` is `None` for one that must choose its password by a
/// reset link (an imported author).
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: Email,
    pub password_hash: Option<String>,
    pub display_name: String,
    pub bio: String,
    pub role: Role,
    pub active: Activity,
    /// When it joined (Unix milliseconds); `None` is now.
    pub joined: Option<i64>,
}

/// Whether an account may log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Active,
    Inactive,
}

/// Makes the account; `Refused("problems.email_taken")` when the address is taken
/// (in any case).
pub fn create(blog: Blog, actor: &Actor, account: &NewAccount) -> Result<UserId, ActionError> {
    // Signup makes readers for anyone; every other role is an owner's decision.
    if account.role != Role::Reader && !actor.is_admin() {
        return Err(forbidden(actor));
    }
    let written = blog.db.write_now(|tx| {
        let new = NewUser {
            email: &account.email,
            password_hash: account.password_hash.as_deref(),
            display_name: &account.display_name,
            role: account.role,
        };
        let id = db::users::insert(tx, &new, account.joined.unwrap_or_else(db::now_ms))?;
        if !account.bio.trim().is_empty() {
            db::users::update_profile(tx, id, &account.display_name, &account.bio)?;
        }
        if account.active == Activity::Inactive {
            db::users::deactivate(tx, &account.email)?;
        }
        Ok(id)
    });
    match written {
        Ok(id) => Ok(id),
        Err(err) if db::is_unique_violation(&err) => {
            Err(ActionError::Refused("problems.email_taken"))
        }
        Err(err) => Err(err.into()),
    }
}

/// Gives another account a role; open sessions follow at their next request.
pub fn set_role(blog: Blog, actor: &Actor, id: UserId, role: Role) -> Result<User, ActionError> {
    change_other(blog, actor, id, |tx, user| {
        db::users::set_role(tx, &user.email, role)?;
        Ok((Action::UserRole, format!("{} → {role}", user.role)))
    })
}

/// Deactivating also ends the account's sessions.
pub fn set_activity(
    blog: Blog,
    actor: &Actor,
    id: UserId,
    activity: Activity,
) -> Result<User, ActionError> {
    change_other(blog, actor, id, |tx, user| match activity {
        Activity::Active => {
            db::users::reactivate(tx, user.id)?;
            Ok((Action::UserReactivate, String::new()))
        }
        Activity::Inactive => {
            db::users::deactivate(tx, &user.email)?;
            Ok((Action::UserDeactivate, String::new()))
        }
    })
}

/// Deletes the account with its posts, comments and sessions, and the media files
/// only it used. Returns the account and how many posts went with it.
pub fn delete(blog: Blog, actor: &Actor, id: UserId) -> Result<Deleted, ActionError> {
    let mut posts = 0;
    let mut released = Vec::new();
    let user = change_other(blog, actor, id, |tx, user| {
        posts = db::posts::count_by_author(tx, user.id)?;
        let used = db::media::used_by_user(tx, user.id)?;
        db::users::delete(tx, user.id)?;
        released = db::media::release_unused(tx, &used)?;
        Ok((
            Action::UserDelete,
            super::audit_count("admin.post_count", posts),
        ))
    })?;
    let files = released.len();
    blog.remove_files(released);
    Ok(Deleted { user, posts, files })
}

/// What `delete` took away.
#[derive(Debug)]
pub struct Deleted {
    pub user: User,
    pub posts: u64,
    pub files: usize,
}

/// A new one-time password-reset URL for the account, built from `base_url` (valid
/// `auth::reset::LINK_HOURS`); only its hash is stored.
pub fn reset_link(
    blog: Blog,
    actor: &Actor,
    id: UserId,
    base_url: &BaseUrl,
) -> Result<(User, String), ActionError> {
    let token = Token::generate()?;
    let mut url = String::new();
    let user = change_other(blog, actor, id, |tx, user| {
        url = reset::record_link(tx, base_url, user.id, &token)?;
        Ok((Action::UserResetLink, String::new()))
    })?;
    Ok((user, url))
}

/// Reset-link mails one address may be sent in an hour: a form anyone can fill in must
/// not become a way to flood someone's inbox.
pub const RESET_MAILS_PER_ADDRESS: u32 = 3;
/// "Forgot your password?" requests one client address may make in an hour.
pub const RESET_REQUESTS_PER_CLIENT: u32 = 10;

/// "Forgot your password?": mails a one-time reset link to the account with the typed
/// address, if there is one, it is active, and the address has not had its share of
/// them this hour. Known and unknown addresses take the same steps (a token made, a
/// request recorded, one transaction), so neither the answer nor its time tells which
/// accounts exist. Only a client over its own share is told (`Throttled`).
pub fn forgot_password(blog: Blog, typed: &str, client: &str) -> Result<(), ActionError> {
    let Some(letters) = blog.letters else {
        return Err(ActionError::NotFound("mail is off on this blog".into()));
    };
    let key = typed.trim().to_lowercase();
    let token = Token::generate()?;
    let now = db::now_ms();
    let email = key.parse::<Email>().ok();
    blog.db.write_now(|tx| {
        let hour_ago = now - 3600 * 1000;
        let (for_address, from_client) =
            db::password_resets::record_request(tx, &key, client, now, hour_ago)?;
        if from_client > RESET_REQUESTS_PER_CLIENT {
            return Ok(Err(ActionError::Throttled));
        }
        let user = match &email {
            Some(email) if for_address <= RESET_MAILS_PER_ADDRESS => {
                db::users::by_email(tx, email)?.filter(|user| user.is_active)
            }
            _ => None,
        };
        let Some(user) = user else {
            return Ok(Ok(()));
        };
        let url = letters.url(&reset::record(tx, user.id, &token)?);
        let letters = &letters.titled(tx)?;
        crate::mail::queue(tx, letters, &letters.reset(user.email.as_str(), &url))?;
        Ok(Ok(()))
    })?
}

/// Whether the account is mailed about new comments on its posts (its profile's
/// checkbox; the link in those mails turns it off too).
pub fn set_comment_mails(blog: Blog, actor: &Actor, on: bool) -> Result<(), ActionError> {
    let Some(user) = actor.user() else {
        return Err(forbidden(actor));
    };
    blog.db
        .write_now(|tx| db::users::set_notify_comments(tx, user.id, on))?;
    Ok(())
}

/// Applies `change` to an account and logs what it returns (the action and its detail)
/// in the same transaction. Admins only; an admin does not demote, deactivate or delete
/// themselves from the web, so the last admin cannot lock everyone out by a slip of the
/// mouse (`blog users` on the server still can).
fn change_other(
    blog: Blog,
    actor: &Actor,
    id: UserId,
    change: impl FnOnce(&rusqlite::Connection, &User) -> rusqlite::Result<(Action, String)>,
) -> Result<User, ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    if actor.user_id() == Some(id) {
        return Err(ActionError::Refused("admin.not_yourself"));
    }
    blog.db.write_now(|tx| {
        let Some(user) = db::users::by_id(tx, id)? else {
            return Ok(Err(ActionError::NotFound(format!(
                "there is no account {id}"
            ))));
        };
        let (action, detail) = change(tx, &user)?;
        audit(tx, actor, action, user.email.to_string(), detail)?;
        Ok(Ok(user))
    })?
}

/// The acting user's name and bio.
pub fn update_profile(
    blog: Blog,
    actor: &Actor,
    display_name: &str,
    bio: &str,
) -> Result<(), ActionError> {
    let id = actor.user_id().ok_or_else(|| forbidden(actor))?;
    blog.db
        .write_now(|tx| db::users::update_profile(tx, id, display_name, bio))?;
    Ok(())
}

/// A new password (already hashed) for the acting user; every other browser signed in
/// with the old one is signed out, `keep` (this browser's session hash) stays.
pub fn change_password(
    blog: Blog,
    actor: &Actor,
    hash: &str,
    keep: &[u8],
) -> Result<(), ActionError> {
    let user = actor.user().ok_or_else(|| forbidden(actor))?;
    blog.db.write_now(|tx| {
        db::users::set_password(tx, user.id, hash)?;
        security::record(tx, blog.letters, actor, user, &Event::PasswordChanged, "")?;
        security::end_other_sessions(tx, blog.letters, actor, user, keep, "")?;
        Ok(())
    })?;
    Ok(())
}

/// Uses a reset link: the account behind it gets the new password (already hashed)
/// and is signed out everywhere. `NotFound` when the link is used, expired or unknown.
pub fn reset_password(blog: Blog, token_hash: &[u8], hash: &str) -> Result<UserId, ActionError> {
    blog.db.write_now(|tx| {
        let Some(owner) = db::password_resets::take(tx, token_hash, db::now_ms())? else {
            return Ok(Err(ActionError::NotFound(
                "the reset link is used or expired".into(),
            )));
        };
        db::users::set_password(tx, owner, hash)?;
        db::sessions::delete_others(tx, owner, &[])?;
        Ok(Ok(owner))
    })?
}

/// Counts a failed login against the typed address and the client, for throttling.
pub fn login_failed(blog: Blog, typed_email: &str, client: &str) -> Result<(), ActionError> {
    blog.db
        .write_now(|tx| throttle::record_failure(tx, typed_email, client, db::now_ms()))?;
    Ok(())
}
