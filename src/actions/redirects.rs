//! Old addresses that answer 301: added and removed by hand (admins, `blog redirects`)
//! or by an import. A change by hand is in the audit log; an import's many rows are
//! summed up by its own printed summary instead.

use super::{audit, forbidden, ActionError, Blog};
use crate::auth::Actor;
use crate::content::redirect::{OldPath, Target};
use crate::db::{self, audit::Action};

/// Who added a redirect: by hand, or which import.
pub const MANUAL: &str = "manual";

/// Adds (or changes) a redirect by hand; true when it changed anything. An address the
/// site answers itself is refused: the redirect would never be used.
pub fn add(blog: Blog, actor: &Actor, from: &OldPath, to: &Target) -> Result<bool, ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    if from.is_the_sites_own() {
        return Err(ActionError::Refused(SHADOWED));
    }
    blog.db.write_now(|tx| {
        let changed = db::redirects::put(tx, from, to, MANUAL, db::now_ms())?;
        if changed {
            audit(tx, actor, Action::RedirectAdd, from.as_str(), to.as_str())?;
        }
        Ok(Ok(changed))
    })?
}

/// The old address is one the site answers itself.
pub const SHADOWED: &str = "problems.redirect_shadowed";

/// Removes a redirect; false when there was none.
pub fn remove(blog: Blog, actor: &Actor, from: &OldPath) -> Result<bool, ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    blog.db.write_now(|tx| {
        let removed = db::redirects::remove(tx, from)?;
        if removed {
            audit(tx, actor, Action::RedirectRemove, from.as_str(), "")?;
        }
        Ok(Ok(removed))
    })?
}

/// The redirects of one import (`source`, like `wordpress`): added unless an admin's
/// own row has the address (theirs wins) or the site answers it itself. Returns how
/// many were new or changed.
pub fn import(
    blog: Blog,
    actor: &Actor,
    source: &str,
    rows: &[(OldPath, Target)],
) -> Result<u64, ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    blog.db.write_now(|tx| {
        let now = db::now_ms();
        let mut changed = 0;
        for (from, to) in rows {
            if from.is_the_sites_own() || db::redirects::is_manual(tx, from)? {
                continue;
            }
            if db::redirects::put(tx, from, to, source, now)? {
                changed += 1;
            }
        }
        Ok(Ok(changed))
    })?
}
