//! The SDK sends each operation to the path, method and query parameters the spec gives it, read
//! here from `openapi/meetings.yaml` itself: nothing of the wire is written down twice. `cargo
//! xtask follows-spec` runs this test on a copy of the workspace whose spec renames every path
//! and adds a query parameter, which proves that the client follows a spec edit at build time.

mod common;

use std::collections::BTreeSet;

use common::client;
use serde_json::{Value, json};
use thoughtindustries::Attendance;
use uuid::Uuid;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const MEETING: &str = "0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11";
const USER: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const COURSE: &str = "5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f";

/// One operation as the spec describes it.
#[derive(Debug)]
struct Operation {
    method: String,
    path: String,
    query: BTreeSet<String>,
}

fn operation(id: &str) -> Operation {
    let spec: Value = serde_norway::from_str(thoughtindustries_spec::OPENAPI_YAML).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("operationId").and_then(Value::as_str) == Some(id) {
                let query = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| match p.get("$ref").and_then(Value::as_str) {
                        Some(r) => spec.pointer(&r[1..]).unwrap().clone(),
                        None => p.clone(),
                    })
                    .filter(|p| p["in"] == "query")
                    .map(|p| p["name"].as_str().unwrap().to_owned())
                    .collect();
                return Operation {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    query,
                };
            }
        }
    }
    panic!("the spec has no operation {id}");
}

/// Answers every request with `body`.
struct Answer(Value);

impl Respond for Answer {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(self.0.clone())
    }
}

async fn server(body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(Answer(body))
        .mount(&server)
        .await;
    server
}

/// The one request the server received, checked against the spec's operation `id` whose path
/// parameter is `value`.
async fn assert_sent_as_specified(server: &MockServer, id: &str, value: &str) -> Request {
    let spec = operation(id);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "{id}: {requests:?}");
    let request = requests.into_iter().next().unwrap();
    let expected = substitute(&spec.path, value);
    assert_eq!(request.method.as_str(), spec.method, "{id}");
    assert_eq!(request.url.path(), expected, "{id}");
    for (name, _) in request.url.query_pairs() {
        assert!(
            spec.query.contains(name.as_ref()),
            "{id}: query parameter {name} is not in the spec ({:?})",
            spec.query
        );
    }
    request
}

/// `template` with its one `{...}` parameter (if any) replaced by `value`.
fn substitute(template: &str, value: &str) -> String {
    match (template.find('{'), template.find('}')) {
        (Some(open), Some(close)) => {
            format!("{}{value}{}", &template[..open], &template[close + 1..])
        }
        _ => template.to_owned(),
    }
}

#[tokio::test]
async fn list_meetings_is_sent_as_the_spec_says() {
    let server =
        server(json!({"data": {"Meetings": {"meetings": [], "pageInfo": {"hasMore": false}}}}))
            .await;
    client(&server.uri())
        .list_meetings()
        .course_id(COURSE.parse().unwrap())
        .page(2)
        .send()
        .await
        .unwrap();
    let request = assert_sent_as_specified(&server, "list_meetings", "").await;
    let query: BTreeSet<String> = request
        .url
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    assert_eq!(query.len(), 2, "page and course sent: {query:?}");
}

#[tokio::test]
async fn get_meeting_is_sent_as_the_spec_says() {
    let server = server(json!({"data": {"MeetingById": null}})).await;
    let found = client(&server.uri())
        .get_meeting(MEETING.parse().unwrap())
        .await
        .unwrap();
    assert!(found.is_none());
    assert_sent_as_specified(&server, "get_meeting", MEETING).await;
}

#[tokio::test]
async fn update_meeting_attendance_is_sent_as_the_spec_says() {
    let server = server(json!({"id": USER})).await;
    client(&server.uri())
        .update_meeting_attendance(
            MEETING.parse().unwrap(),
            USER.parse().unwrap(),
            Attendance::Attended,
        )
        .send()
        .await
        .unwrap();
    assert_sent_as_specified(&server, "update_meeting_attendance", USER).await;
}

#[tokio::test]
async fn bulk_update_meeting_attendance_is_sent_as_the_spec_says() {
    let server = server(json!({"data": {"APIBulkUpdateMeetingAttendance": {"updatedRecordCount": 1, "errors": []}}})).await;
    let users: Vec<Uuid> = vec![USER.parse().unwrap()];
    client(&server.uri())
        .bulk_update_meeting_attendance(MEETING.parse().unwrap(), Attendance::Absent, users)
        .send()
        .await
        .unwrap();
    assert_sent_as_specified(&server, "bulk_update_meeting_attendance", "").await;
}
