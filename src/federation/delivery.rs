//! The worker that empties the federation outbox: it signs each due delivery with
//! its actor's key at the moment it is sent (so the Date is fresh), POSTs it to the
//! inbox, and records the outcome. A 2xx is done; a 4xx other than 408 and 429 will
//! not change by retrying and fails at once; anything else (server down, 5xx, too many
//! requests) waits by `retry.rs`'s schedule, for a day.
//!
//! A delivery is marked sent only after the inbox answered. A crash in between sends
//! it again after the restart, with the same activity id, which the receiving server
//! takes in once.

use std::sync::Arc;
use std::time::SystemTime;

use super::{signatures, Local, ACTIVITY_JSON};
use crate::actions::federation::{key_pair, prune, record, Outcome};
use crate::app::App;
use crate::db::{self, federation as store};
use crate::retry;

const BATCH: u32 = 50;
/// What we read of an inbox's answer.
const ANSWER_LIMIT: u64 = 64 * 1024;

/// Runs for as long as the server does.
pub async fn run(app: Arc<App>) {
    let Some(fed) = app.federation.clone() else {
        return;
    };
    let forget = || app.act(prune);
    retry::work("federation", fed.bell(), forget, || deliver_due(&app, &fed)).await;
}

/// Delivers what is due; returns when the next delivery falls due.
async fn deliver_due(app: &Arc<App>, fed: &super::Federation) -> Option<i64> {
    let due = app
        .db
        .read(|conn| store::due(conn, db::now_ms(), BATCH))
        .await
        .unwrap_or_else(|err| {
            tracing::error!("federation: cannot read the outbox: {err:#}");
            Vec::new()
        });
    for delivery in due {
        let (sender, fed) = (Arc::clone(app), fed.clone());
        let sent = tokio::task::spawn_blocking(move || {
            let result = send(&sender, &fed, &delivery);
            (delivery, result)
        })
        .await;
        let Ok((delivery, result)) = sent else {
            tracing::error!("federation: a delivery panicked");
            continue;
        };
        let outcome = outcome_of(&delivery, result, db::now_ms());
        match &outcome {
            Outcome::Sent => tracing::info!("federation: delivered to {}", delivery.inbox),
            Outcome::Retry { error, .. } => {
                tracing::warn!("federation: delivery to {} waits: {error}", delivery.inbox)
            }
            Outcome::Failed(error) => {
                tracing::error!("federation: delivery to {} failed: {error}", delivery.inbox)
            }
        }
        let id = delivery.id;
        if let Err(err) = app.act(move |blog| record(blog, id, &outcome)).await {
            tracing::error!("federation: cannot record delivery {id}: {err:#}");
        }
    }
    app.db.read(store::next_due).await.unwrap_or(None)
}

/// Why a delivery did not land.
enum SendError {
    /// It will not land by trying again.
    Refused(String),
    Later(String),
}

fn send(app: &App, fed: &super::Federation, delivery: &store::Delivery) -> Result<(), SendError> {
    let signer = Local::from_key(&delivery.signer)
        .ok_or_else(|| SendError::Refused(format!("no actor {}", delivery.signer)))?;
    let pair = key_pair(app.blog(), signer).map_err(|err| SendError::Later(err.to_string()))?;
    let key_id = format!("{}#main-key", fed.url(&signer.path()));
    let body = delivery.body.as_bytes();
    let signed = signatures::sign_post(
        &delivery.inbox,
        body,
        &key_id,
        &pair.private_pem,
        SystemTime::now(),
    )
    .map_err(|err| SendError::Refused(err.to_string()))?;
    let headers: Vec<(&str, &str)> = signed
        .iter()
        .filter(|(name, _)| name != "Host")
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let answer = app
        .outbound()
        .post(&delivery.inbox, ACTIVITY_JSON, &headers, body, ANSWER_LIMIT)
        .map_err(|err| match err {
            crate::outbound::OutboundError::NotHttp(_)
            | crate::outbound::OutboundError::Private(_) => SendError::Refused(err.to_string()),
            other => SendError::Later(other.to_string()),
        })?;
    match answer.status {
        200..=299 => Ok(()),
        408 | 429 => Err(SendError::Later(format!(
            "the inbox answered {}",
            answer.status
        ))),
        400..=499 => Err(SendError::Refused(format!(
            "the inbox answered {}: {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
                .chars()
                .take(200)
                .collect::<String>()
        ))),
        status => Err(SendError::Later(format!("the inbox answered {status}"))),
    }
}

fn outcome_of(delivery: &store::Delivery, result: Result<(), SendError>, now: i64) -> Outcome {
    match result {
        Ok(()) => Outcome::Sent,
        Err(SendError::Refused(error)) => Outcome::Failed(error),
        Err(SendError::Later(error)) if retry::given_up(delivery.created_at, now) => {
            Outcome::Failed(format!("still not delivered after a day of tries: {error}"))
        }
        Err(SendError::Later(error)) => Outcome::Retry {
            at: now + retry::delay(delivery.attempts),
            error,
        },
    }
}
