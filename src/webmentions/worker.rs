//! The worker that checks received mentions and sends ours. Both queues live in the
//! database (`013_webmentions.sql`), so a restart or a crash loses nothing: what was
//! due is still due. A request that fails for a while (a server down, a timeout, a
//! 5xx or 429) is tried again on the schedule every outbox keeps (`retry`): after
//! 10 s, 20 s, 40 s, … for a day; an answer that will not change (404, no link,
//! a private address) ends it at once.

use std::sync::Arc;

use url::Url;

use super::verify::{judge, Verdict};
use super::{discover, PAGE_LIMIT};
use crate::actions::webmentions::{prune, record_check, record_send, Check, Sent};
use crate::app::App;
use crate::db::{self, webmentions as table};
use crate::outbound::{Outbound, OutboundError};
use crate::retry;

/// Checks or sends read from the queue at a time.
const BATCH: u32 = 20;

/// What the blog accepts when it reads a mention's source.
const ACCEPT_SOURCE: &str = "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5, */*;q=0.1";
const ACCEPT_TARGET: &str = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1";

/// Runs for as long as the server does; returns at once when federation is off.
pub async fn run(app: Arc<App>) {
    let Some(webmentions) = app.webmentions.clone() else {
        return;
    };
    let forget = || app.act(prune);
    let pass = || async {
        check_due(&app).await;
        send_due(&app).await;
        app.db.read(table::next_due).await.unwrap_or(None)
    };
    retry::work("webmentions", webmentions.bell(), forget, pass).await;
}

/// Fetches the source of every mention whose check is due, and records what it found.
async fn check_due(app: &Arc<App>) {
    let due = match app
        .db
        .read(|conn| table::due(conn, db::now_ms(), BATCH))
        .await
    {
        Ok(due) => due,
        Err(err) => {
            tracing::error!("webmentions: cannot read the mentions to check: {err:#}");
            return;
        }
    };
    for mention in due {
        let worker = Arc::clone(app);
        let checked = tokio::task::spawn_blocking(move || {
            let check = check(worker.outbound(), &mention, db::now_ms());
            (mention, check)
        })
        .await;
        let Ok((mention, check)) = checked else {
            tracing::error!("webmentions: a check panicked");
            continue;
        };
        let id = mention.id;
        let kept = check.clone();
        if let Err(err) = app.act(move |blog| record_check(blog, id, &kept)).await {
            tracing::error!("webmentions: cannot record the check of mention {id}: {err:#}");
            continue;
        }
        // Logged once recorded: what the log says, the table says too.
        match &check {
            Check::Links(_) => tracing::info!(
                "webmentions: {} links to {}: waiting for moderation",
                mention.source,
                mention.target
            ),
            Check::Refused(why) => tracing::info!(
                "webmentions: refused {} → {}: {why}",
                mention.source,
                mention.target
            ),
            Check::Retry { error, .. } => {
                tracing::warn!("webmentions: {} waits: {error}", mention.source)
            }
        }
    }
}

/// One check of a mention's source.
fn check(outbound: &Outbound, mention: &table::Due, now: i64) -> Check {
    let Ok(source) = Url::parse(&mention.source) else {
        return Check::Refused("the source is not a URL".into());
    };
    let later = |error: String| match retry::given_up(mention.queued_at, now) {
        true => Check::Refused(format!("the source could not be read for a day: {error}")),
        false => Check::Retry {
            at: now + retry::delay(mention.attempts),
            error,
        },
    };
    match outbound.get(source.as_str(), ACCEPT_SOURCE, PAGE_LIMIT) {
        Ok(answer) if answer.status == 410 => Check::Refused("the source is gone (410)".into()),
        Ok(answer) if (200..300).contains(&answer.status) => {
            match judge(
                &source,
                &mention.target,
                answer.content_type.as_deref(),
                &answer.body,
            ) {
                Verdict::Links(summary) => Check::Links(summary),
                Verdict::DoesNotLink => {
                    Check::Refused("the source does not link to the target".into())
                }
            }
        }
        Ok(answer) if is_passing(answer.status) => {
            later(format!("the source answered {}", answer.status))
        }
        Ok(answer) => Check::Refused(format!("the source answered {}", answer.status)),
        Err(OutboundError::Failed(error)) => later(error),
        Err(refused) => Check::Refused(refused.to_string()),
    }
}

