//! The admin dashboard's reads, which look across tables (counts, every post with
//! drafts, comments waiting anywhere, media with what uses it), and reactivating an
//! account, which only an admin does.

use rusqlite::{params, Connection};

use crate::content::{Comment, Post, Slug, User, UserId};

/// The numbers the dashboard opens with that the catalogue alone can give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub posts: u64,
    pub drafts: u64,
    pub users: u64,
    pub comments_waiting: u64,
    pub media_files: u64,
    pub media_bytes: u64,
}

pub fn counts(conn: &Connection) -> rusqlite::Result<Counts> {
    conn.prepare_cached(
        "SELECT (SELECT count(*) FROM posts WHERE kind = 'post'),
                (SELECT count(*) FROM posts WHERE kind = 'post' AND published_at IS NULL),
                (SELECT count(*) FROM users),
                (SELECT count(*) FROM media_files),
                (SELECT coalesce(sum(bytes), 0) FROM media_files)",
    )?
    .query_row([], |row| {
        Ok(Counts {
            posts: row.get(0)?,
            drafts: row.get(1)?,
            users: row.get(2)?,
            comments_waiting: super::comments::count_waiting(conn, None)?,
            media_files: row.get(3)?,
            media_bytes: row.get::<_, i64>(4)?.max(0) as u64,
        })
    })
}

/// Every post, drafts too, last changed first; pages are on the menu page.
pub fn posts(conn: &Connection, limit: u32, offset: u64) -> rusqlite::Result<Vec<Post>> {
    conn.prepare_cached(&format!(
        "{} WHERE posts.kind = 'post' ORDER BY posts.updated_at DESC, posts.id DESC LIMIT ?1 OFFSET ?2",
        super::posts::SELECT
    ))?
    .query_map(params![limit, offset as i64], super::posts::from_row)?
    .collect()
}

/// Every account, oldest first, as `blog users list` shows them.
pub fn users(conn: &Connection, limit: u32, offset: u64) -> rusqlite::Result<Vec<User>> {
    conn.prepare_cached(&format!(
        "SELECT {} FROM users ORDER BY users.id LIMIT ?1 OFFSET ?2",
        super::users::COLUMNS
    ))?
    .query_map(params![limit, offset as i64], super::users::from_row)?
    .collect()
}

/// Comments waiting for approval on any post, oldest first (first come, first served),
/// each with its post's slug and title.
/// A comment waiting for approval, with the post it is on.
#[derive(Debug, Clone)]
pub struct WaitingComment {
    pub comment: Comment,
    pub post_slug: Slug,
    pub post_title: String,
}

pub fn waiting_comments(
    conn: &Connection,
    limit: u32,
    offset: u64,
) -> rusqlite::Result<Vec<WaitingComment>> {
    let ids: Vec<crate::content::CommentId> = conn
        .prepare_cached(
            "SELECT id FROM comments WHERE status = 'pending'
             ORDER BY created_at, id LIMIT ?1 OFFSET ?2",
        )?
        .query_map(params![limit, offset as i64], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let (Some(comment), Some(post)) = (
            super::comments::by_id(conn, id)?,
            super::comments::post_of(conn, id)?,
        ) else {
            continue;
        };
        out.push(WaitingComment {
            comment,
            post_slug: post.slug,
            post_title: post.title,
        });
    }
    Ok(out)
}

/// One stored image (an upload or an avatar) with all its files: the original and
/// the copies made for `srcset`, counted and sized together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaItem {
    /// The file a reader is shown: the display copy of an upload (else its
    /// original), the large thumbnail of an avatar.
    pub path: String,
    /// The stored image's size in pixels (its original, or its largest file).
    pub width: u32,
    pub height: u32,
    /// Its files on disk, the shown one and every copy, and their bytes together.
    pub files: u64,
    pub bytes: u64,
    pub created_at: i64,
    /// Posts whose bodies show it, or whose featured image it is: slug and title.
    pub posts: Vec<(Slug, String)>,
    /// The account it is the thumbnail of: id and email.
    pub avatar_of: Option<(UserId, String)>,
}

