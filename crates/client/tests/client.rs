//! The client against an in-process HTTP mock (wiremock): requests, pagination, errors.

mod common;

use std::time::Duration;

use common::*;
use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use thoughtindustries::{Client, Error, RetryConfig, TransportKind};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const PATH: &str = "/incoming/v2/meetings";

/// A wiremock server answering every meetings request with `response`.
async fn serving(response: impl Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path(PATH))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// Fetches page 1 from `base` with at most two attempts.
async fn try_first_page_in_two_attempts(base: &str) -> Result<thoughtindustries::Page, Error> {
    builder(base)
        .retry(
            RetryConfig::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap()
        .list_meetings()
        .send()
        .await
}

/// Fetches page 1 from `base` with at most two attempts, expecting a failure.
async fn first_page_in_two_attempts(base: &str) -> Error {
    try_first_page_in_two_attempts(base).await.unwrap_err()
}

/// Serves `total` meetings in pages of `per_page`, whatever page is asked.
struct Pages {
    per_page: u64,
    total: u64,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .map(|(_, v)| v.parse().unwrap())
            .unwrap_or(1);
        ResponseTemplate::new(200).set_body_json(page_body(page, self.per_page, self.total))
    }
}

#[tokio::test]
async fn sends_page_course_id_auth_and_user_agent() {
    let server = MockServer::start().await;
    let course = uuid::Uuid::parse_str("5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f").unwrap();
    Mock::given(method("GET"))
        .and(path(PATH))
        .and(query_param("page", "3"))
        .and(query_param("courseId", course.to_string()))
        .and(header("authorization", format!("Bearer {KEY}")))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(3, 2, 6)))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server.uri())
        .list_meetings()
        .course_id(course)
        .page(3)
        .send()
        .await
        .unwrap();
    assert_eq!(page.number, 3);
    assert_eq!(page.meetings.len(), 2);
    assert!(!page.has_more());
    let ua = server.received_requests().await.unwrap()[0].headers["user-agent"].clone();
    assert!(ua.to_str().unwrap().starts_with("thoughtindustries-rs/"));
}

#[tokio::test]
async fn base_url_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(path(format!("/proxy/ti{PATH}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(1, 5, 1)))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&format!("{}/proxy/ti/", server.uri()))
        .list_meetings()
        .send()
        .await
        .unwrap();
    assert_eq!(page.meetings.len(), 1);
}

#[tokio::test]
async fn reference_example_decodes() {
    let example: serde_json::Value =
        serde_json::from_str(thoughtindustries_spec::examples::REFERENCE_PAGE).unwrap();
    let server = serving(ResponseTemplate::new(200).set_body_json(example)).await;
    let page = client(&server.uri()).list_meetings().send().await.unwrap();
    assert_eq!(page.meetings.len(), 1);
    assert!(page.rejected.is_empty());
    let meeting = &page.meetings[0];
    assert_eq!(
        meeting.course.kind,
        Some(thoughtindustries::CourseKind::MicroCourse)
    );
    assert_eq!(
        meeting.attendees.as_ref().unwrap()[0]
            .stripe_customer_id
            .as_deref(),
        Some("00000000-0000-0000-0000-000000000000")
    );
    assert_eq!(page.aggregations[0].buckets.as_ref().unwrap().len(), 1);
}

/// Serves like [`Pages`], each response `delay` after its request arrives, and records when each
/// request arrived.
struct SlowPages {
    pages: Pages,
    delay: Duration,
    arrivals: std::sync::Arc<std::sync::Mutex<Vec<std::time::Instant>>>,
}

impl Respond for SlowPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.arrivals
            .lock()
            .unwrap()
            .push(std::time::Instant::now());
        self.pages.respond(request).set_delay(self.delay)
    }
}

