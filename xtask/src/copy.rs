//! Copies of the workspace that build in its target directory.
//!
//! `follows-spec` and `drift-loop` build an edited copy of the work tree (made by
//! [`copy_tracked_files`] in a [`tempdir`]) and `breaking` the base commit's tree, in
//! the workspace's target directory so that only the workspace's own crates are compiled again.
//! Cargo names a workspace crate's artifacts after its name, version and path relative to the
//! workspace root, so a copy's crates would overwrite the work tree's there and, their sources
//! being older, be taken as fresh for it afterwards. [`mark_version`] gives the copy's crates a
//! version of their own.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};

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

/// Copies the work tree as git sees it (tracked and untracked files, not ignored ones; symbolic
/// links as links) from `root` to `copy`.
pub fn copy_tracked_files(root: &Path, copy: &Path) -> Result<()> {
    let output = Command::new("git")
        .current_dir(root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .context("running git ls-files")?;
    ensure!(output.status.success(), "git ls-files failed");
    for file in output.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let relative = Path::new(std::str::from_utf8(file)?);
        let (from, to) = (root.join(relative), copy.join(relative));
        let Ok(metadata) = std::fs::symlink_metadata(&from) else {
            continue; // deleted in the work tree
        };
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if metadata.file_type().is_symlink() {
            link(&std::fs::read_link(&from)?, &to)?;
        } else {
            std::fs::copy(&from, &to).with_context(|| format!("copying {}", from.display()))?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn link(target: &Path, link: &Path) -> Result<()> {
    Ok(std::os::unix::fs::symlink(target, link)?)
}

#[cfg(not(unix))]
fn link(_: &Path, link: &Path) -> Result<()> {
    anyhow::bail!("copying the symbolic link {} needs Unix", link.display())
}

/// A new empty directory under the system's temporary directory, named after `task`.
pub fn tempdir(task: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("ti-{task}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
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
