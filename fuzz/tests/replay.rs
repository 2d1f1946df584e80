//! Replays every seed (`seeds/<target>/`) and every corpus file libFuzzer has kept
//! (`corpus/<target>/`, when present) and every crash artifact (`artifacts/<target>/`) through
//! the fuzz targets' checks, on stable Rust, with the workspace's tests:
//!
//! `cargo test -p thoughtindustries-fuzz`

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["seeds", "corpus", "artifacts"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    files
}

fn replay(target: &str, check: fn(&[u8])) {
    let files = inputs(target);
    assert!(
        files.iter().any(|f| f.ends_with("reference-page.json")),
        "the reference example seeds {target}"
    );
    for file in &files {
        let data = std::fs::read(file).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target} fails on {}", file.display());
    }
    println!("{target}: {} inputs replayed", files.len());
}

#[test]
fn decode_page_inputs() {
    replay("decode_page", thoughtindustries_fuzz::decode_page);
}

#[test]
fn validate_response_inputs() {
    replay(
        "validate_response",
        thoughtindustries_fuzz::validate_response,
    );
}

#[test]
fn the_reference_example_is_valid_and_decodes() {
    let body = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/decode_page/reference-page.json"),
    )
    .unwrap();
    let page = thoughtindustries::wire::decode_page(&body, 1).unwrap();
    assert!(!page.meetings.is_empty() && page.rejected.is_empty());
    let report =
        thoughtindustries_contract::validate_response_bytes("list_meetings", 200, &body).unwrap();
    assert!(report.is_valid(), "{report}");
}