/// The most requests that arrived within `window` of one another.
fn most_at_once(arrivals: &[std::time::Instant], window: Duration) -> usize {
    arrivals
        .iter()
        .map(|first| {
            arrivals
                .iter()
                .filter(|a| **a >= *first && a.duration_since(*first) < window)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn pages_are_fetched_as_many_at_once_as_the_concurrency_allows() {
    for concurrency in [1, 3, 8] {
        let arrivals = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let server = serving(SlowPages {
            pages: Pages {
                per_page: 7,
                total: 100,
            },
            delay: Duration::from_millis(150),
            arrivals: arrivals.clone(),
        })
        .await;
        // The client's limit (requests in flight) and the listing's (pages at once) alike.
        let count = builder(&server.uri())
            .concurrency(concurrency)
            .build()
            .unwrap()
            .list_meetings()
            .concurrency(concurrency)
            .meetings()
            .try_fold(0, |n, _| async move { Ok(n + 1) })
            .await
            .unwrap();
        assert_eq!(count, 100);
        let arrivals = arrivals.lock().unwrap().clone();
        assert_eq!(arrivals.len(), 15);
        // Requests of one batch arrive together; the next batch waits for a response (150 ms).
        assert_eq!(
            most_at_once(&arrivals, Duration::from_millis(100)),
            concurrency,
            "concurrency {concurrency}"
        );
    }
}

/// The numbers of the meetings a listing of `server` at `concurrency` streams, in order.
async fn listed_numbers(server: &MockServer, concurrency: usize) -> Vec<u64> {
    client(&server.uri())
        .list_meetings()
        .concurrency(concurrency)
        .meetings()
        .map_ok(|m| number(&m.id))
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn streams_every_meeting_in_order_at_any_concurrency() {
    let server = serving(Pages {
        per_page: 7,
        total: 100,
    })
    .await;
    for concurrency in [1, 3, 8] {
        assert_eq!(
            listed_numbers(&server, concurrency).await,
            (0..100).collect::<Vec<_>>(),
            "concurrency {concurrency}"
        );
    }
    // 15 pages each time, never a page past the announced end.
    assert_eq!(server.received_requests().await.unwrap().len(), 3 * 15);
}

#[tokio::test]
async fn a_listing_of_two_pages_requests_two() {
    let server = serving(Pages {
        per_page: 5,
        total: 10,
    })
    .await;
    let count = client(&server.uri())
        .list_meetings()
        .concurrency(4)
        .meetings()
        .try_fold(0, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(count, 10);
    // Page 1 announces the end: page 2 is fetched, page 3 is not.
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

/// Three pages of five, whose `pageInfo` announces two (`total: 10`) but says `hasMore` until the
/// third.
struct Undercounted;

impl Respond for Undercounted {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page: u64 = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .map(|(_, v)| v.parse().unwrap())
            .unwrap_or(1);
        let meetings: Vec<_> = if page <= 3 {
            ((page - 1) * 5..page * 5).map(meeting).collect()
        } else {
            Vec::new()
        };
        ResponseTemplate::new(200).set_body_json(json!({"data": {"Meetings": {
            "pageInfo": {"perPage": 5, "currentPage": page, "total": 10, "hasMore": page < 3},
            "meetings": meetings
        }}}))
    }
}

#[tokio::test]
async fn a_listing_longer_than_announced_is_followed_while_the_server_says_more() {
    let server = serving(Undercounted).await;
    for concurrency in [1, 4] {
        assert_eq!(
            listed_numbers(&server, concurrency).await,
            (0..15).collect::<Vec<_>>(),
            "concurrency {concurrency}"
        );
    }
}

#[tokio::test]
async fn stops_on_an_empty_page_even_if_has_more_stays_true() {
    let server = MockServer::start().await;
    let forever = |page: u64| {
        let meetings: Vec<_> = if page <= 2 {
            vec![meeting(page)]
        } else {
            vec![]
        };
        json!({"data": {"Meetings": {"pageInfo": {"hasMore": true}, "meetings": meetings}}})
    };
    for page in 1..=6u64 {
        Mock::given(path(PATH))
            .and(query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(forever(page)))
            .mount(&server)
            .await;
    }
    let pages: Vec<_> = client(&server.uri())
        .list_meetings()
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.iter().map(|p| p.len()).collect::<Vec<_>>(), [1, 1, 0]);
    // Sequential with one page of prefetch: at most one request past the empty page.
    assert!(server.received_requests().await.unwrap().len() <= 4);
}

#[tokio::test]
async fn has_more_false_stops_even_when_total_disagrees() {
    let body = json!({"data": {"Meetings": {
        "pageInfo": {"perPage": 1, "total": 50, "hasMore": false},
        "meetings": [meeting(1)]}}});
    let server = serving(ResponseTemplate::new(200).set_body_json(body)).await;
    let count = client(&server.uri())
        .list_meetings()
        .meetings()
        .count()
        .await;
    assert_eq!(count, 1);
}

#[tokio::test]
async fn unauthorized_with_empty_body_is_a_status_error() {
    let server = MockServer::start().await;
    Mock::given(path(PATH))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server.uri())
        .list_meetings()
        .send()
        .await
        .unwrap_err();
    let Error::Status(status) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(status.status.as_u16(), 401);
    assert_eq!(status.body, "");
    assert_eq!(status.page, Some(1));
    assert!(err.to_string().contains("401"));
    assert!(!format!("{err} {err:?}").contains(KEY));
}

#[tokio::test]
async fn rate_limited_requests_wait_retry_after_and_succeed() {
    let throttled = ResponseTemplate::new(429)
        .insert_header("retry-after", "1")
        .insert_header("x-ratelimit-limit", "60")
        .insert_header("x-ratelimit-remaining", "0")
        .set_body_json(json!({"error": "rate_limit_exceeded", "retryAfter": 1}));
    let waited = one_429_then_the_page(throttled).await;
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
}

/// A server that keeps asking for a wait (here `Retry-After: 0`) is waited for without using up
/// the attempts, but not forever: 16 waits, then the last status is reported.
#[tokio::test]
async fn server_waits_give_up_after_sixteen_with_the_last_status_retry_after_and_rate_limit() {
    let server = MockServer::start().await;
    Mock::given(path(PATH))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .insert_header("x-ratelimit-limit", "60")
                .insert_header("x-ratelimit-reset", "1700000000")
                .set_body_string(r#"{"error":"rate_limit_exceeded"}"#),
        )
        .expect(17)
        .mount(&server)
        .await;
    let err = client(&server.uri())
        .list_meetings()
        .send()
        .await
        .unwrap_err();
    assert!(err.is_rate_limited() && err.is_retryable() && !err.is_not_found());
    assert_eq!(
        err.status(),
        Some(thoughtindustries::StatusCode::TOO_MANY_REQUESTS)
    );
    assert_eq!(err.retry_after(), Some(Duration::ZERO));
    assert_eq!(err.users_to_resend().count(), 0);
    let Error::Status(status) = err else { panic!() };
    assert_eq!(status.status.as_u16(), 429);
    assert_eq!(status.retry_after, Some(Duration::ZERO));
    assert_eq!(status.rate_limit.limit, Some(60));
    assert_eq!(
        status.rate_limit.reset,
        Some(thoughtindustries::Reset::At(
            std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
        ))
    );
    assert_eq!(status.rate_limit.raw_reset.as_deref(), Some("1700000000"));
    assert_eq!(status.attempts, 17);
    assert!(status.body.contains("rate_limit_exceeded"));
}

/// Page 1 from a server that answers one 429 (`throttled`), then the page; returns how long the
/// client took.
async fn one_429_then_the_page(throttled: ResponseTemplate) -> Duration {
    let server = MockServer::start().await;
    Mock::given(path(PATH))
        .respond_with(throttled)
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(1, 5, 3)))
        .mount(&server)
        .await;
    let client = builder(&server.uri())
        .retry(RetryConfig::default().max_wait(Duration::from_secs(5)))
        .build()
        .unwrap();
    let start = std::time::Instant::now();
    let page = client.list_meetings().send().await.unwrap();
    assert_eq!(page.meetings.len(), 3);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    start.elapsed()
}

#[tokio::test]
async fn x_ratelimit_reset_is_honoured_without_retry_after() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let throttled = ResponseTemplate::new(429)
        .insert_header("x-ratelimit-remaining", "0")
        .insert_header("x-ratelimit-reset", (now + 2).to_string().as_str());
    let waited = one_429_then_the_page(throttled).await;
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
}

