//! The site's menu: which pages it shows, in what order. Pages themselves are written
//! like posts, through `actions::posts`.

use super::{audit, forbidden, ActionError, Blog};
use crate::auth::Actor;
use crate::content::PostId;
use crate::db::{self, audit::Action};

/// A page's place in the menu, as the admin's menu form gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MenuPlace {
    pub page: PostId,
    /// Smallest first; `None` takes the page out of the menu.
    pub position: Option<i64>,
}

/// Saves the whole menu at once, with one audit row listing its pages in order.
/// Admins only; a place naming no page is refused and nothing is saved.
pub fn set_menu(blog: Blog, actor: &Actor, places: &[MenuPlace]) -> Result<(), ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    blog.db.write_now(|tx| {
        let pages = db::pages::all(tx)?;
        if let Some(gone) = places
            .iter()
            .find(|place| !pages.iter().any(|page| page.id == place.page))
        {
            return Ok(Err(ActionError::NotFound(format!(
                "no page has the id {}: reload the menu page",
                gone.page.0
            ))));
        }
        for place in places {
            db::pages::set_menu_position(tx, place.page, place.position)?;
        }
        let order: Vec<String> = db::pages::all(tx)?
            .into_iter()
            .filter(|page| page.menu_position.is_some())
            .map(|page| page.slug.to_string())
            .collect();
        audit(tx, actor, Action::MenuOrder, "menu", order.join(", "))?;
        Ok(Ok(()))
    })?
}
