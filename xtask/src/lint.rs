//! `cargo xtask lint`: validate the spec.

use anyhow::Result;

/// Runs every lint rule over the spec.
pub fn run() -> Result<()> {
    let path = crate::spec::spec_path();
    crate::spec::load_openapi(&path)?;
    Ok(())
}
