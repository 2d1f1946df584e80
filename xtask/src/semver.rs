//! The Rust half of `cargo xtask breaking`: will code written against the published crates still
//! compile? Answered by `cargo-semver-checks` (from crates.io) for the crates whose public API is
//! generated from the spec: the models and the client.

use std::process::Command;

use anyhow::{Context, Result};

/// The crates whose Rust API follows the spec.
pub const CRATES: [&str; 2] = ["thoughtindustries-models", "thoughtindustries"];

/// cargo-semver-checks' verdict on one crate.
pub enum Verdict {
    /// No breaking change, or one the crate's version bump already announces.
    Compatible,
    /// Breaking changes that the crate's version does not announce: its summary line.
    Breaking(String),
}

/// Runs `cargo semver-checks check-release` once on every crate of [`CRATES`] against its source
/// at git `base` (one run builds the baseline's rustdoc once); the verdict of each, in order.
/// Fails when the tool is missing or cannot build either side (its output is shown).
pub fn check_all(base: &str) -> Result<Vec<(&'static str, Verdict)>> {
    let root = crate::spec::workspace_root();
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.args(["semver-checks", "check-release"]);
    for krate in CRATES {
        command.args(["--package", krate]);
    }
    let output = command
        .args(["--baseline-rev", base])
        .current_dir(&root)
        .output()
        .context("running cargo semver-checks")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if text.contains("no such command") || text.contains("no such subcommand") {
        anyhow::bail!(
            "cargo-semver-checks is not installed: `cargo install cargo-semver-checks --locked` \
             (or pass --spec-only)"
        );
    }
    let summaries = summaries(&text);
    let verdicts = CRATES
        .iter()
        .map(|krate| {
            let verdict = match summaries.iter().find(|(k, _)| k == krate) {
                Some((_, summary)) => Verdict::Breaking(summary.clone()),
                None => Verdict::Compatible,
            };
            (*krate, verdict)
        })
        .collect::<Vec<_>>();
    if !output.status.success() && summaries.is_empty() {
        anyhow::bail!("cargo semver-checks failed:\n{text}");
    }
    if !summaries.is_empty() {
        eprint!("{text}");
    }
    Ok(verdicts)
}

/// The failing `Summary semver requires ...` line of each crate in a run's output, by crate: a
/// crate's section starts with its `Checking <name> v...` line.
fn summaries(text: &str) -> Vec<(String, String)> {
    let mut current = None;
    let mut found = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Checking ") {
            current = rest.split_whitespace().next().map(str::to_owned);
        } else if let Some(summary) = line.strip_prefix("Summary ")
            && summary.contains("semver requires")
            && let Some(krate) = &current
        {
            found.push((krate.clone(), summary.to_owned()));
        }
    }
    found
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
    fn reads_the_summary_of_each_failed_crate() {
        let text = "    Checking thoughtindustries-models v0.1.0 -> v0.1.0 (no change)\n\
                    \x20    Checked [   0.012s] 171 checks: 171 pass, 0 fail, 0 warn, 25 skip\n\
                    \x20    Summary no semver update required\n\
                    \x20   Checking thoughtindustries v0.1.0 -> v0.1.0 (no change)\n\
                    \x20    Checked [   0.012s] 171 checks: 169 pass, 2 fail, 0 warn, 25 skip\n\
                    \n     Summary semver requires new major version: 2 major and 0 minor checks failed\n";
        assert_eq!(
            summaries(text),
            [(
                "thoughtindustries".to_owned(),
                "semver requires new major version: 2 major and 0 minor checks failed".to_owned()
            )]
        );
        assert!(summaries("error: could not build").is_empty());
    }

    #[test]
    fn explains_only_disagreements() {
        assert!(explain(false, true).unwrap().contains("stops compiling"));
        assert!(explain(true, false).unwrap().contains("wire contract"));
        assert!(explain(true, true).is_none() && explain(false, false).is_none());
    }
}
