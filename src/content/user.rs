//! An account as the rest of the program sees it: plain data, filled by `db::users`.

use super::{Email, Role, UserId};

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub password_hash: Option<String>,
    pub display_name: String,
    pub bio: String,
    pub role: Role,
    pub is_active: bool,
    pub created_at: i64,
    /// Paths under the media folder of the 256 px and 64 px thumbnails.
    pub avatar: Option<Avatar>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avatar {
    pub large: String,
    pub small: String,
}

impl User {
    /// The display name, or the part of the email before the `@` when none is set.
    pub fn name(&self) -> String {
        display_name(&self.display_name, &self.email)
    }
}

pub fn display_name(display_name: &str, email: &Email) -> String {
    if display_name.trim().is_empty() {
        email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_string()
    } else {
        display_name.to_string()
    }
}
