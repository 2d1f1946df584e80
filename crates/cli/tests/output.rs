//! End-to-end tests of what `ti meetings list` writes: exact JSON bytes, the table, broken pipes,
//! messages, the calendar. Pages with exact bytes come from a tiny server answering every request
//! with one fixed body.

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
    // Every id flag and argument says the same, and counts say they start at 1.
    for args in [
        &["meetings", "get", "notauuid"][..],
        &[
            "attendance",
            "set",
            "--meeting",
            "x1",
            "--user",
            "5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f",
            "--attended",
        ],
        &["attendance", "bulk", "--meeting", "x1", "--attended"],
    ] {
        let out = ti().args(args).assert().code(2);
        let err = stderr(&out);
        assert!(
            err.contains("not a UUID") && !err.contains("invalid character"),
            "{args:?}: {err}"
        );
    }
    for args in [
        &[
            "attendance",
            "bulk",
            "--meeting",
            "5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f",
            "--attended",
            "--chunk-size",
            "0",
        ][..],
        &["contract", "--pages", "0"],
    ] {
        let out = ti().args(args).assert().code(2);
        let err = stderr(&out);
        assert!(
            err.contains("must be at least 1") && !err.contains("18446744073709551615"),
            "{args:?}: {err}"
        );
    }
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

/// Unfolded content lines of an iCalendar text, checking folding and CRLF on the way.
fn check_lines(ics: &str) {
    assert!(ics.ends_with("\r\n"), "{ics}");
    for line in ics.split_terminator("\r\n") {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line break: {line:?}"
        );
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
}

/// RFC 5545 text unescaped.
fn unescape(text: &str) -> String {
    text.replace("\\n", "\n")
        .replace("\\N", "\n")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
}

#[test]
fn ics_has_one_event_per_meeting_that_an_independent_parser_reads() {
    let berlin = r#"{"id":"0a6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11","courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f","course":{"title":"Grundlagen"},"title":"Kick-off; Q&A, Teil 1 — ein sehr langer Titel, der über fünfundsiebzig Oktette hinausgeht","timeZone":"Europe/Berlin","startDate":"2024-07-01T07:00:00.000Z","endDate":"2024-07-01T08:30:00Z","location":{"name":"Haus A","room":"R 1","city":"Berlin"},"joinUrl":"https://meet.example.com/j/123?pwd=abc","attendeeInfo":"Bring a laptop,\nand a charger; see you","instructors":["Ada Lovelace","Alan Turing"],"attendees":[]}"#;
    let unknown = r#"{"id":"0c6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11","courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f","course":{"title":"Course Only"},"timeZone":"Eastern","startDate":"2024-01-10T15:00:00Z","endDate":"2024-01-10T16:00:00Z","joinUrl":"https://zoom.example.com/j/9"}"#;
    let york = r#"{"id":"0d6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11","courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f","course":{},"title":"Winter","timeZone":"America/New_York","startDate":"2024-01-10T15:00:00Z","endDate":"2024-01-10T16:00:00Z"}"#;
    let base = serve(200, page(r#"{"hasMore":false}"#, &[berlin, unknown, york]));
    let assert = list(&base, &["--format", "ics"]).success();
    let ics = stdout(&assert);
    check_lines(&ics);

    let calendar = ical::IcalParser::new(BufReader::new(ics.as_bytes()))
        .next()
        .expect("one calendar")
        .expect("parses");
    assert_eq!(calendar.events.len(), 3);
    let zones: Vec<String> = calendar
        .timezones
        .iter()
        .flat_map(|z| &z.properties)
        .filter(|p| p.name == "TZID")
        .filter_map(|p| p.value.clone())
        .collect();
    assert_eq!(zones, ["America/New_York", "Europe/Berlin"]);

    let prop = |event: &ical::parser::ical::component::IcalEvent, name: &str| {
        let p = event.properties.iter().find(|p| p.name == name);
        let p = p.unwrap_or_else(|| panic!("{name} missing in {event:?}"));
        let tzid = p
            .params
            .iter()
            .flatten()
            .find(|(k, _)| k == "TZID")
            .map(|(_, v)| v.join(","));
        (unescape(p.value.as_deref().unwrap_or_default()), tzid)
    };
    let e = &calendar.events[0];
    assert_eq!(prop(e, "UID").0, "0a6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11");
    assert_eq!(
        prop(e, "DTSTART"),
        ("20240701T090000".into(), Some("Europe/Berlin".into()))
    );
    assert_eq!(
        prop(e, "DTEND"),
        ("20240701T103000".into(), Some("Europe/Berlin".into()))
    );
    assert_eq!(
        prop(e, "SUMMARY").0,
        "Kick-off; Q&A, Teil 1 — ein sehr langer Titel, der über fünfundsiebzig Oktette hinausgeht"
    );
    assert_eq!(prop(e, "LOCATION").0, "Haus A, R 1, Berlin");
    assert_eq!(prop(e, "URL").0, "https://meet.example.com/j/123?pwd=abc");
    let description = prop(e, "DESCRIPTION").0;
    for part in [
        "Bring a laptop,\nand a charger; see you",
        "Ada Lovelace, Alan Turing",
        "Grundlagen",
    ] {
        assert!(description.contains(part), "{description:?}");
    }

    let e = &calendar.events[1];
    assert_eq!(prop(e, "UID").0, "0c6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11");
    assert_eq!(prop(e, "DTSTART"), ("20240110T150000Z".into(), None));
    assert_eq!(prop(e, "DTEND"), ("20240110T160000Z".into(), None));
    assert_eq!(prop(e, "SUMMARY").0, "Course Only");
    assert_eq!(prop(e, "LOCATION").0, "https://zoom.example.com/j/9");
    assert_eq!(prop(e, "URL").0, "https://zoom.example.com/j/9");

    let e = &calendar.events[2];
    assert_eq!(prop(e, "UID").0, "0d6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11");
    assert_eq!(
        prop(e, "DTSTART"),
        ("20240110T100000".into(), Some("America/New_York".into()))
    );
    assert_eq!(prop(e, "SUMMARY").0, "Winter");
    assert!(stderr(&assert).contains(r#""Eastern""#));
}
