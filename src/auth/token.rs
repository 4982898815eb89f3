//! Random tokens for sessions and reset links: 32 bytes from the OS, in hex. Only
//! their SHA-256 is stored.

use sha2::{Digest, Sha256};

#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

impl Token {
    pub fn generate() -> anyhow::Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|err| anyhow::anyhow!("no randomness from the OS: {err}"))?;
        Ok(Self(hex::encode(bytes)))
    }

    /// Accepts only what `generate` makes: 64 lower-case hex digits.
    pub fn parse(text: &str) -> Option<Self> {
        let valid =
            text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database keeps.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_generated_shape() {
        let token = Token::generate().unwrap();
        assert_eq!(Token::parse(token.as_str()), Some(token.clone()));
        assert!(Token::parse("abc").is_none());
        assert!(Token::parse(&"G".repeat(64)).is_none());
        assert_ne!(Token::generate().unwrap(), token);
    }
}
