//! The federation tables (`014_federation.sql`): key pairs, handles, remote actors,
//! followers and followings, the outbox of activities and their deliveries, received
//! posts, reactions, blocks, and the ids of activities already taken in.

use rusqlite::{params, Connection, OptionalExtension};

use crate::content::{CommentId, PostId, UserId};

// --- Our actors' keys and handles -------------------------------------------------

pub struct KeyPair {
    pub private_pem: String,
    pub public_pem: String,
}

pub fn key_pair(conn: &Connection, actor: &str) -> rusqlite::Result<Option<KeyPair>> {
    conn.prepare_cached("SELECT private_pem, public_pem FROM ap_keys WHERE actor = ?1")?
        .query_row([actor], |row| {
            Ok(KeyPair {
                private_pem: row.get(0)?,
                public_pem: row.get(1)?,
            })
        })
        .optional()
}

/// Keeps the first pair written for `actor`: two requests that both made one agree
/// on the stored one.
pub fn insert_key_pair(
    conn: &Connection,
    actor: &str,
    pair: &KeyPair,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO ap_keys (actor, private_pem, public_pem, created_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![actor, pair.private_pem, pair.public_pem, now])?;
    Ok(())
}

/// Writers (authors and admins, active) that have no handle yet, with their names.
pub fn writers_without_handle(conn: &Connection) -> rusqlite::Result<Vec<(UserId, String)>> {
    conn.prepare_cached(
        "SELECT id, display_name FROM users
         WHERE is_active AND role IN ('author', 'admin')
           AND id NOT IN (SELECT user_id FROM ap_handles)
         ORDER BY id",
    )?
    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
    .collect()
}

/// Whether the handle was free (and is now the user's).
pub fn claim_handle(conn: &Connection, user: UserId, handle: &str) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("INSERT OR IGNORE INTO ap_handles (user_id, handle) VALUES (?1, ?2)")?
        .execute(params![user, handle])?;
    Ok(n == 1)
}

pub fn handle_of(conn: &Connection, user: UserId) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT handle FROM ap_handles WHERE user_id = ?1")?
        .query_row([user], |row| row.get(0))
        .optional()
}

/// The active writer with this handle.
pub fn user_by_handle(conn: &Connection, handle: &str) -> rusqlite::Result<Option<UserId>> {
    conn.prepare_cached(
        "SELECT h.user_id FROM ap_handles h JOIN users u ON u.id = h.user_id
         WHERE h.handle = ?1 AND u.is_active AND u.role IN ('author', 'admin')",
    )?
    .query_row([handle], |row| row.get(0))
    .optional()
}

/// Active writers: the actors NodeInfo counts as users.
pub fn writer_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT count(*) FROM users WHERE is_active AND role IN ('author', 'admin')",
    )?
    .query_row([], |row| row.get(0))
}

/// Whether the user is an active writer: only they are actors.
pub fn is_writer(conn: &Connection, user: UserId) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM users
         WHERE id = ?1 AND is_active AND role IN ('author', 'admin'))",
    )?
    .query_row([user], |row| row.get(0))
}

// --- Remote actors ----------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteActor {
    pub id: String,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub key_id: String,
    pub public_pem: String,
    pub name: String,
    /// `user@host`.
    pub handle: String,
    /// Their profile page.
    pub url: String,
    pub fetched_at: i64,
}

impl RemoteActor {
    /// Where deliveries go: the server's shared inbox when it has one.
    pub fn delivery_inbox(&self) -> &str {
        self.shared_inbox.as_deref().unwrap_or(&self.inbox)
    }
}

const ACTOR_COLUMNS: &str =
    "id, inbox, shared_inbox, key_id, public_pem, name, handle, url, fetched_at";

fn actor_from_row(row: &rusqlite::Row) -> rusqlite::Result<RemoteActor> {
    Ok(RemoteActor {
        id: row.get(0)?,
        inbox: row.get(1)?,
        shared_inbox: row.get(2)?,
        key_id: row.get(3)?,
        public_pem: row.get(4)?,
        name: row.get(5)?,
        handle: row.get(6)?,
        url: row.get(7)?,
        fetched_at: row.get(8)?,
    })
}

