//! `cargo xtask follows-spec`: proves that a spec edit reaches the wire with `cargo build` alone.
//!
//! Copies the workspace's tracked files to a temporary directory, edits the copy's
//! `openapi/meetings.yaml` the way a person would (every path renamed, a query parameter added to
//! `list_meetings`), and there, without `cargo xtask codegen`:
//!
//! 1. builds the client and finds the new parameter's setter in the code its build script
//!    generated;
//! 2. runs the client's `spec_paths` test (every operation sent to the path, method and query
//!    parameters the *edited* spec gives) and the mock's `spec_routes` test (every operation
//!    answered on the edited spec's path).
//!
//! The copy builds in this workspace's target directory, so only the workspace's own crates are
//! compiled again, under a version of their own (`crate::copy`) so that they never replace the
//! work tree's.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};

use crate::spec;

/// The query parameter the edited spec adds to `list_meetings`, and its setter's name.
const ADDED_PARAMETER: (&str, &str) = ("perPage", "per_page");

pub fn run() -> Result<()> {
    let root = spec::workspace_root();
    let copy = crate::copy::tempdir("follows-spec")?;
    let result = prove(&root, &copy);
    let _ = std::fs::remove_dir_all(&copy);
    result
}

fn prove(root: &Path, copy: &Path) -> Result<()> {
    crate::copy::copy_tracked_files(root, copy)?;
    crate::copy::mark_version(copy, "follows-spec")?;
    let spec_path = copy.join("openapi/meetings.yaml");
    let text = std::fs::read_to_string(&spec_path)?;
    let mut document: Value = serde_norway::from_str(&text).context("parsing the spec")?;
    let renamed = edit(&mut document)?;
    // JSON is YAML: the copy's spec stays a valid `meetings.yaml`.
    std::fs::write(&spec_path, serde_json::to_string_pretty(&document)?)?;
    for (old, new) in &renamed {
        eprintln!("follows-spec: renamed {old} -> {new}");
    }

    let target = spec::target_dir();
    let cargo = |args: &[&str]| {
        let mut command = spec::cargo();
        command
            .current_dir(copy)
            .env("CARGO_TARGET_DIR", &target)
            .args(args);
        command
    };

    // One selection for both commands: the second runs what the first built. `--workspace`
    // resolves features as `cargo test --workspace` does, so every dependency built for the work
    // tree's tests is reused.
    let tests = [
        "test",
        "--offline",
        "--workspace",
        "--test",
        "spec_paths",
        "--test",
        "spec_routes",
    ];
    let output = cargo(&[&tests[..], &["--no-run", "--message-format=json"]].concat())
        .output()
        .context("running cargo test --no-run")?;
    ensure!(
        output.status.success(),
        "building the client and the mock from the edited spec failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let generated = out_dir(&output.stdout, copy)?.join("generated.rs");
    let code = std::fs::read_to_string(&generated)
        .with_context(|| format!("reading {}", generated.display()))?;
    let setter = format!("pub fn {}<", ADDED_PARAMETER.1);
    ensure!(
        code.contains(&setter) && code.contains(&format!("\"{}\"", ADDED_PARAMETER.0)),
        "the client built from the edited spec has no `{}` query parameter",
        ADDED_PARAMETER.0
    );
    for (_, new) in &renamed {
        ensure!(
            code.contains(new.split('{').next().unwrap_or(new)),
            "the client built from the edited spec does not send to {new}"
        );
    }
    eprintln!(
        "follows-spec: the client built from the edited spec has `{}` (setter `{}`) and the renamed paths",
        ADDED_PARAMETER.0, ADDED_PARAMETER.1
    );

    let status = cargo(&tests).status().context("running cargo test")?;
    ensure!(
        status.success(),
        "the client or the mock built from the edited spec does not follow it"
    );
    eprintln!("follows-spec: the client sends, and the mock serves, every renamed path");
    Ok(())
}

/// Renames every path (`/incoming/v2/meetings...` to `/incoming/v2/sessions...`, `/users/` to
/// `/people/`) and adds an optional integer query parameter to `list_meetings`; returns the
/// renames.
fn edit(document: &mut Value) -> Result<Vec<(String, String)>> {
    let paths = document["paths"]
        .as_object_mut()
        .context("the spec has no paths")?;
    let mut renamed = Vec::new();
    let old: Vec<String> = paths.keys().cloned().collect();
    for path in old {
        let new = path
            .replace("/incoming/v2/meetings", "/incoming/v2/sessions")
            .replace("/incoming/v2/users/", "/incoming/v2/people/");
        ensure!(new != path, "no rename for {path}");
        let item = paths.remove(&path).context("listed above")?;
        paths.insert(new.clone(), item);
        renamed.push((path, new));
    }
    let list = paths
        .values_mut()
        .find_map(|item| {
            item.as_object_mut()?
                .values_mut()
                .find(|op| op["operationId"] == "list_meetings")
        })
        .context("the spec has no list_meetings")?;
    let parameters = list["parameters"]
        .as_array_mut()
        .context("list_meetings has no parameters")?;
    parameters.push(json!({
        "name": ADDED_PARAMETER.0,
        "in": "query",
        "required": false,
        "description": "Added by `cargo xtask follows-spec`.",
        "schema": {"type": "integer", "minimum": 1},
    }));
    if renamed.is_empty() {
        bail!("the spec has no paths to rename");
    }
    Ok(renamed)
}

/// The `OUT_DIR` of the client's build script in a `cargo test --no-run --message-format=json` run of the
/// workspace copied to `copy`.
fn out_dir(messages: &[u8], copy: &Path) -> Result<PathBuf> {
    let copy = copy.canonicalize()?;
    for line in messages.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let message: Value = serde_json::from_slice(line)?;
        let package = message["package_id"].as_str().unwrap_or_default();
        if message["reason"] == "build-script-executed"
            && package.contains(&*copy.to_string_lossy())
            && package.contains("crates/client")
            && let Some(dir) = message["out_dir"].as_str()
        {
            return Ok(PathBuf::from(dir));
        }
    }
    bail!("cargo reported no build script run of the copied client")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_path_is_renamed_and_the_listing_gains_a_parameter() {
        let mut spec: serde_json::Value =
            serde_norway::from_str(thoughtindustries_spec::OPENAPI_YAML).unwrap();
        let renamed = super::edit(&mut spec).unwrap();
        assert_eq!(renamed.len(), 4);
        for (old, new) in &renamed {
            assert!(spec["paths"].get(old).is_none() && spec["paths"].get(new).is_some());
        }
        let text = spec.to_string();
        assert!(text.contains(r#""name":"perPage""#));
    }
}
