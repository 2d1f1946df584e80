//! The data a mock serves: a synthetic tenant or meetings given as JSON.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use uuid::Uuid;

use crate::error::MockError;
use crate::page::{PageWriter, Window, course_aggregation, time_zone_aggregation, write_json};
use crate::synthetic::{Synthetic, SyntheticOptions};

/// The meetings a mock serves. Cheap to clone (shared).
///
/// ```
/// use thoughtindustries_mock::{SyntheticOptions, Tenant};
///
/// let tenant = Tenant::synthetic(SyntheticOptions { seed: 7, courses: 3, meetings: 40 });
/// let body = tenant.page_body(2, 25, None);
/// let page: thoughtindustries_models::MeetingsResponse = serde_json::from_slice(&body)?;
/// assert_eq!(page.data.meetings.meetings.unwrap().len(), 15);
/// assert_eq!(body, tenant.page_body(2, 25, None)); // deterministic
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
pub struct Tenant(Arc<Data>);

enum Data {
    Synthetic(Synthetic),
    Recorded(Recorded),
}

/// Meetings given by the user, served as given.
struct Recorded {
    meetings: Vec<Value>,
    /// `data.Meetings.aggregations` of a full response body, served verbatim when present.
    aggregations: Option<Value>,
}

impl std::fmt::Debug for Tenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &*self.0 {
            Data::Synthetic(_) => "synthetic",
            Data::Recorded(_) => "recorded",
        };
        f.debug_struct("Tenant")
            .field("kind", &kind)
            .field("meetings", &self.len())
            .finish()
    }
}

impl Default for Tenant {
    /// The synthetic tenant of [`SyntheticOptions::default`].
    fn default() -> Self {
        Self::synthetic(SyntheticOptions::default())
    }
}

impl Tenant {
    /// A deterministic synthetic tenant: the same options give byte-identical pages.
    ///
    /// Courses, a pool of users and the venues are generated up front; meetings are generated
    /// when a page is rendered, so memory stays small for 100,000 meetings and more.
    pub fn synthetic(options: SyntheticOptions) -> Self {
        Self(Arc::new(Data::Synthetic(Synthetic::new(options))))
    }

    /// Meetings read from a JSON file: an array of meeting objects or a full response body
    /// (see [`Tenant::from_json`]).
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<Self, MockError> {
        let path = path.as_ref();
        let text = std::fs::read(path).map_err(|source| MockError::ReadTenant {
            path: path.to_owned(),
            source,
        })?;
        let value: Value = serde_json::from_slice(&text)
            .map_err(|e| MockError::TenantJson(format!("{}: {e}", path.display())))?;
        Self::from_json(value)
    }

    /// Meetings from a JSON value: an array of meetings, or a full response body
    /// (`{"data": {"Meetings": {"meetings": [...], ...}}}`).
    ///
    /// Records are served exactly as given (they may be deliberately odd); `courseId` filtering
    /// matches a record's `courseId` string. Aggregations are computed from the records, except
    /// that a full body's `aggregations` member, when present, is served verbatim.
    pub fn from_json(value: Value) -> Result<Self, MockError> {
        match value {
            Value::Array(meetings) => Ok(Self::from_meetings(meetings)),
            Value::Object(mut body) => {
                let mut page = match body.remove("data").and_then(|mut data| {
                    data.as_object_mut()
                        .and_then(|data| data.remove("Meetings"))
                }) {
                    Some(Value::Object(page)) => page,
                    _ => {
                        return Err(MockError::TenantJson(
                            "an object must be a response body with data.Meetings".into(),
                        ));
                    }
                };
                let meetings = match page.remove("meetings") {
                    Some(Value::Array(meetings)) => meetings,
                    None | Some(Value::Null) => Vec::new(),
                    Some(_) => {
                        return Err(MockError::TenantJson(
                            "data.Meetings.meetings must be an array".into(),
                        ));
                    }
                };
                Ok(Self(Arc::new(Data::Recorded(Recorded {
                    meetings,
                    aggregations: page.remove("aggregations"),
                }))))
            }
            _ => Err(MockError::TenantJson(
                "expected an array of meetings or a response body".into(),
            )),
        }
    }

    /// Meetings given as JSON values, served as given, with computed aggregations.
    pub fn from_meetings(meetings: Vec<Value>) -> Self {
        Self(Arc::new(Data::Recorded(Recorded {
            meetings,
            aggregations: None,
        })))
    }

