//! Under a tenant's quota: the mock's `RateLimit::Quota` of 8 requests per 2-second window
//! (fixed windows, counted across every operation), 20 ms latency. A 40-page listing (40
//! requests) and a 3,000-user bulk attendance update (30 requests of 100 users), each timed for:
//!
//! - `new`: this client (pacing from the headers, concurrency 4);
//! - `sequential`: this client with concurrency 1 (one request at a time).
//!
//! (The client before issue 19 was measured against it in the same run then; its figures are in
//! docs/benchmarks.md. Earlier revisions are compared side by side by `cargo xtask bench
//! --pipeline`.)
//!
//! with the headers on every response, only on the 429s, and not at all (429s without any hint);
//! and two clients with separate budgets (as two `ti` processes have) listing 40 pages each at
//! once on one key. Each run starts on a fresh server at the start of a window. The ideal is the
//! quota's bound: from the start to the start of the window that admits the last request, plus
//! one round trip.
//!
//! `cargo bench -p thoughtindustries --bench quota` prints one Markdown table (about two minutes).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::TryStreamExt;
use thoughtindustries::{ApiKey, Attendance, Client};
use thoughtindustries_mock::{
    DEMO_TOKEN, Faults, Latency, MockConfig, MockServer, Quota, QuotaHeaders, RateLimit,
    SyntheticOptions, Tenant,
};
use uuid::Uuid;

const LIMIT: u64 = 8;
const WINDOW: Duration = Duration::from_secs(2);
const LATENCY: Duration = Duration::from_millis(20);
const PAGES: usize = 40;
const PER_PAGE: usize = 25;
const USERS: usize = 3_000;
const CHUNK: usize = 100;

fn tenant() -> Tenant {
    Tenant::synthetic(SyntheticOptions {
        seed: 7,
        courses: 4,
        meetings: PAGES * PER_PAGE,
    })
}

