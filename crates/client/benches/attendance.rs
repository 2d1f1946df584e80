//! Bulk attendance: 10,000 users for one meeting behind the mock with 100 ms latency per request,
//! with the SDK's `bulk_update_meeting_attendance` (chunks of 100, concurrency 4), against its
//! ideal `ceil(users / chunk / concurrency) x latency` and against a loop of
//! `update_meeting_attendance` one user at a time (timed on 200 users and scaled to 10,000).
//!
//! The user ids are generated, so the mock answers each of them with a per-user error (bulk) or
//! a 404 (loop): the same round trip and server work as a known user, without needing 10,000 users
//! in the synthetic tenant.
//!
//! `cargo bench -p thoughtindustries --bench attendance` runs the bulk call under criterion. With
//! `TI_BENCH_SUMMARY=1` it measures each once and prints tab-separated `attendance` lines (used by
//! `cargo xtask bench`).

use std::time::{Duration, Instant};

use criterion::Criterion;
use thoughtindustries::{ApiKey, Attendance, Client, DEFAULT_BULK_CHUNK_SIZE, DEFAULT_CONCURRENCY};
use thoughtindustries_mock::{
    DEMO_TOKEN, Faults, Latency, MockConfig, MockServer, SyntheticOptions, Tenant,
};
use uuid::Uuid;

/// Users in the bulk update.
const USERS: usize = 10_000;
/// Users the one-at-a-time loop is timed on.
const LOOP_USERS: usize = 200;
/// Latency the mock adds to every request.
const LATENCY: Duration = Duration::from_millis(100);

async fn start_mock() -> (MockServer, Uuid) {
    let server = MockServer::start(MockConfig {
        tenant: Tenant::synthetic(SyntheticOptions {
            seed: 7,
            courses: 2,
            meetings: 25,
        }),
        faults: Faults {
            latency: Some(Latency::Fixed(LATENCY)),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .expect("mock starts");
    let meeting = Tenant::synthetic(SyntheticOptions {
        seed: 7,
        courses: 2,
        meetings: 25,
    })
    .meeting_ids(None)[0]
        .parse()
        .expect("meeting ids are UUIDs");
    (server, meeting)
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .build()
        .expect("client builds")
}

fn users(count: usize) -> Vec<Uuid> {
    (0..count as u128).map(|n| Uuid::from_u128(n + 1)).collect()
}

/// One bulk update of every user; the wall time. Panics unless every user was answered.
async fn bulk(client: &Client, meeting: Uuid) -> Duration {
    let start = Instant::now();
    let result = client
        .bulk_update_meeting_attendance(meeting, Attendance::Attended, users(USERS))
        .send()
        .await
        .expect("bulk update succeeds");
    let elapsed = start.elapsed();
    assert_eq!(
        result.updated_record_count as usize + result.errors.len(),
        USERS
    );
    elapsed
}

/// `update_meeting_attendance` for `LOOP_USERS` users, one after the other; the wall time.
async fn one_at_a_time(client: &Client, meeting: Uuid) -> Duration {
    let start = Instant::now();
    for user in users(LOOP_USERS) {
        match client
            .update_meeting_attendance(meeting, user, Attendance::Attended)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if e.status().map(|s| s.as_u16()) == Some(404) => {}
            Err(e) => panic!("update failed: {e}"),
        }
    }
    start.elapsed()
}

/// `ceil(users / chunk / concurrency) x latency`.
fn ideal() -> Duration {
    let requests = USERS.div_ceil(DEFAULT_BULK_CHUNK_SIZE);
    LATENCY * requests.div_ceil(DEFAULT_CONCURRENCY) as u32
}

/// Prints `attendance bulk <wall ms> <ideal ms> <wall/ideal>` and
/// `attendance loop <200-user ms> <scaled 10,000-user ms> <scaled loop / bulk>`.
async fn summary() {
    let (server, meeting) = start_mock().await;
    let client = client(&server);
    let wall = bulk(&client, meeting).await;
    let ideal = ideal();
    println!(
        "attendance\tbulk\t{}\t{}\t{:.3}",
        wall.as_millis(),
        ideal.as_millis(),
        wall.as_secs_f64() / ideal.as_secs_f64()
    );
    let looped = one_at_a_time(&client, meeting).await;
    let scaled = looped.mul_f64(USERS as f64 / LOOP_USERS as f64);
    println!(
        "attendance\tloop\t{}\t{}\t{:.1}",
        looped.as_millis(),
        scaled.as_millis(),
        scaled.as_secs_f64() / wall.as_secs_f64()
    );
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    if std::env::var_os("TI_BENCH_SUMMARY").is_some() {
        runtime.block_on(summary());
        return;
    }
    let (server, meeting) = runtime.block_on(start_mock());
    let client = client(&server);
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group(format!(
        "attendance/{USERS}-users-{}ms",
        LATENCY.as_millis()
    ));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(ideal() * 12);
    group.bench_function("bulk", |b| {
        b.to_async(&runtime).iter_custom(|iters| {
            let client = client.clone();
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += bulk(&client, meeting).await;
                }
                total
            }
        });
    });
    group.finish();
    criterion.final_summary();
}
