//! The audit log: one row per action taken from `/admin` (and per publication or
//! moderation anywhere), written in the same transaction as the action, so a row
//! exists exactly when the change does.

use rusqlite::{params, Connection, Row};

use crate::content::{User, UserId};

/// What was done. Stored as its code, so the log still reads after a rename here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    PostPublish,
    PostUnpublish,
    PostDelete,
    CommentApprove,
    CommentHide,
    CommentDelete,
    UserRole,
    UserDeactivate,
    UserReactivate,
    UserResetLink,
    UserDelete,
    MediaGc,
    MenuOrder,
    /// An invitation link made (issue 21), and an account made by following one.
    UserInvite,
    UserJoin,
    /// Pending invitations withdrawn before anyone used them.
    UserInviteRevoke,
    /// The site's title, description or accent changed in `/admin/settings`.
    SiteSettings,
    /// Security events of an account (issue 20), written by `actions::security`.
    AccountLogin,
    AccountSecondFactorFailed,
    AccountFactorAdded,
    AccountFactorRemoved,
    AccountRecoveryCodeUsed,
    AccountRecoveryCodesRenewed,
    AccountTwoFactorReset,
    AccountSessionsEnded,
    AccountPasswordChanged,
    RedirectAdd,
    RedirectRemove,
    /// Federation (issue 19): an admin blocked or unblocked a remote account or domain.
    FederationBlock,
    FederationUnblock,
    /// A received webmention shown under its post, or deleted (issue 19).
    WebmentionApprove,
    WebmentionDelete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PostPublish => "post.publish",
            Self::PostUnpublish => "post.unpublish",
            Self::PostDelete => "post.delete",
            Self::CommentApprove => "comment.approve",
            Self::CommentHide => "comment.hide",
            Self::CommentDelete => "comment.delete",
            Self::UserRole => "user.role",
            Self::UserDeactivate => "user.deactivate",
            Self::UserReactivate => "user.reactivate",
            Self::UserResetLink => "user.reset_link",
            Self::UserDelete => "user.delete",
            Self::MediaGc => "media.gc",
            Self::MenuOrder => "menu.order",
            Self::UserInvite => "user.invite",
            Self::UserJoin => "user.join",
            Self::UserInviteRevoke => "user.invite_revoke",
            Self::SiteSettings => "site.settings",
            Self::AccountLogin => "account.login",
            Self::AccountSecondFactorFailed => "account.second_factor_failed",
            Self::AccountFactorAdded => "account.factor_added",
            Self::AccountFactorRemoved => "account.factor_removed",
            Self::AccountRecoveryCodeUsed => "account.recovery_code_used",
            Self::AccountRecoveryCodesRenewed => "account.recovery_codes_renewed",
            Self::AccountTwoFactorReset => "account.two_factor_reset",
            Self::AccountSessionsEnded => "account.sessions_ended",
            Self::AccountPasswordChanged => "account.password_changed",
            Self::RedirectAdd => "redirect.add",
            Self::RedirectRemove => "redirect.remove",
            Self::FederationBlock => "federation.block",
            Self::FederationUnblock => "federation.unblock",
            Self::WebmentionApprove => "webmention.approve",
            Self::WebmentionDelete => "webmention.delete",
        }
    }
}

/// A row about to be written; owned, so it can move into a write closure.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub actor_id: Option<UserId>,
    pub actor_email: String,
    pub action: Action,
    pub target: String,
    pub detail: String,
}

impl NewEntry {
    /// `actor_name` is the account's email, or the job of the program that acted
    /// ("cli", "importer"); the log keeps it after the account is gone.
    pub fn new(
        actor_id: Option<UserId>,
        actor_name: impl Into<String>,
        action: Action,
        target: impl Into<String>,
    ) -> Self {
        Self {
            actor_id,
            actor_email: actor_name.into(),
            action,
            target: target.into(),
            detail: String::new(),
        }
    }

    pub fn by(actor: &User, action: Action, target: impl Into<String>) -> Self {
        Self::new(Some(actor.id), actor.email.to_string(), action, target)
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// A row as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub at: i64,
    /// `None` once the account is deleted; `actor_email` still names it.
    pub actor_id: Option<UserId>,
    pub actor_email: String,
    /// An `Action` code (or one from a newer version of blog).
    pub action: String,
    pub target: String,
    pub detail: String,
}

fn from_row(row: &Row) -> rusqlite::Result<Entry> {
    Ok(Entry {
        id: row.get(0)?,
        at: row.get(1)?,
        actor_id: row.get(2)?,
        actor_email: row.get(3)?,
        action: row.get(4)?,
        target: row.get(5)?,
        detail: row.get(6)?,
    })
}

/// Call it with the transaction that makes the change.
pub fn record(conn: &Connection, entry: &NewEntry, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor_id, actor_email, action, target, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        now,
        entry.actor_id,
        entry.actor_email,
        entry.action.as_str(),
        entry.target,
        entry.detail
    ])?;
    Ok(())
}

/// The newest `limit` rows, newest first.
pub fn latest(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<Entry>> {
    conn.prepare_cached(
        "SELECT id, at, actor_id, actor_email, action, target, detail FROM audit_log
         ORDER BY at DESC, id DESC LIMIT ?1",
    )?
    .query_map([limit], from_row)?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Email, Role};
    use crate::db::{migrate, users};

    #[test]
    fn rows_come_back_newest_first_and_outlive_their_actor() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        migrate::run(&mut conn).unwrap();
        let email: Email = "boss@blog.example".parse().unwrap();
        let id = users::insert(
            &conn,
            &users::NewUser {
                email: &email,
                password_hash: None,
                display_name: "",
                role: Role::Admin,
            },
            1,
        )
        .unwrap();
        let boss = users::by_id(&conn, id).unwrap().unwrap();
        record(&conn, &NewEntry::by(&boss, Action::PostPublish, "Hi"), 10).unwrap();
        let entry = NewEntry::by(&boss, Action::UserRole, "a@blog.example").detail("author");
        record(&conn, &entry, 20).unwrap();

        let rows = latest(&conn, 50).unwrap();
        let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["user.role", "post.publish"]);
        assert_eq!(rows[0].detail, "author");
        assert_eq!(latest(&conn, 1).unwrap().len(), 1);

        users::delete(&conn, id).unwrap();
        let rows = latest(&conn, 50).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].actor_id, None);
        assert_eq!(rows[0].actor_email, "boss@blog.example");
    }
}
