//! The blog's vocabulary as types, parsed once at the edge and carried after: email
//! addresses, slugs, roles, sanitized HTML, pages of a list. Pure: no I/O here.

pub mod comment;
pub mod complexity;
pub mod device;
pub mod diff;
pub mod email;
pub mod excerpt;
pub mod highlight;
pub mod html;
pub mod ids;
pub mod pagination;
pub mod password;
pub mod post;
pub mod problems;
pub mod redirect;
pub mod role;
pub mod schedule;
pub mod site;
pub mod slug;
mod sql;
pub mod tag;
pub mod user;

pub use comment::{Comment, CommentBody, CommentStatus, CommenterName};
pub use email::Email;
pub use html::SanitizedHtml;
pub use ids::{CommentId, MediaId, PostId, UserId};
pub use pagination::{PageNumber, Pagination};
pub use post::{Kind, MenuEntry, Post};
pub use problems::Problems;
pub use role::Role;
pub use slug::Slug;
pub use tag::Tag;
pub use user::{Avatar, User};
