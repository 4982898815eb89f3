//! For the tables' own tests: a migrated database in memory, an account, a draft.

use rusqlite::Connection;

use crate::content::{Email, PostId, Role, SanitizedHtml, Slug, UserId};

/// A new database in memory at the latest schema, with foreign keys on as in use.
pub fn database() -> Connection {
    let mut conn = Connection::open_in_memory().expect("an in-memory database");
    conn.pragma_update(None, "foreign_keys", "ON")
        .expect("foreign keys on");
    super::migrate::run(&mut conn).expect("the schema");
    conn
}

pub fn user(conn: &Connection, email: &str, role: Role) -> UserId {
    let email: Email = email.parse().expect("an email");
    let new = super::users::NewUser {
        email: &email,
        password_hash: Some("x"),
        display_name: "",
        role,
    };
    super::users::insert(conn, &new, 1).expect("the account")
}

/// A draft by `author`, titled and slugged `title`, its body one paragraph of it.
pub fn draft(conn: &Connection, author: UserId, title: &str) -> PostId {
    let body = SanitizedHtml::from_trusted_storage(format!("<p>{title}</p>"));
    let new = super::posts::NewPost {
        author_id: author,
        title,
        body: &body,
        excerpt: title,
    };
    let slug: Slug = Slug::from_title(title);
    super::posts::insert(conn, &new, &slug, 1)
        .expect("the post")
        .0
}
