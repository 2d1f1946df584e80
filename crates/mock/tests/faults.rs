//! Every fault kind, observed over real HTTP, and the in-flight counter.

mod common;

use std::time::{Duration, Instant};

use common::{client, get, page, start, tenant};
use serde_json::Value;
use thoughtindustries_mock::{
    DEMO_TOKEN, Drift, FaultKind, Faults, Latency, MockConfig, MockServer, RateLimit, ServerError,
    Trigger,
};

async fn with_faults(faults: Faults) -> MockServer {
    start(MockConfig {
        tenant: tenant(3, 4, 60),
        faults,
        ..MockConfig::default()
    })
    .await
}

#[tokio::test]
async fn rate_limit_every_nth_request() {
    let server = with_faults(Faults {
        rate_limit: Some(RateLimit::Triggered {
            trigger: Trigger::EveryNth(2),
            retry_after_secs: 7,
            limit: 60,
        }),
        ..Faults::default()
    })
    .await;
    let client = client();
    assert_eq!(get(&client, &server, "page=1").await.status(), 200);
    let limited = get(&client, &server, "page=1").await;
    assert_eq!(limited.status(), 429);
    let headers = limited.headers().clone();
    assert_eq!(headers["retry-after"], "7");
    assert_eq!(headers["x-ratelimit-limit"], "60");
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    let reset: u64 = headers["x-ratelimit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset > 1_700_000_000);
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["error"], "rate_limit_exceeded");
    assert_eq!(body["retryAfter"], 7);
    assert!(body["message"].is_string());
    assert_eq!(get(&client, &server, "page=1").await.status(), 200);
    let stats = server.stats();
    assert_eq!((stats.status(200), stats.status(429)), (2, 1));
    assert_eq!(stats.fault(FaultKind::RateLimited), 1);
}

#[tokio::test]
async fn rate_limit_first_request_of_each_page_lets_retries_through() {
    let server = with_faults(Faults {
        rate_limit: Some(RateLimit::Triggered {
            trigger: Trigger::FirstPerPage(1),
            retry_after_secs: 0,
            limit: 100,
        }),
        ..Faults::default()
    })
    .await;
    let client = client();
    for n in 1..=3 {
        assert_eq!(
            get(&client, &server, &format!("page={n}")).await.status(),
            429
        );
        assert_eq!(
            get(&client, &server, &format!("page={n}")).await.status(),
            200
        );
        assert_eq!(
            get(&client, &server, &format!("page={n}")).await.status(),
            200
        );
    }
}

#[tokio::test]
async fn token_bucket_limits_the_rate() {
    let server = with_faults(Faults {
        rate_limit: Some(RateLimit::TokenBucket {
            per_second: 1.0,
            burst: 3,
        }),
        ..Faults::default()
    })
    .await;
    let client = client();
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let response = get(&client, &server, "").await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["x-ratelimit-limit"], "3");
        remaining.push(
            response.headers()["x-ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(remaining.first().map(String::as_str), Some("2"));
    let limited = get(&client, &server, "").await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "1");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(get(&client, &server, "").await.status(), 200);
}

#[tokio::test]
async fn server_errors_as_json_or_html() {
    let json = with_faults(Faults {
        server_error: Some(ServerError {
            trigger: Trigger::FirstN(1),
            status: 503,
            html: false,
        }),
        ..Faults::default()
    })
    .await;
    let client = client();
    let response = get(&client, &json, "").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "service_unavailable");
    assert_eq!(get(&client, &json, "").await.status(), 200);

    let html = with_faults(Faults {
        server_error: Some(ServerError {
            trigger: Trigger::Always,
            status: 502,
            html: true,
        }),
        ..Faults::default()
    })
    .await;
    let response = get(&client, &html, "").await;
    assert_eq!(response.status(), 502);
    assert_eq!(response.headers()["content-type"], "text/html");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("<title>502 Bad Gateway</title>")
    );
    assert_eq!(html.stats().fault(FaultKind::ServerError), 1);
}

