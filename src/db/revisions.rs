//! Revisions of a post: who saved what, when. A minute of autosaves of a draft folds
//! into one revision; the last `KEEP_LATEST` are kept, plus the last of each older day.
//! Each revision links the images it shows, so the media GC keeps them.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::content::{MediaId, PostId, SanitizedHtml, UserId};

/// The newest revisions a post keeps, whatever their day.
pub const KEEP_LATEST: u32 = 50;

/// Autosaves of a draft by one person this close together are one revision.
pub const FOLD_MS: i64 = 60_000;

#[derive(Debug, Clone)]
pub struct Revision {
    pub id: i64,
    pub post_id: PostId,
    pub author_id: Option<UserId>,
    pub author_name: String,
    pub title: String,
    pub body: SanitizedHtml,
    pub created_at: i64,
    pub saved_at: i64,
}

const SELECT: &str =
    "SELECT id, post_id, author_id, author_name, title, body, created_at, saved_at FROM revisions";

fn from_row(row: &Row) -> rusqlite::Result<Revision> {
    Ok(Revision {
        id: row.get(0)?,
        post_id: row.get(1)?,
        author_id: row.get(2)?,
        author_name: row.get(3)?,
        title: row.get(4)?,
        body: SanitizedHtml::from_trusted_storage(row.get(5)?),
        created_at: row.get(6)?,
        saved_at: row.get(7)?,
    })
}

/// What one save writes.
pub struct NewRevision<'a> {
    pub post_id: PostId,
    pub author_id: Option<UserId>,
    pub author_name: &'a str,
    pub title: &'a str,
    pub body: &'a SanitizedHtml,
    /// The images the body shows, linked so the GC keeps them.
    pub media: &'a [MediaId],
}

/// Whether a save may fold into the revision before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// A draft: a minute of one person's typing is one revision.
    WithinAMinute,
    /// A published post: every save is a revision of its own.
    Never,
}

