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

/// A buffer this full is handed over at once. As nginx's `buffer=64k`: at 40,000
/// requests a second per worker a 16 KiB buffer woke the writer thread every 4 ms,
/// and each wake-up took a core from a worker for a moment.
const BATCH_BYTES: usize = 64 * 1024;

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

/// One line, shaped like the `tracing` lines around it. Written piece by piece rather
/// than through `format!`: at full request rate the formatting machinery (the
/// timestamp, a float, an address) cost a third of the work of a cached page.
fn write_line(out: &mut String, format: LogFormat, at: jiff::Timestamp, e: &Entry) {
    match format {
        LogFormat::Text => {
            push_timestamp(out, at);
            out.push_str("  INFO request method=");
            out.push_str(e.method);
            out.push_str(" path=");
            out.push_str(e.path);
            out.push_str(" status=");
            push_number(out, u64::from(e.status));
            out.push_str(" ms=");
            push_millis(out, e.millis);
            out.push_str(" client=");
            push_client(out, e.client);
            out.push('\n');
        }
        LogFormat::Json => {
            out.push_str(r#"{"timestamp":""#);
            push_timestamp(out, at);
            out.push_str(r#"","level":"INFO","message":"request","method":"#);
            out.push_str(&json_string(e.method));
            out.push_str(r#","path":"#);
            out.push_str(&json_string(e.path));
            out.push_str(r#","status":"#);
            push_number(out, u64::from(e.status));
            out.push_str(r#","ms":"#);
            push_millis(out, e.millis);
            out.push_str(r#","client":""#);
            push_client(out, e.client);
            out.push_str("\"}\n");
        }
    }
}

thread_local! {
    /// The second last written and its text up to the seconds (`2026-11-27T01:02:03`):
    /// lines come thousands a second, and only the microseconds change between them.
    static SECOND: RefCell<(i64, String)> = const { RefCell::new((i64::MIN, String::new())) };
}

/// `2026-11-27T01:02:03.456789Z`, as `tracing` writes its own lines' times.
fn push_timestamp(out: &mut String, at: jiff::Timestamp) {
    let second = at.as_second();
    SECOND.with(|cached| {
        let mut cached = cached.borrow_mut();
        if cached.0 != second {
            let whole = jiff::Timestamp::from_second(second).unwrap_or(at);
            let mut text = String::with_capacity(24);
            let _ = write!(text, "{whole:.0}");
            text.truncate(text.trim_end_matches('Z').len());
            *cached = (second, text);
        }
        out.push_str(&cached.1);
    });
    out.push('.');
    let micros = at.subsec_microsecond().unsigned_abs();
    push_padded(out, u64::from(micros), 6);
    out.push('Z');
}

/// Milliseconds with one decimal, as `{:.1}` writes them.
fn push_millis(out: &mut String, millis: f64) {
    let tenths = (millis.max(0.0) * 10.0).round_ties_even();
    // Beyond u64 is beyond any request's time; saturating is fine for a log line.
    let tenths = tenths as u64;
    push_number(out, tenths / 10);
    out.push('.');
    push_number(out, tenths % 10);
}

/// The address as `Display` writes it; IPv4, nearly every client, without `fmt`.
fn push_client(out: &mut String, client: IpAddr) {
    match client {
        IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                push_number(out, u64::from(octet));
            }
        }
        IpAddr::V6(v6) => {
            let _ = write!(out, "{v6}");
        }
    }
}

fn push_number(out: &mut String, n: u64) {
    push_padded(out, n, 1);
}

/// `n` in decimal, with leading zeros up to `width` digits.
fn push_padded(out: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    while n > 0 || digits.len() - at < width {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    // ASCII digits: always UTF-8.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
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
    fn pieces_are_written_as_fmt_writes_them() {
        for (at, micros) in [
            ("2026-11-27T01:02:03Z", "2026-11-27T01:02:03.000000Z"),
            ("2026-11-27T01:02:03.000007Z", "2026-11-27T01:02:03.000007Z"),
            ("2026-11-27T01:02:04.5Z", "2026-11-27T01:02:04.500000Z"),
        ] {
            let mut out = String::new();
            push_timestamp(&mut out, at.parse().unwrap());
            assert_eq!(out, micros);
        }
        for millis in [0.0, 0.04, 0.25, 1.96, 12.34, 1234.5, 99999.94] {
            let mut out = String::new();
            push_millis(&mut out, millis);
            assert_eq!(out, format!("{millis:.1}"), "{millis}");
        }
        for client in [
            "0.0.0.0",
            "10.0.20.255",
            "203.0.113.7",
            "2001:db8::1",
            "::1",
        ] {
            let mut out = String::new();
            push_client(&mut out, client.parse().unwrap());
            assert_eq!(out, client);
        }
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
