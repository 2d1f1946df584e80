//! Copies of the workspace that build in its target directory.
//!
//! `follows-spec` builds an edited copy of the work tree and `breaking` the base commit's tree, in
//! the workspace's target directory so that only the workspace's own crates are compiled again.
//! Cargo names a workspace crate's artifacts after its name, version and path relative to the
//! workspace root, so a copy's crates would overwrite the work tree's there and, their sources
//! being older, be taken as fresh for it afterwards. [`mark_version`] gives the copy's crates a
//! version of their own.

use std::path::Path;

use anyhow::{Context, Result};

/// Gives the crates of the workspace copied to `tree` the version `<version>+<tag>` (`tag`:
/// dot-separated ASCII letters, digits and hyphens). Build metadata does not change what the
/// version means to cargo's requirements or to cargo-semver-checks. The copy's lockfile is then
/// out of date for those entries: build it with `--offline`, not `--locked`.
pub fn mark_version(tree: &Path, tag: &str) -> Result<()> {
    let manifest = tree.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let marked = marked_version(&text, tag).with_context(|| {
        format!(
            "{} has no [workspace.package] version to mark",
            manifest.display()
        )
    })?;
    std::fs::write(&manifest, marked).with_context(|| format!("writing {}", manifest.display()))
}

/// `text` (a workspace manifest) with the build metadata `tag` added to its `[workspace.package]`
/// version; `None` when it has no such version.
fn marked_version(text: &str, tag: &str) -> Option<String> {
    let section = text.find("[workspace.package]")?;
    let key = "\nversion = \"";
    let start = section + text[section..].find(key)? + key.len();
    let end = start + text[start..].find('"')?;
    Some(format!("{}+{tag}{}", &text[..end], &text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_workspace_version_only() {
        let text = "[workspace]\nmembers = []\n\n[workspace.package]\nedition = \"2024\"\n\
                    version = \"0.1.0\"\n\n[workspace.dependencies]\nx = { version = \"1.0\" }\n";
        let marked = marked_version(text, "semver-base-abc123").unwrap();
        assert!(
            marked.contains("\nversion = \"0.1.0+semver-base-abc123\"\n"),
            "{marked}"
        );
        assert!(marked.contains("x = { version = \"1.0\" }"), "{marked}");
        assert_eq!(marked_version("[workspace]\nversion = \"1\"\n", "a"), None);
    }
}
