//! The OpenAPI description of the Thought Industries `incoming/v2` Meetings API, as text.
//!
//! `openapi/meetings.yaml` at the root of the repository is the single source of truth; this
//! crate's `openapi/` holds a symbolic link to each of its files (made by `cargo xtask codegen`,
//! checked by `cargo xtask codegen --check`), which `cargo package` ships as the files
//! themselves. So every crate that needs the spec (the client's build script, the contract
//! validator, the mock) gets it from a published package rather than from a path outside its
//! own, and an edit of `openapi/meetings.yaml` reaches them at the next build.
//!
//! ```
//! assert!(thoughtindustries_spec::OPENAPI_YAML.starts_with("openapi: 3.0.3"));
//! let example: &str = thoughtindustries_spec::examples::REFERENCE_PAGE;
//! assert!(example.contains("\"Meetings\""));
//! ```

/// The text of `openapi/meetings.yaml` (OpenAPI 3.0.3, YAML).
pub const OPENAPI_YAML: &str = include_str!("../openapi/meetings.yaml");

/// The vendor's example bodies that the spec's examples are checked against.
pub mod examples {
    /// The listing's example response from the vendor's reference page, verbatim
    /// (`openapi/examples/reference-page.json`).
    pub const REFERENCE_PAGE: &str = include_str!("../openapi/examples/reference-page.json");
}
