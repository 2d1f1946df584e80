//! `cargo xtask bench --build-cost`: what depending on the SDK costs a user's cold build.
//!
//! 1. Every publishable crate is packaged (`cargo package`), as a registry would serve it; the
//!    cold builds below build the SDK's packaged contents (which verifies them).
//! 2. Seven crates are built from scratch, each in a fresh target directory with the sources
//!    already fetched, in the dev and the release profile:
//!    - a baseline that needs what any HTTP + JSON client needs: `reqwest` with the SDK's own
//!      `reqwest` features, TLS included (those its default features turn on, read from the
//!      client's manifest, so that the two cannot drift apart), `serde_json` and `tokio`, resolved
//!      from the downstream's lockfile (same versions);
//!    - `examples/downstream` with the SDK's light build (`default-features = false` with the
//!      default TLS feature: the checked-in generated client, no code generator);
//!    - `examples/downstream`, the user's crate of the README, as it is (the default build: the
//!      client's build script runs progenitor on the spec);
//!    - the progenitor-raw peer: a crate whose build script runs progenitor on the same spec and
//!      nothing else (error responses removed, which progenitor needs to accept it at all), with
//!      the same `reqwest`, TLS and builder interface;
//!    - a reqwest user's crate: `reqwest` with its default features (reqwest's own TLS choice),
//!      `serde_json` and `tokio`, then the same crate with the SDK added, in its default and its
//!      light build: what adding the SDK costs a service that already makes HTTP calls.
//!
//!    The downstream crates take their registry dependencies patched to the packaged crates.
//! 3. The turnaround after a spec edit in the workspace: `cargo xtask codegen` (both generators
//!    and rustfmt, in this process), then the rebuild of the models and the client in the
//!    workspace's own warm target directory.
//!
//! The goals: the light build within 1.15x of the baseline, the default build no slower than the
//! peer (which does less: no hand-written layer, no tolerant decoding), and the SDK's added cost to
//! the reqwest user no more than what the light build added over the baseline before issue 29. All four are measured in
//! the same run, one after the other, on the same machine. Each build reports its wall time and
//! its CPU time (cargo, rustc and build scripts, user + system); the goals are judged on CPU time,
//! which other work on the same cores barely moves (Linux: `/proc/self/stat`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};

use crate::bench::{Row, verdict};
use crate::spec;
use crate::spec::cargo;

/// The crates the downstream crate takes from the registry that this workspace publishes (the
/// last two as the client's build dependencies).
const SDK_CRATES: [&str; 4] = [
    "thoughtindustries",
    "thoughtindustries-models",
    "thoughtindustries-codegen",
    "thoughtindustries-spec",
];

