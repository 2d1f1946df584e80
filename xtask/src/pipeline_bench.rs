//! `cargo xtask bench --pipeline`: the request pipeline against a tenant's quota, this revision
//! and an earlier one built side by side.
//!
//! The earlier revision (`--baseline`, default `a96405f`, the pipeline before issue 27) is
//! checked out as a git worktree under `target/bench-pipeline/`; one small driver program (the
//! same source, using only the public API both revisions share) is built against each. Both talk
//! to `ti mock` of this revision, so that the server behaviours are the same: a 100-page listing
//! at concurrency 8, 200 ms a request, 40 requests per 2-second window, the reset written as unix
//! seconds, as an HTTP-date, as ISO 8601, or absent; a fresh mock each run, started 5 ms into a
//! window. Reported: the wall time, its ratio to the ideal (page 1 alone, then as many requests
//! as free slots and the window's quota allow), and
//! the 429s the mock sent (`/__mock/stats`). Then a long-running client: five listings dropped
//! after their first pages and fifteen detail calls cancelled mid-request, then the same
//! listing timed, against a fresh client's.
//!
//! Runs with the dev profile (the figures are network-bound); about ten minutes on two cores,
//! most of it building the earlier revision once.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::bench::{Row, verdict};
use crate::mock::Mock;
use crate::spec::{cargo, git, target_dir};

const PAGES: u64 = 100;
const PER_PAGE: u64 = 25;
const LIMIT: u64 = 40;
const WINDOW_MS: u64 = 2000;
const LATENCY_MS: u64 = 200;
const CONCURRENCY: u64 = 8;
/// A run (or a long-running client's churn) that takes longer is stopped and reported as such.
const CAP_SECS: u64 = 60;

/// The driver: one listing (`list`), or a long-running client's churn then one listing
/// (`churn`), from the start of a window; prints `start_unix_ms elapsed_ms meetings error`.
const DRIVER: &str = r#"use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::{StreamExt, TryStreamExt};
use thoughtindustries::{ApiKey, Client};

async fn window_start(window_ms: u128) -> u128 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let next = (now.as_millis() / window_ms + 1) * window_ms + 5;
    tokio::time::sleep(Duration::from_millis(next as u64) - now).await;
    next
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (mode, url, window_ms, cap) = (&args[1], &args[2], args[3].parse::<u128>().unwrap(), args[4].parse::<u64>().unwrap());
    let client = Client::builder()
        .base_url(url)
        .api_key(ApiKey::new("ti-demo-token"))
        .concurrency(8)
        .build()
        .unwrap();
    if mode == "churn" {
        let id = "5a3c0f1e-0020-4000-8000-000000000020".parse().unwrap();
        let churn = async {
            for _ in 0..5 {
                let mut meetings = client.list_meetings().meetings();
                for _ in 0..30 {
                    let _ = meetings.next().await;
                }
                drop(meetings);
                for _ in 0..3 {
                    let _ = tokio::time::timeout(Duration::from_millis(50), client.get_meeting(id)).await;
                }
            }
        };
        if tokio::time::timeout(Duration::from_secs(cap), churn).await.is_err() {
            println!("0 0 0 the_churn_itself_took_over_the_cap");
            return;
        }
        // A window for the quota to recover, as a fresh client would find it.
        window_start(window_ms).await;
    }
    let start = window_start(window_ms).await;
    let clock = std::time::Instant::now();
    let listing = client.list_meetings().meetings().try_collect::<Vec<_>>();
    let (count, error) = match tokio::time::timeout(Duration::from_secs(cap), listing).await {
        Ok(Ok(meetings)) => (meetings.len(), "-".to_owned()),
        Ok(Err(e)) => (0, e.to_string().replace(char::is_whitespace, "_")),
        Err(_) => (0, "over_the_cap".to_owned()),
    };
    println!("{start} {} {count} {error}", clock.elapsed().as_millis());
}
"#;

