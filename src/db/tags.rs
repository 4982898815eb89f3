//! Tags and which posts carry them. A tag row stays when its last post goes: it is
//! one short string, and lists below only show tags that published posts use.

use rusqlite::{params, Connection};

use super::posts::{from_row, SELECT};
use crate::content::{Post, PostId, Tag};

/// Makes `tags` the post's tags, creating the ones that are new.
pub fn set_for_post(conn: &Connection, post: PostId, tags: &[Tag]) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM post_tags WHERE post_id = ?1")?
        .execute([post])?;
    let mut create = conn.prepare_cached("INSERT OR IGNORE INTO tags (name) VALUES (?1)")?;
    let mut link = conn.prepare_cached(
        "INSERT OR IGNORE INTO post_tags (post_id, tag_id) SELECT ?1, id FROM tags WHERE name = ?2",
    )?;
    for tag in tags {
        create.execute([tag])?;
        link.execute(params![post, tag])?;
    }
    Ok(())
}

/// Published posts with the tag, newest first, like `posts::published`.
pub fn published(
    conn: &Connection,
    tag: &Tag,
    limit: u32,
    offset: u64,
) -> rusqlite::Result<Vec<Post>> {
    conn.prepare_cached(&format!(
        "{SELECT} WHERE posts.kind = 'post' AND posts.published_at IS NOT NULL AND posts.id IN
            (SELECT post_id FROM post_tags JOIN tags ON tags.id = post_tags.tag_id WHERE tags.name = ?1)
         ORDER BY posts.published_at DESC, posts.id DESC LIMIT ?2 OFFSET ?3"
    ))?
    .query_map(params![tag, limit, offset as i64], from_row)?
    .collect()
}

pub fn count_published(conn: &Connection, tag: &Tag) -> rusqlite::Result<u64> {
    conn.prepare_cached(
        "SELECT count(*) FROM posts JOIN post_tags ON post_tags.post_id = posts.id
            JOIN tags ON tags.id = post_tags.tag_id
         WHERE tags.name = ?1 AND posts.kind = 'post' AND posts.published_at IS NOT NULL",
    )?
    .query_row([tag], |row| row.get(0))
}

/// Every tag that some published post carries, with that post's latest update.
pub fn in_use(conn: &Connection) -> rusqlite::Result<Vec<(Tag, i64)>> {
    conn.prepare_cached(
        "SELECT tags.name, max(max(posts.updated_at, posts.published_at)) FROM tags
            JOIN post_tags ON post_tags.tag_id = tags.id
            JOIN posts ON posts.id = post_tags.post_id
         WHERE posts.kind = 'post' AND posts.published_at IS NOT NULL
         GROUP BY tags.id ORDER BY tags.name",
    )?
    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
    .collect()
}
