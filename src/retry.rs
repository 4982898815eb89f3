//! The blog's queues (mail, ActivityPub deliveries, webmentions) and the workers that
//! empty them keep to one shape, here:
//!
//! - a job that could not be done now is tried again after 10 s, 20 s, 40 s, … up to
//!   every 30 minutes, for a day, then it is given up (`delay`, `given_up`);
//! - an action that queues a job rings the worker's `Bell` inside its transaction; the
//!   worker (`work`) looks at once, a moment later (`COMMIT_GRACE`, for that
//!   transaction to commit), when the next job falls due, and at least every
//!   `LOOK_EVERY` (jobs queued by another process, `blog posts publish`); it forgets
//!   finished jobs once an hour.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The longest a worker sleeps without looking.
const LOOK_EVERY: Duration = Duration::from_secs(15);
/// How long a worker waits after its bell rang, for the queueing transaction to
/// commit; it also gathers a burst of jobs into one pass.
pub const COMMIT_GRACE: Duration = Duration::from_millis(200);
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

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

/// Rung when a job is queued, so the worker looks at once rather than at its next
/// regular look.
#[derive(Debug, Clone, Default)]
pub struct Bell(Arc<tokio::sync::Notify>);

impl Bell {
    pub fn ring(&self) {
        self.0.notify_one();
    }

    pub async fn rung(&self) {
        self.0.notified().await;
    }
}

/// A worker's life: `prune` once an hour, then `pass` (which does what is due and
/// returns when the next job falls due, in Unix milliseconds), then a wait for the
/// bell, that time or `LOOK_EVERY`, whichever comes first; for as long as the server
/// runs.
pub async fn work<P, PF, Q, QF, T, E>(name: &str, bell: &Bell, mut prune: Q, mut pass: P)
where
    P: FnMut() -> PF,
    PF: Future<Output = Option<i64>>,
    Q: FnMut() -> QF,
    QF: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let mut pruned_at: Option<Instant> = None;
    loop {
        if pruned_at.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            pruned_at = Some(Instant::now());
            if let Err(err) = prune().await {
                tracing::error!("{name}: cannot forget finished jobs: {err:#}");
            }
        }
        let next = pass().await;
        let wait = next.map_or(LOOK_EVERY, |at| {
            let millis = u64::try_from(at - crate::db::now_ms()).unwrap_or(0);
            Duration::from_millis(millis).min(LOOK_EVERY)
        });
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = bell.rung() => tokio::time::sleep(COMMIT_GRACE).await,
        }
    }
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
