//! Passwords: bcrypt at the configured cost. Hashing and verifying are slow on purpose,
//! so callers run them on a blocking thread.

use crate::content::problems::Message;
use crate::content::Email;

pub const MIN_CHARS: usize = 10;
/// bcrypt reads at most 72 bytes; a limit keeps hashing time bounded for long input.
pub const MAX_CHARS: usize = 200;

/// Why a new password was refused; `Display` is the English line the CLI prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("Use at least 10 characters.")]
    TooShort,
    #[error("Use at most 200 characters.")]
    TooLong,
    #[error("The password cannot be your email address.")]
    IsTheEmail,
}

impl PasswordProblem {
    /// The same sentence in the interface's language, for a form.
    pub fn message(self) -> Message {
        match self {
            Self::TooShort => Message::from("problems.password_too_short").with("min", MIN_CHARS),
            Self::TooLong => Message::from("problems.password_too_long").with("max", MAX_CHARS),
            Self::IsTheEmail => "problems.password_is_email".into(),
        }
    }
}

pub fn problem(password: &str, email: &Email) -> Option<PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        Some(PasswordProblem::TooShort)
    } else if chars > MAX_CHARS {
        Some(PasswordProblem::TooLong)
    } else if password.trim().to_lowercase() == email.as_str() {
        Some(PasswordProblem::IsTheEmail)
    } else {
        None
    }
}

pub fn hash(password: &str, cost: u32) -> anyhow::Result<String> {
    Ok(bcrypt::hash(password, cost)?)
}

/// False for a wrong password and for a hash that is not bcrypt.
pub fn verify(password: &str, hash: &str) -> bool {
    bcrypt::verify(password, hash).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_or_email_passwords_are_refused() {
        let email: Email = "ann@example.com".parse().unwrap();
        assert!(problem("short", &email).is_some());
        assert!(problem("ANN@example.com", &email).is_some());
        assert!(problem("a long enough passphrase", &email).is_none());
    }

    #[test]
    fn verify_matches_only_the_right_password() {
        let hashed = hash("correct horse battery", 4).unwrap();
        assert!(verify("correct horse battery", &hashed));
        assert!(!verify("wrong horse battery", &hashed));
        assert!(!verify("x", "not a hash"));
    }
}
