//! CSRF tokens: an HMAC of the session token under the secret key. A token belongs to
//! one session, and changes at login because the session token does.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::Token;
use crate::config::SecretKey;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &SecretKey, session: &Token) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(b"csrf:");
    mac.update(session.as_str().as_bytes());
    mac
}

pub fn token(key: &SecretKey, session: &Token) -> String {
    hex::encode(mac(key, session).finalize().into_bytes())
}

/// Compares in constant time.
pub fn verify(key: &SecretKey, session: &Token, given: &str) -> bool {
    match hex::decode(given.trim()) {
        Ok(bytes) => mac(key, session).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}
