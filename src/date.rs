//! Calendar dates and "today", in one place for everything that compares dates: waiver expiry,
//! and the rules that read sign-in and subscription dates.
//!
//! "Today" is the local date (the system time zone: `TZ`, else `/etc/localtime`, else UTC), or
//! the date in `SKULD_TODAY` when it is set (tests, and "what will fail on that day?"). The time
//! zone is read by `jiff`: a date after 22:00 UTC is already tomorrow in Sydney, and the standard
//! library cannot say which zone the machine is in.

use std::fmt;

/// A proleptic Gregorian date. Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(jiff::civil::Date);

/// The variable that fixes "today" (for tests, and to ask "what will fail on that day?").
pub const TODAY_VAR: &str = "SKULD_TODAY";

impl Date {
    /// Parses exactly `YYYY-MM-DD`, a real day of a real month (not jiff's wider ISO 8601
    /// grammar: `20270131` or `+002027-01-31` in a waiver is a typo, not a date).
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<i16> {
            let s = text.get(r)?;
            s.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| s.parse().ok())?
        };
        let year = digits(0..4)?;
        let month = i8::try_from(digits(5..7)?).ok()?;
        let day = i8::try_from(digits(8..10)?).ok()?;
        jiff::civil::Date::new(year, month, day).ok().map(Date)
    }

    /// Today: the date in `SKULD_TODAY` when set, else the local date. `Err` holds a
    /// `SKULD_TODAY` that is not a date.
    pub fn today() -> Result<Date, String> {
        Date::today_at(
            std::env::var(TODAY_VAR).ok().as_deref(),
            jiff::Timestamp::now(),
            &jiff::tz::TimeZone::system(),
        )
    }

    /// The local date, whatever `SKULD_TODAY` says.
    pub fn local_today() -> Date {
        Date(
            jiff::tz::TimeZone::system()
                .to_datetime(jiff::Timestamp::now())
                .date(),
        )
    }

    /// [`Date::today`] with the variable's value, the clock and the time zone given.
    fn today_at(
        var: Option<&str>,
        now: jiff::Timestamp,
        zone: &jiff::tz::TimeZone,
    ) -> Result<Date, String> {
        match var.map(str::trim) {
            Some(v) if !v.is_empty() => Date::parse(v).ok_or_else(|| v.to_owned()),
            _ => Ok(Date(zone.to_datetime(now).date())),
        }
    }

    /// Whole days from `earlier` to this date (negative when `earlier` is later).
    pub fn days_since(self, earlier: Date) -> i64 {
        i64::from(earlier.0.until(self.0).map_or(0, |s| s.get_days()))
    }

    /// The date `days` days after this one (the last representable date when that is past it).
    pub fn plus_days(self, days: u32) -> Date {
        Date(
            self.0
                .checked_add(jiff::Span::new().days(i64::from(days)))
                .unwrap_or(jiff::civil::Date::MAX),
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap_or_else(|| panic!("{s} is a date"))
    }

    #[test]
    fn parses_real_days_only() {
        assert_eq!(date("2024-02-29").to_string(), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2027-13-01",
            "2027-1-01",
            "27-01-01",
            "2027-01-00",
            "2027/01/31",
            "+027-01-01",
            "20270131",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(date("2027-01-31") < date("2027-02-01"));
    }

    #[test]
    fn days_are_added_and_counted_across_months_and_years() {
        let d = date("2026-12-03");
        assert_eq!(d.plus_days(365).to_string(), "2027-12-03");
        assert_eq!(d.plus_days(29).to_string(), "2027-01-01");
        assert_eq!(date("2024-02-28").plus_days(1).to_string(), "2024-02-29");
        assert_eq!(date("2027-01-01").days_since(d), 29);
        assert_eq!(d.days_since(date("2027-01-01")), -29);
        assert_eq!(date("2025-03-01").days_since(date("2024-03-01")), 365);
        assert_eq!(date("9999-12-31").plus_days(10).to_string(), "9999-12-31");
    }

    #[test]
    fn skuld_today_wins_over_the_clock_and_a_bad_one_is_refused() {
        let now = jiff::Timestamp::UNIX_EPOCH;
        let utc = jiff::tz::TimeZone::UTC;
        assert_eq!(
            Date::today_at(Some(" 2027-01-31 "), now, &utc),
            Ok(date("2027-01-31"))
        );
        assert_eq!(
            Date::today_at(Some("31.01.2027"), now, &utc),
            Err("31.01.2027".to_owned())
        );
        for var in [None, Some(""), Some("  ")] {
            assert_eq!(Date::today_at(var, now, &utc), Ok(date("1970-01-01")));
        }
    }

    #[test]
    fn today_is_the_local_date_not_the_utc_one() {
        let late = jiff::Timestamp::from_second(1_796_684_400).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(late.to_string(), "2026-12-07T23:00:00Z");
        let zone = |hours| jiff::tz::TimeZone::fixed(jiff::tz::offset(hours));
        let today = |hours| Date::today_at(None, late, &zone(hours)).map(|d| d.to_string());
        assert_eq!(today(0), Ok("2026-12-07".to_owned()));
        assert_eq!(
            today(2),
            Ok("2026-12-08".to_owned()),
            "Helsinki is past midnight"
        );
        assert_eq!(today(-8), Ok("2026-12-07".to_owned()));
        let early = jiff::Timestamp::from_second(1_796_608_800).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(early.to_string(), "2026-12-07T02:00:00Z");
        assert_eq!(
            Date::today_at(None, early, &zone(-8)).map(|d| d.to_string()),
            Ok("2026-12-06".to_owned()),
            "Seattle is still on the day before"
        );
    }
}
