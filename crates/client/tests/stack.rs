//! The client in the user's stack: a caller's own `reqwest::Client` sends the requests with the
//! SDK's auth, user agent, retries, pacing and redaction still around it, and the caller's own
//! settings too; per-call overrides of the deadline, the attempt timeout, the waiting budget and
//! the retries change only the call they are set on.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use futures::TryStreamExt;
use thoughtindustries::{ApiKey, Client, Error, Overrides, RetryConfig};
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const PATH: &str = "/incoming/v2/meetings";
const MEETING: &str = "0b6f2c1e-8d4a-4e9b-9f3c-2a1d5e7b8c90";

/// Answers the n-th request (0-based) with `answers[n]`, the last one for every later request.
struct InTurn {
    answers: Vec<ResponseTemplate>,
    seen: Arc<AtomicUsize>,
}

impl Respond for InTurn {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        self.answers[n.min(self.answers.len() - 1)].clone()
    }
}

async fn serving_in_turn(answers: Vec<ResponseTemplate>) -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    let seen = Arc::new(AtomicUsize::new(0));
    Mock::given(path(PATH))
        .respond_with(InTurn {
            answers,
            seen: Arc::clone(&seen),
        })
        .mount(&server)
        .await;
    (server, seen)
}

fn page() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(page_body(1, 2, 2))
}

/// A service's own reqwest client: a default header of its own and a user agent.
fn own_http() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-service", "billing-sync".parse().unwrap());
    thoughtindustries::reqwest::Client::builder()
        .default_headers(headers)
        .user_agent("billing-sync/1.0")
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_callers_client_sends_with_the_sdks_auth_retries_and_pacing_and_its_own_headers() {
    let (server, seen) = serving_in_turn(vec![
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
        ResponseTemplate::new(503),
        page(),
    ])
    .await;
    let client = builder(&server.uri())
        .retry(
            RetryConfig::default()
                .initial_backoff(Duration::from_millis(5))
                .max_wait(Duration::from_secs(5)),
        )
        .reqwest_client(own_http())
        .build()
        .unwrap();
    let started = Instant::now();
    let page = client.list_meetings().send().await.unwrap();
    assert_eq!(page.meetings.len(), 2);
    // The 429's Retry-After was waited for, the 503 retried.
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(seen.load(Ordering::SeqCst), 3);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(
            request.headers["authorization"].to_str().unwrap(),
            format!("Bearer {KEY}")
        );
        assert_eq!(request.headers["x-service"], "billing-sync");
        let ua = request.headers["user-agent"].to_str().unwrap();
        assert!(ua.starts_with("thoughtindustries-rs/"), "{ua}");
    }
}

#[tokio::test]
async fn a_callers_client_gets_the_user_agent_set_on_the_builder_and_the_key_stays_redacted() {
    let server = MockServer::start().await;
    // A gateway that echoes the request's headers in its error body.
    Mock::given(path(PATH))
        .and(header("user-agent", "billing-sync/2.0"))
        .respond_with(|request: &Request| {
            let auth = request.headers["authorization"]
                .to_str()
                .unwrap()
                .to_owned();
            ResponseTemplate::new(400)
                .set_body_string(format!("Bad request. Debug: Authorization: {auth}"))
        })
        .expect(1)
        .mount(&server)
        .await;
    let err = builder(&server.uri())
        .user_agent("billing-sync/2.0")
        .reqwest_client(own_http())
        .build()
        .unwrap()
        .list_meetings()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Status(_)), "{err:?}");
    assert!(err.to_string().contains("Debug: Authorization"), "{err}");
    assert!(!err.to_string().contains(KEY), "{err}");
    assert!(!format!("{err:?}").contains(KEY));
}

