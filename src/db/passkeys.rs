//! Passkeys (WebAuthn credentials) and the ceremonies in flight that make or use them.

use rusqlite::{params, Connection, OptionalExtension};

use crate::content::UserId;

/// A stored passkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub user: UserId,
    pub credential_id: Vec<u8>,
    pub user_handle: String,
    pub name: String,
    /// The library's record, as JSON.
    pub passkey: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

const COLUMNS: &str =
    "id, user_id, credential_id, user_handle, name, passkey, created_at, last_used_at";

fn from_row(row: &rusqlite::Row) -> rusqlite::Result<Stored> {
    Ok(Stored {
        id: row.get(0)?,
        user: row.get(1)?,
        credential_id: row.get(2)?,
        user_handle: row.get(3)?,
        name: row.get(4)?,
        passkey: row.get(5)?,
        created_at: row.get(6)?,
        last_used_at: row.get(7)?,
    })
}

pub fn of_user(conn: &Connection, user: UserId) -> rusqlite::Result<Vec<Stored>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM passkeys WHERE user_id = ?1 ORDER BY id"
    ))?
    .query_map([user], from_row)?
    .collect()
}

pub fn by_credential(conn: &Connection, credential_id: &[u8]) -> rusqlite::Result<Option<Stored>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM passkeys WHERE credential_id = ?1"
    ))?
    .query_row([credential_id], from_row)
    .optional()
}

pub fn count(conn: &Connection, user: UserId) -> rusqlite::Result<u32> {
    conn.prepare_cached("SELECT count(*) FROM passkeys WHERE user_id = ?1")?
        .query_row([user], |row| row.get(0))
}

/// The account's WebAuthn user handle, if one of its passkeys has it.
pub fn user_handle(conn: &Connection, user: UserId) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT user_handle FROM passkeys WHERE user_id = ?1 LIMIT 1")?
        .query_row([user], |row| row.get(0))
        .optional()
}

pub struct NewPasskey<'a> {
    pub user: UserId,
    pub credential_id: &'a [u8],
    pub user_handle: &'a str,
    pub name: &'a str,
    pub passkey: &'a str,
}

pub fn insert(conn: &Connection, new: &NewPasskey, now: i64) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO passkeys (user_id, credential_id, user_handle, name, passkey, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            new.user,
            new.credential_id,
            new.user_handle,
            new.name,
            new.passkey,
            now
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// After a login with it: its new record (signature counter) and when.
pub fn used(conn: &Connection, id: i64, passkey: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE passkeys SET passkey = ?2, last_used_at = ?3 WHERE id = ?1",
        params![id, passkey, now],
    )?;
    Ok(())
}

/// Renames the account's passkey; false when it has none by that id.
pub fn rename(conn: &Connection, user: UserId, id: i64, name: &str) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE passkeys SET name = ?3 WHERE id = ?1 AND user_id = ?2",
        params![id, user, name],
    )?;
    Ok(n == 1)
}

/// Deletes the account's passkey; its name when there was one by that id.
pub fn delete(conn: &Connection, user: UserId, id: i64) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "DELETE FROM passkeys WHERE id = ?1 AND user_id = ?2 RETURNING name",
        params![id, user],
        |row| row.get(0),
    )
    .optional()
}

pub fn delete_all(conn: &Connection, user: UserId) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM passkeys WHERE user_id = ?1", [user])
}

/// Keeps a ceremony's state (one per kind per browser) until `expires_at`.
pub fn put_ceremony(
    conn: &Connection,
    token_hash: &[u8],
    kind: &str,
    state: &str,
    expires_at: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO webauthn_ceremonies (token_hash, kind, state, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, kind, state, expires_at],
    )?;
    Ok(())
}

/// Takes (reads and deletes) a live ceremony's state: each is used once.
pub fn take_ceremony(
    conn: &Connection,
    token_hash: &[u8],
    kind: &str,
    now: i64,
) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "DELETE FROM webauthn_ceremonies WHERE token_hash = ?1 AND kind = ?2 RETURNING state, expires_at",
        params![token_hash, kind],
        |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)),
    )
    .optional()
    .map(|found| found.filter(|(_, expires)| *expires > now).map(|(state, _)| state))
}
