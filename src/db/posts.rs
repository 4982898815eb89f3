//! Posts: drafts have no `published_at`; lists show published posts, newest first.
//! Pages are rows here too (`kind = 'page'`), so every list of posts below filters
//! `kind = 'post'`; pages have their own queries in `db::pages`.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::content::{Kind, MediaId, Post, PostId, SanitizedHtml, Slug, Tag, UserId};

/// The author's display name, or the part of the email before `@` when none is set.
/// Tags come in the same row, joined by U+001F (which no tag holds), so a list of
/// posts is one query, not one more per post.
pub(super) const SELECT: &str = "SELECT posts.id, posts.author_id,
        CASE WHEN users.display_name = '' THEN substr(users.email, 1, instr(users.email, '@') - 1) ELSE users.display_name END,
        (SELECT path FROM media_files WHERE media_id = users.avatar_id AND variant = 'small'),
        posts.title, posts.slug, posts.body, posts.excerpt, posts.created_at, posts.updated_at, posts.published_at,
        posts.publish_at, posts.revision,
        (SELECT group_concat(tags.name, char(31)) FROM post_tags JOIN tags ON tags.id = post_tags.tag_id WHERE post_tags.post_id = posts.id),
        posts.kind, posts.menu_position,
        (SELECT path FROM media_files WHERE media_id = posts.featured_media_id AND variant IN ('display', 'original')
           ORDER BY variant = 'display' DESC LIMIT 1)
    FROM posts JOIN users ON users.id = posts.author_id";

pub(super) fn from_row(row: &Row) -> rusqlite::Result<Post> {
    let tags: Option<String> = row.get(13)?;
    let mut tags: Vec<Tag> = tags
        .iter()
        .flat_map(|joined| joined.split('\u{1f}'))
        .filter_map(|name| name.parse().ok())
        .collect();
    tags.sort();
    Ok(Post {
        id: row.get(0)?,
        author_id: row.get(1)?,
        author_name: row.get(2)?,
        author_avatar: row.get(3)?,
        title: row.get(4)?,
        slug: row.get(5)?,
        body: SanitizedHtml::from_trusted_storage(row.get(6)?),
        excerpt: row.get(7)?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
        published_at: row.get(10)?,
        publish_at: row.get(11)?,
        revision: row.get(12)?,
        tags,
        kind: row.get(14)?,
        menu_position: row.get(15)?,
        featured_image: row.get(16)?,
    })
}

pub struct NewPost<'a> {
    pub author_id: UserId,
    pub title: &'a str,
    pub body: &'a SanitizedHtml,
    pub excerpt: &'a str,
}

/// Inserts a draft under the first free slug among `base`, `base-2`, `base-3`, ...;
/// `new` is never free, as `/posts/new` and `/pages/new` are the forms.
pub fn insert(
    conn: &Connection,
    post: &NewPost,
    base: &Slug,
    now: i64,
) -> rusqlite::Result<(PostId, Slug)> {
    let mut taken = conn.prepare_cached("SELECT 1 FROM posts WHERE slug = ?1")?;
    let mut slug = base.clone();
    let mut n = 1;
    while slug.as_str() == "new" || taken.exists([&slug])? {
        n += 1;
        slug = base.numbered(n);
    }
    conn.prepare_cached(
        "INSERT INTO posts (author_id, title, slug, body, excerpt, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![post.author_id, post.title, slug, post.body.as_str(), post.excerpt, now])?;
    Ok((PostId(conn.last_insert_rowid()), slug))
}

pub fn by_slug(conn: &Connection, slug: &Slug) -> rusqlite::Result<Option<Post>> {
    conn.prepare_cached(&format!("{SELECT} WHERE posts.slug = ?1"))?
        .query_row([slug], from_row)
        .optional()
}

/// Makes the new row a page (a row is a post unless told).
pub fn set_kind(conn: &Connection, id: PostId, kind: Kind) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE posts SET kind = ?2 WHERE id = ?1")?
        .execute(params![id, kind])?;
    Ok(())
}