pub fn remote_actor(conn: &Connection, id: &str) -> rusqlite::Result<Option<RemoteActor>> {
    conn.prepare_cached(&format!(
        "SELECT {ACTOR_COLUMNS} FROM ap_actors WHERE id = ?1"
    ))?
    .query_row([id], actor_from_row)
    .optional()
}

pub fn save_remote_actor(conn: &Connection, actor: &RemoteActor) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "INSERT OR REPLACE INTO ap_actors ({ACTOR_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    ))?
    .execute(params![
        actor.id,
        actor.inbox,
        actor.shared_inbox,
        actor.key_id,
        actor.public_pem,
        actor.name,
        actor.handle,
        actor.url,
        actor.fetched_at
    ])?;
    Ok(())
}

// --- Followers and followings -------------------------------------------------------

pub fn add_follower(
    conn: &Connection,
    local: &str,
    remote: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO ap_followers (local, remote, created_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![local, remote, now])?;
    Ok(())
}

pub fn remove_follower(conn: &Connection, local: &str, remote: &str) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM ap_followers WHERE local = ?1 AND remote = ?2")?
        .execute(params![local, remote])?;
    Ok(n > 0)
}

/// Forgets an actor everywhere it follows (it was deleted, or blocked).
pub fn remove_follower_everywhere(conn: &Connection, remote: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM ap_followers WHERE remote = ?1")?
        .execute([remote])?;
    Ok(())
}

pub fn follower_count(conn: &Connection, local: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM ap_followers WHERE local = ?1")?
        .query_row([local], |row| row.get(0))
}

/// The actors following `local`.
pub fn followers(conn: &Connection, local: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("SELECT remote FROM ap_followers WHERE local = ?1 ORDER BY created_at")?
        .query_map([local], |row| row.get(0))?
        .collect()
}

/// One inbox per server among the followers of any of `locals`: the shared inbox
/// where an actor has one. Followers whose actor was never fetched are skipped.
pub fn inboxes_of_followers(conn: &Connection, locals: &[&str]) -> rusqlite::Result<Vec<String>> {
    let mut inboxes = Vec::new();
    let mut statement = conn.prepare_cached(
        "SELECT DISTINCT coalesce(a.shared_inbox, a.inbox)
         FROM ap_followers f JOIN ap_actors a ON a.id = f.remote
         WHERE f.local = ?1",
    )?;
    for local in locals {
        for inbox in statement.query_map([local], |row| row.get::<_, String>(0))? {
            let inbox = inbox?;
            if !inboxes.contains(&inbox) {
                inboxes.push(inbox);
            }
        }
    }
    Ok(inboxes)
}

pub struct Following {
    pub remote: String,
    pub handle: String,
    pub name: String,
    pub url: String,
    pub accepted: bool,
}

pub fn add_following(
    conn: &Connection,
    local: &str,
    remote: &str,
    follow_id: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO ap_following (local, remote, follow_id, state, created_at)
         VALUES (?1, ?2, ?3, 'pending', ?4)",
    )?
    .execute(params![local, remote, follow_id, now])?;
    Ok(())
}

/// The Follow activity's id, when `local` follows `remote`; the row is removed.
pub fn remove_following(
    conn: &Connection,
    local: &str,
    remote: &str,
) -> rusqlite::Result<Option<String>> {
    let id: Option<String> = conn
        .prepare_cached("SELECT follow_id FROM ap_following WHERE local = ?1 AND remote = ?2")?
        .query_row(params![local, remote], |row| row.get(0))
        .optional()?;
    conn.prepare_cached("DELETE FROM ap_following WHERE local = ?1 AND remote = ?2")?
        .execute(params![local, remote])?;
    Ok(id)
}

/// Marks our Follow accepted; false when it names no Follow of ours by that actor.
pub fn accept_following(
    conn: &Connection,
    follow_id: &str,
    remote: &str,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE ap_following SET state = 'accepted' WHERE follow_id = ?1 AND remote = ?2",
        )?
        .execute(params![follow_id, remote])?;
    Ok(n > 0)
}

