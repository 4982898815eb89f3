//! Invitations: an admin invites someone by address and role, with a one-time link
//! (valid `LINK_DAYS`) printed by `blog users invite`, shown on `/admin/users` and,
//! when mail is on, mailed from there; following it, the invitee chooses a name and a
//! password. It works whether or not registration is open: an admin chose them.
//! Until it is used, an admin may revoke it (`/admin/users`, `blog users revoke-invite`).

use super::{audit, forbidden, ActionError, Blog};
use crate::auth::{Actor, Token};
use crate::config::BaseUrl;
use crate::content::{Email, Role, User};
use crate::db::invitations::Invitation;
use crate::db::{self, audit::Action, users::NewUser};
use crate::urls;

/// Long enough for a week away from mail, short enough that a forgotten link dies.
pub const LINK_DAYS: i64 = 7;

/// A new invitation: its link, and whether it went out by mail.
#[derive(Debug)]
pub struct Invited {
    pub url: String,
    pub delivery: Delivery,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Queued in the outbox in the same transaction.
    Mailed,
    /// Mail is off (or this is the CLI): whoever made it passes the link on.
    ToPassOn,
}

/// Makes a one-time invitation for `email` with `role`; admins only, and not for an
/// address that has an account (`Refused("problems.email_taken")`). When the blog has
/// mail (`Blog::letters`), the link is mailed too.
pub fn invite(
    blog: Blog,
    actor: &Actor,
    email: &Email,
    role: Role,
    base_url: &BaseUrl,
) -> Result<Invited, ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    let token = Token::generate()?;
    let url = base_url.join(&urls::invitation(token.as_str()));
    let invitation = Invitation {
        email: email.clone(),
        role,
    };
    blog.db.write_now(|tx| {
        if db::users::by_email(tx, email)?.is_some() {
            return Ok(Err(ActionError::Refused("problems.email_taken")));
        }
        let now = db::now_ms();
        let expires = now + LINK_DAYS * 24 * 3600 * 1000;
        db::invitations::insert(
            tx,
            &token.hash(),
            &invitation,
            actor.user_id(),
            now,
            expires,
        )?;
        audit(
            tx,
            actor,
            Action::UserInvite,
            email.to_string(),
            role.as_str(),
        )?;
        let delivery = match blog.letters {
            Some(letters) => {
                let inviter = actor.user().map(User::name);
                let letters = &letters.titled(tx)?;
                let letter = letters.invitation(email.as_str(), &url, role, inviter.as_deref());
                crate::mail::queue(tx, letters, &letter)?;
                Delivery::Mailed
            }
            None => Delivery::ToPassOn,
        };
        Ok(Ok(Invited {
            url: url.clone(),
            delivery,
        }))
    })?
}

/// Uses an invitation: makes its account with the chosen name and password (already
/// hashed) and the role the admin chose, and answers it. `NotFound` when the link is
/// used, expired or unknown; `Refused("problems.email_taken")` when the address got an
/// account meanwhile.
pub fn accept(
    blog: Blog,
    token_hash: &[u8],
    display_name: &str,
    password_hash: &str,
) -> Result<User, ActionError> {
    blog.db.write_now(|tx| {
        let Some(invitation) = db::invitations::take(tx, token_hash, db::now_ms())? else {
            return Ok(Err(ActionError::NotFound(
                "the invitation is used or expired".into(),
            )));
        };
        if db::users::by_email(tx, &invitation.email)?.is_some() {
            return Ok(Err(ActionError::Refused("problems.email_taken")));
        }
        let new = NewUser {
            email: &invitation.email,
            password_hash: Some(password_hash),
            display_name,
            role: invitation.role,
        };
        let id = db::users::insert(tx, &new, db::now_ms())?;
        let Some(user) = db::users::by_id(tx, id)? else {
            return Ok(Err(ActionError::NotFound(format!(
                "there is no account {id}"
            ))));
        };
        let actor = Actor::User(user.clone());
        audit(
            tx,
            &actor,
            Action::UserJoin,
            user.email.to_string(),
            invitation.role.as_str(),
        )?;
        Ok(Ok(user))
    })?
}

/// Revokes the pending invitations for `email` (one, or more when the address was
/// invited again): their links stop working at once. Admins only; `NotFound` when
/// the address has none pending.
pub fn revoke(blog: Blog, actor: &Actor, email: &Email) -> Result<(), ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    blog.db.write_now(|tx| {
        if db::invitations::revoke(tx, email, db::now_ms())? == 0 {
            return Ok(Err(ActionError::NotFound(format!(
                "no pending invitation for {email}"
            ))));
        }
        audit(tx, actor, Action::UserInviteRevoke, email.to_string(), "")?;
        Ok(Ok(()))
    })?
}
