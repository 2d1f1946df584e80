//! Every report kind read from fixtures written from the reference's facts, then planned against
//! the sample meeting's roster.

use std::collections::HashSet;

use chrono::{TimeZone, Utc};
use thoughtindustries_attendance_import::{
    Decision, Options, PlanError, ReadError, Report, ReportKind, Roster, Rule, parse_report, plan,
};
use thoughtindustries_models::User;
use uuid::Uuid;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(name: &str) -> Report {
    parse_report(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `(email, minutes)` per person, minutes rounded to 0.01.
fn summary(report: &Report) -> Vec<(Option<String>, Option<f64>)> {
    report
        .people
        .iter()
        .map(|p| {
            (
                p.email().map(str::to_owned),
                p.minutes.map(|m| (m * 100.0).round() / 100.0),
            )
        })
        .collect()
}

fn some(email: &str, minutes: f64) -> (Option<String>, Option<f64>) {
    (Some(email.to_owned()), Some(minutes))
}

const ADA: &str = "ada.lovelace@example.com";
const GRACE: &str = "grace.hopper@example.com";
const ALAN: &str = "alan.turing@example.com";
const KATHERINE: &str = "katherine.johnson@example.com";
const BARBARA: &str = "barbara.liskov@example.com";
const EDSGER: &str = "edsger.dijkstra@example.com";

/// The sample meeting's attendees (user ids 1..=6), scheduled 09:00 to 10:00.
fn roster() -> Roster {
    let users: Vec<User> = [ADA, GRACE, ALAN, KATHERINE, BARBARA, EDSGER]
        .iter()
        .enumerate()
        .map(|(i, email)| {
            let mut user = User::default();
            user.id = Some(Uuid::from_u128(i as u128 + 1));
            // The tenant's copy of an address may differ in case and spacing.
            user.email = Some(if i == 1 {
                format!(" {} ", email.to_uppercase())
            } else {
                (*email).to_owned()
            });
            user
        })
        .collect();
    let start = Utc.with_ymd_and_hms(2024, 5, 14, 9, 0, 0).unwrap();
    Roster::new(&users, start, start + chrono::Duration::hours(1))
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

#[test]
fn zoom_with_the_meeting_data_preamble_rejoins_two_devices_and_a_guest() {
    let report = read("zoom-meeting-data.csv");
    assert_eq!(report.kind, ReportKind::ZoomJoins);
    assert_eq!(
        summary(&report),
        vec![
            // Two joins, one with the address in upper case: 25 + 30 minutes.
            some(ADA, 55.0),
            // Two devices at once, 09:02-09:50 and 09:10-10:00: 58 minutes, not 98.
            some(GRACE, 58.0),
            some(ALAN, 12.0),
            // Padding spaces around the address.
            some(KATHERINE, 59.0),
            some(BARBARA, 40.0),
            // A dial-in without an email.
            (None, Some(37.0)),
        ]
    );
    // The preamble's host row is not a participant.
    assert!(
        report
            .people
            .iter()
            .all(|p| p.email() != Some("host@example.com"))
    );
    assert_eq!(report.people[0].rows, 2);
}

#[test]
fn zoom_plain_export_with_day_first_times() {
    let report = read("zoom-plain-day-first.csv");
    assert_eq!(report.kind, ReportKind::ZoomJoins);
    assert_eq!(
        summary(&report),
        vec![
            some(ADA, 55.0),
            some("eve@example.org", 60.0),
            (None, Some(0.67))
        ]
    );
}

#[test]
fn zoom_unique_users_with_lower_case_headers() {
    let report = read("zoom-unique-users.csv");
    assert_eq!(report.kind, ReportKind::ZoomUniqueUsers);
    assert_eq!(
        summary(&report),
        vec![
            some(ADA, 55.0),
            some(ALAN, 12.0),
            some("eve@example.org", 60.0),
            (None, Some(20.0)),
        ]
    );
}

#[test]
fn teams_utf16le_sectioned_uses_the_activities_and_keeps_the_upn() {
    let bytes = fixture("teams-utf16le-sectioned.csv");
    assert_eq!(
        &bytes[..2],
        &[0xFF, 0xFE],
        "the fixture is UTF-16 LE with a BOM"
    );
    let report = read("teams-utf16le-sectioned.csv");
    assert_eq!(report.kind, ReportKind::Teams);
    assert_eq!(
        summary(&report),
        vec![
            some(ADA, 55.0),
            // The participants row says 1h 38m (both devices added); the joins' union is 58.
            some("grace@hopper-mail.example.net", 58.0),
            some(ALAN, 12.0),
            some(KATHERINE, 59.0),
            some(BARBARA, 40.0),
        ]
    );
    assert_eq!(
        report.people[1].emails,
        vec!["grace@hopper-mail.example.net".to_owned(), GRACE.to_owned()]
    );
}

#[test]
fn teams_utf8_with_a_bom_comma_separated_participants_only() {
    let report = read("teams-utf8-bom-comma.csv");
    assert_eq!(report.kind, ReportKind::Teams);
    assert_eq!(
        summary(&report),
        vec![
            some(ADA, 60.0),
            some("grace@hopper-mail.example.net", 58.0),
            some("eve@example.org", 30.0)
        ]
    );
    assert_eq!(report.people[1].emails[1], GRACE, "the UPN, lower-cased");
}

#[test]
fn teams_events_pair_joined_and_left() {
    let report = read("teams-events.csv");
    assert_eq!(report.kind, ReportKind::TeamsEvents);
    assert_eq!(
        summary(&report),
        vec![(None, Some(55.0)), (None, Some(12.0))]
    );
    assert_eq!(report.people[0].name, "Ada Lovelace");
}

#[test]
fn google_meet_durations_as_text() {
    let report = read("meet-durations.csv");
    assert_eq!(report.kind, ReportKind::GoogleMeet);
    assert_eq!(
        summary(&report),
        vec![
            some(ADA, 65.0),
            some(ALAN, 45.0),
            some(GRACE, 0.5),
            (None, Some(20.0))
        ]
    );
    assert_eq!(report.people[0].name, "Ada Lovelace");
    let sample = read("meet.csv");
    assert_eq!(sample.people.len(), 6);
    assert_eq!(sample.people[5].email(), None);
}

#[test]
fn generic_csv_with_padded_headers_and_addresses() {
    let report = read("generic.csv");
    assert_eq!(report.kind, ReportKind::Generic);
    assert_eq!(
        summary(&report),
        vec![
            some(ADA, 55.0),
            some(ALAN, 12.0),
            some("eve@example.org", 60.0)
        ]
    );
    let emails_only = read("generic-emails-only.csv");
    assert_eq!(
        summary(&emails_only),
        vec![(Some(ADA.into()), None), (Some(ALAN.into()), None)]
    );
    assert!(!emails_only.has_minutes());
}

#[test]
fn an_unreadable_report_names_the_columns_looked_for() {
    for bytes in [
        fixture("not-a-report.csv"),
        Vec::new(),
        b"\x00\x01\x02garbage".to_vec(),
    ] {
        let error = parse_report(&bytes).unwrap_err();
        let ReadError::Unrecognized { looked_for, .. } = &error else {
            panic!("{error}");
        };
        assert!(looked_for.len() >= 6);
        let message = error.to_string();
        for column in [
            "User Email",
            "Participant ID (UPN)",
            "User Action",
            "First name",
            "E-mail",
        ] {
            assert!(message.contains(column), "{message}");
        }
    }
}

#[test]
fn the_sample_reports_give_the_same_plan_whatever_the_platform() {
    let options = Options::new(Rule::MinMinutes(30.0)).mark_absent(true);
    for name in [
        "zoom-meeting-data.csv",
        "teams-utf16le-sectioned.csv",
        "meet.csv",
    ] {
        let plan = plan(&read(name).people, &roster(), &options).unwrap();
        assert_eq!(plan.attended(), vec![id(1), id(2), id(4), id(5)], "{name}");
        // Alan below 30 minutes, Edsger missing from the report.
        assert_eq!(plan.absent(), vec![id(3), id(6)], "{name}");
        assert_eq!(plan.counts().not_registered, 0, "{name}");
    }
}

#[test]
fn teams_matches_by_upn_when_the_email_is_not_registered() {
    let plan = plan(
        &read("teams-utf16le-sectioned.csv").people,
        &roster(),
        &Options::default(),
    )
    .unwrap();
    let grace = &plan.rows[1];
    assert_eq!(grace.user_id, Some(id(2)));
    assert_eq!(grace.email.as_deref(), Some(GRACE));
    assert_eq!(grace.decision, Decision::Attended);
}

#[test]
fn unregistered_addresses_and_guests_are_listed_never_sent() {
    let plan = plan(
        &read("zoom-plain-day-first.csv").people,
        &roster(),
        &Options::new(Rule::AnyPresence).mark_absent(true),
    )
    .unwrap();
    let decisions: Vec<(Option<&str>, Decision)> = plan
        .rows
        .iter()
        .map(|r| (r.email.as_deref(), r.decision))
        .collect();
    assert_eq!(decisions[0], (Some(ADA), Decision::Attended));
    assert_eq!(
        decisions[1],
        (Some("eve@example.org"), Decision::NotRegistered)
    );
    assert_eq!(decisions[2], (None, Decision::NoEmail));
    assert!(plan.rows[1].user_id.is_none() && plan.rows[2].user_id.is_none());
    // The five other registered users are missing from the report.
    assert_eq!(plan.absent().len(), 5);
    assert_eq!(plan.attended(), vec![id(1)]);
}

#[test]
fn below_threshold_without_mark_absent_is_not_sent() {
    let plan = plan(
        &read("zoom-meeting-data.csv").people,
        &roster(),
        &Options::new(Rule::MinMinutes(55.0)),
    )
    .unwrap();
    // Ada at exactly 55 minutes attended; Alan (12) and Barbara (40) below.
    assert_eq!(plan.attended(), vec![id(1), id(2), id(4)]);
    assert!(plan.absent().is_empty());
    assert_eq!(plan.counts().below_threshold, 2);
    assert_eq!(
        plan.rows.len(),
        6,
        "no rows for the registered users missing from the report"
    );
}

#[test]
fn a_percentage_of_the_scheduled_length() {
    let people = read("zoom-meeting-data.csv").people;
    // 90 % of 60 minutes is 54: Ada (55), Grace (58), Katherine (59).
    let plan = plan(&people, &roster(), &Options::new(Rule::MinPercent(90.0))).unwrap();
    assert_eq!(plan.attended(), vec![id(1), id(2), id(4)]);
    assert_eq!(plan.threshold_minutes, Some(54.0));
    let start = Utc.with_ymd_and_hms(2024, 5, 14, 9, 0, 0).unwrap();
    let empty = Roster::new(std::iter::empty(), start, start);
    assert!(matches!(
        thoughtindustries_attendance_import::plan(
            &people,
            &empty,
            &Options::new(Rule::MinPercent(50.0))
        ),
        Err(PlanError::NoScheduledLength { .. })
    ));
}

#[test]
fn a_threshold_needs_minutes() {
    let people = read("generic-emails-only.csv").people;
    assert_eq!(
        plan(&people, &roster(), &Options::new(Rule::MinMinutes(10.0))),
        Err(PlanError::NoMinutes)
    );
    let any = plan(&people, &roster(), &Options::default()).unwrap();
    assert_eq!(any.attended(), vec![id(1), id(3)]);
}

#[test]
fn nobody_is_sent_twice_or_with_both_values() {
    let mut people = read("zoom-meeting-data.csv").people;
    // The same registered user twice, under two addresses (a Teams-like Email and UPN pair).
    people.extend(read("teams-utf8-bom-comma.csv").people);
    for mark_absent in [false, true] {
        for rule in [
            Rule::AnyPresence,
            Rule::MinMinutes(30.0),
            Rule::MinMinutes(100.0),
        ] {
            let plan = plan(
                &people,
                &roster(),
                &Options::new(rule).mark_absent(mark_absent),
            )
            .unwrap();
            let attended = plan.attended();
            let absent = plan.absent();
            let all: Vec<Uuid> = attended.iter().chain(&absent).copied().collect();
            let unique: HashSet<Uuid> = all.iter().copied().collect();
            assert_eq!(all.len(), unique.len(), "{rule:?} {mark_absent}");
        }
    }
    let merged = plan(&people, &roster(), &Options::default()).unwrap();
    let ada = merged
        .rows
        .iter()
        .find(|r| r.user_id == Some(id(1)))
        .unwrap();
    assert_eq!(
        ada.minutes,
        Some(115.0),
        "both reports' minutes of one user add up"
    );
}

#[test]
fn teams_without_a_bom_or_re_saved_as_utf8_reads_the_same() {
    let utf16 = fixture("teams-utf16le-sectioned.csv");
    let expected = summary(&read("teams-utf16le-sectioned.csv"));
    // UTF-16 LE without its BOM.
    let without_bom = parse_report(&utf16[2..]).unwrap();
    assert_eq!(summary(&without_bom), expected);
    // Re-saved as UTF-8, with LF line ends, tabs kept.
    let text: String = char::decode_utf16(
        utf16[2..]
            .chunks(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]])),
    )
    .map(|c| c.unwrap())
    .collect::<String>()
    .replace("\r\n", "\n");
    let utf8 = parse_report(text.as_bytes()).unwrap();
    assert_eq!(utf8.kind, ReportKind::Teams);
    assert_eq!(summary(&utf8), expected);
}
