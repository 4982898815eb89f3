//! Who is acting: every write in `actions` names one, and the audit log records it.

use crate::content::{Post, Role, User, UserId};

use super::permissions;

/// A signed-in person, or one of the programs that write on the blog's behalf.
#[derive(Debug, Clone)]
pub enum Actor {
    User(User),
    /// A reader without an account, where visitors may comment.
    Visitor,
    /// `blog …` on the server's own machine: whoever may run it owns the data.
    Cli,
    /// The server itself, on a timer (scheduled posts, the media GC).
    Scheduler,
    /// `blog import …`, moving another blog's history in.
    Importer,
    /// Another server (a federation peer), named by its address.
    Remote(String),
}

impl Actor {
    /// The account behind the action, if any.
    pub fn user(&self) -> Option<&User> {
        match self {
            Self::User(user) => Some(user),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.user().map(|user| user.id)
    }

    /// How the audit log names the actor: an account by its email, a program by its job.
    pub fn audit_name(&self) -> String {
        match self {
            Self::User(user) => user.email.to_string(),
            Self::Cli => "cli".into(),
            Self::Scheduler => "scheduler".into(),
            Self::Importer => "importer".into(),
            Self::Remote(host) => format!("remote:{host}"),
            Self::Visitor => "visitor".into(),
        }
    }

    /// Authors change their own posts and admins any post; the programs on the
    /// server's own machine act for its owner. A remote server changes no post.
    pub fn may_edit(&self, post: &Post) -> bool {
        match self {
            Self::User(user) => permissions::can_edit(user, post),
            Self::Cli | Self::Scheduler | Self::Importer => true,
            Self::Remote(_) | Self::Visitor => false,
        }
    }

    /// Whether the actor may write new posts.
    pub fn may_write(&self) -> bool {
        match self {
            Self::User(user) => permissions::can_write(user),
            Self::Cli | Self::Scheduler | Self::Importer => true,
            Self::Remote(_) | Self::Visitor => false,
        }
    }

    /// Admins, and the server's own programs.
    pub fn is_admin(&self) -> bool {
        match self {
            Self::User(user) => user.role == Role::Admin,
            Self::Cli | Self::Scheduler | Self::Importer => true,
            Self::Remote(_) | Self::Visitor => false,
        }
    }
}
