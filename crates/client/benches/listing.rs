//! Listing throughput: every meeting of 80 pages behind the mock with 100 ms latency per request,
//! fetched sequentially (concurrency 1) and with concurrency 2, 4 and 8. Reports the wall time and
//! its ratio to the ideal `(1 + ceil((pages - 1) / c)) x latency` (page 1 alone, then the rest `c`
//! at a time).
//!
//! `cargo bench -p thoughtindustries --bench listing` runs it under criterion (10 listings per
//! concurrency, about three minutes). With `TI_BENCH_SUMMARY=1` set it lists once per concurrency
//! and prints one tab-separated `listing` line each (used by `cargo xtask bench`).

use std::time::{Duration, Instant};

use criterion::Criterion;
use futures::TryStreamExt;
use thoughtindustries::{ApiKey, Client};
use thoughtindustries_mock::{
    DEMO_TOKEN, Faults, Latency, MockConfig, MockServer, SyntheticOptions, Tenant,
};

/// Pages in the listing.
const PAGES: u64 = 80;
/// Meetings per page (the vendor's default).
const PER_PAGE: usize = 25;
/// Latency the mock adds to every request.
const LATENCY: Duration = Duration::from_millis(100);
/// The concurrencies compared; 1 is the sequential baseline.
const CONCURRENCIES: [usize; 4] = [1, 2, 4, 8];

async fn start_mock() -> MockServer {
    MockServer::start(MockConfig {
        tenant: Tenant::synthetic(SyntheticOptions {
            seed: 7,
            courses: 12,
            meetings: PAGES as usize * PER_PAGE,
        }),
        per_page: PER_PAGE,
        faults: Faults {
            latency: Some(Latency::Fixed(LATENCY)),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .expect("mock starts")
}

fn client(server: &MockServer, concurrency: usize) -> Client {
    Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .concurrency(concurrency)
        .build()
        .expect("client builds")
}

/// Lists every meeting once; returns the wall time. Panics unless every meeting arrived once.
async fn list_all(client: &Client, concurrency: usize) -> Duration {
    let start = Instant::now();
    let meetings: Vec<_> = client
        .list_meetings()
        .concurrency(concurrency)
        .meetings()
        .try_collect()
        .await
        .expect("listing succeeds");
    let elapsed = start.elapsed();
    assert_eq!(meetings.len(), PAGES as usize * PER_PAGE);
    elapsed
}

/// `(1 + ceil((pages - 1) / c)) x latency`.
fn ideal(concurrency: usize) -> Duration {
    LATENCY * (1 + (PAGES - 1).div_ceil(concurrency as u64)) as u32
}

fn criterion_benches(c: &mut Criterion, runtime: &tokio::runtime::Runtime) {
    let server = runtime.block_on(start_mock());
    let mut group = c.benchmark_group(format!("listing/{PAGES}-pages-{}ms", LATENCY.as_millis()));
    group.sample_size(10).warm_up_time(Duration::from_millis(1));
    for concurrency in CONCURRENCIES {
        let client = client(&server, concurrency);
        group.measurement_time(ideal(concurrency) * 11);
        group.bench_function(format!("concurrency-{concurrency}"), |b| {
            b.to_async(runtime).iter_custom(|iters| {
                let client = client.clone();
                async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += list_all(&client, concurrency).await;
                    }
                    total
                }
            });
        });
    }
    group.finish();
}

/// Prints `listing <c> <wall ms> <ideal ms> <wall/ideal> <speedup vs c=1> <max in flight>` lines.
async fn summary() {
    let mut sequential = None;
    for concurrency in CONCURRENCIES {
        // A fresh server per run, so that its in-flight peak is this run's.
        let server = start_mock().await;
        let wall = list_all(&client(&server, concurrency), concurrency).await;
        let sequential = *sequential.get_or_insert(wall);
        let ideal = ideal(concurrency);
        println!(
            "listing\t{concurrency}\t{}\t{}\t{:.3}\t{:.2}\t{}",
            wall.as_millis(),
            ideal.as_millis(),
            wall.as_secs_f64() / ideal.as_secs_f64(),
            sequential.as_secs_f64() / wall.as_secs_f64(),
            server.stats().max_in_flight,
        );
    }
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    if std::env::var_os("TI_BENCH_SUMMARY").is_some() {
        runtime.block_on(summary());
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    criterion_benches(&mut criterion, &runtime);
    criterion.final_summary();
}
