//! Second factors: an account's TOTP secret, its recovery codes (hashed), and the
//! half-done logins waiting for a second factor (`login_challenges`).

use rusqlite::{params, Connection, OptionalExtension};

use crate::content::UserId;

/// An account's TOTP row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totp {
    pub secret: Vec<u8>,
    pub confirmed: bool,
    /// The 30-second step of the last code accepted; only later ones are accepted.
    pub last_step: i64,
}

pub fn totp(conn: &Connection, user: UserId) -> rusqlite::Result<Option<Totp>> {
    conn.prepare_cached(
        "SELECT secret, confirmed_at IS NOT NULL, last_step FROM totp_factors WHERE user_id = ?1",
    )?
    .query_row([user], |row| {
        Ok(Totp {
            secret: row.get(0)?,
            confirmed: row.get(1)?,
            last_step: row.get(2)?,
        })
    })
    .optional()
}

/// Whether the account has a second factor: a confirmed app or a passkey.
pub fn has_second_factor(conn: &Connection, user: UserId) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM totp_factors WHERE user_id = ?1 AND confirmed_at IS NOT NULL)
             OR EXISTS (SELECT 1 FROM passkeys WHERE user_id = ?1)",
    )?
    .query_row([user], |row| row.get(0))
}

/// A new secret waiting for its first code; replaces one not yet confirmed.
pub fn start_totp(
    conn: &Connection,
    user: UserId,
    secret: &[u8],
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO totp_factors (user_id, secret, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret,
             created_at = excluded.created_at, last_step = 0
         WHERE totp_factors.confirmed_at IS NULL",
        params![user, secret, now],
    )?;
    Ok(())
}

/// Accepts the code of `step`: true when it is later than the last one accepted (and
/// so not a replay), and notes it. `confirm` also marks the secret confirmed.
pub fn use_step(
    conn: &Connection,
    user: UserId,
    step: i64,
    now: i64,
    confirm: bool,
) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE totp_factors SET last_step = ?2,
             confirmed_at = CASE WHEN ?4 THEN coalesce(confirmed_at, ?3) ELSE confirmed_at END
         WHERE user_id = ?1 AND last_step < ?2 AND (?4 OR confirmed_at IS NOT NULL)",
        params![user, step, now, confirm],
    )?;
    Ok(n == 1)
}

/// Removes the account's TOTP secret; true when there was one confirmed.
pub fn delete_totp(conn: &Connection, user: UserId) -> rusqlite::Result<bool> {
    let confirmed: Option<bool> = conn
        .query_row(
            "DELETE FROM totp_factors WHERE user_id = ?1 RETURNING confirmed_at IS NOT NULL",
            [user],
            |row| row.get(0),
        )
        .optional()?;
    Ok(confirmed == Some(true))
}

/// Replaces the account's recovery codes with these hashes.
pub fn set_recovery_codes(
    conn: &Connection,
    user: UserId,
    hashes: &[[u8; 32]],
) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM recovery_codes WHERE user_id = ?1", [user])?;
    let mut insert =
        conn.prepare_cached("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)")?;
    for hash in hashes {
        insert.execute(params![user, &hash[..]])?;
    }
    Ok(())
}

/// Spends the unused code with this hash: true when there was one.
pub fn use_recovery_code(
    conn: &Connection,
    user: UserId,
    hash: &[u8],
    now: i64,
) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE recovery_codes SET used_at = ?3
         WHERE id = (SELECT id FROM recovery_codes
                     WHERE user_id = ?1 AND code_hash = ?2 AND used_at IS NULL LIMIT 1)",
        params![user, hash, now],
    )?;
    Ok(n == 1)
}

/// How many unused recovery codes the account has.
pub fn recovery_codes_left(conn: &Connection, user: UserId) -> rusqlite::Result<u32> {
    conn.prepare_cached(
        "SELECT count(*) FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL",
    )?
    .query_row([user], |row| row.get(0))
}

pub fn delete_recovery_codes(conn: &Connection, user: UserId) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM recovery_codes WHERE user_id = ?1", [user])?;
    Ok(())
}

/// A login waiting for its second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub user: UserId,
    /// Where to go after (a local path), or "".
    pub next: String,
}

pub fn put_challenge(
    conn: &Connection,
    token_hash: &[u8],
    user: UserId,
    next: &str,
    expires_at: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO login_challenges (token_hash, user_id, next, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, user, next, expires_at],
    )?;
    Ok(())
}

pub fn challenge(
    conn: &Connection,
    token_hash: &[u8],
    now: i64,
) -> rusqlite::Result<Option<Challenge>> {
    conn.prepare_cached(
        "SELECT user_id, next FROM login_challenges WHERE token_hash = ?1 AND expires_at > ?2",
    )?
    .query_row(params![token_hash, now], |row| {
        Ok(Challenge {
            user: row.get(0)?,
            next: row.get(1)?,
        })
    })
    .optional()
}

pub fn delete_challenge(conn: &Connection, token_hash: &[u8]) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM login_challenges WHERE token_hash = ?1")?
        .execute([token_hash])?;
    Ok(())
}

/// Forgets half-done logins and WebAuthn ceremonies that ran out.
pub fn delete_expired(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    let a = conn.execute("DELETE FROM login_challenges WHERE expires_at <= ?1", [now])?;
    let b = conn.execute(
        "DELETE FROM webauthn_ceremonies WHERE expires_at <= ?1",
        [now],
    )?;
    Ok(a + b)
}