/// Sets the featured image (or none); returns the one it replaces, for
/// `media::release_unused`.
pub fn set_featured(
    conn: &Connection,
    id: PostId,
    media: Option<MediaId>,
) -> rusqlite::Result<Option<MediaId>> {
    let before: Option<MediaId> = conn
        .prepare_cached("SELECT featured_media_id FROM posts WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?
        .flatten();
    if before != media {
        conn.prepare_cached("UPDATE posts SET featured_media_id = ?2 WHERE id = ?1")?
            .execute(params![id, media])?;
    }
    Ok(before)
}

/// Changes the text; the slug stays, so links keep working.
pub fn update(
    conn: &Connection,
    id: PostId,
    title: &str,
    body: &SanitizedHtml,
    excerpt: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE posts SET title = ?2, body = ?3, excerpt = ?4, updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![id, title, body.as_str(), excerpt, now])?;
    Ok(())
}

/// Publishes at `at`, or makes a draft again with `None`; either way the post is no
/// longer scheduled.
pub fn set_published(conn: &Connection, id: PostId, at: Option<i64>) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE posts SET published_at = ?2, publish_at = NULL WHERE id = ?1")?
        .execute(params![id, at])?;
    Ok(())
}

/// Schedules a draft for `at`, or cancels with `None`.
pub fn set_schedule(conn: &Connection, id: PostId, at: Option<i64>) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE posts SET publish_at = ?2 WHERE id = ?1 AND published_at IS NULL")?
        .execute(params![id, at])?;
    Ok(())
}

/// Counts one more save of the post; returns the new count.
pub fn bump_revision(conn: &Connection, id: PostId) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "UPDATE posts SET revision = revision + 1 WHERE id = ?1 RETURNING revision",
    )?
    .query_row([id], |row| row.get(0))
}

/// Scheduled drafts whose time has come, oldest time first.
pub fn due(conn: &Connection, now: i64) -> rusqlite::Result<Vec<Post>> {
    conn.prepare_cached(&format!(
        "{SELECT} WHERE posts.publish_at IS NOT NULL AND posts.publish_at <= ?1
           AND posts.published_at IS NULL ORDER BY posts.publish_at, posts.id"
    ))?
    .query_map([now], from_row)?
    .collect()
}

/// Publishes a scheduled draft at the time it was scheduled for; false when it is no
/// longer scheduled (cancelled, or published meanwhile).
pub fn publish_scheduled(conn: &Connection, id: PostId) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE posts SET published_at = publish_at, publish_at = NULL
             WHERE id = ?1 AND publish_at IS NOT NULL AND published_at IS NULL",
        )?
        .execute([id])?;
    Ok(n == 1)
}

/// The next scheduled time, if any post waits for one.
pub fn next_due(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(NEXT_DUE)?
        .query_row([], |row| row.get(0))
}

/// `publish_at IS NOT NULL` lets SQLite answer from `posts_scheduled` instead of
/// reading every post: the scheduler asks at start-up and every half minute.
const NEXT_DUE: &str =
    "SELECT min(publish_at) FROM posts WHERE publish_at IS NOT NULL AND published_at IS NULL";

/// Every scheduled draft, soonest first.
pub fn scheduled(conn: &Connection) -> rusqlite::Result<Vec<Post>> {
    conn.prepare_cached(&format!(
        "{SELECT} WHERE posts.publish_at IS NOT NULL AND posts.published_at IS NULL
         ORDER BY posts.publish_at, posts.id"
    ))?
    .query_map([], from_row)?
    .collect()
}

