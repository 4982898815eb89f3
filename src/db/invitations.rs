//! One-time invitation links (`actions::invitations`): the token's hash, the address
//! and role it is for, and its expiry.

use rusqlite::{params, Connection, OptionalExtension};

use crate::content::{Email, Role, UserId};

/// An invitation not used yet and not expired, as `/admin/users` and `blog users
/// invitations` list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub email: Email,
    pub role: Role,
    /// The admin who made it, if the account is still there (none from the CLI).
    pub invited_by: Option<Email>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A live invitation, as its link's page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub email: Email,
    pub role: Role,
}

pub fn insert(
    conn: &Connection,
    token_hash: &[u8],
    invitation: &Invitation,
    invited_by: Option<UserId>,
    now: i64,
    expires_at: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO invitations (token_hash, email, role, invited_by, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            token_hash,
            invitation.email,
            invitation.role,
            invited_by,
            now,
            expires_at
        ],
    )?;
    Ok(())
}

/// The invitation behind a live link, without using it up.
pub fn live(
    conn: &Connection,
    token_hash: &[u8],
    now: i64,
) -> rusqlite::Result<Option<Invitation>> {
    conn.query_row(
        "SELECT email, role FROM invitations WHERE token_hash = ?1 AND expires_at > ?2",
        params![token_hash, now],
        |row| {
            Ok(Invitation {
                email: row.get(0)?,
                role: row.get(1)?,
            })
        },
    )
    .optional()
}

/// Uses the link up: returns its invitation once, then never again (expired ones
/// go at the same time).
pub fn take(
    conn: &Connection,
    token_hash: &[u8],
    now: i64,
) -> rusqlite::Result<Option<Invitation>> {
    let invitation = live(conn, token_hash, now)?;
    conn.execute(
        "DELETE FROM invitations WHERE token_hash = ?1 OR expires_at <= ?2",
        params![token_hash, now],
    )?;
    Ok(invitation)
}

/// Every pending invitation (unused, unexpired), the newest first; one address may
/// have several when it was invited again.
pub fn pending(conn: &Connection, now: i64) -> rusqlite::Result<Vec<Pending>> {
    let mut stmt = conn.prepare(
        "SELECT i.email, i.role, u.email, i.created_at, i.expires_at
         FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
         WHERE i.expires_at > ?1
         ORDER BY i.created_at DESC, i.email",
    )?;
    let rows = stmt.query_map(params![now], |row| {
        Ok(Pending {
            email: row.get(0)?,
            role: row.get(1)?,
            invited_by: row.get(2)?,
            created_at: row.get(3)?,
            expires_at: row.get(4)?,
        })
    })?;
    rows.collect()
}

/// Deletes every invitation for `email` (their links stop working) and answers how
/// many of them were still pending.
pub fn revoke(conn: &Connection, email: &Email, now: i64) -> rusqlite::Result<usize> {
    let pending: usize = conn.query_row(
        "SELECT count(*) FROM invitations WHERE email = ?1 AND expires_at > ?2",
        params![email, now],
        |row| row.get(0),
    )?;
    conn.execute("DELETE FROM invitations WHERE email = ?1", params![email])?;
    Ok(pending)
}
