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
    let err = stderr(&out);
    assert_eq!(err.matches(": ok (0 violation(s)").count(), 3, "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn contract_reports_injected_drift_at_exactly_its_path() {
    let server = MockServer::start(MockConfig {
        faults: Faults {
            drift: Some(Drift {
                pointer: "/data/Meetings/meetings/2/course/title".into(),
                value: json!(42),
                trigger: Trigger::Always,
            }),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let mut cmd = ti();
    cmd.env("TI_BASE_URL", server.base_url())
        .env("TI_API_KEY", DEMO_TOKEN)
        .args(["contract", "--pages", "2", "--format", "json"]);
    let out = run(cmd).await.code(1);
    let reports: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 2);
    for (index, report) in reports.iter().enumerate() {
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
