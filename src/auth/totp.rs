//! Codes from an authenticator app (RFC 6238: HMAC-SHA1, six digits, 30-second steps,
//! the step before and after accepted for clocks that drift), the QR code that sets
//! one up (drawn by us as inline SVG), and one-time recovery codes.

use qrcode::render::svg;
use qrcode::QrCode;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};

/// Seconds per code.
pub const STEP_SECS: u64 = 30;
/// Digits per code.
pub const DIGITS: usize = 6;
/// Recovery codes made at a time.
pub const RECOVERY_CODES: usize = 10;
/// Bytes of a new secret: 160 bits, what RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

/// A new random secret.
pub fn new_secret() -> anyhow::Result<Vec<u8>> {
    let mut secret = vec![0u8; SECRET_BYTES];
    getrandom::fill(&mut secret)
        .map_err(|err| anyhow::anyhow!("no randomness from the OS: {err}"))?;
    Ok(secret)
}

/// The generator for a secret; `issuer` (the site's title) and `account` (the email)
/// name it in the app.
fn totp(secret: &[u8], issuer: &str, account: &str) -> anyhow::Result<TOTP> {
    // The otpauth URL separates issuer and account with ':'.
    let issuer = issuer.replace(':', " ").trim().to_string();
    let issuer = if issuer.is_empty() {
        "blog".into()
    } else {
        issuer
    };
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP_SECS,
        secret.to_vec(),
        Some(issuer),
        account.replace(':', " "),
    )
    .map_err(|err| anyhow::anyhow!("cannot make a TOTP generator: {err}"))
}

/// What the app needs: the otpauth:// URL (inside the QR code), the secret in base32
/// (to type in by hand), and the QR code as an SVG element.
pub struct Setup {
    pub url: String,
    pub secret_base32: String,
    pub qr_svg: String,
}

pub fn setup(secret: &[u8], issuer: &str, account: &str) -> anyhow::Result<Setup> {
    let totp = totp(secret, issuer, account)?;
    let url = totp.get_url();
    let qr_svg = QrCode::new(url.as_bytes())
        .map_err(|err| anyhow::anyhow!("cannot draw the QR code: {err}"))?
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // Only the <svg> element, for inline use in a page (no XML declaration).
    let qr_svg = match qr_svg.find("<svg") {
        Some(start) => qr_svg[start..].to_string(),
        None => qr_svg,
    };
    Ok(Setup {
        url,
        secret_base32: totp.get_secret_base32(),
        qr_svg,
    })
}

/// The step a typed code belongs to, among the one of `now` (Unix seconds) and its
/// neighbours; `None` for a wrong code. The caller accepts it only if that step is
/// later than the last one used (see `db::factors::use_step`).
pub fn matching_step(secret: &[u8], code: &str, now: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret, "blog", "account").ok()?;
    let current = now / STEP_SECS;
    let mut found = None;
    for step in [current.saturating_sub(1), current, current + 1] {
        let expected = totp.generate(step * STEP_SECS);
        // Compare every candidate in full, so the time taken says nothing.
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) {
            found = Some(step as i64);
        }
    }
    found
}

/// The code of a secret at a time (tests, and the docs' examples).
pub fn code_at(secret: &[u8], unix_secs: u64) -> String {
    totp(secret, "blog", "account")
        .map(|t| t.generate(unix_secs))
        .unwrap_or_default()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Ten new recovery codes, like `7xk2m-q9d4p`: 10 characters of an alphabet without
/// look-alikes, 50 bits each; shown once, stored as `recovery_hash`.
pub fn new_recovery_codes() -> anyhow::Result<Vec<String>> {
    const ALPHABET: &[u8; 32] = b"23456789abcdefghjkmnpqrstuvwxyz0";
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut bytes = [0u8; 10];
        getrandom::fill(&mut bytes)
            .map_err(|err| anyhow::anyhow!("no randomness from the OS: {err}"))?;
        let chars: String = bytes
            .iter()
            .map(|b| ALPHABET[usize::from(b & 31)] as char)
            .collect();
        codes.push(format!("{}-{}", &chars[..5], &chars[5..]));
    }
    Ok(codes)
}

/// What is stored of a recovery code: the SHA-256 of its canonical form (lower case,
/// no dash or spaces), so "7XK2M Q9D4P" is the same code. 50 random bits need no slow
/// hash: nobody can try 2^50 codes through a throttled login form, and the hash
/// does not give them back.
pub fn recovery_hash(code: &str) -> [u8; 32] {
    let canonical: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(canonical.as_bytes()).into()
}

/// True when the typed text has the shape of a recovery code rather than an app's code.
pub fn looks_like_recovery_code(code: &str) -> bool {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_its_step_and_neighbours_only() {
        let secret = new_secret().unwrap();
        let now = 1_800_000_000;
        let code = code_at(&secret, now);
        assert_eq!(matching_step(&secret, &code, now), Some((now / 30) as i64));
        assert_eq!(
            matching_step(&secret, &code, now + 30),
            Some((now / 30) as i64),
            "a code from the step before still works"
        );
        assert_eq!(matching_step(&secret, &code, now + 120), None);
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(matching_step(&secret, &spaced, now).is_some());
    }

    #[test]
    fn setup_gives_an_otpauth_url_and_an_svg() {
        let secret = new_secret().unwrap();
        let setup = setup(&secret, "My: Blog", "me@blog.example").unwrap();
        assert!(setup.url.starts_with("otpauth://totp/"), "{}", setup.url);
        assert!(setup.url.contains(&setup.secret_base32));
        assert!(setup.qr_svg.starts_with("<svg"), "{}", &setup.qr_svg[..40]);
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_hash_loosely() {
        let codes = new_recovery_codes().unwrap();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        let code = &codes[0];
        assert!(looks_like_recovery_code(code));
        assert!(!looks_like_recovery_code("123456"));
        let shouted = code.to_uppercase().replace('-', " ");
        assert_eq!(recovery_hash(code), recovery_hash(&shouted));
    }
}
