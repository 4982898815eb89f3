//! Federation over ActivityPub: the blog and each of its writers are actors that
//! readers on Mastodon (and the rest of the fediverse) follow, whose posts reach their
//! timelines, and whose replies come back as comments.
//!
//! - `actors`: our actors, their addresses and handles (`@handle@host`).
//! - `keys`: their key pairs, made on first use.
//! - `signatures`: HTTP Signatures (draft-cavage-12, as Mastodon speaks it) on what we
//!   send, and the checks on what we receive.
//! - `documents`: the JSON we serve and send (actors, articles, activities, WebFinger,
//!   NodeInfo).
//! - `remote`: fetching other servers' actors, through `outbound` (no private
//!   addresses, timeouts, size limits).
//! - `incoming`: reading a verified activity into what `actions::federation` stores.
//! - `delivery`: the worker that empties the outbox.
//!
//! As with mail, nothing is sent where it is decided: an action that publishes,
//! updates or deletes a post writes the activity and one delivery per inbox into the
//! outbox in its own transaction (`actions::federation::post_changed`), and the worker
//! signs and sends each, retrying on `retry.rs`'s schedule. A delivery is never lost
//! with a crash or an outage, and never sent for a change that was rolled back.
//!
//! Off (`[federation] enabled = false`, the default) none of this answers or runs.

pub mod actors;
pub mod delivery;
pub mod documents;
pub mod incoming;
pub mod keys;
pub mod remote;
pub mod signatures;

pub use actors::Local;

use crate::config::Config;
use crate::retry::Bell;

/// The JSON type of ActivityPub documents.
pub const ACTIVITY_JSON: &str = "application/activity+json";
/// The other type servers ask for them by.
pub const LD_JSON: &str = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
/// Everything an inbox takes: no activity worth keeping is larger.
pub const MAX_ACTIVITY_BYTES: usize = 256 * 1024;
/// A remote actor's document, at most.
pub const MAX_DOCUMENT_BYTES: u64 = 1024 * 1024;

/// What federating needs: the site's address, and the delivery worker's bell.
#[derive(Debug, Clone)]
pub struct Federation {
    /// `[site] base_url`, without a trailing slash.
    pub base: String,
    /// `host` or `host:port` of `base`: the domain of our handles.
    pub host: String,
    bell: Bell,
}

impl Federation {
    /// `None` when federation is off.
    pub fn of(config: &Config) -> Option<Self> {
        if !config.federation.enabled {
            return None;
        }
        let base = config
            .site
            .base_url
            .as_str()
            .trim_end_matches('/')
            .to_string();
        let host = match domain_of(&base) {
            host if host.is_empty() => "localhost".into(),
            host => host,
        };
        Some(Self {
            base,
            host,
            bell: Bell::default(),
        })
    }

    /// Federation on at `https://blog.example`, for unit tests.
    #[cfg(test)]
    pub fn for_tests() -> Self {
        let mut config = Config::default();
        config.site.base_url = "https://blog.example".parse().expect("a base URL");
        config.federation.enabled = true;
        Self::of(&config).expect("federation is on")
    }

    /// An absolute URL of ours.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Tells the worker that deliveries were queued.
    pub fn wake(&self) {
        self.bell.ring();
    }

    pub fn bell(&self) -> &Bell {
        &self.bell
    }

    /// Whether `url` is one of ours.
    pub fn is_ours(&self, url: &str) -> bool {
        url.strip_prefix(&self.base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

/// The host (and port, when not the scheme's own) of a URL: the domain of a handle,
/// the one a block names, the `Host` a signature covers; empty when it has none.
pub fn domain_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|url| {
            let host = url.host_str()?.to_string();
            Some(match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        })
        .unwrap_or_default()
}
