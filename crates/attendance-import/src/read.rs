//! Reading a report: bytes to text, text to tables, tables to people.

use std::io::Read;

use crate::detect::{self, Columns, Header, Table};
use crate::error::ReadError;
use crate::report::{Report, ReportKind};
use crate::{generic, meet, teams, zoom};

/// A table of the report: its header and its data rows (trimmed cells).
#[derive(Clone, Debug)]
pub(crate) struct Rows {
    pub(crate) table: Table,
    pub(crate) columns: Columns,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Rows {
    /// The cell of `row` in `column` (empty when the column or the cell is missing).
    pub(crate) fn cell(row: &[String], column: Option<usize>) -> &str {
        column
            .and_then(|c| row.get(c))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Every cell of a column, for telling its timestamp format.
    pub(crate) fn column(&self, column: Option<usize>) -> impl Iterator<Item = &str> + Clone {
        self.rows.iter().map(move |row| Self::cell(row, column))
    }
}

/// Reads a report from `reader` (a file, stdin, a byte slice).
///
/// The kind is told from the header lines: Zoom participants (per join, with or without the
/// meeting-data preamble, or unique users), Teams attendance reports (UTF-16 or UTF-8, with or
/// without a BOM, tab- or comma-separated, sectioned or plain, or the older event list), Google
/// Meet, or any CSV with an email column. Errors: [`ReadError::Io`] when the reader fails,
/// [`ReadError::Unrecognized`] (listing the header sets looked for) when the text is none of
/// these.
///
/// ```
/// use thoughtindustries_attendance_import::{ReportKind, read_report};
///
/// let csv = "\
/// Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)
/// Ada Lovelace,ada@example.com,05/14/2024 09:00:00 AM,05/14/2024 09:20:00 AM,20
/// Ada Lovelace,ADA@example.com ,05/14/2024 09:30:00 AM,05/14/2024 09:50:00 AM,20
/// Dial-in,,05/14/2024 09:00:00 AM,05/14/2024 09:05:00 AM,5
/// ";
/// let report = read_report(csv.as_bytes())?;
/// assert_eq!(report.kind, ReportKind::ZoomJoins);
/// assert_eq!(report.people[0].email(), Some("ada@example.com"));
/// assert_eq!(report.people[0].minutes, Some(40.0)); // a rejoin adds up
/// assert_eq!(report.people[1].email(), None); // a guest without an email
/// # Ok::<(), thoughtindustries_attendance_import::ReadError>(())
/// ```
pub fn read_report(mut reader: impl Read) -> Result<Report, ReadError> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    parse_report(&bytes)
}

/// Reads a report from its bytes; see [`read_report`].
pub fn parse_report(bytes: &[u8]) -> Result<Report, ReadError> {
    let (text, _) = crate::text::decode(bytes);
    let tables = tables(&text);
    let of = |table: Table| tables.iter().filter(move |t| t.table == table);
    let any = |table: Table| of(table).next().is_some();
    let (kind, people) = if any(Table::TeamsParticipants) || any(Table::TeamsActivities) {
        let participants: Vec<&Rows> = of(Table::TeamsParticipants).collect();
        let activities: Vec<&Rows> = of(Table::TeamsActivities).collect();
        (ReportKind::Teams, teams::people(&participants, &activities))
    } else if any(Table::TeamsEvents) {
        (
            ReportKind::TeamsEvents,
            teams::event_people(&of(Table::TeamsEvents).collect::<Vec<_>>()),
        )
    } else if any(Table::ZoomJoins) {
        (
            ReportKind::ZoomJoins,
            zoom::join_people(&of(Table::ZoomJoins).collect::<Vec<_>>()),
        )
    } else if any(Table::ZoomUnique) {
        (
            ReportKind::ZoomUniqueUsers,
            zoom::unique_people(&of(Table::ZoomUnique).collect::<Vec<_>>()),
        )
    } else if any(Table::Meet) {
        (
            ReportKind::GoogleMeet,
            meet::people(&of(Table::Meet).collect::<Vec<_>>()),
        )
    } else if let Some(table) = of(Table::Generic).next() {
        (ReportKind::Generic, generic::people(table))
    } else {
        return Err(ReadError::Unrecognized {
            looked_for: detect::LOOKED_FOR.iter().map(|s| (*s).to_owned()).collect(),
            first_line: text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(|l| l.chars().take(120).collect()),
        });
    };
    let rows = tables
        .iter()
        .filter(|t| match kind {
            ReportKind::Teams => {
                matches!(t.table, Table::TeamsParticipants | Table::TeamsActivities)
            }
            _ => t.table != Table::ZoomMeeting,
        })
        .map(|t| t.rows.len())
        .max()
        .unwrap_or(0);
    Ok(Report { kind, people, rows })
}

/// The tables of the text: a recognised header starts one, which takes the following rows until
/// the next header or section title. Rows of the Zoom preamble and of the Teams summary, empty
/// lines and all-delimiter lines belong to no table.
fn tables(text: &str) -> Vec<Rows> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(detect::delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut tables: Vec<Rows> = Vec::new();
    let mut current: Option<Rows> = None;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            // A malformed line (an unbalanced quote) is skipped, not fatal.
            Err(_) => continue,
        }
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if let Some(Header { table, columns }) = detect::classify(&cells) {
            tables.extend(current.take());
            current = Some(Rows {
                table,
                columns,
                rows: Vec::new(),
            });
        } else if detect::is_section_title(&cells) {
            tables.extend(current.take());
        } else if let Some(table) = &mut current {
            table.rows.push(cells);
        }
    }
    tables.extend(current);
    tables
}
