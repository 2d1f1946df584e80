//! Decoding JSON text into the models, and saying where it failed.
//!
//! Every model is decoded one way only: [`decode`], which is `serde_json::from_str`. Each type's
//! `Deserialize` is generic over the deserializer, so a second way (a `serde_json::Value`, a
//! path-tracking wrapper such as `serde_path_to_error`) would compile every model's decoding code
//! a second time; in this crate that was a third of its release build. The JSON path of a failure
//! is found afterwards instead, from where in the text serde_json stopped ([`steps_at`]): only a
//! failing document pays for it, and no success pays for path tracking.

use serde::Deserialize;

/// One step of a JSON path: a member's key or an array's index (ordered as in a
/// `serde_json::Value`: keys by their text, indexes by number).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// Why a text did not decode, and where.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The path of the value that failed, from the root of the text.
    pub(crate) steps: Vec<Step>,
    /// What was wrong there: serde_json's message, without its line and column when the text is
    /// JSON that does not match the type (with them when it is not JSON: then the position is
    /// all there is to say where).
    pub(crate) message: String,
}

impl Failure {
    /// The failure's path under `prefix`, as [`path`] writes it.
    pub(crate) fn path(&self, prefix: &str) -> String {
        path(prefix, &self.steps)
    }
}

/// Decodes `text` as `T`; on failure, says where.
pub(crate) fn decode<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, Failure> {
    serde_json::from_str(text).map_err(|error| failure(text, &error))
}

/// The [`Failure`] of `error`, which decoding `text` returned.
fn failure(text: &str, error: &serde_json::Error) -> Failure {
    let shown = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = match shown.strip_suffix(&position) {
        Some(message) if error.is_data() => message.to_owned(),
        _ => shown,
    };
    let mut steps = offset(text, error.line(), error.column())
        .map(|offset| steps_at(text, offset))
        .unwrap_or_default();
    if error.is_syntax() {
        // In JSON text, a syntax error is what follows the elements a visitor took from an array
        // ("trailing characters", reported past the next element's first byte): the array is at
        // fault. (In text that is not JSON, the path is only approximate.)
        if let Some(array) = steps.iter().rposition(|s| matches!(s, Step::Index(_))) {
            steps.truncate(array);
        }
    }
    Failure { steps, message }
}

