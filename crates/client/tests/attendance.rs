//! `get_meeting`, `update_meeting_attendance` and `bulk_update_meeting_attendance` against
//! wiremock: requests, not-found, per-user errors, chunking, and the write retry rule.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use thoughtindustries::{Attendance, ChunkFailure, Error, RetryConfig, TransportKind, UserOutcome};
use uuid::Uuid;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const BULK: &str = "/incoming/v2/users/bulkUpdateMeetingAttendance";
const MEETING: &str = "0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11";
const USER: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const COURSE: &str = "5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f";

fn id(s: &str) -> Uuid {
    Uuid::parse_str(s).unwrap()
}

fn user_id(n: u64) -> Uuid {
    id(&format!("00000000-0000-4000-8000-{n:012}"))
}

fn update_path() -> String {
    format!("/incoming/v2/users/{USER}/updateMeetingAttendance")
}

fn user_body() -> Value {
    json!({"id": USER, "email": "ada@example.com", "firstName": "Ada", "disabled": false,
           "attendedMeetings": [{"attendanceDate": "2024-05-01T10:00:00Z", "meeting": {"id": MEETING}}]})
}

/// A server with one mock `status` for any request, mounted `expect` times.
async fn answering(template: ResponseTemplate, expect: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(template)
        .expect(expect)
        .mount(&server)
        .await;
    server
}

async fn update(base: &str) -> Result<thoughtindustries::User, Error> {
    client(base)
        .update_meeting_attendance(id(MEETING), id(USER), Attendance::Attended)
        .send()
        .await
}

// ---- get_meeting ----

#[tokio::test]
async fn get_meeting_sends_the_id_and_decodes_the_meeting() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/incoming/v2/meetings/{MEETING}")))
        .and(header("authorization", format!("Bearer {KEY}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"MeetingById": {
            "id": MEETING, "courseId": COURSE, "title": "Kick-off",
            "course": {"id": COURSE, "slug": "intro", "sampleLesson": {"accessLevel": "studentsOnly",
                       "topics": [null], "section": {"...": "..."}},
                       "sections": [{"status": "draft", "releaseAt": "2024-01-01T00:00:00.000Z"}]},
            "startDate": "2024-05-01T09:00:00Z", "endDate": "2024-05-01T10:00:00Z",
            "attendees": [user_body()]
        }}})))
        .expect(1)
        .mount(&server)
        .await;
    let meeting = client(&server.uri())
        .get_meeting(id(MEETING))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(meeting.title.as_deref(), Some("Kick-off"));
    let lesson = meeting.course.sample_lesson.unwrap();
    assert_eq!(
        lesson.access_level,
        Some(thoughtindustries::LessonAccessLevel::StudentsOnly)
    );
    assert_eq!(lesson.topics, Some(vec![Value::Null]));
    assert_eq!(
        meeting.course.sections.unwrap()[0].status,
        Some(thoughtindustries::SectionStatus::Draft)
    );
    assert_eq!(meeting.attendees.unwrap().len(), 1);
}

#[tokio::test]
async fn get_meeting_not_found_is_none_for_404_and_null() {
    let server = answering(
        ResponseTemplate::new(404).set_body_json(json!({"error": "not_found"})),
        1,
    )
    .await;
    assert!(
        client(&server.uri())
            .get_meeting(id(MEETING))
            .await
            .unwrap()
            .is_none()
    );

    let server = answering(
        ResponseTemplate::new(200).set_body_json(json!({"data": {"MeetingById": null}})),
        1,
    )
    .await;
    assert!(
        client(&server.uri())
            .get_meeting(id(MEETING))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn get_meeting_errors_name_status_and_path() {
    let server = answering(ResponseTemplate::new(401), 1).await;
    let error = client(&server.uri())
        .get_meeting(id(MEETING))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));

    let body = json!({"data": {"MeetingById": {"id": MEETING, "courseId": COURSE,
        "course": {"id": COURSE}, "startDate": "yesterday", "endDate": "2024-05-01T10:00:00Z"}}});
    let server = answering(ResponseTemplate::new(200).set_body_json(body), 1).await;
    let error = client(&server.uri())
        .get_meeting(id(MEETING))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Response(_)), "{error:?}");
    assert_eq!(error.json_path(), Some("data.MeetingById.startDate"));
}

