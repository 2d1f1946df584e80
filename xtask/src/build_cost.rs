//! `cargo xtask bench --build-cost`: what depending on the SDK costs a user's cold build.
//!
//! 1. Every publishable crate is packaged and verified (`cargo package`), as a registry would
//!    serve it.
//! 2. Two crates are built from scratch, each in a fresh target directory with the sources
//!    already fetched, in the dev and the release profile:
//!    - `examples/downstream`, the user's crate of the README, with its registry dependencies
//!      patched to the packaged crates;
//!    - a baseline that needs what any HTTP + JSON client needs: `reqwest` with the SDK's own
//!      `reqwest` and TLS features (read from the client's manifest, so that the two cannot drift
//!      apart), `serde_json` and `tokio`, resolved from the downstream's lockfile (same versions).
//! 3. The turnaround after a spec edit in the workspace: `cargo xtask codegen` (both generators
//!    and rustfmt, in this process), then the rebuild of the models and the client in the
//!    workspace's own warm target directory.
//!
//! The ratio downstream / baseline is the figure to watch (goal: at most 1.5x); both sides of it
//! are measured in the same run, one after the other, on the same machine. Each build reports its
//! wall time and its CPU time (cargo, rustc and build scripts, user + system); the goal is judged
//! on CPU time, which other work on the same cores barely moves (Linux: `/proc/self/stat`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::bench::{Row, cargo, verdict};
use crate::spec;

/// The crates the downstream crate takes from the registry that this workspace publishes.
const SDK_CRATES: [&str; 2] = ["thoughtindustries", "thoughtindustries-models"];

/// The goal for downstream / baseline.
const GOAL: f64 = 1.5;

/// Measures the cold builds and the rebuild; one row each, with the ratios.
pub fn rows() -> Result<Vec<Row>> {
    let root = spec::workspace_root();
    let scratch = std::env::temp_dir().join(format!("ti-build-cost-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let result = measure(&root, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn measure(root: &Path, scratch: &Path) -> Result<Vec<Row>> {
    let packaged = package(root)?;
    let downstream = root.join("examples/downstream/Cargo.toml");
    let patches: Vec<String> = SDK_CRATES
        .iter()
        .flat_map(|name| {
            let dir = packaged.join(format!("{name}-{}", sdk_version(root)));
            [
                "--config".to_owned(),
                format!(
                    "patch.crates-io.{name}.path={:?}",
                    dir.display().to_string()
                ),
            ]
        })
        .collect();
    let baseline = write_baseline(root, scratch)?;

    eprintln!("build-cost: fetching sources");
    run(cargo()
        .arg("fetch")
        .arg("--manifest-path")
        .arg(&downstream)
        .args(&patches))?;
    run(cargo().arg("fetch").arg("--manifest-path").arg(&baseline))?;

    let mut rows = Vec::new();
    for profile in ["dev", "release"] {
        let base = cold_build(&baseline, &[], profile, scratch)?;
        let ours = cold_build(&downstream, &patches, profile, scratch)?;
        let cpu_ratio = ours.cpu.as_secs_f64() / base.cpu.as_secs_f64();
        let wall_ratio = ours.wall.as_secs_f64() / base.wall.as_secs_f64();
        rows.push(Row {
            bench: "build",
            case: format!("cold `cargo build` ({profile}): examples/downstream vs baseline"),
            measured: format!(
                "CPU {:.0} s vs {:.0} s: **{cpu_ratio:.2}x**; wall {:.0} s vs {:.0} s: {wall_ratio:.2}x",
                ours.cpu.as_secs_f64(),
                base.cpu.as_secs_f64(),
                ours.wall.as_secs_f64(),
                base.wall.as_secs_f64()
            ),
            target: format!("CPU <= {GOAL}x"),
            verdict: verdict(cpu_ratio <= GOAL),
        });
    }
    let (regenerate, rebuild) = rebuild_after_spec_edit(root)?;
    rows.push(Row {
        bench: "build",
        case: "after a spec edit: `cargo xtask codegen`, then the SDK's rebuild (dev, warm)".into(),
        measured: format!(
            "{:.1} s + {:.1} s",
            regenerate.as_secs_f64(),
            rebuild.as_secs_f64()
        ),
        target: "reported".into(),
        verdict: "-",
    });
    Ok(rows)
}

/// Packages and verifies every publishable crate; returns the directory holding the unpacked,
/// verified contents (`<name>-<version>/`).
fn package(root: &Path) -> Result<PathBuf> {
    forget_unpacked_copies(&sdk_version(root))?;
    eprintln!("build-cost: cargo package --workspace");
    run(cargo().args([
        "package",
        "--workspace",
        "--exclude",
        "xtask",
        "--exclude",
        "contract-tests",
        "--allow-dirty",
    ]))?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("package"))
}

/// Removes the copies of our packages that an earlier run unpacked under
/// `$CARGO_HOME/registry/src`: cargo unpacks the `.crate` files of its temporary registry there
/// and treats them as immutable, so a rerun would verify (and build the downstream crate from)
/// the previous run's contents instead of what it just packaged. (`scripts/downstream.sh` does
/// the same outside CI.)
fn forget_unpacked_copies(version: &str) -> Result<()> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let Some(sources) = home.map(|home| home.join("registry/src")) else {
        return Ok(());
    };
    for registry in std::fs::read_dir(&sources).into_iter().flatten().flatten() {
        for unpacked in std::fs::read_dir(registry.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = unpacked.file_name().to_string_lossy().into_owned();
            if name.starts_with("thoughtindustries") && name.ends_with(&format!("-{version}")) {
                std::fs::remove_dir_all(unpacked.path())
                    .with_context(|| format!("removing {}", unpacked.path().display()))?;
            }
        }
    }
    Ok(())
}

