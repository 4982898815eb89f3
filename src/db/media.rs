//! The media catalogue: every file under the media folder has a row, grouped by the
//! image it belongs to, and every use of an image (a post body, an avatar) is recorded,
//! so a file that nothing uses can be found and deleted.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension};

use crate::content::html::{Candidate, ImageFiles};
use crate::content::{MediaId, PostId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Upload,
    Avatar,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Upload => "upload",
            Self::Avatar => "avatar",
        }
    }
}

/// One stored file of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Relative to the media folder, with `/` separators: `uploads/2026/11/ab….jpg`.
    pub path: String,
    /// `original`, `display`, `narrow` and `webp` for uploads (the last two are the
    /// copies for `srcset`, see `media::images::Variant`), `large` and `small` for
    /// avatars.
    pub variant: &'static str,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
}

pub fn insert(
    conn: &Connection,
    owner: UserId,
    kind: Kind,
    files: &[File],
    now: i64,
) -> rusqlite::Result<MediaId> {
    conn.prepare_cached("INSERT INTO media (owner_id, kind, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![owner, kind.as_str(), now])?;
    let id = MediaId(conn.last_insert_rowid());
    insert_files(conn, id, files)?;
    Ok(id)
}

/// The catalogue rows of an image's files.
fn insert_files(conn: &Connection, id: MediaId, files: &[File]) -> rusqlite::Result<()> {
    let mut insert_file = conn.prepare_cached(
        "INSERT INTO media_files (path, media_id, variant, bytes, width, height) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for file in files {
        insert_file.execute(params![
            file.path,
            id,
            file.variant,
            file.bytes as i64,
            file.width,
            file.height
        ])?;
    }
    Ok(())
}

/// Adds files to an image that exists (the variants `blog media rebuild` made); false,
/// with nothing written, when the image was released meanwhile.
pub fn add_files(conn: &Connection, id: MediaId, files: &[File]) -> rusqlite::Result<bool> {
    let exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM media WHERE id = ?1)")?
        .query_row([id], |row| row.get(0))?;
    if !exists {
        return Ok(false);
    }
    insert_files(conn, id, files)?;
    Ok(true)
}

/// Every upload (not avatars), oldest first, for `blog media rebuild`.
pub fn uploads(conn: &Connection) -> rusqlite::Result<Vec<MediaId>> {
    conn.prepare_cached("SELECT id FROM media WHERE kind = 'upload' ORDER BY id")?
        .query_map([], |row| row.get(0))?
        .collect()
}

/// For each of `shown` (paths under the media folder that a body shows) that the
/// catalogue knows: its size and the files a page may offer instead, for
/// `SanitizedHtml::with_responsive_images`. Files in the shown file's format are those
/// narrower than it (`display`, `narrow`); WebP copies are those no wider.
pub fn image_files(
    conn: &Connection,
    shown: &[String],
) -> rusqlite::Result<HashMap<String, ImageFiles>> {
    let mut out = HashMap::new();
    let mut find =
        conn.prepare_cached("SELECT media_id, width, height FROM media_files WHERE path = ?1")?;
    for path in shown {
        if out.contains_key(path) {
            continue;
        }
        let Some((id, width, height)) = find
            .query_row([path], |row| {
                Ok((
                    row.get::<_, MediaId>(0)?,
                    row.get::<_, u32>(1)?,
                    row.get::<_, u32>(2)?,
                ))
            })
            .optional()?
        else {
            continue;
        };
        let mut image = ImageFiles {
            width,
            height,
            fallback: vec![Candidate {
                path: path.clone(),
                width,
            }],
            webp: Vec::new(),
        };
        for file in files(conn, id)? {
            let candidate = Candidate {
                path: file.path,
                width: file.width,
            };
            match file.variant {
                "display" | "narrow" if file.width < width => image.fallback.push(candidate),
                "webp" if file.width <= width => image.webp.push(candidate),
                _ => {}
            }
        }
        out.insert(path.clone(), image);
    }
    Ok(out)
}

