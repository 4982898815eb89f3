//! Accounts: who may log in, with which role.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::content::{Avatar, Email, Role, User, UserId};

/// The columns `from_row` reads, for queries that join users.
pub const COLUMNS: &str =
    "users.id, users.email, users.password_hash, users.display_name, users.bio,
    users.role, users.is_active, users.created_at,
    (SELECT path FROM media_files WHERE media_id = users.avatar_id AND variant = 'large'),
    (SELECT path FROM media_files WHERE media_id = users.avatar_id AND variant = 'small')";

pub fn from_row(row: &Row) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        email: row.get(1)?,
        password_hash: row.get(2)?,
        display_name: row.get(3)?,
        bio: row.get(4)?,
        role: row.get(5)?,
        is_active: row.get(6)?,
        created_at: row.get(7)?,
        avatar: match (row.get(8)?, row.get(9)?) {
            (Some(large), Some(small)) => Some(Avatar { large, small }),
            _ => None,
        },
    })
}

pub struct NewUser<'a> {
    pub email: &'a Email,
    pub password_hash: Option<&'a str>,
    pub display_name: &'a str,
    pub role: Role,
}

/// Fails with a UNIQUE violation when the address is taken (in any case, since
/// addresses are stored case-folded).
pub fn insert(conn: &Connection, user: &NewUser, now: i64) -> rusqlite::Result<UserId> {
    conn.prepare_cached(
        "INSERT INTO users (email, password_hash, display_name, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![user.email, user.password_hash, user.display_name.trim(), user.role, now])?;
    Ok(UserId(conn.last_insert_rowid()))
}

pub fn by_email(conn: &Connection, email: &Email) -> rusqlite::Result<Option<User>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE email = ?1"))?
        .query_row([email], from_row)
        .optional()
}

pub fn by_id(conn: &Connection, id: UserId) -> rusqlite::Result<Option<User>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

pub fn all(conn: &Connection) -> rusqlite::Result<Vec<User>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users ORDER BY id"))?
        .query_map([], from_row)?
        .collect()
}

/// Returns false when no such user exists.
pub fn set_role(conn: &Connection, email: &Email, role: Role) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE users SET role = ?2 WHERE email = ?1",
        params![email, role],
    )?;
    Ok(n == 1)
}

/// Deactivates the account and ends all its sessions. Returns false when no such user.
pub fn deactivate(conn: &Connection, email: &Email) -> rusqlite::Result<bool> {
    let n = conn.execute("UPDATE users SET is_active = 0 WHERE email = ?1", [email])?;
    conn.execute(
        "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = ?1)",
        [email],
    )?;
    Ok(n == 1)
}

/// Lets a deactivated account log in again (its sessions ended when it was
/// deactivated, so there is nothing to restore). Returns false when no such user.
pub fn reactivate(conn: &Connection, id: UserId) -> rusqlite::Result<bool> {
    let n = conn.execute("UPDATE users SET is_active = 1 WHERE id = ?1", [id])?;
    Ok(n == 1)
}

pub fn set_password(conn: &Connection, id: UserId, hash: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET password_hash = ?2 WHERE id = ?1",
        params![id, hash],
    )?;
    Ok(())
}

pub fn update_profile(
    conn: &Connection,
    id: UserId,
    display_name: &str,
    bio: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET display_name = ?2, bio = ?3 WHERE id = ?1",
        params![id, display_name.trim(), bio.trim()],
    )?;
    Ok(())
}

/// Deletes the account; its posts and sessions go with it (foreign keys cascade).
pub fn delete(conn: &Connection, id: UserId) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM users WHERE id = ?1", [id])?;
    Ok(())
}

/// Whether the account is mailed about new comments on its posts.
pub fn notifies_comments(conn: &Connection, id: UserId) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT notify_comments FROM users WHERE id = ?1",
        [id],
        |row| row.get(0),
    )
    .optional()
    .map(|found| found.unwrap_or(false))
}

pub fn set_notify_comments(conn: &Connection, id: UserId, on: bool) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET notify_comments = ?2 WHERE id = ?1",
        params![id, on],
    )?;
    Ok(())
}
