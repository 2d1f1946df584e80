//! One page of meetings, as the client delivers it.

use serde_json::value::RawValue;
use thoughtindustries_models::{Aggregation, Meeting, MeetingsResponse, PageInfo};

use crate::errors::{Error, RecordError};

/// One page of `GET /incoming/v2/meetings`.
///
/// Records that did not decode are not dropped silently: they are in [`Page::rejected`], with the
/// JSON path that failed, and the streams yield them as [`Error::Record`] in their place.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page {
    /// The page number that was requested (1-based).
    pub number: u64,
    /// The page's `pageInfo`, when the API sent one.
    pub page_info: Option<PageInfo>,
    /// The page's aggregations (empty when the API sent none). Null entries, which the spec
    /// tolerates but which carry nothing, are left out.
    pub aggregations: Vec<Aggregation>,
    /// The meetings that decoded, in the API's order.
    pub meetings: Vec<Meeting>,
    /// The records that did not decode.
    pub rejected: Vec<RejectedRecord>,
    /// The JSON text of each of `meetings`, as received ([`Page::into_raw_records`]).
    pub(crate) raw_meetings: RawTexts,
    /// Fields of delivered meetings that did not decode and were left empty (`None`), so that
    /// one odd nested value does not cost the whole meeting. A stream of meetings shows them
    /// through [`ListMeetings::on_warning`](crate::ListMeetings::on_warning) or
    /// [`ListMeetings::meetings_with_warnings`](crate::ListMeetings::meetings_with_warnings).
    pub blanked: Vec<BlankedField>,
}

/// A field of a delivered meeting that did not match the contract and was left empty.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BlankedField {
    /// The page the meeting is on.
    pub page: u64,
    /// The meeting's position in the page's `meetings` array.
    pub index: usize,
    /// The meeting's `id`, when it had a string one.
    pub id: Option<String>,
    /// The field left empty, like `data.Meetings.meetings[3].course.sampleLesson`.
    pub path: String,
    /// What was wrong in it.
    pub message: String,
}

impl std::fmt::Display for BlankedField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "page {}: meeting #{}", self.page, self.index)?;
        if let Some(id) = &self.id {
            write!(f, " ({id})")?;
        }
        write!(
            f,
            " kept without `{}`, which does not match the contract: {}",
            self.path, self.message
        )
    }
}

/// A record of a page that did not match the contract.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RejectedRecord {
    /// Its position in the page's `meetings` array.
    pub index: usize,
    /// Its `id`, when it had a string one.
    pub id: Option<String>,
    /// Where decoding failed, like `data.Meetings.meetings[3].startDate`.
    pub path: String,
    /// What was wrong there.
    pub message: String,
    /// The record as received.
    pub raw: serde_json::Value,
}

impl Page {
    pub(crate) fn from_response(number: u64, response: MeetingsResponse) -> Self {
        let list = response.data.meetings;
        Self {
            number,
            page_info: list.page_info,
            aggregations: list.aggregations.into_iter().flatten().flatten().collect(),
            meetings: list.meetings.unwrap_or_default(),
            rejected: Vec::new(),
            raw_meetings: RawTexts::default(),
            blanked: Vec::new(),
        }
    }

    /// Records on this page, decoded or rejected.
    pub fn len(&self) -> usize {
        self.meetings.len() + self.rejected.len()
    }

    /// Whether the page has no records at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of pages the listing has, when `pageInfo` gives `total` and `perPage`.
    pub fn total_pages(&self) -> Option<u64> {
        let info = self.page_info.as_ref()?;
        let per_page = u64::try_from(info.per_page?).ok().filter(|&n| n > 0)?;
        let total = u64::try_from(info.total?).ok()?;
        Some(total.div_ceil(per_page))
    }

    /// Whether another page should be fetched after this one.
    ///
    /// An empty page ends the listing whatever `hasMore` says (a server that keeps saying
    /// `hasMore` cannot loop a client forever). So does a page none of whose records decoded,
    /// unless `total` and `perPage` announce a later page: rejected records alone are not
    /// progress that may go on without bound. Otherwise `pageInfo.hasMore` decides; when it is
    /// null or absent, `total` and `perPage` decide; when those are missing too, a full page
    /// (as many records as `perPage`) means there may be more, and without `perPage` any
    /// non-empty page does.
    pub fn has_more(&self) -> bool {
        if self.is_empty() {
            return false;
        }
        let info = self.page_info.as_ref();
        if self.meetings.is_empty() {
            let announced = self.total_pages().is_some_and(|pages| self.number < pages);
            return announced && info.and_then(|i| i.has_more) != Some(false);
        }
        if let Some(more) = info.and_then(|i| i.has_more) {
            return more;
        }
        if let Some(pages) = self.total_pages() {
            return self.number < pages;
        }
        match info.and_then(|i| i.per_page) {
            Some(per_page) => self.len() as i64 >= per_page,
            None => true,
        }
    }