/// A status worth asking again about: the server is busy or broken for now.
fn is_passing(status: u16) -> bool {
    status == 429 || status >= 500
}

/// Sends every webmention whose time has come, and records each outcome.
async fn send_due(app: &Arc<App>) {
    let due = match app
        .db
        .read(|conn| table::due_sends(conn, db::now_ms(), BATCH))
        .await
    {
        Ok(due) => due,
        Err(err) => {
            tracing::error!("webmentions: cannot read the webmentions to send: {err:#}");
            return;
        }
    };
    for queued in due {
        let worker = Arc::clone(app);
        let done = tokio::task::spawn_blocking(move || {
            let sent = send(worker.outbound(), &queued, db::now_ms());
            (queued, sent)
        })
        .await;
        let Ok((queued, sent)) = done else {
            tracing::error!("webmentions: a send panicked");
            continue;
        };
        let id = queued.id;
        let kept = sent.clone();
        if let Err(err) = app.act(move |blog| record_send(blog, id, &kept)).await {
            tracing::error!("webmentions: cannot record send {id}: {err:#}");
            continue;
        }
        // Logged once recorded, as above.
        match &sent {
            Sent::Sent { endpoint } => tracing::info!(
                "webmentions: sent {} → {} to {endpoint}",
                queued.source,
                queued.target
            ),
            Sent::NoEndpoint => {
                tracing::info!("webmentions: {} has no webmention endpoint", queued.target)
            }
            Sent::Failed(error) => tracing::warn!(
                "webmentions: {} → {} failed: {error}",
                queued.source,
                queued.target
            ),
            Sent::Retry { error, .. } => {
                tracing::warn!("webmentions: {} waits: {error}", queued.target)
            }
        }
    }
}

