//! Saving an imported post the way the editor's save does, but with the dates it had
//! where it came from: a sequence of `actions::posts::import` by the importer.
//!
//! A post is the same post when it has the same author, title and creation time: a
//! second run finds it and leaves it alone, while two posts that merely share a title
//! (or a slug, which then gets `-2`) are both kept.

use crate::actions::posts::{ImportedPost, PostContent};
use crate::actions::{self, Blog};
use crate::auth::Actor;
use crate::content::{post, Kind, SanitizedHtml, Slug, Tag, UserId};
use crate::db::{self, Db};

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
    pub kind: Kind,
}

/// The title trimmed, or why it cannot be one (the post form's own rule, so an
/// imported post can be edited and saved as it is).
pub fn title(text: &str) -> anyhow::Result<String> {
    Ok(post::title(text)?)
}

pub fn exists(db: &Db, author: UserId, title: &str, created_at: i64) -> anyhow::Result<bool> {
    let found = db.read_now(|conn| db::posts::imported(conn, author, title, created_at))?;
    Ok(found.is_some())
}

/// Saves the post; `None` when it is already there.
pub fn save(blog: Blog, post: &Incoming) -> anyhow::Result<Option<Slug>> {
    let imported = ImportedPost {
        author: post.author,
        content: PostContent::from_sanitized(
            post.title.clone(),
            post.body.clone(),
            post.tags.clone(),
        ),
        slug: post.slug.clone(),
        created_at: post.created_at,
        updated_at: post.updated_at,
        published_at: post.published_at,
        kind: post.kind,
        publish_at: None,
        featured: None,
        origin: None,
    };
    Ok(actions::posts::import(blog, &Actor::Importer, &imported)?)
}