    /// A hash of the page's records in their order, `None` for a page without records: the id of
    /// each decoded meeting and the JSON of each rejected record as received. Two pages with the
    /// same fingerprint carry the same records, whatever those decode to; the paginator uses it to
    /// stop at a server that ignores `page`.
    pub(crate) fn fingerprint(&self) -> Option<u64> {
        use std::hash::{Hash, Hasher};

        if self.is_empty() {
            return None;
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let mut rejected = self.rejected.iter().peekable();
        let mut meetings = self.meetings.iter();
        for index in 0..self.len() {
            match rejected.next_if(|r| r.index == index) {
                Some(record) => record.raw.to_string().hash(&mut hasher),
                None => meetings.next().map(|m| m.id).hash(&mut hasher),
            }
        }
        Some(hasher.finish())
    }

    /// The page's records in their original order: decoded meetings as `Ok`, rejected records as
    /// [`Error::Record`]. The page's [`blanked`](Page::blanked) fields are dropped: see
    /// [`Page::into_records_with_warnings`] to keep each with its meeting.
    pub fn into_records(self) -> impl Iterator<Item = Result<Meeting, Error>> {
        self.into_records_with_warnings()
            .map(|record| record.map(|(meeting, _)| meeting))
    }

    /// The page's records in their original order like [`Page::into_records`], each decoded
    /// meeting with the fields of it that did not decode and were left empty (its entries of
    /// [`Page::blanked`]; empty for a meeting that decoded whole).
    pub fn into_records_with_warnings(
        self,
    ) -> impl Iterator<Item = Result<(Meeting, Vec<BlankedField>), Error>> {
        let number = self.number;
        let total = self.len();
        let mut meetings = self.meetings.into_iter();
        let mut rejected = self.rejected.into_iter().peekable();
        let mut blanked: std::collections::BTreeMap<usize, Vec<BlankedField>> =
            std::collections::BTreeMap::new();
        for field in self.blanked {
            blanked.entry(field.index).or_default().push(field);
        }
        (0..total).filter_map(move |index| {
            if rejected.peek().is_some_and(|r| r.index == index) {
                let record = rejected.next()?;
                Some(Err(Error::Record(Box::new(RecordError {
                    page: number,
                    index: record.index,
                    id: record.id,
                    path: record.path,
                    message: record.message,
                }))))
            } else {
                let warnings = blanked.remove(&index).unwrap_or_default();
                meetings.next().map(|meeting| Ok((meeting, warnings)))
            }
        })
    }
}

/// A decoded meeting and its JSON text exactly as the API sent it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawMeeting {
    /// The typed meeting.
    pub meeting: Meeting,
    /// The record's bytes as received (a JSON object), byte for byte.
    pub raw: Box<RawValue>,
}

/// The JSON text of each meeting of a [`Page`], in the order of [`Page::meetings`].
#[derive(Debug, Clone, Default)]
pub(crate) struct RawTexts(pub(crate) Vec<Box<RawValue>>);

impl PartialEq for RawTexts {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self.0.iter().zip(&other.0).all(|(a, b)| a.get() == b.get())
    }
}

impl Page {
    /// The page's records in their original order, like [`Page::into_records`], each decoded
    /// meeting with its JSON text exactly as received (for output that must not lose unknown
    /// fields or change how values were written).
    ///
    /// ```
    /// let body = br#"{"data":{"Meetings":{"meetings":[{"id":"0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11",
    ///   "courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f","course":{},"newField":1.50,
    ///   "startDate":"2024-05-01T11:00:00.000+02:00","endDate":"2024-05-01T10:00:00Z"}]}}}"#;
    /// let page = thoughtindustries::decode_page(body, 1)?;
    /// let record = page.into_raw_records().next().unwrap()?;
    /// assert!(record.raw.get().contains(r#""newField":1.50"#));
    /// assert!(record.raw.get().contains("11:00:00.000+02:00"));
    /// assert_eq!(record.meeting.start_date.to_rfc3339(), "2024-05-01T09:00:00+00:00");
    /// # Ok::<(), thoughtindustries::Error>(())
    /// ```
    pub fn into_raw_records(mut self) -> impl Iterator<Item = Result<RawMeeting, Error>> {
        let mut raw = std::mem::take(&mut self.raw_meetings.0).into_iter();
        self.into_records().map(move |record| {
            record.map(|meeting| {
                // Every page this crate builds has the text of each meeting; should a caller have
                // added meetings to `meetings`, theirs are serialized.
                let raw = raw.next().unwrap_or_else(|| {
                    serde_json::value::to_raw_value(&meeting)
                        .unwrap_or_else(|_| RawValue::NULL.to_owned())
                });
                RawMeeting { meeting, raw }
            })
        })
    }

    /// Keeps the text of the records that decoded: `records` holds every record of the page in
    /// order, rejected ones included.
    pub(crate) fn keep_raw(&mut self, records: Vec<Box<RawValue>>) {
        let rejected: Vec<usize> = self.rejected.iter().map(|r| r.index).collect();
        self.raw_meetings = RawTexts(
            records
                .into_iter()
                .enumerate()
                .filter(|(index, _)| !rejected.contains(index))
                .map(|(_, raw)| raw)
                .collect(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::decode_page;

    fn rejected_only(page_info: &str, number: u64) -> super::Page {
        let body = format!(
            r#"{{"data":{{"Meetings":{{"pageInfo":{page_info},"meetings":[{{"id":"not-a-uuid"}}]}}}}}}"#
        );
        let page = decode_page(body.as_bytes(), number).unwrap();
        assert_eq!((page.meetings.len(), page.rejected.len()), (0, 1));
        page
    }

    #[test]
    fn rejected_records_alone_go_on_only_to_an_announced_page() {
        assert!(!rejected_only(r#"{"hasMore":true}"#, 1).has_more());
        assert!(!rejected_only(r#"{"hasMore":true,"perPage":1}"#, 1).has_more());
        let announced = r#"{"hasMore":true,"total":30,"perPage":10}"#;
        assert!(rejected_only(announced, 2).has_more());
        assert!(!rejected_only(announced, 3).has_more());
        assert!(!rejected_only(r#"{"hasMore":false,"total":30,"perPage":10}"#, 1).has_more());
    }
}
