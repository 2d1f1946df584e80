//! Soak: thousands of pages from a mock that fails about one request in ten (429s, 503s, dropped
//! connections, bodies cut short), on loopback only. Every meeting must arrive exactly once, in
//! order. Bounded in pages, requests and time; it stops by itself.
//!
//! `SOAK_PAGES=20000 cargo test --release -p contract-tests --test soak -- --nocapture` runs a
//! longer one (it prints its figures with `--nocapture`).

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use thoughtindustries::{ApiKey, Client, RetryConfig};
use thoughtindustries_mock::{
    DEMO_TOKEN, FaultKind, Faults, MockConfig, MockServer, RateLimit, ServerError,
    SyntheticOptions, Tenant, Trigger,
};

/// Meetings per page.
const PER_PAGE: usize = 5;
/// Pages served, unless `SOAK_PAGES` says otherwise.
const DEFAULT_PAGES: usize = 3_000;
/// Each of the four faults fires on a request with this probability: together about 10% of
/// requests fail (1 - 0.974^4).
const P: f64 = 0.026;
/// The whole run, listing included, must finish within this (a loaded 2-core CI machine in a
/// debug build takes a fraction of it).
const TIME_LIMIT: Duration = Duration::from_secs(240);

fn pages() -> usize {
    std::env::var("SOAK_PAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_PAGES)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_pages_at_a_ten_percent_fault_rate_deliver_every_meeting_once_in_order() {
    let pages = pages();
    let meetings = pages * PER_PAGE;
    let tenant = Tenant::synthetic(SyntheticOptions {
        seed: 2024,
        courses: 12,
        meetings,
    });
    // The order every listing must reproduce.
    let expected = tenant.meeting_ids(None);
    assert_eq!(expected.len(), meetings);

    let server = MockServer::start(MockConfig {
        tenant,
        per_page: PER_PAGE,
        faults: Faults {
            seed: 7,
            rate_limit: Some(RateLimit::Triggered {
                trigger: Trigger::Probability(P),
                retry_after_secs: 0,
                limit: 600,
            }),
            server_error: Some(ServerError {
                trigger: Trigger::Probability(P),
                status: 503,
                html: false,
            }),
            drop_connection: Some(Trigger::Probability(P)),
            truncate_body: Some(Trigger::Probability(P)),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap();
    // Ten attempts: a page fails for good with probability 0.1^10, never in practice.
    let client = Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .retry(
            RetryConfig::default()
                .max_attempts(10)
                .initial_backoff(Duration::from_millis(1))
                // Each page's waiting budget: its own 429s' jittered waits (up to 100 ms for a
                // `Retry-After: 0`) and the pauses the other pages' 429s put on every request.
                .max_wait(Duration::from_secs(5)),
        )
        .timeout(Duration::from_secs(30))
        .concurrency(4)
        .build()
        .unwrap();

    let started = Instant::now();
    let ids: Vec<String> = tokio::time::timeout(
        TIME_LIMIT,
        client
            .list_meetings()
            .meetings()
            .map_ok(|m| m.id.to_string())
            .try_collect(),
    )
    .await
    .expect("the soak finishes in time")
    .expect("every fault is survived");
    let elapsed = started.elapsed();
    let stats = server.stats();
    server.shutdown().await.unwrap();

    assert_eq!(ids.len(), expected.len(), "no meeting lost or repeated");
    if let Some(at) = ids.iter().zip(&expected).position(|(a, b)| a != b) {
        panic!(
            "order differs at meeting {at}: {} != {}",
            ids[at], expected[at]
        );
    }

    let faults: u64 = stats.faults.values().sum();
    println!(
        "soak: {pages} pages, {meetings} meetings, {} requests, {faults} faults {:?}, {:.1} s",
        stats.requests,
        stats.faults,
        elapsed.as_secs_f64()
    );
    let pages = pages as u64;
    // Every kind of fault happened, at roughly the configured rate...
    for kind in [
        FaultKind::RateLimited,
        FaultKind::ServerError,
        FaultKind::DroppedConnection,
        FaultKind::TruncatedBody,
    ] {
        assert!(stats.fault(kind) > 0, "{kind:?} never fired: {stats:?}");
    }
    assert!(
        faults * 100 >= stats.requests * 5 && faults * 100 <= stats.requests * 15,
        "fault rate {faults}/{}",
        stats.requests
    );
    // ... and each page was fetched once plus its retries: no page fetched twice, none past the
    // announced end.
    let served = stats.status(200) - stats.fault(FaultKind::TruncatedBody);
    assert_eq!(served, pages, "{stats:?}");
    assert_eq!(stats.requests, pages + faults, "{stats:?}");
}
