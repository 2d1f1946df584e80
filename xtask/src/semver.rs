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

/// Runs `cargo semver-checks check-release` on `krate` against its source at git `base`.
/// Fails when the tool is missing or cannot build either side (its output is shown).
pub fn check(krate: &str, base: &str) -> Result<Verdict> {
    let root = crate::spec::workspace_root();
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["semver-checks", "check-release", "--package", krate])
        .args(["--baseline-rev", base])
        .current_dir(&root)
        .output()
        .context("running cargo semver-checks")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() {
        return Ok(Verdict::Compatible);
    }
    if text.contains("no such command") || text.contains("no such subcommand") {
        anyhow::bail!(
            "cargo-semver-checks is not installed: `cargo install cargo-semver-checks --locked` \
             (or pass --spec-only)"
        );
    }
    match summary(&text) {
        Some(summary) => {
            eprint!("{text}");
            Ok(Verdict::Breaking(summary))
        }
        None => anyhow::bail!("cargo semver-checks failed on {krate}:\n{text}"),
    }
}

/// The `Summary semver requires new major version: ...` line of a failed check.
fn summary(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix("Summary "))
        .filter(|line| line.contains("semver requires"))
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
    fn reads_the_summary_of_a_failed_check() {
        let text = "     Checked [   0.012s] 171 checks: 169 pass, 2 fail, 0 warn, 25 skip\n\
                    \n     Summary semver requires new major version: 2 major and 0 minor checks failed\n";
        assert_eq!(
            summary(text).as_deref(),
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
