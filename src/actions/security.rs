//! Security events of an account: a login, a failed second factor, a factor added or
//! removed, a recovery code spent, sessions ended, a password changed, two-factor
//! reset by the owner. `record` is the one place every such event goes through, in
//! the transaction of the change it reports.

use rusqlite::Connection;

use crate::auth::Actor;
use crate::content::User;
use crate::db::{self, audit};
use crate::mail::Letters;

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

    /// Whether the account is told by mail: everything but what only follows another
    /// event (sessions ended with a password change or a factor's removal).
    fn is_mailed(&self) -> bool {
        !matches!(self, Self::SessionsEnded(_))
    }

    /// The sentence of its mail (`locales/*/mail.toml`).
    fn mail_key(&self) -> &'static str {
        match self {
            Self::Login(_) => "mail.security_login",
            Self::SecondFactorFailed(_) => "mail.security_second_factor_failed",
            Self::FactorAdded(_) => "mail.security_factor_added",
            Self::FactorRemoved(_) => "mail.security_factor_removed",
            Self::RecoveryCodeUsed { .. } => "mail.security_recovery_code_used",
            Self::RecoveryCodesRenewed => "mail.security_recovery_codes_renewed",
            Self::TwoFactorReset => "mail.security_two_factor_reset",
            Self::SessionsEnded(_) => "mail.security_sessions_ended",
            Self::PasswordChanged => "mail.security_password_changed",
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
/// THE place for everything a security event entails: the audit row and, with mail
/// on, the mail that tells the account ("a new login", "a factor was removed", …),
/// queued in the same transaction, so every event recorded is also mailed, whoever
/// caused it (web, CLI, admin).
pub fn record(
    tx: &Connection,
    letters: Option<&Letters>,
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
    .detail(detail.clone());
    audit::record(tx, &entry, db::now_ms())?;
    match letters {
        Some(letters) if event.is_mailed() => {
            let letters = &letters.titled(tx)?;
            let letter = letters.security(account.email.as_str(), event.mail_key(), &detail);
            crate::mail::queue(tx, letters, &letter)
        }
        _ => Ok(()),
    }
}

/// Ends every session of `account` but `keep` (this browser's), and records that when
/// any ended: what a new password, or a factor added or removed, entails. Returns how
/// many ended.
pub fn end_other_sessions(
    tx: &Connection,
    letters: Option<&Letters>,
    actor: &Actor,
    account: &User,
    keep: &[u8],
    client: &str,
) -> rusqlite::Result<usize> {
    let ended = db::sessions::delete_others(tx, account.id, keep)?;
    if ended > 0 {
        record(
            tx,
            letters,
            actor,
            account,
            &Event::SessionsEnded(ended),
            client,
        )?;
    }
    Ok(ended)
}
