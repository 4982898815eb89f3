//! Times as other tools write them: RFC 3339 with an offset (Django with `USE_TZ`, our
//! export), a date and time without one (Django without `USE_TZ`, hand-written front
//! matter), or a bare date; the last two are read in the site's time zone.

use anyhow::Context;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Unix milliseconds, as every time column stores them.
pub fn parse(text: &str, zone: &TimeZone) -> anyhow::Result<i64> {
    let text = text.trim();
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at.as_millisecond());
    }
    let local = match text.parse::<DateTime>() {
        Ok(at) => at,
        Err(_) => text
            .parse::<Date>()
            .map(|day| day.to_datetime(jiff::civil::Time::midnight()))
            .ok()
            .with_context(|| {
                format!("{text:?} is not a date: write it like 2026-03-01T10:15:30Z or 2026-03-01")
            })?,
    };
    Ok(local
        .to_zoned(zone.clone())
        .with_context(|| format!("{text:?} does not exist in the time zone"))?
        .timestamp()
        .as_millisecond())
}

/// RFC 3339 in UTC, with as many fractional digits as the time has, so a stored time
/// comes back exactly.
pub fn rfc3339(millis: i64) -> String {
    Timestamp::from_millisecond(millis)
        .map(|at| at.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> i64 {
        parse(text, &TimeZone::UTC).unwrap()
    }

    #[test]
    fn reads_what_django_dumpdata_writes() {
        let at = utc("2026-03-01T10:15:30.123Z");
        assert_eq!(rfc3339(at), "2026-03-01T10:15:30.123Z");
        assert_eq!(utc("2026-03-01T19:15:30.123+09:00"), at);
        // USE_TZ = False: no offset, so the site's zone says when it was.
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        assert_eq!(
            parse("2026-03-01T19:15:30.123", &seoul).unwrap(),
            at,
            "naive times are in the site's zone"
        );
    }

    #[test]
    fn reads_what_people_write_in_front_matter() {
        assert_eq!(utc("2026-03-01"), utc("2026-03-01T00:00:00Z"));
        assert_eq!(utc("2026-03-01 10:15:30"), utc("2026-03-01T10:15:30Z"));
        assert!(parse("last tuesday", &TimeZone::UTC).is_err());
    }

    #[test]
    fn round_trips_every_millisecond() {
        for millis in [0, 1_772_360_130_123, 1_772_360_130_000] {
            assert_eq!(utc(&rfc3339(millis)), millis);
        }
    }
}