// ---- update_meeting_attendance ----

#[tokio::test]
async fn update_sends_the_body_and_returns_the_bare_user() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(update_path()))
        .and(header("authorization", format!("Bearer {KEY}")))
        .and(body_json(
            json!({"userId": USER, "meetingId": MEETING, "courseId": COURSE, "attended": false}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(user_body()))
        .expect(1)
        .mount(&server)
        .await;
    let user = client(&server.uri())
        .update_meeting_attendance(id(MEETING), id(USER), Attendance::Absent)
        .course(id(COURSE))
        .send()
        .await
        .unwrap();
    assert_eq!(user.id, Some(id(USER)));
    assert_eq!(user.email.as_deref(), Some("ada@example.com"));
    let sent = &server.received_requests().await.unwrap()[0];
    assert!(
        !sent.headers.contains_key("api-version"),
        "progenitor's api-version header is not the vendor's: {:?}",
        sent.headers
    );
}

#[tokio::test]
async fn update_raw_returns_the_bytes_as_sent_and_classifies_failures_like_send() {
    let text = format!(
        r#"{{ "id": "{USER}", "email": "ada@example.com", "balance": 0, "newField": {{"x": [1, 2.50]}},
  "updatedAt": "2024-05-01T12:00:00.000+02:00" }}"#
    );
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(update_path()))
        .and(body_json(
            json!({"userId": USER, "meetingId": MEETING, "attended": true}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(text.clone(), "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let updated = client(&server.uri())
        .update_meeting_attendance(id(MEETING), id(USER), Attendance::Attended)
        .send_raw()
        .await
        .unwrap();
    assert_eq!(updated.raw.get(), text.trim());
    assert_eq!(updated.user.email.as_deref(), Some("ada@example.com"));

    let raw = |base: String| async move {
        client(&base)
            .update_meeting_attendance(id(MEETING), id(USER), Attendance::Attended)
            .send_raw()
            .await
    };
    let server = answering(ResponseTemplate::new(500), 1).await;
    let error = raw(server.uri()).await.unwrap_err();
    assert!(
        matches!(&error, Error::UnknownOutcome(o) if o.users == vec![id(USER)]),
        "{error:?}"
    );
    let server = answering(ResponseTemplate::new(404), 1).await;
    let error = raw(server.uri()).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404), "{error:?}");
    let server = answering(
        ResponseTemplate::new(200).set_body_json(json!({"id": "not-a-uuid"})),
        1,
    )
    .await;
    let error = raw(server.uri()).await.unwrap_err();
    assert!(
        matches!(&error, Error::Response(r) if r.path == "id"),
        "{error:?}"
    );
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(Sequence {
            statuses: vec![503, 429],
            calls: AtomicUsize::new(0),
        })
        .expect(3)
        .mount(&server)
        .await;
    raw(server.uri()).await.unwrap();
}

#[tokio::test]
async fn update_rejections_are_status_errors_and_not_retried() {
    for status in [400, 404, 409, 422] {
        let server = answering(
            ResponseTemplate::new(status).set_body_json(json!({"error": "nope"})),
            1,
        )
        .await;
        let error = update(&server.uri()).await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(error.is_not_found(), status == 404);
        assert!(!error.is_retryable() && !error.is_rate_limited());
        assert_eq!(error.retry_after(), None);
        assert_eq!(
            error.users_to_resend().count(),
            0,
            "a rejection names no one"
        );
    }
}

/// Answers with the given statuses in turn, then 200 with the user.
struct Sequence {
    statuses: Vec<u16>,
    calls: AtomicUsize,
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        match self.statuses.get(n) {
            Some(429) => ResponseTemplate::new(429).insert_header("retry-after", "0"),
            Some(&status) => ResponseTemplate::new(status),
            None => ResponseTemplate::new(200).set_body_json(user_body()),
        }
    }
}