#[tokio::test]
async fn the_bodys_retry_after_is_honoured_without_the_header() {
    let throttled = ResponseTemplate::new(429).set_body_json(
        json!({"error": "rate_limit_exceeded", "message": "slow down", "retryAfter": 1}),
    );
    let waited = one_429_then_the_page(throttled).await;
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
}

#[tokio::test]
async fn a_wait_longer_than_the_waiting_budget_fails_at_once_naming_the_wait() {
    let server = serving(
        ResponseTemplate::new(429)
            .insert_header("retry-after", "120")
            .set_body_json(json!({"error": "rate_limit_exceeded", "message": "Too many requests.", "retryAfter": 120})),
    )
    .await;
    let start = std::time::Instant::now();
    // The test builder's max_wait is 50 ms.
    let err = client(&server.uri())
        .list_meetings()
        .send()
        .await
        .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    let Error::WaitBudget(budget) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(budget.asked, Duration::from_secs(120));
    assert_eq!(budget.status.map(|s| s.as_u16()), Some(429));
    assert_eq!(budget.attempts, 1);
    assert!(err.is_rate_limited() && err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    let message = err.to_string();
    assert!(
        message.contains("120 s") && message.contains("max_wait"),
        "{message}"
    );
}

#[tokio::test]
async fn a_json_error_body_is_parsed_into_the_status_error() {
    let server = serving(ResponseTemplate::new(422).set_body_json(
        json!({"error": "unprocessable_entity", "message": "courseId is not a course", "retryAfter": null}),
    ))
    .await;
    let err = client(&server.uri())
        .list_meetings()
        .send()
        .await
        .unwrap_err();
    let Error::Status(status) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(status.error.as_deref(), Some("unprocessable_entity"));
    assert_eq!(status.message.as_deref(), Some("courseId is not a course"));
    assert_eq!(
        err.to_string(),
        "page 1: HTTP 422 Unprocessable Entity: unprocessable_entity: courseId is not a course"
    );
}

#[tokio::test]
async fn server_errors_are_retried_and_other_4xx_are_not() {
    let server = MockServer::start().await;
    Mock::given(path(PATH))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(path(PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(1, 5, 2)))
        .mount(&server)
        .await;
    assert_eq!(
        client(&server.uri())
            .list_meetings()
            .send()
            .await
            .unwrap()
            .meetings
            .len(),
        2
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 3);

    let server = MockServer::start().await;
    Mock::given(path(PATH))
        .respond_with(ResponseTemplate::new(403).set_body_string("forbidden"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server.uri())
        .list_meetings()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
}

#[tokio::test]
async fn html_502_is_a_status_error_after_retries() {
    let server = MockServer::start().await;
    Mock::given(path(PATH))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_raw("<html><h1>502 Bad Gateway</h1></html>", "text/html"),
        )
        .expect(2)
        .mount(&server)
        .await;
    let err = first_page_in_two_attempts(&server.uri()).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert!(err.to_string().contains("Bad Gateway"), "{err}");
}

#[tokio::test]
async fn decode_errors_name_the_page_and_json_path() {
    let server = serving(ResponseTemplate::new(200).set_body_json(
        json!({"data": {"Meetings": {"pageInfo": {"perPage": "25"}, "meetings": []}}}),
    ))
    .await;
    let err = client(&server.uri())
        .list_meetings()
        .page(4)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!(err.page(), Some(4));
    assert_eq!(err.json_path(), Some("data.Meetings.pageInfo.perPage"));
}

/// Three pages of two meetings without a total; page `odd` carries a third record, without an
/// id, between its two meetings; page `rejected` (if any) carries only records without an id.
struct OddPages {
    odd: u64,
    rejected: Option<u64>,
}

impl Respond for OddPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page: u64 = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "page")
            .map(|(_, v)| v.parse().unwrap())
            .unwrap_or(1);
        let mut without_id = meeting(99);
        without_id.as_object_mut().unwrap().remove("id");
        let mut meetings: Vec<_> = if page <= 3 {
            vec![meeting(page * 10), meeting(page * 10 + 1)]
        } else {
            Vec::new()
        };
        if page == self.odd {
            meetings.insert(1, without_id.clone());
        }
        if Some(page) == self.rejected {
            meetings = vec![without_id.clone(), without_id];
        }
        ResponseTemplate::new(200).set_body_json(json!({"data": {"Meetings": {
            "pageInfo": {"hasMore": page < 3}, "meetings": meetings
        }}}))
    }
}

