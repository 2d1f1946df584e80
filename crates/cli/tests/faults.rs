//! `ti` through the mock's fault injection, bad user input, and the API key's secrecy.
//!
//! - Faults hitting only the first attempts of each page are survived: `ti meetings list --all
//!   --format ndjson` prints exactly the tenant's meetings, in order, and exits 0.
//! - Faults hitting every request end with the documented exit code: 3 for error statuses (429,
//!   5xx), 4 for transport failures (dropped connections, bodies cut short, stalls past
//!   `--timeout`), 5 for 200s that are not a page (empty body, error object). Pages delivered
//!   before the failure are printed once; nothing after it.
//! - Bad input exits 2 with a message naming what was wrong.
//! - With `-vv` and `RUST_LOG=trace`, neither stdout nor stderr ever shows the API key, even
//!   when the server echoes the request (its headers, body and URL) in its error bodies.

mod common;

use assert_cmd::Command;
use assert_cmd::assert::Assert;
use common::{run, stderr, stdout, ti};
use serde_json::Value;
use thoughtindustries_mock::{
    DEMO_TOKEN, Faults, MockConfig, MockServer, RateLimit, ServerError, SyntheticOptions, Tenant,
    Trigger,
};

/// A key that must never be printed.
const SECRET: &str = "ti-sk-cli-5e4d3c2b1a-do-not-print";

/// The test tenant: 70 meetings, 4 pages of 20 (the last one partial).
const MEETINGS: usize = 70;
const PER_PAGE: usize = 20;
const PAGES: u64 = 4;

/// `ti meetings list --all --format ndjson` against `base` with `key`, plus `extra` flags.
fn list_all(base: &str, key: &str, extra: &[&str]) -> Command {
    let mut cmd = ti();
    cmd.env("TI_BASE_URL", base)
        .env("TI_API_KEY", key)
        .args(["meetings", "list", "--all", "--format", "ndjson"])
        .args(extra);
    cmd
}

fn tenant() -> Tenant {
    Tenant::synthetic(SyntheticOptions {
        seed: 99,
        courses: 3,
        meetings: MEETINGS,
    })
}