#[tokio::test]
async fn update_retries_429_and_503_only() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(Sequence {
            statuses: vec![429, 503],
            calls: AtomicUsize::new(0),
        })
        .expect(3)
        .mount(&server)
        .await;
    update(&server.uri()).await.unwrap();
}

#[tokio::test]
async fn update_server_errors_are_unknown_outcomes_not_retried() {
    for status in [500, 502, 504] {
        let server = answering(ResponseTemplate::new(status), 1).await;
        let error = update(&server.uri()).await.unwrap_err();
        let Error::UnknownOutcome(outcome) = &error else {
            panic!("{status}: {error:?}")
        };
        assert_eq!(outcome.users, vec![id(USER)]);
        assert_eq!(outcome.meeting, id(MEETING));
        assert_eq!(outcome.status.map(|s| s.as_u16()), Some(status));
        assert!(error.to_string().contains("outcome unknown"), "{error}");
        assert!(error.is_retryable() && !error.is_not_found());
        assert_eq!(error.users_to_resend().collect::<Vec<_>>(), [id(USER)]);
    }
}

#[tokio::test]
async fn update_timeout_after_sending_is_an_unknown_outcome_sent_once() {
    let server = answering(
        ResponseTemplate::new(200)
            .set_body_json(user_body())
            .set_delay(Duration::from_secs(5)),
        1,
    )
    .await;
    let error = builder(&server.uri())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap()
        .update_meeting_attendance(id(MEETING), id(USER), Attendance::Attended)
        .send()
        .await
        .unwrap_err();
    let Error::UnknownOutcome(outcome) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(outcome.users, vec![id(USER)]);
}

#[tokio::test]
async fn update_body_cut_short_is_an_unknown_outcome_sent_once() {
    let body = serde_json::to_vec(&user_body()).unwrap();
    // The server answered (so it has processed the write), but the body stops after ten bytes.
    let mut cut = raw_ok(&body);
    cut.truncate(cut.len() - body.len() + 10);
    let (base, connections) = raw_server(vec![cut, raw_ok(&body)]);
    let error = update(&base).await.unwrap_err();
    let Error::UnknownOutcome(outcome) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(outcome.users, vec![id(USER)]);
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

/// Collects what the `tracing` events of this thread write (at debug level), for counting the
/// attempts the transport logs.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn update_connection_refused_is_retried_and_reported_as_not_sent() {
    // Bound but never listening: connections are refused, and no other test's server can take
    // the port meanwhile.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let base = format!("http://{}", socket.local_addr().unwrap());
    let logs = Captured::default();
    let _guard = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_writer(logs.clone())
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .finish(),
    );
    let error = builder(&base)
        .retry(
            RetryConfig::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap()
        .update_meeting_attendance(id(MEETING), id(USER), Attendance::Attended)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{error:?}"
    );
    // Nothing was sent, so the write was retried: every attempt failed to connect.
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let attempts = logs.matches("request failed").count();
    assert_eq!(attempts, 3, "{logs}");
}

// ---- bulk_update_meeting_attendance ----

/// A bulk update of users 1..=`users` with the default settings.
async fn bulk_of(base: &str, users: u64) -> Result<thoughtindustries::BulkAttendanceResult, Error> {
    client(base)
        .bulk_update_meeting_attendance(id(MEETING), Attendance::Attended, (1..=users).map(user_id))
        .send()
        .await
}

/// Answers a bulk request: users whose number is divisible by 7 fail; records the chunk sizes.
#[derive(Clone, Default)]
struct Bulk {
    sizes: Arc<std::sync::Mutex<Vec<usize>>>,
}

