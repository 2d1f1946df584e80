//! The checked-in outputs of `cargo xtask` are current, as a test: `cargo test --workspace` fails
//! when `openapi/meetings.yaml` was edited without `cargo xtask codegen`, or no longer lints clean
//! (rust-analyzer's sourcegen tests work the same way). Running the built `xtask` binary, not the
//! library functions, also makes `cargo test` build it, so that CI can run its other tasks without
//! a second build of their dependencies.

use std::process::Command;

/// Runs `xtask <args>` from the workspace root; its output, or a failure naming the task.
fn xtask(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("running the xtask binary");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "`cargo xtask {}` failed:\n{text}",
        args.join(" ")
    );
    text
}

#[test]
fn generated_code_and_spec_links_are_up_to_date() {
    let text = xtask(&["codegen", "--check"]);
    assert!(text.contains("up to date"), "{text}");
}

#[test]
fn the_spec_lints_clean() {
    let text = xtask(&["lint"]);
    assert!(text.contains("is clean"), "{text}");
}
