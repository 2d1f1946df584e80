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
