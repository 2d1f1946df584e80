//! `cargo xtask breaking [--base GIT_REF] [--spec-only]`: will users' code still work after this
//! change? Two answers, side by side:
//!
//! - the spec: every change to `openapi/meetings.yaml` since the base commit, classified from the
//!   point of view of a client generated from the old spec; a breaking one fails unless
//!   `info.version`'s major was bumped;
//! - the Rust API: `cargo-semver-checks` on the models and client crates against their source at
//!   the base commit; a break fails unless the crates' version announces it (`semver.rs`).
//!
//! Where the two disagree, the report says why that can happen and what to do.
//!
//! The base defaults to `git merge-base HEAD origin/main` when `origin/main` exists and that is
//! not `HEAD` itself, else `HEAD~1`; with neither (or no spec at the base) there is nothing to
//! compare and the task succeeds. The spec's verdict is
//! `thoughtindustries_contract::Comparison`'s, as for `ti diff`.

use anyhow::{Context, Result, bail};

use crate::spec::git;

const SPEC: &str = "openapi/meetings.yaml";

/// Compares the working tree's spec (and, unless `spec_only`, the Rust API) with `base` (or the
/// default base).
pub fn run(base: Option<String>, spec_only: bool) -> Result<()> {
    let base = match base {
        Some(base) => {
            if git(&[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{base}^{{commit}}"),
            ])
            .is_none()
            {
                bail!("--base {base} is not a commit");
            }
            base
        }
        None => match default_base() {
            Some(base) => base,
            None => {
                println!("breaking: no origin/main and no parent commit: nothing to compare");
                return Ok(());
            }
        },
    };
    let Some(old) = git(&["show", &format!("{base}:{SPEC}")]) else {
        println!("breaking: {SPEC} does not exist at {base}: nothing to compare");
        return Ok(());
    };
    let path = crate::spec::spec_path();
    let new =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let comparison = thoughtindustries_contract::Comparison::of_text(&old, &new)
        .with_context(|| format!("comparing {SPEC} at {base} with the working tree"))?;
    println!("{comparison}");
    let mut failures = Vec::new();
    if !comparison.allowed {
        failures.push(format!(
            "{} breaking change(s) to {SPEC} since {base} without a major version bump: bump info.version to {}.0.0 or make the change compatible",
            comparison.breaking,
            comparison.required_major()
        ));
    } else if comparison.breaking > 0 {
        println!("breaking: allowed, because info.version's major was bumped");
    }
    if !spec_only {
        rust_api(&base, comparison.breaking > 0, &mut failures)?;
    }
    if !failures.is_empty() {
        bail!("{}", failures.join("\n"));
    }
    Ok(())
}

/// The Rust verdicts, printed beside the spec's; unannounced breaks go to `failures`.
fn rust_api(base: &str, spec_breaking: bool, failures: &mut Vec<String>) -> Result<()> {
    println!("\n| crate | spec verdict | Rust API verdict (cargo-semver-checks) |");
    println!("| --- | --- | --- |");
    let spec_verdict = if spec_breaking {
        "breaking"
    } else {
        "compatible"
    };
    let mut notes = Vec::new();
    for (krate, verdict) in crate::semver::check_all(base)? {
        let (rust_breaking, shown) = match &verdict {
            crate::semver::Verdict::Compatible => (false, "compatible".to_owned()),
            crate::semver::Verdict::Breaking(summary) => {
                failures.push(format!(
                    "{krate}: the Rust API breaks without a version bump ({summary}); bump the \
                     crates' version as CHANGELOG.md says"
                ));
                (true, format!("breaking: {summary}"))
            }
        };
        println!("| {krate} | {spec_verdict} | {shown} |");
        if let Some(why) = crate::semver::explain(spec_breaking, rust_breaking) {
            notes.push(format!("{krate}: {why}"));
        }
    }
    for note in notes {
        println!("\nfinding: {note}");
    }
    Ok(())
}

/// The merge base with `origin/main` (a branch's changes), unless that is `HEAD` itself (a clone
/// of main, as CI checks it out): then the previous commit (the last change).
fn default_base() -> Option<String> {
    let head = git(&["rev-parse", "HEAD"]).map(|h| h.trim().to_owned());
    if git(&["rev-parse", "--verify", "--quiet", "origin/main^{commit}"]).is_some()
        && let Some(base) = git(&["merge-base", "HEAD", "origin/main"])
        && Some(base.trim()) != head.as_deref()
    {
        return Some(base.trim().to_owned());
    }
    git(&["rev-parse", "--verify", "--quiet", "HEAD~1^{commit}"]).map(|_| "HEAD~1".to_owned())
}