/// The goal for the light build / baseline.
const LIGHT_GOAL: f64 = 1.15;
/// The goal for the default build / the progenitor-raw peer.
const PEER_GOAL: f64 = 1.0;
/// What the light build added over the baseline before issue 29 (CPU seconds, dev and release,
/// measured on a fresh clone on the 2-core development machine): the ceiling on what adding the
/// SDK may cost a crate that already depends on reqwest, serde_json and tokio.
const ADDED_BEFORE: [(&str, f64); 2] = [("dev", 21.0), ("release", 45.0)];

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
    let packaged = package(root, scratch)?;
    let version = sdk_version(root)?;
    // A snapshot: the run takes many minutes, and must measure one state of the example.
    let downstream = copy_downstream(root, scratch)?;
    let patches: Vec<String> = SDK_CRATES
        .iter()
        .flat_map(|name| {
            let dir = packaged.join(format!("{name}-{version}"));
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
    let light = write_light_downstream(root, scratch)?;
    let peer = write_peer(root, scratch)?;
    let user = write_reqwest_user(root, scratch, None)?;
    let user_default = write_reqwest_user(root, scratch, Some(SdkBuild::Default))?;
    let user_light = write_reqwest_user(root, scratch, Some(SdkBuild::Light))?;

    eprintln!("build-cost: fetching sources");
    for manifest in [&downstream, &light, &user_default, &user_light] {
        run(cargo()
            .arg("fetch")
            .arg("--manifest-path")
            .arg(manifest)
            .args(&patches))?;
    }
    for manifest in [&baseline, &peer, &user] {
        run(cargo().arg("fetch").arg("--manifest-path").arg(manifest))?;
    }

    let mut rows = Vec::new();
    for profile in ["dev", "release"] {
        let base = cold_build(&baseline, &[], profile, scratch)?;
        let thin = cold_build(&light, &patches, profile, scratch)?;
        let ours = cold_build(&downstream, &patches, profile, scratch)?;
        let raw = cold_build(&peer, &[], profile, scratch)?;
        let plain_user = cold_build(&user, &[], profile, scratch)?;
        let user_with_default = cold_build(&user_default, &patches, profile, scratch)?;
        let user_with_light = cold_build(&user_light, &patches, profile, scratch)?;
        let mut compare = |case: &str, a: &Cost, b: &Cost, goal: Option<f64>| {
            let cpu_ratio = a.cpu.as_secs_f64() / b.cpu.as_secs_f64();
            let wall_ratio = a.wall.as_secs_f64() / b.wall.as_secs_f64();
            rows.push(Row {
                bench: "build",
                case: format!("cold `cargo build` ({profile}): {case}"),
                measured: format!(
                    "CPU {:.0} s vs {:.0} s: **{cpu_ratio:.2}x**; wall {:.0} s vs {:.0} s: {wall_ratio:.2}x",
                    a.cpu.as_secs_f64(),
                    b.cpu.as_secs_f64(),
                    a.wall.as_secs_f64(),
                    b.wall.as_secs_f64()
                ),
                target: goal.map_or("reported".into(), |g| format!("CPU <= {g}x")),
                verdict: goal.map_or("-", |g| verdict(cpu_ratio <= g)),
            });
        };
        compare(
            "light SDK (default-features = false) vs baseline",
            &thin,
            &base,
            Some(LIGHT_GOAL),
        );
        compare(
            "default SDK (build-time progenitor) vs progenitor-raw peer",
            &ours,
            &raw,
            Some(PEER_GOAL),
        );
        compare("default SDK vs baseline", &ours, &base, None);
        let ceiling = ADDED_BEFORE
            .iter()
            .find(|(p, _)| *p == profile)
            .map_or(0.0, |(_, s)| *s);
        let light_added = thin.cpu.as_secs_f64() - base.cpu.as_secs_f64();
        for (build, with) in [("default", &user_with_default), ("light", &user_with_light)] {
            let added = with.cpu.as_secs_f64() - plain_user.cpu.as_secs_f64();
            rows.push(Row {
                bench: "build",
                case: format!(
                    "cold `cargo build` ({profile}): a reqwest (default features) + serde_json + \
                     tokio crate, then with the {build} SDK added"
                ),
                measured: format!(
                    "CPU {:.0} s -> {:.0} s: **+{added:.0} s** ({:.2}x); wall {:.0} s -> {:.0} s; \
                     the light build over the baseline in this run: +{light_added:.0} s",
                    plain_user.cpu.as_secs_f64(),
                    with.cpu.as_secs_f64(),
                    with.cpu.as_secs_f64() / plain_user.cpu.as_secs_f64(),
                    plain_user.wall.as_secs_f64(),
                    with.wall.as_secs_f64(),
                ),
                target: format!("added CPU <= {ceiling:.0} s (the light build's before issue 29)"),
                verdict: verdict(added <= ceiling),
            });
        }
    }
    let (regenerate, rebuild) = rebuild_after_spec_edit(root)?;
    rows.push(Row {
        bench: "build",
        case: "after a spec edit: `cargo xtask codegen`, then the SDK's rebuild with its build script (dev, warm)".into(),
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

/// Packages every publishable crate and unpacks the SDK's `.crate` files into `scratch/packages`;
/// returns that directory (`<name>-<version>/`). Not verified one by one (`--no-verify`, which
/// would build most of the dependency graph once per crate): the cold builds below build exactly
/// these contents, and fail if they do not build.
fn package(root: &Path, scratch: &Path) -> Result<PathBuf> {
    let version = sdk_version(root)?;
    forget_unpacked_copies(&version)?;
    eprintln!("build-cost: cargo package --workspace");
    run(cargo().args([
        "package",
        "--workspace",
        "--exclude",
        "xtask",
        "--exclude",
        "contract-tests",
        "--exclude",
        "thoughtindustries-fuzz",
        "--no-verify",
        "--allow-dirty",
    ]))?;
    let unpacked = scratch.join("packages");
    std::fs::create_dir_all(&unpacked)?;
    for name in SDK_CRATES {
        let file = spec::target_dir()
            .join("package")
            .join(format!("{name}-{version}.crate"));
        run(Command::new("tar")
            .arg("-xzf")
            .arg(&file)
            .arg("-C")
            .arg(&unpacked))?;
    }
    Ok(unpacked)
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

/// The client package's entry in `cargo metadata`.
fn client_package(root: &Path) -> Result<serde_json::Value> {
    let mut metadata = spec::workspace_metadata(root)?;
    metadata["packages"]
        .as_array_mut()
        .and_then(|p| p.iter_mut().find(|p| p["name"] == "thoughtindustries"))
        .map(serde_json::Value::take)
        .context("no thoughtindustries package")
}

/// The SDK's version, which every crate of the workspace shares.
fn sdk_version(root: &Path) -> Result<String> {
    client_package(root)?["version"]
        .as_str()
        .map(str::to_owned)
        .context("the client package has no version")
}

/// The client's own `reqwest` dependency declaration, as a manifest line: its declared features
/// and those the client's default features turn on (`reqwest/rustls`, the TLS).
fn client_http_dependencies(root: &Path) -> Result<String> {
    let client = client_package(root)?;
    let reqwest = client["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|dep| dep["kind"].is_null() && dep["name"] == "reqwest")
        .context("the client does not depend on reqwest")?;
    let mut features: Vec<String> = reqwest["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_owned))
        .collect();
    for feature in enabled_features(&client["features"], &default_features(&client)) {
        if let Some(f) = feature.strip_prefix("reqwest/") {
            features.push(f.to_owned());
        }
    }
    Ok(format!(
        "reqwest = {{ version = {:?}, default-features = {}, features = {features:?} }}\n",
        reqwest["req"].as_str().unwrap_or("*"),
        reqwest["uses_default_features"],
    ))
}

/// The client's default features.
fn default_features(client: &serde_json::Value) -> Vec<String> {
    client["features"]["default"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_owned))
        .collect()
}

/// Every entry of a package's `features` table that `start` turns on, transitively (its own
/// features and their `dep/feature` entries).
fn enabled_features(table: &serde_json::Value, start: &[String]) -> Vec<String> {
    let mut pending = start.to_vec();
    let mut found = Vec::new();
    while let Some(feature) = pending.pop() {
        if found.contains(&feature) {
            continue;
        }
        if let Some(implied) = table[&feature].as_array() {
            pending.extend(implied.iter().filter_map(|f| f.as_str().map(str::to_owned)));
        }
        found.push(feature);
    }
    found
}

/// The SDK's dependency declaration as a user writes it, at the workspace's version: `build`'s
/// features (the light one: the client's default features but `codegen`).
fn sdk_declaration(root: &Path, build: SdkBuild) -> Result<String> {
    let version = sdk_version(root)?;
    Ok(match build {
        SdkBuild::Default => format!("thoughtindustries = {version:?}"),
        SdkBuild::Light => {
            let features: Vec<String> = default_features(&client_package(root)?)
                .into_iter()
                .filter(|f| f != "codegen")
                .collect();
            format!(
                "thoughtindustries = {{ version = {version:?}, default-features = false, features = {features:?} }}"
            )
        }
    })
}

/// Writes the baseline crate: the client's own `reqwest` dependency declaration (TLS included),
/// `serde_json`, `tokio`, and a `main` that uses them.
fn write_baseline(root: &Path, scratch: &Path) -> Result<PathBuf> {
    let dependencies = client_http_dependencies(root)?;
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
    let body: serde_json::Value = reqwest::Client::new().get(url).send().await?.json().await?;
    println!("{}", body["data"]["Meetings"]["meetings"].as_array().map_or(0, Vec::len));
    Ok(())
}
"#,
    )?;
    with_downstream_lockfile(root, &dir)
}

/// Copies `examples/downstream` (manifest, lockfile, `src/main.rs`) to `scratch/downstream`.
fn copy_downstream(root: &Path, scratch: &Path) -> Result<PathBuf> {
    let (source, dir) = (root.join("examples/downstream"), scratch.join("downstream"));
    std::fs::create_dir_all(dir.join("src"))?;
    for file in ["Cargo.toml", "Cargo.lock", "src/main.rs"] {
        std::fs::copy(source.join(file), dir.join(file))
            .with_context(|| format!("copying examples/downstream/{file}"))?;
    }
    Ok(dir.join("Cargo.toml"))
}

/// Writes `examples/downstream` with the SDK's light build (`default-features = false`, the
/// default TLS feature on).
fn write_light_downstream(root: &Path, scratch: &Path) -> Result<PathBuf> {
    let source = root.join("examples/downstream");
    let manifest = std::fs::read_to_string(source.join("Cargo.toml"))?;
    let declared = manifest
        .lines()
        .find(|line| line.starts_with("thoughtindustries = "))
        .context("examples/downstream/Cargo.toml does not declare `thoughtindustries = ...`")?;
    let light = manifest.replace(declared, &sdk_declaration(root, SdkBuild::Light)?);
    let dir = scratch.join("downstream-light");
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        light.replace("name = \"downstream\"", "name = \"downstream-light\""),
    )?;
    std::fs::copy(source.join("src/main.rs"), dir.join("src/main.rs"))?;
    std::fs::copy(source.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    Ok(dir.join("Cargo.toml"))
}

/// Writes the progenitor-raw peer: a build script that runs progenitor (builder interface, as the
/// SDK's) on the spec with its error responses removed, the client's own `reqwest` and TLS
/// dependency declarations, and a `main` that lists one page.
fn write_peer(root: &Path, scratch: &Path) -> Result<PathBuf> {
    let dir = scratch.join("progenitor-raw");
    std::fs::create_dir_all(dir.join("src"))?;
    let text = std::fs::read_to_string(spec::spec_path())?;
    let mut document = thoughtindustries_codegen::parse_spec(&text)?;
    thoughtindustries_codegen::strip_error_responses(&mut document);
    // JSON is YAML: the peer reads it with the same YAML parser as the SDK's build script.
    std::fs::write(dir.join("meetings.yaml"), serde_json::to_string(&document)?)?;
    let versions = workspace_versions(root)?;
    let version = |name: &str| versions.get(name).cloned().unwrap_or_else(|| "*".into());
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"progenitor-raw\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [dependencies]\n{}progenitor-client = {:?}\nserde = {{ version = \"1\", features = [\"derive\"] }}\n\
             serde_json = \"1\"\nchrono = {{ version = \"0.4\", default-features = false, features = [\"serde\", \"std\"] }}\n\
             uuid = {{ version = \"1\", features = [\"serde\"] }}\n\
             tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n\n\
             [build-dependencies]\nprogenitor = {{ version = {:?}, default-features = false }}\n\
             openapiv3 = {:?}\nserde_norway = {:?}\nprettyplease = {:?}\nsyn = {:?}\n",
            client_http_dependencies(root)?,
            version("progenitor-client"),
            version("progenitor"),
            version("openapiv3"),
            version("serde_norway"),
            version("prettyplease"),
            version("syn"),
        ),
    )?;
    std::fs::write(
        dir.join("build.rs"),
        r#"fn main() {
    println!("cargo::rerun-if-changed=meetings.yaml");
    let text = std::fs::read_to_string("meetings.yaml").unwrap();
    let spec: openapiv3::OpenAPI = serde_norway::from_str(&text).unwrap();
    let mut settings = progenitor::GenerationSettings::new();
    settings.with_interface(progenitor::InterfaceStyle::Builder);
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator.generate_tokens(&spec).unwrap();
    let file: syn::File = syn::parse2(tokens).unwrap();
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("client.rs");
    std::fs::write(out, prettyplease::unparse(&file)).unwrap();
}
"#,
    )?;
    std::fs::write(
        dir.join("src/main.rs"),
        r#"#[allow(dead_code, clippy::all)]
mod api {
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = api::Client::new(&std::env::var("TI_BASE_URL")?);
    let page = client.list_meetings().send().await?.into_inner();
    println!("{}", page.data.meetings.meetings.map_or(0, |m| m.len()));
    Ok(())
}
"#,
    )?;
    with_downstream_lockfile(root, &dir)
}

/// Which SDK build the reqwest user's crate adds.
#[derive(Clone, Copy)]
enum SdkBuild {
    Default,
    Light,
}

/// Writes a reqwest user's crate: `reqwest` with its default features, `serde_json` and `tokio`,
/// and a `main` that fetches a page with them; with `sdk`, also the SDK (in that build) and a
/// listing through it.
fn write_reqwest_user(root: &Path, scratch: &Path, sdk: Option<SdkBuild>) -> Result<PathBuf> {
    let (name, declaration) = match sdk {
        None => ("reqwest-user", String::new()),
        Some(SdkBuild::Default) => (
            "reqwest-user-sdk",
            format!("{}\n", sdk_declaration(root, SdkBuild::Default)?),
        ),
        Some(SdkBuild::Light) => (
            "reqwest-user-sdk-light",
            format!("{}\n", sdk_declaration(root, SdkBuild::Light)?),
        ),
    };
    let versions = workspace_versions(root)?;
    let reqwest = versions
        .get("reqwest")
        .cloned()
        .unwrap_or_else(|| "*".into());
    let dir = scratch.join(name);
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = {name:?}\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [dependencies]\n{declaration}reqwest = {{ version = {reqwest:?}, features = [\"json\"] }}\n\
             serde_json = \"1\"\ntokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n"
        ),
    )?;
    let listing = if sdk.is_some() {
        r#"    let client = thoughtindustries::Client::builder().base_url(&base).build()?;
    let page = client.list_meetings().send().await?;
    println!("{}", page.len());
"#
    } else {
        ""
    };
    std::fs::write(
        dir.join("src/main.rs"),
        format!(
            r#"#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {{
    let base = std::env::var("TI_BASE_URL")?;
    let body: serde_json::Value = reqwest::get(format!("{{base}}/status")).await?.json().await?;
    println!("{{body}}");
{listing}    Ok(())
}}
"#
        ),
    )?;
    with_downstream_lockfile(root, &dir)
}

