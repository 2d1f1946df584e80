//! Warnings about odd data, each said once on stderr: placeholder counts, time zones that are not
//! IANA names, records that did not decode (with the value and the form expected).

use std::collections::HashSet;
use thoughtindustries::MeetingTimeZone;

use serde_json::Value;
use thoughtindustries::{Meeting, Page, RejectedRecord};

use crate::output::Format;

/// The warnings said so far.
pub struct Notices {
    /// Whether times are shown in the meeting's zone (so an unknown zone matters).
    local_times: bool,
    said: HashSet<String>,
}

impl Notices {
    /// Warnings for output in `format`.
    pub fn new(format: Format) -> Self {
        Self {
            local_times: matches!(format, Format::Table | Format::Ics),
            said: HashSet::new(),
        }
    }

    fn once(&mut self, key: String, message: impl FnOnce() -> String) {
        if self.said.insert(key) {
            eprintln!("ti: warning: {}", message());
        }
    }

    /// Checks a page's `pageInfo` for placeholder values.
    pub fn page(&mut self, page: &Page) {
        let Some(info) = &page.page_info else { return };
        if info.total == Some(0) && info.has_more == Some(true) {
            self.once("total".into(), || {
                "the API says `total: 0` and `hasMore: true`: its count is a placeholder, so the \
                 number of meetings is not known"
                    .into()
            });
        }
    }

    /// Checks a meeting's time zone when times are shown in it.
    pub fn meeting(&mut self, meeting: &Meeting) {
        let Some(zone) = meeting
            .time_zone
            .as_deref()
            .filter(|z| !z.trim().is_empty())
        else {
            return;
        };
        if !self.local_times || meeting.tz().is_some() {
            return;
        }
        let id = meeting.id;
        self.once(format!("zone {zone}"), || {
            format!(
                "time zone {zone:?} (meeting {id}, maybe others) is not an IANA name such as \
                 America/New_York: its times are shown in UTC"
            )
        });
    }
}

/// A record that did not decode, said for people: the value found and, for timestamps, the form
/// expected.
pub fn explain(error: &RejectedRecord) -> String {
    let prefix = format!("data.Meetings.meetings[{}]", error.index);
    let inner = error.path.strip_prefix(&prefix).unwrap_or_default();
    let Some(value) = value_at(&error.raw, inner) else {
        return error.to_string();
    };
    let field = inner.rsplit('.').next().unwrap_or_default();
    match value {
        Value::String(text)
            if (field.ends_with("Date") || field.ends_with("At"))
                && chrono::DateTime::parse_from_rfc3339(text).is_err() =>
        {
            format!(
                "{}: {text:?} is not an RFC 3339 date-time (expected a form like \
                 2024-05-01T09:00:00Z or 2024-05-01T11:00:00+02:00); the meeting is skipped",
                location(error)
            )
        }
        Value::Object(_) | Value::Array(_) => error.to_string(),
        scalar => format!("{error} (found {scalar})"),
    }
}

/// `page 2: meeting #3 (id) at data.Meetings.meetings[3].startDate`.
fn location(error: &RejectedRecord) -> String {
    let id = error
        .id
        .as_deref()
        .map(|id| format!(" ({id})"))
        .unwrap_or_default();
    format!(
        "page {}: meeting #{}{id} at `{}`",
        error.page, error.index, error.path
    )
}

/// The value at a path like `.course.tags[2]` inside `record`.
fn value_at<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    let mut value = record;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, indexes) = part.split_once('[').map_or((part, ""), |(k, i)| (k, i));
        if !key.is_empty() {
            value = value.get(key)?;
        }
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            value = value.get(index.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_at_follows_keys_and_indexes() {
        let record: Value =
            serde_json::from_str(r#"{"a":{"b":[1,{"c":"x"}]},"startDate":"2024"}"#).unwrap();
        assert_eq!(value_at(&record, ".a.b[1].c"), Some(&Value::from("x")));
        assert_eq!(value_at(&record, ".startDate"), Some(&Value::from("2024")));
        assert_eq!(value_at(&record, ""), Some(&record));
        assert_eq!(value_at(&record, ".a.z"), None);
    }
}
