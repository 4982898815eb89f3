//! Rate limits per client address for what costs us work or invites spam: signups
//! (a bcrypt hash and an account each), uploads (an image decode each) and
//! webmentions (a fetch of another site each). Kept in
//! memory: a restart forgets them, which costs an abuser nothing they did not have.
//! Logins and comments are throttled from the database instead (`throttle`), since
//! their counts must survive restarts and hold across several clients.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota};

/// Signups from one address: a household or an office may sign up a few people at
/// once, a script may not sign up hundreds.
const SIGNUPS_PER_HOUR: u32 = 10;
/// Subscription requests from one address: a reader subscribes once or twice, a script
/// filling in the form with others' addresses gets a handful through.
const SUBSCRIPTIONS_PER_HOUR: u32 = 10;
/// Uploads from one address: an author pasting a gallery stays under it.
const UPLOADS_PER_TEN_MINUTES: u32 = 100;
/// Webmentions from one address (each costs a fetch of its source): a blog publishing
/// a post with many links to ours stays under it, a flood of forged ones does not.
const WEBMENTIONS_PER_HOUR: u32 = 60;

pub struct RateLimits {
    signups: DefaultKeyedRateLimiter<IpAddr>,
    uploads: DefaultKeyedRateLimiter<IpAddr>,
    subscriptions: DefaultKeyedRateLimiter<IpAddr>,
    webmentions: DefaultKeyedRateLimiter<IpAddr>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            signups: limiter(SIGNUPS_PER_HOUR, Duration::from_secs(3600)),
            uploads: limiter(UPLOADS_PER_TEN_MINUTES, Duration::from_secs(600)),
            subscriptions: limiter(SUBSCRIPTIONS_PER_HOUR, Duration::from_secs(3600)),
            webmentions: limiter(WEBMENTIONS_PER_HOUR, Duration::from_secs(3600)),
        }
    }
}

/// `burst` at once, then one more each `period / burst`.
fn limiter(burst: u32, period: Duration) -> DefaultKeyedRateLimiter<IpAddr> {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::with_period(period / burst.get())
        .unwrap_or_else(|| Quota::per_hour(burst))
        .allow_burst(burst);
    DefaultKeyedRateLimiter::keyed(quota)
}

impl RateLimits {
    /// Counts a signup attempt from `client`; false when it is over its share.
    pub fn signup(&self, client: IpAddr) -> bool {
        self.forget_idle();
        self.signups.check_key(&client).is_ok()
    }

    /// Counts an upload from `client`; false when it is over its share.
    pub fn upload(&self, client: IpAddr) -> bool {
        self.forget_idle();
        self.uploads.check_key(&client).is_ok()
    }

    /// Counts a subscription request from `client`; false when it is over its share.
    pub fn subscription(&self, client: IpAddr) -> bool {
        self.forget_idle();
        self.subscriptions.check_key(&client).is_ok()
    }

    /// Counts a webmention from `client`; false when it is over its share.
    pub fn webmention(&self, client: IpAddr) -> bool {
        self.forget_idle();
        self.webmentions.check_key(&client).is_ok()
    }

    /// Drops the state of addresses back to a full allowance, so the maps do not grow
    /// with every address ever seen.
    fn forget_idle(&self) {
        if self.signups.len() > 10_000 {
            self.signups.retain_recent();
        }
        if self.uploads.len() > 10_000 {
            self.uploads.retain_recent();
        }
        if self.subscriptions.len() > 10_000 {
            self.subscriptions.retain_recent();
        }
        if self.webmentions.len() > 10_000 {
            self.webmentions.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_allowance() {
        let limits = RateLimits::default();
        let a: IpAddr = "203.0.113.1".parse().unwrap();
        let b: IpAddr = "203.0.113.2".parse().unwrap();
        for _ in 0..SIGNUPS_PER_HOUR {
            assert!(limits.signup(a));
        }
        assert!(!limits.signup(a));
        assert!(limits.signup(b));
        assert!(limits.upload(a), "uploads are counted apart from signups");
    }
}
