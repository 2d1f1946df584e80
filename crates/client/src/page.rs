//! One page of meetings, as the client delivers it.

use serde_json::value::RawValue;
use thoughtindustries_models::{Aggregation, Meeting, PageInfo};

/// One page of `GET /incoming/v2/meetings`.
///
/// Records that did not decode are not dropped silently: they are in [`Page::rejected`], with the
/// JSON path that failed, and the streams report them
/// ([`MeetingStream::rejected`](crate::MeetingStream::rejected),
/// [`ListMeetings::on_rejected`](crate::ListMeetings::on_rejected)).
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

/// A field of a delivered meeting that did not match the contract and was left empty, by the
/// listing or by [`Client::get_meeting`](crate::Client::get_meeting) (one decoding path).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BlankedField {
    /// The page the meeting is on; `None` for a meeting fetched by id.
    pub page: Option<u64>,
    /// The meeting's position in the page's `meetings` array; `None` for a meeting fetched by id.
    pub index: Option<usize>,
    /// The meeting's `id`, when it had a string one.
    pub id: Option<String>,
    /// The field left empty, like `data.Meetings.meetings[3].course.sampleLesson` (or
    /// `data.MeetingById.course.sampleLesson` for a meeting fetched by id).
    pub path: String,
    /// What was wrong in it.
    pub message: String,
}

impl std::fmt::Display for BlankedField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(page) = self.page {
            write!(f, "page {page}: ")?;
        }
        f.write_str("meeting")?;
        if let Some(index) = self.index {
            write!(f, " #{index}")?;
        }
        match (&self.id, self.index) {
            (Some(id), Some(_)) => write!(f, " ({id})")?,
            (Some(id), None) => write!(f, " {id}")?,
            (None, _) => {}
        }
        write!(
            f,
            " kept without `{}`, which does not match the contract: {}",
            self.path, self.message
        )
    }
}

/// A record of a page that did not match the contract and was skipped; the rest of the page was
/// delivered.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RejectedRecord {
    /// The page it is on.
    pub page: u64,
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

impl RejectedRecord {
    /// Replaces the client's secrets in what the record reports.
    pub(crate) fn redact(&mut self, redactor: &crate::redact::Redactor) {
        self.id.iter_mut().for_each(|id| redactor.string(id));
        redactor.string(&mut self.path);
        redactor.string(&mut self.message);
        redactor.json(&mut self.raw);
    }
}

impl BlankedField {
    /// Replaces the client's secrets in what the field reports.
    pub(crate) fn redact(&mut self, redactor: &crate::redact::Redactor) {
        self.id.iter_mut().for_each(|id| redactor.string(id));
        redactor.string(&mut self.path);
        redactor.string(&mut self.message);
    }
}

impl std::fmt::Display for RejectedRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "page {}: meeting #{}", self.page, self.index)?;
        if let Some(id) = &self.id {
            write!(f, " ({id})")?;
        }
        write!(
            f,
            " does not match the contract at `{}`: {}",
            self.path, self.message
        )
    }
}

/// What follows a page, by [`Page::has_more`]'s rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Another page.
    More,
    /// The end of the listing.
    End,
    /// Every record was rejected and the page does not say whether more follow
    /// ([`Error::RejectedPage`](crate::Error::RejectedPage)).
    Unknown,
}

impl Page {
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
    /// `hasMore` cannot loop a client forever). Otherwise `pageInfo.hasMore` decides; when it is
    /// null or absent, `total` and `perPage` decide; when those are missing too, a full page
    /// (as many records as `perPage`) means there may be more, and without `perPage` any
    /// non-empty page does. A page none of whose records decoded goes on only to a page that
    /// `total` and `perPage` announce (rejected records alone are not progress that may go on
    /// without bound); where it would otherwise go on, the listing stops with
    /// [`Error::RejectedPage`](crate::Error::RejectedPage) rather than end as if complete.
    pub fn has_more(&self) -> bool {
        self.next() == Next::More
    }

