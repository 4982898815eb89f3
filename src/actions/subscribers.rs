//! Subscriptions by mail, with double opt-in: a visitor asks (`subscribe`), a mail
//! with a signed link goes out, following it confirms (`confirm`); a link in every
//! mail ends it (`unsubscribe`). None needs an account: the signed link is the proof.

use super::{ActionError, Blog};
use crate::content::{Email, UserId};
use crate::db;
use crate::mail::links::Signed;
use crate::mail::{self, Letters};

/// How many confirmation mails one address may be sent in an hour: a form that
/// anyone can fill in must not become a way to flood someone's inbox.
const CONFIRMATIONS_PER_HOUR: u32 = 3;

/// What a subscribe request led to; the page says the same in every case, so the
/// form does not tell who subscribed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribed {
    /// A confirmation mail was queued.
    AskedToConfirm,
    /// Already confirmed, or too many confirmation mails lately: nothing sent.
    NothingSent,
}

/// Asks `email` to confirm a subscription to the blog (`author` `None`) or to one
/// author; a request that is still unconfirmed gets its confirmation mail again.
pub fn subscribe(
    blog: Blog,
    email: &Email,
    author: Option<UserId>,
) -> Result<Subscribed, ActionError> {
    let letters = mail_on(blog)?;
    let now = db::now_ms();
    let outcome = blog.db.write_now(|tx| {
        let author_name = match author {
            Some(id) => match db::users::by_id(tx, id)?.filter(|u| u.is_active) {
                Some(user) => Some(user.name().to_string()),
                None => {
                    return Ok(Err(ActionError::NotFound(format!(
                        "there is no author {id}"
                    ))))
                }
            },
            None => None,
        };
        let id = match db::subscribers::find(tx, email, author)? {
            Some(found) if found.confirmed_at.is_some() => return Ok(Ok(Subscribed::NothingSent)),
            Some(found) => found.id,
            None => db::subscribers::insert(tx, email, author, now)?,
        };
        let hour_ago = now - 3600 * 1000;
        if db::outbox::count_recent(tx, email.as_str(), "subscribe", hour_ago)?
            >= CONFIRMATIONS_PER_HOUR
        {
            return Ok(Ok(Subscribed::NothingSent));
        }
        let letters = &letters.titled(tx)?;
        let letter = letters.confirm(email.as_str(), id, author_name.as_deref());
        mail::queue(tx, letters, &letter)?;
        Ok(Ok(Subscribed::AskedToConfirm))
    })??;
    Ok(outcome)
}

/// The subscription a confirmation link names, confirmed; its address.
pub fn confirm(blog: Blog, id: i64) -> Result<String, ActionError> {
    mail_on(blog)?;
    blog.db.write_now(|tx| {
        let Some(found) = db::subscribers::by_id(tx, id)? else {
            return Ok(Err(gone()));
        };
        db::subscribers::confirm(tx, id, db::now_ms())?;
        Ok(Ok(found.email))
    })?
}

/// What an unsubscribe link stops: a subscription, or an account's comment mails.
/// Stopping what already stopped is not an error: a second click says "done" again.
pub fn unsubscribe(blog: Blog, what: Signed) -> Result<(), ActionError> {
    blog.db.write_now(|tx| match what {
        Signed::Subscription(id) | Signed::Confirm(id) => {
            db::subscribers::delete(tx, id).map(|_| ())
        }
        Signed::CommentMails(user) => db::users::set_notify_comments(tx, user, false),
    })?;
    Ok(())
}

fn mail_on<'a>(blog: Blog<'a>) -> Result<&'a Letters, ActionError> {
    blog.letters
        .ok_or_else(|| ActionError::NotFound("mail is off on this blog".into()))
}

fn gone() -> ActionError {
    ActionError::NotFound("this subscription does not exist any more".into())
}