#[tokio::test]
async fn with_a_callers_client_and_no_timeout_set_the_deadline_still_bounds_the_operation() {
    let (server, _) = serving_in_turn(vec![page().set_delay(Duration::from_secs(5))]).await;
    let client = Client::builder()
        .base_url(server.uri().as_str())
        .api_key(ApiKey::new(KEY))
        .operation_timeout(Duration::from_millis(200))
        .reqwest_client(reqwest::Client::new())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.list_meetings().send().await.unwrap_err();
    assert!(matches!(err, Error::Deadline(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_per_call_deadline_shorter_than_the_clients_fails_only_that_call() {
    let (server, _) = serving_in_turn(vec![page().set_delay(Duration::from_millis(400))]).await;
    let client = builder(&server.uri())
        .operation_timeout(Duration::from_secs(10))
        .reqwest_client(own_http())
        .build()
        .unwrap();
    let err = client
        .list_meetings()
        .operation_timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    let Error::Deadline(deadline) = &err else {
        panic!("expected the deadline error, got {err:?}");
    };
    assert_eq!(deadline.timeout, Duration::from_millis(100));
    assert_eq!(deadline.page, Some(1));
    // The paginator's page tasks carry the override too.
    let err = client
        .list_meetings()
        .overrides(Overrides::new().operation_timeout(Duration::from_millis(100)))
        .meetings()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Deadline(_)), "{err:?}");
    // The client's own setting is untouched.
    let meetings: Vec<_> = client
        .list_meetings()
        .meetings()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(meetings.len(), 2);
}

#[tokio::test]
async fn a_per_call_attempt_timeout_cuts_off_only_that_calls_attempts() {
    let detail = ResponseTemplate::new(200)
        .set_body_json(serde_json::json!({"data": {"MeetingById": null}}))
        .set_delay(Duration::from_millis(400));
    let server = MockServer::start().await;
    Mock::given(path(format!("{PATH}/{MEETING}")))
        .respond_with(detail)
        .mount(&server)
        .await;
    let client = builder(&server.uri()).build().unwrap();
    let id = MEETING.parse().unwrap();
    let err = client
        .get_meeting(id)
        .timeout(Duration::from_millis(100))
        .max_attempts(2)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport { kind, .. } if *kind == thoughtindustries::TransportKind::Timeout),
        "{err:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    assert_eq!(client.get_meeting(id).await.unwrap(), None);
}

#[tokio::test]
async fn a_per_call_retry_override_changes_only_that_call() {
    let (server, seen) = serving_in_turn(vec![ResponseTemplate::new(500)]).await;
    let client = builder(&server.uri())
        .retry(
            RetryConfig::default()
                .max_attempts(4)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let err = client
        .list_meetings()
        .max_attempts(1)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Status(_)), "{err:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    let err = client
        .list_meetings()
        .retry(
            RetryConfig::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(1)),
        )
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Status(_)), "{err:?}");
    assert_eq!(seen.load(Ordering::SeqCst), 3);
    client.list_meetings().send().await.unwrap_err();
    assert_eq!(seen.load(Ordering::SeqCst), 7);
}

#[tokio::test]
async fn a_per_call_waiting_budget_changes_only_that_call() {
    let (server, seen) = serving_in_turn(vec![
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
        page(),
    ])
    .await;
    let client = builder(&server.uri())
        .retry(
            RetryConfig::default()
                .initial_backoff(Duration::from_millis(5))
                .max_wait(Duration::from_secs(5)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .list_meetings()
        .max_wait(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    let Error::WaitBudget(budget) = &err else {
        panic!("expected the waiting budget error, got {err:?}");
    };
    assert_eq!(budget.budget, Duration::from_millis(100));
    assert!(started.elapsed() < Duration::from_millis(800));
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    // The next call has the client's budget of 5 s: it waits out the second the server asked.
    let page = client.list_meetings().send().await.unwrap();
    assert_eq!(page.meetings.len(), 2);
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(seen.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn writes_take_per_call_retries_too() {
    const USER: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    let server = MockServer::start().await;
    // 503 is a refusal a write may retry: the client's policy would send four times.
    Mock::given(path(format!(
        "/incoming/v2/users/{USER}/updateMeetingAttendance"
    )))
    .respond_with(ResponseTemplate::new(503))
    .mount(&server)
    .await;
    Mock::given(path("/incoming/v2/users/bulkUpdateMeetingAttendance"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = builder(&server.uri())
        .retry(
            RetryConfig::default()
                .max_attempts(4)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let (meeting, user) = (MEETING.parse().unwrap(), USER.parse().unwrap());
    let sent = || async { server.received_requests().await.unwrap().len() };
    let attendance = thoughtindustries::Attendance::Attended;
    let err = client
        .update_meeting_attendance(meeting, user, attendance)
        .retry(RetryConfig::disabled())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.status(),
        Some(thoughtindustries::StatusCode::SERVICE_UNAVAILABLE)
    );
    assert_eq!(sent().await, 1);
    client
        .bulk_update_meeting_attendance(meeting, attendance, vec![user])
        .max_attempts(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(sent().await, 3);
    client
        .update_meeting_attendance(meeting, user, attendance)
        .send()
        .await
        .unwrap_err();
    assert_eq!(sent().await, 7);
}
