//! Secret links to a draft: only a hash of each token is stored; deleting the post or
//! revoking ends them all.

use rusqlite::{params, Connection, OptionalExtension};

use crate::content::PostId;

pub fn insert(
    conn: &Connection,
    token_hash: &[u8],
    post: PostId,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO preview_links (token_hash, post_id, created_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![token_hash, post, now])?;
    Ok(())
}

/// The post a live link shows.
pub fn post_of(conn: &Connection, token_hash: &[u8]) -> rusqlite::Result<Option<PostId>> {
    conn.prepare_cached("SELECT post_id FROM preview_links WHERE token_hash = ?1")?
        .query_row([token_hash], |row| row.get(0))
        .optional()
}

/// Ends every link to the post; returns how many there were.
pub fn revoke_all(conn: &Connection, post: PostId) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM preview_links WHERE post_id = ?1")?
        .execute([post])
}
