//! Login throttling: after 5 failures for one account, or 20 from one client address,
//! within 15 minutes, logins are refused for 15 minutes, even with the right password.
//! Comment posting: at most 10 comments from one client address within 10 minutes.

use rusqlite::Connection;

use crate::db::{comments, login_failures};

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

pub const COMMENT_WINDOW_MS: i64 = 10 * 60 * 1000;
/// Enough for a lively conversation, too few for a spam run.
pub const MAX_COMMENTS_PER_CLIENT: u32 = 10;

/// True when this client address has sent its share of comments for now. Deleted
/// comments no longer count: a moderator who cleans up has dealt with them.
pub fn comments_throttled(conn: &Connection, client: &str, now: i64) -> rusqlite::Result<bool> {
    let recent = comments::count_recent(conn, client, now - COMMENT_WINDOW_MS)?;
    Ok(recent >= MAX_COMMENTS_PER_CLIENT)
}