    pub(crate) fn next(&self) -> Next {
        if self.is_empty() {
            return Next::End;
        }
        let info = self.page_info.as_ref();
        let more = if let Some(more) = info.and_then(|i| i.has_more) {
            more
        } else if let Some(pages) = self.total_pages() {
            self.number < pages
        } else {
            match info.and_then(|i| i.per_page) {
                Some(per_page) => self.len() as i64 >= per_page,
                None => true,
            }
        };
        let announced = self.total_pages().is_some_and(|pages| self.number < pages);
        match (more, self.meetings.is_empty()) {
            (false, _) => Next::End,
            (true, false) => Next::More,
            (true, true) if announced => Next::More,
            (true, true) => Next::Unknown,
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

    /// The page's meetings in their order, each with the fields of it that did not decode and
    /// were left empty (its entries of [`Page::blanked`]; empty for a meeting that decoded whole).
    /// The rejected records are in [`Page::rejected`].
    pub fn into_meetings_with_warnings(self) -> impl Iterator<Item = (Meeting, Vec<BlankedField>)> {
        let blanked = self.blanked_by_meeting();
        let blanked = blanked.into_iter().chain(std::iter::repeat_with(Vec::new));
        self.meetings.into_iter().zip(blanked)
    }

    /// The page's [`blanked`](Page::blanked) fields grouped by meeting, in the order of
    /// [`Page::meetings`].
    fn blanked_by_meeting(&self) -> Vec<Vec<BlankedField>> {
        let mut by_index: std::collections::BTreeMap<usize, Vec<BlankedField>> =
            std::collections::BTreeMap::new();
        for field in &self.blanked {
            by_index
                .entry(field.index.unwrap_or_default())
                .or_default()
                .push(field.clone());
        }
        let rejected: Vec<usize> = self.rejected.iter().map(|r| r.index).collect();
        (0..self.len())
            .filter(|index| !rejected.contains(index))
            .map(|index| by_index.remove(&index).unwrap_or_default())
            .collect()
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
    /// The fields of `meeting` that did not decode and were left empty (empty when it decoded
    /// whole); `raw` still has them as received.
    pub blanked: Vec<BlankedField>,
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
    /// The page's meetings in their order, each with its JSON text exactly as received (for
    /// output that must not lose unknown fields or change how values were written) and its
    /// blanked fields. The rejected records are in [`Page::rejected`].
    ///
    /// ```
    /// let body = br#"{"data":{"Meetings":{"meetings":[{"id":"0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11",
    ///   "courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f","course":{},"newField":1.50,
    ///   "startDate":"2024-05-01T11:00:00.000+02:00","endDate":"2024-05-01T10:00:00Z"}]}}}"#;
    /// let page = thoughtindustries::wire::decode_page(body, 1)?;
    /// let record = page.into_raw_records().next().unwrap();
    /// assert!(record.raw.get().contains(r#""newField":1.50"#));
    /// assert!(record.raw.get().contains("11:00:00.000+02:00"));
    /// assert_eq!(record.meeting.start_date.to_rfc3339(), "2024-05-01T09:00:00+00:00");
    /// # Ok::<(), thoughtindustries::Error>(())
    /// ```
    pub fn into_raw_records(mut self) -> impl Iterator<Item = RawMeeting> {
        let mut raw = std::mem::take(&mut self.raw_meetings.0).into_iter();
        self.into_meetings_with_warnings()
            .map(move |(meeting, blanked)| {
                // Every page this crate builds has the text of each meeting; should a caller have
                // added meetings to `meetings`, theirs are serialized.
                let raw = raw.next().unwrap_or_else(|| {
                    serde_json::value::to_raw_value(&meeting)
                        .unwrap_or_else(|_| RawValue::NULL.to_owned())
                });
                RawMeeting {
                    meeting,
                    raw,
                    blanked,
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::decode_page;

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
        use super::Next;
        assert_eq!(
            rejected_only(r#"{"hasMore":true}"#, 1).next(),
            Next::Unknown
        );
        assert_eq!(rejected_only(r#"{"perPage":1}"#, 1).next(), Next::Unknown);
        assert_eq!(rejected_only(r#"{"perPage":2}"#, 1).next(), Next::End);
        assert_eq!(rejected_only("null", 1).next(), Next::Unknown);
        let announced = r#"{"hasMore":true,"total":30,"perPage":10}"#;
        assert_eq!(rejected_only(announced, 2).next(), Next::More);
        // The announced end, where the server still says more: it may, so stopping is an error.
        assert_eq!(rejected_only(announced, 3).next(), Next::Unknown);
        let counted = r#"{"total":30,"perPage":10}"#;
        assert_eq!(rejected_only(counted, 2).next(), Next::More);
        assert_eq!(rejected_only(counted, 3).next(), Next::End);
        let last = r#"{"hasMore":false,"total":30,"perPage":10}"#;
        assert_eq!(rejected_only(last, 1).next(), Next::End);
        assert!(!rejected_only(r#"{"hasMore":true}"#, 1).has_more());
    }
}
