//! Security events of an account: a login, a failed second factor, a factor added or
//! removed, a recovery code spent, sessions ended, a password changed, two-factor
//! reset by the owner. `record` is the one place every such event goes through, in
//! the transaction of the change it reports.

use rusqlite::Connection;

use crate::auth::Actor;
use crate::content::User;
use crate::db::{self, audit};

/// What happened to an account's security.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Signed in; how ("password", "password + code", "passkey", ...).
    Login(&'static str),
    /// A wrong or reused second factor after a right password.
    SecondFactorFailed(&'static str),
    /// A TOTP app or a passkey (named) was added.
    FactorAdded(String),
    FactorRemoved(String),
    /// A recovery code was spent; how many are left.
    RecoveryCodeUsed {
        left: u32,
    },
    RecoveryCodesRenewed,
    /// Every factor removed by the owner of the server (`blog users reset-2fa`).
    TwoFactorReset,
    /// Sessions ended by the account itself or by an admin; how many.
    SessionsEnded(usize),
    PasswordChanged,
}

impl Event {
    fn action(&self) -> audit::Action {
        use audit::Action as A;
        match self {
            Self::Login(_) => A::AccountLogin,
            Self::SecondFactorFailed(_) => A::AccountSecondFactorFailed,
            Self::FactorAdded(_) => A::AccountFactorAdded,
            Self::FactorRemoved(_) => A::AccountFactorRemoved,
            Self::RecoveryCodeUsed { .. } => A::AccountRecoveryCodeUsed,
            Self::RecoveryCodesRenewed => A::AccountRecoveryCodesRenewed,
            Self::TwoFactorReset => A::AccountTwoFactorReset,
            Self::SessionsEnded(_) => A::AccountSessionsEnded,
            Self::PasswordChanged => A::AccountPasswordChanged,
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::Login(how) | Self::SecondFactorFailed(how) => (*how).to_string(),
            Self::FactorAdded(what) | Self::FactorRemoved(what) => what.clone(),
            Self::RecoveryCodeUsed { left } => format!("{left} left"),
            Self::SessionsEnded(1) => "1 session".to_string(),
            Self::SessionsEnded(n) => format!("{n} sessions"),
            Self::RecoveryCodesRenewed | Self::TwoFactorReset | Self::PasswordChanged => {
                String::new()
            }
        }
    }
}

/// Records a security event of `account`, done by `actor` from `client` (an address,
/// or "" from the command line), in the transaction that made the change.
///
/// THE place for everything a security event entails. Today: the audit row. When the
/// mail outbox exists, the mail to the account ("a new login", "a factor was
/// removed", ...) is queued here too, in the same transaction, so every event that is
/// recorded is also mailed, whoever caused it (web, CLI, admin).
pub fn record(
    tx: &Connection,
    actor: &Actor,
    account: &User,
    event: &Event,
    client: &str,
) -> rusqlite::Result<()> {
    let mut detail = event.detail();
    if !client.is_empty() {
        if !detail.is_empty() {
            detail.push_str(", ");
        }
        detail.push_str("from ");
        detail.push_str(client);
    }
    let entry = audit::NewEntry::new(
        actor.user_id(),
        actor.audit_name(),
        event.action(),
        account.email.to_string(),
    )
    .detail(detail);
    audit::record(tx, &entry, db::now_ms())
}
