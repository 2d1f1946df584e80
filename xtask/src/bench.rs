//! `cargo xtask bench`: the quick performance check, printed as one Markdown table.
//!
//! 1. Decode: typed decoding of a page vs a `serde_json::Value` parse, on pages of 25 and 100
//!    realistic meetings and the reference page (`cargo bench --bench decode` in summary mode).
//! 2. Listing: 80 pages behind the mock with 100 ms latency, concurrency 1, 2, 4 and 8
//!    (`cargo bench --bench listing` in summary mode): wall time, ratio to the ideal
//!    `(1 + ceil(79 / c)) x 100 ms`, speedup over sequential.
//! 3. Attendance: 10,000 users in one `bulk_update_meeting_attendance` behind the mock with
//!    100 ms latency (`cargo bench --bench attendance` in summary mode): wall time against the
//!    ideal `ceil(10,000 / 100 / 4) x 100 ms`, and a one-at-a-time loop timed on 200 users, scaled.
//! 4. Attendance import: a 5,000-row report with 2,000 registered attendees read, planned and sent
//!    against the same bulk sends alone (`cargo bench -p thoughtindustries-attendance-import
//!    --bench import` in summary mode): goal <= 1.1x.
//! 5. Memory: `ti meetings list --all --format ndjson > /dev/null` against `ti mock` with 10,000
//!    and 100,000 meetings: the peak RSS of the `ti` process (GNU `time -f %M` when
//!    `/usr/bin/time` exists, otherwise `VmHWM` from `/proc/<pid>/status` sampled until it exits).
//!
//! `--build-cost` measures instead what depending on the SDK costs a user's cold build
//! (`build_cost.rs`); `--pipeline` the request pipeline under a tenant's quota against an earlier
//! revision built side by side (`pipeline_bench.rs`).
//!
//! The benchmarks run in the bench profile and `ti` in release, whatever profile xtask runs in;
//! xtask itself does not link the SDK, so that `cargo xtask codegen` works when the generated
//! code does not compile.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::mock::Mock;
use crate::spec::{cargo, target_dir};

/// Options of `cargo xtask bench`.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// Meeting counts of the memory check.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    meetings: Vec<usize>,
    /// Milliseconds per input for the decode comparison.
    #[arg(long, default_value_t = 1500)]
    decode_ms: u64,
    /// Measure only the build cost: cold builds (dev and release) of examples/downstream from the
    /// packaged crates against a reqwest + serde_json + tokio baseline, and the SDK's rebuild
    /// after a spec edit (about ten minutes on two cores).
    #[arg(long)]
    build_cost: bool,
    /// Measure only the request pipeline under a tenant's quota, against an earlier revision
    /// built side by side (`pipeline_bench.rs`; about ten minutes on two cores).
    #[arg(long)]
    pipeline: bool,
    /// The earlier revision of `--pipeline`.
    #[arg(long, default_value = "a96405f", requires = "pipeline")]
    baseline: String,
}

/// One row of the result table.
pub(crate) struct Row {
    pub bench: &'static str,
    pub case: String,
    pub measured: String,
    pub target: String,
    pub verdict: &'static str,
}

pub(crate) fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

/// Runs the benchmarks and prints the table.
pub fn run(args: BenchArgs) -> Result<()> {
    let started = Instant::now();
    let mut rows = Vec::new();
    if args.build_cost {
        rows.extend(crate::build_cost::rows()?);
    } else if args.pipeline {
        rows.extend(crate::pipeline_bench::rows(&args.baseline)?);
    } else {
        let summary = bench_summaries(args.decode_ms)?;
        rows.extend(decode_rows(&summary)?);
        rows.extend(listing_rows(&summary)?);
        rows.extend(attendance_rows(&summary)?);
        rows.extend(import_rows(&import_summary()?)?);
        rows.extend(memory_rows(&args.meetings)?);
    }
    print_table(&rows, started.elapsed());
    Ok(())
}

/// The tab-separated summary lines of the decode and listing benches.
fn bench_summaries(decode_ms: u64) -> Result<Vec<Vec<String>>> {
    eprintln!("bench: decode and listing (cargo bench, summary mode)");
    summary_lines(
        cargo()
            .args(["bench", "-p", "thoughtindustries", "--bench", "decode"])
            .args(["--bench", "listing", "--bench", "attendance"])
            .env("TI_BENCH_DECODE_MS", decode_ms.to_string()),
    )
}

/// The tab-separated summary lines of the attendance import bench.
fn import_summary() -> Result<Vec<Vec<String>>> {
    eprintln!("bench: attendance import (cargo bench, summary mode)");
    summary_lines(cargo().args([
        "bench",
        "-p",
        "thoughtindustries-attendance-import",
        "--bench",
        "import",
    ]))
}