pub fn by_id(conn: &Connection, id: PostId) -> rusqlite::Result<Option<Post>> {
    conn.prepare_cached(&format!("{SELECT} WHERE posts.id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

/// The post an import made before: same author, title and creation time.
pub fn imported(
    conn: &Connection,
    author: UserId,
    title: &str,
    created_at: i64,
) -> rusqlite::Result<Option<PostId>> {
    conn.prepare_cached(
        "SELECT id FROM posts WHERE author_id = ?1 AND title = ?2 AND created_at = ?3",
    )?
    .query_row(params![author, title, created_at], |row| row.get(0))
    .optional()
}

/// The times a post had where it came from; only an import changes history.
pub fn set_history(
    conn: &Connection,
    id: PostId,
    created_at: i64,
    updated_at: i64,
    published_at: Option<i64>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE posts SET created_at = ?2, updated_at = ?3, published_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, created_at, updated_at, published_at])?;
    Ok(())
}

pub fn delete(conn: &Connection, id: PostId) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM posts WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Published posts, newest first; `author` narrows to one author's.
pub fn published(
    conn: &Connection,
    author: Option<UserId>,
    limit: u32,
    offset: u64,
) -> rusqlite::Result<Vec<Post>> {
    conn.prepare_cached(&published_sql())?
        .query_map(params![author, limit, offset as i64], from_row)?
        .collect()
}

fn published_sql() -> String {
    format!(
        "{SELECT} WHERE posts.kind = 'post' AND posts.published_at IS NOT NULL
           AND (?1 IS NULL OR posts.author_id = ?1)
         ORDER BY posts.published_at DESC, posts.id DESC LIMIT ?2 OFFSET ?3"
    )
}

/// Answered from the index `posts_listed` alone (migration 016): the home page asks
/// for it on every render.
const COUNT_PUBLISHED: &str = "SELECT count(*) FROM posts
     WHERE kind = 'post' AND published_at IS NOT NULL AND (?1 IS NULL OR author_id = ?1)";

pub fn count_published(conn: &Connection, author: Option<UserId>) -> rusqlite::Result<u64> {
    conn.prepare_cached(COUNT_PUBLISHED)?
        .query_row([author], |row| row.get(0))
}

/// Every published post's slug and last change (its update or publication), for the
/// sitemap: no bodies, so ten thousand posts stay a small read.
pub fn published_slugs(conn: &Connection) -> rusqlite::Result<Vec<(Slug, i64)>> {
    conn.prepare_cached(
        "SELECT slug, max(updated_at, published_at) FROM posts
         WHERE kind = 'post' AND published_at IS NOT NULL ORDER BY published_at DESC, id DESC",
    )?
    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
    .collect()
}

/// Authors with at least one published post, with the last change among those posts.
pub fn published_authors(conn: &Connection) -> rusqlite::Result<Vec<(UserId, i64)>> {
    conn.prepare_cached(
        "SELECT author_id, max(max(updated_at, published_at)) FROM posts
         WHERE kind = 'post' AND published_at IS NOT NULL GROUP BY author_id ORDER BY author_id",
    )?
    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
    .collect()
}

/// Draft posts, last edited first; `author` narrows to one author's (admins see all).
pub fn drafts(conn: &Connection, author: Option<UserId>) -> rusqlite::Result<Vec<Post>> {
    drafts_of_kind(conn, Kind::Post, author)
}

/// Drafts of one kind (posts, or pages for `db::pages::drafts`), last edited first.
pub(super) fn drafts_of_kind(
    conn: &Connection,
    kind: Kind,
    author: Option<UserId>,
) -> rusqlite::Result<Vec<Post>> {
    conn.prepare_cached(&format!(
        "{SELECT} WHERE posts.kind = ?1 AND posts.published_at IS NULL
           AND (?2 IS NULL OR posts.author_id = ?2)
         ORDER BY posts.updated_at DESC, posts.id DESC"
    ))?
    .query_map(params![kind, author], from_row)?
    .collect()
}

/// Every post of an author, drafts included.
pub fn count_by_author(conn: &Connection, author: UserId) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT count(*) FROM posts WHERE author_id = ?1")?
        .query_row([author], |row| row.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's plan for `sql`, one step a line.
    fn plan(conn: &Connection, sql: &str) -> String {
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("the plan");
        // The plan is the same whatever the values: NULL for each.
        let nulls = vec![rusqlite::types::Null; stmt.parameter_count()];
        let steps: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(nulls), |row| row.get(3))
            .expect("the plan's steps")
            .collect::<Result<_, _>>()
            .expect("each step");
        steps.join("\n")
    }

    /// The queries a start-up and the home page run read an index, never every post:
    /// with 10,000 posts a read of the table took most of the first answer's time.
    #[test]
    fn the_home_page_and_the_scheduler_read_an_index_not_every_post() {
        let conn = super::super::fixtures::database();
        let count = plan(&conn, COUNT_PUBLISHED);
        assert!(count.contains("COVERING INDEX posts_listed"), "{count}");
        let page = plan(&conn, &published_sql());
        assert!(page.contains("INDEX posts_listed"), "{page}");
        let due = plan(&conn, NEXT_DUE);
        assert!(due.contains("INDEX posts_scheduled"), "{due}");
        for plan in [count, page, due] {
            assert!(!plan.contains("SCAN posts"), "{plan}");
        }
    }
}
