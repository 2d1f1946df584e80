//! `ti validate` and `ti contract` end to end.

use std::io::Write;

mod common;

use common::{run, stderr, stdout, ti};
use serde_json::{Value, json};
use thoughtindustries_mock::{DEMO_TOKEN, Drift, Faults, MockConfig, MockServer, Trigger};

#[test]
fn validate_accepts_the_reference_example() {
    ti().args(["validate", "-"])
        .write_stdin(thoughtindustries_spec::examples::REFERENCE_PAGE)
        .assert()
        .success();
}

#[test]
fn validate_reports_every_mismatch_with_its_path() {
    let mut body: Value =
        serde_json::from_str(thoughtindustries_spec::examples::REFERENCE_PAGE).unwrap();
    let meeting = &mut body["data"]["Meetings"]["meetings"][0];
    meeting["attendees"][0]["certificatesCount"] = json!("three");
    meeting["id"] = json!("not-a-uuid");
    meeting["course"]["status"] = json!("retired");
    meeting.as_object_mut().unwrap().remove("startDate");
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(body.to_string().as_bytes()).unwrap();

    let out = ti()
        .args(["validate", "--format", "json"])
        .arg(file.path())
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let mut paths: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["instance_path"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
            )
        })
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            ("/data/Meetings/meetings/0", "violation"),
            (
                "/data/Meetings/meetings/0/attendees/0/certificatesCount",
                "violation"
            ),
            ("/data/Meetings/meetings/0/course/status", "notice"),
            ("/data/Meetings/meetings/0/id", "violation"),
        ]
    );
}

#[test]
fn validate_reads_stdin_and_maps_other_failures_to_exit_codes() {
    ti().arg("validate")
        .write_stdin("{not json")
        .assert()
        .code(5);
    ti().args(["validate", "/definitely/not/here.json"])
        .assert()
        .code(2);
    // A 401 has no body: empty is valid there.
    ti().args(["validate", "--status", "401"])
        .write_stdin("")
        .assert()
        .success();
    // A status the spec does not document is a finding.
    let out = ti()
        .args(["validate", "--status", "418"])
        .write_stdin("{}")
        .assert()
        .code(1);
    assert!(stdout(&out).contains("418"));
    ti().args(["validate", "--operation", "no_such_op"])
        .write_stdin("{}")
        .assert()
        .code(2);
}

#[test]
fn contract_passes_against_the_embedded_mock() {
    let out = ti().args(["contract", "--pages", "3"]).assert().success();
    // The report on stdout, messages (the embedded mock's notice) on stderr.
    let report = stdout(&out);
    assert_eq!(
        report.matches(": ok (0 violation(s)").count(),
        4,
        "three pages and the first meeting's detail: {report}"
    );
    assert!(report.contains("\nmeeting "), "{report}");
    assert!(!stderr(&out).contains(": ok ("));
}

#[tokio::test(flavor = "multi_thread")]
async fn contract_writes_only_with_allow_writes_and_then_changes_nothing() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let ti_at = |args: &[&str]| {
        let mut cmd = ti();
        cmd.env("TI_BASE_URL", server.base_url())
            .env("TI_API_KEY", DEMO_TOKEN)
            .args(args);
        cmd
    };
    let list = ["meetings", "list", "--format", "json"];
    let contract = ["contract", "--pages", "1", "--format", "json"];
    let before = run(ti_at(&list))
        .await
        .success()
        .get_output()
        .stdout
        .clone();

    let out = run(ti_at(&contract)).await.success();
    let document: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(document["checked"], json!(2), "{document}");
    assert_eq!(
        server.stats().requests,
        3,
        "one page and one detail: GETs only"
    );

    let out = run(ti_at(&[&contract[..], &["--allow-writes"]].concat()))
        .await
        .success();
    let document: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(document["checked"], json!(3), "{document}");
    assert_eq!(
        document["reports"][2]["subject"],
        json!("update_meeting_attendance 200")
    );
    assert_eq!(server.stats().requests, 6);
    // The update re-sent the attendance the tenant records: every attendee's attended meetings
    // are what they were.
    let after = run(ti_at(&list))
        .await
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(attended(&after), attended(&before));
    assert!(!attended(&before).is_empty());
}

