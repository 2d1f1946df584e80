//! The sample meeting of every synthetic tenant: a well-known id whose registered attendees are
//! the people of the sample attendance reports in the repository (`examples/reports/`), so that
//! `ti attendance import --meeting SAMPLE_MEETING_ID examples/reports/zoom-participants.csv`
//! works against the embedded mock on a fresh clone.
//!
//! It is served by the detail (`GET /incoming/v2/meetings/{id}`) and accepts both attendance
//! writes, but it is not in the listing, so the listing's pages and counts are unchanged.

use serde_json::{Value, json};
use thoughtindustries_models::User;
use uuid::Uuid;

/// The id of the sample meeting (`5a3c0f1e-0020-4000-8000-000000000020`).
pub const SAMPLE_MEETING_ID: Uuid = Uuid::from_u128(0x5a3c0f1e_0020_4000_8000_000000000020);

/// The sample meeting's attendees: name and email (the sample reports' people, one of whom,
/// Edsger Dijkstra, is in no report).
pub const SAMPLE_ATTENDEES: &[(&str, &str, &str)] = &[
    ("Ada", "Lovelace", "ada.lovelace@example.com"),
    ("Grace", "Hopper", "grace.hopper@example.com"),
    ("Alan", "Turing", "alan.turing@example.com"),
    ("Katherine", "Johnson", "katherine.johnson@example.com"),
    ("Barbara", "Liskov", "barbara.liskov@example.com"),
    ("Edsger", "Dijkstra", "edsger.dijkstra@example.com"),
];

/// The user id of the sample meeting's attendee `k` (0-based, as in [`SAMPLE_ATTENDEES`]).
pub const fn sample_attendee_id(k: usize) -> Uuid {
    Uuid::from_u128(0x5a3c0f1e_0020_4000_8000_0000000a0000 + k as u128 + 1)
}

/// The sample meeting, in the given course (a course object of the tenant, as JSON).
pub(crate) fn sample_meeting(course: Value) -> Value {
    let attendees: Vec<Value> = SAMPLE_ATTENDEES
        .iter()
        .enumerate()
        .map(|(k, (first, last, email))| {
            let user = model!(User {
                id: Some(sample_attendee_id(k)),
                email: Some((*email).to_owned()),
                first_name: Some((*first).to_owned()),
                last_name: Some((*last).to_owned()),
                name: Some(format!("{first} {last}")),
            });
            serde_json::to_value(user).unwrap_or(Value::Null)
        })
        .collect();
    json!({
        "id": SAMPLE_MEETING_ID,
        "title": "Live session: importing attendance (sample)",
        "courseId": course["id"],
        "course": course,
        "joinUrl": "https://zoom.example.com/j/81234567890",
        "instructors": ["Mary Somerville"],
        "startDate": "2024-05-14T09:00:00.000Z",
        "endDate": "2024-05-14T10:00:00.000Z",
        "timeZone": "UTC",
        "attendeeInfo": "Sample meeting for `ti attendance import` (examples/reports/).",
        "attendees": attendees,
    })
}
