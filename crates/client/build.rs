//! Generates the progenitor client from the spec, into `$OUT_DIR/generated.rs` (the `codegen`
//! feature, on by default). `src/lib.rs` includes it; without the feature it includes the
//! checked-in copy `src/generated.rs` instead, which `cargo xtask codegen --check` keeps identical.

fn main() {
    // The spec reaches this script as a build dependency (`thoughtindustries-spec`), whose change
    // reruns it; nothing else in the package is an input.
    println!("cargo::rerun-if-changed=build.rs");
    #[cfg(feature = "codegen")]
    if let Err(message) = generate() {
        println!("cargo::error={message}");
        std::process::exit(1);
    }
}

/// Runs progenitor on the spec with the workspace's settings (`thoughtindustries-codegen`).
#[cfg(feature = "codegen")]
fn generate() -> Result<(), String> {
    let spec = thoughtindustries_codegen::parse_spec(thoughtindustries_spec::OPENAPI_YAML)
        .map_err(|e| format!("openapi/meetings.yaml: {e}"))?;
    let code = thoughtindustries_codegen::generate_client(&spec)
        .map_err(|e| format!("generating the client from openapi/meetings.yaml: {e}"))?;
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?)
        .join("generated.rs");
    std::fs::write(&out, code).map_err(|e| format!("writing {}: {e}", out.display()))
}
