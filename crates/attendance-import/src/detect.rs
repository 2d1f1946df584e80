//! What kind of report a file is, told from its header lines (never from its name), and its
//! delimiter.

/// One recognised header line: which table it starts and where its columns are.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    pub(crate) table: Table,
    pub(crate) columns: Columns,
}

/// The tables of the reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Table {
    /// Zoom's meeting-data preamble (`Meeting ID,Topic,...`): its rows are skipped.
    ZoomMeeting,
    /// Zoom participants, one row per join.
    ZoomJoins,
    /// Zoom participants with "Show unique users": one row per person with a total.
    ZoomUnique,
    /// Teams `2. Participants`: one row per person.
    TeamsParticipants,
    /// Teams `3. In-Meeting activities`: one row per join.
    TeamsActivities,
    /// Older Teams downloads: `Joined` / `Left` events.
    TeamsEvents,
    /// Google Meet.
    Meet,
    /// Any CSV with an email column.
    Generic,
}

/// Column positions of a table (`None`: the table has no such column).
#[derive(Clone, Debug, Default)]
pub(crate) struct Columns {
    pub(crate) name: Option<usize>,
    pub(crate) first_name: Option<usize>,
    pub(crate) last_name: Option<usize>,
    pub(crate) email: Option<usize>,
    pub(crate) upn: Option<usize>,
    pub(crate) join: Option<usize>,
    pub(crate) leave: Option<usize>,
    pub(crate) minutes: Option<usize>,
    pub(crate) action: Option<usize>,
    pub(crate) timestamp: Option<usize>,
}

/// The header sets looked for, for the message about a file that is none of them.
pub(crate) const LOOKED_FOR: &[&str] = &[
    "Zoom participants: Name (Original Name), User Email, Join Time, Leave Time, Duration (Minutes)",
    "Zoom unique users: Name (Original Name), User Email (or Email), Total Duration (Minutes)",
    "Teams participants: Name, First Join, Last Leave, In-Meeting Duration, Email, Participant ID (UPN)",
    "Teams in-meeting activities: Name, Join Time, Leave Time, Duration, Email",
    "Teams events: Full Name, User Action, Timestamp",
    "Google Meet: First name, Last name, Email, Duration",
    "any CSV with an email column: email, E-mail, User Email or Email Address (optionally minutes, duration or Duration (Minutes))",
];

const EMAIL: &[&str] = &[
    "email",
    "e-mail",
    "user email",
    "email address",
    "e-mail address",
    "user e-mail",
    "attendee email",
    "participant email",
];
const MINUTES: &[&str] = &[
    "minutes",
    "duration (minutes)",
    "total duration (minutes)",
    "duration (mins)",
    "duration",
    "minutes present",
    "minutes attended",
    "attended minutes",
    "time in session (minutes)",
    "in-meeting duration",
    "time present",
];
const NAME: &[&str] = &[
    "name (original name)",
    "name",
    "full name",
    "display name",
    "participant",
    "participant name",
    "attendee",
    "attendee name",
];

/// A header cell as compared: trimmed, lower case, inner runs of spaces as one.
pub(crate) fn normalize(cell: &str) -> String {
    cell.trim()
        .trim_start_matches('\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The header this line is, if any.
pub(crate) fn classify(cells: &[String]) -> Option<Header> {
    let cells: Vec<String> = cells.iter().map(|c| normalize(c)).collect();
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| cells.iter().position(|c| c == name))
    };
    let has = |name: &str| cells.iter().any(|c| c == name);
    let (table, columns) = if has("meeting id") && has("topic") {
        (Table::ZoomMeeting, Columns::default())
    } else if has("user action") && has("timestamp") {
        let columns = Columns {
            name: find(NAME),
            email: find(EMAIL),
            action: find(&["user action"]),
            timestamp: find(&["timestamp"]),
            ..Columns::default()
        };
        (Table::TeamsEvents, columns)
    } else if has("first join") && has("last leave") {
        let columns = Columns {
            name: find(NAME),
            email: find(&["email", "e-mail", "email address"]),
            upn: find(&[
                "participant id (upn)",
                "participant id",
                "upn",
                "user principal name",
            ]),
            join: find(&["first join"]),
            leave: find(&["last leave"]),
            minutes: find(&["in-meeting duration", "in meeting duration", "duration"]),
            ..Columns::default()
        };
        (Table::TeamsParticipants, columns)
    } else if has("join time") && has("leave time") {
        let zoom = has("duration (minutes)") || has("user email") || has("name (original name)");
        let columns = Columns {
            name: find(NAME),
            email: find(EMAIL),
            upn: find(&["participant id (upn)", "upn"]),
            join: find(&["join time"]),
            leave: find(&["leave time"]),
            minutes: find(&["duration (minutes)", "duration"]),
            ..Columns::default()
        };
        let table = if zoom {
            Table::ZoomJoins
        } else {
            Table::TeamsActivities
        };
        (table, columns)
    } else if let Some(total) = find(&["total duration (minutes)", "total duration"]) {
        let columns = Columns {
            name: find(NAME),
            email: find(EMAIL),
            minutes: Some(total),
            ..Columns::default()
        };
        columns.email?;
        (Table::ZoomUnique, columns)
    } else if has("first name") && has("last name") && has("duration") && find(EMAIL).is_some() {
        let columns = Columns {
            first_name: find(&["first name"]),
            last_name: find(&["last name"]),
            email: find(EMAIL),
            minutes: find(&["duration"]),
            join: find(&["time joined"]),
            leave: find(&["time exited"]),
            ..Columns::default()
        };
        (Table::Meet, columns)
    } else {
        let email = find(EMAIL)?;
        let columns = Columns {
            name: find(NAME),
            first_name: find(&["first name", "firstname", "given name"]),
            last_name: find(&["last name", "lastname", "surname", "family name"]),
            email: Some(email),
            minutes: find(MINUTES),
            ..Columns::default()
        };
        (Table::Generic, columns)
    };
    Some(Header { table, columns })
}