/// Each attendee's id with the ids of the meetings they attended (none when the list is absent),
/// from a `ti meetings list --format json` output.
fn attended(listing: &[u8]) -> Vec<(Value, Vec<Value>)> {
    let meetings: Vec<Value> = serde_json::from_slice(listing).unwrap();
    let mut out: Vec<(Value, Vec<Value>)> = meetings
        .iter()
        .flat_map(|m| m["attendees"].as_array().cloned().unwrap_or_default())
        .map(|user| {
            let mut ids: Vec<Value> = user["attendedMeetings"]
                .as_array()
                .map(|a| a.iter().map(|m| m["meeting"]["id"].clone()).collect())
                .unwrap_or_default();
            ids.sort_by_key(Value::to_string);
            (user["id"].clone(), ids)
        })
        .collect();
    out.sort_by_key(|(id, _)| id.to_string());
    out
}

#[test]
fn contract_json_is_one_document_and_junit_one_case_per_page() {
    let out = ti()
        .args(["contract", "--pages", "2", "--format", "json"])
        .assert()
        .success();
    let document: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(document["valid"], json!(true));
    assert_eq!(document["checked"], json!(3));
    assert_eq!(document["reports"][1]["page"], json!(2));
    assert_eq!(document["reports"][2]["subject"], json!("get_meeting 200"));

    let out = ti()
        .args(["contract", "--pages", "2", "--format", "junit"])
        .assert()
        .success();
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("tests=\"3\" failures=\"0\""), "{xml}");
    assert!(xml.contains("<testcase classname=\"list_meetings 200\" name=\"page 2\"/>"));
}

