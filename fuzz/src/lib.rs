//! The bodies of the fuzz targets, shared by the libFuzzer binaries (`fuzz_targets/`, run with
//! `cargo +nightly fuzz run --features libfuzzer <target>`) and the stable replay test
//! (`tests/replay.rs`), which runs every seed and every corpus file through the same checks with
//! the workspace's `cargo test`.
//!
//! Each function panics only when an invariant of the SDK breaks; a body that is merely wrong
//! must give a typed error.

use thoughtindustries::Error;
use thoughtindustries::wire::{MeetingsResponse, decode_page as decode};

/// The page number the targets decode as (any non-1 number, to see it carried into errors).
const PAGE: u64 = 7;

/// Decodes `data` as a meetings page and checks what the SDK promises about the outcome:
///
/// - a page keeps its number; every record is either a meeting (with its text as received and
///   its blanked fields) or a rejected record naming this page and a path under
///   `data.Meetings.meetings[i]`, each once; the paging helpers answer without panicking;
/// - a failure is an [`Error::Decode`] naming this page and a JSON path;
/// - a body that the generated types accept re-encodes to JSON that decodes to the same value.
pub fn decode_page(data: &[u8]) {
    match decode(data, PAGE) {
        Ok(page) => {
            assert_eq!(page.number, PAGE);
            let total = page.len();
            for rejected in &page.rejected {
                assert_eq!(rejected.page, PAGE);
                let _ = rejected.to_string();
                assert!(
                    rejected
                        .path
                        .starts_with(&format!("data.Meetings.meetings[{}]", rejected.index)),
                    "rejected record path {:?}",
                    rejected.path
                );
            }
            let _ = (page.has_more(), page.total_pages(), page.is_empty());
            let rejected = page.rejected.len();
            let records: Vec<_> = page.into_raw_records().collect();
            assert_eq!(
                records.len() + rejected,
                total,
                "every record is yielded once"
            );
        }
        Err(error) => {
            assert!(matches!(error, Error::Decode(_)), "{error:?}");
            assert_eq!(error.page(), Some(PAGE));
            assert!(error.json_path().is_some(), "{error}");
            let _ = error.to_string();
        }
    }
    if let Ok(value) = serde_json::from_slice::<MeetingsResponse>(data) {
        let again = serde_json::to_vec(&value).expect("a decoded value encodes");
        let decoded: MeetingsResponse =
            serde_json::from_slice(&again).expect("an encoded value decodes");
        assert_eq!(decoded, value, "round trip through JSON");
    }
}

/// Validates `data` against the spec as the body of `GET /incoming/v2/meetings` with status 200
/// (a page) and 429 (an error body): a report or a typed error, never a panic. A body the
/// validator finds valid for 200 must decode with no rejected record: the contract and the SDK
/// agree.
///
/// One known divergence is left out of that comparison: a number with a zero fraction written as
/// a float (`-0`, `25.0`, `1e2`) is an `integer` for JSON Schema, so the validator accepts it
/// where the spec says integer, while the SDK's integer fields reject it (serde_json reads it as a
/// float). JavaScript's `JSON.stringify`, which the API's server uses, never writes integers that
/// way. The seed `seeds/validate_response/negative-zero-integer.json` is the input that found it.
pub fn validate_response(data: &[u8]) {
    for status in [200, 429] {
        let report = match thoughtindustries_contract::validate_response_bytes(
            "list_meetings",
            status,
            data,
        ) {
            Ok(report) => report,
            Err(error) => {
                let _ = error.to_string();
                continue;
            }
        };
        let _ = report.to_string();
        if status == 200 && report.is_valid() && !has_integral_float(data) {
            let page = decode(data, PAGE)
                .unwrap_or_else(|e| panic!("valid per the contract, but: {e}\n{report}"));
            assert!(
                page.rejected.is_empty(),
                "valid per the contract, but records were rejected: {:?}",
                page.rejected
            );
        }
    }
}

/// Whether the JSON in `data` has a number that serde_json reads as a float although its value
/// is a whole number (`-0`, `25.0`, `1e2`).
fn has_integral_float(data: &[u8]) -> bool {
    fn walk(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::Number(n) => {
                n.as_f64().is_some_and(|f| f.fract() == 0.0) && n.is_f64()
            }
            serde_json::Value::Array(items) => items.iter().any(walk),
            serde_json::Value::Object(map) => map.values().any(walk),
            _ => false,
        }
    }
    serde_json::from_slice::<serde_json::Value>(data).is_ok_and(|v| walk(&v))
}
