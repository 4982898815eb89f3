//! The mail outbox: a row per mail, queued in the transaction of the change that causes
//! it, then sent (or given up on) by `mail::worker`.

use rusqlite::{params, Connection, Row};

/// A mail ready to go, as `mail::letters` wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub to: String,
    /// What the mail is about, for `blog mail status` and the throttles: `reset`,
    /// `comment`, `subscribe`, `post`.
    pub kind: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The one-click unsubscribe URL (`List-Unsubscribe`), for mails a reader may stop.
    pub unsubscribe: Option<String>,
}

/// A queued row, as the worker sends it.
#[derive(Debug, Clone)]
pub struct Queued {
    pub id: i64,
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub unsubscribe: Option<String>,
    pub created_at: i64,
    pub attempts: i64,
    /// `Name <address>` as it was when the mail was written; `None` for mail queued
    /// before senders were kept.
    pub sender: Option<String>,
}

/// Queues a letter from `sender` (`Name <address>`) under its Message-ID (`id@host`,
/// made by the caller).
pub fn enqueue(
    conn: &Connection,
    letter: &Letter,
    sender: &str,
    message_id: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO mail_outbox (message_id, recipient, kind, subject, text_body, html_body,
             unsubscribe_url, created_at, next_attempt_at, sender)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
    )?
    .execute(params![
        message_id,
        letter.to,
        letter.kind,
        letter.subject,
        letter.text,
        letter.html,
        letter.unsubscribe,
        now,
        sender
    ])?;
    Ok(())
}

fn queued_from_row(row: &Row) -> rusqlite::Result<Queued> {
    Ok(Queued {
        id: row.get(0)?,
        message_id: row.get(1)?,
        to: row.get(2)?,
        subject: row.get(3)?,
        text: row.get(4)?,
        html: row.get(5)?,
        unsubscribe: row.get(6)?,
        created_at: row.get(7)?,
        attempts: row.get(8)?,
        sender: row.get(9)?,
    })
}

/// The oldest queued mails whose time to (re)try has come.
pub fn due(conn: &Connection, now: i64, limit: u32) -> rusqlite::Result<Vec<Queued>> {
    conn.prepare_cached(
        "SELECT id, message_id, recipient, subject, text_body, html_body, unsubscribe_url,
                created_at, attempts, sender
         FROM mail_outbox WHERE status = 'queued' AND next_attempt_at <= ?1
         ORDER BY next_attempt_at, id LIMIT ?2",
    )?
    .query_map(params![now, limit], queued_from_row)?
    .collect()
}

/// When the next queued mail is due, if any is queued.
pub fn next_due(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT min(next_attempt_at) FROM mail_outbox WHERE status = 'queued'",
        [],
        |row| row.get(0),
    )
}

pub fn mark_sent(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE mail_outbox SET status = 'sent', attempts = attempts + 1, finished_at = ?2,
             last_error = NULL
         WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    Ok(())
}

/// Another try later, with why this one failed.
pub fn retry_at(conn: &Connection, id: i64, at: i64, error: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3
         WHERE id = ?1",
    )?
    .execute(params![id, at, error])?;
    Ok(())
}

/// Given up: the server refused the mail for good, or a day of tries went by.
pub fn mark_failed(conn: &Connection, id: i64, now: i64, error: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE mail_outbox SET status = 'failed', attempts = attempts + 1, finished_at = ?2,
             last_error = ?3
         WHERE id = ?1",
    )?
    .execute(params![id, now, error])?;
    Ok(())
}

/// Forgets mails that were sent or failed before `before`: the queue is not an
/// archive. Returns how many went.
pub fn prune_finished(conn: &Connection, before: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM mail_outbox WHERE status != 'queued' AND finished_at < ?1",
        [before],
    )
}

/// How many mails are queued, sent and failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
}

pub fn counts(conn: &Connection) -> rusqlite::Result<Counts> {
    conn.query_row(
        "SELECT count(*) FILTER (WHERE status = 'queued'),
                count(*) FILTER (WHERE status = 'sent'),
                count(*) FILTER (WHERE status = 'failed')
         FROM mail_outbox",
        [],
        |row| {
            Ok(Counts {
                queued: row.get(0)?,
                sent: row.get(1)?,
                failed: row.get(2)?,
            })
        },
    )
}

/// A mail for the status listings: who, what, where it stands, and the last error.
#[derive(Debug, Clone)]
pub struct Entry {
    pub to: String,
    pub kind: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub created_at: i64,
    pub last_error: Option<String>,
}

/// The mails not sent: queued ones (with why the last try failed) and failed ones,
/// newest first.
pub fn unsent(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<Entry>> {
    conn.prepare_cached(
        "SELECT recipient, kind, subject, status, attempts, created_at, last_error
         FROM mail_outbox WHERE status != 'sent' ORDER BY id DESC LIMIT ?1",
    )?
    .query_map([limit], |row| {
        Ok(Entry {
            to: row.get(0)?,
            kind: row.get(1)?,
            subject: row.get(2)?,
            status: row.get(3)?,
            attempts: row.get(4)?,
            created_at: row.get(5)?,
            last_error: row.get(6)?,
        })
    })?
    .collect()
}

/// How many mails of `kind` went to `to` since `since`, for the throttles.
pub fn count_recent(conn: &Connection, to: &str, kind: &str, since: i64) -> rusqlite::Result<u32> {
    conn.query_row(
        "SELECT count(*) FROM mail_outbox WHERE recipient = ?1 AND kind = ?2 AND created_at >= ?3",
        params![to, kind, since],
        |row| row.get(0),
    )
}
