//! Locating and loading the workspace's OpenAPI description.

use std::path::{Path, PathBuf};

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
