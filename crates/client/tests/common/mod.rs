//! Helpers shared by the client's integration tests: synthetic pages and a client for a mock.

#![allow(dead_code)] // each test crate uses a different subset

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
