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
        if let Some(instant) = rfc3339(ts) {
            return BuildTime {
                date: instant[..10].to_string(),
                instant,
                second: ts.as_second(),
            };
        }
        let zoned = ts.to_zoned(TimeZone::UTC);
        BuildTime {
            instant: zoned.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            date: zoned.date().to_string(),
            second: ts.as_second(),
        }
    }
}

/// RFC 3339 in UTC, seconds precision, as strftime's `%Y-%m-%dT%H:%M:%SZ`
/// writes it, with the digits put in place: strftime reads its format on
/// every call, ~2,000 instructions, and a build's lock writes up to three
/// dates a PID. `None` for a year before 0, which strftime writes with a
/// sign and a date with six digits.
fn rfc3339(ts: Timestamp) -> Option<String> {
    let t = jiff::tz::Offset::UTC.to_datetime(ts);
    let year = u16::try_from(t.year()).ok()?;
    let mut text = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, digits: usize, mut value: u16| {
        for i in (at..at + digits).rev() {
            text[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, t.month() as u16);
    put(8, 2, t.day() as u16);
    put(11, 2, t.hour() as u16);
    put(14, 2, t.minute() as u16);
    put(17, 2, t.second() as u16);
    Some(text.iter().map(|&b| b as char).collect())
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
    fn dates_are_written_as_strftime_writes_them() {
        let first = Timestamp::MIN.as_second();
        let last = Timestamp::MAX.as_second();
        // Every 97,003,337 seconds (three years and a little, so that every
        // field takes many values) from the first second jiff knows to the
        // last, and the edges of a day, a leap day and the epoch.
        let steps = (first..=last).step_by(97_003_337);
        let edges = [
            0,
            -1,
            1,
            86_399,
            951_782_400,
            951_868_799,
            4_107_542_399,
            last,
        ];
        for second in steps.chain(edges) {
            let ts = Timestamp::from_second(second).unwrap();
            let zoned = ts.to_zoned(TimeZone::UTC);
            let t = BuildTime::at(ts);
            assert_eq!(t.instant, zoned.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
            assert_eq!(t.date, zoned.date().to_string(), "{second}");
        }
    }

    #[test]
    fn reads_source_date_epoch_values() {
        let t = BuildTime::from_source_date_epoch(" 1764072000\n").unwrap();
        assert_eq!(t.instant, "2025-11-25T12:00:00Z");
        assert_eq!(BuildTime::from_source_date_epoch("yesterday"), None);
        assert_eq!(BuildTime::from_source_date_epoch(""), None);
    }
}
