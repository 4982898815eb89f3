//! HTTP Signatures as Mastodon speaks them (draft-cavage-http-signatures-12):
//! `rsa-sha256` over `(request-target) host date digest`, with `Digest: SHA-256=…` of
//! the body. The signing string and the `Signature` header are built and parsed by
//! `http-signature-normalization` (the crate Lemmy's federation library uses); the
//! RSA work is `keys`'s.
//!
//! What we receive is checked before anything is stored: a Signature that covers the
//! request target, host, date and digest; a Date within an hour of ours (Mastodon
//! allows twelve; a narrower window leaves less time to replay a captured request);
//! a Digest that matches the body. The caller then finds the key by its id, checks
//! that the key's owner is the activity's actor, and verifies (`Claimed::holds`).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use base64::Engine;
use http::HeaderMap;
use http_signature_normalization::verify::Unverified;
use http_signature_normalization::Config;
use sha2::{Digest as _, Sha256};

use super::keys;

/// How far a request's Date may be from ours, either way.
pub const DATE_WINDOW: Duration = Duration::from_secs(3600);

/// Why a request's signature was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the request has no Signature header")]
    Unsigned,
    /// Fedify, and others after it, knock first with RFC 9421 and fall back to
    /// draft-cavage on a 401; this says which to use to anyone reading their logs.
    #[error(
        "the request is signed with RFC 9421 HTTP Message Signatures (Signature-Input), \
         which this server does not check: sign with draft-cavage-http-signatures-12, \
         as Mastodon does"
    )]
    Rfc9421,
    #[error("the Signature header does not parse or does not cover {0}")]
    BadSignatureHeader(String),
    #[error("the Date header is missing or not an HTTP date")]
    NoDate,
    #[error("the Date header is more than an hour from now")]
    Stale,
    #[error("the Digest header is missing or not SHA-256")]
    NoDigest,
    #[error("the Digest does not match the body")]
    WrongDigest,
    #[error("the signature does not hold for the key {0}")]
    Forged(String),
    #[error("the key {0} belongs to {1}, not to the activity's actor {2}")]
    NotTheActor(String, String, String),
    #[error("the key {0} cannot be found: {1}")]
    NoKey(String, String),
}

/// A signature that parsed and covers what it must; not yet checked against the key.
pub struct Claimed {
    unverified: Unverified,
}

impl Claimed {
    /// The id of the key it claims to be made with (`https://host/users/x#main-key`).
    pub fn key_id(&self) -> &str {
        self.unverified.key_id()
    }

    /// Whether the signature holds for `public_pem`.
    pub fn holds(&self, public_pem: &str) -> bool {
        self.unverified
            .verify(|signature, signing_string| keys::verify(public_pem, signing_string, signature))
    }
}

fn config() -> Config {
    Config::new().mastodon_compat().set_expiration(DATE_WINDOW)
}

/// The headers that sign a POST of `body` to `url`: Host, Date, Digest and
/// Signature (Content-Type is the caller's).
pub fn sign_post(
    url: &str,
    body: &[u8],
    key_id: &str,
    private_pem: &str,
    now: SystemTime,
) -> anyhow::Result<Vec<(String, String)>> {
    let digest = digest_of(body);
    sign("POST", url, Some(digest), key_id, private_pem, now)
}

/// The headers that sign a GET of `url` (servers in "secure mode" ask for them).
pub fn sign_get(
    url: &str,
    key_id: &str,
    private_pem: &str,
    now: SystemTime,
) -> anyhow::Result<Vec<(String, String)>> {
    sign("GET", url, None, key_id, private_pem, now)
}

fn sign(
    method: &str,
    url: &str,
    digest: Option<String>,
    key_id: &str,
    private_pem: &str,
    now: SystemTime,
) -> anyhow::Result<Vec<(String, String)>> {
    let parsed = url::Url::parse(url)?;
    let host = super::domain_of(url);
    if host.is_empty() {
        anyhow::bail!("{url} has no host");
    }
    let target = match parsed.query() {
        Some(query) => format!("{}?{query}", parsed.path()),
        None => parsed.path().to_string(),
    };
    let date = httpdate::fmt_http_date(now);
    let mut headers = BTreeMap::new();
    headers.insert("host".to_string(), host.clone());
    headers.insert("date".to_string(), date.clone());
    if let Some(digest) = &digest {
        headers.insert("digest".to_string(), digest.clone());
    }
    let signature = config()
        .begin_sign(method, &target, headers)
        .map_err(|err| anyhow::anyhow!("{err}"))?
        .sign(key_id.to_string(), |text| keys::sign(private_pem, text))?
        .signature_header();
    let mut out = vec![("Host".to_string(), host), ("Date".to_string(), date)];
    if let Some(digest) = digest {
        out.push(("Digest".to_string(), digest));
    }
    out.push(("Signature".to_string(), signature));
    Ok(out)
}

/// `SHA-256=<base64>` of the body.
pub fn digest_of(body: &[u8]) -> String {
    let hash = Sha256::digest(body);
    format!(
        "SHA-256={}",
        base64::engine::general_purpose::STANDARD.encode(hash)
    )
}