/// The delimiter: a tab when the first lines have tabs (Teams, even with commas in its dates),
/// otherwise a semicolon when those outnumber commas (spreadsheets in some locales), otherwise a
/// comma.
pub(crate) fn delimiter(text: &str) -> u8 {
    let head: String = text.lines().take(50).collect::<Vec<_>>().join("\n");
    let count = |c: char| head.matches(c).count();
    let (tabs, commas, semicolons) = (count('\t'), count(','), count(';'));
    if tabs > 0 && tabs * 2 >= commas {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    }
}

/// A Teams section title (`2. Participants`), which ends the table before it.
pub(crate) fn is_section_title(cells: &[String]) -> bool {
    let filled: Vec<&String> = cells.iter().filter(|c| !c.trim().is_empty()).collect();
    match filled.as_slice() {
        [only] => {
            let text = only.trim();
            let digits = text.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && text[digits..].starts_with(". ")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(line: &str, delimiter: char) -> Option<Table> {
        let cells: Vec<String> = line.split(delimiter).map(str::to_owned).collect();
        classify(&cells).map(|h| h.table)
    }

    #[test]
    fn every_kind_is_told_from_its_header() {
        use Table::*;
        let cases = [
            (
                "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants",
                ZoomMeeting,
            ),
            (
                "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest",
                ZoomJoins,
            ),
            (
                "Name (Original Name),User Email,Total Duration (Minutes),Guest",
                ZoomUnique,
            ),
            (
                "Name (original name),Email,Total duration (minutes),Guest",
                ZoomUnique,
            ),
            (
                "Name\tFirst join\tLast leave\tIn-meeting duration\tEmail\tParticipant ID (UPN)\tRole",
                TeamsParticipants,
            ),
            (
                "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole",
                TeamsParticipants,
            ),
            (
                "Name\tJoin time\tLeave time\tDuration\tEmail\tRole",
                TeamsActivities,
            ),
            ("Full Name\tUser Action\tTimestamp", TeamsEvents),
            (
                "First name,Last name,Email,Duration,Time joined,Time exited",
                Meet,
            ),
            ("Student, E-mail ,Minutes", Generic),
            ("User Email", Generic),
        ];
        for (line, table) in cases {
            let delimiter = if line.contains('\t') { '\t' } else { ',' };
            assert_eq!(header(line, delimiter), Some(table), "{line}");
        }
        assert_eq!(header("1. Summary", ','), None);
        assert_eq!(header("Meeting title\tWeekly sync", '\t'), None);
        assert_eq!(header("id,name,minutes", ','), None);
    }

    #[test]
    fn delimiters_and_sections() {
        assert_eq!(
            delimiter("Name\tJoin time\n a\t15/11/22, 09:31:11\n"),
            b'\t'
        );
        assert_eq!(delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(delimiter("email;minutes\nx@y.z;3\n"), b';');
        assert!(is_section_title(&["2. Participants".into()]));
        assert!(is_section_title(&[
            "3. In-Meeting activities".into(),
            String::new()
        ]));
        assert!(!is_section_title(&["Participants".into()]));
    }
}
