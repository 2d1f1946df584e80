//! Concurrent pagination, end to end against the mock: order, no duplicates, no loss, the
//! in-flight and buffering bounds, the fallback when the total is unknown, and 429 storms.
//!
//! Every listing is compared with the ids the same synthetic tenant serves
//! (`Tenant::meeting_ids`). The mock counts requests in flight (`stats().max_in_flight`), which is
//! at most the number the client has in flight. These are correctness tests, not timing tests:
//! latencies are a few milliseconds and no assertion depends on how fast the machine is.
//! (`Retry-After` and its cap are tested in `faults.rs`.)

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use serde_json::Value;
use thoughtindustries::{ApiKey, Client, RetryConfig};
use thoughtindustries_mock::{
    DEMO_TOKEN, Drift, Faults, Latency, MockConfig, MockServer, RateLimit, SyntheticOptions,
    Tenant, Trigger,
};

/// 24 pages of 10, the last one partial.
const MEETINGS: usize = 237;
const PER_PAGE: usize = 10;
const PAGES: u64 = 24;

fn tenant() -> Tenant {
    Tenant::synthetic(SyntheticOptions {
        seed: 11,
        courses: 5,
        meetings: MEETINGS,
    })
}

/// The meeting ids of pages `first..=last`, in the order the API serves them.
fn expected_ids(first: u64, last: u64) -> Vec<String> {
    let ids = tenant().meeting_ids(None);
    let start = ((first - 1) as usize * PER_PAGE).min(ids.len());
    let end = (last as usize * PER_PAGE).min(ids.len());
    ids[start..end].to_vec()
}

/// Random latency between 1 and 15 ms, so that concurrent pages complete out of order.
fn jitter() -> Option<Latency> {
    Some(Latency::Range {
        min: Duration::from_millis(1),
        max: Duration::from_millis(15),
    })
}

async fn mock(faults: Faults) -> MockServer {
    MockServer::start(MockConfig {
        tenant: tenant(),
        per_page: PER_PAGE,
        faults,
        ..MockConfig::default()
    })
    .await
    .expect("the mock starts")
}

/// A client allowing `concurrency` requests at once, with quick retries.
fn client(server: &MockServer, concurrency: usize, attempts: u32) -> Client {
    Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .concurrency(concurrency)
        .retry(
            RetryConfig::default()
                .max_attempts(attempts)
                .initial_backoff(Duration::from_millis(1))
                // The waiting budget of one page: room for a few refusals' jittered waits.
                .max_wait(Duration::from_secs(30)),
        )
        .build()
        .expect("the client builds")
}

/// Every meeting id the listing delivers, in order; panics on an error.
async fn list(client: &Client, concurrency: usize) -> Vec<String> {
    client
        .list_meetings()
        .concurrency(concurrency)
        .meetings()
        .map_ok(|m| m.id.to_string())
        .try_collect()
        .await
        .expect("the listing succeeds")
}

/// Order, no duplicates, no loss: exactly the expected ids, in order.
fn assert_same(got: &[String], expected: &[String]) {
    let unique: HashSet<_> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "duplicates delivered");
    assert_eq!(got.len(), expected.len(), "meetings lost or added");
    assert!(got == expected, "meetings out of order");
}

#[tokio::test]
async fn concurrent_pages_arrive_in_order_once_each_within_the_in_flight_bound() {
    for concurrency in [1, 2, 3, 4, 8] {
        let server = mock(Faults {
            seed: concurrency as u64,
            latency: jitter(),
            ..Faults::default()
        })
        .await;
        let ids = list(&client(&server, concurrency, 1), concurrency).await;
        assert_same(&ids, &expected_ids(1, PAGES));
        let stats = server.stats();
        assert_eq!(stats.status(200), PAGES, "one request per page");
        assert!(
            stats.max_in_flight <= concurrency as u64,
            "concurrency {concurrency}: {} in flight",
            stats.max_in_flight
        );
        if concurrency > 1 {
            assert!(
                stats.max_in_flight >= 2,
                "concurrency {concurrency}: pages were fetched one at a time"
            );
        }
    }
}

#[tokio::test]
async fn the_listing_concurrency_is_also_capped_by_the_clients() {
    let server = mock(Faults {
        latency: jitter(),
        ..Faults::default()
    })
    .await;
    // The client allows 2 in flight; the listing asks for 8.
    let ids = list(&client(&server, 2, 1), 8).await;
    assert_same(&ids, &expected_ids(1, PAGES));
    assert!(server.stats().max_in_flight <= 2);
}