#[tokio::test]
async fn probabilistic_server_errors_are_seeded() {
    let run = || async {
        let server = with_faults(Faults {
            seed: 77,
            server_error: Some(ServerError {
                trigger: Trigger::Probability(0.5),
                status: 500,
                html: false,
            }),
            ..Faults::default()
        })
        .await;
        let client = client();
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(get(&client, &server, "").await.status().as_u16());
        }
        statuses
    };
    let first = run().await;
    assert_eq!(first, run().await);
    assert!(first.contains(&500) && first.contains(&200), "{first:?}");
}

#[tokio::test]
async fn dropped_connections_send_no_response() {
    let server = with_faults(Faults {
        drop_connection: Some(Trigger::FirstN(1)),
        ..Faults::default()
    })
    .await;
    let client = client();
    let error = client
        .get(server.meetings_url())
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .expect_err("no response");
    assert!(!error.is_status() && !error.is_timeout(), "{error:?}");
    assert_eq!(get(&client, &server, "").await.status(), 200);
    let stats = server.stats();
    assert_eq!(stats.fault(FaultKind::DroppedConnection), 1);
    assert_eq!(stats.requests, 2);
    assert_eq!(stats.status(200), 1);
    assert_eq!(stats.by_status.values().sum::<u64>(), 1);
}

#[tokio::test]
async fn truncated_bodies_announce_more_than_they_send() {
    let server = with_faults(Faults {
        truncate_body: Some(Trigger::Always),
        ..Faults::default()
    })
    .await;
    let full = tenant(3, 4, 60).page_body(1, 25, None);
    let response = get(&client(), &server, "").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_length(), Some(full.len() as u64));
    let error = response.bytes().await.expect_err("a cut body");
    assert!(error.is_body() || error.is_decode(), "{error:?}");
    assert_eq!(server.stats().fault(FaultKind::TruncatedBody), 1);
}

#[tokio::test]
async fn stalled_bodies_time_out_and_end_at_shutdown() {
    let server = with_faults(Faults {
        stall_body: Some(Trigger::Always),
        ..Faults::default()
    })
    .await;
    let response = get(&client(), &server, "").await;
    assert_eq!(response.status(), 200);
    assert!(response.content_length().unwrap() > 0);
    let read = tokio::time::timeout(Duration::from_millis(300), response.bytes()).await;
    assert!(read.is_err(), "the body must stall");
    assert_eq!(server.stats().fault(FaultKind::StalledBody), 1);

    // A second stalled request is still open while the server shuts down.
    let pending = get(&client(), &server, "").await;
    let reader = tokio::spawn(pending.bytes());
    tokio::time::timeout(Duration::from_secs(5), server.shutdown())
        .await
        .expect("shutdown does not wait for stalled bodies")
        .unwrap();
    assert!(reader.await.unwrap().is_err());
}

#[tokio::test]
async fn empty_bodies_and_error_objects_in_200s() {
    let server = with_faults(Faults {
        empty_body: Some(Trigger::EveryNth(2)),
        error_object: Some(Trigger::EveryNth(3)),
        ..Faults::default()
    })
    .await;
    let client = client();
    let first = get(&client, &server, "").await;
    assert!(!first.bytes().await.unwrap().is_empty());
    let second = get(&client, &server, "").await;
    assert_eq!(second.status(), 200);
    assert!(second.bytes().await.unwrap().is_empty());
    let third = get(&client, &server, "").await;
    assert_eq!(third.status(), 200);
    let body: Value = third.json().await.unwrap();
    assert_eq!(body["error"], "internal_error");
    assert!(body.get("data").is_none());
    let stats = server.stats();
    assert_eq!(stats.fault(FaultKind::EmptyBody), 1);
    assert_eq!(stats.fault(FaultKind::ErrorObject), 1);
    assert_eq!(stats.status(200), 3);
}

#[tokio::test]
async fn has_more_never_turns_false() {
    let server = with_faults(Faults {
        has_more_forever: true,
        ..Faults::default()
    })
    .await;
    let client = client();
    let (last, _) = page(&client, &server, "page=3").await;
    assert_eq!(last.data.meetings.page_info.unwrap().has_more, Some(true));
    let (past, _) = page(&client, &server, "page=50").await;
    assert_eq!(past.data.meetings.meetings.unwrap().len(), 0);
    assert_eq!(past.data.meetings.page_info.unwrap().has_more, Some(true));
}

