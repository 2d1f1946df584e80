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
use crate::page::{BlankedField, Page, RejectedRecord};

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
/// let page = thoughtindustries::wire::decode_page(body, 1)?;
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
        let id = record.get("id").and_then(Value::as_str).map(str::to_owned);
        match decode_repairing(record, &prefix) {
            Ok((meeting, blanked)) => {
                page.meetings.push(meeting);
                page.blanked
                    .extend(blanked.into_iter().map(|(path, message)| BlankedField {
                        page: Some(number),
                        index: Some(index),
                        id: id.clone(),
                        path,
                        message,
                    }));
            }
            Err((path, message, raw)) => page.rejected.push(RejectedRecord {
                page: number,
                index,
                id,
                path,
                message,
                raw,
            }),
        }
    }
    page.keep_raw(crate::raw::records(body));
    Ok(page)
}

/// The most fields blanked in one record before it is rejected instead.
const MAX_BLANKED: usize = 8;

/// Decodes a meeting; when a field inside it does not decode, blanks (sets to null) the innermost
/// object member around the failure that the record can do without and tries again, so that one
/// odd nested value does not cost the whole meeting. Returns the meeting and the blanked fields'
/// paths and reasons, or the failure (with the record as received) when even blanking does not
/// help (a required field, like the meeting's own `id`, is wrong).
#[allow(clippy::type_complexity)]
pub(crate) fn decode_repairing(
    original: Value,
    prefix: &str,
) -> Result<(Meeting, Vec<(String, String)>), (String, String, Value)> {
    /// A blanked field: where it is, and the original failure inside it (path and message).
    struct Blank {
        steps: Vec<Step>,
        path: String,
        message: String,
    }
    let mut record = original.clone();
    let mut blanked: Vec<Blank> = Vec::new();
    loop {
        let error = match serde_path_to_error::deserialize::<_, Meeting>(&record) {
            Ok(meeting) => {
                let fields = blanked
                    .into_iter()
                    .map(|blank| {
                        let path = join(prefix, &blank.steps);
                        let message = if blank.path == path {
                            blank.message
                        } else {
                            format!("at `{}`: {}", blank.path, blank.message)
                        };
                        (path, message)
                    })
                    .collect();
                return Ok((meeting, fields));
            }
            Err(error) => error,
        };
        let steps = steps(error.path());
        // When the failure is a field this loop blanked (it may not be null), the original
        // failure inside it is the one to report.
        let (path, message) = match blanked.iter().find(|blank| blank.steps == steps) {
            Some(blank) => (blank.path.clone(), blank.message.clone()),
            None => (join(prefix, &steps), error.into_inner().to_string()),
        };
        let candidate = (1..=steps.len())
            .rev()
            .map(|end| &steps[..end])
            .filter(|c| matches!(c.last(), Some(Step::Key(_))))
            .find(|c| !blanked.iter().any(|blank| blank.steps.as_slice() == *c));
        let slot = candidate
            .filter(|_| blanked.len() < MAX_BLANKED)
            .and_then(|candidate| Some((candidate, locate(&mut record, candidate)?)));
        let Some((candidate, slot)) = slot else {
            return Err((path, message, original));
        };
        *slot = Value::Null;
        // Fields blanked inside this one are moot now.
        blanked.retain(|blank| !blank.steps.starts_with(candidate));
        blanked.push(Blank {
            steps: candidate.to_vec(),
            path,
            message,
        });
    }
}

/// One step of a JSON path.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

fn steps(path: &serde_path_to_error::Path) -> Vec<Step> {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Map { key } => Some(Step::Key(key.clone())),
            Segment::Seq { index } => Some(Step::Index(*index)),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

/// The value at `steps` in `value`, when it exists.
fn locate<'a>(value: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    steps.iter().try_fold(value, |value, step| match step {
        Step::Key(key) => value.as_object_mut()?.get_mut(key),
        Step::Index(index) => value.as_array_mut()?.get_mut(*index),
    })
}