/// The rows of `cargo xtask bench --pipeline`.
pub fn rows(baseline: &str) -> Result<Vec<Row>> {
    let root = crate::spec::workspace_root();
    let scratch = target_dir().join("bench-pipeline");
    std::fs::create_dir_all(&scratch)?;
    let old = checkout(&root, &scratch, baseline)?;
    let ti = build_ti()?;
    let new_driver = build_driver(&root, &scratch, "new")?;
    let old_driver = build_driver(&old, &scratch, "old")?;
    let mut rows = Vec::new();
    for form in ["unix", "http-date", "iso8601", "none"] {
        for (name, driver) in [("new", &new_driver), ("old", &old_driver)] {
            let run = measure(&ti, driver, form, "list")?;
            let row = run.row(&format!("reset {form}, {name}"), form, name == "new");
            eprintln!("{}: {}", row.case, row.measured);
            rows.push(row);
        }
    }
    for form in ["unix", "none"] {
        for (name, driver) in [("new", &new_driver), ("old", &old_driver)] {
            let fresh = measure(&ti, driver, form, "list")?;
            let churned = measure(&ti, driver, form, "churn")?;
            eprintln!(
                "long-running, reset {form}, {name}: {} after churn, {} fresh",
                churned.wall(),
                fresh.wall()
            );
            rows.push(Row {
                bench: "pipeline",
                case: format!("long-running client, reset {form}, {name}"),
                measured: format!(
                    "{} after churn vs {} fresh ({:.2}x)",
                    churned.wall(),
                    fresh.wall(),
                    churned.ratio() / fresh.ratio()
                ),
                target: "<= 1.1x of fresh".into(),
                verdict: verdict(churned.ratio() <= fresh.ratio() * 1.1),
            });
        }
    }
    Ok(rows)
}

/// The earlier revision, checked out once under `scratch`.
fn checkout(root: &Path, scratch: &Path, baseline: &str) -> Result<PathBuf> {
    let dir = scratch.join(format!("rev-{baseline}"));
    if !dir.join("Cargo.toml").exists() {
        let dir_text = dir.to_str().context("a UTF-8 path")?;
        git(&["worktree", "prune"]);
        let status = Command::new("git")
            .current_dir(root)
            .args(["worktree", "add", "--detach", dir_text, baseline])
            .status()?;
        if !status.success() {
            bail!("git worktree add {dir_text} {baseline} failed");
        }
    }
    Ok(dir)
}

fn build_ti() -> Result<PathBuf> {
    let status = cargo()
        .args(["build", "--quiet", "-p", "thoughtindustries-cli"])
        .status()?;
    if !status.success() {
        bail!("building ti failed");
    }
    Ok(target_dir().join("debug").join("ti"))
}