#[tokio::test]
async fn a_listing_from_a_later_page_fetches_the_rest_concurrently() {
    let server = mock(Faults {
        latency: jitter(),
        ..Faults::default()
    })
    .await;
    let ids: Vec<String> = client(&server, 4, 1)
        .list_meetings()
        .page(5)
        .meetings()
        .map_ok(|m| m.id.to_string())
        .try_collect()
        .await
        .expect("the listing succeeds");
    assert_same(&ids, &expected_ids(5, PAGES));
    let stats = server.stats();
    assert_eq!(stats.requests, PAGES - 4);
    assert!((2..=4).contains(&stats.max_in_flight));
}

#[tokio::test]
async fn without_a_total_pages_are_fetched_in_turn_with_one_page_of_prefetch() {
    let server = mock(Faults {
        latency: jitter(),
        drift: vec![Drift {
            pointer: "/data/Meetings/pageInfo/total".into(),
            value: Value::Null,
            trigger: Trigger::Always,
        }],
        ..Faults::default()
    })
    .await;
    let ids = list(&client(&server, 8, 1), 8).await;
    assert_same(&ids, &expected_ids(1, PAGES));
    let stats = server.stats();
    assert!(
        stats.max_in_flight <= 2,
        "{} in flight without a total",
        stats.max_in_flight
    );
    // hasMore ends the listing; at most the one page prefetched past the end was requested.
    assert!(
        (PAGES..=PAGES + 1).contains(&stats.requests),
        "{} requests",
        stats.requests
    );
}

#[tokio::test]
async fn a_server_that_always_says_has_more_cannot_repeat_or_loop() {
    let server = mock(Faults {
        latency: jitter(),
        has_more_forever: true,
        ..Faults::default()
    })
    .await;
    let ids = list(&client(&server, 4, 1), 4).await;
    assert_same(&ids, &expected_ids(1, PAGES));
    // Past the announced end the listing goes on carefully and stops at the first empty page.
    let requests = server.stats().requests;
    assert!(
        (PAGES + 1..=PAGES + 2).contains(&requests),
        "{requests} requests"
    );
}