    /// Number of meetings.
    pub fn len(&self) -> usize {
        match &*self.0 {
            Data::Synthetic(tenant) => tenant.len(),
            Data::Recorded(tenant) => tenant.meetings.len(),
        }
    }

    /// Whether the tenant has no meetings.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of meetings a request with this `courseId` filter selects.
    pub fn total(&self, course_id: Option<Uuid>) -> usize {
        match &*self.0 {
            Data::Synthetic(tenant) => tenant.total(course_id),
            Data::Recorded(tenant) => tenant.select(course_id).len(),
        }
    }

    /// Ids of the tenant's courses: in generation order for a synthetic tenant (some may have
    /// no meetings), in order of first appearance for given meetings.
    pub fn course_ids(&self) -> Vec<Uuid> {
        match &*self.0 {
            Data::Synthetic(tenant) => tenant.course_ids(),
            Data::Recorded(tenant) => {
                let mut ids: Vec<Uuid> = Vec::new();
                for id in tenant.meetings.iter().filter_map(course_id_of) {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                ids
            }
        }
    }

    /// The ids of the meetings a `courseId` filter selects, in the order the pages serve them:
    /// what a client listing every page must deliver, each exactly once. It renders the pages,
    /// so it is meant for tests of tenants that fit in memory.
    pub fn meeting_ids(&self, course_id: Option<Uuid>) -> Vec<String> {
        self.all_meetings(course_id)
            .iter()
            .filter_map(|m| m["id"].as_str().map(str::to_owned))
            .collect()
    }

    /// The body of `GET /incoming/v2/meetings?page={page}&courseId={course_id}` with
    /// `per_page` meetings per page, as JSON bytes.
    ///
    /// `page` is 1-based (0 is read as 1); a page past the end has no meetings and
    /// `hasMore: false`.
    pub fn page_body(&self, page: u64, per_page: usize, course_id: Option<Uuid>) -> Vec<u8> {
        self.render(page, per_page, course_id, false)
    }

    /// The meetings a `courseId` filter selects, as JSON, in page order (renders every page: for
    /// tenants that fit in memory).
    pub(crate) fn all_meetings(&self, course_id: Option<Uuid>) -> Vec<Value> {
        const PER_PAGE: usize = 1_000;
        let pages = self.total(course_id).div_ceil(PER_PAGE) as u64;
        (1..=pages)
            .flat_map(|page| {
                let mut body: Value =
                    serde_json::from_slice(&self.page_body(page, PER_PAGE, course_id))
                        .unwrap_or(Value::Null);
                match body["data"]["Meetings"]["meetings"].take() {
                    Value::Array(meetings) => meetings,
                    _ => Vec::new(),
                }
            })
            .collect()
    }

    /// Meetings served by the detail and the writes but not in the listing: a synthetic tenant's
    /// sample meeting ([`crate::SAMPLE_MEETING_ID`]); none for given meetings.
    pub(crate) fn unlisted_meetings(&self) -> Vec<Value> {
        match &*self.0 {
            Data::Synthetic(tenant) => tenant.sample_meeting().into_iter().collect(),
            Data::Recorded(_) => Vec::new(),
        }
    }

    /// The synthetic tenant's pool of users (attendees are drawn from it); none for given meetings.
    pub(crate) fn pool_users(&self) -> Vec<Value> {
        match &*self.0 {
            Data::Synthetic(tenant) => tenant.users(),
            Data::Recorded(_) => Vec::new(),
        }
    }

    /// [`Tenant::page_body`], optionally claiming `hasMore: true` whatever the page.
    pub(crate) fn render(
        &self,
        page: u64,
        per_page: usize,
        course_id: Option<Uuid>,
        force_has_more: bool,
    ) -> Vec<u8> {
        match &*self.0 {
            Data::Synthetic(tenant) => tenant.page(page, per_page, course_id, force_has_more),
            Data::Recorded(tenant) => tenant.page(page, per_page, course_id, force_has_more),
        }
    }
}

/// The `courseId` of a record, when it is a UUID string.
fn course_id_of(record: &Value) -> Option<Uuid> {
    record
        .get("courseId")
        .and_then(Value::as_str)
        .and_then(|id| Uuid::parse_str(id).ok())
}

impl Recorded {
    fn select(&self, course_id: Option<Uuid>) -> Vec<&Value> {
        self.meetings
            .iter()
            .filter(|record| course_id.is_none() || course_id_of(record) == course_id)
            .collect()
    }

