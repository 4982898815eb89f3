//! The email address is the login: stored trimmed and case-folded, so two accounts can
//! never share one address in any case.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("enter an email address like name@example.com")]
pub struct InvalidEmail;

impl InvalidEmail {
    pub fn message(&self) -> crate::content::problems::Message {
        "problems.email_invalid".into()
    }
}

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Email {
    type Err = InvalidEmail;
    fn from_str(s: &str) -> Result<Self, InvalidEmail> {
        let folded = s.trim().to_lowercase();
        let (local, domain) = folded.split_once('@').ok_or(InvalidEmail)?;
        let valid = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && folded.len() <= 254
            && !folded.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Self(folded))
        } else {
            Err(InvalidEmail)
        }
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_trimmed_and_case_folded() {
        let email: Email = "  Ann@Example.COM ".parse().unwrap();
        assert_eq!(email.as_str(), "ann@example.com");
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "ann",
            "@example.com",
            "ann@",
            "a b@example.com",
            "a@b@c",
            "a@.com",
        ] {
            assert!(bad.parse::<Email>().is_err(), "{bad:?} was accepted");
        }
    }
}
