//! End-to-end tests of what `ti meetings list` writes: exact JSON bytes, the table, broken pipes,
//! messages, the calendar. Pages with exact bytes come from a tiny server answering every request
//! with one fixed body.

#[allow(dead_code)]
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use common::{stderr, stdout, ti};

/// A server on 127.0.0.1 answering every request with `status` and `body`; returns its base URL.
fn serve(status: u16, body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
            let _ = stream.read(&mut [0; 1]);
        }
    });
    base
}

/// `ti meetings list` against `base`, with `args`.
fn list(base: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    ti().env("TI_BASE_URL", base)
        .env("TI_API_KEY", "k")
        .args(["meetings", "list", "--max-retries", "0"])
        .args(args)
        .assert()
}

/// A page with `records` and the given `pageInfo`.
fn page(page_info: &str, records: &[&str]) -> String {
    format!(
        r#"{{"data":{{"Meetings":{{"pageInfo":{page_info},"meetings":[{}]}}}}}}"#,
        records.join(",")
    )
}

/// Unknown fields (nested too), an offset, a fraction of a second, `0` and `1.50`, escapes.
const ODD: &str = r#"{"id":"0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11","courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f","course":{"title":"Caf\u00e9 \"Basics\"","vendorNew":{"a":[1,2]}},"startDate":"2024-05-01T11:00:00.000+02:00","endDate":"2024-05-01T10:00:00Z","seats":0,"price":1.50,"big":12345678901234567890,"title":"Tuesday"}"#;
/// The same kind of record as a pretty-printing server sends it.
const PRETTY: &str = "{\n  \"id\": \"1b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11\",\n  \"courseId\": \"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f\",\n  \"course\": {},\n  \"startDate\": \"2024-05-01T09:00:00Z\",\n  \"endDate\": \"2024-05-01T10:00:00.5Z\",\n  \"note\": \"two\\nlines\"\n}";

#[test]
fn json_and_ndjson_write_each_meeting_as_received() {
    let base = serve(200, page(r#"{"hasMore":false}"#, &[ODD, PRETTY]));
    let json = list(&base, &["--format", "json"]).success();
    assert_eq!(stdout(&json), format!("[\n{ODD},\n{PRETTY}\n]\n"));
    let nd = list(&base, &["--format", "ndjson"]).success();
    let one_line = PRETTY.replace('\n', "");
    assert_eq!(stdout(&nd), format!("{ODD}\n{one_line}\n"));
    // Still JSON meaning the same thing: the line breaks were whitespace between tokens.
    let a: serde_json::Value = serde_json::from_str(PRETTY).unwrap();
    let b: serde_json::Value = serde_json::from_str(&one_line).unwrap();
    assert_eq!(a, b);
}

/// A meeting in `zone` with `id`'s first hex digit, for the message tests.
fn meeting(digit: char, zone: &str, start: &str) -> String {
    format!(
        r#"{{"id":"{digit}b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11","courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f","course":{{}},"timeZone":"{zone}","startDate":"{start}","endDate":"2024-05-01T10:00:00Z"}}"#
    )
}

#[test]
fn flag_messages_say_what_is_expected() {
    let page0 = ti()
        .args(["meetings", "list", "--page", "0"])
        .assert()
        .code(2);
    assert!(
        stderr(&page0).contains("pages are numbered from 1"),
        "{}",
        stderr(&page0)
    );
    let uuid = ti()
        .args(["meetings", "list", "--course-id", "notauuid"])
        .assert()
        .code(2);
    let err = stderr(&uuid);
    assert!(
        err.contains("not a UUID") && err.contains("5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f"),
        "{err}"
    );
    assert!(!err.contains("invalid character"), "{err}");
}

#[test]
fn both_connection_variables_are_named_and_a_flag_wins() {
    let both = ti()
        .env("TI_TENANT", "acme")
        .env("TI_BASE_URL", "https://learn.example.com")
        .env("TI_API_KEY", "k")
        .args(["meetings", "list"])
        .assert()
        .code(2);
    let err = stderr(&both);
    assert!(
        err.contains("TI_TENANT") && err.contains("TI_BASE_URL") && err.contains("unset"),
        "{err}"
    );
    assert!(!err.contains("--tenant <NAME>' cannot be used"), "{err}");
    // A flag wins over both variables.
    let base = serve(200, page(r#"{"hasMore":false}"#, &[ODD]));
    ti().env("TI_TENANT", "acme")
        .env("TI_BASE_URL", "https://learn.example.com")
        .env("TI_API_KEY", "k")
        .args([
            "meetings",
            "list",
            "--format",
            "ndjson",
            "--base-url",
            &base,
        ])
        .assert()
        .success();
}

#[test]
fn a_page_past_the_end_says_how_many_pages_there_are() {
    let base = serve(
        200,
        page(r#"{"total":80,"perPage":25,"hasMore":false}"#, &[]),
    );
    let assert = list(&base, &["--page", "99", "--format", "json"]).success();
    assert_eq!(stdout(&assert), "[]\n");
    let err = stderr(&assert);
    assert!(
        err.contains("page 99 is past the end") && err.contains("4 page(s)"),
        "{err}"
    );
}

#[test]
fn a_bad_timestamp_names_the_value_and_the_form_expected() {
    let bad = meeting('2', "UTC", "2024-01-01 02:00:00");
    let base = serve(200, page(r#"{"hasMore":false}"#, &[ODD, &bad]));
    let assert = list(&base, &["--format", "ndjson"]).code(5);
    assert_eq!(stdout(&assert), format!("{ODD}\n"));
    let err = stderr(&assert);
    assert!(
        err.contains(r#""2024-01-01 02:00:00""#)
            && err.contains("RFC 3339")
            && err.contains("startDate"),
        "{err}"
    );
    assert!(!err.contains("premature end of input"), "{err}");
}

#[test]
fn placeholder_counts_and_zones_are_said_once() {
    let records = [
        meeting('3', "Eastern", "2024-05-01T09:00:00Z"),
        meeting('4', "Eastern", "2024-05-01T09:00:00Z"),
        meeting('5', "Europe/Paris", "2024-05-01T09:00:00Z"),
    ];
    let records: Vec<&str> = records.iter().map(String::as_str).collect();
    let base = serve(200, page(r#"{"total":0,"hasMore":true}"#, &records));
    let assert = list(&base, &["--format", "table"]).success();
    let err = stderr(&assert);
    assert_eq!(err.matches("placeholder").count(), 1, "{err}");
    assert!(!err.contains("of 0 meetings"), "{err}");
    assert_eq!(err.matches(r#""Eastern""#).count(), 1, "{err}");
    assert!(
        err.contains("IANA") && !err.contains("Europe/Paris"),
        "{err}"
    );
    let out = stdout(&assert);
    assert!(
        out.contains("09:00 UTC") && out.contains("11:00 CEST"),
        "{out}"
    );
}

#[test]
fn a_closed_output_ends_quietly_with_success() {
    // The embedded mock's 120 meetings as NDJSON are far more than a pipe holds.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ti"))
        .args(["meetings", "list", "--all", "--format", "ndjson"])
        .env_remove("TI_TENANT")
        .env_remove("TI_BASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with('{'), "{first}");
    // The reader is dropped here, like `head` exiting.
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {err}", output.status);
    assert!(
        !err.contains("Broken pipe") && !err.contains("error"),
        "{err}"
    );
}
