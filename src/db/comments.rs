//! Comments on posts, and the per-post switch that closes them. A post's comments go
//! with it (ON DELETE CASCADE), a user's with their account.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::content::{Comment, CommentBody, CommentId, CommentStatus, Post, PostId, UserId};

/// A member's display name (or the part of their email before `@`) and thumbnail; a
/// visitor's typed name and none.
const SELECT: &str = "SELECT comments.id, comments.post_id, comments.author_id,
        CASE WHEN users.id IS NULL THEN comments.author_name
             WHEN users.display_name = '' THEN substr(users.email, 1, instr(users.email, '@') - 1)
             ELSE users.display_name END,
        (SELECT path FROM media_files WHERE media_id = users.avatar_id AND variant = 'small'),
        comments.body, comments.status, comments.created_at, comments.parent_id,
        comments.remote_url
    FROM comments LEFT JOIN users ON users.id = comments.author_id";

fn from_row(row: &Row) -> rusqlite::Result<Comment> {
    Ok(Comment {
        id: row.get(0)?,
        post_id: row.get(1)?,
        author_id: row.get(2)?,
        author_name: row.get(3)?,
        author_avatar: row.get(4)?,
        body: CommentBody::from_storage(row.get(5)?),
        status: row.get(6)?,
        created_at: row.get(7)?,
        parent_id: row.get(8)?,
        remote_url: row.get(9)?,
    })
}

pub struct NewComment<'a> {
    pub post_id: PostId,
    /// `None` for a visitor, who gives `author_name` instead.
    pub author_id: Option<UserId>,
    pub author_name: &'a str,
    pub body: &'a CommentBody,
    pub status: CommentStatus,
    /// The client address, for throttling.
    pub client: &'a str,
}

pub fn insert(conn: &Connection, comment: &NewComment, now: i64) -> rusqlite::Result<CommentId> {
    conn.prepare_cached(
        "INSERT INTO comments (post_id, author_id, author_name, body, status, client, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        comment.post_id,
        comment.author_id,
        comment.author_name,
        comment.body.as_str(),
        comment.status,
        comment.client,
        now
    ])?;
    Ok(CommentId(conn.last_insert_rowid()))
}

/// Makes `id` a reply to `parent` (on the same post; otherwise nothing changes).
pub fn set_parent(conn: &Connection, id: CommentId, parent: CommentId) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE comments SET parent_id = ?2 WHERE id = ?1
         AND post_id = (SELECT post_id FROM comments WHERE id = ?2)",
    )?
    .execute(params![id, parent])?;
    Ok(())
}

/// Whether the post already has this comment (same time, same text): how an import
/// knows it ran before.
pub fn exists(
    conn: &Connection,
    post: PostId,
    created_at: i64,
    body: &CommentBody,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM comments WHERE post_id = ?1 AND created_at = ?2 AND body = ?3",
    )?
    .exists(params![post, created_at, body.as_str()])
}

/// A comment as an export writes it: flat, with its post's slug and its member's email.
#[derive(Debug, Clone)]
pub struct Exported {
    pub post_slug: String,
    pub author_email: Option<String>,
    pub author_name: String,
    pub body: String,
    pub status: String,
    pub created_at: i64,
}

/// Every comment on every post, oldest first, for `blog export`.
pub fn everything(conn: &Connection) -> rusqlite::Result<Vec<Exported>> {
    conn.prepare(
        "SELECT posts.slug, users.email, comments.author_name, comments.body, comments.status, comments.created_at
         FROM comments JOIN posts ON posts.id = comments.post_id
         LEFT JOIN users ON users.id = comments.author_id
         ORDER BY comments.created_at, comments.id",
    )?
    .query_map([], |row| {
        Ok(Exported {
            post_slug: row.get(0)?,
            author_email: row.get(1)?,
            author_name: row.get(2)?,
            body: row.get(3)?,
            status: row.get(4)?,
            created_at: row.get(5)?,
        })
    })?
    .collect()
}

/// Whose eyes a list of comments is for.
#[derive(Debug, Clone, Copy)]
pub enum Audience {
    /// Approved comments only.
    Public,
    /// Approved ones, and this member's own that still wait for approval.
    Member(UserId),
    /// Every comment, whatever its status: the post's author and admins.
    Moderator,
}

/// A post's comments for `audience`, oldest first, as a conversation reads.
pub fn for_post(
    conn: &Connection,
    post: PostId,
    audience: Audience,
) -> rusqlite::Result<Vec<Comment>> {
    let (everything, member) = match audience {
        Audience::Public => (false, None),
        Audience::Member(id) => (false, Some(id)),
        Audience::Moderator => (true, None),
    };
    conn.prepare_cached(&format!(
        "{SELECT} WHERE comments.post_id = ?1
           AND (?2 OR comments.status = 'approved'
                OR (comments.status = 'pending' AND comments.author_id = ?3))
         ORDER BY comments.created_at, comments.id"
    ))?
    .query_map(params![post, everything, member], from_row)?
    .collect()
}

