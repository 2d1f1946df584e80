//! Cross-crate tests of the workspace live in `tests/tests/`; this library only gives them the
//! paths they share.

use std::path::PathBuf;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package sits one level below the workspace root")
        .to_path_buf()
}

/// The spec, parsed as untyped YAML.
pub fn spec_value() -> serde_json::Value {
    let text = std::fs::read_to_string(workspace_root().join("openapi/meetings.yaml"))
        .expect("openapi/meetings.yaml is readable");
    serde_norway::from_str(&text).expect("openapi/meetings.yaml is YAML")
}

/// The reference page's example response.
pub fn reference_example() -> serde_json::Value {
    let text =
        std::fs::read_to_string(workspace_root().join("openapi/examples/reference-page.json"))
            .expect("the reference example is readable");
    serde_json::from_str(&text).expect("the reference example is JSON")
}