#[tokio::test]
async fn the_natural_loop_lists_every_meeting_and_reports_the_record_without_an_id() {
    let server = serving(OddPages {
        odd: 2,
        rejected: None,
    })
    .await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let mut meetings = client(&server.uri())
        .list_meetings()
        .on_rejected(move |record| sink.lock().unwrap().push(record.to_string()))
        .meetings();
    let mut ids = Vec::new();
    while let Some(meeting) = meetings.try_next().await.unwrap() {
        ids.push(number(&meeting.id));
    }
    assert_eq!(ids, [10, 11, 20, 21, 30, 31]);
    let rejected = meetings.rejected();
    assert_eq!(rejected.len(), 1);
    assert_eq!((rejected[0].page, rejected[0].index), (2, 1));
    assert_eq!(rejected[0].id, None);
    assert_eq!(rejected[0].path, "data.Meetings.meetings[1]");
    assert!(
        rejected[0].message.contains("missing field `id`"),
        "{:?}",
        rejected[0]
    );
    assert_eq!(rejected[0].raw["title"], "Meeting 99");
    let shown = seen.lock().unwrap().clone();
    assert_eq!(shown.len(), 1);
    assert!(
        shown[0].starts_with("page 2: meeting #1 does not match the contract at"),
        "{shown:?}"
    );
}