/// Runs a `cargo bench` command in summary mode (`TI_BENCH_SUMMARY=1`); its tab-separated lines.
fn summary_lines(command: &mut Command) -> Result<Vec<Vec<String>>> {
    let output = command
        .env("TI_BENCH_SUMMARY", "1")
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo bench")?;
    if !output.status.success() {
        bail!("cargo bench failed ({})", output.status);
    }
    let stdout = String::from_utf8(output.stdout).context("bench output is not UTF-8")?;
    Ok(stdout
        .lines()
        .map(|line| line.split('\t').map(str::to_owned).collect::<Vec<_>>())
        .filter(|fields| fields.len() > 1)
        .collect())
}

/// `import read+plan+send <ms> sends alone <ms> ratio <r>` and
/// `import read+plan <ms> detail request <ms> with the detail: ratio <r>`.
fn import_rows(summary: &[Vec<String>]) -> Result<Vec<Row>> {
    let line = |case: &str| {
        summary
            .iter()
            .find(|f| f[0] == "import" && f.get(1).is_some_and(|c| c == case))
            .with_context(|| format!("the import bench printed no `{case}` line"))
    };
    let total = line("read+plan+send")?;
    let (wall, alone, ratio): (u64, u64, f64) =
        (field(total, 2)?, field(total, 4)?, field(total, 6)?);
    let parts = line("read+plan")?;
    let (planning, detail, with_detail): (f64, u64, f64) =
        (field(parts, 2)?, field(parts, 4)?, field(parts, 6)?);
    Ok(vec![
        Row {
            bench: "import",
            case: "5,000-row report, 2,000 attendees: read + plan + send".into(),
            measured: format!(
                "{wall} ms vs the sends alone {alone} ms: **{ratio:.2}x** (read + plan {planning:.1} ms)"
            ),
            target: "<= 1.1x the sends".into(),
            verdict: verdict(ratio <= 1.1),
        },
        Row {
            bench: "import",
            case: "the same with the meeting's detail request first".into(),
            measured: format!("+{detail} ms: {with_detail:.2}x the sends"),
            target: "informative".into(),
            verdict: verdict(true),
        },
    ])
}

fn field<T: std::str::FromStr>(fields: &[String], index: usize) -> Result<T> {
    fields
        .get(index)
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("bad bench line {fields:?}"))
}

fn decode_rows(summary: &[Vec<String>]) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for fields in summary.iter().filter(|f| f[0] == "decode") {
        let (bytes, typed, value, ratio): (u64, f64, f64, f64) = (
            field(fields, 2)?,
            field(fields, 3)?,
            field(fields, 4)?,
            field(fields, 5)?,
        );
        rows.push(Row {
            bench: "decode",
            case: format!("{} ({:.1} KB)", fields[1], bytes as f64 / 1000.0),
            measured: format!("typed {typed:.0} MB/s, Value {value:.0} MB/s: **{ratio:.2}x**"),
            target: "typed >= 1.5x Value".into(),
            verdict: verdict(ratio >= 1.5),
        });
    }
    if rows.is_empty() {
        bail!("the decode bench printed no summary");
    }
    Ok(rows)
}

fn attendance_rows(summary: &[Vec<String>]) -> Result<Vec<Row>> {
    let line = |case: &str| {
        summary
            .iter()
            .find(|f| f[0] == "attendance" && f.get(1).is_some_and(|c| c == case))
            .with_context(|| format!("the attendance bench printed no `{case}` line"))
    };
    let bulk = line("bulk")?;
    let (wall, ideal, ratio): (u64, u64, f64) = (field(bulk, 2)?, field(bulk, 3)?, field(bulk, 4)?);
    let looped = line("loop")?;
    let (sample, scaled, speedup): (u64, u64, f64) =
        (field(looped, 2)?, field(looped, 3)?, field(looped, 4)?);
    Ok(vec![
        Row {
            bench: "attendance",
            case: "bulk, 10,000 users".into(),
            measured: format!(
                "{:.2} s (ideal {:.1} s): **{ratio:.2}x ideal**",
                wall as f64 / 1000.0,
                ideal as f64 / 1000.0
            ),
            target: "<= 1.25x ideal".into(),
            verdict: verdict(ratio <= 1.25),
        },
        Row {
            bench: "attendance",
            case: "one at a time (200 users, scaled to 10,000)".into(),
            measured: format!(
                "{:.1} s for 200, {:.0} s scaled: bulk **{speedup:.0}x** faster",
                sample as f64 / 1000.0,
                scaled as f64 / 1000.0
            ),
            target: "baseline".into(),
            verdict: verdict(true),
        },
    ])
}