/// `prefix` followed by `steps`, like `data.Meetings.meetings[3].attendees[0].balance`.
fn join(prefix: &str, steps: &[Step]) -> String {
    let mut path = prefix.to_owned();
    for step in steps {
        match step {
            Step::Key(key) => {
                path.push('.');
                path.push_str(key);
            }
            Step::Index(index) => path.push_str(&format!("[{index}]")),
        }
    }
    path
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
        let bad = MEETING.replace("2024-05-01T09:00:00Z", "yesterday");
        let page = decode_page(&body(&format!("{MEETING},{bad},{MEETING}")), 4).unwrap();
        assert_eq!(page.meetings.len(), 2);
        assert_eq!(page.rejected.len(), 1);
        let rejected = &page.rejected[0];
        assert_eq!(rejected.index, 1);
        assert_eq!(rejected.path, "data.Meetings.meetings[1].startDate");
        assert_eq!(
            rejected.id.as_deref(),
            Some("0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11")
        );
        assert_eq!(page.rejected[0].page, 4);
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

#[cfg(test)]
mod repair_tests {
    use super::*;

    const MEETING: &str = r#"{"id":"0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11",
        "courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f","title":"Kept",
        "course":{"slug":"x","sampleLesson":{"id":"les_1","slug":"intro","title":7}},
        "attendees":[{"id":"9b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11","balance":"12.50"}],
        "startDate":"2024-05-01T09:00:00Z","endDate":"2024-05-01T10:00:00Z"}"#;

    fn page(record: &str) -> Page {
        let body = format!(r#"{{"data":{{"Meetings":{{"meetings":[{record}]}}}}}}"#);
        decode_page(body.as_bytes(), 2).unwrap()
    }

    #[test]
    fn odd_nested_values_are_blanked_and_the_meeting_kept() {
        let page = page(MEETING);
        assert!(page.rejected.is_empty(), "{:?}", page.rejected);
        let meeting = &page.meetings[0];
        assert_eq!(meeting.title.as_deref(), Some("Kept"));
        let lesson = meeting.course.sample_lesson.as_ref().unwrap();
        assert_eq!(
            (lesson.id.as_deref(), lesson.title.as_deref()),
            (Some("les_1"), None)
        );
        assert_eq!(meeting.attendees.as_ref().unwrap()[0].balance, None);
        let paths: Vec<_> = page.blanked.iter().map(|b| b.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "data.Meetings.meetings[0].attendees[0].balance",
                "data.Meetings.meetings[0].course.sampleLesson.title",
            ]
        );
        let shown = page.blanked[0].to_string();
        assert!(
            shown.starts_with("page 2: meeting #0 (0b6e8a53-"),
            "{shown}"
        );
    }

    #[test]
    fn a_non_null_nested_field_blanks_the_nearest_optional_field_around_it() {
        // An instructor may not be null: the list goes, the meeting stays.
        let record = MEETING.replace(
            r#""title":"Kept","#,
            r#""title":"Kept","instructors":["Ann",5],"#,
        );
        let page = page(&record);
        let blanked = page.blanked.last().unwrap();
        assert_eq!(blanked.path, "data.Meetings.meetings[0].instructors");
        assert!(
            blanked.message.starts_with(
                "at `data.Meetings.meetings[0].instructors[1]`: invalid type: integer"
            ),
            "{}",
            blanked.message
        );
        assert_eq!(page.meetings[0].instructors, None);
    }

    #[test]
    fn a_bad_required_meeting_field_still_rejects_the_record_with_the_first_path() {
        let record = MEETING.replace("0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11", "not-a-uuid");
        let page = page(&record);
        assert!(page.meetings.is_empty() && page.blanked.is_empty());
        assert_eq!(page.rejected[0].path, "data.Meetings.meetings[0].id");
    }

    #[test]
    fn at_most_eight_fields_are_blanked_before_the_record_is_rejected() {
        let with_odd_attendees = |n: usize| {
            let attendees: Vec<String> = (0..n)
                .map(|i| {
                    format!(r#"{{"id":"9b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a1{i}","balance":"x"}}"#)
                })
                .collect();
            let record = MEETING.replace(
                r#""attendees":[{"id":"9b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11","balance":"12.50"}]"#,
                &format!(r#""attendees":[{}]"#, attendees.join(",")),
            );
            page(&record)
        };
        // Seven attendees' balances and the lesson title: eight, kept.
        let kept = with_odd_attendees(7);
        assert_eq!(kept.meetings.len(), 1, "{:?}", kept.rejected);
        assert_eq!(kept.blanked.len(), 8);
        // One more: rejected, with the path of the field that was one too many.
        let rejected = with_odd_attendees(8);
        assert!(rejected.meetings.is_empty() && rejected.blanked.is_empty());
        assert_eq!(rejected.rejected.len(), 1);
    }
}
