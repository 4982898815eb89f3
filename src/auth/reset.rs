//! One-time password reset links: a random token whose hash is stored with an expiry.
//! Made by `blog users reset-link`, the admin page and the importers; used by the
//! reset page (`web::accounts`).

use crate::auth::Token;
use crate::config::BaseUrl;
use crate::content::UserId;
use crate::{db, urls};

/// Long enough to reach someone by mail over a day, short enough to go stale.
pub const LINK_HOURS: i64 = 24;

/// Stores `token` as a reset link for `user` in the caller's transaction (the admin
/// page writes its audit row in the same one) and returns the link's URL.
pub fn record_link(
    conn: &rusqlite::Connection,
    base_url: &BaseUrl,
    user: UserId,
    token: &Token,
) -> rusqlite::Result<String> {
    let path = record(conn, user, token)?;
    Ok(base_url.join(&path))
}

/// Stores `token` as a reset link for `user`; returns the link's path.
pub fn record(
    conn: &rusqlite::Connection,
    user: UserId,
    token: &Token,
) -> rusqlite::Result<String> {
    let expires = db::now_ms() + LINK_HOURS * 3600 * 1000;
    db::password_resets::insert(conn, &token.hash(), user, expires)?;
    Ok(urls::reset(token.as_str()))
}