fn listing_rows(summary: &[Vec<String>]) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for fields in summary.iter().filter(|f| f[0] == "listing") {
        let (concurrency, wall, ideal, ratio, speedup, in_flight): (u32, u64, u64, f64, f64, u64) = (
            field(fields, 1)?,
            field(fields, 2)?,
            field(fields, 3)?,
            field(fields, 4)?,
            field(fields, 5)?,
            field(fields, 6)?,
        );
        let (target, ok) = match concurrency {
            1 => ("baseline".to_owned(), true),
            4 => (
                "<= 1.25x ideal, >= 3x sequential".to_owned(),
                ratio <= 1.25 && speedup >= 3.0,
            ),
            c => (format!("<= {c} in flight"), in_flight <= u64::from(c)),
        };
        rows.push(Row {
            bench: "listing",
            case: if concurrency == 1 {
                "sequential (c=1)".into()
            } else {
                format!("concurrency {concurrency}")
            },
            measured: format!(
                "{:.2} s (ideal {:.1} s): **{ratio:.2}x ideal**, {speedup:.2}x sequential, \
                 {in_flight} in flight",
                wall as f64 / 1000.0,
                ideal as f64 / 1000.0
            ),
            target,
            verdict: verdict(ok && in_flight <= u64::from(concurrency)),
        });
    }
    if rows.is_empty() {
        bail!("the listing bench printed no summary");
    }
    Ok(rows)
}

fn memory_rows(counts: &[usize]) -> Result<Vec<Row>> {
    eprintln!("bench: building ti (release)");
    let status = cargo()
        .args([
            "build",
            "--release",
            "-p",
            "thoughtindustries-cli",
            "--bin",
            "ti",
        ])
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("cargo build of ti failed ({status})");
    }
    let ti = target_dir().join("release/ti");
    let mut rows = Vec::new();
    let mut first: Option<u64> = None;
    for &meetings in counts {
        eprintln!("bench: ti meetings list --all over {meetings} mock meetings");
        let (peak_kib, wall, method) = list_against_mock(&ti, meetings)?;
        let base = *first.get_or_insert(peak_kib);
        let growth = peak_kib as f64 / base as f64;
        let is_base = rows.is_empty();
        rows.push(Row {
            bench: "memory",
            case: format!("{meetings} meetings"),
            measured: format!(
                "peak RSS **{:.1} MiB** ({method}), {:.1} s",
                peak_kib as f64 / 1024.0,
                wall.as_secs_f64()
            ),
            target: if is_base {
                "baseline".into()
            } else {
                format!("flat: {growth:.2}x the first (<= 1.25x)")
            },
            verdict: verdict(growth <= 1.25),
        });
    }
    Ok(rows)
}

/// Runs `ti meetings list --all --format ndjson > /dev/null` against a `ti mock` serving
/// `meetings` meetings; returns the list process's peak RSS in KiB, the wall time and how the
/// peak was measured.
fn list_against_mock(ti: &Path, meetings: usize) -> Result<(u64, Duration, &'static str)> {
    let mock = Mock::start(
        ti,
        &["--meetings", &meetings.to_string(), "--per-page", "25"],
    )?;
    let time = Path::new("/usr/bin/time");
    let report = std::env::temp_dir().join(format!("ti-bench-rss-{}", std::process::id()));
    let mut command = if time.exists() {
        let mut command = Command::new(time);
        command.args(["-f", "%M", "-o"]).arg(&report).arg(ti);
        command
    } else {
        Command::new(ti)
    };
    command
        .args(["meetings", "list", "--all", "--format", "ndjson"])
        .env("TI_BASE_URL", mock.base_url())
        .env("TI_API_KEY", "ti-demo-token")
        .env_remove("TI_TENANT")
        .stdout(std::fs::File::create("/dev/null")?)
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = command.spawn().context("starting ti meetings list")?;
    let mut sampled = 0;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if !time.exists() {
            sampled = sampled.max(vm_hwm_kib(child.id()).unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let wall = start.elapsed();
    if !status.success() {
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            std::io::Read::read_to_string(&mut pipe, &mut stderr)?;
        }
        bail!("ti meetings list failed ({status}): {stderr}");
    }
    if time.exists() {
        let text = std::fs::read_to_string(&report).context("reading GNU time's report")?;
        let _ = std::fs::remove_file(&report);
        let peak = text
            .lines()
            .rev()
            .find_map(|line| line.trim().parse().ok())
            .with_context(|| format!("no peak RSS in GNU time's report {text:?}"))?;
        Ok((peak, wall, "GNU time"))
    } else {
        Ok((sampled, wall, "VmHWM sampled"))
    }
}

/// The peak resident set size of a running process, from `/proc/<pid>/status`.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn print_table(rows: &[Row], elapsed: Duration) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "| bench | case | measured | target | |");
    let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            row.bench, row.case, row.measured, row.target, row.verdict
        );
    }
    let _ = writeln!(
        out,
        "\n{} cores, {:.0} s in all.",
        std::thread::available_parallelism().map_or(0, usize::from),
        elapsed.as_secs_f64()
    );
}
