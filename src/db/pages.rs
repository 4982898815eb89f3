//! Pages: rows of `posts` with `kind = 'page'`, which stand alone at `/pages/{slug}`
//! and may be in the site's menu. Lists of posts leave them out (see `db::posts`).

use rusqlite::{params, Connection};

use super::posts::{from_row, SELECT};
use crate::content::{Kind, MenuEntry, Post, PostId, Slug, UserId};

/// The site's menu: published pages with a position, smallest first. One small query,
/// which `App::menu` runs once per content version, not once per request.
pub fn menu(conn: &Connection) -> rusqlite::Result<Vec<MenuEntry>> {
    conn.prepare_cached(
        "SELECT title, slug FROM posts
         WHERE kind = 'page' AND published_at IS NOT NULL AND menu_position IS NOT NULL
         ORDER BY menu_position, id",
    )?
    .query_map([], |row| {
        Ok(MenuEntry {
            title: row.get(0)?,
            slug: row.get(1)?,
        })
    })?
    .collect()
}

/// Every page, drafts too, for the admin's menu page: those in the menu first, in its
/// order, then the others by title.
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<Post>> {
    conn.prepare_cached(&format!(
        "{SELECT} WHERE posts.kind = 'page'
         ORDER BY posts.menu_position IS NULL, posts.menu_position, posts.title, posts.id"
    ))?
    .query_map([], from_row)?
    .collect()
}

/// Draft pages, last edited first; `author` narrows to one author's.
pub fn drafts(conn: &Connection, author: Option<UserId>) -> rusqlite::Result<Vec<Post>> {
    super::posts::drafts_of_kind(conn, Kind::Page, author)
}

/// Every published page's slug and last change, for the sitemap.
pub fn published_slugs(conn: &Connection) -> rusqlite::Result<Vec<(Slug, i64)>> {
    conn.prepare_cached(
        "SELECT slug, max(updated_at, published_at) FROM posts
         WHERE kind = 'page' AND published_at IS NOT NULL ORDER BY slug",
    )?
    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
    .collect()
}

/// Puts a page at `position` in the menu, or takes it out with `None`; false when no
/// page has that id.
pub fn set_menu_position(
    conn: &Connection,
    id: PostId,
    position: Option<i64>,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("UPDATE posts SET menu_position = ?2 WHERE id = ?1 AND kind = 'page'")?
        .execute(params![id, position])?;
    Ok(n == 1)
}
