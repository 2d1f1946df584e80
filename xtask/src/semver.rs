//! The Rust half of `cargo xtask breaking`: will code written against the published crates still
//! compile? Answered by `cargo-semver-checks` (from crates.io) for the crates whose public API is
//! generated from the spec: the models and the client.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::spec::{cargo, git};

/// The crates whose Rust API follows the spec.
pub const CRATES: [&str; 2] = ["thoughtindustries-models", "thoughtindustries"];

/// cargo-semver-checks' verdict on one crate.
pub enum Verdict {
    /// No breaking change, or one the crate's version bump already announces.
    Compatible,
    /// Breaking changes that the crate's version does not announce: its summary line.
    Breaking(String),
}

/// Checks every crate of [`CRATES`] against its source at git `base`; the verdict of each, in
/// order. Fails when cargo-semver-checks is missing or either side does not build (the output is
/// shown).
///
/// cargo-semver-checks would build each side's rustdoc JSON itself, in a target directory of its
/// own, compiling every dependency twice more. Instead both sides are documented here with
/// `cargo doc` in the workspace's target directory (the selection of `cargo xtask doc`,
/// [`crate::doc::SELECTION`]), so that only the workspace's own crates are compiled again; the
/// tool then compares the JSON files. Its manifest lints (a removed cargo feature) need the
/// manifests, which it would then build from, so [`removed_features`] checks that one case.
pub fn check_all(base: &str) -> Result<Vec<(&'static str, Verdict)>> {
    let root = crate::spec::workspace_root();
    let target = crate::spec::target_dir();
    let work = target.join("semver");
    let tree = work.join("base");
    if tree.exists() {
        std::fs::remove_dir_all(&tree).with_context(|| format!("removing {}", tree.display()))?;
    }
    std::fs::create_dir_all(&tree).with_context(|| format!("creating {}", tree.display()))?;
    extract(&root, base, &tree)?;
    crate::copy::mark_version(&tree, &format!("semver-base-{}", short_hash(base)?))?;

    let current = rustdoc_json(&root, &target, &work.join("current"))?;
    let baseline = rustdoc_json(&tree, &target, &work.join("baseline"))?;
    let removed = removed_features(&tree, &root)?;
    std::fs::remove_dir_all(&tree).with_context(|| format!("removing {}", tree.display()))?;

    CRATES
        .iter()
        .zip(current.iter().zip(&baseline))
        .map(|(krate, (current, baseline))| {
            let mut verdict = compare(krate, baseline, current)?;
            if let Some((_, features)) = removed.iter().find(|(k, _)| k == krate) {
                let summary = format!(
                    "semver requires new major version: cargo feature(s) removed: {}",
                    features.join(", ")
                );
                verdict = match verdict {
                    Verdict::Compatible => Verdict::Breaking(summary),
                    Verdict::Breaking(other) => Verdict::Breaking(format!("{other}; {summary}")),
                };
            }
            Ok((*krate, verdict))
        })
        .collect()
}

/// Writes the tree of commit `base` into `into` (`git archive`, so no worktree to clean up).
fn extract(root: &Path, base: &str, into: &Path) -> Result<()> {
    let archive = Command::new("git")
        .args(["archive", "--format=tar", base])
        .current_dir(root)
        .stdout(Stdio::piped())
        .spawn()
        .context("running git archive")?;
    let status = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(into)
        .stdin(archive.stdout.context("git archive's output")?)
        .status()
        .context("running tar")?;
    if !status.success() {
        bail!("extracting {base} into {} failed", into.display());
    }
    Ok(())
}

/// The short hash of commit `base`, for [`crate::copy::mark_version`].
fn short_hash(base: &str) -> Result<String> {
    git(&["rev-parse", "--short=12", base])
        .map(|hash| hash.trim().to_owned())
        .with_context(|| format!("git rev-parse {base} failed"))
}