#[tokio::test]
async fn a_page_of_rejected_records_ends_the_listing_with_an_error_that_says_so() {
    let server = serving(OddPages {
        odd: 0,
        rejected: Some(2),
    })
    .await;
    let mut meetings = client(&server.uri()).list_meetings().meetings();
    let mut ids = Vec::new();
    let error = loop {
        match meetings.try_next().await {
            Ok(Some(meeting)) => ids.push(number(&meeting.id)),
            Ok(None) => panic!("the listing ended as if complete"),
            Err(error) => break error,
        }
    };
    assert_eq!(ids, [10, 11]);
    assert!(matches!(error, Error::RejectedPage(_)), "{error:?}");
    assert_eq!(error.page(), Some(2));
    assert_eq!(error.json_path(), Some("data.Meetings.meetings[0]"));
    assert!(
        error
            .to_string()
            .contains("page 2: all 2 record(s) were rejected"),
        "{error}"
    );
    assert_eq!(meetings.rejected().len(), 2);
    assert!(meetings.try_next().await.unwrap().is_none());
}

#[tokio::test]
async fn a_last_page_of_rejected_records_ends_the_listing_quietly() {
    let body = json!({"data": {"Meetings": {"pageInfo": {"hasMore": false},
        "meetings": [{"id": "x"}]}}});
    let server = serving(ResponseTemplate::new(200).set_body_json(body)).await;
    let mut meetings = client(&server.uri()).list_meetings().meetings();
    assert!(meetings.try_next().await.unwrap().is_none());
    assert_eq!(meetings.rejected()[0].path, "data.Meetings.meetings[0].id");
}

