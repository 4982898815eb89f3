//! The request log: one line per request (method, path, status, time, client), in the
//! same text or JSON shape as the other log lines.
//!
//! It is the one log line written at full request rate, and through `tracing` it cost
//! a sixth of the server's throughput: formatting through the subscriber and one
//! channel message (and often a thread wake-up) per line. So each worker thread
//! collects its lines in a buffer of its own and hands the log writer thread one
//! batch at a time: when the buffer fills, and every `FLUSH_EVERY` otherwise. The
//! writer thread is the same one `tracing` uses, so a request never waits on the
//! terminal or the journal. At most `FLUSH_EVERY` of lines can sit in a buffer; a
//! worker flushes its own when it stops.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::IpAddr;
use std::time::Duration;

use crate::config::{Config, LogFormat, LogLevel};

/// How long a line may wait in a worker's buffer.
pub const FLUSH_EVERY: Duration = Duration::from_millis(50);

/// A buffer this full is handed over at once.
const BATCH_BYTES: usize = 16 * 1024;

thread_local! {
    static BUFFER: RefCell<String> = RefCell::new(String::with_capacity(BATCH_BYTES + 512));
}

/// Where finished batches go: the log writer thread's input, or nowhere.
pub type Sink = Box<dyn Fn(&[u8]) + Send + Sync>;

pub struct AccessLog {
    format: LogFormat,
    sink: Option<Sink>,
}

/// One request, as logged.
pub struct Entry<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    pub millis: f64,
    pub client: IpAddr,
}

impl AccessLog {
    /// Logs nothing: for commands and tests that serve without a log.
    pub fn off() -> Self {
        Self {
            format: LogFormat::Text,
            sink: None,
        }
    }

    /// Logs through `writer` when `[log] level` lets info lines through.
    pub fn new(config: &Config, writer: tracing_appender::non_blocking::NonBlocking) -> Self {
        let enabled = matches!(
            config.log.level,
            LogLevel::Info | LogLevel::Debug | LogLevel::Trace
        );
        let sink: Option<Sink> = enabled.then(|| {
            Box::new(move |batch: &[u8]| {
                // The writer thread drops a batch rather than block when it is far
                // behind; a log line is not worth a reader's wait.
                let _ = writer.clone().write_all(batch);
            }) as Sink
        });
        Self {
            format: config.log.format,
            sink,
        }
    }

    pub fn record(&self, entry: &Entry) {
        if self.sink.is_none() {
            return;
        }
        let full = BUFFER.with(|buffer| {
            let mut buffer = buffer.borrow_mut();
            write_line(&mut buffer, self.format, jiff::Timestamp::now(), entry);
            buffer.len() >= BATCH_BYTES
        });
        if full {
            self.flush_this_thread();
        }
    }

    /// Hands this thread's lines to the writer.
    pub fn flush_this_thread(&self) {
        let Some(sink) = &self.sink else { return };
        BUFFER.with(|buffer| {
            let mut buffer = buffer.borrow_mut();
            if !buffer.is_empty() {
                sink(buffer.as_bytes());
                buffer.clear();
            }
        });
    }

    /// Flushes this thread's buffer every `FLUSH_EVERY`; run on each worker.
    pub async fn flush_periodically(&self) {
        let mut every = tokio::time::interval(FLUSH_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            self.flush_this_thread();
        }
    }
}

/// One line, shaped like the `tracing` lines around it.
fn write_line(out: &mut String, format: LogFormat, at: jiff::Timestamp, e: &Entry) {
    // Writing into a String cannot fail.
    let _ = match format {
        LogFormat::Text => writeln!(
            out,
            "{at:.6}  INFO request method={} path={} status={} ms={:.1} client={}",
            e.method, e.path, e.status, e.millis, e.client
        ),
        LogFormat::Json => writeln!(
            out,
            r#"{{"timestamp":"{at:.6}","level":"INFO","message":"request","method":{},"path":{},"status":{},"ms":{:.1},"client":"{}"}}"#,
            json_string(e.method),
            json_string(e.path),
            e.status,
            e.millis,
            e.client
        ),
    };
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> Entry<'_> {
        Entry {
            method: "GET",
            path,
            status: 200,
            millis: 0.25,
            client: "203.0.113.7".parse().unwrap(),
        }
    }

    fn at() -> jiff::Timestamp {
        "2026-11-27T01:02:03.456789Z".parse().unwrap()
    }

    #[test]
    fn text_lines_look_like_the_other_log_lines() {
        let mut out = String::new();
        write_line(&mut out, LogFormat::Text, at(), &entry("/posts/a"));
        assert_eq!(
            out,
            "2026-11-27T01:02:03.456789Z  INFO request method=GET path=/posts/a status=200 ms=0.2 client=203.0.113.7\n"
        );
    }

    #[test]
    fn json_lines_parse_and_escape_the_path() {
        let mut out = String::new();
        write_line(&mut out, LogFormat::Json, at(), &entry("/a\"b\\c"));
        let value: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
        assert_eq!(value["path"], "/a\"b\\c");
        assert_eq!(value["status"], 200);
        assert_eq!(value["client"], "203.0.113.7");
        assert_eq!(value["message"], "request");
    }

    #[test]
    fn lines_wait_in_the_thread_buffer_until_flushed() {
        let written = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        let seen = std::sync::Arc::clone(&written);
        let log = AccessLog {
            format: LogFormat::Text,
            sink: Some(Box::new(move |batch| {
                seen.lock().unwrap().extend_from_slice(batch)
            })),
        };
        log.record(&entry("/one"));
        assert!(written.lock().unwrap().is_empty());
        log.flush_this_thread();
        let text = String::from_utf8(written.lock().unwrap().clone()).unwrap();
        assert!(text.contains("path=/one"), "{text}");
    }
}
