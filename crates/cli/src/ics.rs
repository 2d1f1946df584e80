//! `--format ics`: an iCalendar file (RFC 5545) built with the `icalendar` crate, which folds lines
//! at 75 octets, ends them with CRLF and escapes text. One VEVENT per meeting: UID is the meeting
//! id, DTSTART/DTEND are in the meeting's IANA time zone (TZID, with a VTIMEZONE for each zone
//! used) or in UTC when the zone is missing or not an IANA name.

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{DateTime, Datelike, Duration, Offset, TimeZone, Utc};
use icalendar::{CalendarDateTime, Component, EventLike};
use thoughtindustries::Meeting;
use thoughtindustries::MeetingTimeZone;
use thoughtindustries::chrono_tz::{self, Tz};

/// Events collected for one calendar, written by [`Calendar::finish`].
pub struct Calendar<W: Write> {
    calendar: icalendar::Calendar,
    /// The zones used, with the first and last year of the meetings in each.
    zones: BTreeMap<String, (i32, i32)>,
    out: W,
}

impl<W: Write> Calendar<W> {
    /// An empty calendar written to `out`.
    pub fn new(out: W) -> Self {
        let mut calendar = icalendar::Calendar::new();
        calendar.name("Thought Industries meetings");
        Self {
            calendar,
            zones: BTreeMap::new(),
            out,
        }
    }

    /// Adds a meeting's event.
    pub fn add(&mut self, meeting: &Meeting) {
        let zone = meeting.tz();
        let at = |time: DateTime<Utc>| match zone {
            Some(tz) => CalendarDateTime::WithTimezone {
                date_time: time.with_timezone(&tz).naive_local(),
                tzid: tz.name().to_owned(),
            },
            None => CalendarDateTime::Utc(time),
        };
        if let Some(tz) = zone {
            let (first, last) = (meeting.start_date.year(), meeting.end_date.year());
            let span = self
                .zones
                .entry(tz.name().to_owned())
                .or_insert((first, last));
            *span = (span.0.min(first), span.1.max(last));
        }
        let summary = meeting
            .title
            .clone()
            .filter(|t| !t.trim().is_empty())
            .or_else(|| meeting.course.title.clone())
            .unwrap_or_else(|| "Meeting".into());
        let mut event = icalendar::Event::new();
        event
            .uid(&meeting.id.to_string())
            .summary(&summary)
            .starts(at(meeting.start_date))
            .ends(at(meeting.end_date));
        let place = crate::output::place(meeting);
        if place != "-" {
            event.location(&place);
        }
        if let Some(url) = meeting.join_url.as_deref().filter(|u| !u.is_empty()) {
            event.url(url);
        }
        let description = description(meeting);
        if !description.is_empty() {
            event.description(&description);
        }
        self.calendar.push(event.done());
    }

    /// Writes the calendar: a VTIMEZONE per zone used (the crate has no VTIMEZONE component, so
    /// these short ASCII lines are placed before the first event), then the events.
    pub fn finish(mut self) -> std::io::Result<()> {
        let mut zones = String::new();
        for (name, (first, last)) in &self.zones {
            if let Ok(tz) = name.parse::<Tz>() {
                zones.push_str(&vtimezone(tz, *first - 1, *last + 1));
            }
        }
        let text = self.calendar.done().to_string();
        let at = text
            .find("BEGIN:VEVENT\r\n")
            .or_else(|| text.find("END:VCALENDAR"))
            .unwrap_or(text.len());
        self.out.write_all(&text.as_bytes()[..at])?;
        self.out.write_all(zones.as_bytes())?;
        self.out.write_all(&text.as_bytes()[at..])?;
        self.out.flush()
    }
}

/// The attendee information, the course, instructors, the attendee count and the join URL.
fn description(meeting: &Meeting) -> String {
    let mut lines = Vec::new();
    if let Some(info) = meeting
        .attendee_info
        .as_deref()
        .filter(|i| !i.trim().is_empty())
    {
        lines.push(info.replace("\r\n", "\n").replace('\r', "\n"));
    }
    if let Some(course) = meeting.course.title.as_deref().filter(|t| !t.is_empty()) {
        lines.push(format!("Course: {course}"));
    }
    if let Some(instructors) = meeting.instructors.as_ref().filter(|i| !i.is_empty()) {
        lines.push(format!("Instructors: {}", instructors.join(", ")));
    }
    if let Some(attendees) = &meeting.attendees {
        lines.push(format!("Attendees: {}", attendees.len()));
    }
    if let Some(url) = meeting.join_url.as_deref().filter(|u| !u.is_empty()) {
        lines.push(format!("Join: {url}"));
    }
    lines.join("\n")
}

/// A VTIMEZONE for `tz` from `first` to `last` (years): one observance per offset change found in
/// the tz database, or one STANDARD observance for a zone without changes.
fn vtimezone(tz: Tz, first: i32, last: i32) -> String {
    let mut text = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    let start = Utc.with_ymd_and_hms(first, 1, 1, 0, 0, 0).single();
    let end = Utc.with_ymd_and_hms(last + 1, 1, 1, 0, 0, 0).single();
    if let (Some(start), Some(end)) = (start, end) {
        let offset = |t: DateTime<Utc>| t.with_timezone(&tz).offset().fix().local_minus_utc();
        let (mut at, mut before, mut changes) = (start, offset(start), 0);
        while at < end {
            let next = at + Duration::minutes(15);
            let after = offset(next);
            if after != before {
                text.push_str(&observance(tz, next, before, after));
                changes += 1;
                before = after;
            }
            at = next;
        }
        if changes == 0 {
            text.push_str(&observance(tz, start, before, before));
        }
    }
    text.push_str("END:VTIMEZONE\r\n");
    text
}

/// A STANDARD or DAYLIGHT observance starting at `at` (written in the local time before it).
fn observance(tz: Tz, at: DateTime<Utc>, from: i32, to: i32) -> String {
    use chrono_tz::OffsetComponents;
    let daylight = tz.offset_from_utc_datetime(&at.naive_utc()).dst_offset() != Duration::zero();
    let kind = if daylight { "DAYLIGHT" } else { "STANDARD" };
    let local = (at + Duration::seconds(i64::from(from))).naive_utc();
    let name = at.with_timezone(&tz).format("%Z").to_string();
    let name = if name.starts_with(['+', '-']) {
        String::new()
    } else {
        format!("TZNAME:{name}\r\n")
    };
    format!(
        "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n{name}END:{kind}\r\n",
        local.format("%Y%m%dT%H%M%S"),
        utc_offset(from),
        utc_offset(to)
    )
}

/// `+0200`, `-0530` as RFC 5545 writes UTC offsets.
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}