/// `prefix` followed by `steps`, written as `serde_path_to_error` does:
/// `data.Meetings.meetings[3].attendees[0].balance`, and `.` for the root.
pub(crate) fn path(prefix: &str, steps: &[Step]) -> String {
    let mut path = prefix.to_owned();
    for step in steps {
        match step {
            Step::Key(key) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Step::Index(index) => path.push_str(&format!("[{index}]")),
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
}

/// The byte offset of serde_json's `line` (from 1) and `column` (bytes since the line's start) in
/// `text`; `None` when the error carries no position (line 0).
fn offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let start = match line {
        0 => return None,
        1 => 0,
        _ => {
            text.bytes()
                .enumerate()
                .filter(|(_, byte)| *byte == b'\n')
                .nth(line - 2)?
                .0
                + 1
        }
    };
    Some((start + column).min(text.len()))
}

/// A container open at some point of the text.
enum Frame {
    /// An object, with the key of the member being read (after its `:`, until the next `,`).
    Object(Option<String>),
    /// An array, with the index of the element being read.
    Array(usize),
}

/// The JSON path of the value being read at byte `offset` of `text`.
///
/// serde_json reports a failure where it stopped: just past a scalar that did not fit, at the
/// start of a container of the wrong kind, or just past the closing brace of an object that
/// lacks a required member (its position is set once the object is closed). Reading the text up
/// to that offset, the members and elements still open there are the path, which is the path
/// `serde_path_to_error` reports for the same failure (a test compares the two on generated
/// records).
fn steps_at(text: &str, offset: usize) -> Vec<Step> {
    let bytes = &text.as_bytes()[..offset];
    let mut frames: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let end = string_end(bytes, i);
                if let Some(Frame::Object(key @ None)) = frames.last_mut() {
                    // A key cut off by the offset is not JSON: its text as it stands.
                    let literal = String::from_utf8_lossy(&bytes[i..end.min(bytes.len())]);
                    *key = Some(
                        serde_json::from_str(&literal)
                            .unwrap_or_else(|_| literal.trim_matches('"').to_owned()),
                    );
                }
                i = end;
                continue;
            }
            b'{' => frames.push(Frame::Object(None)),
            b'[' => frames.push(Frame::Array(0)),
            b'}' | b']' => {
                frames.pop();
            }
            b',' => match frames.last_mut() {
                Some(Frame::Object(key)) => *key = None,
                Some(Frame::Array(index)) => *index += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    frames
        .into_iter()
        .filter_map(|frame| match frame {
            Frame::Object(key) => key.map(Step::Key),
            Frame::Array(index) => Some(Step::Index(index)),
        })
        .collect()
}

/// The offset just past the string literal that starts at `bytes[start]` (a `"`), or the end of
/// `bytes` when it is not closed there.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::Value;
    use thoughtindustries_models::{Meeting, MeetingsResponse};

    /// What `serde_path_to_error` says of `text` as `T`: the path and the message.
    fn reference<T: DeserializeOwned>(text: &str) -> Option<(String, String)> {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize::<_, T>(&mut de)
            .err()
            .map(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let shown = inner.to_string();
                let position = format!(" at line {} column {}", inner.line(), inner.column());
                (
                    path,
                    shown.strip_suffix(&position).unwrap_or(&shown).to_owned(),
                )
            })
    }

    fn ours<T: DeserializeOwned>(text: &str) -> Option<(String, String)> {
        decode::<T>(text).err().map(|f| {
            let path = f.path("");
            let message = match f.message.find(" at line ") {
                Some(at) => f.message[..at].to_owned(),
                None => f.message,
            };
            (path, message)
        })
    }

    #[test]
    fn paths_of_plain_failures() {
        let cases = [
            (
                r#"{"data":{"Meetings":{"pageInfo":{"total":"7"}}}}"#,
                "data.Meetings.pageInfo.total",
            ),
            (
                r#"{"data":{"Meetings":{"meetings":[{"id":"x"}]}}}"#,
                "data.Meetings.meetings[0].id",
            ),
            (
                r#"{"data":{"Meetings":{"meetings":[{"id":"0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11"}]}}}"#,
                "data.Meetings.meetings[0]",
            ),
            (r#"{"meetings":[]}"#, "."),
            (
                "{\n  \"data\": {\n    \"Meetings\": {\"aggregations\": [null, {\"key\": 5}]}}}",
                "data.Meetings.aggregations[1].key",
            ),
            (
                r#"{"data":{"Meetings":{"pageInfo":{"a\"b":1,"total":[]}}}}"#,
                "data.Meetings.pageInfo.total",
            ),
        ];
        for (text, expected) in cases {
            let (path, _) = ours::<MeetingsResponse>(text).expect(text);
            assert_eq!(path, expected, "{text}");
            assert_eq!(
                ours::<MeetingsResponse>(text),
                reference::<MeetingsResponse>(text)
            );
        }
    }

    #[test]
    fn any_offset_of_any_text_gives_a_path_without_panicking() {
        let text = "{\"caf\u{e9}\\\"\":[1,{\"\u{1F600}\":\"x\\";
        for offset in 0..=text.len() {
            steps_at(text, offset);
        }
        assert_eq!(
            steps_at(text, text.find('x').unwrap()),
            [
                Step::Key("caf\u{e9}\"".into()),
                Step::Index(1),
                Step::Key("\u{1F600}".into())
            ]
        );
    }

    #[test]
    fn text_that_is_not_json_keeps_its_position() {
        let failure = decode::<Value>("{\n \"a\":").unwrap_err();
        assert_eq!(
            failure.message,
            "EOF while parsing a value at line 2 column 5"
        );
        let failure = decode::<MeetingsResponse>("{}").unwrap_err();
        assert_eq!(failure.message, "missing field `data`");
    }

    /// A value of a kind chosen by `pick`, unlike most fields' own.
    fn odd_value(pick: u32) -> Value {
        match pick % 9 {
            0 => Value::from(7),
            1 => Value::from(-1.5),
            2 => Value::from("not what was expected"),
            3 => Value::from(true),
            4 => Value::Null,
            5 => serde_json::json!([1, "two", {"three": 3}]),
            6 => serde_json::json!({"unexpected": {"nested": [null]}}),
            7 => serde_json::json!([]),
            _ => serde_json::json!({}),
        }
    }

    /// Every value in `value`, as a path of steps.
    fn nodes(value: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        out.push(at.clone());
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    at.push(Step::Key(key.clone()));
                    nodes(child, at, out);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    at.push(Step::Index(index));
                    nodes(child, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }

    fn locate<'a>(value: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
        steps.iter().try_fold(value, |value, step| match step {
            Step::Key(key) => value.as_object_mut()?.get_mut(key),
            Step::Index(index) => value.as_array_mut()?.get_mut(*index),
        })
    }

    /// Over thousands of realistic meetings with one to three values replaced by a value of
    /// another kind, or members removed, written compact and pretty-printed: wherever decoding
    /// fails, the path and the message are those `serde_path_to_error` finds by tracking the path
    /// during decoding.
    #[test]
    fn paths_agree_with_path_tracking_on_generated_failures() {
        let seed = std::env::var("JSON_PATH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x5eed_u64);
        let mut rng = fastrand::Rng::with_seed(seed);
        let tenant =
            thoughtindustries_mock::Tenant::synthetic(thoughtindustries_mock::SyntheticOptions {
                seed,
                courses: 6,
                meetings: 40,
            });
        let mut meetings = Vec::new();
        for body in [
            tenant.page_body(1, 40, None),
            thoughtindustries_spec::examples::REFERENCE_PAGE
                .as_bytes()
                .to_vec(),
        ] {
            let mut page: Value = serde_json::from_slice(&body).unwrap();
            let records = page.pointer_mut("/data/Meetings/meetings").unwrap().take();
            meetings.extend(records.as_array().unwrap().iter().cloned());
        }
        let (mut failures, mut cases) = (0, 0);
        for _ in 0..1500 {
            let mut record = meetings[rng.usize(..meetings.len())].clone();
            for _ in 0..rng.usize(1..=3) {
                let mut all = Vec::new();
                nodes(&record, &mut Vec::new(), &mut all);
                let target = all[rng.usize(..all.len())].clone();
                match (rng.u8(..4), target.split_last()) {
                    (0, Some((Step::Key(key), parent))) => {
                        if let Some(Value::Object(map)) = locate(&mut record, parent) {
                            map.remove(key);
                        }
                    }
                    _ => {
                        if let Some(slot) = locate(&mut record, &target) {
                            *slot = odd_value(rng.u32(..));
                        }
                    }
                }
            }
            for text in [
                serde_json::to_string(&record).unwrap(),
                serde_json::to_string_pretty(&record).unwrap(),
            ] {
                cases += 1;
                let expected = reference::<Meeting>(&text);
                failures += usize::from(expected.is_some());
                assert_eq!(ours::<Meeting>(&text), expected, "seed {seed}: {text}");
            }
        }
        assert!(failures > cases / 4, "only {failures} of {cases} failed");
    }
}
