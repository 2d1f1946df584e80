//! Writing a page body: the `data.Meetings` envelope, `pageInfo`, aggregations, and a small
//! JSON object writer for meetings assembled from pre-serialized parts.

use serde::Serialize;
use thoughtindustries_models::{Aggregation, AggregationBucket, PageInfo};
use uuid::Uuid;

/// Serializes `value` onto `out`.
pub(crate) fn write_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    serde_json::to_writer(out, value)
        .expect("the mock's data serializes to memory without error (string keys only)");
}

/// The slice of a result set that one page covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    /// The 1-based page number.
    pub page: u64,
    /// Meetings per page.
    pub per_page: usize,
    /// Index of the page's first item in the result set.
    pub start: usize,
    /// One past the index of the page's last item.
    pub end: usize,
    /// Size of the whole result set.
    pub total: usize,
}

impl Window {
    /// Page `page` (1-based; 0 is read as 1) of `per_page` items (at least 1) out of `total`.
    pub(crate) fn new(page: u64, per_page: usize, total: usize) -> Self {
        let page = page.max(1);
        let per_page = per_page.max(1);
        let start = usize::try_from(page - 1)
            .ok()
            .and_then(|before| before.checked_mul(per_page))
            .map_or(total, |start| start.min(total));
        let end = start.saturating_add(per_page).min(total);
        Self {
            page,
            per_page,
            start,
            end,
            total,
        }
    }

    /// Whether items follow this page.
    pub(crate) fn has_more(&self) -> bool {
        self.end < self.total
    }
}

/// Writes a page body in pieces: [`PageWriter::begin`], one call per meeting, [`PageWriter::finish`].
pub(crate) struct PageWriter {
    out: Vec<u8>,
    meetings: usize,
}

impl PageWriter {
    /// Writes the envelope up to the opening of the `meetings` array.
    pub(crate) fn begin(
        window: &Window,
        has_more: bool,
        aggregations: &impl Serialize,
        capacity: usize,
    ) -> Self {
        let mut out = Vec::with_capacity(capacity);
        out.extend_from_slice(br#"{"data":{"Meetings":{"pageInfo":"#);
        let page_info = model!(PageInfo {
            per_page: Some(i64::try_from(window.per_page).unwrap_or(i64::MAX)),
            current_page: Some(i64::try_from(window.page).unwrap_or(i64::MAX)),
            total: Some(i64::try_from(window.total).unwrap_or(i64::MAX)),
            has_more: Some(has_more),
        });
        write_json(&mut out, &page_info);
        out.extend_from_slice(br#","aggregations":"#);
        write_json(&mut out, aggregations);
        out.extend_from_slice(br#","meetings":["#);
        Self { out, meetings: 0 }
    }

    /// Starts the next meeting: writes the separator and returns the buffer to write it into.
    pub(crate) fn next_meeting(&mut self) -> &mut Vec<u8> {
        if self.meetings > 0 {
            self.out.push(b',');
        }
        self.meetings += 1;
        &mut self.out
    }

    /// Closes the array and the envelope.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(b"]}}}");
        self.out
    }
}

/// Writes one JSON object member by member.
pub(crate) struct ObjectWriter<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> ObjectWriter<'a> {
    /// Opens an object on `out`.
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, empty: true }
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        write_json(self.out, key);
        self.out.push(b':');
    }

    /// A member with a serialized value.
    pub(crate) fn value<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.key(key);
        write_json(self.out, value);
    }

    /// A member whose value is already JSON.
    pub(crate) fn raw(&mut self, key: &str, json: &[u8]) {
        self.key(key);
        self.out.extend_from_slice(json);
    }

    /// Starts a member whose value the caller writes onto the returned buffer.
    pub(crate) fn raw_start(&mut self, key: &str) -> &mut Vec<u8> {
        self.key(key);
        self.out
    }

    /// A member with the value `null`.
    pub(crate) fn null(&mut self, key: &str) {
        self.raw(key, b"null");
    }

    /// A member without a value: written as `null`, or left out.
    pub(crate) fn missing(&mut self, key: &str, as_null: bool) {
        if as_null {
            self.null(key);
        }
    }

    /// Closes the object.
    pub(crate) fn finish(self) {
        self.out.push(b'}');
    }
}

/// The `course` aggregation: one bucket per course of the result set, most meetings first.
pub(crate) fn course_aggregation<'a>(
    courses: impl IntoIterator<Item = (Uuid, Option<&'a str>, u64)>,
) -> Aggregation {
    let mut buckets: Vec<(Uuid, Option<&str>, u64)> =
        courses.into_iter().filter(|(_, _, n)| *n > 0).collect();
    buckets.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    model!(Aggregation {
        key: Some("course".into()),
        label: Some("Course".into()),
        buckets: Some(
            buckets
                .into_iter()
                .map(|(id, title, count)| {
                    Some(model!(AggregationBucket {
                        query: Some(id.to_string()),
                        value: Some(id.to_string()),
                        label: title.map(str::to_owned),
                        description: None,
                        count: Some(count_i64(count)),
                    }))
                })
                .collect(),
        ),
    })
}

/// The `timeZone` aggregation: one bucket per time zone of the result set, most meetings first,
/// then one labelled "No time zone" (without `query`/`value`) for meetings whose `timeZone` is
/// null or absent, so that the counts add up to the total.
pub(crate) fn time_zone_aggregation<'a>(
    zones: impl IntoIterator<Item = (&'a str, u64)>,
    without: u64,
) -> Aggregation {
    let mut buckets: Vec<(&str, u64)> = zones.into_iter().filter(|(_, n)| *n > 0).collect();
    buckets.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut out: Vec<Option<AggregationBucket>> = buckets
        .into_iter()
        .map(|(zone, count)| {
            Some(model!(AggregationBucket {
                query: Some(zone.to_owned()),
                value: Some(zone.to_owned()),
                label: Some(zone.replace('_', " ")),
                description: None,
                count: Some(count_i64(count)),
            }))
        })
        .collect();
    if without > 0 {
        out.push(Some(model!(AggregationBucket {
            label: Some("No time zone".into()),
            description: Some("Meetings without a time zone".into()),
            count: Some(count_i64(without))
        })));
    }
    model!(Aggregation {
        key: Some("timeZone".into()),
        label: Some("Time zone".into()),
        buckets: Some(out),
    })
}

fn count_i64(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        assert_eq!(Window::new(1, 25, 60).start, 0);
        let last = Window::new(3, 25, 60);
        assert_eq!((last.start, last.end, last.has_more()), (50, 60, false));
        let middle = Window::new(2, 25, 60);
        assert_eq!(
            (middle.start, middle.end, middle.has_more()),
            (25, 50, true)
        );
        let past = Window::new(9, 25, 60);
        assert_eq!((past.start, past.end, past.has_more()), (60, 60, false));
        let huge = Window::new(u64::MAX, 25, 60);
        assert_eq!((huge.start, huge.end), (60, 60));
        let exact = Window::new(2, 30, 60);
        assert!(!exact.has_more());
    }

    #[test]
    fn object_writer_writes_members() {
        let mut out = Vec::new();
        let mut object = ObjectWriter::new(&mut out);
        object.value("a", &1);
        object.null("b");
        object.missing("c", false);
        object.value("d", "x");
        object.raw("e", b"[]");
        object.finish();
        assert_eq!(out, br#"{"a":1,"b":null,"d":"x","e":[]}"#);
    }
}
