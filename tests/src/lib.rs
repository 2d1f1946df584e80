//! Cross-crate tests of the workspace live in `tests/tests/`; this library only gives them the
//! paths and documents they share.

use std::path::PathBuf;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package sits one level below the workspace root")
        .to_path_buf()
}

/// The spec (from the `thoughtindustries-spec` package), parsed as untyped YAML.
pub fn spec_value() -> serde_json::Value {
    serde_norway::from_str(thoughtindustries_spec::OPENAPI_YAML)
        .expect("openapi/meetings.yaml is YAML")
}

/// The reference page's example response.
pub fn reference_example() -> serde_json::Value {
    serde_json::from_str(thoughtindustries_spec::examples::REFERENCE_PAGE)
        .expect("the reference example is JSON")
}
