//! `cargo xtask breaking [--base GIT_REF]`: classify the spec's changes since a base commit and
//! fail on a breaking one unless `info.version`'s major was bumped.
//!
//! The base defaults to `git merge-base HEAD origin/main` when `origin/main` exists, else
//! `HEAD~1`; with neither (or no spec at the base) there is nothing to compare and the task
//! succeeds. The verdict is `thoughtindustries_contract::Comparison`'s, as for `ti diff`.

use std::process::Command;

use anyhow::{Context, Result, bail};

const SPEC: &str = "openapi/meetings.yaml";

/// Compares the working tree's spec with the one at `base` (or the default base).
pub fn run(base: Option<String>) -> Result<()> {
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
    if !comparison.allowed {
        bail!(
            "{} breaking change(s) to {SPEC} since {base} without a major version bump: bump info.version to {}.0.0 or make the change compatible",
            comparison.breaking,
            comparison.required_major()
        );
    }
    if comparison.breaking > 0 {
        println!("breaking: allowed, because info.version's major was bumped");
    }
    Ok(())
}

fn default_base() -> Option<String> {
    if git(&["rev-parse", "--verify", "--quiet", "origin/main^{commit}"]).is_some()
        && let Some(base) = git(&["merge-base", "HEAD", "origin/main"])
    {
        return Some(base.trim().to_owned());
    }
    git(&["rev-parse", "--verify", "--quiet", "HEAD~1^{commit}"]).map(|_| "HEAD~1".to_owned())
}

/// Runs git in the workspace root; its stdout when it succeeds.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(crate::spec::workspace_root())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
