//! Generates the progenitor client from the spec (`openapi/meetings.yaml`, carried as JSON by the
//! `thoughtindustries-spec` package) into `OUT_DIR/generated.rs`.
//!
//! Every component schema is replaced by the models crate's type, so the client and the models
//! share one set of types. Generation settings live in `thoughtindustries-codegen`, shared with
//! `cargo xtask codegen`. Cargo re-runs this script only when the spec crate (or this file)
//! changes.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");

    let spec = thoughtindustries_codegen::parse_spec(thoughtindustries_spec::OPENAPI_JSON)
        .unwrap_or_else(|e| panic!("openapi/meetings.yaml (as JSON): {e}"));
    let code = thoughtindustries_codegen::generate_client(&spec, "thoughtindustries_models")
        .unwrap_or_else(|e| panic!("{e}"));
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("generated.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
}
