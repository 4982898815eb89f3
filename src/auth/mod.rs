//! Who is asking and what they may do: passwords, sessions, CSRF tokens, login
//! throttling and permissions. No HTTP here: the web layer passes plain values in.

pub mod actor;
pub mod csrf;
pub mod hasher;
pub mod passkey;
pub mod password;
pub mod permissions;
pub mod rate;
pub mod reset;
pub mod session;
pub mod throttle;
pub mod token;
pub mod totp;

pub use actor::Actor;
pub use token::Token;
