//! Locating and loading the workspace's OpenAPI description.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Path of the hand-written spec.
pub fn spec_path() -> PathBuf {
    workspace_root().join("openapi/meetings.yaml")
}

/// Reads the spec as untyped YAML/JSON, for checks that look at the raw document.
pub fn load_value(path: &Path) -> Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_norway::from_str(&text).with_context(|| format!("parsing {} as YAML", path.display()))
}

/// Reads the spec as a typed OpenAPI 3.0 document.
pub fn load_openapi(path: &Path) -> Result<openapiv3::OpenAPI> {
    let value = load_value(path)?;
    serde_json::from_value(value)
        .with_context(|| format!("{} is not a valid OpenAPI 3.0 document", path.display()))
}
