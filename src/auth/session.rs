//! The session cookie: HttpOnly, SameSite=Lax, and Secure whenever the request came
//! over HTTPS. It holds a random token; signed-in sessions have a row keyed by its hash.

use std::time::Duration;

use cookie::{Cookie, SameSite};

use super::Token;

pub const COOKIE: &str = "blog_session";

/// A signed-in session lasts this long without a new login.
pub const LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// The token in a `Cookie:` header, if it has our shape.
pub fn from_cookie_header(header: &str) -> Option<Token> {
    Cookie::split_parse(header)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE)
        .and_then(|c| Token::parse(c.value()))
}

/// `Set-Cookie` for a signed-in session (kept across browser restarts).
pub fn signed_in_cookie(token: &Token, secure: bool) -> String {
    build(token.as_str(), secure)
        .max_age(cookie::time::Duration::seconds(LIFETIME.as_secs() as i64))
        .build()
        .to_string()
}

/// `Set-Cookie` for a visitor's token, which only carries the CSRF token of forms;
/// it ends with the browser session.
pub fn visitor_cookie(token: &Token, secure: bool) -> String {
    build(token.as_str(), secure).build().to_string()
}

fn build(value: &str, secure: bool) -> cookie::CookieBuilder<'static> {
    Cookie::build((COOKIE, value.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_http_only_lax_and_secure_on_https() {
        let token = Token::generate().unwrap();
        let plain = signed_in_cookie(&token, false);
        assert!(
            plain.contains("HttpOnly") && plain.contains("SameSite=Lax"),
            "{plain}"
        );
        assert!(!plain.contains("Secure"));
        assert!(signed_in_cookie(&token, true).contains("Secure"));
    }

    #[test]
    fn reads_our_cookie_among_others() {
        let token = Token::generate().unwrap();
        let header = format!("a=b; {COOKIE}={}; c=d", token.as_str());
        assert_eq!(from_cookie_header(&header), Some(token));
        assert_eq!(from_cookie_header("blog_session=chosen-by-client"), None);
    }
}
