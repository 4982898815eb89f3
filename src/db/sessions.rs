//! Signed-in browsers. Only the SHA-256 of a session token is stored, so a copy of
//! the database does not let anyone sign in.

use rusqlite::{params, Connection, OptionalExtension};

use super::users;
use crate::content::{User, UserId};

/// Where a session was started from, and is seen from: the browser's User-Agent and
/// the client address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub user_agent: String,
    pub client: String,
}

pub fn insert(
    conn: &Connection,
    token_hash: &[u8],
    user: UserId,
    now: i64,
    expires_at: i64,
    seen: &Seen,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, user_agent, client, last_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?3)",
    )?
    .execute(params![token_hash, user, now, expires_at, seen.user_agent, seen.client])?;
    Ok(())
}

/// A live session as the request pipeline sees it: its user, when and from where it
/// was last seen, and whether the account has a second factor.
#[derive(Debug, Clone)]
pub struct Live {
    pub user: User,
    pub last_seen_at: i64,
    pub client: String,
    pub has_second_factor: bool,
}

/// `user`, with what the pipeline needs besides.
pub fn live(conn: &Connection, token_hash: &[u8], now: i64) -> rusqlite::Result<Option<Live>> {
    conn.prepare_cached(&format!(
        "SELECT {}, sessions.last_seen_at, sessions.client,
            EXISTS (SELECT 1 FROM totp_factors t
                    WHERE t.user_id = users.id AND t.confirmed_at IS NOT NULL)
            OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = users.id)
         FROM sessions JOIN users ON users.id = sessions.user_id
         WHERE sessions.token_hash = ?1 AND sessions.expires_at > ?2 AND users.is_active = 1",
        users::COLUMNS
    ))?
    .query_row(params![token_hash, now], |row| {
        Ok(Live {
            user: users::from_row(row)?,
            last_seen_at: row.get(10)?,
            client: row.get(11)?,
            has_second_factor: row.get(12)?,
        })
    })
    .optional()
}

/// Notes that the session was used now, from this address.
pub fn touch(conn: &Connection, token_hash: &[u8], now: i64, client: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE sessions SET last_seen_at = ?2, client = ?3 WHERE token_hash = ?1",
    )?
    .execute(params![token_hash, now, client])?;
    Ok(())
}

/// One of an account's sessions, as its profile lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The first 8 bytes of the token's hash, in hex: enough to name it among the
    /// account's own, and nothing that signs anyone in.
    pub key: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub user_agent: String,
    pub client: String,
}

/// The account's live sessions, the most recently seen first.
pub fn of_user(conn: &Connection, user: UserId, now: i64) -> rusqlite::Result<Vec<Listed>> {
    conn.prepare_cached(
        "SELECT lower(hex(substr(token_hash, 1, 8))), created_at, last_seen_at, user_agent, client
         FROM sessions WHERE user_id = ?1 AND expires_at > ?2
         ORDER BY max(last_seen_at, created_at) DESC",
    )?
    .query_map(params![user, now], |row| {
        Ok(Listed {
            key: row.get(0)?,
            created_at: row.get(1)?,
            last_seen_at: row.get(2)?,
            user_agent: row.get(3)?,
            client: row.get(4)?,
        })
    })?
    .collect()
}

/// The key `of_user` shows for a session's token hash.
pub fn key_of(token_hash: &[u8]) -> String {
    hex::encode(&token_hash[..token_hash.len().min(8)])
}

/// Ends the account's session that `of_user` listed under `key`; false when none.
pub fn delete_by_key(conn: &Connection, user: UserId, key: &str) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "DELETE FROM sessions WHERE user_id = ?1 AND lower(hex(substr(token_hash, 1, 8))) = ?2",
        )?
        .execute(params![user, key.to_ascii_lowercase()])?;
    Ok(n > 0)
}

/// Ends every session of the account; returns how many there were.
pub fn delete_all(conn: &Connection, user: UserId) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM sessions WHERE user_id = ?1", [user])
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
pub fn delete_others(conn: &Connection, user: UserId, keep: &[u8]) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2",
        params![user, keep],
    )
}

pub fn delete_expired(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])
}
