//! Meeting times in the meeting's own time zone (feature `tz`).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::Meeting;

/// A meeting's start and end in its own time zone, with the tz database of [`chrono_tz`]
/// (feature `tz`, not on by default: it adds the database to the build).
///
/// The zone is the meeting's `timeZone`, an IANA name like `Europe/Berlin`. When it is missing or
/// not an IANA name the methods return `None`; [`local_start_or_utc`](Self::local_start_or_utc)
/// and [`local_end_or_utc`](Self::local_end_or_utc) then fall back to UTC (as `ti` shows them).
///
/// ```
/// use thoughtindustries::{Meeting, MeetingTimeZone};
///
/// let meeting: Meeting = serde_json::from_str(r#"{"id":"0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11",
///     "courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f","course":{},"timeZone":"Europe/Berlin",
///     "startDate":"2024-05-01T09:00:00Z","endDate":"2024-05-01T10:00:00Z"}"#).unwrap();
/// assert_eq!(meeting.tz(), Some(thoughtindustries::chrono_tz::Europe::Berlin));
/// let start = meeting.local_start().unwrap();
/// assert_eq!(start.format("%H:%M %Z").to_string(), "11:00 CEST");
/// ```
pub trait MeetingTimeZone {
    /// The meeting's `timeZone` as a tz database zone; `None` when missing or not an IANA name.
    fn tz(&self) -> Option<Tz>;

    /// The start in the meeting's time zone; `None` when the zone is missing or unknown.
    fn local_start(&self) -> Option<DateTime<Tz>>;

    /// The end in the meeting's time zone; `None` when the zone is missing or unknown.
    fn local_end(&self) -> Option<DateTime<Tz>>;

    /// The start in the meeting's time zone, else in UTC ([`Tz::UTC`]).
    fn local_start_or_utc(&self) -> DateTime<Tz>;

    /// The end in the meeting's time zone, else in UTC ([`Tz::UTC`]).
    fn local_end_or_utc(&self) -> DateTime<Tz>;
}

/// `at` in the IANA zone `zone`, when it is one.
pub fn in_zone(at: DateTime<Utc>, zone: Option<&str>) -> Option<DateTime<Tz>> {
    zone.and_then(|z| z.parse::<Tz>().ok())
        .map(|tz| at.with_timezone(&tz))
}

impl MeetingTimeZone for Meeting {
    fn tz(&self) -> Option<Tz> {
        self.time_zone.as_deref().and_then(|z| z.parse().ok())
    }

    fn local_start(&self) -> Option<DateTime<Tz>> {
        in_zone(self.start_date, self.time_zone.as_deref())
    }

    fn local_end(&self) -> Option<DateTime<Tz>> {
        in_zone(self.end_date, self.time_zone.as_deref())
    }

    fn local_start_or_utc(&self) -> DateTime<Tz> {
        self.local_start()
            .unwrap_or_else(|| self.start_date.with_timezone(&Tz::UTC))
    }

    fn local_end_or_utc(&self) -> DateTime<Tz> {
        self.local_end()
            .unwrap_or_else(|| self.end_date.with_timezone(&Tz::UTC))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_zone_is_none_and_falls_back_to_utc() {
        let at: DateTime<Utc> = "2024-01-15T09:00:00Z".parse().unwrap();
        assert_eq!(in_zone(at, Some("Mars/Olympus")), None);
        assert_eq!(in_zone(at, None), None);
        let berlin = in_zone(at, Some("Europe/Berlin")).unwrap();
        assert_eq!(berlin.format("%H:%M %Z").to_string(), "10:00 CET");
    }
}
