//! Webmentions: those received (`webmentions`), checked by the worker and moderated,
//! and those to send (`webmention_outbox`). See `013_webmentions.sql`.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::content::PostId;

/// Where a received mention stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Its source is still to be fetched.
    Queued,
    /// The source links here; waiting for the post's author or an admin.
    Pending,
    Approved,
    /// The source does not link here, is gone, or never answered.
    Refused,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Refused => "refused",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "pending" => Self::Pending,
            "approved" => Self::Approved,
            "refused" => Self::Refused,
            _ => Self::Queued,
        }
    }
}

/// What the source says of itself, as plain text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub author_name: String,
    pub author_url: Option<String>,
    pub title: Option<String>,
    pub excerpt: Option<String>,
}

/// A received mention, as pages and moderators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub id: i64,
    pub post_id: PostId,
    pub source: String,
    pub target: String,
    pub status: Status,
    pub summary: Summary,
    pub reason: Option<String>,
    pub created_at: i64,
    pub verified_at: Option<i64>,
}

const MENTION_COLUMNS: &str = "id, post_id, source, target, status, author_name, author_url,
    title, excerpt, reason, created_at, verified_at";

fn mention_from_row(row: &Row) -> rusqlite::Result<Mention> {
    Ok(Mention {
        id: row.get(0)?,
        post_id: PostId(row.get(1)?),
        source: row.get(2)?,
        target: row.get(3)?,
        status: Status::parse(&row.get::<_, String>(4)?),
        summary: Summary {
            author_name: row.get::<_, Option<String>>(5)?.unwrap_or_default(),
            author_url: row.get(6)?,
            title: row.get(7)?,
            excerpt: row.get(8)?,
        },
        reason: row.get(9)?,
        created_at: row.get(10)?,
        verified_at: row.get(11)?,
    })
}

/// Queues a check of `source` → `target` (a post of ours): a new row, or the row of
/// the same pair again, due now. Returns its id.
pub fn receive(
    conn: &Connection,
    post: PostId,
    source: &str,
    target: &str,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO webmentions (post_id, source, target, created_at, next_attempt_at, queued_at)
         VALUES (?1, ?2, ?3, ?4, ?4, ?4)
         ON CONFLICT (source, target) DO UPDATE SET
             post_id = excluded.post_id, next_attempt_at = excluded.next_attempt_at,
             queued_at = excluded.queued_at, attempts = 0
         RETURNING id",
    )?
    .query_row(params![post.0, source, target, now], |row| row.get(0))
}

/// A mention whose check is due.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: i64,
    pub source: String,
    pub target: String,
    pub attempts: i64,
    /// When the check was asked for: a day of failed tries from here gives up.
    pub queued_at: i64,
}

/// The oldest mentions whose check is due.
pub fn due(conn: &Connection, now: i64, limit: u32) -> rusqlite::Result<Vec<Due>> {
    conn.prepare_cached(
        "SELECT id, source, target, attempts, queued_at FROM webmentions
         WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?1
         ORDER BY next_attempt_at, id LIMIT ?2",
    )?
    .query_map(params![now, limit], |row| {
        Ok(Due {
            id: row.get(0)?,
            source: row.get(1)?,
            target: row.get(2)?,
            attempts: row.get(3)?,
            queued_at: row.get(4)?,
        })
    })?
    .collect()
}

/// The source links here: `status` (pending, or approved for a mention approved
/// before), with what it says of itself; no check is due any more.
pub fn verified(
    conn: &Connection,
    id: i64,
    status: Status,
    summary: &Summary,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE webmentions SET status = ?2, author_name = ?3, author_url = ?4, title = ?5,
             excerpt = ?6, reason = NULL, verified_at = ?7, next_attempt_at = NULL,
             attempts = attempts + 1
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        status.as_str(),
        summary.author_name,
        summary.author_url,
        summary.title,
        summary.excerpt,
        now
    ])?;
    Ok(())
}

/// Refused for `reason`: shown nowhere, and what the source said is forgotten.
pub fn refused(conn: &Connection, id: i64, reason: &str, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE webmentions SET status = 'refused', author_name = NULL, author_url = NULL,
             title = NULL, excerpt = NULL, reason = ?2, verified_at = ?3,
             next_attempt_at = NULL, attempts = attempts + 1
         WHERE id = ?1",
    )?
    .execute(params![id, reason, now])?;
    Ok(())
}

/// Another check at `at`, after this one failed for `error`.
pub fn retry_at(conn: &Connection, id: i64, at: i64, error: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE webmentions SET next_attempt_at = ?2, reason = ?3, attempts = attempts + 1
         WHERE id = ?1",
    )?
    .execute(params![id, at, error])?;
    Ok(())
}

/// When the next check or send is due, if any is.
pub fn next_due(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT min(at) FROM (
             SELECT min(next_attempt_at) AS at FROM webmentions
             UNION ALL
             SELECT min(next_attempt_at) FROM webmention_outbox WHERE status = 'queued')",
        [],
        |row| row.get(0),
    )
}

pub fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Mention>> {
    conn.query_row(
        &format!("SELECT {MENTION_COLUMNS} FROM webmentions WHERE id = ?1"),
        [id],
        mention_from_row,
    )
    .optional()
}