/// One try: finds the target's endpoint, then posts `source` and `target` to it.
fn send(outbound: &Outbound, queued: &table::Send, now: i64) -> Sent {
    let later = |error: String| match retry::given_up(queued.created_at, now) {
        true => Sent::Failed(format!("still not sent after a day of tries: {error}")),
        false => Sent::Retry {
            at: now + retry::delay(queued.attempts),
            error,
        },
    };
    let page = match outbound.get_page(&queued.target, ACCEPT_TARGET, PAGE_LIMIT) {
        Ok(page) => page,
        Err(OutboundError::Failed(error)) => return later(error),
        Err(refused) => return Sent::Failed(refused.to_string()),
    };
    let status = page.answer.status;
    if is_passing(status) {
        return later(format!("the target answered {status}"));
    }
    if !(200..300).contains(&status) {
        return Sent::Failed(format!("the target answered {status}"));
    }
    let Ok(final_url) = Url::parse(&page.url).or_else(|_| Url::parse(&queued.target)) else {
        return Sent::Failed("the target is not a URL".into());
    };
    let Some(endpoint) = discover::endpoint(
        &final_url,
        &page.links,
        page.answer.content_type.as_deref(),
        &page.answer.body,
    ) else {
        return Sent::NoEndpoint;
    };
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("source", &queued.source)
        .append_pair("target", &queued.target)
        .finish();
    match outbound.post(
        endpoint.as_str(),
        "application/x-www-form-urlencoded",
        &[],
        form.as_bytes(),
        64 * 1024,
    ) {
        Ok(answer) if (200..300).contains(&answer.status) => Sent::Sent {
            endpoint: endpoint.into(),
        },
        Ok(answer) if is_passing(answer.status) => {
            later(format!("the endpoint answered {}", answer.status))
        }
        Ok(answer) => {
            let said: String = String::from_utf8_lossy(&answer.body)
                .trim()
                .chars()
                .take(200)
                .collect();
            Sent::Failed(format!(
                "the endpoint {endpoint} answered {}: {said}",
                answer.status
            ))
        }
        Err(OutboundError::Failed(error)) => later(error),
        Err(refused) => Sent::Failed(refused.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    /// A server on 127.0.0.1 that answers its connections with `answers`, in turn
    /// (the last one again once they run out); `{base}` in an answer is its address.
    fn server(answers: Vec<String>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let answers: Vec<String> = answers.iter().map(|a| a.replace("{base}", &base)).collect();
        std::thread::spawn(move || {
            for (i, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { return };
                let mut buffer = [0u8; 8192];
                let _ = stream.read(&mut buffer);
                let answer = &answers[i.min(answers.len() - 1)];
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        base
    }

    fn answer(status: &str, headers: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: text/html\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    fn outbound() -> Outbound {
        Outbound::new("blog/test", true)
    }

    fn due(source: &str, attempts: i64) -> table::Due {
        table::Due {
            id: 1,
            source: source.into(),
            target: "https://blog.example/posts/hello".into(),
            attempts,
            queued_at: 0,
        }
    }

    const LINKS: &str = r#"<a href="https://blog.example/posts/hello">hello</a>"#;

    #[test]
    fn a_source_that_cannot_answer_now_is_tried_again_later() {
        let base = server(vec![answer("503 Service Unavailable", "", "busy")]);
        let check = check(&outbound(), &due(&format!("{base}/note"), 2), 1000);
        assert!(
            matches!(&check, Check::Retry { at: 41_000, .. }),
            "{check:?}"
        );
        let after_a_day = super::check(
            &outbound(),
            &due(&format!("{base}/note"), 30),
            retry::GIVE_UP_AFTER_MS,
        );
        assert!(matches!(after_a_day, Check::Refused(_)), "{after_a_day:?}");
    }

    #[test]
    fn a_source_that_is_gone_or_missing_is_refused_and_one_that_links_is_taken() {
        let gone = server(vec![answer("410 Gone", "", "")]);
        assert_eq!(
            check(&outbound(), &due(&gone, 0), 0),
            Check::Refused("the source is gone (410)".into())
        );
        let missing = server(vec![answer("404 Not Found", "", "")]);
        assert_eq!(
            check(&outbound(), &due(&missing, 0), 0),
            Check::Refused("the source answered 404".into())
        );
        let linking = server(vec![answer("200 OK", "", LINKS)]);
        assert!(matches!(
            check(&outbound(), &due(&linking, 0), 0),
            Check::Links(_)
        ));
        let strict = Outbound::new("blog/test", false);
        assert!(matches!(
            check(&strict, &due(&linking, 0), 0),
            Check::Refused(why) if why.contains("private")
        ));
    }

    fn send_to(target: &str, attempts: i64) -> table::Send {
        table::Send {
            id: 1,
            source: "https://blog.example/posts/hello".into(),
            target: target.into(),
            attempts,
            created_at: 0,
        }
    }

    #[test]
    fn a_send_finds_the_endpoint_and_knows_when_to_stop() {
        // The target names an endpoint relative to itself; the endpoint takes it.
        let base = server(vec![
            answer(
                "200 OK",
                "link: </endpoint?k=1>; rel=\"webmention\"\r\n",
                "<p>page</p>",
            ),
            answer("202 Accepted", "", "ok"),
        ]);
        assert_eq!(
            send(&outbound(), &send_to(&format!("{base}/page"), 0), 0),
            Sent::Sent {
                endpoint: format!("{base}/endpoint?k=1")
            }
        );
        let plain = server(vec![answer("200 OK", "", "<p>no endpoint</p>")]);
        assert_eq!(send(&outbound(), &send_to(&plain, 0), 0), Sent::NoEndpoint);
        let refusing = server(vec![
            answer("200 OK", "", r#"<link rel="webmention" href="/wm">"#),
            answer("400 Bad Request", "", "no such target"),
        ]);
        assert!(matches!(
            send(&outbound(), &send_to(&refusing, 0), 0),
            Sent::Failed(why) if why.contains("400") && why.contains("no such target")
        ));
        let busy = server(vec![
            answer("200 OK", "", r#"<link rel="webmention" href="/wm">"#),
            answer("503 Service Unavailable", "", ""),
        ]);
        assert!(matches!(
            send(&outbound(), &send_to(&busy, 1), 0),
            Sent::Retry { at: 20_000, .. }
        ));
    }
}
