//! Old addresses that answer 301 (migration 009), and what imports brought in by their
//! old ids (`import_sources`).

use rusqlite::{params, Connection, OptionalExtension};

use crate::content::redirect::{OldPath, Target};

/// One row of `redirects`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub from: OldPath,
    pub to: Target,
    /// `manual`, or the import that added it (`wordpress`, `ghost`).
    pub source: String,
    pub created_at: i64,
}

/// Where the first of `keys` that has a row leads (they are tried in order).
pub fn lookup(conn: &Connection, keys: &[String]) -> rusqlite::Result<Option<Target>> {
    let mut stmt = conn.prepare_cached("SELECT to_path FROM redirects WHERE from_path = ?1")?;
    for key in keys {
        if let Some(to) = stmt
            .query_row([key], |row| row.get::<_, String>(0))
            .optional()?
        {
            return Ok(Some(Target::from_storage(to)));
        }
    }
    Ok(None)
}

pub fn count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT count(*) FROM redirects")?
        .query_row([], |row| row.get(0))
}

/// A page of every redirect, by old address.
pub fn page(conn: &Connection, limit: u32, offset: u64) -> rusqlite::Result<Vec<Redirect>> {
    conn.prepare_cached(
        "SELECT from_path, to_path, source, created_at FROM redirects
         ORDER BY from_path LIMIT ?1 OFFSET ?2",
    )?
    .query_map(params![limit, offset], from_row)?
    .collect()
}

pub fn all(conn: &Connection) -> rusqlite::Result<Vec<Redirect>> {
    page(conn, u32::MAX, 0)
}

fn from_row(row: &rusqlite::Row) -> rusqlite::Result<Redirect> {
    Ok(Redirect {
        from: OldPath::from_storage(row.get(0)?),
        to: Target::from_storage(row.get(1)?),
        source: row.get(2)?,
        created_at: row.get(3)?,
    })
}

/// Adds or replaces the redirect from `from`; true when it changed anything.
pub fn put(
    conn: &Connection,
    from: &OldPath,
    to: &Target,
    source: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let before: Option<String> = conn
        .prepare_cached("SELECT to_path FROM redirects WHERE from_path = ?1")?
        .query_row([from.as_str()], |row| row.get(0))
        .optional()?;
    if before.as_deref() == Some(to.as_str()) {
        return Ok(false);
    }
    conn.prepare_cached(
        "INSERT INTO redirects (from_path, to_path, source, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (from_path) DO UPDATE SET to_path = excluded.to_path,
             source = excluded.source, created_at = excluded.created_at",
    )?
    .execute(params![from.as_str(), to.as_str(), source, now])?;
    Ok(true)
}

/// Whether an import (`source`) leaves this address alone: an admin's own row wins.
pub fn is_manual(conn: &Connection, from: &OldPath) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM redirects WHERE from_path = ?1 AND source = 'manual'")?
        .exists([from.as_str()])
}

/// Removes the redirect; false when there was none.
pub fn remove(conn: &Connection, from: &OldPath) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM redirects WHERE from_path = ?1")?
        .execute([from.as_str()])?
        > 0)
}

/// What an import made of the item `old_id` of kind `kind` from `source`, if it ran
/// before.
pub fn imported(
    conn: &Connection,
    source: &str,
    kind: &str,
    old_id: &str,
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT new_id FROM import_sources WHERE source = ?1 AND kind = ?2 AND old_id = ?3",
    )?
    .query_row(params![source, kind, old_id], |row| row.get(0))
    .optional()
}

/// Remembers what an import made of an item.
pub fn remember(
    conn: &Connection,
    source: &str,
    kind: &str,
    old_id: &str,
    new_id: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO import_sources (source, kind, old_id, new_id) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (source, kind, old_id) DO UPDATE SET new_id = excluded.new_id",
    )?
    .execute(params![source, kind, old_id, new_id])?;
    Ok(())
}
