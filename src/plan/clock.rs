//! Clock times of a shift: the offsets a plan counts in (seconds from the
//! shift's start) as the times a driver reads, in the shift's own UTC
//! offset, and as UTC timestamps for GPX.

use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Utc};

/// The shift's start, with its UTC offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShiftClock {
    start: DateTime<FixedOffset>,
}

impl ShiftClock {
    /// From a plan's `shift_start` (RFC 3339 with offset, as the scenario's
    /// `shift.start` is written); `None` if it is not one.
    pub fn parse(rfc3339: &str) -> Option<ShiftClock> {
        DateTime::parse_from_rfc3339(rfc3339.trim())
            .ok()
            .map(|start| ShiftClock { start })
    }

    fn at(&self, t_s: f64) -> DateTime<FixedOffset> {
        let ms = if t_s.is_finite() {
            (t_s * 1000.0).round() as i64
        } else {
            0
        };
        self.start + Duration::milliseconds(ms)
    }

    /// `03:02`: the local time `t_s` seconds into the shift (minutes
    /// rounded down, as a clock shows them).
    pub fn hm(&self, t_s: f64) -> String {
        self.at(t_s).format("%H:%M").to_string()
    }

    /// `03:02:07`.
    pub fn hms(&self, t_s: f64) -> String {
        self.at(t_s).format("%H:%M:%S").to_string()
    }

    /// `Tue 12 May 2026, 00:00 (UTC+03:00)`: the shift's start for a heading.
    pub fn heading(&self) -> String {
        format!(
            "{} (UTC{})",
            self.start.format("%a %-d %b %Y, %H:%M"),
            self.start.format("%:z")
        )
    }

    /// `2026-05-11T21:02:07Z`: the UTC timestamp GPX wants.
    pub fn utc(&self, t_s: f64) -> String {
        self.at(t_s)
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

#[cfg(test)]
mod tests {
    use super::ShiftClock;

    #[test]
    fn offsets_become_local_clock_times_and_utc() {
        let c = ShiftClock::parse("2026-12-01T22:30:00+01:00").unwrap();
        assert_eq!(c.hm(0.0), "22:30");
        assert_eq!(c.hm(32.0 * 60.0 + 59.0), "23:02");
        assert_eq!(c.hms(2.0 * 3600.0 + 7.4), "00:30:07");
        assert_eq!(c.utc(0.0), "2026-12-01T21:30:00Z");
        assert_eq!(c.utc(9000.0), "2026-12-02T00:00:00Z");
        assert_eq!(c.heading(), "Tue 1 Dec 2026, 22:30 (UTC+01:00)");
        assert!(ShiftClock::parse("tonight").is_none());
    }
}