fn workspace_metadata(root: &Path) -> Result<Value> {
    let output = cargo()
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

fn sdk_version(root: &Path) -> String {
    workspace_metadata(root)
        .ok()
        .and_then(|m| {
            m["packages"]
                .as_array()?
                .iter()
                .find(|p| p["name"] == "thoughtindustries")
                .and_then(|p| p["version"].as_str().map(str::to_owned))
        })
        .unwrap_or_else(|| "0.1.0".into())
}

/// Writes the baseline crate: the client's own `reqwest` (and `rustls`, if it names one)
/// dependency declarations, `serde_json`, `tokio`, and a `main` that uses them.
fn write_baseline(root: &Path, scratch: &Path) -> Result<PathBuf> {
    let metadata = workspace_metadata(root)?;
    let client = metadata["packages"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "thoughtindustries"))
        .context("no thoughtindustries package")?;
    let mut dependencies = String::new();
    for dep in client["dependencies"].as_array().into_iter().flatten() {
        let name = dep["name"].as_str().unwrap_or_default();
        if dep["kind"].is_null() && (name == "reqwest" || name == "rustls") {
            dependencies.push_str(&format!(
                "{name} = {{ version = {:?}, default-features = {}, features = {} }}\n",
                dep["req"].as_str().unwrap_or("*"),
                dep["uses_default_features"],
                dep["features"]
            ));
        }
    }
    let dir = scratch.join("baseline");
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"baseline\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [dependencies]\n{dependencies}serde_json = \"1\"\n\
             tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n"
        ),
    )?;
    std::fs::write(
        dir.join("src/main.rs"),
        r#"#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("TI_BASE_URL")? + "/incoming/v2/meetings";
    let _ = rustls::crypto::ring::default_provider().install_default();
    let body: serde_json::Value = reqwest::Client::new().get(url).send().await?.json().await?;
    println!("{}", body["data"]["Meetings"]["meetings"].as_array().map_or(0, Vec::len));
    Ok(())
}
"#,
    )?;
    // The downstream crate's lockfile: the same versions of the crates both sides share.
    std::fs::copy(
        root.join("examples/downstream/Cargo.lock"),
        dir.join("Cargo.lock"),
    )?;
    Ok(dir.join("Cargo.toml"))
}

/// The cost of one build: wall time, and the CPU time (user + system) of cargo, rustc and the
/// build scripts. The CPU time is the figure to compare: it barely moves when other work shares
/// the cores, where the wall time can double.
struct Cost {
    wall: Duration,
    cpu: Duration,
}

/// A build of `manifest` in a fresh target directory, offline.
fn cold_build(manifest: &Path, patches: &[String], profile: &str, scratch: &Path) -> Result<Cost> {
    let target = scratch.join(format!("target-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&target);
    eprintln!("build-cost: cold {profile} build of {}", manifest.display());
    let (start, cpu_before) = (Instant::now(), children_cpu()?);
    run(cargo()
        .args([
            "build",
            "--offline",
            "--quiet",
            "--profile",
            profile,
            "--manifest-path",
        ])
        .arg(manifest)
        .args(patches)
        .env("CARGO_TARGET_DIR", &target))?;
    let cost = Cost {
        wall: start.elapsed(),
        cpu: children_cpu()?.saturating_sub(cpu_before),
    };
    let _ = std::fs::remove_dir_all(&target);
    Ok(cost)
}

/// User + system time of the finished child processes of xtask and of their own children
/// (fields 16 and 17 of `/proc/self/stat`, in clock ticks).
fn children_cpu() -> Result<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").context("reading /proc/self/stat")?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let after_name = stat.rfind(')').context("bad /proc/self/stat")? + 2;
    let fields: Vec<&str> = stat[after_name..].split(' ').collect();
    let ticks = |field: usize| -> Result<u64> {
        fields
            .get(field - 3)
            .and_then(|f| f.parse().ok())
            .context("bad /proc/self/stat")
    };
    let hz = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse::<u64>().ok())
        .unwrap_or(100);
    Ok(Duration::from_secs_f64(
        (ticks(16)? + ticks(17)?) as f64 / hz as f64,
    ))
}

/// After the spec changes: the regeneration (`cargo xtask codegen`, which regenerates everything
/// and writes only what changed), then the SDK's rebuild once both generated files are new.
fn rebuild_after_spec_edit(root: &Path) -> Result<(Duration, Duration)> {
    let build = || run(cargo().args(["build", "--quiet", "-p", "thoughtindustries"]));
    build()?;
    let start = Instant::now();
    crate::codegen::run(false)?;
    let regenerate = start.elapsed();
    for generated in [
        "crates/models/src/generated.rs",
        "crates/client/src/generated.rs",
    ] {
        std::fs::File::options()
            .append(true)
            .open(root.join(generated))
            .and_then(|file| file.set_modified(SystemTime::now()))
            .with_context(|| format!("touching {generated}"))?;
    }
    let start = Instant::now();
    build()?;
    Ok((regenerate, start.elapsed()))
}

fn run(command: &mut Command) -> Result<()> {
    let status = command.status().context("running cargo")?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}
