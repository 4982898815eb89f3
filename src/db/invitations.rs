//! One-time invitation links (`actions::invitations`): the token's hash, the address
//! and role it is for, and its expiry.

use rusqlite::{params, Connection, OptionalExtension};

use crate::content::{Email, Role, UserId};

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