#[test]
fn validate_junit_fails_the_case_with_each_json_path() {
    let out = ti()
        .args(["validate", "--format", "junit"])
        .write_stdin(r#"{"data": {"Meetings": {"meetings": [{"id": 5}]}}}"#)
        .assert()
        .code(1);
    let xml = stdout(&out);
    assert!(xml.contains("failures=\"1\""), "{xml}");
    assert!(xml.contains("<failure message=\""), "{xml}");
    assert!(
        xml.contains("violation at /data/Meetings/meetings/0/id"),
        "{xml}"
    );
    assert!(stderr(&out).contains("violation(s) of the contract"));
}

#[test]
fn diff_classifies_like_xtask_breaking() {
    let dir = tempfile::tempdir().unwrap();
    let spec = thoughtindustries_contract::EMBEDDED_SPEC;
    let old = dir.path().join("old.yaml");
    std::fs::write(&old, spec).unwrap();
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    // Identical: nothing to report, exit 0.
    let out = ti().arg("diff").arg(&old).arg(&old).assert().success();
    assert!(stdout(&out).contains("0 change(s), 0 breaking"));
    // A removed property without a major bump: exit 1, named in every format.
    let removed = write(
        "removed.yaml",
        spec.replacen("        attendeeInfo:\n", "        attendeeInfoGone:\n", 1),
    );
    let out = ti().arg("diff").arg(&old).arg(&removed).assert().code(1);
    assert!(
        stdout(&out).contains("breaking: removed property `attendeeInfo`"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("without a major version bump"));
    let out = ti()
        .args(["diff", "--format", "json"])
        .arg(&old)
        .arg(&removed)
        .assert()
        .code(1);
    let document: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(document["allowed"], json!(false));
    assert!(document["breaking"].as_u64().unwrap() >= 1);
    let out = ti()
        .args(["diff", "--format", "junit"])
        .arg(&old)
        .arg(&removed)
        .assert()
        .code(1);
    assert!(stdout(&out).contains("<failure message=\"breaking: removed property"));
    // The same change with a major bump is allowed.
    let bumped = write(
        "bumped.yaml",
        spec.replacen("        attendeeInfo:\n", "        attendeeInfoGone:\n", 1)
            .replacen("  version: ", "  version: 9", 1),
    );
    ti().arg("diff").arg(&old).arg(&bumped).assert().success();
    // Not a spec: exit 2.
    let junk = write("junk.yaml", "openapi: [".to_owned());
    ti().arg("diff").arg(&old).arg(&junk).assert().code(2);
}

#[tokio::test(flavor = "multi_thread")]
async fn contract_reports_injected_drift_at_exactly_its_path() {
    let server = MockServer::start(MockConfig {
        faults: Faults {
            drift: vec![Drift {
                pointer: "/data/Meetings/meetings/2/course/title".into(),
                value: json!(42),
                trigger: Trigger::Always,
            }],
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let mut cmd = ti();
    cmd.env("TI_BASE_URL", server.base_url())
        .env("TI_API_KEY", DEMO_TOKEN)
        .args(["contract", "--pages", "2", "--format", "ndjson"]);
    let out = run(cmd).await.code(1);
    let reports: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 3, "two pages and the first meeting's detail");
    for (index, report) in reports.iter().take(2).enumerate() {
        assert_eq!(report["page"], json!(index + 1));
        let findings = report["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 1, "{report}");
        assert_eq!(
            findings[0]["instance_path"],
            "/data/Meetings/meetings/2/course/title"
        );
        assert_eq!(findings[0]["severity"], "violation");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn contract_json_stays_one_document_when_the_api_fails() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let mut cmd = ti();
    cmd.env("TI_BASE_URL", server.base_url())
        .env("TI_API_KEY", "wrong-key")
        .args(["contract", "--format", "json"]);
    let out = run(cmd).await.code(3);
    let document: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(document["checked"], json!(0));
    assert!(stderr(&out).contains("401"), "{}", stderr(&out));
}

/// A mock tenant whose API has grown as the issue's "Done when" says: undocumented fields of
/// several types (a string URL, an integer, a nested object, a field on the nested course and on
/// each attendee) and a new enumeration value.
async fn grown_api() -> MockServer {
    let drift = |pointer: &str, value: Value| Drift {
        pointer: pointer.into(),
        value,
        trigger: Trigger::Always,
    };
    let drifts = vec![
        drift(
            "/data/Meetings/meetings/*/recordingUrl",
            json!("https://video.example.com/r/1"),
        ),
        drift("/data/Meetings/meetings/*/seatsRemaining", json!(12)),
        drift(
            "/data/Meetings/meetings/*/recording",
            json!({"provider": "zoom", "durationSeconds": 3600}),
        ),
        drift(
            "/data/Meetings/meetings/*/course/deliveryMode",
            json!("hybrid"),
        ),
        drift(
            "/data/Meetings/meetings/*/attendees/*/pronouns",
            json!("they/them"),
        ),
        drift("/data/Meetings/meetings/0/course/status", json!("retired")),
    ];
    MockServer::start(MockConfig {
        faults: Faults {
            drift: drifts,
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

const GROWN: [&str; 5] = [
    "Course.deliveryMode",
    "Meeting.recording",
    "Meeting.recordingUrl",
    "Meeting.seatsRemaining",
    "User.pronouns",
];

#[tokio::test(flavor = "multi_thread")]
async fn drift_is_named_in_every_format_and_fails_only_with_fail_on_drift() {
    let server = grown_api().await;
    let contract = |args: &[&str]| {
        let mut cmd = ti();
        cmd.env("TI_BASE_URL", server.base_url())
            .env("TI_API_KEY", DEMO_TOKEN)
            .args(["contract", "--pages", "2"])
            .args(args);
        cmd
    };

    let out = run(contract(&[])).await.success();
    let text = stdout(&out);
    for field in GROWN {
        assert!(
            text.contains(&format!("drift: {field}: ")),
            "{field}: {text}"
        );
    }
    // Two pages of 25, and the detail of the first meeting (which the drifts above leave alone).
    assert!(
        text.contains("drift: Meeting.recordingUrl: string (uri), on 50 of 51 Meeting"),
        "{text}"
    );
    assert!(
        text.contains("drift: CourseStatus: new value \"retired\""),
        "{text}"
    );
    assert!(
        text.contains("page 1: ok (0 violation(s), 6 notice(s))"),
        "{text}"
    );
    assert!(stderr(&out).contains("--propose FILE"));

    let out = run(contract(&["--fail-on-drift"])).await.code(1);
    assert!(stderr(&out).contains("5 undocumented field(s) and 1 new enumeration value(s)"));

    let out = run(contract(&["--format", "json"])).await.success();
    let document: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let fields: Vec<&str> = document["drift"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, GROWN);
    let url = &document["drift"]["fields"][2];
    assert_eq!(url["formats"], json!(["uri"]));
    assert_eq!((&url["records"], &url["of"]), (&json!(50), &json!(51)));
    assert_eq!(document["drift"]["enumValues"][0]["value"], "retired");
    assert_eq!(document["valid"], true);

    let out = run(contract(&["--format", "ndjson"])).await.success();
    let first: Value = serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    let undocumented = first["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["keyword"] == "undocumented" && f["severity"] == "notice")
        .count();
    assert_eq!(undocumented, 5, "{first}");

    for (flags, failures) in [
        (&["--format", "junit"][..], 0),
        (&["--format", "junit", "--fail-on-drift"][..], 1),
    ] {
        let out = run(contract(flags)).await.code(failures);
        let xml = stdout(&out);
        assert!(
            xml.contains(&format!("tests=\"4\" failures=\"{failures}\"")),
            "{xml}"
        );
        assert!(xml.contains("<testcase classname=\"drift\""), "{xml}");
        assert!(xml.contains("Meeting.recordingUrl: string (uri)"), "{xml}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn propose_writes_only_additions_that_ti_diff_calls_non_breaking() {
    let server = grown_api().await;
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("original.yaml");
    std::fs::write(&original, thoughtindustries_contract::EMBEDDED_SPEC).unwrap();
    let proposed = dir.path().join("meetings.yaml");
    std::fs::write(&proposed, thoughtindustries_contract::EMBEDDED_SPEC).unwrap();
    let mut cmd = ti();
    cmd.env("TI_BASE_URL", server.base_url())
        .env("TI_API_KEY", DEMO_TOKEN)
        .args(["contract", "--pages", "2", "--propose"])
        .arg(&proposed);
    let out = run(cmd).await.success();
    assert!(
        stderr(&out).contains("with 6 addition(s)"),
        "{}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(&proposed).unwrap();
    let old = thoughtindustries_contract::EMBEDDED_SPEC;
    assert!(text.len() > old.len());
    // Every original line is still there, in order.
    let mut lines = text.lines();
    for line in old
        .lines()
        .filter(|l| !l.contains("x-extensible-enum: [archived"))
    {
        assert!(lines.any(|l| l == line), "lost or moved: {line}");
    }
    for field in [
        "recordingUrl:",
        "seatsRemaining:",
        "recording:",
        "deliveryMode:",
        "pronouns:",
    ] {
        assert!(text.contains(&format!("        {field}\n")), "{field}");
    }
    assert!(text.contains("loginRestriction, pending, published, retired]"));

    let out = ti()
        .arg("diff")
        .arg(&original)
        .arg(&proposed)
        .assert()
        .success();
    assert!(
        stdout(&out).contains("6 change(s), 0 breaking"),
        "{}",
        stdout(&out)
    );

    // A body recorded from the same tenant: `ti validate` sees its drift (exit 1 with
    // --fail-on-drift) and proposes it into the proposed spec, which already describes it all.
    let body = recorded_page(&server).await;
    let recorded = dir.path().join("page.json");
    std::fs::write(&recorded, body).unwrap();
    let out = ti()
        .args(["validate", "--fail-on-drift", "--propose"])
        .arg(&proposed)
        .arg(&recorded)
        .assert()
        .code(1);
    assert!(
        stderr(&out).contains("already describes everything seen"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&proposed).unwrap(), text);
}

/// Page 1 of the mock's listing, as received.
async fn recorded_page(server: &MockServer) -> Vec<u8> {
    let client = thoughtindustries::Client::builder()
        .base_url(&server.base_url())
        .api_key(DEMO_TOKEN.into())
        .build()
        .unwrap();
    client.fetch_page_body(1, None).await.unwrap().to_vec()
}

#[test]
fn validate_proposes_into_a_new_file_from_the_spec_ti_was_built_with() {
    let mut body: Value =
        serde_json::from_str(thoughtindustries_spec::examples::REFERENCE_PAGE).unwrap();
    body["data"]["Meetings"]["meetings"][0]["recordingUrl"] =
        json!("https://video.example.com/r/1");
    let dir = tempfile::tempdir().unwrap();
    let proposed = dir.path().join("proposed.yaml");
    let out = ti()
        .args(["validate", "-", "--format", "json", "--propose"])
        .arg(&proposed)
        .write_stdin(body.to_string())
        .assert()
        .success();
    let document: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        document["drift"]["fields"][0]["field"],
        "Meeting.recordingUrl"
    );
    assert_eq!(document["notices"], 1);
    let text = std::fs::read_to_string(&proposed).unwrap();
    let spec = thoughtindustries_contract::EMBEDDED_SPEC;
    assert!(text.starts_with(&spec[..spec.find("    NestedMeeting:").unwrap() - 200]));
    assert!(
        text.contains("        recordingUrl:\n          type: string\n          format: uri\n")
    );
    // The proposal, validated against itself: nothing is left undocumented.
    let report = thoughtindustries_contract::Spec::parse(&text)
        .unwrap()
        .validate_response("list_meetings", 200, &body)
        .unwrap();
    assert!(report.findings.is_empty(), "{report}");
}
