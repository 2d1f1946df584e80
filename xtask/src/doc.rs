//! `cargo xtask doc`: the workspace's documentation as CI builds it, rustdoc's warnings as errors.

use anyhow::{Context, Result, ensure};

/// What `cargo doc --workspace --no-deps` documents, here and on both sides of the Rust API gate
/// (`semver.rs`): every feature (the fuzz crate's `libfuzzer` aside: it would compile libFuzzer's
/// C++), and the examples beside the libraries and binaries. Documenting an example needs the
/// dev-dependencies, so the dependencies are checked with the feature set of `cargo clippy
/// --workspace --all-targets`, and CI's docs and semver steps reuse clippy's checks.
pub const SELECTION: &[&str] = &[
    "--exclude",
    "thoughtindustries-fuzz",
    "--all-features",
    "--lib",
    "--bins",
    "--examples",
];

/// Runs `cargo doc --workspace --no-deps` over [`SELECTION`], with `-D warnings` added to
/// `RUSTDOCFLAGS`.
pub fn run() -> Result<()> {
    let mut flags = std::env::var("RUSTDOCFLAGS").unwrap_or_default();
    flags.push_str(" -D warnings");
    let status = crate::spec::cargo()
        .args(["doc", "--workspace", "--no-deps"])
        .args(SELECTION)
        .env("RUSTDOCFLAGS", flags.trim())
        .status()
        .context("running cargo doc")?;
    ensure!(status.success(), "cargo doc failed (see above)");
    Ok(())
}
