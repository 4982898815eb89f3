//! Accounts that come with imported posts: made without a password (the old blog's
//! hashes are of another kind, and an export never carries them), each announced with
//! a one-time reset link so its owner can choose one. An address already known is the
//! same person: the account is reused, never made twice.

use crate::actions::users::{Activity, NewAccount};
use crate::actions::{self, Blog};
use crate::auth::Actor;
use crate::config::Config;
use crate::content::{Email, Role, UserId};
use crate::db::{self, Db};

use super::progress::Progress;
use super::Tally;

/// An account as the source describes it.
pub struct Account {
    pub email: Email,
    pub display_name: String,
    pub bio: String,
    pub role: Role,
    pub active: bool,
    /// When it joined the old blog, if known.
    pub joined: Option<i64>,
}

impl Account {
    pub fn author(email: Email, display_name: String) -> Self {
        Self {
            email,
            display_name,
            bio: String::new(),
            role: Role::Author,
            active: true,
            joined: None,
        }
    }
}

/// The account's id, creating it (and printing its reset link) when the address is new.
pub fn ensure(
    config: &Config,
    blog: Blog,
    account: &Account,
    progress: &Progress,
    tally: &mut Tally,
) -> anyhow::Result<UserId> {
    let email = account.email.clone();
    if let Some(user) = blog.db.read_now(|conn| db::users::by_email(conn, &email))? {
        return Ok(user.id);
    }
    let new = NewAccount {
        email: account.email.clone(),
        password_hash: None,
        display_name: account.display_name.clone(),
        bio: account.bio.clone(),
        role: account.role,
        active: if account.active {
            Activity::Active
        } else {
            Activity::Inactive
        },
        joined: account.joined,
    };
    let id = actions::users::create(blog, &Actor::Importer, &new)?;
    tally.users += 1;
    if account.active {
        let link = crate::commands::users::reset_link(config, blog, &Actor::Importer, id)?;
        progress.say(format!(
            "created {} ({}): set a password at {link}",
            account.email, account.role
        ));
    } else {
        progress.say(format!(
            "created {} ({}, inactive as before)",
            account.email, account.role
        ));
    }
    Ok(id)
}

/// The account that writes posts whose source names nobody: `--author EMAIL`, else the
/// first admin.
pub fn default_author(db: &Db, flag: Option<&str>) -> anyhow::Result<Option<UserId>> {
    if let Some(text) = flag {
        let email: Email = text
            .parse()
            .map_err(|_| anyhow::anyhow!("--author {text:?} is not an email address"))?;
        let user = db.read_now(|conn| db::users::by_email(conn, &email))?;
        return match user {
            Some(user) => Ok(Some(user.id)),
            None => anyhow::bail!(
                "--author {email}: no account has this email; create it first (blog createsuperuser, or sign up and blog users set-role {email} author)"
            ),
        };
    }
    let users = db.read_now(db::users::all)?;
    Ok(users
        .into_iter()
        .find(|user| user.role == Role::Admin && user.is_active)
        .map(|user| user.id))
}