async fn mock_with_token(token: &str, faults: Faults) -> MockServer {
    MockServer::start(MockConfig {
        token: token.to_owned(),
        tenant: tenant(),
        per_page: PER_PAGE,
        faults,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

async fn mock(faults: Faults) -> MockServer {
    mock_with_token(DEMO_TOKEN, faults).await
}

/// The ids of the first `pages` pages, in the order the API serves them.
fn expected_ids(pages: u64) -> Vec<String> {
    let mut ids = tenant().meeting_ids(None);
    ids.truncate(pages as usize * PER_PAGE);
    ids
}

/// The `id` of every ndjson line.
fn ids(assert: &Assert) -> Vec<String> {
    stdout(assert)
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            record["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// `text` without ANSI escape sequences (the log formatter colours its output).
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters... final byte in @..~
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[track_caller]
fn assert_no_secret(assert: &Assert) {
    let (out, err) = (stdout(assert), stderr(assert));
    for (name, text) in [("stdout", out), ("stderr", err)] {
        for text in [plain(&text), text] {
            // The key, or a part of it (an excerpt cut in its middle).
            for fragment in [SECRET, "5e4d3c2b1a", "Bearer ti-sk"] {
                assert!(!text.contains(fragment), "{name} shows the key:\n{text}");
            }
        }
    }
}

/// A port nothing listens on, held for as long as the returned socket lives: bound, so the OS
/// gives it to no other test, but never listening, so a connection to it is refused.
fn refused_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    (socket, port)
}

fn server_error(trigger: Trigger, status: u16, html: bool) -> Faults {
    Faults {
        server_error: Some(ServerError {
            trigger,
            status,
            html,
        }),
        ..Faults::default()
    }
}

fn rate_limit(trigger: Trigger) -> Faults {
    Faults {
        rate_limit: Some(RateLimit::Triggered {
            trigger,
            retry_after_secs: 0,
            limit: 60,
        }),
        ..Faults::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_on_the_first_attempts_are_survived_with_every_meeting_once() {
    let expected = expected_ids(PAGES);
    assert_eq!(expected.len(), MEETINGS);
    let cases: Vec<(&str, Faults, &[&str])> = vec![
        ("429 storm", rate_limit(Trigger::FirstPerPage(3)), &[]),
        (
            "500",
            server_error(Trigger::FirstPerPage(2), 500, false),
            &[],
        ),
        (
            "502",
            server_error(Trigger::FirstPerPage(2), 502, false),
            &[],
        ),
        (
            "503",
            server_error(Trigger::FirstPerPage(2), 503, false),
            &[],
        ),
        (
            "504",
            server_error(Trigger::FirstPerPage(2), 504, false),
            &[],
        ),
        (
            "HTML 502",
            server_error(Trigger::FirstPerPage(2), 502, true),
            &[],
        ),
        (
            "dropped connections",
            Faults {
                drop_connection: Some(Trigger::FirstPerPage(2)),
                ..Faults::default()
            },
            &[],
        ),
        (
            "bodies cut short",
            Faults {
                truncate_body: Some(Trigger::FirstPerPage(2)),
                ..Faults::default()
            },
            &[],
        ),
        (
            "stalled bodies",
            Faults {
                stall_body: Some(Trigger::FirstPerPage(1)),
                ..Faults::default()
            },
            &["--timeout", "1"],
        ),
        (
            "hasMore forever",
            Faults {
                has_more_forever: true,
                ..Faults::default()
            },
            &[],
        ),
    ];
    for (name, faults, extra) in cases {
        let server = mock(faults).await;
        let assert = run(list_all(&server.base_url(), DEMO_TOKEN, extra)).await;
        let code = assert.get_output().status.code();
        assert_eq!(code, Some(0), "{name}: {}", stderr(&assert));
        assert_eq!(ids(&assert), expected, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_error_statuses_exit_3_after_the_retries() {
    // A 429 with a wait is waited for without using up --max-retries, 16 times at most.
    for (name, faults, status, attempts) in [
        ("429", rate_limit(Trigger::Always), "429", 17),
        ("500", server_error(Trigger::Always, 500, false), "500", 2),
        ("502", server_error(Trigger::Always, 502, true), "502", 2),
        ("503", server_error(Trigger::Always, 503, false), "503", 2),
        ("504", server_error(Trigger::Always, 504, false), "504", 2),
    ] {
        let server = mock(faults).await;
        let assert = run(list_all(
            &server.base_url(),
            DEMO_TOKEN,
            &["--max-retries", "1"],
        ))
        .await
        .code(3);
        let err = stderr(&assert);
        assert!(
            err.contains(&format!("page 1: HTTP {status}"))
                && err.contains(&format!("after {attempts} attempts")),
            "{name}: {err}"
        );
        assert!(stdout(&assert).is_empty(), "{name}");
        assert_eq!(
            server.stats().status(status.parse().unwrap()),
            attempts,
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_transport_failures_exit_4() {
    for (name, faults, extra, expect) in [
        (
            "dropped connections",
            Faults {
                drop_connection: Some(Trigger::Always),
                ..Faults::default()
            },
            &["--max-retries", "1"][..],
            "transport error",
        ),
        (
            "bodies cut short",
            Faults {
                truncate_body: Some(Trigger::Always),
                ..Faults::default()
            },
            &["--max-retries", "1"][..],
            "transport error (body)",
        ),
        (
            "stalled body",
            Faults {
                stall_body: Some(Trigger::Always),
                ..Faults::default()
            },
            &["--max-retries", "1", "--timeout", "0.5"][..],
            "transport error (timeout)",
        ),
    ] {
        let server = mock(faults).await;
        let assert = run(list_all(&server.base_url(), DEMO_TOKEN, extra))
            .await
            .code(4);
        let err = stderr(&assert);
        assert!(
            err.contains(expect) && err.contains("page 1"),
            "{name}: {err}"
        );
        assert!(stdout(&assert).is_empty(), "{name}");
        assert_eq!(server.stats().requests, 2, "{name}: one retry");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_that_is_not_a_page_exits_5_after_printing_the_pages_before_it() {
    for (name, faults, expect) in [
        (
            "empty body",
            Faults {
                empty_body: Some(Trigger::EveryNth(3)),
                ..Faults::default()
            },
            "page 3: the response does not match the contract at `.`: the body is empty",
        ),
        (
            "error object",
            Faults {
                error_object: Some(Trigger::EveryNth(3)),
                ..Faults::default()
            },
            "page 3: the response does not match the contract at `.`: the API answered with an \
             error object instead of data: internal_error",
        ),
    ] {
        let server = mock(faults).await;
        // One page at a time, so that the third request is page 3.
        let assert = run(list_all(
            &server.base_url(),
            DEMO_TOKEN,
            &["--concurrency", "1"],
        ))
        .await
        .code(5);
        assert!(
            stderr(&assert).contains(expect),
            "{name}: {}",
            stderr(&assert)
        );
        assert_eq!(ids(&assert), expected_ids(2), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_ignoring_page_exits_5_at_the_repeat_instead_of_a_request_storm() {
    // The storm of issue 13: every page is page 1, `hasMore` never ends, and (second case) no
    // record decodes, so nothing but the raw records tells one page from the next.
    let only_bad_records = Some(thoughtindustries_mock::Drift {
        pointer: "/data/Meetings/meetings".into(),
        value: serde_json::json!([{ "id": "not-a-uuid" }]),
        trigger: Trigger::Always,
    });
    for (name, drift, printed) in [
        ("good records", None, expected_ids(1)),
        ("undecodable records", only_bad_records, Vec::new()),
    ] {
        let server = mock(Faults {
            ignore_page: true,
            has_more_forever: true,
            drift: drift.into_iter().collect(),
            ..Faults::default()
        })
        .await;
        let assert = run(list_all(&server.base_url(), DEMO_TOKEN, &[]))
            .await
            .code(5);
        let err = stderr(&assert);
        assert!(
            err.contains("page 2: the server sent the same meetings as page 1"),
            "{name}: {err}"
        );
        assert_eq!(ids(&assert), printed, "{name}");
        let requests = server.stats().requests;
        assert!((2..=5).contains(&requests), "{name}: {requests} requests");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let empty_key = dir.path().join("empty-key");
    std::fs::write(&empty_key, "\n").unwrap();
    let directory = dir.path().to_str().unwrap().to_owned();
    let empty = empty_key.to_str().unwrap().to_owned();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--course-id", "not-a-uuid"], "not-a-uuid"),
        (
            vec!["--course-id", "5f1f8a9e-2c4b-4d3a-8e7f"],
            "--course-id",
        ),
        (
            vec!["--course-id", "5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f0"],
            "--course-id",
        ),
        (vec!["--page", "0"], "--page"),
        (vec!["--page", "-3"], "-3"),
        (vec!["--page", "two"], "two"),
        (vec!["--timeout", "0"], "positive number of seconds"),
        (vec!["--timeout", "NaN"], "positive number of seconds"),
        (vec!["--concurrency", "0"], "--concurrency"),
        (vec!["--max-retries", "-1"], "'-1'"),
        (vec!["--frobnicate"], "--frobnicate"),
        (
            vec!["--api-key-file", &directory],
            "cannot read the API key file",
        ),
        (vec!["--api-key-file", &empty], "is empty"),
    ];
    for (args, expect) in cases {
        let assert = ti()
            .env("TI_BASE_URL", "http://127.0.0.1:9")
            .env("TI_API_KEY", SECRET)
            .args(["meetings", "list"])
            .args(&args)
            .assert()
            .code(2);
        let err = stderr(&assert);
        assert!(err.contains(expect), "{args:?}: {err}");
        assert_no_secret(&assert);
    }

    for (url, expect) in [
        ("http://learn.example.com", "refusing plain http://"),
        ("http://10.1.2.3:8080", "refusing plain http://"),
        ("ftp://learn.example.com", "\"ftp\""),
        ("not a url", "invalid base URL"),
    ] {
        let assert = ti()
            .env("TI_BASE_URL", url)
            .env("TI_API_KEY", SECRET)
            .args(["meetings", "list"])
            .assert()
            .code(2);
        let err = stderr(&assert);
        assert!(err.contains(expect), "{url}: {err}");
        assert_no_secret(&assert);
    }

    // A key that cannot be sent in a header is refused without being echoed.
    let assert = ti()
        .env("TI_BASE_URL", "http://127.0.0.1:9")
        .env("TI_API_KEY", format!("{SECRET}\u{1b}"))
        .args(["meetings", "list"])
        .assert()
        .code(2);
    assert!(stderr(&assert).contains("API key"), "{}", stderr(&assert));
    assert_no_secret(&assert);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_logs_show_retries_but_never_the_key() {
    // Success through retries of every kind, logged at TRACE.
    let server = mock_with_token(
        SECRET,
        Faults {
            rate_limit: Some(RateLimit::Triggered {
                trigger: Trigger::FirstPerPage(1),
                retry_after_secs: 0,
                limit: 60,
            }),
            server_error: Some(ServerError {
                trigger: Trigger::FirstPerPage(1),
                status: 503,
                html: false,
            }),
            drop_connection: Some(Trigger::FirstPerPage(1)),
            ..Faults::default()
        },
    )
    .await;
    let mut cmd = list_all(&server.base_url(), SECRET, &["-vv", "--max-retries", "4"]);
    cmd.env("RUST_LOG", "trace");
    let assert = run(cmd).await.success();
    assert_eq!(ids(&assert), expected_ids(PAGES));
    let err = plain(&stderr(&assert));
    for needle in [
        "retrying",
        "attempt=",
        "status=429",
        "status=503",
        "delay_ms=",
    ] {
        assert!(err.contains(needle), "no {needle:?} in:\n{err}");
    }
    assert_no_secret(&assert);

    // Failures: a rejected key (401), persistent 503s, a stall cut off by the timeout, a refused
    // connection; the key read from a file as well as from TI_API_KEY.
    let rejecting = mock_with_token("another-token", Faults::default()).await;
    let failing = mock_with_token(SECRET, server_error(Trigger::Always, 503, true)).await;
    let stalled = mock_with_token(
        SECRET,
        Faults {
            stall_body: Some(Trigger::Always),
            ..Faults::default()
        },
    )
    .await;
    let (_held, port) = refused_port();
    let refused = format!("http://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, format!("{SECRET}\n")).unwrap();
    let key_file = key_file.to_str().unwrap().to_owned();
    for (base, code, extra) in [
        (rejecting.base_url(), 3, vec![]),
        (failing.base_url(), 3, vec!["--max-retries", "1"]),
        (
            stalled.base_url(),
            4,
            vec!["--max-retries", "1", "--timeout", "0.3"],
        ),
        (refused, 4, vec!["--max-retries", "1"]),
        (
            rejecting.base_url(),
            3,
            vec!["--api-key-file", key_file.as_str()],
        ),
    ] {
        let mut args = vec!["-vv"];
        args.extend(extra);
        let mut cmd = list_all(&base, SECRET, &args);
        cmd.env("RUST_LOG", "trace");
        let assert = run(cmd).await.code(code);
        assert!(!stderr(&assert).is_empty());
        assert_no_secret(&assert);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_output_shows_the_key_when_the_server_echoes_it_back_at_any_verbosity() {
    const MEETING: &str = "00000000-0000-4000-8000-000000000001";
    const USER: &str = "00000000-0000-4000-8000-000000000002";
    let commands: [&[&str]; 5] = [
        &["meetings", "list"],
        &["meetings", "list", "--all"],
        &["meetings", "get", MEETING],
        &[
            "attendance",
            "set",
            "--meeting",
            MEETING,
            "--user",
            USER,
            "--attended",
        ],
        &["attendance", "bulk", "--meeting", MEETING, "--absent", "-"],
    ];
    for status in [400, 401, 429, 500] {
        // A gateway that echoes each request back (headers, body, URL): `ti mock --echo`.
        let server = MockServer::start(MockConfig {
            faults: Faults {
                echo: Some(status),
                ..Faults::default()
            },
            ..MockConfig::default()
        })
        .await
        .unwrap();
        for verbosity in [&[][..], &["-v"][..], &["-vv"][..]] {
            for command in commands {
                let mut cmd = ti();
                cmd.env("TI_BASE_URL", server.base_url())
                    .env("TI_API_KEY", SECRET)
                    .args(verbosity)
                    .args(command)
                    .args(["--max-retries", "0", "--max-wait", "0.1"])
                    .write_stdin(format!("{USER}\n"));
                if verbosity.len() == 1 && verbosity[0] == "-vv" {
                    cmd.env("RUST_LOG", "trace");
                }
                let assert = run(cmd).await.failure();
                let shown = format!("{}{}", stdout(&assert), stderr(&assert));
                // The echo reached the output (the key replaced, or cut off by the excerpt).
                assert!(
                    shown.contains("[REDACTED]") || shown.contains("authorization: Bearer"),
                    "{status} {verbosity:?} {command:?}: no echo shown:\n{shown}"
                );
                assert_no_secret(&assert);
            }
        }
    }
}
