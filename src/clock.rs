//! The build's date and time, for `lastmod`, feeds and Change Discovery.
//! `SOURCE_DATE_EPOCH` (reproducible-builds.org) fixes it, so that two
//! builds of the same inputs are byte-identical and tests are stable.

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
    /// Now, or `SOURCE_DATE_EPOCH` when it is set to a valid number.
    pub fn now() -> Self {
        let fixed = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .and_then(|s| Timestamp::from_second(s).ok());
        Self::at(fixed.unwrap_or_else(Timestamp::now))
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
}