    fn page(
        &self,
        page: u64,
        per_page: usize,
        course_id: Option<Uuid>,
        force_has_more: bool,
    ) -> Vec<u8> {
        let selected = self.select(course_id);
        let window = Window::new(page, per_page, selected.len());
        let has_more = force_has_more || window.has_more();
        let mut writer = match &self.aggregations {
            Some(given) => PageWriter::begin(&window, has_more, given, 4_096),
            None => PageWriter::begin(&window, has_more, &aggregations(&selected), 4_096),
        };
        for record in &selected[window.start..window.end] {
            write_json(writer.next_meeting(), record);
        }
        writer.finish()
    }
}

/// Course and time-zone aggregations of the selected records.
fn aggregations(selected: &[&Value]) -> Vec<thoughtindustries_models::Aggregation> {
    let mut courses: BTreeMap<Uuid, (Option<&str>, u64)> = BTreeMap::new();
    let mut zones: BTreeMap<&str, u64> = BTreeMap::new();
    let mut without_zone = 0;
    for record in selected {
        if let Some(id) = course_id_of(record) {
            let title = record.pointer("/course/title").and_then(Value::as_str);
            let entry = courses.entry(id).or_insert((title, 0));
            entry.0 = entry.0.or(title);
            entry.1 += 1;
        }
        match record.get("timeZone").and_then(Value::as_str) {
            Some(zone) => *zones.entry(zone).or_insert(0) += 1,
            None => without_zone += 1,
        }
    }
    vec![
        course_aggregation(
            courses
                .into_iter()
                .map(|(id, (title, count))| (id, title, count)),
        ),
        time_zone_aggregation(zones, without_zone),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(id: u8, course: &str, zone: Option<&str>) -> Value {
        json!({
            "id": format!("00000000-0000-4000-8000-0000000000{id:02}"),
            "courseId": course,
            "course": {"id": course, "slug": "c", "title": format!("Course {course}")},
            "startDate": "2024-05-01T09:00:00Z",
            "endDate": "2024-05-01T10:00:00Z",
            "timeZone": zone,
        })
    }

    const A: &str = "11111111-1111-4111-8111-111111111111";
    const B: &str = "22222222-2222-4222-8222-222222222222";

    #[test]
    fn recorded_pages_filter_and_count() {
        let tenant = Tenant::from_meetings(vec![
            record(1, A, Some("Europe/Berlin")),
            record(2, B, None),
            record(3, A, Some("Europe/Berlin")),
            json!({"odd": true}),
        ]);
        assert_eq!(tenant.len(), 4);
        assert_eq!(tenant.course_ids().len(), 2);
        let a = Uuid::parse_str(A).ok();
        assert_eq!(tenant.total(a), 2);
        let body: Value = serde_json::from_slice(&tenant.page_body(1, 1, a)).expect("JSON");
        let page = &body["data"]["Meetings"];
        assert_eq!(page["pageInfo"]["total"], 2);
        assert_eq!(page["pageInfo"]["hasMore"], true);
        assert_eq!(page["aggregations"][0]["buckets"][0]["count"], 2);
        assert_eq!(page["aggregations"][1]["buckets"][0]["count"], 2);
        let all: Value = serde_json::from_slice(&tenant.page_body(1, 10, None)).expect("JSON");
        assert_eq!(all["data"]["Meetings"]["meetings"][3], json!({"odd": true}));
    }

    #[test]
    fn full_bodies_keep_their_aggregations() {
        let tenant = Tenant::from_json(json!({"data": {"Meetings": {
            "aggregations": [{"key": "x", "buckets": [null]}],
            "meetings": [record(1, A, None)],
        }}}))
        .expect("a response body");
        let body: Value = serde_json::from_slice(&tenant.page_body(1, 25, None)).expect("JSON");
        assert_eq!(
            body["data"]["Meetings"]["aggregations"],
            json!([{"key": "x", "buckets": [null]}])
        );
        assert!(Tenant::from_json(json!({"data": {}})).is_err());
        assert!(Tenant::from_json(json!(3)).is_err());
    }
}
