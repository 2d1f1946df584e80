//! The fast path of decoding a page: each meeting's JSON text as received, kept beside its typed
//! decode.
//!
//! The fast path of [`crate::wire::decode_page`] reads the envelope once, borrowing every record of
//! `data.Meetings.meetings` as a [`RawValue`] (a slice of the body, checked as JSON but not
//! decoded), then decodes each record from that slice. The record's bytes are kept unchanged:
//! unknown fields, `+02:00` offsets, `.000` fractions and `0` versus `0.0` survive for callers that
//! pass the data on ([`Page::into_raw_records`]).

use serde::Deserialize;
use serde_json::value::RawValue;
use thoughtindustries_models::{Aggregation, Meeting, PageInfo};

use crate::page::{Page, RawTexts};

/// `MeetingsResponse` with the records left as JSON text.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: Data<'a>,
}

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

/// The fast path: the page when the envelope and every record decode, `None` otherwise (the slow
/// path then explains what failed).
pub(crate) fn decode_strict(body: &[u8], number: u64) -> Option<Page> {
    let envelope: Envelope<'_> = serde_json::from_slice(body).ok()?;
    let list = envelope.data.meetings;
    let records = list.meetings.unwrap_or_default();
    let mut meetings = Vec::with_capacity(records.len());
    let mut raw = Vec::with_capacity(records.len());
    for record in records {
        meetings.push(serde_json::from_str::<Meeting>(record.get()).ok()?);
        raw.push(record.to_owned());
    }
    Some(Page {
        number,
        page_info: list.page_info,
        aggregations: list.aggregations.into_iter().flatten().flatten().collect(),
        meetings,
        rejected: Vec::new(),
        blanked: Vec::new(),
        raw_meetings: RawTexts(raw),
    })
}

/// The JSON text of every record of `data.Meetings.meetings` in `body`, in order (empty when the
/// envelope does not decode).
pub(crate) fn records(body: &[u8]) -> Vec<Box<RawValue>> {
    serde_json::from_slice::<Envelope<'_>>(body)
        .ok()
        .and_then(|e| e.data.meetings.meetings)
        .unwrap_or_default()
        .into_iter()
        .map(ToOwned::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::decode::decode_page;

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
