//! Writing meetings as a table, JSON, NDJSON or CSV, one meeting at a time (nothing is buffered
//! beyond the current row, so listing a large tenant uses constant memory).

use std::io::Write;

use chrono::{DateTime, Utc};
use clap::ValueEnum;
use thoughtindustries::chrono_tz::Tz;
use thoughtindustries::{Meeting, MeetingTimeZone, RawMeeting};

/// Output formats of `ti meetings list`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people: start and end in the meeting's time zone, title, course,
    /// location or join URL, attendee count.
    Table,
    /// One JSON array of meeting objects, each exactly as the API sent it.
    Json,
    /// One meeting object per line, each exactly as the API sent it (line breaks between its
    /// tokens, if the API sent any, are dropped so that it stays on one line).
    Ndjson,
    /// A header and one row per meeting.
    Csv,
    /// An iCalendar file (RFC 5545): one event per meeting, in the meeting's time zone.
    Ics,
}

/// The formats written as each meeting's JSON text.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Ndjson,
}

/// Writes meetings in one format.
pub enum MeetingWriter<W: Write> {
    /// JSON or NDJSON, written directly.
    Text {
        /// The format.
        format: TextFormat,
        /// Where to write.
        out: W,
        /// Meetings written so far.
        written: u64,
    },
    /// CSV, through the csv crate's quoting.
    Csv(Box<csv::Writer<W>>),
    /// An iCalendar file, written when every event is known.
    Ics(Box<crate::ics::Calendar<W>>),
    /// A table, laid out when every row is known (its columns fit the widest cells).
    Table {
        /// The rows so far.
        table: Box<comfy_table::Table>,
        /// Where to write.
        out: W,
    },
}

const TABLE_HEADER: [&str; 6] = ["START", "END", "TITLE", "COURSE", "WHERE", "ATTENDEES"];

const CSV_HEADER: [&str; 11] = [
    "id",
    "title",
    "course_id",
    "course_title",
    "start_date",
    "end_date",
    "time_zone",
    "location",
    "join_url",
    "instructors",
    "attendees",
];

impl<W: Write> MeetingWriter<W> {
    /// Starts the output (`[`, the CSV header). A table fits `width` columns when given (long
    /// cells wrap), and is as wide as its cells otherwise.
    pub fn new(format: Format, mut out: W, width: Option<u16>) -> std::io::Result<Self> {
        let format = match format {
            Format::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(CSV_HEADER)?;
                return Ok(Self::Csv(Box::new(writer)));
            }
            Format::Table => {
                return Ok(Self::Table {
                    table: Box::new(new_table(width)),
                    out,
                });
            }
            Format::Json => {
                out.write_all(b"[")?;
                TextFormat::Json
            }
            Format::Ndjson => TextFormat::Ndjson,
            Format::Ics => return Ok(Self::Ics(Box::new(crate::ics::Calendar::new(out)))),
        };
        Ok(Self::Text {
            format,
            out,
            written: 0,
        })
    }

    /// Writes one meeting: its JSON text as received for JSON and NDJSON, its typed fields
    /// otherwise.
    pub fn write(&mut self, record: &RawMeeting) -> std::io::Result<()> {
        let meeting = &record.meeting;
        match self {
            Self::Csv(writer) => writer.write_record(csv_row(meeting))?,
            Self::Ics(calendar) => calendar.add(meeting),
            Self::Table { table, .. } => {
                let mut row = comfy_table::Row::from(
                    table_row(meeting).map(|cell| cell.replace(['\n', '\r', '\t'], " ")),
                );
                row.max_height(2);
                table.add_row(row);
            }
            Self::Text {
                format,
                out,
                written,
            } => {
                match format {
                    TextFormat::Json => {
                        out.write_all(if *written == 0 { b"\n" } else { b",\n" })?;
                        out.write_all(record.raw.get().as_bytes())?;
                    }
                    TextFormat::Ndjson => {
                        write_one_line(out, record.raw.get())?;
                        out.write_all(b"\n")?;
                    }
                }
                *written += 1;
            }
        }
        Ok(())
    }

    /// Writes what is buffered (at the end of each page).
    pub fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Self::Csv(writer) => writer.flush(),
            Self::Text { out, .. } | Self::Table { out, .. } => out.flush(),
            Self::Ics(_) => Ok(()),
        }
    }

    /// Ends the output (the table, `]` for JSON) and flushes it.
    pub fn finish(self) -> std::io::Result<()> {
        match self {
            Self::Csv(mut writer) => writer.flush(),
            Self::Ics(calendar) => calendar.finish(),
            Self::Table { table, mut out } => {
                for line in table.lines() {
                    writeln!(out, "{}", line.trim_end())?;
                }
                out.flush()
            }
            Self::Text {
                format,
                mut out,
                written,
            } => {
                if format == TextFormat::Json {
                    out.write_all(if written == 0 { b"]\n" } else { b"\n]\n" })?;
                }
                out.flush()
            }
        }
    }
}

