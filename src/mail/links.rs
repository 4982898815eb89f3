//! The links in a mail that act without a login: confirming a subscription and
//! unsubscribing. Each names what it acts on and carries an HMAC of that under the
//! secret key, so nothing needs storing and nobody can forge one for another reader.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::SecretKey;
use crate::content::UserId;

type HmacSha256 = Hmac<Sha256>;

/// What a signed link acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signed {
    /// Confirms subscription `id` (double opt-in).
    Confirm(i64),
    /// Ends subscription `id`.
    Subscription(i64),
    /// Stops the comment mails of an account.
    CommentMails(UserId),
}

impl Signed {
    fn parts(self) -> (char, i64) {
        match self {
            Self::Confirm(id) => ('c', id),
            Self::Subscription(id) => ('s', id),
            Self::CommentMails(user) => ('u', user.0),
        }
    }

    /// The token for the link: `s42.` and 32 hex digits of MAC.
    pub fn token(self, key: &SecretKey) -> String {
        let (kind, id) = self.parts();
        let mac = hex::encode(mac(key, kind, id).finalize().into_bytes());
        format!("{kind}{id}.{}", &mac[..32])
    }

    /// What a token from a link acts on; `None` when it is not one we signed.
    pub fn verify(key: &SecretKey, token: &str) -> Option<Self> {
        let (head, given) = token.split_once('.')?;
        let mut chars = head.chars();
        let kind = chars.next()?;
        let id: i64 = chars.as_str().parse().ok()?;
        let signed = match kind {
            'c' => Self::Confirm(id),
            's' => Self::Subscription(id),
            'u' => Self::CommentMails(UserId(id)),
            _ => return None,
        };
        let given = hex::decode(given).ok()?;
        // A truncated MAC: verify_truncated_left compares in constant time.
        mac(key, kind, id).verify_truncated_left(&given).ok()?;
        (given.len() == 16).then_some(signed)
    }
}

fn mac(key: &SecretKey, kind: char, id: i64) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("mail-link:{kind}:{id}").as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_acts_only_on_what_it_was_signed_for() {
        let key = SecretKey::for_tests();
        let token = Signed::Subscription(42).token(&key);
        assert_eq!(Signed::verify(&key, &token), Some(Signed::Subscription(42)));
        let forged = token.replacen("s42", "s43", 1);
        assert_eq!(Signed::verify(&key, &forged), None);
        let other_kind = token.replacen('s', "c", 1);
        assert_eq!(Signed::verify(&key, &other_kind), None);
        assert_eq!(Signed::verify(&key, "s42"), None);
        assert_eq!(Signed::verify(&key, "s42.abcd"), None);
        let user = Signed::CommentMails(UserId(7)).token(&key);
        assert_eq!(
            Signed::verify(&key, &user),
            Some(Signed::CommentMails(UserId(7)))
        );
    }
}
