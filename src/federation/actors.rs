//! Our actors and their addresses. The blog is `/ap/blog`, each writer
//! `/ap/users/{id}`: an id that never changes, since followers hold it. Each has a
//! handle (`@handle@host`) for WebFinger, given once (see `handle_from_name`).

use crate::content::{PostId, UserId};

/// One of our actors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Local {
    /// The blog as a whole: its followers get every post.
    Blog,
    /// A writer: their followers get their posts.
    User(UserId),
}

/// The blog's own handle; no writer gets it.
pub const BLOG_HANDLE: &str = "blog";

impl Local {
    /// How the tables name it (`ap_keys.actor`, `ap_followers.local`).
    pub fn key(self) -> String {
        match self {
            Self::Blog => "blog".into(),
            Self::User(id) => id.to_string(),
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "blog" => Some(Self::Blog),
            id => id.parse().ok().map(Self::User),
        }
    }

    /// The actor's path; its id is this under the base URL.
    pub fn path(self) -> String {
        match self {
            Self::Blog => "/ap/blog".into(),
            Self::User(id) => format!("/ap/users/{id}"),
        }
    }

    /// Which actor an absolute URL of ours names, with what follows it
    /// (`/inbox`, `#main-key`, …).
    pub fn parse<'a>(base: &str, url: &'a str) -> Option<(Self, &'a str)> {
        let rest = url.strip_prefix(base)?;
        if let Some(rest) = rest.strip_prefix("/ap/blog") {
            return Some((Self::Blog, rest));
        }
        let rest = rest.strip_prefix("/ap/users/")?;
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let id = rest[..end].parse().ok()?;
        Some((Self::User(UserId(id)), &rest[end..]))
    }
}

/// A post's ActivityPub id: by its row id, which outlives a change of slug.
pub fn post_path(id: PostId) -> String {
    format!("/ap/posts/{id}")
}

pub fn note_path(id: i64) -> String {
    format!("/ap/notes/{id}")
}

/// A handle made from a display name: lower-case ASCII letters, digits and `_`, as
/// Mastodon allows, at most 30 of them; `author` when nothing of the name is left
/// (a name in Korean, say). The address is never used: it would tell it to everyone.
pub fn handle_from_name(name: &str) -> String {
    let mut handle = String::new();
    for c in name.chars() {
        if handle.len() >= 30 {
            break;
        }
        if c.is_ascii_alphanumeric() {
            handle.push(c.to_ascii_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_' || c == '.')
            && !handle.is_empty()
            && !handle.ends_with('_')
        {
            handle.push('_');
        }
    }
    let handle = handle.trim_end_matches('_');
    match handle {
        "" | BLOG_HANDLE => "author".into(),
        handle => handle.into(),
    }
}

/// Whether `handle` could be one of ours (and so worth a lookup).
pub fn is_handle(handle: &str) -> bool {
    !handle.is_empty()
        && handle.len() <= 40
        && handle
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_keep_what_mastodon_allows() {
        assert_eq!(handle_from_name("Ada Lovelace"), "ada_lovelace");
        assert_eq!(handle_from_name("  J.-P. Sartre "), "j_p_sartre");
        assert_eq!(handle_from_name("김민수"), "author");
        assert_eq!(handle_from_name("Blog"), "author");
        assert_eq!(handle_from_name(&"x".repeat(80)).len(), 30);
        assert!(is_handle("ada_lovelace2"));
        assert!(!is_handle("Ada") && !is_handle("a/b") && !is_handle(""));
    }

    #[test]
    fn actor_urls_read_back() {
        let base = "https://blog.example";
        assert_eq!(
            Local::parse(base, "https://blog.example/ap/users/7#main-key"),
            Some((Local::User(UserId(7)), "#main-key"))
        );
        assert_eq!(
            Local::parse(base, "https://blog.example/ap/blog/inbox"),
            Some((Local::Blog, "/inbox"))
        );
        assert_eq!(Local::parse(base, "https://other.example/ap/blog"), None);
        assert_eq!(
            Local::from_key(&Local::User(UserId(3)).key()),
            Some(Local::User(UserId(3)))
        );
    }
}
