//! Key pairs of our actors (RSA 2048, the only kind every server checks), and
//! RSA-SHA256 signing and checking, by OpenSSL (already linked for passkeys).

use base64::Engine;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::rsa::Rsa;
use openssl::sign::{Signer, Verifier};

use crate::db::federation::KeyPair;

const BITS: u32 = 2048;

/// A new key pair, as PEM.
pub fn generate() -> anyhow::Result<KeyPair> {
    let rsa = Rsa::generate(BITS)?;
    let key = PKey::from_rsa(rsa)?;
    Ok(KeyPair {
        private_pem: String::from_utf8(key.private_key_to_pem_pkcs8()?)?,
        public_pem: String::from_utf8(key.public_key_to_pem()?)?,
    })
}

/// The base64 RSA-SHA256 signature of `text`.
pub fn sign(private_pem: &str, text: &str) -> anyhow::Result<String> {
    let key: PKey<Private> = PKey::private_key_from_pem(private_pem.as_bytes())?;
    let mut signer = Signer::new(MessageDigest::sha256(), &key)?;
    signer.update(text.as_bytes())?;
    Ok(base64::engine::general_purpose::STANDARD.encode(signer.sign_to_vec()?))
}

/// Whether `signature` (base64) is `public_pem`'s RSA-SHA256 signature of `text`.
/// A key or signature that does not parse is a signature that does not hold.
pub fn verify(public_pem: &str, text: &str, signature: &str) -> bool {
    let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    let Ok(key) = PKey::<Public>::public_key_from_pem(public_pem.as_bytes()) else {
        return false;
    };
    let Ok(mut verifier) = Verifier::new(MessageDigest::sha256(), &key) else {
        return false;
    };
    verifier.update(text.as_bytes()).is_ok() && verifier.verify(&signature).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_for_its_text_and_key_only() {
        let pair = generate().unwrap();
        let other = generate().unwrap();
        let signature = sign(&pair.private_pem, "(request-target): post /inbox").unwrap();
        assert!(verify(
            &pair.public_pem,
            "(request-target): post /inbox",
            &signature
        ));
        assert!(!verify(
            &pair.public_pem,
            "(request-target): post /other",
            &signature
        ));
        assert!(!verify(
            &other.public_pem,
            "(request-target): post /inbox",
            &signature
        ));
        assert!(!verify("not a key", "x", &signature));
        assert!(!verify(&pair.public_pem, "x", "not base64!"));
    }
}