/// Whether any of our actors follows `remote` (and it accepted).
pub fn is_followed(conn: &Connection, remote: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM ap_following WHERE remote = ?1 AND state = 'accepted')",
    )?
    .query_row([remote], |row| row.get(0))
}

pub fn following(conn: &Connection, local: &str) -> rusqlite::Result<Vec<Following>> {
    conn.prepare_cached(
        "SELECT f.remote, coalesce(a.handle, f.remote), coalesce(a.name, ''),
                coalesce(a.url, f.remote), f.state = 'accepted'
         FROM ap_following f LEFT JOIN ap_actors a ON a.id = f.remote
         WHERE f.local = ?1 ORDER BY f.created_at",
    )?
    .query_map([local], |row| {
        Ok(Following {
            remote: row.get(0)?,
            handle: row.get(1)?,
            name: row.get(2)?,
            url: row.get(3)?,
            accepted: row.get(4)?,
        })
    })?
    .collect()
}

// --- Received posts and our notes ---------------------------------------------------

pub struct Received {
    pub object_id: String,
    pub actor: String,
    pub actor_name: String,
    pub actor_handle: String,
    pub url: String,
    pub name: String,
    pub content: String,
    pub published_at: i64,
}

pub struct NewReceived<'a> {
    pub object_id: &'a str,
    pub actor: &'a str,
    pub url: &'a str,
    pub name: &'a str,
    pub content: &'a str,
    pub published_at: i64,
}

/// Stores a post, or its new text (an Update) when it came before.
pub fn save_received(conn: &Connection, post: &NewReceived, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO ap_received (object_id, actor, url, name, content, published_at, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (object_id) DO UPDATE SET url = excluded.url, name = excluded.name,
             content = excluded.content
         WHERE ap_received.actor = excluded.actor",
    )?
    .execute(params![
        post.object_id,
        post.actor,
        post.url,
        post.name,
        post.content,
        post.published_at,
        now
    ])?;
    Ok(())
}

/// Removes a received post, if `actor` sent it.
pub fn remove_received(conn: &Connection, object_id: &str, actor: &str) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM ap_received WHERE object_id = ?1 AND actor = ?2")?
        .execute(params![object_id, actor])?;
    Ok(n > 0)
}

pub fn received_by_id(conn: &Connection, object_id: &str) -> rusqlite::Result<Option<Received>> {
    Ok(received_where(conn, "r.object_id = ?1", &[&object_id], 1)?
        .into_iter()
        .next())
}

/// The latest posts from the accounts `local` follows.
pub fn received_for(conn: &Connection, local: &str, limit: i64) -> rusqlite::Result<Vec<Received>> {
    received_where(
        conn,
        "r.actor IN (SELECT remote FROM ap_following WHERE local = ?1)",
        &[&local],
        limit,
    )
}

fn received_where(
    conn: &Connection,
    condition: &str,
    args: &[&dyn rusqlite::ToSql],
    limit: i64,
) -> rusqlite::Result<Vec<Received>> {
    let sql = format!(
        "SELECT r.object_id, r.actor, coalesce(a.name, ''), coalesce(a.handle, r.actor), r.url,
                r.name, r.content, r.published_at
         FROM ap_received r LEFT JOIN ap_actors a ON a.id = r.actor
         WHERE {condition} ORDER BY r.published_at DESC LIMIT {limit}"
    );
    conn.prepare_cached(&sql)?
        .query_map(args, |row| {
            Ok(Received {
                object_id: row.get(0)?,
                actor: row.get(1)?,
                actor_name: row.get(2)?,
                actor_handle: row.get(3)?,
                url: row.get(4)?,
                name: row.get(5)?,
                content: row.get(6)?,
                published_at: row.get(7)?,
            })
        })?
        .collect()
}

pub struct Note {
    pub id: i64,
    pub author_id: UserId,
    pub in_reply_to: String,
    pub content: String,
    pub created_at: i64,
}

