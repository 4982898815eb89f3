//! Readers subscribed by mail: to the whole blog, or to one author.

use rusqlite::{params, Connection, OptionalExtension};

use crate::content::{Email, UserId};

/// A subscription, confirmed or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub id: i64,
    pub email: String,
    /// `None`: every post of the blog.
    pub author: Option<UserId>,
    /// The author's name, for the admin's list.
    pub author_name: Option<String>,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
}

const COLUMNS: &str = "subscribers.id, subscribers.email, subscribers.author_id,
    (SELECT CASE users.display_name WHEN '' THEN users.email ELSE users.display_name END
     FROM users WHERE users.id = subscribers.author_id),
    subscribers.created_at, subscribers.confirmed_at";

fn from_row(row: &rusqlite::Row) -> rusqlite::Result<Subscriber> {
    Ok(Subscriber {
        id: row.get(0)?,
        email: row.get(1)?,
        author: row.get(2)?,
        author_name: row.get(3)?,
        created_at: row.get(4)?,
        confirmed_at: row.get(5)?,
    })
}

/// The subscription of `email` to `author` (or to the blog), if there is one.
pub fn find(
    conn: &Connection,
    email: &Email,
    author: Option<UserId>,
) -> rusqlite::Result<Option<Subscriber>> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM subscribers
             WHERE email = ?1 AND ifnull(author_id, 0) = ifnull(?2, 0)"
        ),
        params![email, author],
        from_row,
    )
    .optional()
}

pub fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Subscriber>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM subscribers WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()
}

/// A new unconfirmed subscription; its id.
pub fn insert(
    conn: &Connection,
    email: &Email,
    author: Option<UserId>,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO subscribers (email, author_id, created_at) VALUES (?1, ?2, ?3)",
        params![email, author, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Confirms it; false when it was already confirmed (or is gone).
pub fn confirm(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE subscribers SET confirmed_at = ?2 WHERE id = ?1 AND confirmed_at IS NULL",
        params![id, now],
    )? == 1)
}

/// Ends it; false when there was none.
pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM subscribers WHERE id = ?1", [id])? == 1)
}

/// The confirmed subscribers who should get a new post by `author`: those of the blog
/// and those of that author, each address once (the blog's subscription first).
pub fn confirmed_for(conn: &Connection, author: UserId) -> rusqlite::Result<Vec<Subscriber>> {
    conn.prepare(&format!(
        "SELECT {COLUMNS} FROM subscribers
         WHERE confirmed_at IS NOT NULL AND (author_id IS NULL OR author_id = ?1)
         ORDER BY email, author_id IS NOT NULL, id"
    ))?
    .query_map([author], from_row)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map(|mut all| {
        all.dedup_by(|later, earlier| later.email == earlier.email);
        all
    })
}

/// How many subscriptions are confirmed, for the dashboard.
pub fn count_confirmed(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT count(*) FROM subscribers WHERE confirmed_at IS NOT NULL",
        [],
        |row| row.get(0),
    )
}

/// Every subscription, newest first.
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<Subscriber>> {
    conn.prepare(&format!(
        "SELECT {COLUMNS} FROM subscribers ORDER BY created_at DESC, id DESC"
    ))?
    .query_map([], from_row)?
    .collect()
}

/// Marks the post as mailed to subscribers; false when it already was.
pub fn mark_post_mailed(
    conn: &Connection,
    post: crate::content::PostId,
    now: i64,
) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "INSERT OR IGNORE INTO post_mailings (post_id, mailed_at) VALUES (?1, ?2)",
        params![post, now],
    )? == 1)
}
