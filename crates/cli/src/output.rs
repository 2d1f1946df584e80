//! Writing meetings as a table, JSON, NDJSON or CSV, one meeting at a time (nothing is buffered
//! beyond the current row, so listing a large tenant uses constant memory).

use std::io::Write;

use chrono::{DateTime, Utc};
use clap::ValueEnum;
use thoughtindustries::{Meeting, RawMeeting};

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
}

/// The formats written without the csv crate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// Aligned columns.
    Table,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Ndjson,
}

/// Writes meetings in one format.
pub enum MeetingWriter<W: Write> {
    /// Table, JSON or NDJSON, written directly.
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
}

const TABLE_COLUMNS: [(&str, usize); 6] = [
    ("START", 26),
    ("END", 26),
    ("TITLE", 40),
    ("COURSE", 30),
    ("WHERE", 40),
    ("ATTENDEES", 9),
];

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
    /// Starts the output (the table header, `[`, the CSV header).
    pub fn new(format: Format, mut out: W) -> std::io::Result<Self> {
        let format = match format {
            Format::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(CSV_HEADER)?;
                return Ok(Self::Csv(Box::new(writer)));
            }
            Format::Table => {
                let header: Vec<String> = TABLE_COLUMNS
                    .iter()
                    .map(|(name, width)| pad(name, *width))
                    .collect();
                writeln!(out, "{}", header.join("  ").trim_end())?;
                TextFormat::Table
            }
            Format::Json => {
                out.write_all(b"[")?;
                TextFormat::Json
            }
            Format::Ndjson => TextFormat::Ndjson,
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
            Self::Text {
                format,
                out,
                written,
            } => {
                match format {
                    TextFormat::Table => {
                        let cells: Vec<String> = table_row(meeting)
                            .iter()
                            .zip(TABLE_COLUMNS)
                            .map(|(cell, (_, width))| pad(cell, width))
                            .collect();
                        writeln!(out, "{}", cells.join("  ").trim_end())?;
                    }
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

    /// Ends the output (`]` for JSON) and flushes it.
    pub fn finish(self) -> std::io::Result<()> {
        match self {
            Self::Csv(mut writer) => writer.flush(),
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

fn table_row(meeting: &Meeting) -> [String; 6] {
    let zone = meeting.time_zone.as_deref();
    [
        local_time(meeting.start_date, zone),
        local_time(meeting.end_date, zone),
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
fn local_time(at: DateTime<Utc>, zone: Option<&str>) -> String {
    match zone.and_then(|z| z.parse::<chrono_tz::Tz>().ok()) {
        Some(tz) => at
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string(),
        None => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// The location (`name, city`) or the join URL.
fn place(meeting: &Meeting) -> String {
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

/// `text` cut or padded to `width` characters.
fn pad(text: &str, width: usize) -> String {
    let text = text.replace(['\n', '\r', '\t'], " ");
    let count = text.chars().count();
    if count > width {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}…")
    } else {
        format!("{text}{}", " ".repeat(width - count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_uses_the_meeting_zone_or_utc() {
        let at = "2024-07-01T07:00:00Z".parse().unwrap();
        assert_eq!(
            local_time(at, Some("Europe/Berlin")),
            "2024-07-01 09:00 CEST"
        );
        assert_eq!(local_time(at, Some("Mars/Olympus")), "2024-07-01 07:00 UTC");
        assert_eq!(local_time(at, None), "2024-07-01 07:00 UTC");
    }

    #[test]
    fn pad_cuts_and_pads_by_characters() {
        assert_eq!(pad("Grüße", 7), "Grüße  ");
        assert_eq!(pad("abcdefgh", 4), "abc…");
    }
}
