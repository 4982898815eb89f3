//! When a queued job that could not be done now (a mail, a delivery to another
//! server, a webmention) is tried again: after 10 s, 20 s, 40 s, … up to every 30
//! minutes, for a day, then it is given up. Every outbox of the blog keeps to this one
//! schedule, so `blog mail status` and the federation status read alike.

/// The first retry comes after this; each next one after twice as long…
const FIRST_RETRY_MS: i64 = 10_000;
/// …up to this.
pub const LONGEST_RETRY_MS: i64 = 30 * 60 * 1000;
/// After this long in the queue, a job that still cannot be done is given up.
pub const GIVE_UP_AFTER_MS: i64 = 24 * 3600 * 1000;

/// The wait before the next try, after `attempts` failed ones.
pub fn delay(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    FIRST_RETRY_MS
        .saturating_mul(1 << doublings)
        .min(LONGEST_RETRY_MS)
}

/// Whether a job queued at `created_at` has been tried long enough, at `now`.
pub fn given_up(created_at: i64, now: i64) -> bool {
    now - created_at >= GIVE_UP_AFTER_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_end_after_a_day() {
        assert_eq!(delay(0), 10_000);
        assert_eq!(delay(1), 20_000);
        assert_eq!(delay(3), 80_000);
        assert_eq!(delay(40), LONGEST_RETRY_MS);
        assert!(!given_up(0, GIVE_UP_AFTER_MS - 1));
        assert!(given_up(0, GIVE_UP_AFTER_MS));
    }
}
