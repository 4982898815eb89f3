//! "Publish at": a local date and time as the post form's `publish_at` field holds it
//! (`YYYY-MM-DDTHH:MM`, an HTML `datetime-local`; scripts may add `:SS`), in the site's
//! time zone.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// The form's format, which browsers' `datetime-local` inputs send and show.
const FORMAT: &str = "%Y-%m-%dT%H:%M";
/// The same with seconds, which a `datetime-local` with `step="1"` (or a script) sends.
const WITH_SECONDS: &str = "%Y-%m-%dT%H:%M:%S";

/// Why a typed time is refused; `message` is the key of the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTime {
    #[error("not a date and time like 2026-12-24T09:30")]
    Unreadable,
    #[error("that time has passed: choose a later one, or publish now")]
    Past,
}

impl InvalidTime {
    pub fn message(self) -> super::problems::Message {
        match self {
            Self::Unreadable => "problems.publish_at_unreadable".into(),
            Self::Past => "problems.publish_at_past".into(),
        }
    }
}

/// The time in Unix milliseconds; `None` for an empty field (not scheduled). A time in
/// the past (before `now_ms`) is refused: a scheduled post goes out later, never earlier.
pub fn parse(text: &str, zone: &TimeZone, now_ms: i64) -> Result<Option<i64>, InvalidTime> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let local = DateTime::strptime(FORMAT, text)
        .or_else(|_| DateTime::strptime(WITH_SECONDS, text))
        .map_err(|_| InvalidTime::Unreadable)?;
    let at = local
        .to_zoned(zone.clone())
        .map_err(|_| InvalidTime::Unreadable)?
        .timestamp()
        .as_millisecond();
    if at <= now_ms {
        return Err(InvalidTime::Past);
    }
    Ok(Some(at))
}

/// The form's text for a time, in the site's zone.
pub fn format(millis: i64, zone: &TimeZone) -> String {
    jiff::Timestamp::from_millisecond(millis)
        .map(|ts| ts.to_zoned(zone.clone()).strftime(FORMAT).to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_time_is_read_in_the_sites_zone_and_written_back_the_same() {
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        let at = parse("2030-01-02T09:30", &seoul, 0).unwrap().unwrap();
        // 09:30 in Seoul (UTC+9) is 00:30 UTC.
        assert_eq!(
            jiff::Timestamp::from_millisecond(at).unwrap().to_string(),
            "2030-01-02T00:30:00Z"
        );
        assert_eq!(format(at, &seoul), "2030-01-02T09:30");
        assert_eq!(
            parse("2030-01-02T09:30:59", &seoul, 0).unwrap(),
            Some(at + 59_000),
            "seconds are kept when given"
        );
    }

    #[test]
    fn empty_is_unscheduled_and_past_or_garbage_is_refused() {
        let utc = TimeZone::UTC;
        assert_eq!(parse("  ", &utc, 0), Ok(None));
        assert_eq!(parse("tomorrow", &utc, 0), Err(InvalidTime::Unreadable));
        assert_eq!(
            parse("2030-13-40T25:00", &utc, 0),
            Err(InvalidTime::Unreadable)
        );
        let now = parse("2030-01-02T09:30", &utc, 0).unwrap().unwrap();
        assert_eq!(parse("2030-01-02T09:30", &utc, now), Err(InvalidTime::Past));
        assert_eq!(parse("2001-01-01T00:00", &utc, now), Err(InvalidTime::Past));
    }
}
