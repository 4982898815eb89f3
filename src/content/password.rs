//! What a new password must be: long enough, not too long for bcrypt, not the email.
//! Pure rules, shown by the forms and checked by `auth::password` before hashing.

use super::problems::Message;
use super::Email;

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
            Self::TooShort => Message::from("problems.password_too_short").counting(MIN_CHARS),
            Self::TooLong => Message::from("problems.password_too_long").counting(MAX_CHARS),
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
