//! Turning a response body into a [`Page`].
//!
//! The envelope is read once, each record of `data.Meetings.meetings` borrowed as its JSON text
//! (a [`RawValue`]: checked as JSON, not decoded); then each record is decoded from that text by
//! [`crate::json::decode`], the one way this crate decodes a model. A record that does not decode
//! is repaired ([`decode_record`]: odd nested fields left empty) or rejected with its JSON path,
//! and the rest of the page is kept. The text of every meeting is kept unchanged beside it:
//! unknown fields, `+02:00` offsets, `.000` fractions and `0` versus `0.0` survive for callers
//! that pass the data on ([`Page::into_raw_records`]).

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use thoughtindustries_models::{Aggregation, Meeting, PageInfo};

use crate::errors::{DecodeError, Error};
use crate::json::{self, Step};
use crate::page::{BlankedField, Page, RawTexts, RejectedRecord};

/// A response's `{"data": ...}` envelope, around what an operation reads of it.
#[derive(Deserialize)]
pub(crate) struct Envelope<D> {
    pub(crate) data: D,
}

/// `MeetingsResponse`'s data, with the records left as JSON text.
#[derive(Deserialize)]
struct Data<'a> {
    #[serde(rename = "Meetings", borrow)]
    meetings: List<'a>,
}

/// `MeetingsPage` with the records left as JSON text.
#[derive(Deserialize)]
struct List<'a> {
    aggregations: Option<Vec<Option<Aggregation>>>,
    #[serde(borrow)]
    meetings: Option<Vec<&'a RawValue>>,
    #[serde(rename = "pageInfo")]
    page_info: Option<PageInfo>,
}

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
    let fail = |(path, message): (String, String)| {
        Error::Decode(Box::new(DecodeError {
            page: number,
            path,
            message,
        }))
    };
    let text = std::str::from_utf8(body).map_err(|e| {
        fail((
            ".".into(),
            format!("not valid JSON: not UTF-8 ({e}){}", excerpt(body)),
        ))
    })?;
    let envelope: Envelope<Data<'_>> =
        json::decode(text).map_err(|failure| fail(explain_envelope(text, failure)))?;
    let list = envelope.data.meetings;
    let records = list.meetings.unwrap_or_default();
    let mut page = Page {
        number,
        page_info: list.page_info,
        aggregations: list.aggregations.into_iter().flatten().flatten().collect(),
        meetings: Vec::with_capacity(records.len()),
        rejected: Vec::new(),
        blanked: Vec::new(),
        raw_meetings: RawTexts(Vec::with_capacity(records.len())),
    };
    for (index, record) in records.into_iter().enumerate() {
        match decode_record(record.get(), || format!("data.Meetings.meetings[{index}]")) {
            Ok((meeting, blanked)) => {
                page.blanked
                    .extend(blanked.into_iter().map(|(path, message)| BlankedField {
                        page: Some(number),
                        index: Some(index),
                        id: Some(meeting.id.to_string()),
                        path,
                        message,
                    }));
                page.meetings.push(meeting);
                page.raw_meetings.0.push(record.to_owned());
            }
            Err(Undecodable { path, message, raw }) => page.rejected.push(RejectedRecord {
                page: number,
                index,
                id: raw.get("id").and_then(Value::as_str).map(str::to_owned),
                path,
                message,
                raw,
            }),
        }
    }
    Ok(page)
}

/// The path and the message of an envelope that did not decode: an empty body, text that is not
/// JSON, an error object instead of data, or data that does not match.
fn explain_envelope(text: &str, failure: json::Failure) -> (String, String) {
    let message = if text.trim().is_empty() {
        "the body is empty".to_owned()
    } else {
        match serde_json::from_str::<Value>(text) {
            Err(e) => format!("not valid JSON: {e}{}", excerpt(text.as_bytes())),
            Ok(value) => match error_object(&value) {
                Some(message) => {
                    format!("the API answered with an error object instead of data: {message}")
                }
                None => return (failure.path(""), failure.message),
            },
        }
    };
    (".".to_owned(), message)
}

/// A record that did not decode, even with fields blanked.
pub(crate) struct Undecodable {
    /// The JSON path of the failure, under the record's prefix.
    pub(crate) path: String,
    /// What was wrong there.
    pub(crate) message: String,
    /// The record as received.
    pub(crate) raw: Value,
}

/// The most fields blanked in one record before it is rejected instead.
const MAX_BLANKED: usize = 8;

