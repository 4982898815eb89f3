//! Saving an imported post the way the editor's save does (sanitized body, excerpt,
//! tags, the images it shows), but with the dates it had where it came from.
//!
//! A post is the same post when it has the same author, title and creation time: a
//! second run finds it and leaves it alone, while two posts that merely share a title
//! (or a slug, which then gets `-2`) are both kept.

use anyhow::bail;
use rusqlite::{params, Connection};

use crate::content::excerpt::excerpt;
use crate::content::{PostId, SanitizedHtml, Slug, Tag, UserId};
use crate::db::{self, posts::NewPost, Db};

/// The limit of the post form, so an imported post can be edited and saved as it is.
const MAX_TITLE_CHARS: usize = 200;

pub struct Incoming {
    pub author: UserId,
    pub title: String,
    /// The slug it had; `None` makes one from the title.
    pub slug: Option<Slug>,
    pub body: SanitizedHtml,
    pub tags: Vec<Tag>,
    pub created_at: i64,
    pub updated_at: i64,
    pub published_at: Option<i64>,
}

/// The title trimmed, or why it cannot be one.
pub fn title(text: &str) -> anyhow::Result<String> {
    let title = text.trim();
    if title.is_empty() {
        bail!("the title is empty: give the post a title");
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        bail!("the title is longer than {MAX_TITLE_CHARS} characters: shorten it");
    }
    Ok(title.to_string())
}

pub fn exists(db: &Db, author: UserId, title: &str, created_at: i64) -> anyhow::Result<bool> {
    let title = title.to_string();
    db.read_now(move |conn| find(conn, author, &title, created_at).map(|id| id.is_some()))
}

/// Saves the post; `None` when it is already there.
pub fn save(db: &Db, post: &Incoming) -> anyhow::Result<Option<Slug>> {
    db.write_now(|tx| {
        if find(tx, post.author, &post.title, post.created_at)?.is_some() {
            return Ok(None);
        }
        let summary = excerpt(&post.body);
        let new = NewPost {
            author_id: post.author,
            title: &post.title,
            body: &post.body,
            excerpt: &summary,
        };
        let base = post
            .slug
            .clone()
            .unwrap_or_else(|| Slug::from_title(&post.title));
        let (id, slug) = db::posts::insert(tx, &new, &base, post.created_at)?;
        db::tags::set_for_post(tx, id, &post.tags)?;
        db::media::set_post_usage(tx, id, &post.body.media_paths())?;
        set_dates(tx, id, post)?;
        Ok(Some(slug))
    })
}

// Two statements of our own: `db::posts` only ever stamps "now", and history is the
// one thing an import must not change.
fn find(
    conn: &Connection,
    author: UserId,
    title: &str,
    created_at: i64,
) -> rusqlite::Result<Option<PostId>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(
        "SELECT id FROM posts WHERE author_id = ?1 AND title = ?2 AND created_at = ?3",
    )?
    .query_row(params![author, title, created_at], |row| row.get(0))
    .optional()
}

fn set_dates(conn: &Connection, id: PostId, post: &Incoming) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE posts SET created_at = ?2, updated_at = ?3, published_at = ?4 WHERE id = ?1",
    )?
    .execute(params![
        id,
        post.created_at,
        post.updated_at,
        post.published_at
    ])?;
    Ok(())
}
