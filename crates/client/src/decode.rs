//! Turning a response body into a [`Page`].
//!
//! The fast path decodes the whole body straight into the generated types (serde_json, no
//! intermediate tree, no path tracking). Only when that fails does the slow path run: it parses the
//! body into a `serde_json::Value`, decodes the envelope with path tracking
//! (`serde_path_to_error`) and then each meeting on its own, so that one odd record is reported
//! with its JSON path while the rest of the page is kept.

use serde::de::DeserializeOwned;
use serde_json::Value;
use thoughtindustries_models::{Meeting, MeetingsResponse};

use crate::errors::{DecodeError, Error};
use crate::page::{Page, RejectedRecord};

/// Decodes a `GET /incoming/v2/meetings` body for page `number`.
///
/// Records that do not match the contract are returned in [`Page::rejected`]; the whole call fails
/// only when the body is not JSON or its envelope (`data.Meetings`, `pageInfo`, `aggregations`)
/// does not match, with an [`Error::Decode`] naming the JSON path.
///
/// ```
/// let body = br#"{"data":{"Meetings":{"pageInfo":{"hasMore":false},"meetings":[
///   {"id":"0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11","courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f",
///    "course":{},"startDate":"2024-05-01T09:00:00Z","endDate":"2024-05-01T10:00:00Z"},
///   {"id":"not-a-uuid"}
/// ]}}}"#;
/// let page = thoughtindustries::decode_page(body, 1)?;
/// assert_eq!(page.meetings.len(), 1);
/// assert_eq!(page.rejected[0].path, "data.Meetings.meetings[1].id");
/// # Ok::<(), thoughtindustries::Error>(())
/// ```
pub fn decode_page(body: &[u8], number: u64) -> Result<Page, Error> {
    match crate::raw::decode_strict(body, number) {
        Some(page) => Ok(page),
        None => decode_leniently(body, number),
    }
}

/// The slow path: explains a body that failed the fast path, keeping every record that decodes.
pub(crate) fn decode_leniently(body: &[u8], number: u64) -> Result<Page, Error> {
    let fail = |path: &str, message: String| {
        Error::Decode(Box::new(DecodeError {
            page: number,
            path: path.to_owned(),
            message,
        }))
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(fail(".", "the body is empty".into()));
    }
    let mut value: Value = serde_json::from_slice(body)
        .map_err(|e| fail(".", format!("not valid JSON: {e}{}", excerpt(body))))?;

    if let Some(message) = error_object(&value) {
        return Err(fail(
            ".",
            format!("the API answered with an error object instead of data: {message}"),
        ));
    }

    // Take the records out so that the envelope can be checked on its own.
    let records = value
        .pointer_mut("/data/Meetings/meetings")
        .filter(|v| v.is_array())
        .map(Value::take);
    let envelope: MeetingsResponse = decode_at(&value, "").map_err(|(p, m)| fail(&p, m))?;
    let mut page = Page::from_response(number, envelope);

    let Some(Value::Array(records)) = records else {
        return Ok(page);
    };
    for (index, record) in records.into_iter().enumerate() {
        let prefix = format!("data.Meetings.meetings[{index}]");
        match decode_at::<Meeting>(&record, &prefix) {
            Ok(meeting) => page.meetings.push(meeting),
            Err((path, message)) => page.rejected.push(RejectedRecord {
                index,
                id: record.get("id").and_then(Value::as_str).map(str::to_owned),
                path,
                message,
                raw: record,
            }),
        }
    }
    page.keep_raw(crate::raw::records(body));
    Ok(page)
}

/// Decodes `value` with path tracking; on failure returns the full path (under `prefix`) and the
/// message.
fn decode_at<T: DeserializeOwned>(value: &Value, prefix: &str) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = match (prefix.is_empty(), inner.as_str()) {
            (true, _) => inner,
            (false, ".") => prefix.to_owned(),
            (false, _) => format!("{prefix}.{inner}"),
        };
        (path, e.into_inner().to_string())
    })
}