#[tokio::test]
async fn drift_puts_a_wrong_type_at_a_pointer() {
    let server = with_faults(Faults {
        drift: vec![Drift {
            pointer: "/data/Meetings/meetings/0/course/title".into(),
            value: Value::from(42),
            trigger: Trigger::Always,
        }],
        ..Faults::default()
    })
    .await;
    let response = get(&client(), &server, "").await;
    assert_eq!(response.status(), 200);
    let body = response.bytes().await.unwrap();
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        json["data"]["Meetings"]["meetings"][0]["course"]["title"],
        42
    );
    assert!(json["data"]["Meetings"]["meetings"][1]["course"]["title"].is_string());
    assert!(serde_json::from_slice::<thoughtindustries_models::MeetingsResponse>(&body).is_err());
    assert_eq!(server.stats().fault(FaultKind::Drift), 1);
}

#[tokio::test]
async fn latency_fixed_and_ranged() {
    let fixed = with_faults(Faults {
        latency: Some(Latency::Fixed(Duration::from_millis(150))),
        ..Faults::default()
    })
    .await;
    let client = client();
    let started = Instant::now();
    assert_eq!(get(&client, &fixed, "").await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(fixed.stats().fault(FaultKind::Latency), 1);

    let ranged = with_faults(Faults {
        latency: Some(Latency::Range {
            min: Duration::from_millis(20),
            max: Duration::from_millis(60),
        }),
        ..Faults::default()
    })
    .await;
    for _ in 0..3 {
        let started = Instant::now();
        assert_eq!(get(&client, &ranged, "").await.status(), 200);
        assert!(started.elapsed() >= Duration::from_millis(20));
    }
}

#[tokio::test]
async fn max_in_flight_counts_concurrent_requests() {
    let server = with_faults(Faults {
        latency: Some(Latency::Fixed(Duration::from_millis(400))),
        ..Faults::default()
    })
    .await;
    let client = client();
    let requests = (0..5).map(|n| {
        let client = client.clone();
        let url = format!("{}?page={}", server.meetings_url(), n % 3 + 1);
        tokio::spawn(async move {
            client
                .get(url)
                .bearer_auth(DEMO_TOKEN)
                .send()
                .await
                .unwrap()
                .status()
        })
    });
    for request in requests.collect::<Vec<_>>() {
        assert_eq!(request.await.unwrap(), 200);
    }
    let stats = server.stats();
    assert_eq!(stats.max_in_flight, 5);
    assert_eq!(stats.in_flight, 0);
    assert_eq!(stats.requests, 5);

    // One after another: never more than one at a time.
    let sequential = with_faults(Faults::default()).await;
    for _ in 0..4 {
        get(&client, &sequential, "").await.bytes().await.unwrap();
    }
    assert_eq!(sequential.stats().max_in_flight, 1);
}

#[tokio::test]
async fn invalid_fault_configurations_are_rejected() {
    let result = MockServer::start(MockConfig {
        faults: Faults {
            server_error: Some(ServerError {
                trigger: Trigger::Always,
                status: 418,
                html: false,
            }),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await;
    assert!(result.is_err());
    let result = MockServer::start(MockConfig {
        per_page: 0,
        ..MockConfig::default()
    })
    .await;
    assert!(result.is_err());
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let client = client();
    let server = with_faults(Faults::default()).await;
    let url = server.meetings_url();
    server.shutdown().await.unwrap();
    assert!(
        client
            .get(&url)
            .bearer_auth(DEMO_TOKEN)
            .send()
            .await
            .is_err()
    );

    let dropped = with_faults(Faults::default()).await;
    let url = dropped.meetings_url();
    drop(dropped);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        client
            .get(&url)
            .bearer_auth(DEMO_TOKEN)
            .send()
            .await
            .is_err()
    );

    let running = with_faults(Faults::default()).await;
    let base = running.base_url();
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with('/'));
    running.run_until(async {}).await.unwrap();
}