/// Gives the crate in `dir` the downstream crate's lockfile (the same versions of the crates the
/// measured crates share); its manifest's path.
fn with_downstream_lockfile(root: &Path, dir: &Path) -> Result<PathBuf> {
    std::fs::copy(
        root.join("examples/downstream/Cargo.lock"),
        dir.join("Cargo.lock"),
    )?;
    Ok(dir.join("Cargo.toml"))
}

/// The version requirements of `[workspace.dependencies]`, by name.
fn workspace_versions(root: &Path) -> Result<std::collections::BTreeMap<String, String>> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let mut versions = std::collections::BTreeMap::new();
    let mut in_section = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            in_section = line.trim() == "[workspace.dependencies]";
            continue;
        }
        let Some((name, value)) = line.split_once('=').filter(|_| in_section) else {
            continue;
        };
        let value = value.trim();
        let version = if value.starts_with('"') {
            Some(value.trim_matches('"').to_owned())
        } else {
            value
                .split("version = \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .map(str::to_owned)
        };
        if let Some(version) = version {
            versions.insert(name.trim().to_owned(), version);
        }
    }
    Ok(versions)
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
    eprintln!(
        "build-cost: CPU {:.1} s, wall {:.1} s",
        cost.cpu.as_secs_f64(),
        cost.wall.as_secs_f64()
    );
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
/// and writes only what changed), then the SDK's rebuild once the models are new and the client's
/// build script has the spec to generate from again.
fn rebuild_after_spec_edit(root: &Path) -> Result<(Duration, Duration)> {
    let build = || run(cargo().args(["build", "--quiet", "-p", "thoughtindustries"]));
    build()?;
    let start = Instant::now();
    crate::codegen::run(false)?;
    let regenerate = start.elapsed();
    // The models' generated file is new, and so is the spec the client's build script reads.
    for generated in ["crates/models/src/generated.rs", "openapi/meetings.yaml"] {
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
