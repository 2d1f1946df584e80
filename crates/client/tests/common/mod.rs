//! Helpers shared by the client's integration tests: synthetic pages and a client for a mock.

#![allow(dead_code)] // each test crate uses a different subset

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use thoughtindustries::{ApiKey, Client, ClientBuilder, RetryConfig};

/// The API key every test client sends.
pub const KEY: &str = "test-key-4f9a1c";

/// A minimal valid meeting whose id encodes `n`.
pub fn meeting(n: u64) -> Value {
    json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "title": format!("Meeting {n}"),
        "courseId": "5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f",
        "course": {"id": "5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f", "slug": "intro", "title": "Intro"},
        "startDate": "2024-05-01T09:00:00Z",
        "endDate": "2024-05-01T10:00:00+02:00",
        "timeZone": "Europe/Berlin"
    })
}

/// The number encoded in a meeting id made by [`meeting`].
pub fn number(id: &uuid::Uuid) -> u64 {
    id.to_string()[24..].parse().unwrap()
}

/// A page body of `total` meetings split in pages of `per_page`.
pub fn page_body(page: u64, per_page: u64, total: u64) -> Value {
    let first = (page - 1) * per_page;
    let meetings: Vec<Value> = (first..total.min(first + per_page)).map(meeting).collect();
    json!({"data": {"Meetings": {
        "pageInfo": {"perPage": per_page, "currentPage": page, "total": total,
                     "hasMore": page * per_page < total},
        "aggregations": [],
        "meetings": meetings
    }}})
}

/// A client builder for `base` with the test key and quick retries.
pub fn builder(base: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base)
        .api_key(ApiKey::new(KEY))
        .retry(
            RetryConfig::default()
                .initial_backoff(Duration::from_millis(5))
                .max_wait(Duration::from_millis(50)),
        )
}

/// A client for `base` with the test key and quick retries.
pub fn client(base: &str) -> Client {
    builder(base).build().unwrap()
}

/// A bare HTTP/1.1 server for failures wiremock cannot stage (a connection closed before the
/// response, a body cut short, a chunked body): the n-th connection gets `answers[n]` (the last
/// one for every later connection) written as is after its request head, then the connection is
/// closed. Returns the base URL and the number of connections so far.
pub fn raw_server(answers: Vec<Vec<u8>>) -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let n = seen.fetch_add(1, Ordering::SeqCst);
            // The whole request, its body included: closing a connection with unread bytes
            // would reset it before the client reads the answer.
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|line| line.strip_prefix("content-length:"))
                        .map_or(0, |n| n.trim().parse::<usize>().unwrap());
                    if request.len() >= end + 4 + length {
                        break;
                    }
                }
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(read) => request.extend_from_slice(&buf[..read]),
                }
            }
            let _ = stream.write_all(&answers[n.min(answers.len() - 1)]);
        }
    });
    (base, connections)
}

/// A complete `200` answer carrying `body` with its `content-length`, closing the connection.
pub fn raw_ok(body: &[u8]) -> Vec<u8> {
    let mut answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(body);
    answer
}

/// A complete `200` answer carrying `body` in chunks of 512 bytes, without a `content-length`.
pub fn raw_chunked(body: &[u8]) -> Vec<u8> {
    let mut answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_vec();
    for chunk in body.chunks(512) {
        answer.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        answer.extend_from_slice(chunk);
        answer.extend_from_slice(b"\r\n");
    }
    answer.extend_from_slice(b"0\r\n\r\n");
    answer
}
