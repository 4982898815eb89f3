//! Login throttling: after 5 failures for one account, or 20 from one client address,
//! within 15 minutes, logins are refused for 15 minutes, even with the right password.

use rusqlite::Connection;

use crate::db::login_failures;

pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const MAX_PER_ACCOUNT: u32 = 5;
pub const MAX_PER_CLIENT: u32 = 20;

pub fn is_throttled(
    conn: &Connection,
    email: &str,
    client: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let (by_account, by_client) = login_failures::counts(conn, email, client, now - WINDOW_MS)?;
    Ok(by_account >= MAX_PER_ACCOUNT || by_client >= MAX_PER_CLIENT)
}

pub fn record_failure(
    conn: &Connection,
    email: &str,
    client: &str,
    now: i64,
) -> rusqlite::Result<()> {
    login_failures::insert(conn, email, client, now)
}

pub fn record_success(conn: &Connection, email: &str, now: i64) -> rusqlite::Result<()> {
    login_failures::clear(conn, email, now - WINDOW_MS)
}
