//! Signed-in browsers. Only the SHA-256 of a session token is stored, so a copy of
//! the database does not let anyone sign in.

use rusqlite::{params, Connection, OptionalExtension};

use super::users;
use crate::content::{User, UserId};

pub fn insert(
    conn: &Connection,
    token_hash: &[u8],
    user: UserId,
    now: i64,
    expires_at: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![token_hash, user, now, expires_at])?;
    Ok(())
}

/// The active user of a live session; a deactivated user has none.
pub fn user(conn: &Connection, token_hash: &[u8], now: i64) -> rusqlite::Result<Option<User>> {
    conn.prepare_cached(&format!(
        "SELECT {} FROM sessions JOIN users ON users.id = sessions.user_id
         WHERE sessions.token_hash = ?1 AND sessions.expires_at > ?2 AND users.is_active = 1",
        users::COLUMNS
    ))?
    .query_row(params![token_hash, now], users::from_row)
    .optional()
}

pub fn delete(conn: &Connection, token_hash: &[u8]) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?
        .execute([token_hash])?;
    Ok(())
}

/// Ends every session of a user but one (the browser that changed the password).
pub fn delete_others(conn: &Connection, user: UserId, keep: &[u8]) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2",
        params![user, keep],
    )?;
    Ok(())
}

pub fn delete_expired(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])
}
