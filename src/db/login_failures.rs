//! Failed logins, counted per account and per client address for throttling.

use rusqlite::{params, Connection};

pub fn insert(conn: &Connection, email: &str, client: &str, at: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO login_failures (email, client, at) VALUES (?1, ?2, ?3)")?
        .execute(params![email, client, at])?;
    Ok(())
}

/// Failures for this account and for this client since `since`.
pub fn counts(
    conn: &Connection,
    email: &str,
    client: &str,
    since: i64,
) -> rusqlite::Result<(u32, u32)> {
    let by_email = conn
        .prepare_cached("SELECT count(*) FROM login_failures WHERE email = ?1 AND at > ?2")?
        .query_row(params![email, since], |row| row.get(0))?;
    let by_client = conn
        .prepare_cached("SELECT count(*) FROM login_failures WHERE client = ?1 AND at > ?2")?
        .query_row(params![client, since], |row| row.get(0))?;
    Ok((by_email, by_client))
}

/// Forgets an account's failures after it logs in, and everyone's old ones.
pub fn clear(conn: &Connection, email: &str, older_than: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM login_failures WHERE email = ?1 OR at <= ?2")?
        .execute(params![email, older_than])?;
    Ok(())
}