pub fn insert_note(
    conn: &Connection,
    author: UserId,
    in_reply_to: &str,
    content: &str,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO ap_notes (author_id, in_reply_to, content, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![author, in_reply_to, content, now])?;
    Ok(conn.last_insert_rowid())
}

pub fn note(conn: &Connection, id: i64) -> rusqlite::Result<Option<Note>> {
    conn.prepare_cached(
        "SELECT id, author_id, in_reply_to, content, created_at FROM ap_notes WHERE id = ?1",
    )?
    .query_row([id], |row| {
        Ok(Note {
            id: row.get(0)?,
            author_id: row.get(1)?,
            in_reply_to: row.get(2)?,
            content: row.get(3)?,
            created_at: row.get(4)?,
        })
    })
    .optional()
}

// --- The outbox -------------------------------------------------------------------

/// Queues one activity for every inbox; returns how many deliveries it made.
pub fn queue(
    conn: &Connection,
    signer: &str,
    body: &str,
    inboxes: &[String],
    now: i64,
) -> rusqlite::Result<usize> {
    if inboxes.is_empty() {
        return Ok(0);
    }
    conn.prepare_cached(
        "INSERT INTO ap_activities (signer, body, created_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![signer, body, now])?;
    let activity = conn.last_insert_rowid();
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO ap_deliveries (activity_id, inbox, status, next_at, created_at)
         VALUES (?1, ?2, 'queued', ?3, ?3)",
    )?;
    for inbox in inboxes {
        insert.execute(params![activity, inbox, now])?;
    }
    Ok(inboxes.len())
}

#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: i64,
    pub inbox: String,
    pub signer: String,
    pub body: String,
    pub attempts: i64,
    pub created_at: i64,
}

pub fn due(conn: &Connection, now: i64, limit: u32) -> rusqlite::Result<Vec<Delivery>> {
    conn.prepare_cached(
        "SELECT d.id, d.inbox, a.signer, a.body, d.attempts, d.created_at
         FROM ap_deliveries d JOIN ap_activities a ON a.id = d.activity_id
         WHERE d.status = 'queued' AND d.next_at <= ?1
         ORDER BY d.next_at, d.id LIMIT ?2",
    )?
    .query_map(params![now, limit], |row| {
        Ok(Delivery {
            id: row.get(0)?,
            inbox: row.get(1)?,
            signer: row.get(2)?,
            body: row.get(3)?,
            attempts: row.get(4)?,
            created_at: row.get(5)?,
        })
    })?
    .collect()
}

pub fn next_due(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT min(next_at) FROM ap_deliveries WHERE status = 'queued'")?
        .query_row([], |row| row.get(0))
}

pub fn mark_sent(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE ap_deliveries SET status = 'sent', attempts = attempts + 1, error = '' WHERE id = ?1",
    )?
    .execute([id])?;
    Ok(())
}

pub fn mark_retry(conn: &Connection, id: i64, at: i64, error: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE ap_deliveries SET attempts = attempts + 1, next_at = ?2, error = ?3 WHERE id = ?1",
    )?
    .execute(params![id, at, error])?;
    Ok(())
}

pub fn mark_failed(conn: &Connection, id: i64, error: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE ap_deliveries SET status = 'failed', attempts = attempts + 1, error = ?2 WHERE id = ?1",
    )?
    .execute(params![id, error])?;
    Ok(())
}

/// Forgets activities whose deliveries all ended before `before`.
pub fn prune(conn: &Connection, before: i64) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "DELETE FROM ap_activities WHERE created_at < ?1 AND NOT EXISTS
           (SELECT 1 FROM ap_deliveries d WHERE d.activity_id = ap_activities.id
            AND d.status = 'queued')",
    )?
    .execute([before])?;
    conn.prepare_cached("DELETE FROM ap_seen WHERE seen_at < ?1")?
        .execute([before])
}

/// Deliveries by state: (queued, sent, failed).
pub fn delivery_counts(conn: &Connection) -> rusqlite::Result<(i64, i64, i64)> {
    conn.prepare_cached(
        "SELECT coalesce(sum(status = 'queued'), 0), coalesce(sum(status = 'sent'), 0),
                coalesce(sum(status = 'failed'), 0) FROM ap_deliveries",
    )?
    .query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
}