/// Checks everything about a POST's signature that needs no key: its header, the
/// Date window and the Digest of `body`.
pub fn check_post(
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<Claimed, Refusal> {
    if headers.contains_key("signature-input") {
        return Err(Refusal::Rfc9421);
    }
    let date = header(headers, "date").ok_or(Refusal::NoDate)?;
    let date = httpdate::parse_http_date(&date).map_err(|_| Refusal::NoDate)?;
    let apart = now
        .duration_since(date)
        .or_else(|_| date.duration_since(now))
        .unwrap_or(Duration::MAX);
    if apart > DATE_WINDOW {
        return Err(Refusal::Stale);
    }
    let digest = header(headers, "digest").ok_or(Refusal::NoDigest)?;
    let sha256 = digest
        .split(',')
        .find_map(|part| {
            let (algorithm, value) = part.trim().split_once('=')?;
            algorithm
                .eq_ignore_ascii_case("sha-256")
                .then(|| value.to_string())
        })
        .ok_or(Refusal::NoDigest)?;
    if format!("SHA-256={sha256}") != digest_of(body) {
        return Err(Refusal::WrongDigest);
    }
    let mut map = BTreeMap::new();
    for name in [
        "signature",
        "authorization",
        "host",
        "date",
        "digest",
        "content-type",
    ] {
        if let Some(value) = header(headers, name) {
            map.insert(name.to_string(), value);
        }
    }
    if !map.contains_key("signature") && !map.contains_key("authorization") {
        return Err(Refusal::Unsigned);
    }
    let unverified = config()
        .require_digest()
        .begin_verify("POST", path_and_query, map)
        .map_err(|err| Refusal::BadSignatureHeader(err.to_string()))?;
    if !unverified
        .signing_string()
        .starts_with("(request-target): ")
    {
        return Err(Refusal::BadSignatureHeader("(request-target)".into()));
    }
    Ok(Claimed { unverified })
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(body: &[u8], now: SystemTime) -> (HeaderMap, crate::db::federation::KeyPair) {
        let pair = keys::generate().unwrap();
        let signed = sign_post(
            "https://blog.example/ap/inbox",
            body,
            "https://other.example/users/a#main-key",
            &pair.private_pem,
            now,
        )
        .unwrap();
        let mut headers = HeaderMap::new();
        for (name, value) in signed {
            headers.insert(
                http::HeaderName::from_bytes(name.to_lowercase().as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        (headers, pair)
    }

    #[test]
    fn what_we_sign_we_can_check() {
        let now = SystemTime::now();
        let (headers, pair) = signed(b"{}", now);
        let claimed = check_post("/ap/inbox", &headers, b"{}", now).unwrap();
        assert_eq!(claimed.key_id(), "https://other.example/users/a#main-key");
        assert!(claimed.holds(&pair.public_pem));
        assert!(!claimed.holds(&keys::generate().unwrap().public_pem));
        // Sent to another inbox than the one signed for.
        let elsewhere = check_post("/ap/blog/inbox", &headers, b"{}", now).unwrap();
        assert!(!elsewhere.holds(&pair.public_pem));
    }

    #[test]
    fn rfc_9421_is_refused_with_what_to_use_instead() {
        let now = SystemTime::now();
        let (mut headers, _) = signed(b"{}", now);
        // As Fedify's first knock: Signature-Input and Content-Digest, no Digest.
        headers.remove("digest");
        headers.insert(
            "content-digest",
            "sha-256=:RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=:"
                .parse()
                .unwrap(),
        );
        headers.insert(
            "signature-input",
            "sig1=(\"@method\" \"@target-uri\" \"host\" \"date\" \"content-digest\");\
             keyid=\"https://other.example/users/a#main-key\";alg=\"rsa-v1_5-sha256\""
                .parse()
                .unwrap(),
        );
        headers.insert("signature", "sig1=:AAAA:".parse().unwrap());
        let refusal = match check_post("/ap/inbox", &headers, b"{}", now) {
            Err(refusal) => refusal,
            Ok(_) => panic!("an RFC 9421 signature was taken"),
        };
        assert_eq!(refusal, Refusal::Rfc9421);
        assert!(refusal.to_string().contains("draft-cavage"), "{refusal}");
    }

    #[test]
    fn a_changed_body_an_old_date_or_no_signature_is_refused() {
        let now = SystemTime::now();
        let (headers, _) = signed(b"{}", now);
        assert!(matches!(
            check_post("/ap/inbox", &headers, b"{\"x\":1}", now),
            Err(Refusal::WrongDigest)
        ));
        let later = now + Duration::from_secs(2 * 3600);
        assert!(matches!(
            check_post("/ap/inbox", &headers, b"{}", later),
            Err(Refusal::Stale)
        ));
        let mut unsigned = headers.clone();
        unsigned.remove("signature");
        assert!(matches!(
            check_post("/ap/inbox", &unsigned, b"{}", now),
            Err(Refusal::Unsigned)
        ));
        let mut undated = headers;
        undated.remove("date");
        assert!(matches!(
            check_post("/ap/inbox", &undated, b"{}", now),
            Err(Refusal::NoDate)
        ));
    }
}
