//! `ti attendance import` against the mock's sample meeting (the embedded mock, or an in-process
//! one whose state the tests read back).

mod common;

use common::{mock, run, stderr, stdout, ti, ti_at};
use serde_json::Value;
use thoughtindustries_mock::{
    MockConfig, MockServer, SAMPLE_MEETING_ID, Tenant, sample_attendee_id,
};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn import_args<'a>(meeting: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["attendance", "import", "--meeting", meeting];
    args.extend_from_slice(extra);
    args
}

/// The ids of the sample meeting's attendees whose `attendedMeetings` lists it.
async fn recorded_attended(server: &MockServer) -> Vec<String> {
    let meeting = SAMPLE_MEETING_ID.to_string();
    let assert = run(ti_at(
        server,
        &["meetings", "get", &meeting, "--format", "json"],
    ))
    .await
    .success();
    let detail: Value = serde_json::from_str(&stdout(&assert)).unwrap();
    detail["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| {
            a["attendedMeetings"]
                .as_array()
                .is_some_and(|m| m.iter().any(|e| e["meeting"]["id"] == meeting.as_str()))
        })
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_readme_sample_works_against_the_embedded_mock() {
    let meeting = SAMPLE_MEETING_ID.to_string();
    let report = fixture("sample-zoom-participants.csv");
    let assert = ti()
        .args(import_args(
            &meeting,
            &["--min-minutes", "30", "--mark-absent", "--dry-run", &report],
        ))
        .assert()
        .success();
    let out = stdout(&assert);
    let line = |email: &str| {
        out.lines()
            .find(|l| l.contains(email))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        line("ada.lovelace@example.com").ends_with("attended"),
        "{out}"
    );
    assert!(line("alan.turing@example.com").contains(" 12 "), "{out}");
    assert!(line("alan.turing@example.com").ends_with("absent"), "{out}");
    assert!(
        line("edsger.dijkstra@example.com").ends_with("absent"),
        "{out}"
    );
    assert!(line("Dial-in User").ends_with("no email"), "{out}");
    assert!(out.contains("dry run: nothing sent"), "{out}");
    assert!(
        stderr(&assert).contains("embedded mock"),
        "{}",
        stderr(&assert)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_sends_nothing_then_the_import_records_the_plan() {
    let server = mock().await;
    let meeting = SAMPLE_MEETING_ID.to_string();
    let report = fixture("sample-zoom-participants.csv");
    let args = ["--min-minutes", "30", "--mark-absent", "--format", "json"];
    let mut dry: Vec<&str> = args.to_vec();
    dry.extend(["--dry-run", &report]);
    let assert = run(ti_at(&server, &import_args(&meeting, &dry)))
        .await
        .success();
    let plan: Value = serde_json::from_str(&stdout(&assert)).unwrap();
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["summary"]["attended"], 4);
    assert_eq!(plan["summary"]["absent"], 2);
    assert!(
        plan["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["result"].is_null())
    );
    assert!(
        recorded_attended(&server).await.is_empty(),
        "a dry run sent something"
    );

    let mut send: Vec<&str> = args.to_vec();
    send.push(&report);
    let assert = run(ti_at(&server, &import_args(&meeting, &send)))
        .await
        .success();
    let done: Value = serde_json::from_str(&stdout(&assert)).unwrap();
    assert_eq!(done["summary"]["updated"], 6);
    assert_eq!(done["summary"]["failed"], 0);
    let ada = &done["rows"][0];
    assert_eq!(ada["email"], "ada.lovelace@example.com");
    assert_eq!(ada["minutes"], 55.0);
    assert_eq!(ada["decision"], "attended");
    assert_eq!(ada["result"], "updated");
    let guest = done["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["decision"] == "no email");
    assert_eq!(guest.unwrap()["result"], "not sent");
    let mut attended = recorded_attended(&server).await;
    attended.sort();
    let mut expected: Vec<String> = [0, 1, 3, 4]
        .iter()
        .map(|k| sample_attendee_id(*k).to_string())
        .collect();
    expected.sort();
    assert_eq!(attended, expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_teams_utf16_report_from_stdin_matches_the_upn() {
    let server = mock().await;
    let meeting = SAMPLE_MEETING_ID.to_string();
    let bytes = std::fs::read(fixture("sample-teams-attendance.csv")).unwrap();
    let mut cmd = ti_at(&server, &import_args(&meeting, &["--format", "csv", "-"]));
    cmd.write_stdin(bytes);
    let assert = run(cmd).await.success();
    let out = stdout(&assert);
    assert!(
        out.starts_with("name,email,user_id,minutes,decision,result\n"),
        "{out}"
    );
    // The report's Email for Grace is not registered; her UPN is.
    let grace = sample_attendee_id(1).to_string();
    assert!(
        out.lines().any(|l| l.contains("grace.hopper@example.com")
            && l.contains(&grace)
            && l.ends_with("attended,updated")),
        "{out}"
    );
    assert!(recorded_attended(&server).await.contains(&grace));
}

#[tokio::test(flavor = "multi_thread")]
async fn unregistered_emails_exit_6_and_are_listed() {
    let server = mock().await;
    let meeting = SAMPLE_MEETING_ID.to_string();
    let report = fixture("zoom-unregistered.csv");
    let assert = run(ti_at(&server, &import_args(&meeting, &[&report])))
        .await
        .code(6);
    let out = stdout(&assert);
    assert!(
        out.lines().any(|l| l.contains("eve@example.org")
            && l.contains("not registered")
            && l.ends_with("not sent")),
        "{out}"
    );
    assert!(
        stderr(&assert).contains("eve@example.org"),
        "{}",
        stderr(&assert)
    );
    // The registered person in the same report was recorded all the same.
    assert_eq!(
        recorded_attended(&server).await,
        vec![sample_attendee_id(0).to_string()]
    );
    // And a dry run says the same with the same code, sending nothing more.
    run(ti_at(
        &server,
        &import_args(&meeting, &["--dry-run", &report]),
    ))
    .await
    .code(6);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_report_exits_2_before_any_request() {
    let server = mock().await;
    let meeting = SAMPLE_MEETING_ID.to_string();
    let report = fixture("not-a-report.csv");
    let assert = run(ti_at(&server, &import_args(&meeting, &[&report])))
        .await
        .code(2);
    let err = stderr(&assert);
    assert!(
        err.contains("User Email") && err.contains("Join Time") && err.contains("nothing sent"),
        "{err}"
    );
    assert_eq!(server.stats().requests, 0, "a request was made");
    let missing = fixture("no-such-report.csv");
    run(ti_at(&server, &import_args(&meeting, &[&missing])))
        .await
        .code(2);
    assert_eq!(server.stats().requests, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_meeting_exits_3_with_nothing_sent() {
    let server = mock().await;
    let report = fixture("sample-zoom-participants.csv");
    let unknown = "00000000-0000-4000-8000-000000000001";
    let assert = run(ti_at(&server, &import_args(unknown, &[&report])))
        .await
        .code(3);
    assert!(stderr(&assert).contains("not found"), "{}", stderr(&assert));
    let stats = server.stats();
    assert_eq!(stats.requests, 1, "only the detail was requested");
    assert_eq!(stats.status(404), 1);
}

#[test]
fn bad_flags_exit_2() {
    let meeting = SAMPLE_MEETING_ID.to_string();
    let report = fixture("sample-zoom-participants.csv");
    for extra in [
        vec![
            "--min-minutes",
            "30",
            "--min-percent",
            "50",
            report.as_str(),
        ],
        vec!["--min-percent", "150", report.as_str()],
        vec!["--min-minutes", "-3", report.as_str()],
        vec!["--format", "yaml", report.as_str()],
        vec![],
    ] {
        ti().args(import_args(&meeting, &extra)).assert().code(2);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_with_an_unknown_outcome_exits_7_naming_its_users() {
    use thoughtindustries_mock::{Faults, ServerError, Trigger};
    // Request 1 is the detail; request 2, the attended users' bulk write, gets a 500 after it
    // was sent (never retried: its outcome is unknown); request 3, the absent users', succeeds.
    let server = MockServer::start(MockConfig {
        faults: Faults {
            server_error: Some(ServerError {
                trigger: Trigger::EveryNth(2),
                status: 500,
                html: false,
            }),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let meeting = SAMPLE_MEETING_ID.to_string();
    let report = fixture("sample-zoom-participants.csv");
    let assert = run(ti_at(
        &server,
        &import_args(
            &meeting,
            &[
                "--min-minutes",
                "30",
                "--mark-absent",
                "--format",
                "csv",
                &report,
            ],
        ),
    ))
    .await
    .code(7);
    let out = stdout(&assert);
    let ada = sample_attendee_id(0).to_string();
    let alan = sample_attendee_id(2).to_string();
    assert!(
        out.lines()
            .any(|l| l.contains(&ada) && l.contains(",attended,") && l.contains("unknown outcome")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains(&alan) && l.ends_with("absent,updated")),
        "{out}"
    );
    assert!(
        stderr(&assert).contains("unknown outcome"),
        "{}",
        stderr(&assert)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_percentage_uses_the_schedule_and_needs_a_positive_length() {
    let meeting = |id: &str, end: &str| {
        serde_json::json!({
            "id": id,
            "courseId": "11111111-1111-4111-8111-111111111111",
            "course": {"id": "11111111-1111-4111-8111-111111111111", "title": "Course"},
            "startDate": "2024-05-14T09:00:00Z",
            "endDate": end,
            "attendees": [
                {"id": "00000000-0000-4000-8000-0000000000a1", "email": "Ada.Lovelace@example.com"},
                {"id": "00000000-0000-4000-8000-0000000000a3", "email": "alan.turing@example.com"},
            ],
        })
    };
    let (hour, zero) = (
        "00000000-0000-4000-8000-000000000101",
        "00000000-0000-4000-8000-000000000102",
    );
    let server = MockServer::start(MockConfig {
        tenant: Tenant::from_meetings(vec![
            meeting(hour, "2024-05-14T10:00:00Z"),
            meeting(zero, "2024-05-14T09:00:00Z"),
        ]),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let report = fixture("sample-zoom-participants.csv");
    // 20 % of 60 minutes is 12: Ada (55) and Alan (exactly 12) attended; Grace, Katherine and
    // Barbara are not registered for this meeting (exit 6, also for a dry run).
    let assert = run(ti_at(
        &server,
        &import_args(
            hour,
            &[
                "--min-percent",
                "20",
                "--dry-run",
                "--format",
                "json",
                &report,
            ],
        ),
    ))
    .await
    .code(6);
    let plan: Value = serde_json::from_str(&stdout(&assert)).unwrap();
    assert_eq!(plan["threshold_minutes"], 12.0);
    assert_eq!(plan["summary"]["attended"], 2);
    assert_eq!(plan["summary"]["not_registered"], 3);
    let assert = run(ti_at(
        &server,
        &import_args(zero, &["--min-percent", "20", &report]),
    ))
    .await
    .code(2);
    assert!(
        stderr(&assert).contains("scheduled length"),
        "{}",
        stderr(&assert)
    );
}
