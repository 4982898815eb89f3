//! Who may see and change a post, and moderate its comments. One place, so every
//! handler asks the same question.

use crate::content::{Post, Role, User};

/// Published posts are public; drafts belong to their author and the admins.
pub fn can_see(user: Option<&User>, post: &Post) -> bool {
    post.published_at.is_some() || user.is_some_and(|u| can_edit(u, post))
}

/// Authors change their own posts; admins any post.
pub fn can_edit(user: &User, post: &Post) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Author => user.id == post.author_id,
        Role::Reader => false,
    }
}

/// Comments on a post are moderated by those who may change the post: its author and
/// the admins.
pub fn can_moderate(user: &User, post: &Post) -> bool {
    can_edit(user, post)
}

/// Admins and authors write posts; readers do not. The one place this is asked.
pub fn can_write(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Author)
}
