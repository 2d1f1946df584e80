//! End-to-end tests of `ti`: the binary against the in-process mock, its faults included. Every
//! exit code is covered.

use std::collections::HashSet;

mod common;

use assert_cmd::Command;
use common::{run, stderr, stdout, ti};
use serde_json::Value;
use thoughtindustries_mock::{
    DEMO_TOKEN, Drift, Faults, MockConfig, MockServer, ServerError, SyntheticOptions, Tenant,
    Trigger,
};

const SECRET: &str = "sk-live-d34db33f-never-print-me";

/// `ti` pointed at `base` with `key`.
fn ti_at(base: &str, key: &str) -> Command {
    let mut cmd = ti();
    cmd.env("TI_BASE_URL", base).env("TI_API_KEY", key);
    cmd
}

async fn mock(meetings: usize, faults: Faults) -> MockServer {
    MockServer::start(MockConfig {
        tenant: Tenant::synthetic(SyntheticOptions {
            seed: 7,
            courses: 5,
            meetings,
        }),
        faults,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

fn ndjson(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn without_a_tenant_it_uses_the_embedded_mock_and_says_so_once() {
    let assert = ti()
        .args(["meetings", "list", "--format", "json"])
        .assert()
        .success();
    let err = stderr(&assert);
    assert_eq!(err.matches("embedded mock").count(), 1, "{err}");
    let page: Vec<Value> = serde_json::from_str(&stdout(&assert)).unwrap();
    assert_eq!(page.len(), 25);
    assert!(err.contains("more pages exist"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_format_prints_the_page() {
    let server = mock(30, Faults::default()).await;
    let base = server.base_url();

    let json = run({
        let mut c = ti_at(&base, DEMO_TOKEN);
        c.args(["meetings", "list", "--format", "json"]);
        c
    })
    .await
    .success();
    let array: Vec<Value> = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(array.len(), 25);

    let nd = run({
        let mut c = ti_at(&base, DEMO_TOKEN);
        c.args(["meetings", "list", "--format", "ndjson", "--page", "2"]);
        c
    })
    .await
    .success();
    let records = ndjson(&stdout(&nd));
    assert_eq!(records.len(), 5);
    assert!(!stderr(&nd).contains("more pages exist"));

    let csv = run({
        let mut c = ti_at(&base, DEMO_TOKEN);
        c.args(["meetings", "list", "--format", "csv"]);
        c
    })
    .await
    .success();
    let text = stdout(&csv);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().get(0), Some("id"));
    assert_eq!(reader.records().count(), 25);

    let table = run({
        let mut c = ti_at(&base, DEMO_TOKEN);
        c.args(["meetings", "list", "--format", "table"]);
        c
    })
    .await
    .success();
    let text = stdout(&table);
    assert!(text.starts_with("START"), "{text}");
    assert_eq!(text.lines().count(), 26);
    let first_title = array[0]["title"].as_str().unwrap_or("(untitled)");
    assert!(
        text.contains(&first_title[..first_title.len().min(20)]),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn all_streams_every_page_in_order_exactly_once() {
    let server = mock(1_000, Faults::default()).await;
    let assert = run({
        let mut c = ti_at(&server.base_url(), DEMO_TOKEN);
        c.args([
            "meetings",
            "list",
            "--all",
            "--format",
            "ndjson",
            "--concurrency",
            "6",
        ]);
        c
    })
    .await
    .success();
    let ids: Vec<String> = ndjson(&stdout(&assert))
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1_000);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 1_000);
    let expected = Tenant::synthetic(SyntheticOptions {
        seed: 7,
        courses: 5,
        meetings: 1_000,
    })
    .meeting_ids(None);
    assert_eq!(ids, expected);
    assert!(server.stats().max_in_flight <= 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn course_filter_returns_only_that_course() {
    let server = mock(200, Faults::default()).await;
    let course = Tenant::synthetic(SyntheticOptions {
        seed: 7,
        courses: 5,
        meetings: 200,
    })
    .course_ids()[1];
    let assert = run({
        let mut c = ti_at(&server.base_url(), DEMO_TOKEN);
        c.args(["meetings", "list", "--all", "--format", "ndjson"])
            .args(["--course-id", &course.to_string()]);
        c
    })
    .await
    .success();
    let records = ndjson(&stdout(&assert));
    assert!(!records.is_empty());
    assert!(records.iter().all(|m| m["courseId"] == course.to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_2_for_usage_and_configuration_errors() {
    for args in [
        vec!["meetings", "list", "--page", "0"],
        vec!["meetings", "list", "--course-id", "not-a-uuid"],
        vec!["meetings", "list", "--no-such-flag"],
        vec!["meetings", "list", "--page", "2", "--all"],
        vec!["meetings", "list", "--format", "xml"],
        vec!["meetings", "list", "--api-key", SECRET],
    ] {
        let assert = ti().args(&args).assert().code(2);
        assert!(!stderr(&assert).is_empty(), "{args:?}");
    }
    let assert = ti_at("http://learn.example.com", SECRET)
        .args(["meetings", "list"])
        .assert()
        .code(2);
    assert!(stderr(&assert).contains("http://"), "{}", stderr(&assert));

    let assert = ti()
        .env("TI_TENANT", "acme")
        .args(["meetings", "list"])
        .assert()
        .code(2);
    assert!(stderr(&assert).contains("TI_API_KEY"));

    let assert = ti()
        .env("TI_TENANT", "acme")
        .args(["meetings", "list", "--api-key-file", "/nonexistent/key"])
        .assert()
        .code(2);
    assert!(stderr(&assert).contains("/nonexistent/key"));
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_3_for_error_statuses_naming_status_and_page() {
    let server = mock(30, Faults::default()).await;
    let assert = run({
        let mut c = ti_at(&server.base_url(), SECRET);
        c.args(["meetings", "list"]);
        c
    })
    .await
    .code(3);
    let err = stderr(&assert);
    assert!(err.contains("401") && err.contains("page 1"), "{err}");
    assert!(!err.contains(SECRET) && !stdout(&assert).contains(SECRET));

    let failing = mock(
        30,
        Faults {
            server_error: Some(ServerError {
                trigger: Trigger::Always,
                status: 503,
                html: true,
            }),
            ..Faults::default()
        },
    )
    .await;
    let assert = run({
        let mut c = ti_at(&failing.base_url(), DEMO_TOKEN);
        c.args(["meetings", "list", "--max-retries", "1"]);
        c
    })
    .await
    .code(3);
    let err = stderr(&assert);
    assert!(
        err.contains("503") && err.contains("after 2 attempts"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_4_for_transport_failures() {
    // A port held bound but never listening: refused, and no other test can take it meanwhile.
    let held = tokio::net::TcpSocket::new_v4().unwrap();
    held.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = held.local_addr().unwrap().port();
    let assert = ti_at(&format!("http://127.0.0.1:{port}"), SECRET)
        .args(["meetings", "list", "--max-retries", "0"])
        .assert()
        .code(4);
    assert!(stderr(&assert).contains("connect"), "{}", stderr(&assert));

    let stalled = mock(
        30,
        Faults {
            stall_body: Some(Trigger::Always),
            ..Faults::default()
        },
    )
    .await;
    let assert = run({
        let mut c = ti_at(&stalled.base_url(), DEMO_TOKEN);
        c.args(["meetings", "list", "--max-retries", "0", "--timeout", "0.5"]);
        c
    })
    .await
    .code(4);
    assert!(stderr(&assert).contains("timeout"), "{}", stderr(&assert));
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_5_for_contract_mismatches_naming_page_and_path() {
    let drifted = mock(
        60,
        Faults {
            drift: vec![Drift {
                pointer: "/data/Meetings/pageInfo/total".into(),
                value: Value::String("sixty".into()),
                trigger: Trigger::Always,
            }],
            ..Faults::default()
        },
    )
    .await;
    let assert = run({
        let mut c = ti_at(&drifted.base_url(), DEMO_TOKEN);
        c.args(["meetings", "list", "--page", "2"]);
        c
    })
    .await
    .code(5);
    let err = stderr(&assert);
    assert!(
        err.contains("page 2") && err.contains("data.Meetings.pageInfo.total"),
        "{err}"
    );

    // One odd record: the others are printed, the odd one is named, the exit code says so.
    let odd = mock(
        60,
        Faults {
            drift: vec![Drift {
                pointer: "/data/Meetings/meetings/3/startDate".into(),
                value: Value::String("next tuesday".into()),
                trigger: Trigger::Always,
            }],
            ..Faults::default()
        },
    )
    .await;
    let assert = run({
        let mut c = ti_at(&odd.base_url(), DEMO_TOKEN);
        c.args(["meetings", "list", "--format", "ndjson"]);
        c
    })
    .await
    .code(5);
    assert_eq!(ndjson(&stdout(&assert)).len(), 24);
    let err = stderr(&assert);
    assert!(err.contains("data.Meetings.meetings[3].startDate"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn null_aggregation_and_bucket_entries_keep_the_page() {
    // The spec tolerates null entries in `aggregations` and in `buckets`: the page's meetings are
    // all printed and the exit code is 0.
    for (pointer, value) in [
        ("/data/Meetings/aggregations", serde_json::json!([null])),
        ("/data/Meetings/aggregations/0/buckets/0", Value::Null),
    ] {
        let server = mock(
            30,
            Faults {
                drift: vec![Drift {
                    pointer: pointer.into(),
                    value,
                    trigger: Trigger::Always,
                }],
                ..Faults::default()
            },
        )
        .await;
        let assert = run({
            let mut c = ti_at(&server.base_url(), DEMO_TOKEN);
            c.args(["meetings", "list", "--all", "--format", "ndjson"]);
            c
        })
        .await
        .code(0);
        assert_eq!(ndjson(&stdout(&assert)).len(), 30, "{pointer}");
    }
}

#[test]
fn help_documents_exit_codes_and_version_prints() {
    let help = ti().args(["meetings", "list", "--help"]).assert().success();
    let text = stdout(&help);
    for line in [
        "Exit codes",
        "3  the API answered",
        "5  the response did not match",
    ] {
        assert!(text.contains(line), "{text}");
    }
    ti().arg("--version").assert().success();
}