/// Writes a JSON text on one line. A line break in JSON text can only be whitespace between tokens
/// (inside strings it is escaped), so dropping it changes nothing else.
fn write_one_line(out: &mut impl Write, json: &str) -> std::io::Result<()> {
    if !json.contains(['\n', '\r']) {
        return out.write_all(json.as_bytes());
    }
    for part in json.split(['\n', '\r']) {
        out.write_all(part.as_bytes())?;
    }
    Ok(())
}

/// An empty table: a header, no borders, two spaces between columns; the times and the
/// attendee count never wrap, other cells wrap onto a second line and are cut after it (`…`).
fn new_table(width: Option<u16>) -> comfy_table::Table {
    fitted_table(&TABLE_HEADER, &[0, 1, 5], width)
}

/// An empty table with `header`, no borders and two spaces between columns, fitted to `width`
/// when given (the columns in `fixed` never wrap; other cells wrap onto a second line and are cut
/// after it with `…`), as wide as its cells otherwise.
pub fn fitted_table(header: &[&str], fixed: &[usize], width: Option<u16>) -> comfy_table::Table {
    use comfy_table::{ColumnConstraint, ContentArrangement, presets};
    let mut table = comfy_table::Table::new();
    table
        .load_style(presets::NOTHING)
        .force_no_tty()
        .set_truncation_indicator("…")
        .set_header(header);
    match width {
        Some(width) => table
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(width),
        None => table.set_content_arrangement(ContentArrangement::Disabled),
    };
    for (index, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, 2));
        if fixed.contains(&index) {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    table
}

fn table_row(meeting: &Meeting) -> [String; 6] {
    let zone = meeting.tz();
    [
        local_time(meeting.start_date, zone),
        end_time(meeting.start_date, meeting.end_date, zone),
        meeting.title.clone().unwrap_or_else(|| "(untitled)".into()),
        meeting.course.title.clone().unwrap_or_default(),
        place(meeting),
        meeting
            .attendees
            .as_ref()
            .map_or_else(|| "-".into(), |a| a.len().to_string()),
    ]
}

fn csv_row(meeting: &Meeting) -> [String; 11] {
    [
        meeting.id.to_string(),
        meeting.title.clone().unwrap_or_default(),
        meeting.course_id.to_string(),
        meeting.course.title.clone().unwrap_or_default(),
        meeting.start_date.to_rfc3339(),
        meeting.end_date.to_rfc3339(),
        meeting.time_zone.clone().unwrap_or_default(),
        meeting
            .location
            .as_ref()
            .map(location_text)
            .unwrap_or_default(),
        meeting.join_url.clone().unwrap_or_default(),
        meeting
            .instructors
            .as_ref()
            .map(|i| i.join("; "))
            .unwrap_or_default(),
        meeting
            .attendees
            .as_ref()
            .map(|a| a.len().to_string())
            .unwrap_or_default(),
    ]
}

/// A timestamp in the meeting's IANA time zone (`2024-05-01 09:00 CEST`), or UTC when the zone is
/// missing or unknown.
fn local_time(at: DateTime<Utc>, zone: Option<Tz>) -> String {
    match zone {
        Some(tz) => at
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string(),
        None => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// The end as [`local_time`], only the time of day (`10:30 CEST`) when it is on the start's day.
fn end_time(start: DateTime<Utc>, end: DateTime<Utc>, zone: Option<Tz>) -> String {
    let (start, end) = (local_time(start, zone), local_time(end, zone));
    match (start.split_once(' '), end.split_once(' ')) {
        (Some((start_day, _)), Some((end_day, time))) if start_day == end_day => time.to_owned(),
        _ => end,
    }
}

/// The location (`name, city`) or the join URL.
pub fn place(meeting: &Meeting) -> String {
    if let Some(location) = &meeting.location {
        return location_text(location);
    }
    meeting.join_url.clone().unwrap_or_else(|| "-".into())
}

fn location_text(location: &thoughtindustries::Location) -> String {
    [
        location.name.as_deref(),
        location.room.as_deref(),
        location.city.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_uses_the_meeting_zone_or_utc() {
        let at = "2024-07-01T07:00:00Z".parse().unwrap();
        assert_eq!(
            local_time(at, "Europe/Berlin".parse().ok()),
            "2024-07-01 09:00 CEST"
        );
        assert_eq!(
            local_time(at, "Mars/Olympus".parse().ok()),
            "2024-07-01 07:00 UTC"
        );
        assert_eq!(local_time(at, None), "2024-07-01 07:00 UTC");
    }

    #[test]
    fn end_time_drops_the_day_when_it_is_the_start_day() {
        let (start, end) = (
            "2024-07-01T07:00:00Z".parse().unwrap(),
            "2024-07-01T21:30:00Z",
        );
        let zone = "Europe/Berlin".parse().ok();
        assert_eq!(end_time(start, end.parse().unwrap(), zone), "23:30 CEST");
        let next_day = "2024-07-01T22:30:00Z".parse().unwrap();
        assert_eq!(end_time(start, next_day, zone), "2024-07-02 00:30 CEST");
    }
}
