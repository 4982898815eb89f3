//! Media: an image from the editor, a profile picture, and the garbage collector. The
//! files and their catalogue rows are written together by `media::library`; these are
//! the doors that check who acts and log what the GC freed.

use std::time::Duration;

use super::{audit, forbidden, ActionError, Blog};
use crate::auth::Actor;
use crate::content::{MediaId, UserId};
use crate::db::audit::Action;
use crate::media::gc::{self, Report};
use crate::media::library::{self, MediaError, Rebuilt};

/// Stores an editor upload by the acting writer; returns the path to show in the page
/// (the 1600 px copy of a wide image, else the re-encoded original).
pub fn upload(blog: Blog, actor: &Actor, bytes: &[u8]) -> Result<String, MediaError> {
    let owner = match actor.user() {
        Some(user) if actor.may_write() => user.id,
        _ => return Err(MediaError::Internal(forbidden(actor).into())),
    };
    library::store_upload(blog.db, blog.media, owner, bytes)
}

/// Stores an image that an imported post shows, as an upload of its author (`owner`).
pub fn import(
    blog: Blog,
    actor: &Actor,
    owner: UserId,
    bytes: &[u8],
) -> Result<String, MediaError> {
    if !actor.is_admin() {
        return Err(MediaError::Internal(forbidden(actor).into()));
    }
    library::store_upload(blog.db, blog.media, owner, bytes)
}

/// Remembers which file of an import (`origin`, kind `media`) became our upload at
/// `path`, so a second run of the import reuses it instead of storing it again.
pub fn remember_import(
    blog: Blog,
    actor: &Actor,
    origin: &super::Origin,
    path: &str,
) -> Result<(), ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    blog.db.write_now(|tx| {
        crate::db::redirects::remember(
            tx,
            &origin.source,
            super::Origin::MEDIA,
            &origin.old_id,
            path,
        )
    })?;
    Ok(())
}

/// Makes the variants for `srcset` that an upload is missing (`blog media rebuild`).
/// Not audited: it adds copies of what is there and changes nothing a reader reads.
pub fn rebuild_variants(blog: Blog, actor: &Actor, id: MediaId) -> Result<Rebuilt, MediaError> {
    if !actor.is_admin() {
        return Err(MediaError::Internal(forbidden(actor).into()));
    }
    library::rebuild_variants(blog.db, blog.media, id)
}

/// Makes `bytes` the acting user's picture; the old one's files are deleted at once.
pub fn set_avatar(blog: Blog, actor: &Actor, bytes: &[u8]) -> Result<(), MediaError> {
    let user = actor
        .user_id()
        .ok_or_else(|| MediaError::Internal(forbidden(actor).into()))?;
    library::store_avatar(blog.db, blog.media, user, bytes)
}

/// Removes the acting user's picture and deletes its files.
pub fn remove_avatar(blog: Blog, actor: &Actor) -> Result<(), ActionError> {
    let user = actor.user_id().ok_or_else(|| forbidden(actor))?;
    Ok(library::remove_avatar(blog.db, blog.media, user)?)
}

/// Whether a GC pass deletes, or only lists what it would delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    DryRun,
    Delete,
}

/// One pass of the media GC (see `media::gc`): `on_file` hears of each file as it goes.
/// A pass that deleted is in the audit log, unless it was the server's own timer and
/// found nothing (every hour would bury the log). The GC commits as it goes, so its
/// audit row follows in a transaction of its own.
pub fn collect_garbage(
    blog: Blog,
    actor: &Actor,
    grace: Duration,
    pass: Pass,
    on_file: &mut dyn FnMut(&str, u64),
) -> Result<Report, ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    let dry_run = pass == Pass::DryRun;
    let report = gc::collect(blog.db, blog.media, grace, dry_run, on_file)?;
    let quiet = matches!(actor, Actor::Scheduler) && report.files.is_empty();
    if !dry_run && !quiet {
        let detail = super::audit_files(report.files.len() as u64, report.bytes());
        blog.db
            .write_now(|tx| audit(tx, actor, Action::MediaGc, "media", detail))?;
    }
    Ok(report)
}
