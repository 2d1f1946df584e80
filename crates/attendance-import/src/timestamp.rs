//! Join and leave times in the notations the platforms use, parsed with chrono.
//!
//! Day-first and month-first dates look alike (`08/09/2020`), so a column is read with the first
//! format that parses every one of its cells: 12-hour US forms first (unambiguous with `AM`/`PM`),
//! then day-first 24-hour forms (Zoom outside the US, Teams `15/11/22, 09:31:11`), then
//! month-first 24-hour and ISO forms.

use chrono::NaiveDateTime;

/// The formats tried, in order. Two-digit years come before four-digit ones (chrono's `%Y`
/// would also read `22` as the year 22).
const FORMATS: &[&str] = &[
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%y, %I:%M:%S %p",
    "%m/%d/%Y, %I:%M:%S %p",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y, %I:%M %p",
    "%m/%d/%Y, %I:%M %p",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%y, %H:%M:%S",
    "%d/%m/%Y, %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y, %H:%M",
    "%d/%m/%Y, %H:%M",
    "%d.%m.%y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%y, %H:%M:%S",
    "%d.%m.%Y, %H:%M:%S",
    "%d-%m-%Y %H:%M:%S",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%y, %H:%M:%S",
    "%m/%d/%Y, %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d, %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%b %d, %Y %I:%M:%S %p",
    "%B %d, %Y %I:%M:%S %p",
    "%b %d, %Y, %I:%M:%S %p",
    "%B %d, %Y, %I:%M:%S %p",
    "%b %d, %Y %H:%M:%S",
    "%d %b %Y %H:%M:%S",
    "%d %B %Y %H:%M:%S",
];

/// One timestamp, with the first format that reads it: `08/28/2020 09:55:04 AM`,
/// `15/11/22, 09:31:11`, `2024-05-14 09:00:00`, ... (the readers choose one format per column,
/// so that an ambiguous `08/09/2020` is read as the rest of its column is).
///
/// ```
/// use thoughtindustries_attendance_import::parse_timestamp;
///
/// let t = parse_timestamp("08/28/2020 01:05:04 PM").unwrap();
/// assert_eq!(t.to_string(), "2020-08-28 13:05:04");
/// assert!(parse_timestamp("tomorrow").is_none());
/// ```
pub fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    let text = clean(text);
    FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(&text, format).ok())
        .or_else(|| {
            chrono::DateTime::parse_from_rfc3339(&text)
                .ok()
                .map(|t| t.naive_local())
        })
}

/// The cell without surrounding spaces, a trailing zone abbreviation or offset (`GMT`, `UTC`,
/// `+01:00`: the report's times share one clock anyway) and with `a.m.`/`p.m.` as `AM`/`PM`.
fn clean(text: &str) -> String {
    let mut text = text.trim().replace(['\u{a0}', '\u{202f}'], " ");
    for (from, to) in [
        ("a.m.", "AM"),
        ("p.m.", "PM"),
        (" am", " AM"),
        (" pm", " PM"),
    ] {
        text = text.replace(from, to);
    }
    for suffix in [" UTC", " GMT", "Z"] {
        if let Some(stripped) = text.strip_suffix(suffix) {
            text = stripped.trim_end().to_owned();
        }
    }
    text
}

/// The format that reads a whole column of timestamps.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Column {
    format: Option<&'static str>,
}

impl Column {
    /// The first format that parses every non-empty cell; `None` when no single one does (each
    /// cell is then parsed on its own).
    pub(crate) fn detect<'a>(cells: impl Iterator<Item = &'a str> + Clone) -> Self {
        let cleaned: Vec<String> = cells.map(clean).filter(|c| !c.is_empty()).collect();
        let format = FORMATS.iter().copied().find(|format| {
            !cleaned.is_empty()
                && cleaned
                    .iter()
                    .all(|c| NaiveDateTime::parse_from_str(c, format).is_ok())
        });
        Self { format }
    }

    /// Seconds since the epoch of the cell's local time.
    pub(crate) fn seconds(&self, cell: &str) -> Option<i64> {
        let parsed = match self.format {
            Some(format) => NaiveDateTime::parse_from_str(&clean(cell), format)
                .ok()
                .or_else(|| parse_timestamp(cell)),
            None => parse_timestamp(cell),
        };
        parsed.map(|t| t.and_utc().timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> i64 {
        parse_timestamp(text).expect(text).and_utc().timestamp()
    }

    #[test]
    fn zoom_us_twelve_hour() {
        assert_eq!(
            secs("08/28/2020 10:05:04 AM") - secs("08/28/2020 09:55:04 AM"),
            600
        );
        assert_eq!(
            secs("08/28/2020 01:00:00 PM") - secs("08/28/2020 12:00:00 PM"),
            3600
        );
    }

    #[test]
    fn teams_day_first_with_a_comma() {
        assert_eq!(secs("15/11/22, 09:41:11") - secs("15/11/22, 09:31:11"), 600);
        assert_eq!(
            parse_timestamp("15/11/22, 09:31:11").unwrap().to_string(),
            "2022-11-15 09:31:11"
        );
        assert_eq!(
            secs("11/15/2022, 9:31:11 AM") + 60,
            secs("11/15/2022, 9:32:11 AM")
        );
    }

    #[test]
    fn a_column_is_read_with_one_format() {
        // 08/09 alone could be either; 28/08 settles it as day-first.
        let cells = ["08/09/2020 14:00:00", "28/08/2020 15:00:00"];
        let column = Column::detect(cells.iter().copied());
        assert_eq!(
            column.seconds("08/09/2020 14:00:00"),
            Some(secs("2020-09-08 14:00:00"))
        );
        assert_eq!(Column::detect(["", "x"].iter().copied()).seconds("x"), None);
    }

    #[test]
    fn month_names() {
        assert_eq!(
            secs("May 14, 2024 09:10:00 AM") - secs("2024-05-14 09:00:00"),
            600
        );
        assert_eq!(
            secs("14 May 2024 09:10:00") - secs("2024-05-14 09:00:00"),
            600
        );
    }

    #[test]
    fn iso_forms() {
        assert_eq!(
            secs("2024-05-14T09:10:00Z") - secs("2024-05-14 09:00:00"),
            600
        );
    }
}