/// Decodes the meeting in `text` (at `prefix()` in its body). When a field inside it does not
/// decode, blanks (sets to null) the innermost object member around the failure that the record
/// can do without and tries again, so that one odd nested value does not cost the whole meeting.
/// Returns the meeting and the blanked fields' paths and reasons, or the failure (with the record
/// as received) when even blanking does not help (a required field, like the meeting's own `id`,
/// is wrong).
pub(crate) fn decode_record(
    text: &str,
    prefix: impl FnOnce() -> String,
) -> Result<(Meeting, Vec<(String, String)>), Undecodable> {
    /// A blanked field: where it is, and the original failure inside it (path and message).
    struct Blank {
        steps: Vec<Step>,
        path: String,
        message: String,
    }
    let mut failure = match json::decode::<Meeting>(text) {
        Ok(meeting) => return Ok((meeting, Vec::new())),
        Err(failure) => failure,
    };
    let prefix = prefix();
    let original: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(_) => {
            return Err(Undecodable {
                path: failure.path(&prefix),
                message: failure.message,
                raw: Value::String(text.to_owned()),
            });
        }
    };
    let mut record = original.clone();
    let mut blanked: Vec<Blank> = Vec::new();
    loop {
        let steps = failure.steps;
        // When the failure is a field this loop blanked (it may not be null), the original
        // failure inside it is the one to report.
        let (path, message) = match blanked.iter().find(|blank| blank.steps == steps) {
            Some(blank) => (blank.path.clone(), blank.message.clone()),
            None => (json::path(&prefix, &steps), failure.message),
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
            return Err(Undecodable {
                path,
                message,
                raw: original,
            });
        };
        *slot = Value::Null;
        // Fields blanked inside this one are moot now.
        blanked.retain(|blank| !blank.steps.starts_with(candidate));
        blanked.push(Blank {
            steps: candidate.to_vec(),
            path,
            message,
        });
        failure = match json::decode::<Meeting>(&record.to_string()) {
            Ok(meeting) => {
                // In the order of their paths, whatever order the failures were found in.
                blanked.sort_by(|a, b| a.steps.cmp(&b.steps));
                let fields = blanked
                    .into_iter()
                    .map(|blank| {
                        let path = json::path(&prefix, &blank.steps);
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
            Err(failure) => failure,
        };
    }
}

/// The value at `steps` in `value`, when it exists.
fn locate<'a>(value: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    steps.iter().try_fold(value, |value, step| match step {
        Step::Key(key) => value.as_object_mut()?.get_mut(key),
        Step::Index(index) => value.as_array_mut()?.get_mut(*index),
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
    use thoughtindustries_models::MeetingsResponse;

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

#[cfg(test)]
mod raw_tests {
    use super::decode_page;

    const A: &str = r#"{"id":"0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11","courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f","course":{"x":0},"startDate":"2024-05-01T11:00:00.000+02:00","endDate":"2024-05-01T10:00:00Z","vendorAdded":{"n":0.10,"big":12345678901234567890}}"#;
    const B: &str = r#"{ "id" : "1b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11", "courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f",
        "course":{}, "startDate":"2024-05-01T09:00:00Z", "endDate":"2024-05-01T10:00:00Z", "title":"caf\u00e9" }"#;
    const BAD: &str =
        r#"{"id":"2b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11","startDate":"2024-01-01 02:00:00"}"#;

    fn texts(body: &str) -> Vec<String> {
        decode_page(body.as_bytes(), 1)
            .unwrap()
            .into_raw_records()
            .map(|r| r.raw.get().to_owned())
            .collect()
    }

    #[test]
    fn each_meeting_keeps_its_bytes_on_the_fast_path() {
        let body = format!(r#"{{"data":{{"Meetings":{{"meetings":[{A},{B}]}}}}}}"#);
        assert_eq!(texts(&body), [A, B]);
    }

    #[test]
    fn the_slow_path_keeps_the_bytes_of_the_records_that_decode() {
        let body = format!(r#"{{"data":{{"Meetings":{{"meetings":[{BAD},{A},{BAD},{B}]}}}}}}"#);
        let page = decode_page(body.as_bytes(), 1).unwrap();
        let rejected: Vec<usize> = page.rejected.iter().map(|r| r.index).collect();
        assert_eq!(rejected, [0, 2]);
        let records: Vec<_> = page
            .into_raw_records()
            .map(|r| (r.meeting.id.to_string(), r.raw.get().to_owned()))
            .collect();
        let (id, raw) = &records[0];
        assert_eq!(
            (id.as_str(), raw.as_str()),
            ("0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11", A)
        );
        let (id, raw) = &records[1];
        assert_eq!(
            (id.as_str(), raw.as_str()),
            ("1b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11", B)
        );
    }
}
