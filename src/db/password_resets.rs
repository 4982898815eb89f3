//! One-time password reset links, stored hashed.

use rusqlite::{params, Connection, OptionalExtension};

use crate::content::UserId;

pub fn insert(
    conn: &Connection,
    token_hash: &[u8],
    user: UserId,
    expires_at: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
        params![token_hash, user, expires_at],
    )?;
    Ok(())
}

/// The user a live link belongs to, without using it up.
pub fn user(conn: &Connection, token_hash: &[u8], now: i64) -> rusqlite::Result<Option<UserId>> {
    conn.query_row(
        "SELECT user_id FROM password_resets WHERE token_hash = ?1 AND expires_at > ?2",
        params![token_hash, now],
        |row| row.get(0),
    )
    .optional()
}

/// Uses the link up: returns its user once, then never again.
pub fn take(conn: &Connection, token_hash: &[u8], now: i64) -> rusqlite::Result<Option<UserId>> {
    let user = user(conn, token_hash, now)?;
    conn.execute(
        "DELETE FROM password_resets WHERE token_hash = ?1 OR expires_at <= ?2",
        params![token_hash, now],
    )?;
    Ok(user)
}

/// Records a "forgot your password?" request, for any address typed; returns how many
/// came for this address and from this client since `since`, this one included.
pub fn record_request(
    conn: &Connection,
    email: &str,
    client: &str,
    now: i64,
    since: i64,
) -> rusqlite::Result<(u32, u32)> {
    conn.execute(
        "DELETE FROM reset_requests WHERE created_at < ?1",
        params![since],
    )?;
    conn.execute(
        "INSERT INTO reset_requests (email, client, created_at) VALUES (?1, ?2, ?3)",
        params![email, client, now],
    )?;
    conn.query_row(
        "SELECT (SELECT count(*) FROM reset_requests WHERE email = ?1 AND created_at >= ?3),
                (SELECT count(*) FROM reset_requests WHERE client = ?2 AND created_at >= ?3)",
        params![email, client, since],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}