impl Respond for Bulk {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["meetingId"], MEETING);
        assert_eq!(body["attended"], true);
        let users: Vec<Uuid> = body["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| id(u["id"].as_str().unwrap()))
            .collect();
        self.sizes.lock().unwrap().push(users.len());
        let errors: Vec<Value> = users
            .iter()
            .filter(|u| number(u).is_multiple_of(7))
            .map(|u| json!({"id": u, "error": "user not found"}))
            .collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({"data": {"APIBulkUpdateMeetingAttendance": {
            "updatedRecordCount": users.len() - errors.len(), "errors": errors}}}))
    }
}

#[tokio::test]
async fn bulk_splits_into_chunks_and_merges_per_user_errors() {
    let server = MockServer::start().await;
    let bulk = Bulk::default();
    Mock::given(method("POST"))
        .and(path(BULK))
        .respond_with(bulk.clone())
        .expect(3)
        .mount(&server)
        .await;
    let mut users: Vec<Uuid> = (1..=250).map(user_id).collect();
    users.push(user_id(1)); // repeated: sent once
    let progress = Arc::new(AtomicUsize::new(0));
    let seen = progress.clone();
    let result = client(&server.uri())
        .bulk_update_meeting_attendance(id(MEETING), Attendance::Attended, users)
        .on_progress(move |done| {
            seen.fetch_max(done, Ordering::SeqCst);
        })
        .send()
        .await
        .unwrap();
    let mut sizes = bulk.sizes.lock().unwrap().clone();
    sizes.sort_unstable();
    assert_eq!(sizes, vec![50, 100, 100]);
    assert_eq!(result.users, 250);
    assert_eq!(result.requests, 3);
    assert_eq!(result.errors.len(), 35);
    assert_eq!(result.updated_record_count, 215);
    assert_eq!(progress.load(Ordering::SeqCst), 250);
    // Every submitted user has one outcome, in the order given; the repeat is said.
    let failed: Vec<(Uuid, &str)> = result.failed().collect();
    assert_eq!(
        failed,
        (1..=250)
            .filter(|n| n % 7 == 0)
            .map(|n| (user_id(n), "user not found"))
            .collect::<Vec<_>>()
    );
    let succeeded: Vec<Uuid> = result.succeeded().collect();
    assert_eq!(
        succeeded,
        (1..=250)
            .filter(|n| n % 7 != 0)
            .map(user_id)
            .collect::<Vec<_>>()
    );
    assert_eq!(result.duplicates(), [user_id(1)]);
}

#[tokio::test]
async fn bulk_failed_rows_without_a_reason_say_so() {
    let server = answering(
        ResponseTemplate::new(200)
            .set_body_json(json!({"data": {"APIBulkUpdateMeetingAttendance": {
            "updatedRecordCount": 1, "errors": [{"id": user_id(2)}, {"error": "no id"}]}}})),
        1,
    )
    .await;
    let result = bulk_of(&server.uri(), 2).await.unwrap();
    assert_eq!(result.succeeded().collect::<Vec<_>>(), [user_id(1)]);
    assert_eq!(
        result.failed().collect::<Vec<_>>(),
        [(user_id(2), "no reason given")]
    );
    assert_eq!(result.errors.len(), 2, "the API's rows are kept as sent");
    assert!(result.duplicates().is_empty());
}

#[tokio::test]
async fn bulk_chunk_size_is_configurable() {
    let server = MockServer::start().await;
    let bulk = Bulk::default();
    Mock::given(path(BULK))
        .respond_with(bulk.clone())
        .expect(5)
        .mount(&server)
        .await;
    let result = client(&server.uri())
        .bulk_update_meeting_attendance(id(MEETING), Attendance::Attended, (1..=10).map(user_id))
        .chunk_size(2)
        .send()
        .await
        .unwrap();
    assert_eq!(result.requests, 5);
}

/// Fails the request carrying user 150 with `status`; answers the others like [`Bulk`].
struct FailOne(u16, Bulk);