async fn start_mock(headers: QuotaHeaders) -> MockServer {
    MockServer::start(MockConfig {
        tenant: tenant(),
        per_page: PER_PAGE,
        faults: Faults {
            latency: Some(Latency::Fixed(LATENCY)),
            rate_limit: Some(RateLimit::Quota(Quota::new(LIMIT, WINDOW).headers(headers))),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .expect("mock starts")
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    New,
    Sequential,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::New => "new",
            Kind::Sequential => "sequential",
        }
    }
}

fn client(server: &MockServer, kind: Kind) -> Client {
    Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .concurrency(if kind == Kind::Sequential { 1 } else { 4 })
        .build()
        .expect("client builds")
}

/// Sleeps until 5 ms into the next window (the mock's windows are multiples of WINDOW since the
/// epoch); returns the unix time then.
async fn window_start() -> Duration {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let window = WINDOW.as_millis();
    let next = (now.as_millis() / window + 1) * window + 5;
    let at = Duration::from_millis(next as u64);
    tokio::time::sleep(at - now).await;
    at
}

/// From `start` (unix time) to the start of the window that admits the `n`-th request, plus one
/// round trip.
fn ideal(start: Duration, n: usize) -> Duration {
    let window = WINDOW.as_millis();
    let first = start.as_millis() / window;
    let last = first + ((n as u128 - 1) / u128::from(LIMIT));
    let at = Duration::from_millis((last * window) as u64);
    at.saturating_sub(start) + LATENCY
}

struct Run {
    wall: Duration,
    ideal: Duration,
    refused: u64,
    outcome: Result<(), String>,
}

async fn listing(server: &MockServer, kind: Kind) -> Run {
    let client = client(server, kind);
    let start = window_start().await;
    let clock = Instant::now();
    let outcome = client
        .list_meetings()
        .meetings()
        .try_collect::<Vec<_>>()
        .await
        .map_err(|e| e.to_string())
        .map(|meetings| assert_eq!(meetings.len(), PAGES * PER_PAGE));
    Run {
        wall: clock.elapsed(),
        ideal: ideal(start, PAGES),
        refused: server.stats().status(429),
        outcome,
    }
}

async fn bulk(server: &MockServer, kind: Kind) -> Run {
    let client = client(server, kind);
    let meeting: Uuid = tenant().meeting_ids(None)[0].parse().unwrap();
    let users: Vec<Uuid> = (0..USERS as u128).map(|n| Uuid::from_u128(n + 1)).collect();
    let start = window_start().await;
    let clock = Instant::now();
    let outcome = client
        .bulk_update_meeting_attendance(meeting, Attendance::Attended, users)
        .chunk_size(CHUNK)
        .send()
        .await
        .map_err(|e| e.to_string())
        .map(|result| {
            assert_eq!(
                result.updated_record_count as usize + result.errors.len(),
                USERS
            )
        });
    Run {
        wall: clock.elapsed(),
        ideal: ideal(start, USERS / CHUNK),
        refused: server.stats().status(429),
        outcome,
    }
}

fn row(headers: &str, case: &str, kind: &str, run: &Run) {
    let outcome = match &run.outcome {
        Ok(()) => "done".to_owned(),
        Err(e) => format!("FAILED: {}", e.chars().take(90).collect::<String>()),
    };
    println!(
        "| {headers} | {case} | {kind} | {:.2} s | {:.2} s | {:.2}x | {} | {outcome} |",
        run.wall.as_secs_f64(),
        run.ideal.as_secs_f64(),
        run.wall.as_secs_f64() / run.ideal.as_secs_f64(),
        run.refused,
    );
}

async fn two_clients() -> (Run, Run) {
    let server = start_mock(QuotaHeaders::EveryResponse).await;
    let (a, b) = (client(&server, Kind::New), client(&server, Kind::New));
    let start = window_start().await;
    let clock = Instant::now();
    let list = |client: Client| async move {
        let outcome = client
            .list_meetings()
            .meetings()
            .try_collect::<Vec<_>>()
            .await
            .map_err(|e| e.to_string())
            .map(|meetings| assert_eq!(meetings.len(), PAGES * PER_PAGE));
        (clock.elapsed(), outcome)
    };
    let ((wall_a, a), (wall_b, b)) = tokio::join!(list(a), list(b));
    let refused = server.stats().status(429);
    let ideal = ideal(start, 2 * PAGES);
    (
        Run {
            wall: wall_a,
            ideal,
            refused,
            outcome: a,
        },
        Run {
            wall: wall_b,
            ideal,
            refused,
            outcome: b,
        },
    )
}

async fn summary() {
    println!(
        "quota {LIMIT} requests / {} s window, {} ms latency; listing {PAGES} pages, bulk {USERS} users in chunks of {CHUNK}",
        WINDOW.as_secs(),
        LATENCY.as_millis()
    );
    println!("| headers | case | client | time | ideal | ratio | 429s | outcome |");
    println!("|---|---|---|---|---|---|---|---|");
    for (name, headers, kinds) in [
        (
            "every response",
            QuotaHeaders::EveryResponse,
            &[Kind::New, Kind::Sequential][..],
        ),
        ("only 429s", QuotaHeaders::OnlyRefusals, &[Kind::New][..]),
        ("none", QuotaHeaders::NoHint, &[Kind::New][..]),
    ] {
        for &kind in kinds {
            let server = start_mock(headers).await;
            row(
                name,
                "listing 40 pages",
                kind.name(),
                &listing(&server, kind).await,
            );
            let server = start_mock(headers).await;
            row(
                name,
                "bulk 3,000 users",
                kind.name(),
                &bulk(&server, kind).await,
            );
        }
    }
    let (a, b) = two_clients().await;
    row(
        "every response",
        "two clients, one key, 40 pages each",
        "new (first)",
        &a,
    );
    row(
        "every response",
        "two clients, one key, 40 pages each",
        "new (second)",
        &b,
    );
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench`-less arguments: nothing to do.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(summary());
}
