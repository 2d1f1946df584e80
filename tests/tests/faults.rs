//! Fault survival of the client, end to end against the mock's fault injection.
//!
//! Every test compares the meetings the client delivered with the ids the same synthetic tenant
//! renders (`Tenant::page_body`): no loss, no duplicates, page order kept. Faults that hit only
//! the first attempts of each page (`Trigger::FirstPerPage`) must be survived; faults that hit
//! every request (`Trigger::Always`) must end in one exact, typed error naming the page.
//! Retry delays are a few milliseconds, so the whole file runs in seconds.

use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use thoughtindustries::{ApiKey, Client, ClientBuilder, Error, RetryConfig, TransportKind};
use thoughtindustries_mock::{
    DEMO_TOKEN, FaultKind, Faults, MockConfig, MockServer, RateLimit, ServerError,
    SyntheticOptions, Tenant, Trigger,
};

/// Meetings of the test tenant, and the page size: 7 pages, the last one partial.
const MEETINGS: usize = 63;
const PER_PAGE: usize = 10;
const PAGES: u64 = 7;

fn tenant() -> Tenant {
    Tenant::synthetic(SyntheticOptions {
        seed: 42,
        courses: 4,
        meetings: MEETINGS,
    })
}

/// The meeting ids of `pages` pages of `tenant`, in the order the API serves them.
fn expected_ids(tenant: &Tenant, per_page: usize, pages: u64) -> Vec<String> {
    let mut ids = tenant.meeting_ids(None);
    ids.truncate(pages as usize * per_page);
    ids
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

/// Quick retries (at most 20 ms apart), four attempts, generous timeouts.
fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .retry(quick_retry())
}

fn quick_retry() -> RetryConfig {
    RetryConfig::default()
        .initial_backoff(Duration::from_millis(2))
        .max_wait(Duration::from_millis(20))
}

/// Every meeting id the client delivers, or the first error.
async fn collect(client: &Client) -> Result<Vec<String>, Error> {
    client
        .list_meetings()
        .meetings()
        .map_ok(|m| m.id.to_string())
        .try_collect()
        .await
}

/// The ids delivered before the stream failed, and the error (the stream must fail once and end).
async fn collect_until_error(client: &Client, concurrency: usize) -> (Vec<String>, Error) {
    let mut stream = client.list_meetings().concurrency(concurrency).meetings();
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(meeting) => ids.push(meeting.id.to_string()),
            Err(error) => {
                assert!(
                    stream.next().await.is_none(),
                    "the stream ends after {error}"
                );
                return (ids, error);
            }
        }
    }
    panic!(
        "the listing succeeded ({} meetings); expected an error",
        ids.len()
    );
}

fn all_ids() -> Vec<String> {
    expected_ids(&tenant(), PER_PAGE, PAGES)
}

fn status_error(error: &Error) -> &thoughtindustries::StatusError {
    match error {
        Error::Status(status) => status,
        other => panic!("expected Error::Status, got {other:?}"),
    }
}