/// Records which images a post's saved body shows (by their file paths), replacing what
/// was recorded before. Returns the images the post used before, for `release_unused`.
pub fn set_post_usage(
    conn: &Connection,
    post: PostId,
    paths: &[String],
) -> rusqlite::Result<Vec<MediaId>> {
    let before: Vec<MediaId> = conn
        .prepare_cached("SELECT media_id FROM post_media WHERE post_id = ?1")?
        .query_map([post], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    conn.prepare_cached("DELETE FROM post_media WHERE post_id = ?1")?
        .execute([post])?;
    let mut link = conn.prepare_cached(
        "INSERT OR IGNORE INTO post_media (post_id, media_id) SELECT ?1, media_id FROM media_files WHERE path = ?2",
    )?;
    for path in paths {
        link.execute(params![post, path])?;
    }
    Ok(before)
}

/// The images a post shows, its featured image among them, before it is deleted.
pub fn used_by_post(conn: &Connection, post: PostId) -> rusqlite::Result<Vec<MediaId>> {
    conn.prepare_cached(
        "SELECT media_id FROM post_media WHERE post_id = ?1
         UNION SELECT featured_media_id FROM posts WHERE id = ?1 AND featured_media_id IS NOT NULL",
    )?
    .query_map([post], |row| row.get(0))?
    .collect()
}

/// The upload (not an avatar) that a file path belongs to, for a featured image.
pub fn upload_of(conn: &Connection, path: &str) -> rusqlite::Result<Option<MediaId>> {
    conn.prepare_cached(
        "SELECT media.id FROM media_files JOIN media ON media.id = media_files.media_id
         WHERE media_files.path = ?1 AND media.kind = 'upload'",
    )?
    .query_row([path], |row| row.get(0))
    .optional()
}

/// The media ids of these paths (the images a body shows), for linking to revisions.
pub fn ids_of(conn: &Connection, paths: &[String]) -> rusqlite::Result<Vec<MediaId>> {
    let mut find = conn.prepare_cached("SELECT media_id FROM media_files WHERE path = ?1")?;
    let mut ids = Vec::new();
    for path in paths {
        if let Some(id) = find.query_row([path], |row| row.get(0)).optional()? {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

/// Deletes those of `ids` that no post (body or featured image), no kept revision, no
/// user and not the site's icon uses any more, and returns their
/// files, which the caller deletes from disk once the transaction commits.
pub fn release_unused(conn: &Connection, ids: &[MediaId]) -> rusqlite::Result<Vec<File>> {
    let mut released = Vec::new();
    for &id in ids {
        let used: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM post_media WHERE media_id = ?1)
                     OR EXISTS (SELECT 1 FROM revision_media WHERE media_id = ?1)
                     OR EXISTS (SELECT 1 FROM posts WHERE featured_media_id = ?1)
                     OR EXISTS (SELECT 1 FROM users WHERE avatar_id = ?1)
                     OR EXISTS (SELECT 1 FROM site_icon WHERE media_id = ?1)",
            )?
            .query_row([id], |row| row.get(0))?;
        if !used {
            released.extend(files(conn, id)?);
            conn.prepare_cached("DELETE FROM media WHERE id = ?1")?
                .execute([id])?;
        }
    }
    Ok(released)
}

pub fn files(conn: &Connection, id: MediaId) -> rusqlite::Result<Vec<File>> {
    conn.prepare_cached(
        "SELECT path, variant, bytes, width, height FROM media_files WHERE media_id = ?1",
    )?
    .query_map([id], file_from_row)?
    .collect()
}

fn file_from_row(row: &rusqlite::Row) -> rusqlite::Result<File> {
    let variant: String = row.get(1)?;
    Ok(File {
        path: row.get(0)?,
        variant: match variant.as_str() {
            "original" => "original",
            "display" => "display",
            "narrow" => "narrow",
            "webp" => "webp",
            "large" => "large",
            _ => "small",
        },
        bytes: row.get::<_, i64>(2)?.max(0) as u64,
        width: row.get(3)?,
        height: row.get(4)?,
    })
}

/// Images created before `cutoff` that nothing uses: uploads whose editor was closed
/// without saving, and rows left behind by a crash.
/// The original upload of the image a page shows (the shown file may be its 1600 px
/// copy).
pub fn original_of(conn: &Connection, shown: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT original.path FROM media_files shown
         JOIN media_files original ON original.media_id = shown.media_id AND original.variant = 'original'
         WHERE shown.path = ?1",
    )?
    .query_row(params![shown], |row| row.get(0))
    .optional()
}

pub fn unused_before(conn: &Connection, cutoff: i64) -> rusqlite::Result<Vec<MediaId>> {
    conn.prepare_cached(
        "SELECT id FROM media WHERE created_at < ?1
           AND NOT EXISTS (SELECT 1 FROM post_media WHERE media_id = media.id)
           AND NOT EXISTS (SELECT 1 FROM revision_media WHERE media_id = media.id)
           AND NOT EXISTS (SELECT 1 FROM posts WHERE featured_media_id = media.id)
           AND NOT EXISTS (SELECT 1 FROM users WHERE avatar_id = media.id)
           AND NOT EXISTS (SELECT 1 FROM site_icon WHERE media_id = media.id)",
    )?
    .query_map([cutoff], |row| row.get(0))?
    .collect()
}

/// Every path the catalogue knows, to find files on disk that no row knows.
pub fn all_paths(conn: &Connection) -> rusqlite::Result<HashSet<String>> {
    conn.prepare_cached("SELECT path FROM media_files")?
        .query_map([], |row| row.get(0))?
        .collect()
}

/// The images a user's posts show and their avatar, before the user is deleted.
pub fn used_by_user(conn: &Connection, user: UserId) -> rusqlite::Result<Vec<MediaId>> {
    conn.prepare_cached(
        "SELECT media_id FROM post_media JOIN posts ON posts.id = post_media.post_id WHERE posts.author_id = ?1
         UNION SELECT featured_media_id FROM posts WHERE author_id = ?1 AND featured_media_id IS NOT NULL
         UNION SELECT avatar_id FROM users WHERE id = ?1 AND avatar_id IS NOT NULL",
    )?
    .query_map([user], |row| row.get(0))?
    .collect()
}

/// Sets a user's avatar (or none) and returns the one it replaces.
pub fn set_avatar(
    conn: &Connection,
    user: UserId,
    avatar: Option<MediaId>,
) -> rusqlite::Result<Option<MediaId>> {
    let before: Option<MediaId> = conn
        .prepare_cached("SELECT avatar_id FROM users WHERE id = ?1")?
        .query_row([user], |row| row.get(0))?;
    conn.prepare_cached("UPDATE users SET avatar_id = ?2 WHERE id = ?1")?
        .execute(params![user, avatar])?;
    Ok(before)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Role;
    use crate::db::{fixtures, read_content_version};

    fn file(path: &str, variant: &'static str) -> File {
        File {
            path: path.into(),
            variant,
            bytes: 10,
            width: 4,
            height: 2,
        }
    }

    /// Cached pages go stale only when an image readers may see gets or loses files.
    #[test]
    fn only_files_of_an_image_in_use_change_what_readers_see() {
        let conn = fixtures::database();
        let author = fixtures::user(&conn, "w@blog.example", Role::Author);
        let post = fixtures::draft(&conn, author, "Pictures");
        let version = || read_content_version(&conn).unwrap();

        let before = version();
        let id = insert(
            &conn,
            author,
            Kind::Upload,
            &[file("u/a.png", "original")],
            1,
        )
        .unwrap();
        assert!(add_files(&conn, id, &[file("u/a.webp", "webp")]).unwrap());
        assert_eq!(version(), before, "an upload nothing uses yet");

        set_post_usage(&conn, post, &["u/a.png".into()]).unwrap();
        let used = version();
        assert!(add_files(&conn, id, &[file("u/a-480.webp", "webp")]).unwrap());
        assert!(version() > used, "a new copy of an image a post shows");
        let copied = version();
        conn.execute("DELETE FROM media_files WHERE path = 'u/a-480.webp'", [])
            .unwrap();
        assert!(version() > copied, "a copy gone from an image a post shows");

        // An avatar's files count too.
        let avatar = insert(&conn, author, Kind::Avatar, &[file("a/l.webp", "large")], 2).unwrap();
        conn.execute(
            "UPDATE users SET avatar_id = ?1 WHERE id = ?2",
            params![avatar, author],
        )
        .unwrap();
        let shown = version();
        assert!(add_files(&conn, avatar, &[file("a/s.webp", "small")]).unwrap());
        assert!(version() > shown);
    }
}
