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
    /// A draft's scheduled time: the server publishes it then, with this time.
    pub publish_at: Option<i64>,
    /// Counts the saves; a save names the one it started from (see `actions::posts`).
    pub revision: i64,
    /// Sorted by name.
    pub tags: Vec<Tag>,
    /// A post of the blog, or a standalone page (About, Contact, …).
    pub kind: Kind,
    /// A page's place in the site's menu, smallest first; `None` is not in it.
    pub menu_position: Option<i64>,
    /// The featured image: the path (under the media folder) of the file pages show,
    /// for lists' thumbnails and link previews.
    pub featured_image: Option<String>,
}

impl Post {
    pub fn is_published(&self) -> bool {
        self.published_at.is_some()
    }

    pub fn is_page(&self) -> bool {
        self.kind == Kind::Page
    }
}

/// What a row of `posts` is: a post, which lists, feeds and search show, or a page,
/// which stands alone at `/pages/{slug}` and may be in the site's menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    #[default]
    Post,
    Page,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Page => "page",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a kind of post: use post or page")]
pub struct UnknownKind(String);

impl std::str::FromStr for Kind {
    type Err = UnknownKind;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "post" => Ok(Self::Post),
            "page" => Ok(Self::Page),
            other => Err(UnknownKind(other.to_string())),
        }
    }
}

/// One link of the site's menu: a published page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    pub title: String,
    pub slug: Slug,
}

/// Titles longer than this are refused, in the form and in imports alike.
pub const MAX_TITLE_CHARS: usize = 200;

/// Why a title cannot be one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTitle {
    #[error("the title is empty: give the post a title")]
    Empty,
    #[error("the title is longer than {MAX_TITLE_CHARS} characters: shorten it")]
    TooLong,
}

impl InvalidTitle {
    pub fn message(self) -> super::problems::Message {
        match self {
            Self::Empty => "problems.title_empty".into(),
            Self::TooLong => {
                super::problems::Message::from("problems.title_too_long").counting(MAX_TITLE_CHARS)
            }
        }
    }
}

/// The title trimmed, or why it cannot be one.
pub fn title(text: &str) -> Result<String, InvalidTitle> {
    let title = text.trim();
    if title.is_empty() {
        Err(InvalidTitle::Empty)
    } else if title.chars().count() > MAX_TITLE_CHARS {
        Err(InvalidTitle::TooLong)
    } else {
        Ok(title.to_string())
    }
}