/// Stored images that have files, for the media page's pages.
pub fn count_media(conn: &Connection) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT count(DISTINCT media_id) FROM media_files")?
        .query_row([], |row| row.get(0))
}

/// Stored images, newest first, one each however many copies it has. Slugs and
/// titles are joined with control characters that neither holds, so the list is
/// one query.
pub fn media(conn: &Connection, limit: u32, offset: u64) -> rusqlite::Result<Vec<MediaItem>> {
    conn.prepare_cached(
        "SELECT (SELECT path FROM media_files shown WHERE shown.media_id = media.id
                  ORDER BY CASE shown.variant WHEN 'display' THEN 0 WHEN 'original' THEN 1
                                              WHEN 'large' THEN 2 ELSE 3 END, shown.path
                  LIMIT 1),
                (SELECT width FROM media_files kept WHERE kept.media_id = media.id
                  ORDER BY kept.variant <> 'original', kept.width DESC LIMIT 1),
                (SELECT height FROM media_files kept WHERE kept.media_id = media.id
                  ORDER BY kept.variant <> 'original', kept.width DESC LIMIT 1),
                files.n, files.bytes, media.created_at,
                (SELECT group_concat(posts.slug || char(30) || posts.title, char(31))
                   FROM posts
                  WHERE posts.featured_media_id = media.id
                     OR posts.id IN (SELECT post_id FROM post_media WHERE post_media.media_id = media.id)),
                users.id, users.email
           FROM media
           JOIN (SELECT media_id, count(*) AS n, sum(bytes) AS bytes
                   FROM media_files GROUP BY media_id) files ON files.media_id = media.id
           LEFT JOIN users ON users.avatar_id = media.id
          ORDER BY media.created_at DESC, media.id DESC
          LIMIT ?1 OFFSET ?2",
    )?
    .query_map(params![limit, offset as i64], |row| {
        let posts: Option<String> = row.get(6)?;
        let user: Option<UserId> = row.get(7)?;
        let email: Option<String> = row.get(8)?;
        Ok(MediaItem {
            path: row.get(0)?,
            width: row.get(1)?,
            height: row.get(2)?,
            files: row.get::<_, i64>(3)?.max(0) as u64,
            bytes: row.get::<_, i64>(4)?.max(0) as u64,
            created_at: row.get(5)?,
            posts: posts
                .iter()
                .flat_map(|joined| joined.split('\u{1f}'))
                .filter_map(|pair| pair.split_once('\u{1e}'))
                .filter_map(|(slug, title)| Some((slug.parse().ok()?, title.to_string())))
                .collect(),
            avatar_of: user.zip(email),
        })
    })?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Role;
    use crate::db::{fixtures, media, posts, users as db_users};

    #[test]
    fn counts_and_media_uses_of_a_small_site() {
        let conn = fixtures::database();
        let author = fixtures::user(&conn, "w@blog.example", Role::Author);
        let one = fixtures::draft(&conn, author, "One");
        fixtures::draft(&conn, author, "Two");
        posts::set_published(&conn, one, Some(3)).unwrap();
        let file = media::File {
            path: "uploads/a.png".into(),
            variant: "original",
            bytes: 100,
            width: 1,
            height: 1,
        };
        media::insert(&conn, author, media::Kind::Upload, &[file], 4).unwrap();
        media::set_post_usage(&conn, one, &["uploads/a.png".into()]).unwrap();

        let counts = counts(&conn).unwrap();
        assert_eq!(
            counts,
            Counts {
                posts: 2,
                drafts: 1,
                users: 1,
                comments_waiting: 0,
                media_files: 1,
                media_bytes: 100,
            }
        );
        let items = media(&conn, 10, 0).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(
            items[0].posts,
            [("one".parse().unwrap(), "One".to_string())]
        );
        assert_eq!(count_media(&conn).unwrap(), 1);
        assert_eq!(posts(&conn, 10, 0).unwrap().len(), 2);

        db_users::deactivate(&conn, &"w@blog.example".parse().unwrap()).unwrap();
        assert!(db_users::reactivate(&conn, author).unwrap());
        assert!(db_users::by_id(&conn, author).unwrap().unwrap().is_active);
        assert!(!db_users::reactivate(&conn, UserId(999)).unwrap());
    }
}
