//! The mock conforms to the spec: every response it produces validates against
//! `openapi/meetings.yaml` (the contract crate's jsonschema validation), with no violation and no
//! unknown enum value, for several tenants, page sizes, filters and error statuses.

use thoughtindustries_contract::Spec;
use thoughtindustries_mock::{DEMO_TOKEN, MockConfig, MockServer, SyntheticOptions, Tenant};

fn assert_conforms(status: u16, body: &[u8], what: &str) {
    assert_operation_conforms("list_meetings", status, body, what);
}

fn assert_operation_conforms(operation: &str, status: u16, body: &[u8], what: &str) {
    let report = Spec::embedded()
        .validate_response_bytes(operation, status, body)
        .unwrap();
    assert!(
        report.findings.is_empty(),
        "{what}: the mock's response does not match the spec:\n{report}"
    );
}

#[test]
fn every_page_of_several_synthetic_tenants_conforms() {
    for (seed, courses, meetings, per_page) in [(1, 8, 120, 25), (2, 3, 57, 10), (99, 20, 400, 100)]
    {
        let tenant = Tenant::synthetic(SyntheticOptions {
            seed,
            courses,
            meetings,
        });
        let pages = meetings.div_ceil(per_page) as u64 + 1; // one past the end too
        for page in 1..=pages {
            let body = tenant.page_body(page, per_page, None);
            assert_conforms(200, &body, &format!("seed {seed} page {page}"));
        }
        for course in tenant.course_ids() {
            let body = tenant.page_body(1, per_page, Some(course));
            assert_conforms(200, &body, &format!("seed {seed} course {course}"));
        }
    }
}

/// A plain reqwest client (plain HTTP to the mock on 127.0.0.1).
fn http() -> reqwest::Client {
    reqwest::Client::new()
}

#[tokio::test]
async fn served_responses_conform_including_errors() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let http = http();
    let url = server.meetings_url();
    for (query, token, status) in [
        ("?page=2", Some(DEMO_TOKEN), 200),
        ("?page=99", Some(DEMO_TOKEN), 200),
        ("", None, 401),
        ("", Some("wrong"), 401),
        ("?page=0", Some(DEMO_TOKEN), 400),
        ("?page=abc", Some(DEMO_TOKEN), 400),
        ("?courseId=nope", Some(DEMO_TOKEN), 400),
    ] {
        let mut request = http.get(format!("{url}{query}"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{query}");
        let body = response.bytes().await.unwrap();
        assert_conforms(status, &body, query);
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn detail_and_attendance_responses_conform_including_errors() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let http = http();
    let base = server.base_url();
    let first: serde_json::Value = http
        .get(server.meetings_url())
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let meeting = first["data"]["Meetings"]["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["attendees"].as_array().is_some_and(|a| !a.is_empty()))
        .unwrap();
    let (id, user) = (
        meeting["id"].as_str().unwrap(),
        meeting["attendees"][0]["id"].as_str().unwrap(),
    );
    let unknown = "00000000-0000-4000-8000-000000000009";
    let update = |user: &str| format!("{base}/incoming/v2/users/{user}/updateMeetingAttendance");
    let bulk = format!("{base}/incoming/v2/users/bulkUpdateMeetingAttendance");
    let cases = [
        ("get_meeting", http.get(format!("{base}/incoming/v2/meetings/{id}")), 200),
        ("get_meeting", http.get(format!("{base}/incoming/v2/meetings/{unknown}")), 404),
        (
            "get_meeting",
            http.get(format!("{base}/incoming/v2/meetings/{}", thoughtindustries_mock::SAMPLE_MEETING_ID)),
            200,
        ),
        ("get_meeting", http.get(format!("{base}/incoming/v2/meetings/nope")), 400),
        (
            "update_meeting_attendance",
            http.post(update(user)).json(&serde_json::json!({"userId": user, "meetingId": id, "attended": true})),
            200,
        ),
        (
            "update_meeting_attendance",
            http.post(update(unknown)).json(&serde_json::json!({"userId": unknown, "meetingId": id, "attended": true})),
            404,
        ),
        ("update_meeting_attendance", http.post(update(user)).json(&serde_json::json!({"userId": user})), 400),
        (
            "bulk_update_meeting_attendance",
            http.post(&bulk).json(&serde_json::json!({"users": [{"id": user}, {"id": unknown}], "meetingId": id, "attended": false})),
            200,
        ),
        (
            "bulk_update_meeting_attendance",
            http.post(&bulk).json(&serde_json::json!({"users": [], "meetingId": unknown, "attended": false})),
            404,
        ),
    ];
    for (operation, request, status) in cases {
        let response = request.bearer_auth(DEMO_TOKEN).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{operation} {status}");
        let body = response.bytes().await.unwrap();
        assert_operation_conforms(operation, status, &body, &format!("{operation} {status}"));
    }
    // The detail shows the attendance recorded above.
    let detail = http
        .get(format!("{base}/incoming/v2/meetings/{id}"))
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_operation_conforms("get_meeting", 200, &detail, "detail after writes");
    server.shutdown().await.unwrap();
}