#[test]
fn the_expected_ids_are_the_whole_tenant_once() {
    let ids = all_ids();
    assert_eq!(ids.len(), MEETINGS);
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), MEETINGS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_faults_delivers_every_meeting_once_in_order() {
    let server = mock(Faults::default()).await;
    let ids = collect(&builder(&server).build().unwrap()).await.unwrap();
    assert_eq!(ids, all_ids());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_with_retry_after_is_survived() {
    let server = mock(Faults {
        rate_limit: Some(RateLimit::Triggered {
            trigger: Trigger::FirstPerPage(3),
            retry_after_secs: 0,
            limit: 60,
        }),
        ..Faults::default()
    })
    .await;
    // Each page waits three times for the server (up to 100 ms of jitter each, and the pauses
    // the other pages' refusals put on every request): a budget for all of that.
    let client = builder(&server)
        .retry(quick_retry().max_wait(Duration::from_secs(30)))
        .build()
        .unwrap();
    let ids = collect(&client).await.unwrap();
    assert_eq!(ids, all_ids());
    let stats = server.stats();
    assert_eq!(stats.status(429), 3 * PAGES, "{stats:?}");
    // Exactly the pages that exist, each served once after its three 429s (no page fetched
    // twice, none past the end: pageInfo announced the total).
    assert_eq!(stats.status(200), PAGES, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_429_ends_in_a_status_error_with_the_rate_limit_headers() {
    let server = mock(Faults {
        rate_limit: Some(RateLimit::Triggered {
            trigger: Trigger::Always,
            retry_after_secs: 0,
            limit: 60,
        }),
        ..Faults::default()
    })
    .await;
    let client = builder(&server).build().unwrap();
    let (ids, error) = collect_until_error(&client, 4).await;
    assert!(ids.is_empty());
    let status = status_error(&error);
    assert_eq!(status.status.as_u16(), 429);
    assert_eq!(status.page, Some(1));
    // Waits the server asks for (Retry-After: 0) do not use up the 4 attempts; 16 of them do end
    // the request.
    assert_eq!(status.attempts, 17);
    assert_eq!(status.retry_after, Some(Duration::ZERO));
    assert_eq!(status.rate_limit.limit, Some(60));
    assert_eq!(status.rate_limit.remaining, Some(0));
    assert!(
        status.body.contains("rate_limit_exceeded"),
        "{}",
        status.body
    );
    assert_eq!(server.stats().status(429), 17);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured_and_a_wait_past_max_wait_is_reported_at_once() {
    // One 429 asking for a one-second pause: the client waits it out.
    let server = mock(Faults {
        rate_limit: Some(RateLimit::Triggered {
            trigger: Trigger::FirstN(1),
            retry_after_secs: 1,
            limit: 60,
        }),
        ..Faults::default()
    })
    .await;
    let client = builder(&server)
        .retry(quick_retry().max_wait(Duration::from_secs(30)))
        .build()
        .unwrap();
    let started = Instant::now();
    let page = client.list_meetings().send().await.unwrap();
    assert_eq!(page.meetings.len(), PER_PAGE);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited only {:?}",
        started.elapsed()
    );

    // A 429 asking for an hour, more than max_wait (20 ms): not retried early into another
    // refusal, but reported at once with the wait it asked for.
    let server = mock(Faults {
        rate_limit: Some(RateLimit::Triggered {
            trigger: Trigger::FirstPerPage(1),
            retry_after_secs: 3600,
            limit: 60,
        }),
        ..Faults::default()
    })
    .await;
    let client = builder(&server).build().unwrap();
    let error = tokio::time::timeout(Duration::from_secs(30), collect(&client))
        .await
        .expect("the client does not wait an hour")
        .unwrap_err();
    let Error::WaitBudget(budget) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(budget.asked, Duration::from_secs(3600));
    assert_eq!(budget.attempts, 1);
    assert!(error.to_string().contains("wait of 3600 s"), "{error}");
    assert_eq!(server.stats().status(429), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intermittent_5xx_are_survived() {
    for status in [500, 502, 503, 504] {
        let server = mock(Faults {
            server_error: Some(ServerError {
                trigger: Trigger::FirstPerPage(3),
                status,
                html: false,
            }),
            ..Faults::default()
        })
        .await;
        let ids = collect(&builder(&server).build().unwrap()).await.unwrap();
        assert_eq!(ids, all_ids(), "status {status}");
        let stats = server.stats();
        assert_eq!(stats.status(status), 3 * PAGES, "{status}: {stats:?}");
        assert_eq!(stats.status(200), PAGES, "{status}: {stats:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_5xx_end_in_a_status_error_after_every_attempt() {
    for status in [500, 502, 503, 504] {
        let server = mock(Faults {
            server_error: Some(ServerError {
                trigger: Trigger::Always,
                status,
                html: false,
            }),
            ..Faults::default()
        })
        .await;
        let client = builder(&server).build().unwrap();
        let (ids, error) = collect_until_error(&client, 4).await;
        assert!(ids.is_empty());
        let failure = status_error(&error);
        assert_eq!(failure.status.as_u16(), status);
        assert_eq!(failure.page, Some(1));
        assert_eq!(failure.attempts, 4);
        assert!(failure.body.contains("\"error\""), "{}", failure.body);
        assert_eq!(
            error.to_string().matches("after 4 attempts").count(),
            1,
            "{error}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_html_502_page_is_retried_then_reported_with_an_excerpt() {
    let html = |trigger| Faults {
        server_error: Some(ServerError {
            trigger,
            status: 502,
            html: true,
        }),
        ..Faults::default()
    };
    let server = mock(html(Trigger::FirstPerPage(2))).await;
    let ids = collect(&builder(&server).build().unwrap()).await.unwrap();
    assert_eq!(ids, all_ids());

    let server = mock(html(Trigger::Always)).await;
    let error = builder(&server)
        .build()
        .unwrap()
        .list_meetings()
        .page(3)
        .send()
        .await
        .unwrap_err();
    let failure = status_error(&error);
    assert_eq!(failure.status.as_u16(), 502);
    assert_eq!(failure.page, Some(3));
    assert!(failure.body.contains("502 Bad Gateway"), "{}", failure.body);
    let text = error.to_string();
    assert!(
        text.starts_with("page 3: HTTP 502 Bad Gateway") && text.contains("<html>"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_dropped_before_the_response_are_retried() {
    let server = mock(Faults {
        drop_connection: Some(Trigger::FirstPerPage(3)),
        ..Faults::default()
    })
    .await;
    let ids = collect(&builder(&server).build().unwrap()).await.unwrap();
    assert_eq!(ids, all_ids());
    assert_eq!(
        server.stats().fault(FaultKind::DroppedConnection),
        3 * PAGES
    );

    let server = mock(Faults {
        drop_connection: Some(Trigger::Always),
        ..Faults::default()
    })
    .await;
    let client = builder(&server).build().unwrap();
    let (ids, error) = collect_until_error(&client, 4).await;
    assert!(ids.is_empty());
    assert!(
        matches!(error, Error::Transport { page: Some(1), .. }),
        "{error:?}"
    );
    assert_eq!(server.stats().fault(FaultKind::DroppedConnection), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_cut_short_mid_stream_are_retried() {
    let server = mock(Faults {
        truncate_body: Some(Trigger::FirstPerPage(3)),
        ..Faults::default()
    })
    .await;
    let ids = collect(&builder(&server).build().unwrap()).await.unwrap();
    assert_eq!(ids, all_ids());
    assert_eq!(server.stats().fault(FaultKind::TruncatedBody), 3 * PAGES);

    // Half a JSON document every time: a body error (the connection closed before
    // Content-Length bytes arrived), never a decode error on the partial JSON.
    let server = mock(Faults {
        truncate_body: Some(Trigger::Always),
        ..Faults::default()
    })
    .await;
    let error = builder(&server)
        .build()
        .unwrap()
        .list_meetings()
        .page(2)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                page: Some(2),
                kind: TransportKind::Body,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(server.stats().fault(FaultKind::TruncatedBody), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_is_cut_off_by_the_read_timeout_and_retried() {
    let server = mock(Faults {
        stall_body: Some(Trigger::FirstPerPage(1)),
        ..Faults::default()
    })
    .await;
    let client = builder(&server)
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let ids = collect(&client).await.unwrap();
    assert_eq!(ids, all_ids());
    assert_eq!(server.stats().fault(FaultKind::StalledBody), PAGES);

    let server = mock(Faults {
        stall_body: Some(Trigger::Always),
        ..Faults::default()
    })
    .await;
    for client in [
        // The read timeout (silence) and the total timeout (one attempt) both cut it off.
        builder(&server).read_timeout(Duration::from_millis(200)),
        builder(&server).timeout(Duration::from_millis(300)),
    ] {
        let started = Instant::now();
        let error = client
            .retry(quick_retry().max_attempts(2))
            .build()
            .unwrap()
            .list_meetings()
            .send()
            .await
            .unwrap_err();
        assert!(error.is_timeout(), "{error:?}");
        assert_eq!(error.page(), Some(1));
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_200_is_a_decode_error_at_that_page_after_the_pages_before_it() {
    // Requests made one at a time: the third (page 3) gets an empty 200. Pages 1 and 2 are
    // delivered whole, then the exact error; nothing after it.
    let server = mock(Faults {
        empty_body: Some(Trigger::EveryNth(3)),
        ..Faults::default()
    })
    .await;
    let client = builder(&server).build().unwrap();
    let (ids, error) = collect_until_error(&client, 1).await;
    assert_eq!(ids, expected_ids(&tenant(), PER_PAGE, 2));
    match &error {
        Error::Decode(decode) => {
            assert_eq!(decode.page, 3);
            assert_eq!(decode.path, ".");
            assert_eq!(decode.message, "the body is empty");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    // A 200 is an answer, not a failure: not retried.
    assert_eq!(server.stats().fault(FaultKind::EmptyBody), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_with_an_error_object_is_a_decode_error_naming_the_error() {
    let server = mock(Faults {
        error_object: Some(Trigger::EveryNth(2)),
        ..Faults::default()
    })
    .await;
    let client = builder(&server).build().unwrap();
    let (ids, error) = collect_until_error(&client, 1).await;
    assert_eq!(ids, expected_ids(&tenant(), PER_PAGE, 1));
    match &error {
        Error::Decode(decode) => {
            assert_eq!(decode.page, 2);
            assert_eq!(decode.path, ".");
            assert!(
                decode
                    .message
                    .contains("internal_error: The request could not be completed."),
                "{}",
                decode.message
            );
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert_eq!(server.stats().fault(FaultKind::ErrorObject), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn has_more_forever_ends_at_the_first_empty_page() {
    let server = mock(Faults {
        has_more_forever: true,
        ..Faults::default()
    })
    .await;
    let client = builder(&server).concurrency(4).build().unwrap();
    let ids = tokio::time::timeout(Duration::from_secs(60), collect(&client))
        .await
        .expect("the listing ends")
        .unwrap();
    assert_eq!(ids, all_ids());
    // The pages that exist, then at most a short look-ahead past the end.
    let requests = server.stats().requests;
    assert!(
        (PAGES + 1..=PAGES + 4).contains(&requests),
        "{requests} requests"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_in_turn_on_every_page_is_survived() {
    // Each page's first five requests meet, in order: a 429, a 503, a dropped connection, a
    // stalled body and a truncated body (each trigger counts only the requests that reach it).
    // The sixth attempt succeeds.
    let server = mock(Faults {
        rate_limit: Some(RateLimit::Triggered {
            trigger: Trigger::FirstPerPage(1),
            retry_after_secs: 0,
            limit: 10,
        }),
        server_error: Some(ServerError {
            trigger: Trigger::FirstPerPage(1),
            status: 503,
            html: false,
        }),
        drop_connection: Some(Trigger::FirstPerPage(1)),
        stall_body: Some(Trigger::FirstPerPage(1)),
        truncate_body: Some(Trigger::FirstPerPage(1)),
        ..Faults::default()
    })
    .await;
    let client = builder(&server)
        .read_timeout(Duration::from_millis(300))
        .retry(
            quick_retry()
                .max_attempts(6)
                .max_wait(Duration::from_secs(30)),
        )
        .build()
        .unwrap();
    let ids = collect(&client).await.unwrap();
    assert_eq!(ids, all_ids());
    let stats = server.stats();
    for kind in [
        FaultKind::RateLimited,
        FaultKind::ServerError,
        FaultKind::DroppedConnection,
        FaultKind::StalledBody,
        FaultKind::TruncatedBody,
    ] {
        assert_eq!(stats.fault(kind), PAGES, "{kind:?}: {stats:?}");
    }
    // Stalled and truncated bodies went out with a 200 head too.
    assert_eq!(stats.status(200), 3 * PAGES, "{stats:?}");
}

/// A server that ignores `page` and keeps saying `hasMore`, the storm of issue 13.
fn page_ignored(drift: Option<thoughtindustries_mock::Drift>) -> Faults {
    Faults {
        ignore_page: true,
        has_more_forever: true,
        drift: drift.into_iter().collect(),
        ..Faults::default()
    }
}

/// Every page the client yields, until the stream ends (or 10 s pass: the storm never ends).
async fn every_page(client: &Client) -> Vec<Result<thoughtindustries::Page, Error>> {
    let pages = client.list_meetings().concurrency(4).pages().collect();
    tokio::time::timeout(Duration::from_secs(10), pages)
        .await
        .expect("the listing ends")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_ignoring_page_with_only_undecodable_records_is_stopped_at_the_repeat() {
    let server = mock(page_ignored(Some(thoughtindustries_mock::Drift {
        pointer: "/data/Meetings/meetings".into(),
        value: serde_json::json!([{ "id": "not-a-uuid" }, { "id": "also-not" }]),
        trigger: Trigger::Always,
    })))
    .await;
    let client = builder(&server).build().unwrap();
    let pages = every_page(&client).await;
    let (last, first) = pages.split_last().expect("pages");
    assert_eq!(first.len(), 1, "{pages:?}");
    let page = first[0].as_ref().unwrap();
    assert!(page.meetings.is_empty() && page.rejected.len() == 2);
    match last {
        Err(Error::RepeatedPage(repeat)) => {
            assert_eq!((repeat.page, repeat.previous), (2, 1));
        }
        other => panic!("expected Error::RepeatedPage, got {other:?}"),
    }
    // Page 1, then at most the look-ahead: never a storm.
    let requests = server.stats().requests;
    assert!((2..=5).contains(&requests), "{requests} requests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_ignoring_page_is_a_repeated_page_error_not_a_decode_error() {
    let server = mock(page_ignored(None)).await;
    let client = builder(&server).build().unwrap();
    let (ids, error) = collect_until_error(&client, 4).await;
    assert_eq!(ids, expected_ids(&tenant(), PER_PAGE, 1));
    assert!(
        matches!(&error, Error::RepeatedPage(r) if r.page == 2),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("same meetings as page 1"),
        "{error}"
    );
    assert_eq!(error.page(), Some(2));
    assert!(server.stats().requests <= 5);
}
