//! Decode throughput: typed decoding of a meetings page ([`thoughtindustries::wire::decode_page`]) versus
//! parsing the same bytes into a `serde_json::Value`, on realistic pages of 25 and 100 meetings
//! from the mock's generator and on the spec's reference page (pretty-printed as published, and
//! compact as the API sends it).
//!
//! Under criterion a third function, `models`, is the typed decode without keeping each record's
//! JSON text (`serde_json::from_slice::<MeetingsResponse>`, what `decode_page` did before it kept
//! the text): the baseline for the cost of [`thoughtindustries::Page::into_raw_records`].
//!
//! `cargo bench -p thoughtindustries --bench decode` runs it under criterion (MB/s per input).
//! With `TI_BENCH_SUMMARY=1` set it instead times typed and `Value` decoding in turn for about
//! two seconds per input (`TI_BENCH_DECODE_MS`), keeps the best time of each, and prints one
//! tab-separated `decode` line per input (used by `cargo xtask bench`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use thoughtindustries_mock::{SyntheticOptions, Tenant};

/// One input of the comparison.
struct Input {
    name: &'static str,
    body: Vec<u8>,
}

fn inputs() -> Vec<Input> {
    let tenant = Tenant::synthetic(SyntheticOptions {
        seed: 42,
        courses: 12,
        meetings: 1_000,
    });
    let reference = thoughtindustries_spec::examples::REFERENCE_PAGE
        .as_bytes()
        .to_vec();
    let inputs = vec![
        Input {
            name: "page-25",
            body: tenant.page_body(2, 25, None),
        },
        Input {
            name: "page-100",
            body: tenant.page_body(2, 100, None),
        },
        Input {
            name: "reference-compact",
            body: compact(&reference),
        },
        Input {
            name: "reference",
            body: reference,
        },
    ];
    for input in &inputs {
        // The benchmark measures the fast path: every input must decode on it, with no rejects.
        let page = thoughtindustries::wire::decode_page(&input.body, 1).expect(input.name);
        assert!(
            page.rejected.is_empty(),
            "{}: {:?}",
            input.name,
            page.rejected
        );
        serde_json::from_slice::<thoughtindustries::wire::MeetingsResponse>(&input.body)
            .unwrap_or_else(|e| panic!("{} is not on the fast path: {e}", input.name));
    }
    inputs
}

/// The reference page as the API sends it: the same document without the indentation.
fn compact(pretty: &[u8]) -> Vec<u8> {
    let value: serde_json::Value =
        serde_json::from_slice(pretty).expect("the reference page is JSON");
    serde_json::to_vec(&value).expect("a Value serializes")
}

fn typed(body: &[u8]) -> usize {
    thoughtindustries::wire::decode_page(black_box(body), 1)
        .expect("decodes")
        .meetings
        .len()
}

fn models(body: &[u8]) -> usize {
    serde_json::from_slice::<thoughtindustries::wire::MeetingsResponse>(black_box(body))
        .expect("decodes")
        .data
        .meetings
        .meetings
        .map_or(0, |m| m.len())
}

fn value(body: &[u8]) -> usize {
    let value: serde_json::Value = serde_json::from_slice(black_box(body)).expect("parses");
    value.as_object().map_or(0, serde_json::Map::len)
}

fn criterion_benches(c: &mut Criterion) {
    for input in inputs() {
        let mut group = c.benchmark_group(format!("decode/{}", input.name));
        group.throughput(Throughput::Bytes(input.body.len() as u64));
        group.bench_function("typed", |b| b.iter(|| typed(&input.body)));
        group.bench_function("models", |b| b.iter(|| models(&input.body)));
        group.bench_function("value", |b| b.iter(|| value(&input.body)));
        group.finish();
    }
}

/// Calls of `f` that take about 20 ms.
fn batch_size(f: &mut impl FnMut() -> usize) -> u32 {
    let start = Instant::now();
    let mut calls = 0;
    while start.elapsed() < Duration::from_millis(20) || calls == 0 {
        black_box(f());
        calls += 1;
    }
    calls
}

/// The best time of one call of `a` and of `b`, from batches of each run in turn for about
/// `budget` in all. Alternating and keeping the best make the ratio robust to other load on the
/// machine.
fn best_times(
    budget: Duration,
    mut a: impl FnMut() -> usize,
    mut b: impl FnMut() -> usize,
) -> (Duration, Duration) {
    let (calls_a, calls_b) = (batch_size(&mut a), batch_size(&mut b));
    let (mut best_a, mut best_b) = (Duration::MAX, Duration::MAX);
    let start = Instant::now();
    while start.elapsed() < budget {
        let t = Instant::now();
        for _ in 0..calls_a {
            black_box(a());
        }
        best_a = best_a.min(t.elapsed() / calls_a);
        let t = Instant::now();
        for _ in 0..calls_b {
            black_box(b());
        }
        best_b = best_b.min(t.elapsed() / calls_b);
    }
    (best_a, best_b)
}

/// Prints `decode <input> <bytes> <typed MB/s> <value MB/s> <typed/value>` lines.
fn summary() {
    let budget = Duration::from_millis(
        std::env::var("TI_BENCH_DECODE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2_000),
    );
    let only = std::env::var("TI_BENCH_ONLY").ok();
    for input in inputs() {
        if only.as_deref().is_some_and(|name| name != input.name) {
            continue;
        }
        let (typed_time, value_time) =
            best_times(budget, || typed(&input.body), || value(&input.body));
        let mbps = |time: Duration| input.body.len() as f64 / time.as_secs_f64() / 1e6;
        let (typed_rate, value_rate) = (mbps(typed_time), mbps(value_time));
        println!(
            "decode\t{}\t{}\t{typed_rate:.1}\t{value_rate:.1}\t{:.2}",
            input.name,
            input.body.len(),
            typed_rate / value_rate
        );
    }
}

fn main() {
    if std::env::var_os("TI_BENCH_SUMMARY").is_some() {
        summary();
        return;
    }
    let mut criterion = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    criterion_benches(&mut criterion);
    criterion.final_summary();
}