impl Respond for FailOne {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        if body["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["id"] == user_id(150).to_string())
        {
            return ResponseTemplate::new(self.0);
        }
        self.1.respond(request)
    }
}

#[tokio::test]
async fn a_partly_applied_bulk_update_is_a_value_with_every_users_outcome() {
    let server = MockServer::start().await;
    Mock::given(path(BULK))
        .respond_with(FailOne(502, Bulk::default()))
        .expect(3)
        .mount(&server)
        .await;
    let result = bulk_of(&server.uri(), 250).await.unwrap();
    assert!(!result.is_complete());
    assert_eq!(result.requests, 2);
    assert_eq!(result.failed_requests.len(), 1);
    assert_eq!(result.failed_requests[0].index, 1);
    assert!(matches!(
        result.failed_requests[0].failure,
        ChunkFailure::OutcomeUnknown(_)
    ));
    let unknown: Vec<Uuid> = result.unknown().collect();
    assert_eq!(unknown, (101..=200).map(user_id).collect::<Vec<_>>());
    assert_eq!(result.not_applied().count(), 0);
    assert_eq!(result.users_to_resend().collect::<Vec<_>>(), unknown);
    let succeeded: Vec<Uuid> = result.succeeded().collect();
    // The requests of users 1..=100 and 201..=250 succeeded; multiples of 7 failed in them.
    assert_eq!(succeeded.len(), 150 - 21);
    assert!(succeeded.iter().all(|u| !unknown.contains(u)));
    assert_eq!(result.failed().count(), 21);
    // Every user given, once, in order, with its outcome.
    let outcomes: Vec<(Uuid, UserOutcome<'_>)> = result.outcomes().collect();
    assert_eq!(
        outcomes.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
        (1..=250).map(user_id).collect::<Vec<_>>()
    );
    let UserOutcome::Unknown(why) = outcomes[149].1 else {
        panic!("{:?}", outcomes[149])
    };
    assert!(why.to_string().contains("outcome unknown"), "{why}");
    assert!(matches!(outcomes[6].1, UserOutcome::Failed(_)));
    assert!(matches!(outcomes[0].1, UserOutcome::Recorded));
}

#[tokio::test]
async fn a_bulk_update_none_of_whose_requests_succeeded_is_an_error() {
    // Every request's outcome unknown: one `UnknownOutcome` naming every user.
    let server = answering(ResponseTemplate::new(502), 3).await;
    let error = bulk_of(&server.uri(), 250).await.unwrap_err();
    assert!(matches!(error, Error::UnknownOutcome(_)), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(
        error.users_to_resend().collect::<Vec<_>>(),
        (1..=250).map(user_id).collect::<Vec<_>>()
    );
    assert!(
        error.to_string().contains("none of the 3 requests"),
        "{error}"
    );
}

#[tokio::test]
async fn bulk_stops_after_a_rejection_every_request_would_get() {
    let server = answering(
        ResponseTemplate::new(404).set_body_json(json!({"error": "meeting not found"})),
        1,
    )
    .await;
    let error = builder(&server.uri())
        .concurrency(1)
        .build()
        .unwrap()
        .bulk_update_meeting_attendance(id(MEETING), Attendance::Attended, (1..=300).map(user_id))
        .send()
        .await
        .unwrap_err();
    // Nothing was recorded: the rejection itself.
    assert!(error.is_not_found() && !error.is_retryable(), "{error:?}");
    assert!(error.to_string().contains("404"), "{error}");
    assert_eq!(error.users_to_resend().count(), 0);
}

#[tokio::test]
async fn bulk_retries_a_throttled_chunk() {
    let server = MockServer::start().await;
    Mock::given(path(BULK))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(BULK))
        .respond_with(Bulk::default())
        .expect(1)
        .mount(&server)
        .await;
    let result = bulk_of(&server.uri(), 10).await.unwrap();
    assert_eq!(result.updated_record_count, 9);
}