/// Records a save; returns the revision's id and the images that revisions pruned by
/// the retention rule showed (the caller releases those nothing else uses).
pub fn record(
    conn: &Connection,
    revision: &NewRevision,
    fold: Fold,
    now: i64,
) -> rusqlite::Result<(i64, Vec<MediaId>)> {
    let latest = latest(conn, revision.post_id)?;
    let folded = match (fold, latest) {
        (Fold::WithinAMinute, Some(last))
            if last.author_id == revision.author_id && now - last.created_at < FOLD_MS =>
        {
            conn.prepare_cached(
                "UPDATE revisions SET title = ?2, body = ?3, saved_at = ?4 WHERE id = ?1",
            )?
            .execute(params![
                last.id,
                revision.title,
                revision.body.as_str(),
                now
            ])?;
            let before = media_of(conn, last.id)?;
            conn.prepare_cached("DELETE FROM revision_media WHERE revision_id = ?1")?
                .execute([last.id])?;
            Some((last.id, before))
        }
        _ => None,
    };
    let (id, mut released) = match folded {
        Some(folded) => folded,
        None => {
            conn.prepare_cached(
                "INSERT INTO revisions (post_id, author_id, author_name, title, body, created_at, saved_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )?
            .execute(params![
                revision.post_id,
                revision.author_id,
                revision.author_name,
                revision.title,
                revision.body.as_str(),
                now
            ])?;
            (conn.last_insert_rowid(), Vec::new())
        }
    };
    let mut link = conn.prepare_cached(
        "INSERT OR IGNORE INTO revision_media (revision_id, media_id) VALUES (?1, ?2)",
    )?;
    for media in revision.media {
        link.execute(params![id, media])?;
    }
    released.extend(prune(conn, revision.post_id)?);
    Ok((id, released))
}

/// Deletes the revisions the retention rule lets go: older than the newest
/// `KEEP_LATEST`, and not the last of their day (UTC). Returns the images they showed.
fn prune(conn: &Connection, post: PostId) -> rusqlite::Result<Vec<MediaId>> {
    let doomed: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM revisions r WHERE post_id = ?1
               AND id NOT IN (SELECT id FROM revisions WHERE post_id = ?1 ORDER BY id DESC LIMIT ?2)
               AND id <> (SELECT max(id) FROM revisions d WHERE d.post_id = ?1
                          AND d.saved_at / 86400000 = r.saved_at / 86400000)",
        )?
        .query_map(params![post, KEEP_LATEST], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut released = Vec::new();
    for id in doomed {
        released.extend(media_of(conn, id)?);
        conn.prepare_cached("DELETE FROM revisions WHERE id = ?1")?
            .execute([id])?;
    }
    Ok(released)
}

fn media_of(conn: &Connection, revision: i64) -> rusqlite::Result<Vec<MediaId>> {
    conn.prepare_cached("SELECT media_id FROM revision_media WHERE revision_id = ?1")?
        .query_map([revision], |row| row.get(0))?
        .collect()
}

/// The images any revision of the post shows, before the post (and its revisions) go.
pub fn media_of_post(conn: &Connection, post: PostId) -> rusqlite::Result<Vec<MediaId>> {
    conn.prepare_cached(
        "SELECT DISTINCT media_id FROM revision_media
         JOIN revisions ON revisions.id = revision_media.revision_id WHERE post_id = ?1",
    )?
    .query_map([post], |row| row.get(0))?
    .collect()
}

pub fn latest(conn: &Connection, post: PostId) -> rusqlite::Result<Option<Revision>> {
    conn.prepare_cached(&format!(
        "{SELECT} WHERE post_id = ?1 ORDER BY id DESC LIMIT 1"
    ))?
    .query_row([post], from_row)
    .optional()
}

/// Every kept revision of the post, newest first.
pub fn for_post(conn: &Connection, post: PostId) -> rusqlite::Result<Vec<Revision>> {
    conn.prepare_cached(&format!("{SELECT} WHERE post_id = ?1 ORDER BY id DESC"))?
        .query_map([post], from_row)?
        .collect()
}

pub fn by_id(conn: &Connection, post: PostId, id: i64) -> rusqlite::Result<Option<Revision>> {
    conn.prepare_cached(&format!("{SELECT} WHERE post_id = ?1 AND id = ?2"))?
        .query_row(params![post, id], from_row)
        .optional()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Role;
    use crate::db::fixtures;

    fn setup() -> (Connection, PostId, UserId) {
        let conn = fixtures::database();
        let user = fixtures::user(&conn, "a@blog.example", Role::Author);
        let post = fixtures::draft(&conn, user, "T");
        (conn, post, user)
    }

    fn save(conn: &Connection, post: PostId, user: UserId, title: &str, fold: Fold, at: i64) {
        let body = SanitizedHtml::from_trusted_storage(format!("<p>{title}</p>"));
        let revision = NewRevision {
            post_id: post,
            author_id: Some(user),
            author_name: "a",
            title,
            body: &body,
            media: &[],
        };
        record(conn, &revision, fold, at).unwrap();
    }

    #[test]
    fn a_minute_of_draft_autosaves_is_one_revision_and_published_saves_are_each_kept() {
        let (conn, post, user) = setup();
        save(&conn, post, user, "one", Fold::WithinAMinute, 1_000);
        save(&conn, post, user, "two", Fold::WithinAMinute, 30_000);
        save(&conn, post, user, "three", Fold::WithinAMinute, 60_999);
        let kept = for_post(&conn, post).unwrap();
        assert_eq!(kept.len(), 1, "folded: {kept:?}");
        assert_eq!(kept[0].title, "three");
        save(&conn, post, user, "four", Fold::WithinAMinute, 61_000);
        save(&conn, post, user, "five", Fold::Never, 62_000);
        let titles: Vec<String> = for_post(&conn, post)
            .unwrap()
            .into_iter()
            .map(|r| r.title)
            .collect();
        assert_eq!(titles, ["five", "four", "three"]);
    }

    #[test]
    fn the_last_fifty_are_kept_plus_the_last_of_each_older_day() {
        let (conn, post, user) = setup();
        let day = 86_400_000;
        // Three saves a day for 30 days: 90 revisions.
        for d in 0..30 {
            for n in 0..3 {
                save(
                    &conn,
                    post,
                    user,
                    &format!("d{d}n{n}"),
                    Fold::Never,
                    d * day + n * 1000,
                );
            }
        }
        let kept: Vec<String> = for_post(&conn, post)
            .unwrap()
            .into_iter()
            .map(|r| r.title)
            .collect();
        // The newest 50 reach back into day 13 (days 29..=14 are 48, plus two of 13);
        // days 0..=12 keep their last save each.
        assert_eq!(kept.len(), 50 + 13, "{kept:?}");
        assert_eq!(kept[0], "d29n2");
        assert!(kept.contains(&"d0n2".to_string()));
        assert!(!kept.contains(&"d0n1".to_string()));
    }
}