/// Documents the workspace at `workspace` as rustdoc JSON (in the shared `target` directory) and
/// copies the JSON of every crate of [`CRATES`] into `out`; their paths, in order.
fn rustdoc_json(workspace: &Path, target: &Path, out: &Path) -> Result<Vec<PathBuf>> {
    let rustdoc = std::env::var_os("RUSTDOC").unwrap_or_else(|| "rustdoc".into());
    let output = cargo()
        .args(["doc", "--workspace", "--no-deps"])
        .args(crate::doc::SELECTION)
        .arg("--quiet")
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTDOCFLAGS", "-Z unstable-options --output-format json")
        // rustdoc's JSON output is unstable: rustdoc runs with RUSTC_BOOTSTRAP=1, as
        // cargo-semver-checks runs it, but through this binary (`run_rustdoc`) so that rustc
        // never sees it. Build scripts that probe the compiler (proc-macro2's) rerun when it
        // changes, and everything above them would be compiled again.
        .env(
            "RUSTDOC",
            std::env::current_exe().context("finding the xtask binary")?,
        )
        .env(REAL_RUSTDOC, rustdoc)
        .output()
        .context("running cargo doc")?;
    if !output.status.success() {
        bail!(
            "documenting {} as rustdoc JSON failed:\n{}",
            workspace.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    CRATES
        .iter()
        .map(|krate| {
            let name = format!("{}.json", krate.replace('-', "_"));
            let to = out.join(&name);
            std::fs::copy(target.join("doc").join(&name), &to)
                .with_context(|| format!("copying the rustdoc JSON of {krate}"))?;
            Ok(to)
        })
        .collect()
}

/// Set (to the real rustdoc) when this binary runs as cargo's `RUSTDOC` for [`rustdoc_json`].
pub const REAL_RUSTDOC: &str = "XTASK_REAL_RUSTDOC";

/// Runs the rustdoc named by [`REAL_RUSTDOC`] with this process's arguments and
/// `RUSTC_BOOTSTRAP=1`, and exits with its status.
pub fn run_rustdoc(rustdoc: std::ffi::OsString) -> ! {
    let status = Command::new(&rustdoc)
        .args(std::env::args_os().skip(1))
        .env_remove(REAL_RUSTDOC)
        .env("RUSTC_BOOTSTRAP", "1")
        .status();
    match status {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(error) => {
            eprintln!("xtask: running {}: {error}", rustdoc.to_string_lossy());
            std::process::exit(1)
        }
    }
}

/// cargo-semver-checks' verdict on one crate's two rustdoc JSON files.
fn compare(krate: &str, baseline: &Path, current: &Path) -> Result<Verdict> {
    let output = cargo()
        .args(["semver-checks", "check-release"])
        .arg("--baseline-rustdoc")
        .arg(baseline)
        .arg("--current-rustdoc")
        .arg(current)
        .output()
        .context("running cargo semver-checks")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if text.contains("no such command") || text.contains("no such subcommand") {
        bail!(
            "cargo-semver-checks is not installed: `cargo install cargo-semver-checks --locked` \
             (or pass --spec-only)"
        );
    }
    match summary(&text) {
        Some(summary) => {
            eprint!("{text}");
            Ok(Verdict::Breaking(summary))
        }
        None if output.status.success() => Ok(Verdict::Compatible),
        None => bail!("cargo semver-checks failed on {krate}:\n{text}"),
    }
}

/// The cargo features of each crate of [`CRATES`] that `base` has and `current` lacks, for the
/// crates that lost any.
fn removed_features(base: &Path, current: &Path) -> Result<Vec<(String, Vec<String>)>> {
    let (old, new) = (features(base)?, features(current)?);
    Ok(CRATES
        .iter()
        .filter_map(|krate| {
            let now = new.iter().find(|(k, _)| k == krate).map(|(_, f)| f);
            let gone = old
                .iter()
                .find(|(k, _)| k == krate)?
                .1
                .iter()
                .filter(|f| now.is_some_and(|now| !now.contains(f)))
                .cloned()
                .collect::<Vec<_>>();
            (!gone.is_empty()).then(|| (krate.to_string(), gone))
        })
        .collect())
}

/// The cargo features of every package of the workspace at `workspace` (`cargo metadata`).
fn features(workspace: &Path) -> Result<Vec<(String, Vec<String>)>> {
    let metadata = crate::spec::workspace_metadata(workspace)?;
    Ok(metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|package| {
            let name = package["name"].as_str().unwrap_or_default().to_owned();
            let features = package["features"]
                .as_object()
                .map(|features| features.keys().cloned().collect())
                .unwrap_or_default();
            (name, features)
        })
        .collect())
}

/// The failing `Summary semver requires ...` line of a run's output.
fn summary(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .filter_map(|line| line.strip_prefix("Summary "))
        .find(|summary| summary.contains("semver requires"))
        .map(str::to_owned)
}

/// Why the spec gate and the Rust gate can disagree, for the side-by-side report.
pub fn explain(spec_breaking: bool, rust_breaking: bool) -> Option<&'static str> {
    match (spec_breaking, rust_breaking) {
        (false, true) => Some(
            "the spec change is compatible on the wire, but the generated Rust API is not: a \
             type or variant was renamed or removed, a field changed type, or a public item \
             moved. Callers' code stops compiling although the JSON did not change. Bump the \
             crates' breaking version (CHANGELOG.md) or keep the old Rust names.",
        ),
        (true, false) => Some(
            "the spec change breaks clients generated from the old spec (other languages, \
             strict validators), but the Rust API kept its shape (e.g. the field was already an \
             Option, or only a format or constraint changed). The wire contract still broke: \
             the spec's major bump stands and the release notes must say what changed.",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_failing_summary_only() {
        let passed = "    Checking thoughtindustries v0.1.0 -> v0.1.0 (no change)\n\
                      \x20    Checked [   0.012s] 171 checks: 171 pass, 0 fail, 0 warn, 25 skip\n\
                      \x20    Summary no semver update required\n";
        let failed = "    Checking thoughtindustries v0.1.0 -> v0.1.0 (no change)\n\
                      \x20    Checked [   0.012s] 171 checks: 169 pass, 2 fail, 0 warn, 25 skip\n\
                      \n     Summary semver requires new major version: 2 major and 0 minor checks failed\n";
        assert_eq!(summary(passed), None);
        assert_eq!(
            summary(failed).as_deref(),
            Some("semver requires new major version: 2 major and 0 minor checks failed")
        );
        assert_eq!(summary("error: could not build"), None);
    }

    #[test]
    fn explains_only_disagreements() {
        assert!(explain(false, true).unwrap().contains("stops compiling"));
        assert!(explain(true, false).unwrap().contains("wire contract"));
        assert!(explain(true, true).is_none() && explain(false, false).is_none());
    }
}
