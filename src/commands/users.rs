//! `blog users list|invite|invitations|revoke-invite|set-role|deactivate|reactivate|delete|reset-link|logout|reset-2fa`.

use anyhow::{bail, Context};

use crate::actions::users::Activity;
use crate::actions::{self, Blog};
use crate::auth::Actor;
use crate::cli::UsersCommand;
use crate::config::Config;
use crate::content::{Email, Role, User, UserId};
use crate::db;
use crate::media::MediaDir;

pub fn run(config: &Config, command: UsersCommand) -> anyhow::Result<()> {
    let db = super::open_db(config)?;
    let media = MediaDir::new(config.storage.media_dir());
    let blog = Blog::new(&db, &media);
    match command {
        UsersCommand::List => {
            let users = db.read_now(db::users::all)?;
            if users.is_empty() {
                println!("no accounts yet: create one with `blog createsuperuser --email you@example.com`");
            }
            for user in users {
                let state = if user.is_active { "active" } else { "inactive" };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    user.id,
                    user.email,
                    user.role,
                    state,
                    user.name()
                );
            }
        }
        UsersCommand::SetRole { email, role } => {
            let user = account(&db, &email)?;
            let role: Role = role.parse()?;
            actions::users::set_role(blog, &Actor::Cli, user.id, role)?;
            println!("{} is now {role}", user.email);
        }
        UsersCommand::Deactivate { email } => {
            let user = account(&db, &email)?;
            actions::users::set_activity(blog, &Actor::Cli, user.id, Activity::Inactive)?;
            println!("{} is deactivated and signed out everywhere", user.email);
        }
        UsersCommand::Reactivate { email } => {
            let user = account(&db, &email)?;
            actions::users::set_activity(blog, &Actor::Cli, user.id, Activity::Active)?;
            println!("{} may log in again", user.email);
        }
        UsersCommand::Delete { email, yes } => {
            let user = account(&db, &email)?;
            let posts = db.read_now(|conn| db::posts::count_by_author(conn, user.id))?;
            if !yes {
                bail!(
                    "this deletes {} and their {} for good: run again with --yes to confirm",
                    user.email,
                    super::count(posts, "post")
                );
            }
            let deleted = actions::users::delete(blog, &Actor::Cli, user.id)?;
            println!(
                "deleted {}, {} and {}",
                user.email,
                super::count(deleted.posts, "post"),
                super::count(deleted.files as u64, "media file")
            );
        }
        UsersCommand::Invite { email, role } => {
            let email: Email = email
                .parse()
                .with_context(|| format!("{email:?} is not an email address"))?;
            let role: Role = role.parse()?;
            let invited = actions::invitations::invite(
                blog,
                &Actor::Cli,
                &email,
                role,
                &config.site.base_url,
            )
            .map_err(|err| match err {
                actions::ActionError::Refused(_) => anyhow::anyhow!(
                    "an account with the email {email} exists already: see `blog users list`"
                ),
                err => err.into(),
            })?;
            println!("{}", invited.url);
            eprintln!(
                "an invitation for {email} as {role}: the link works once, within {} days",
                actions::invitations::LINK_DAYS
            );
        }
        UsersCommand::Invitations => {
            let now = db::now_ms();
            let pending = db.read_now(|conn| db::invitations::pending(conn, now))?;
            if pending.is_empty() {
                println!(
                    "no pending invitations: make one with `blog users invite EMAIL --role author`"
                );
            }
            for invitation in pending {
                let by = invitation
                    .invited_by
                    .as_ref()
                    .map_or("(command line)", Email::as_str);
                println!(
                    "{}\t{}\t{}\t{}",
                    invitation.email,
                    invitation.role,
                    by,
                    super::import::dates::rfc3339(invitation.expires_at)
                );
            }
        }
        UsersCommand::RevokeInvite { email } => {
            let email: Email = email
                .parse()
                .with_context(|| format!("{email:?} is not an email address"))?;
            actions::invitations::revoke(blog, &Actor::Cli, &email).map_err(|err| match err {
                actions::ActionError::NotFound(_) => anyhow::anyhow!(
                    "no pending invitation for {email}: see `blog users invitations`"
                ),
                err => err.into(),
            })?;
            println!("the invitation for {email} is revoked: its link no longer works");
        }
        UsersCommand::ResetLink { email } => {
            let user = account(&db, &email)?;
            println!("{}", reset_link(config, blog, &Actor::Cli, user.id)?);
        }
        UsersCommand::Logout { email } => {
            let user = account(&db, &email)?;
            let (_, ended) = actions::sessions::end_all(blog, &Actor::Cli, user.id)?;
            println!(
                "{} is signed out everywhere ({} ended)",
                user.email,
                super::count(ended as u64, "session")
            );
        }
        UsersCommand::Reset2fa { email } => {
            let user = account(&db, &email)?;
            let removed = actions::factors::reset(blog, &Actor::Cli, user.id)?;
            println!(
                "{} has no second factor now ({removed}); its sessions ended: it logs in with its password alone",
                user.email
            );
        }
    }
    Ok(())
}

/// A new one-time password-reset URL for the account, built from `base_url`; also
/// how imported accounts, which have no password, get in.
pub fn reset_link(
    config: &Config,
    blog: Blog,
    actor: &Actor,
    id: UserId,
) -> anyhow::Result<String> {
    let (_, url) = actions::users::reset_link(blog, actor, id, &config.site.base_url)?;
    Ok(url)
}

/// The account with this address, or an error that says there is none.
fn account(db: &db::Db, text: &str) -> anyhow::Result<User> {
    let email: Email = text
        .parse()
        .with_context(|| format!("{text:?} is not an email address"))?;
    db.read_now(|conn| db::users::by_email(conn, &email))?
        .with_context(|| format!("no account has the email {email}"))
}
