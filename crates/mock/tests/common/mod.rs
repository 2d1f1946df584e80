//! Helpers shared by the HTTP tests.

#![allow(dead_code)] // each test crate uses a different subset

use thoughtindustries_mock::{DEMO_TOKEN, MockConfig, MockServer, SyntheticOptions, Tenant};
use thoughtindustries_models::MeetingsResponse;

/// A client that never uses a proxy (the tests talk to 127.0.0.1 only).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a reqwest client")
}

/// A small synthetic tenant.
pub fn tenant(seed: u64, courses: usize, meetings: usize) -> Tenant {
    Tenant::synthetic(SyntheticOptions {
        seed,
        courses,
        meetings,
    })
}

/// Starts a server with `config`.
pub async fn start(config: MockConfig) -> MockServer {
    MockServer::start(config).await.expect("the mock starts")
}

/// GET the meetings endpoint with the demo token and a raw query string.
pub async fn get(client: &reqwest::Client, server: &MockServer, query: &str) -> reqwest::Response {
    client
        .get(format!("{}?{query}", server.meetings_url()))
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .expect("a response")
}

/// GET a page and decode it as the models crate's `MeetingsResponse`, keeping the raw bytes.
pub async fn page(
    client: &reqwest::Client,
    server: &MockServer,
    query: &str,
) -> (MeetingsResponse, Vec<u8>) {
    let response = get(client, server, query).await;
    assert_eq!(response.status(), 200, "GET ?{query}");
    let body = response.bytes().await.expect("a body").to_vec();
    let page = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("page ?{query} does not decode as MeetingsResponse: {e}"));
    (page, body)
}
