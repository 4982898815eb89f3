//! The worker that empties the outbox: it sends what is due, oldest first, at most
//! `[mail] max_per_minute` a minute, and records each outcome. A mail the server
//! refuses for good fails at once; one that cannot go now (server down, busy,
//! refusing the login) is tried again after 10 s, 20 s, 40 s, … up to every 30
//! minutes, for a day, then fails. `blog mail status` and the admin dashboard show the
//! queue.
//!
//! A mail's row is marked sent only after the server took it. A crash in between
//! (kill -9 while the server answers) sends it again after the restart, with the same
//! Message-ID, which mail systems fold into one; every other crash, outage or restart
//! loses nothing and repeats nothing.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::smtp::{Mailer, SendError};
use crate::actions::mail::{prune, record, Outcome};
use crate::app::App;
use crate::db::{self, outbox};
use crate::retry;

/// Mails read from the queue at a time.
const BATCH: u32 = 50;

/// Runs for as long as the server does.
pub async fn run(app: Arc<App>, mailer: Mailer) {
    let Some(letters) = app.letters.clone() else {
        return;
    };
    let pace = Mutex::new(Pace::new(app.config.mail.max_per_minute));
    let mailer = Arc::new(mailer);
    let forget = || app.act(prune);
    retry::work("mail", letters.bell(), forget, || {
        send_due(&app, &mailer, &pace)
    })
    .await;
}

/// Sends what is due, at the pace allowed; returns when the next mail falls due.
async fn send_due(app: &Arc<App>, mailer: &Arc<Mailer>, pace: &Mutex<Pace>) -> Option<i64> {
    let due = app
        .db
        .read(|conn| outbox::due(conn, db::now_ms(), BATCH))
        .await
        .unwrap_or_else(|err| {
            tracing::error!("mail: cannot read the outbox: {err:#}");
            Vec::new()
        });
    for mail in due {
        let slot = match pace.lock() {
            Ok(mut pace) => pace.next_slot(Instant::now()),
            Err(_) => Instant::now(),
        };
        tokio::time::sleep_until(slot.into()).await;
        let sender = Arc::clone(mailer);
        let sent = tokio::task::spawn_blocking(move || {
            let result = sender.send(&mail);
            (mail, result)
        })
        .await;
        let Ok((mail, result)) = sent else {
            tracing::error!("mail: a send panicked");
            continue;
        };
        let outcome = outcome_of(&mail, result, db::now_ms());
        match &outcome {
            Outcome::Sent => tracing::info!("mail: sent {} to {}", mail.message_id, mail.to),
            Outcome::Retry { error, .. } => {
                tracing::warn!("mail: {} to {} waits: {error}", mail.message_id, mail.to)
            }
            Outcome::Failed(error) => {
                tracing::error!("mail: {} to {} failed: {error}", mail.message_id, mail.to)
            }
        }
        let id = mail.id;
        if let Err(err) = app.act(move |blog| record(blog, id, &outcome)).await {
            tracing::error!("mail: cannot record what became of mail {id}: {err:#}");
        }
    }
    app.db.read(outbox::next_due).await.unwrap_or(None)
}

/// What to record after one try.
fn outcome_of(mail: &outbox::Queued, result: Result<(), SendError>, now: i64) -> Outcome {
    match result {
        Ok(()) => Outcome::Sent,
        Err(SendError::Refused(error)) => Outcome::Failed(error),
        Err(SendError::Later(error)) if retry::given_up(mail.created_at, now) => {
            Outcome::Failed(format!("still not sent after a day of tries: {error}"))
        }
        Err(SendError::Later(error)) => Outcome::Retry {
            at: now + retry::delay(mail.attempts),
            error,
        },
    }
}

/// At most `per_minute` sends in any minute.
struct Pace {
    per_minute: usize,
    recent: VecDeque<Instant>,
}

impl Pace {
    fn new(per_minute: u32) -> Self {
        Self {
            per_minute: usize::try_from(per_minute.max(1)).unwrap_or(usize::MAX),
            recent: VecDeque::new(),
        }
    }

    /// When the next send may go, if it is asked for at `now`; that send is counted.
    fn next_slot(&mut self, now: Instant) -> Instant {
        let minute = Duration::from_secs(60);
        while self
            .recent
            .front()
            .is_some_and(|sent| now.saturating_duration_since(*sent) >= minute)
        {
            self.recent.pop_front();
        }
        let slot = match self.recent.len() >= self.per_minute {
            true => self
                .recent
                .pop_front()
                .map_or(now, |oldest| oldest + minute),
            false => now,
        };
        self.recent.push_back(slot);
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued(created_at: i64, attempts: i64) -> outbox::Queued {
        outbox::Queued {
            id: 1,
            message_id: "x@example.com".into(),
            to: "reader@example.com".into(),
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
            unsubscribe: None,
            created_at,
            attempts,
            sender: None,
        }
    }

    #[test]
    fn a_mail_that_cannot_go_waits_and_one_refused_fails() {
        let down = || Err(SendError::Later("connection refused".into()));
        assert!(matches!(
            outcome_of(&queued(0, 2), down(), 1000),
            Outcome::Retry { at: 41_000, .. }
        ));
        assert!(matches!(
            outcome_of(&queued(0, 30), down(), retry::GIVE_UP_AFTER_MS),
            Outcome::Failed(_)
        ));
        let refused = Err(SendError::Refused("550 no such user".into()));
        assert!(matches!(
            outcome_of(&queued(0, 0), refused, 1),
            Outcome::Failed(_)
        ));
    }

    #[test]
    fn the_pace_keeps_to_the_rate() {
        let mut pace = Pace::new(2);
        let start = Instant::now();
        assert_eq!(pace.next_slot(start), start);
        assert_eq!(pace.next_slot(start), start);
        // The third of the minute waits for the first to be a minute old.
        assert_eq!(pace.next_slot(start), start + Duration::from_secs(60));
        let later = start + Duration::from_secs(300);
        assert_eq!(pace.next_slot(later), later);
    }
}
