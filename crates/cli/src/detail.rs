//! The rest of `ti meetings get`'s table, after the meeting's row: its instructors and one line
//! per attendee with whether the API records them as having attended this meeting.

use std::io::Write;

use thoughtindustries::{Meeting, User};

use crate::output::fitted_table;

/// The attendee table's header.
const HEADER: [&str; 4] = ["ATTENDEE", "EMAIL", "USER ID", "ATTENDED"];

/// Writes the instructors line and the attendee table (or why there is none), fitted to `width`
/// when given.
pub fn write(out: &mut impl Write, meeting: &Meeting, width: Option<u16>) -> std::io::Result<()> {
    writeln!(out)?;
    if let Some(instructors) = meeting.instructors.as_deref().filter(|i| !i.is_empty()) {
        writeln!(out, "Instructors: {}", instructors.join(", "))?;
    }
    let attendees = match meeting.attendees.as_deref() {
        None => return writeln!(out, "Attendees: not sent by the API"),
        Some([]) => return writeln!(out, "Attendees: none"),
        Some(attendees) => attendees,
    };
    let mut table = fitted_table(&HEADER, &[2, 3], width);
    for user in attendees {
        let mut row = comfy_table::Row::from([
            display_name(user),
            user.email.clone().unwrap_or_default(),
            user.id.map_or_else(|| "-".into(), |id| id.to_string()),
            attended(user, meeting).to_owned(),
        ]);
        row.max_height(2);
        table.add_row(row);
    }
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// The user's name as the API gives it, else first and last name, else `-`.
fn display_name(user: &User) -> String {
    if let Some(name) = user.name.as_deref().filter(|n| !n.trim().is_empty()) {
        return name.replace(['\n', '\r', '\t'], " ");
    }
    let parts: Vec<&str> = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(" ")
    }
}

/// `yes` when the user's `attendedMeetings` lists this meeting, `no` when it does not, `?` when
/// the API did not send `attendedMeetings` for this user.
fn attended(user: &User, meeting: &Meeting) -> &'static str {
    match recorded_attendance(user, meeting.id) {
        None => "?",
        Some(true) => "yes",
        Some(false) => "no",
    }
}

/// Whether the user's `attendedMeetings` lists `meeting`; `None` when the API did not send it.
pub fn recorded_attendance(user: &User, meeting: uuid::Uuid) -> Option<bool> {
    let records = user.attended_meetings.as_ref()?;
    Some(
        records
            .iter()
            .any(|record| record.meeting.as_ref().and_then(|m| m.id) == Some(meeting)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meeting(attendees: serde_json::Value) -> Meeting {
        serde_json::from_value(json!({
            "id": "11111111-1111-4111-8111-111111111111",
            "courseId": "22222222-2222-4222-8222-222222222222",
            "course": {"id": "22222222-2222-4222-8222-222222222222", "slug": "c"},
            "startDate": "2024-01-01T10:00:00Z",
            "endDate": "2024-01-01T11:00:00Z",
            "instructors": ["Ada Lovelace"],
            "attendees": attendees,
        }))
        .unwrap()
    }

    fn render(meeting: &Meeting, width: Option<u16>) -> String {
        let mut out = Vec::new();
        write(&mut out, meeting, width).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn attendees_with_their_recorded_attendance() {
        let here = json!({"meeting": {"id": "11111111-1111-4111-8111-111111111111"}});
        let elsewhere = json!({"meeting": {"id": "33333333-3333-4333-8333-333333333333"}});
        let text = render(
            &meeting(json!([
                {"id": "44444444-4444-4444-8444-444444444444", "name": "Grace Hopper",
                 "email": "grace@example.com", "attendedMeetings": [elsewhere, here]},
                {"id": "55555555-5555-4555-8555-555555555555", "firstName": "Alan",
                 "lastName": "Turing", "attendedMeetings": [elsewhere]},
                {"id": "66666666-6666-4666-8666-666666666666"},
            ])),
            None,
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "Instructors: Ada Lovelace");
        assert!(lines[2].starts_with("ATTENDEE"), "{text}");
        assert!(
            lines[3].starts_with("Grace Hopper") && lines[3].ends_with("yes"),
            "{text}"
        );
        assert!(
            lines[4].starts_with("Alan Turing") && lines[4].ends_with("no"),
            "{text}"
        );
        assert!(
            lines[5].starts_with('-') && lines[5].ends_with('?'),
            "{text}"
        );
    }

    #[test]
    fn no_attendees_is_said_and_the_table_fits_the_width() {
        assert!(render(&meeting(json!([])), None).ends_with("Attendees: none\n"));
        assert!(render(&meeting(json!(null)), None).ends_with("Attendees: not sent by the API\n"));
        let long = "x".repeat(200);
        let text = render(
            &meeting(
                json!([{"id": "44444444-4444-4444-8444-444444444444", "name": long,
                             "email": format!("{long}@example.com")}]),
            ),
            Some(80),
        );
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(
            text.contains("44444444-4444-4444-8444-444444444444"),
            "{text}"
        );
    }
}
