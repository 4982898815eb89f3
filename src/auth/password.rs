//! Passwords: bcrypt at the configured cost. Hashing and verifying are slow on purpose,
//! so callers run them on a blocking thread.

pub use crate::content::password::{problem, PasswordProblem, MAX_CHARS, MIN_CHARS};

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

    use crate::content::Email;

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
