//! A post as the rest of the program sees it: plain data, filled by `db::posts`.

use super::{PostId, SanitizedHtml, Slug, Tag, UserId};

#[derive(Debug, Clone)]
/// `published_at` empty means a draft. Times are Unix milliseconds.
pub struct Post {
    pub id: PostId,
    pub author_id: UserId,
    pub author_name: String,
    /// The author's 64 px thumbnail, a path under the media folder.
    pub author_avatar: Option<String>,
    pub title: String,
    pub slug: Slug,
    pub body: SanitizedHtml,
    pub excerpt: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub published_at: Option<i64>,
    /// Sorted by name.
    pub tags: Vec<Tag>,
}

impl Post {
    pub fn is_published(&self) -> bool {
        self.published_at.is_some()
    }
}