pub fn by_id(conn: &Connection, id: CommentId) -> rusqlite::Result<Option<Comment>> {
    conn.prepare_cached(&format!("{SELECT} WHERE comments.id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

/// The post a comment belongs to, to check who may moderate it.
pub fn post_of(conn: &Connection, id: CommentId) -> rusqlite::Result<Option<Post>> {
    conn.prepare_cached(&format!(
        "{} WHERE posts.id = (SELECT post_id FROM comments WHERE id = ?1)",
        super::posts::SELECT
    ))?
    .query_row([id], super::posts::from_row)
    .optional()
}

pub fn set_status(conn: &Connection, id: CommentId, status: CommentStatus) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE comments SET status = ?2 WHERE id = ?1")?
        .execute(params![id, status])?;
    Ok(())
}

/// A comment's new text (a remote reply that was edited).
pub fn set_body(conn: &Connection, id: CommentId, body: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE comments SET body = ?2 WHERE id = ?1")?
        .execute(params![id, body])?;
    Ok(())
}

pub fn delete(conn: &Connection, id: CommentId) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM comments WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Comments waiting for approval: on one post, or (`None`) anywhere, for the admin.
pub fn count_waiting(conn: &Connection, post: Option<PostId>) -> rusqlite::Result<u64> {
    conn.prepare_cached(
        "SELECT count(*) FROM comments WHERE status = 'pending' AND (?1 IS NULL OR post_id = ?1)",
    )?
    .query_row([post], |row| row.get(0))
}

/// Comments sent from one client address since `since`, whatever became of them.
pub fn count_recent(conn: &Connection, client: &str, since: i64) -> rusqlite::Result<u32> {
    conn.prepare_cached("SELECT count(*) FROM comments WHERE client = ?1 AND created_at > ?2")?
        .query_row(params![client, since], |row| row.get(0))
}

/// True when the post's author or an admin closed its comments.
pub fn closed(conn: &Connection, post: PostId) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT comments_closed FROM posts WHERE id = ?1")?
        .query_row([post], |row| row.get(0))
        .optional()
        .map(|closed| closed.unwrap_or(false))
}

pub fn set_closed(conn: &Connection, post: PostId, closed: bool) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE posts SET comments_closed = ?2 WHERE id = ?1")?
        .execute(params![post, closed])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Role;
    use crate::db::{fixtures, posts};

    fn setup() -> (Connection, PostId, UserId) {
        let conn = fixtures::database();
        let author = fixtures::user(&conn, "writer@blog.example", Role::Author);
        let post = fixtures::draft(&conn, author, "Hi");
        (conn, post, author)
    }

    fn add(
        conn: &Connection,
        post: PostId,
        author: Option<UserId>,
        status: CommentStatus,
        at: i64,
    ) -> CommentId {
        let body: CommentBody = "Nice post".parse().unwrap();
        let comment = NewComment {
            post_id: post,
            author_id: author,
            author_name: if author.is_some() { "" } else { "Guest" },
            body: &body,
            status,
            client: "127.0.0.1",
        };
        insert(conn, &comment, at).unwrap()
    }

    #[test]
    fn each_audience_sees_its_share() {
        let (conn, post, author) = setup();
        let approved = add(&conn, post, None, CommentStatus::Approved, 10);
        let own = add(&conn, post, Some(author), CommentStatus::Pending, 11);
        let hidden = add(&conn, post, None, CommentStatus::Hidden, 12);
        let ids = |audience| -> Vec<CommentId> {
            for_post(&conn, post, audience)
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect()
        };
        assert_eq!(ids(Audience::Public), [approved]);
        assert_eq!(ids(Audience::Member(author)), [approved, own]);
        assert_eq!(ids(Audience::Moderator), [approved, own, hidden]);
        assert_eq!(count_waiting(&conn, Some(post)).unwrap(), 1);
        let names: Vec<String> = for_post(&conn, post, Audience::Moderator)
            .unwrap()
            .into_iter()
            .map(|c| c.author_name)
            .collect();
        assert_eq!(names, ["Guest", "writer", "Guest"]);
    }

    #[test]
    fn comments_go_with_their_post() {
        let (conn, post, _) = setup();
        let id = add(&conn, post, None, CommentStatus::Approved, 10);
        assert_eq!(post_of(&conn, id).unwrap().map(|p| p.id), Some(post));
        posts::delete(&conn, post).unwrap();
        assert!(by_id(&conn, id).unwrap().is_none());
    }

    #[test]
    fn recent_comments_are_counted_per_client() {
        let (conn, post, _) = setup();
        add(&conn, post, None, CommentStatus::Approved, 10);
        add(&conn, post, None, CommentStatus::Pending, 20);
        assert_eq!(count_recent(&conn, "127.0.0.1", 15).unwrap(), 1);
        assert_eq!(count_recent(&conn, "127.0.0.1", 0).unwrap(), 2);
        assert_eq!(count_recent(&conn, "10.0.0.1", 0).unwrap(), 0);
    }

    #[test]
    fn the_switch_closes_and_opens() {
        let (conn, post, _) = setup();
        assert!(!closed(&conn, post).unwrap());
        set_closed(&conn, post, true).unwrap();
        assert!(closed(&conn, post).unwrap());
        set_closed(&conn, post, false).unwrap();
        assert!(!closed(&conn, post).unwrap());
    }
}
