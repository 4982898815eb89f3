//! The site's settings (`/admin/settings`): its title, description and accent. Every
//! page shows them, so saving bumps the content version (a trigger on the table) and
//! cached pages go stale at once.

use super::{audit, forbidden, ActionError, Blog};
use crate::auth::Actor;
use crate::content::site::SiteSettings;
use crate::db::{self, audit::Action};
use crate::media::library::{self, MediaError};

/// Stores the settings (admins only); a `None` hands the setting back to
/// `blog.toml`. The audit row names what changed; nothing changed, no row.
pub fn save(blog: Blog, actor: &Actor, settings: &SiteSettings) -> Result<(), ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    blog.db.write_now(|tx| {
        let before = db::site_settings::get(tx)?;
        let changed: Vec<&str> = [
            ("title", before.title != settings.title),
            ("description", before.description != settings.description),
            ("accent", before.accent != settings.accent),
        ]
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect();
        if changed.is_empty() {
            return Ok(());
        }
        db::site_settings::set(tx, settings)?;
        audit(tx, actor, Action::SiteSettings, "site", changed.join(", "))
    })?;
    Ok(())
}

/// Makes `bytes` the site's icon (admins only): squares of 256 and 64 px, made like an
/// avatar; the old icon's files are deleted at once. One audit row, in the same
/// transaction.
pub fn set_icon(blog: Blog, actor: &Actor, bytes: &[u8]) -> Result<(), MediaError> {
    let owner = match actor.user_id() {
        Some(owner) if actor.is_admin() => owner,
        _ => return Err(MediaError::Internal(forbidden(actor).into())),
    };
    library::store_square(blog.db, blog.media, owner, "site", bytes, |tx, id| {
        let old = db::site_settings::set_icon(tx, Some(id))?;
        audit(tx, actor, Action::SiteSettings, "site", "icon")?;
        library::released_paths(tx, old)
    })
}

/// Removes the site's icon and deletes its files (admins only); the built-in favicon
/// shows again.
pub fn remove_icon(blog: Blog, actor: &Actor) -> Result<(), ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    let released = blog.db.write_now(|tx| {
        let old = db::site_settings::set_icon(tx, None)?;
        if old.is_some() {
            audit(tx, actor, Action::SiteSettings, "site", "icon removed")?;
        }
        db::media::release_unused(tx, &old.into_iter().collect::<Vec<_>>())
    })?;
    blog.remove_files(released);
    Ok(())
}