/// Waits (at most 5 s) until the mock has seen `count` requests; whether it did.
async fn wait_for_requests(server: &MockServer, count: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.stats().requests < count {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

/// Reads the listing slowly: at the first meeting of each page, checks that the pages ahead are
/// fetched while the reader is busy, and that at most `ahead` pages beyond the current one (and
/// none past `last`) were requested.
async fn read_slowly(
    server: &MockServer,
    client: &Client,
    concurrency: usize,
    ahead: u64,
    last: u64,
) {
    let mut stream = client.list_meetings().concurrency(concurrency).meetings();
    let mut ids = Vec::new();
    while let Some(meeting) = stream.next().await {
        let meeting = meeting.expect("no error");
        if ids.len() % PER_PAGE == 0 {
            let page = (ids.len() / PER_PAGE) as u64 + 1;
            let bound = if page == 1 {
                1
            } else {
                (page + ahead).min(last)
            };
            assert!(
                wait_for_requests(server, bound.min(PAGES)).await,
                "page {page}: the pages ahead were not fetched while the reader was busy ({} \
                 requests)",
                server.stats().requests
            );
            tokio::time::sleep(Duration::from_millis(30)).await;
            let requests = server.stats().requests;
            assert!(
                requests <= bound,
                "page {page}: {requests} pages requested, at most {bound} expected"
            );
        }
        ids.push(meeting.id.to_string());
    }
    assert_same(&ids, &expected_ids(1, PAGES));
}

#[tokio::test]
async fn a_slow_reader_holds_at_most_concurrency_pages_ahead() {
    // With a known total, the page being read plus at most `concurrency - 1` more are in flight
    // or buffered.
    for concurrency in [2, 4] {
        let server = mock(Faults::default()).await;
        let client = client(&server, concurrency, 1);
        read_slowly(&server, &client, concurrency, concurrency as u64 - 1, PAGES).await;
    }
}

#[tokio::test]
async fn without_a_total_a_slow_reader_holds_one_page_ahead() {
    let server = mock(Faults {
        drift: vec![Drift {
            pointer: "/data/Meetings/pageInfo/total".into(),
            value: Value::Null,
            trigger: Trigger::Always,
        }],
        ..Faults::default()
    })
    .await;
    let client = client(&server, 4, 1);
    // Without a total the page after the last one may be requested too.
    read_slowly(&server, &client, 4, 1, PAGES + 1).await;
}

#[tokio::test]
async fn a_429_storm_loses_and_repeats_nothing() {
    for concurrency in [2, 4, 8] {
        let server = mock(Faults {
            seed: 3,
            latency: jitter(),
            rate_limit: Some(RateLimit::Triggered {
                trigger: Trigger::Probability(0.5),
                retry_after_secs: 0,
                limit: 60,
            }),
            ..Faults::default()
        })
        .await;
        let ids = list(&client(&server, concurrency, 30), concurrency).await;
        assert_same(&ids, &expected_ids(1, PAGES));
        let stats = server.stats();
        assert!(stats.status(429) > 0, "the storm happened");
        assert_eq!(stats.status(200), PAGES, "each page delivered once");
        assert!(stats.max_in_flight <= concurrency as u64);
    }
}

/// A token bucket that says on every success how many tokens are left and when it is full again:
/// the client paces itself from those headers (few refusals, where the client before issue 19
/// ran it dry again and again), and loses and repeats nothing.
#[tokio::test]
async fn a_token_bucket_is_paced_from_its_headers_and_loses_and_repeats_nothing() {
    let server = mock(Faults {
        latency: jitter(),
        rate_limit: Some(RateLimit::TokenBucket {
            per_second: 200.0,
            burst: 2,
        }),
        ..Faults::default()
    })
    .await;
    // The bucket's 429s ask for `Retry-After: 1`, a wait the client must take (a longer one than
    // max_wait fails the request at once), so this client allows it.
    let client = Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .concurrency(8)
        .retry(
            RetryConfig::default()
                .max_attempts(50)
                .max_wait(Duration::from_secs(2)),
        )
        .build()
        .unwrap();
    let ids = list(&client, 8).await;
    assert_same(&ids, &expected_ids(1, PAGES));
    let stats = server.stats();
    assert!(
        stats.status(429) <= PAGES / 4,
        "paced from the headers: {stats:?}"
    );
    assert_eq!(stats.status(200), PAGES);
    assert!(stats.max_in_flight <= 8);
}

/// The most requests in flight after `successes` successes, starting from `start` after a storm:
/// one more after every `limit` successes in a row (4, then 4 + 5, 4 + 5 + 6, ...).
fn recovered_limit(start: u64, successes: u64) -> u64 {
    let mut limit = start;
    let mut needed = start;
    while successes >= needed && limit < 8 {
        limit += 1;
        needed += limit;
    }
    limit
}

#[tokio::test]
async fn after_a_burst_of_429s_concurrency_halves_once_and_recovers_slowly() {
    // The first eight requests (all attempts at page 1, within a second) are throttled: one
    // throttled window, so the limit halves once, from 8 to 4, before any page arrives (the
    // client before issue 19 halved it on each, down to 1).
    let server = Arc::new(
        mock(Faults {
            latency: Some(Latency::Fixed(Duration::from_millis(10))),
            rate_limit: Some(RateLimit::Triggered {
                trigger: Trigger::FirstN(8),
                retry_after_secs: 0,
                limit: 60,
            }),
            ..Faults::default()
        })
        .await,
    );
    let done = Arc::new(AtomicBool::new(false));
    let sampler = tokio::spawn({
        let (server, done) = (Arc::clone(&server), Arc::clone(&done));
        async move {
            let mut samples = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let stats = server.stats();
                samples.push((stats.status(200), stats.in_flight));
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            samples
        }
    });
    let ids = list(&client(&server, 8, 10), 8).await;
    done.store(true, Ordering::Relaxed);
    let samples = sampler.await.expect("the sampler ends");
    assert_same(&ids, &expected_ids(1, PAGES));
    let stats = server.stats();
    assert_eq!(stats.status(429), 8);
    // The mock counts a success before the client does, so the client's limit is at most the
    // one its count allows.
    for &(successes, in_flight) in &samples {
        assert!(
            in_flight <= recovered_limit(4, successes),
            "{in_flight} in flight after {successes} successes"
        );
    }
    // Right after page 1, four pages at once: the limit did not fall below 4.
    let after_first = samples
        .iter()
        .filter(|(successes, _)| *successes == 1)
        .map(|(_, in_flight)| *in_flight)
        .max();
    assert_eq!(after_first, Some(4), "{samples:?}");
    assert!(
        stats.max_in_flight >= 3,
        "the concurrency recovered (peak {})",
        stats.max_in_flight
    );
}