pub fn by_pair(conn: &Connection, source: &str, target: &str) -> rusqlite::Result<Option<Mention>> {
    conn.query_row(
        &format!("SELECT {MENTION_COLUMNS} FROM webmentions WHERE source = ?1 AND target = ?2"),
        [source, target],
        mention_from_row,
    )
    .optional()
}

/// The mentions shown under a post, oldest first: approved ones, and for its
/// moderators the ones waiting too.
pub fn for_post(
    conn: &Connection,
    post: PostId,
    with_pending: bool,
) -> rusqlite::Result<Vec<Mention>> {
    conn.prepare_cached(&format!(
        "SELECT {MENTION_COLUMNS} FROM webmentions
         WHERE post_id = ?1 AND (status = 'approved' OR (?2 AND status = 'pending'))
         ORDER BY coalesce(verified_at, created_at), id"
    ))?
    .query_map(params![post.0, with_pending], mention_from_row)?
    .collect()
}

/// A mention waiting for approval, with the post it is on.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub mention: Mention,
    pub post_slug: crate::content::Slug,
    pub post_title: String,
}

/// The oldest mentions waiting for approval, on every post.
pub fn waiting(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<Waiting>> {
    let mentions: Vec<Mention> = conn
        .prepare_cached(&format!(
            "SELECT {MENTION_COLUMNS} FROM webmentions WHERE status = 'pending'
             ORDER BY verified_at, id LIMIT ?1"
        ))?
        .query_map([limit], mention_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(mentions.len());
    for mention in mentions {
        let Some(post) = super::posts::by_id(conn, mention.post_id)? else {
            continue;
        };
        out.push(Waiting {
            mention,
            post_slug: post.slug,
            post_title: post.title,
        });
    }
    Ok(out)
}

pub fn approve(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE webmentions SET status = 'approved' WHERE id = ?1 AND status = 'pending'",
        [id],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM webmentions WHERE id = ?1", [id])?;
    Ok(())
}

/// Forgets refused mentions checked before `before`; returns how many went.
pub fn prune_refused(conn: &Connection, before: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM webmentions WHERE status = 'refused' AND verified_at < ?1",
        [before],
    )
}

/// Queues a webmention from `source` (our post) to `target`, unless one is queued.
pub fn enqueue_send(
    conn: &Connection,
    source: &str,
    target: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO webmention_outbox (source, target, created_at, next_attempt_at)
         VALUES (?1, ?2, ?3, ?3)",
    )?
    .execute(params![source, target, now])?;
    Ok(())
}

/// A webmention to send.
#[derive(Debug, Clone)]
pub struct Send {
    pub id: i64,
    pub source: String,
    pub target: String,
    pub attempts: i64,
    pub created_at: i64,
}

/// The oldest queued sends whose time has come.
pub fn due_sends(conn: &Connection, now: i64, limit: u32) -> rusqlite::Result<Vec<Send>> {
    conn.prepare_cached(
        "SELECT id, source, target, attempts, created_at FROM webmention_outbox
         WHERE status = 'queued' AND next_attempt_at <= ?1
         ORDER BY next_attempt_at, id LIMIT ?2",
    )?
    .query_map(params![now, limit], |row| {
        Ok(Send {
            id: row.get(0)?,
            source: row.get(1)?,
            target: row.get(2)?,
            attempts: row.get(3)?,
            created_at: row.get(4)?,
        })
    })?
    .collect()
}

/// A send's end: `sent` to `endpoint`, `no_endpoint`, or `failed` with `error`.
pub fn finish_send(
    conn: &Connection,
    id: i64,
    status: &str,
    endpoint: Option<&str>,
    error: Option<&str>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE webmention_outbox SET status = ?2, endpoint = ?3, last_error = ?4,
             finished_at = ?5, attempts = attempts + 1
         WHERE id = ?1",
    )?
    .execute(params![id, status, endpoint, error, now])?;
    Ok(())
}

/// Another try of a send at `at`, after this one failed for `error`.
pub fn retry_send_at(conn: &Connection, id: i64, at: i64, error: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE webmention_outbox SET next_attempt_at = ?2, last_error = ?3,
             attempts = attempts + 1
         WHERE id = ?1",
    )?
    .execute(params![id, at, error])?;
    Ok(())
}

/// Forgets finished sends from before `before`; returns how many went.
pub fn prune_sends(conn: &Connection, before: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM webmention_outbox WHERE status != 'queued' AND finished_at < ?1",
        [before],
    )
}

/// A send, for `blog`'s status listings and the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendEntry {
    pub source: String,
    pub target: String,
    pub status: String,
    pub endpoint: Option<String>,
    pub last_error: Option<String>,
}

/// Every send, newest first.
pub fn sends(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<SendEntry>> {
    conn.prepare_cached(
        "SELECT source, target, status, endpoint, last_error FROM webmention_outbox
         ORDER BY id DESC LIMIT ?1",
    )?
    .query_map([limit], |row| {
        Ok(SendEntry {
            source: row.get(0)?,
            target: row.get(1)?,
            status: row.get(2)?,
            endpoint: row.get(3)?,
            last_error: row.get(4)?,
        })
    })?
    .collect()
}