/// `{"error": ..., "message": ...}` without `data`: the shape of the API's error bodies.
fn error_object(value: &Value) -> Option<String> {
    let object = value.as_object()?;
    if object.contains_key("data") {
        return None;
    }
    let text = |key: &str| object.get(key).and_then(Value::as_str);
    match (text("error"), text("message")) {
        (None, None) => None,
        (error, message) => Some(
            [error, message]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": "),
        ),
    }
}

/// The start of a body that is not JSON (an HTML error page, say), for the error message.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(80)]);
    let text = text.trim().replace(['\n', '\r'], " ");
    if text.is_empty() {
        String::new()
    } else {
        format!(" (body starts with {text:?})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEETING: &str = r#"{"id":"0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11",
        "courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f","course":{"slug":"x"},
        "startDate":"2024-05-01T09:00:00Z","endDate":"2024-05-01T10:00:00.123+02:00"}"#;

    fn body(records: &str) -> Vec<u8> {
        format!(
            r#"{{"data":{{"Meetings":{{"pageInfo":{{"perPage":2}},"meetings":[{records}]}}}}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn odd_record_is_rejected_with_its_path_and_the_rest_kept() {
        let bad = MEETING.replace(r#""slug":"x""#, r#""slug":"x","seatsUsedCount":"many""#);
        let page = decode_page(&body(&format!("{MEETING},{bad},{MEETING}")), 4).unwrap();
        assert_eq!(page.meetings.len(), 2);
        assert_eq!(page.rejected.len(), 1);
        let rejected = &page.rejected[0];
        assert_eq!(rejected.index, 1);
        assert_eq!(
            rejected.path,
            "data.Meetings.meetings[1].course.seatsUsedCount"
        );
        assert_eq!(
            rejected.id.as_deref(),
            Some("0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11")
        );
        let order: Vec<bool> = page.into_records().map(|r| r.is_ok()).collect();
        assert_eq!(order, [true, false, true]);
    }

    #[test]
    fn envelope_errors_fail_the_page_with_a_path() {
        let err =
            decode_page(br#"{"data":{"Meetings":{"pageInfo":{"total":"7"}}}}"#, 2).unwrap_err();
        assert_eq!(err.json_path(), Some("data.Meetings.pageInfo.total"));
        assert_eq!(err.page(), Some(2));
        let err = decode_page(br#"{"meetings":[]}"#, 1).unwrap_err();
        assert_eq!(err.json_path(), Some("."));
        assert!(err.to_string().contains("data"), "{err}");
    }

    #[test]
    fn empty_html_and_error_bodies_say_what_they_are() {
        let empty = decode_page(b"", 1).unwrap_err().to_string();
        assert!(empty.contains("empty"), "{empty}");
        let html = decode_page(b"<html><body>Bad gateway</body></html>", 1)
            .unwrap_err()
            .to_string();
        assert!(
            html.contains("not valid JSON") && html.contains("<html>"),
            "{html}"
        );
        let error = decode_page(br#"{"error":"internal","message":"try later"}"#, 3)
            .unwrap_err()
            .to_string();
        assert!(error.contains("internal: try later"), "{error}");
    }

    #[test]
    fn nulls_absences_and_unknowns_decode_on_the_fast_path() {
        let record = MEETING.replace(
            r#""course":{"slug":"x"}"#,
            r#""course":{"slug":"x","status":"brandNew","kind":null,"newField":[1]},"title":null,"location":null,"attendees":null"#,
        );
        let body = format!(
            r#"{{"data":{{"Meetings":{{"pageInfo":null,"aggregations":[null,{{"key":"k","buckets":[null,{{"count":null}}]}}],"meetings":[{record}]}}}}}}"#
        );
        serde_json::from_str::<MeetingsResponse>(&body).expect("fast path accepts it");
        let page = decode_page(body.as_bytes(), 1).unwrap();
        assert_eq!(page.meetings.len(), 1);
        assert_eq!(
            page.aggregations.len(),
            1,
            "the null aggregation entry is left out"
        );
        // Without pageInfo, a non-empty page may have a successor: the next one is fetched.
        assert!(page.has_more());
    }
}