// --- Incoming activities ------------------------------------------------------------

/// Records an activity id; false when it was taken in before (a replay).
pub fn first_sighting(conn: &Connection, id: &str, now: i64) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("INSERT OR IGNORE INTO ap_seen (id, seen_at) VALUES (?1, ?2)")?
        .execute(params![id, now])?;
    Ok(n == 1)
}

pub fn add_reaction(
    conn: &Connection,
    activity_id: &str,
    post: PostId,
    kind: &str,
    actor: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO ap_reactions (activity_id, post_id, kind, actor, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![activity_id, post, kind, actor, now])?;
    Ok(())
}

pub fn remove_reaction(
    conn: &Connection,
    activity_id: &str,
    actor: &str,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM ap_reactions WHERE activity_id = ?1 AND actor = ?2")?
        .execute(params![activity_id, actor])?;
    Ok(n > 0)
}

/// Likes and boosts of a post.
pub fn reactions(conn: &Connection, post: PostId) -> rusqlite::Result<(i64, i64)> {
    conn.prepare_cached(
        "SELECT coalesce(sum(kind = 'like'), 0), coalesce(sum(kind = 'boost'), 0)
         FROM ap_reactions WHERE post_id = ?1",
    )?
    .query_row([post], |row| Ok((row.get(0)?, row.get(1)?)))
}

/// The comment that came as the reply `remote_id`, if `actor` wrote it.
pub fn comment_by_remote_id(
    conn: &Connection,
    remote_id: &str,
    actor: &str,
) -> rusqlite::Result<Option<CommentId>> {
    conn.prepare_cached("SELECT id FROM comments WHERE remote_id = ?1 AND remote_actor = ?2")?
        .query_row(params![remote_id, actor], |row| row.get(0))
        .optional()
}

/// Marks a comment as a reply from another server.
pub fn set_comment_origin(
    conn: &Connection,
    id: CommentId,
    actor: &str,
    url: &str,
    remote_id: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE comments SET remote_actor = ?2, remote_url = ?3, remote_id = ?4 WHERE id = ?1",
    )?
    .execute(params![id, actor, url, remote_id])?;
    Ok(())
}

/// Removes every comment an actor sent (the actor was deleted or blocked).
pub fn remove_comments_of(conn: &Connection, actor: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM comments WHERE remote_actor = ?1")?
        .execute([actor])
}

// --- Blocks -------------------------------------------------------------------------

pub fn block(conn: &Connection, target: &str, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO ap_blocks (target, created_at) VALUES (?1, ?2)")?
        .execute(params![target, now])?;
    Ok(())
}

pub fn unblock(conn: &Connection, target: &str) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM ap_blocks WHERE target = ?1")?
        .execute([target])?;
    Ok(n > 0)
}

/// Whether the actor, or its domain, is blocked.
pub fn is_blocked(conn: &Connection, actor: &str, domain: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM ap_blocks WHERE target IN (?1, ?2))")?
        .query_row(params![actor, domain], |row| row.get(0))
}

pub fn blocks(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("SELECT target FROM ap_blocks ORDER BY created_at")?
        .query_map([], |row| row.get(0))?
        .collect()
}

/// Forgets everything from what a block covers (an actor URL, or every actor on a
/// domain): its follows, its replies (comments), its likes and boosts, its posts.
pub fn forget_blocked(conn: &Connection, target: &str) -> rusqlite::Result<()> {
    let covered =
        "(?1 = {c} OR {c} LIKE 'http://' || ?1 || '/%' OR {c} LIKE 'https://' || ?1 || '/%')";
    for (table, column) in [
        ("ap_followers", "remote"),
        ("comments", "remote_actor"),
        ("ap_reactions", "actor"),
        ("ap_received", "actor"),
    ] {
        let condition = covered.replace("{c}", column);
        conn.execute(&format!("DELETE FROM {table} WHERE {condition}"), [target])?;
    }
    Ok(())
}
