//! `ti meetings get` and `ti attendance set|bulk` against the stateful mock.

mod common;

use assert_cmd::Command;
use common::{mock, run, stderr, stdout};
use serde_json::Value;
use thoughtindustries_mock::MockServer;

/// `ti ARGS` against `server`, with `stdin`.
fn ti_at(server: &MockServer, args: &[&str], stdin: &str) -> Command {
    let mut cmd = common::ti_at(server, args);
    cmd.write_stdin(stdin.to_owned());
    cmd
}

/// A meeting id and the ids of its attendees (at least two).
async fn meeting_and_attendees(server: &MockServer) -> (String, Vec<String>) {
    let assert = run(ti_at(
        server,
        &["meetings", "list", "--format", "ndjson"],
        "",
    ))
    .await
    .success();
    stdout(&assert)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find_map(|m| {
            let ids: Vec<String> = m["attendees"]
                .as_array()?
                .iter()
                .filter_map(|u| u["id"].as_str().map(str::to_owned))
                .collect();
            (ids.len() >= 2).then(|| (m["id"].as_str().unwrap().to_owned(), ids))
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn get_prints_the_meeting_and_an_unknown_id_exits_3() {
    let server = mock().await;
    let (meeting, _) = meeting_and_attendees(&server).await;
    let assert = run(ti_at(
        &server,
        &["meetings", "get", &meeting, "--format", "json"],
        "",
    ))
    .await
    .success();
    let body: Value = serde_json::from_str(&stdout(&assert)).unwrap();
    assert_eq!(body["id"], meeting.as_str());

    let assert = run(ti_at(
        &server,
        &["meetings", "get", "00000000-0000-4000-8000-000000000001"],
        "",
    ))
    .await
    .code(3);
    assert!(stderr(&assert).contains("not found"), "{}", stderr(&assert));
}

#[tokio::test(flavor = "multi_thread")]
async fn set_then_bulk_from_a_csv_then_partial_failure() {
    let server = mock().await;
    let (meeting, users) = meeting_and_attendees(&server).await;
    let assert = run(ti_at(
        &server,
        &[
            "attendance",
            "set",
            "--meeting",
            &meeting,
            "--user",
            &users[0],
            "--attended",
        ],
        "",
    ))
    .await
    .success();
    let user: Value = serde_json::from_str(&stdout(&assert)).unwrap();
    assert_eq!(user["id"], users[0].as_str());

    let csv = format!("email,userId\na@x.org,{}\nb@x.org,{}\n", users[0], users[1]);
    let assert = run(ti_at(
        &server,
        &["attendance", "bulk", "--meeting", &meeting, "--absent", "-"],
        &csv,
    ))
    .await
    .success();
    assert!(stdout(&assert).starts_with("updated\t2\nfailed\t0\nunknown outcome\t0\n"));

    let ids = format!("{}\n00000000-0000-4000-8000-000000000002\n", users[1]);
    let assert = run(ti_at(
        &server,
        &["attendance", "bulk", "--meeting", &meeting, "--attended"],
        &ids,
    ))
    .await
    .code(6);
    let out = stdout(&assert);
    assert!(out.contains("updated\t1\nfailed\t1\n"), "{out}");
    assert!(
        out.contains("failed\t00000000-0000-4000-8000-000000000002\t"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_line_is_named_and_nothing_is_sent() {
    let server = mock().await;
    let before = server.stats().requests;
    let assert = run(ti_at(
        &server,
        &[
            "attendance",
            "bulk",
            "--meeting",
            "00000000-0000-4000-8000-000000000003",
            "--attended",
        ],
        "00000000-0000-4000-8000-000000000004\nnot-an-id\n",
    ))
    .await
    .code(2);
    assert!(stderr(&assert).contains("line 2"), "{}", stderr(&assert));
    assert_eq!(server.stats().requests, before);
}

/// A write the server applied but answered with another status than the documented 200 (a
/// `202 Accepted`, a CDN's `520`): its outcome is unknown, so `ti` exits 7 and names the users to
/// re-send, for `set` and `bulk` alike; none is reported as failed ("nothing recorded").
#[tokio::test(flavor = "multi_thread")]
async fn a_write_answered_202_or_520_exits_7_naming_the_users_to_resend() {
    use thoughtindustries_mock::{Faults, MockConfig, Trigger, WriteAnswer};
    for status in [202, 520] {
        let server = MockServer::start(MockConfig {
            faults: Faults {
                write_answer: Some(WriteAnswer {
                    trigger: Trigger::Always,
                    status,
                }),
                ..Faults::default()
            },
            ..MockConfig::default()
        })
        .await
        .unwrap();
        let (meeting, users) = meeting_and_attendees(&server).await;
        let set = [
            "attendance",
            "set",
            "--meeting",
            &meeting,
            "--user",
            &users[0],
        ];
        let assert = run(ti_at(&server, &[&set[..], &["--attended"]].concat(), ""))
            .await
            .code(7);
        let err = stderr(&assert);
        assert!(
            err.contains("outcome unknown") && err.contains(&format!("re-send\t{}", users[0])),
            "{status}: {err}"
        );
        let bulk = [
            "attendance",
            "bulk",
            "--meeting",
            &meeting,
            "--attended",
            "-",
        ];
        let assert = run(ti_at(
            &server,
            &bulk,
            &format!("{}\n{}\n", users[0], users[1]),
        ))
        .await
        .code(7);
        let out = stdout(&assert);
        assert!(out.contains("failed\t0"), "{status}: {out}");
        for user in &users[..2] {
            assert!(
                out.contains(&format!("unknown\t{user}\t")),
                "{status}: {out}"
            );
        }
    }
}