/// Builds the driver against the client crate of the workspace at `workspace`.
fn build_driver(workspace: &Path, scratch: &Path, name: &str) -> Result<PathBuf> {
    let dir = scratch.join(format!("driver-{name}"));
    std::fs::create_dir_all(dir.join("src"))?;
    let client = workspace.join("crates/client");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"pipeline-driver-{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nthoughtindustries = {{ path = {client:?} }}\nfutures = \"0.3\"\n\
             tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"time\"] }}\n\n[workspace]\n"
        ),
    )?;
    std::fs::write(dir.join("src/main.rs"), DRIVER)?;
    // The workspace's own lock file: the same dependency versions, no registry lookups.
    std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    let target = scratch.join("target");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&dir)
        .args(["build", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .status()?;
    if !status.success() {
        bail!("building the driver against {} failed", workspace.display());
    }
    Ok(target.join("debug").join(format!("pipeline-driver-{name}")))
}

/// One run on a fresh mock.
struct Measured {
    wall: Duration,
    ideal: Duration,
    refused: u64,
    error: Option<String>,
}

impl Measured {
    fn ratio(&self) -> f64 {
        self.wall.as_secs_f64() / self.ideal.as_secs_f64()
    }

    fn wall(&self) -> String {
        match &self.error {
            Some(error) => format!("{:.2} s ({error})", self.wall.as_secs_f64()),
            None => format!("{:.2} s", self.wall.as_secs_f64()),
        }
    }

    fn row(&self, case: &str, form: &str, goal: bool) -> Row {
        let (target, ok) = match form {
            "unix" => ("<= 1.1x, 0 x 429", self.ratio() <= 1.1 && self.refused == 0),
            "none" => ("<= 1.8x", self.ratio() <= 1.8),
            _ => (
                "<= 1.3x, <= 2 x 429",
                self.ratio() <= 1.3 && self.refused <= 2,
            ),
        };
        Row {
            bench: "pipeline",
            case: case.to_owned(),
            measured: format!(
                "{} / ideal {:.2} s = {:.2}x, {} x 429",
                self.wall(),
                self.ideal.as_secs_f64(),
                self.ratio(),
                self.refused
            ),
            target: if goal {
                target.into()
            } else {
                "(baseline)".into()
            },
            verdict: if goal {
                verdict(ok && self.error.is_none())
            } else {
                "-"
            },
        }
    }
}

fn measure(ti: &Path, driver: &Path, form: &str, mode: &str) -> Result<Measured> {
    let mock = Mock::start(
        ti,
        &[
            "--meetings",
            &(PAGES * PER_PAGE).to_string(),
            "--per-page",
            &PER_PAGE.to_string(),
            "--latency-ms",
            &LATENCY_MS.to_string(),
            "--quota",
            &format!("{LIMIT}/{WINDOW_MS}ms"),
            "--reset-form",
            form,
        ],
    )?;
    let url = mock.base_url();
    let output = Command::new(driver)
        .args([mode, url, &WINDOW_MS.to_string(), &CAP_SECS.to_string()])
        .stderr(Stdio::inherit())
        .output()?;
    let line = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [start, elapsed, count, error] = fields[..] else {
        bail!("the driver printed {line:?}");
    };
    let start: u64 = start.parse()?;
    let wall = Duration::from_millis(elapsed.parse()?);
    if start == 0 {
        return Ok(Measured {
            wall: Duration::from_secs(CAP_SECS),
            ideal: ideal(0),
            refused: refused(url)?,
            error: Some(error.replace('_', " ")),
        });
    }
    let complete = count.parse::<u64>()? == PAGES * PER_PAGE;
    let error = match error {
        "-" if complete => None,
        "-" => Some(format!("{count} meetings")),
        other => Some(other.replace('_', " ")),
    };
    Ok(Measured {
        wall,
        ideal: ideal(start),
        refused: refused(url)?,
        error,
    })
}

/// The finish of a client that knew everything, from `start` (unix ms): page 1 alone, then each
/// request as soon as a slot is free and the window it is sent in has quota left (the issue's
/// "possible": a client cannot know the latency to send ahead of a window).
fn ideal(start: u64) -> Duration {
    let window_of = |at: u64| at / WINDOW_MS;
    let mut counts = std::collections::HashMap::new();
    *counts.entry(window_of(start)).or_insert(0u64) += 1;
    let first_end = start + LATENCY_MS;
    let mut slots = vec![first_end; CONCURRENCY as usize];
    let mut finish = first_end;
    for _ in 1..PAGES {
        slots.sort_unstable();
        let mut at = slots[0];
        loop {
            let window = window_of(at);
            let used = counts.entry(window).or_insert(0);
            if *used < LIMIT {
                *used += 1;
                break;
            }
            at = (window + 1) * WINDOW_MS;
        }
        slots[0] = at + LATENCY_MS;
        finish = finish.max(at + LATENCY_MS);
    }
    Duration::from_millis(finish - start)
}

/// The 429s the mock at `url` (`http://127.0.0.1:PORT`) sent.
fn refused(url: &str) -> Result<u64> {
    let address = url.strip_prefix("http://").context("the mock's URL")?;
    let mut stream = TcpStream::connect(address)?;
    write!(
        stream,
        "GET /__mock/stats HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    let stats: serde_json::Value = serde_json::from_str(body).context("the mock's stats")?;
    Ok(stats["byStatus"]["429"].as_u64().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ideal_is_the_quotas_bound() {
        // 5 ms into a window: 40 requests in the first window (page 1, then 39 in 5 rounds of
        // 8), 40 in the second (5 rounds from its opening), 20 in the third: 3 rounds, the last
        // answered 600 ms into it.
        let ideal = ideal(10_000 + 5);
        assert_eq!(ideal, Duration::from_millis(4_600 - 5));
    }
}
