//! The JSON files an export writes beside its posts, which `import markdown` reads back:
//! `authors.json` (never a password hash) and `comments.json`.

use serde::{Deserialize, Serialize};

pub const AUTHORS_FILE: &str = "authors.json";
pub const COMMENTS_FILE: &str = "comments.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorEntry {
    pub email: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub bio: String,
    /// `admin`, `author` or `reader`.
    pub role: String,
    #[serde(default = "yes")]
    pub active: bool,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentEntry {
    /// The slug of the post it is on.
    pub post: String,
    /// A signed-in commenter's address; `None` for a visitor, who has only a name.
    #[serde(default)]
    pub author_email: Option<String>,
    #[serde(default)]
    pub author_name: String,
    pub body: String,
    /// `pending`, `approved` or `hidden`.
    pub status: String,
    /// RFC 3339.
    pub created_at: String,
}

fn yes() -> bool {
    true
}