#[tokio::test]
async fn get_meeting_blanks_an_odd_nested_value_as_the_listing_does() {
    let mut odd = meeting(1);
    odd["attendees"] = json!([{"id": "0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11", "balance": "12.50"}]);
    let server = MockServer::start().await;
    Mock::given(path(format!("{PATH}/00000000-0000-4000-8000-000000000001")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": {"MeetingById": odd}})),
        )
        .mount(&server)
        .await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let client = client(&server.uri());
    let id = "00000000-0000-4000-8000-000000000001".parse().unwrap();
    let meeting = client
        .get_meeting(id)
        .on_warning(move |blanked| sink.lock().unwrap().push(blanked.path.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(meeting.attendees.as_ref().unwrap()[0].balance, None);
    assert_eq!(
        *seen.lock().unwrap(),
        ["data.MeetingById.attendees[0].balance"]
    );
    let raw = client.get_meeting(id).send_raw().await.unwrap().unwrap();
    assert_eq!(raw.blanked.len(), 1);
    assert!(raw.raw.get().contains(r#""balance":"12.50""#));
}

#[tokio::test]
async fn base_url_takes_a_checked_base_url() {
    let server = serving(ResponseTemplate::new(200).set_body_json(
        json!({"data": {"Meetings": {"pageInfo": {"hasMore": false}, "meetings": []}}}),
    ))
    .await;
    let base: thoughtindustries::BaseUrl = server.uri().parse().unwrap();
    let client = builder("https://unused.example.com")
        .base_url(base)
        .build()
        .unwrap();
    assert_eq!(client.base_url(), server.uri());
    assert!(client.list_meetings().send().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_odd_nested_value_is_blanked_and_its_meeting_kept() {
    let mut odd = meeting(1);
    odd["attendees"] = json!([{"id": "0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11", "balance": "12.50"}]);
    let body = json!({"data": {"Meetings": {"pageInfo": {"hasMore": false},
        "meetings": [meeting(0), odd]}}});
    let server = serving(ResponseTemplate::new(200).set_body_json(body)).await;
    let page = client(&server.uri()).list_meetings().send().await.unwrap();
    assert_eq!(page.meetings.len(), 2);
    assert!(page.rejected.is_empty());
    assert_eq!(
        page.meetings[1].attendees.as_ref().unwrap()[0].balance,
        None
    );
    assert_eq!(
        page.blanked[0].path,
        "data.Meetings.meetings[1].attendees[0].balance"
    );

    // A stream user sees it too: with a callback, or each meeting with its own warnings.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let meetings: Vec<_> = client(&server.uri())
        .list_meetings()
        .on_warning(move |blanked| sink.lock().unwrap().push(blanked.path.clone()))
        .meetings()
        .collect()
        .await;
    assert_eq!(meetings.len(), 2);
    assert_eq!(
        *seen.lock().unwrap(),
        ["data.Meetings.meetings[1].attendees[0].balance"]
    );
    let with_warnings: Vec<_> = client(&server.uri())
        .list_meetings()
        .meetings_with_warnings()
        .collect()
        .await;
    let (first, none) = with_warnings[0].as_ref().unwrap();
    let (second, warnings) = with_warnings[1].as_ref().unwrap();
    assert!(none.is_empty(), "{first:?}");
    assert_eq!(second.id, page.meetings[1].id);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].index, Some(1));
    assert_eq!(warnings[0], page.blanked[0]);
}

#[tokio::test]
async fn a_200_error_object_and_an_empty_200_are_decode_errors() {
    for (body, expect) in [
        (
            r#"{"error":"internal_error","message":"boom"}"#,
            "internal_error: boom",
        ),
        ("", "empty"),
    ] {
        let server = MockServer::start().await;
        Mock::given(path(PATH))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .expect(1)
            .mount(&server)
            .await;
        let err = client(&server.uri())
            .list_meetings()
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(err.to_string().contains(expect), "{err}");
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = serving(ResponseTemplate::new(200).set_body_json(page_body(1, 50, 50))).await;
    let err = builder(&server.uri())
        .max_body_bytes(1024)
        .build()
        .unwrap()
        .list_meetings()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::BodyTooLarge {
                limit: 1024,
                page: Some(1)
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_accepted_and_one_byte_more_refused() {
    let body = serde_json::to_vec(&page_body(1, 5, 5)).unwrap();
    let server =
        serving(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json")).await;
    let with_limit = |limit: usize| {
        builder(&server.uri())
            .max_body_bytes(limit)
            .build()
            .unwrap()
            .list_meetings()
            .send()
    };
    let page = with_limit(body.len()).await.unwrap();
    assert_eq!(page.meetings.len(), 5);
    let err = with_limit(body.len() - 1).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn hintless_throttling_gives_up_once_max_wait_is_spent() {
    let server = serving(ResponseTemplate::new(429)).await;
    let started = std::time::Instant::now();
    let listing = builder(&server.uri())
        .retry(
            RetryConfig::default()
                .initial_backoff(Duration::from_millis(50))
                .max_wait(Duration::from_millis(400)),
        )
        .build()
        .unwrap()
        .list_meetings()
        .send();
    let err = tokio::time::timeout(Duration::from_secs(5), listing)
        .await
        .expect("the client gives up within max_wait, not never")
        .unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::TOO_MANY_REQUESTS));
    // The backoffs (50, 100, 200 ms ceilings, at least half each) add up to the 400 ms allowed
    // after three or four refusals; without the cap the client would go on to its send limit.
    let sends = server.received_requests().await.unwrap().len();
    assert!((3..=6).contains(&sends), "{sends} sends");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_stalled_server_times_out() {
    let server = serving(ResponseTemplate::new(200).set_delay(Duration::from_secs(5))).await;
    let err = builder(&server.uri())
        .timeout(Duration::from_millis(200))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap()
        .list_meetings()
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let source = std::error::Error::source(&err).and_then(|s| s.downcast_ref::<reqwest::Error>());
    assert!(source.is_some_and(reqwest::Error::is_timeout), "{err:?}");
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    // Bound but never listening: connections to the port are refused, and no other test's server
    // can take the port meanwhile (a listener dropped before the request left a race).
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    let err = first_page_in_two_attempts(&format!("http://127.0.0.1:{port}")).await;
    drop(socket);
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Connect,
                page: Some(1),
                ..
            }
        ),
        "{err:?}"
    );
    // The reqwest error is the source, for callers that inspect it.
    let source = std::error::Error::source(&err).expect("a source");
    let reqwest = source
        .downcast_ref::<reqwest::Error>()
        .expect("a reqwest::Error");
    assert!(reqwest.is_connect(), "{reqwest:?}");
}

#[tokio::test]
async fn authorization_is_not_forwarded_on_a_redirect_to_another_host() {
    let other = MockServer::start().await;
    Mock::given(path(PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(1, 5, 1)))
        .mount(&other)
        .await;
    let server = MockServer::start().await;
    // Same IP, other port: another origin.
    Mock::given(path(PATH))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", format!("{}{PATH}", other.uri())),
        )
        .mount(&server)
        .await;
    client(&server.uri()).list_meetings().send().await.unwrap();
    let forwarded = &other.received_requests().await.unwrap()[0];
    assert!(forwarded.headers.get("authorization").is_none());
}

#[tokio::test]
async fn page_zero_is_refused_before_any_request() {
    let server = MockServer::start().await;
    let client = client(&server.uri());
    let refused = client.list_meetings().page(0).send().await.unwrap_err();
    assert!(matches!(refused, Error::InvalidRequest(_)), "{refused:?}");
    assert!(
        refused.to_string().contains("pages are numbered from 1"),
        "{refused}"
    );
    let first = client.list_meetings().page(0).pages().next().await.unwrap();
    assert!(first.is_err());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn debug_output_never_shows_the_key() {
    let client = client("https://example.thoughtindustries.com");
    let debug = format!("{client:?}");
    assert!(!debug.contains(KEY), "{debug}");
    let listing = format!("{:?}", client.list_meetings().page(3));
    assert!(
        listing.starts_with("ListMeetings")
            && listing.contains("page: 3")
            && !listing.contains(KEY),
        "{listing}"
    );
}

#[tokio::test]
async fn a_server_that_ignores_page_is_not_listed_forever() {
    let body = json!({"data": {"Meetings": {"pageInfo": {"hasMore": true},
        "meetings": [meeting(1), meeting(2)]}}});
    let server = serving(ResponseTemplate::new(200).set_body_json(body)).await;
    let items: Vec<_> = client(&server.uri())
        .list_meetings()
        .meetings()
        .collect()
        .await;
    assert_eq!(items.len(), 3, "two meetings, then the error");
    let err = items[2].as_ref().unwrap_err();
    assert!(matches!(err, Error::RepeatedPage(_)), "{err:?}");
    assert!(err.to_string().contains("same meetings as page 1"), "{err}");
    assert!(server.received_requests().await.unwrap().len() <= 3);
}

/// Page 1 (two meetings), as the raw server sends it.
fn raw_page() -> Vec<u8> {
    raw_ok(&serde_json::to_vec(&page_body(1, 5, 2)).unwrap())
}

/// [`raw_page`] cut short: the headers announce the whole body, but the connection closes after
/// ten bytes of it.
fn raw_page_cut_short() -> Vec<u8> {
    let body_len = serde_json::to_vec(&page_body(1, 5, 2)).unwrap().len();
    let mut cut = raw_page();
    cut.truncate(cut.len() - body_len + 10);
    cut
}

/// Serves `first`, then page 1: asserts the page is read, on the second connection.
async fn assert_page_read_on_the_second_attempt(first: Vec<u8>) {
    let (base, connections) = raw_server(vec![first, raw_page()]);
    let page = try_first_page_in_two_attempts(&base).await.unwrap();
    assert_eq!(page.meetings.len(), 2);
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_connection_closed_before_the_response_is_retried() {
    // Nothing at all, then the page.
    assert_page_read_on_the_second_attempt(Vec::new()).await;
}

#[tokio::test]
async fn a_body_cut_short_is_retried() {
    assert_page_read_on_the_second_attempt(raw_page_cut_short()).await;
}

#[tokio::test]
async fn a_body_cut_short_every_time_fails_once_the_attempts_are_spent() {
    let (base, connections) = raw_server(vec![raw_page_cut_short()]);
    let err = tokio::time::timeout(
        Duration::from_secs(5),
        try_first_page_in_two_attempts(&base),
    )
    .await
    .expect("the attempts run out")
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Body,
                page: Some(1),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_chunked_body_without_a_length_is_held_to_the_limit() {
    let body = serde_json::to_vec(&page_body(1, 50, 50)).unwrap();
    let (base, _) = raw_server(vec![raw_chunked(&body)]);
    let with_limit = |limit: usize| {
        builder(&base)
            .max_body_bytes(limit)
            .build()
            .unwrap()
            .list_meetings()
            .send()
    };
    assert_eq!(with_limit(body.len()).await.unwrap().meetings.len(), 50);
    let err = with_limit(1024).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::BodyTooLarge {
                limit: 1024,
                page: Some(1)
            }
        ),
        "{err:?}"
    );
}

/// A server that answers `429` with `Retry-After: 0` `refusals` times, then page 1.
async fn refusing(refusals: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path(PATH))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(refusals)
        .mount(&server)
        .await;
    Mock::given(path(PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(1, 5, 2)))
        .mount(&server)
        .await;
    server
}

/// Lists page 1 with `client` from a server that always refuses (`refusing(u64::MAX)`): asserts
/// that the listing fails with the `429` within 5 s (not waiting or retrying for ever) and
/// returns how many requests the server received.
async fn requests_until_the_refusal_is_returned(server: &MockServer, client: Client) -> usize {
    let err = tokio::time::timeout(Duration::from_secs(5), client.list_meetings().send())
        .await
        .expect("the listing gives up within 5 s")
        .unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::TOO_MANY_REQUESTS));
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn disabled_retries_send_once_even_when_the_server_asks_for_a_wait() {
    let server = refusing(u64::MAX).await;
    let client = builder(&server.uri())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    assert_eq!(
        requests_until_the_refusal_is_returned(&server, client).await,
        1
    );
}

#[tokio::test]
async fn a_wait_of_exactly_max_wait_is_waited_for() {
    let server = refusing(1).await;
    let page = builder(&server.uri())
        .retry(RetryConfig::default().max_wait(Duration::ZERO))
        .build()
        .unwrap()
        .list_meetings()
        .send()
        .await
        .unwrap();
    assert_eq!(page.meetings.len(), 2);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_panic_while_fetching_a_page_reaches_the_reader() {
    // The quota hook runs in the task that fetches the page: its panic is the reader's, not a
    // transport error.
    let server = refusing(1).await;
    let client = builder(&server.uri())
        .on_quota_wait(|_| panic!("the hook panicked"))
        .build()
        .unwrap();
    let reader = tokio::spawn(async move {
        client
            .list_meetings()
            .pages()
            .next()
            .await
            .map(|page| page.is_ok())
    });
    let error = reader.await.unwrap_err();
    assert!(error.is_panic(), "{error:?}");
    let payload = error.into_panic();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"the hook panicked"));
}
