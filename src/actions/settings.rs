//! The site's settings (`/admin/settings`): its title, description and accent. Every
//! page shows them, so saving bumps the content version (a trigger on the table) and
//! cached pages go stale at once.

use super::{audit, forbidden, ActionError, Blog};
use crate::auth::Actor;
use crate::content::site::SiteSettings;
use crate::db::{self, audit::Action};

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
