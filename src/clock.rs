//! The build's date and time, for `lastmod`, feeds and Change Discovery.
//! `SOURCE_DATE_EPOCH` (reproducible-builds.org) fixes it, so that two
//! builds of the same inputs are byte-identical and tests are stable: the
//! binary reads the variable ([`BuildTime::from_source_date_epoch`]) and
//! hands the time to the library, which never reads the environment.

use jiff::{tz::TimeZone, Timestamp};

/// When this build happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildTime {
    /// RFC 3339 in UTC, seconds precision: `2026-11-25T12:00:00Z`.
    pub instant: String,
    /// The UTC date: `2026-11-25`.
    pub date: String,
    /// Seconds since the Unix epoch, as `pidsite.lock` keeps dates.
    pub second: i64,
}

impl BuildTime {
    /// Now, by the system clock.
    pub fn now() -> Self {
        Self::at(Timestamp::now())
    }

    /// The time a value of `SOURCE_DATE_EPOCH` gives (seconds since the
    /// Unix epoch); `None` when it is not such a number.
    pub fn from_source_date_epoch(value: &str) -> Option<Self> {
        let second = value.trim().parse::<i64>().ok()?;
        Timestamp::from_second(second).ok().map(Self::at)
    }

    /// At a number of seconds since the Unix epoch (out of range: the epoch).
    pub fn at_second(second: i64) -> Self {
        Self::at(Timestamp::from_second(second).unwrap_or(Timestamp::UNIX_EPOCH))
    }

    /// At a given instant.
    pub fn at(ts: Timestamp) -> Self {
        let zoned = ts.to_zoned(TimeZone::UTC);
        BuildTime {
            instant: zoned.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            date: zoned.date().to_string(),
            second: ts.as_second(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_utc() {
        let t = BuildTime::at(Timestamp::from_second(1_764_072_000).unwrap());
        assert_eq!(t.instant, "2025-11-25T12:00:00Z");
        assert_eq!(t.date, "2025-11-25");
    }

    #[test]
    fn reads_source_date_epoch_values() {
        let t = BuildTime::from_source_date_epoch(" 1764072000\n").unwrap();
        assert_eq!(t.instant, "2025-11-25T12:00:00Z");
        assert_eq!(BuildTime::from_source_date_epoch("yesterday"), None);
        assert_eq!(BuildTime::from_source_date_epoch(""), None);
    }
}
