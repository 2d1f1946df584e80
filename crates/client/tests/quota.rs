//! Under the tenant's quota, against the mock's `RateLimit::Quota` (fixed windows counted across
//! every operation): with the headers on every response the client paces itself and is never
//! refused, whatever form the reset takes, across concurrent pages and across operations; with the
//! headers only on 429s it is refused at most twice a window; with no hint at all it backs off and
//! still finishes; a wait longer than `max_wait` fails at once, naming it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use thoughtindustries::{ApiKey, Attendance, Client, Error, QuotaWait, RetryConfig, WaitReason};
use thoughtindustries_mock::{
    DEMO_TOKEN, Faults, MockConfig, MockServer, Quota, QuotaHeaders, RateLimit, ResetForm,
    SyntheticOptions, Tenant,
};
use uuid::Uuid;

/// Meetings per page.
const PER_PAGE: usize = 5;

async fn mock(quota: Quota, pages: usize) -> MockServer {
    MockServer::start(MockConfig {
        tenant: Tenant::synthetic(SyntheticOptions {
            seed: 19,
            courses: 2,
            meetings: pages * PER_PAGE,
        }),
        per_page: PER_PAGE,
        faults: Faults {
            rate_limit: Some(RateLimit::Quota(quota)),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

fn client(server: &MockServer, max_wait: Duration) -> Client {
    Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .retry(
            RetryConfig::default()
                .initial_backoff(Duration::from_millis(100))
                .max_wait(max_wait),
        )
        .concurrency(4)
        .build()
        .unwrap()
}

async fn list_all(client: &Client) -> usize {
    let meetings: Vec<_> = client
        .list_meetings()
        .meetings()
        .try_collect()
        .await
        .expect("the listing finishes");
    meetings.len()
}

/// 12 pages under 5 requests a second: three windows at least, none refused.
async fn paced_listing(form: ResetForm) {
    let server = mock(Quota::new(5, Duration::from_secs(1)).reset_form(form), 12).await;
    let start = Instant::now();
    let listed = list_all(&client(&server, Duration::from_secs(10))).await;
    assert_eq!(listed, 12 * PER_PAGE);
    let stats = server.stats();
    assert_eq!(stats.status(429), 0, "{form:?}: {stats:?}");
    assert_eq!(stats.status(200), 12, "{form:?}: {stats:?}");
    // 12 requests need two window turns at least: more than a full second.
    assert!(start.elapsed() >= Duration::from_secs(1), "{form:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pages_are_paced_with_the_reset_in_unix_seconds() {
    paced_listing(ResetForm::UnixSeconds).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pages_are_paced_with_the_reset_in_unix_milliseconds() {
    paced_listing(ResetForm::UnixMillis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pages_are_paced_with_the_reset_in_seconds_to_go() {
    paced_listing(ResetForm::DeltaSeconds).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pages_are_paced_with_the_ietf_fields() {
    paced_listing(ResetForm::Ietf).await;
}

/// A listing and a bulk attendance update on one client draw on one budget: none refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_budget_across_operations() {
    let server = mock(Quota::new(6, Duration::from_secs(1)), 8).await;
    let client = client(&server, Duration::from_secs(10));
    let meeting = client
        .list_meetings()
        .send()
        .await
        .unwrap()
        .meetings
        .remove(0)
        .id;
    let users: Vec<Uuid> = (0..800).map(|_| Uuid::new_v4()).collect();
    let bulk = client
        .bulk_update_meeting_attendance(meeting, Attendance::Attended, users)
        .send();
    let (listed, bulk) = tokio::join!(list_all(&client), bulk);
    assert_eq!(listed, 8 * PER_PAGE);
    // The generated users are unknown to the mock: each is a per-user error, in a 200.
    assert_eq!(bulk.expect("the bulk update finishes").errors.len(), 800);
    let stats = server.stats();
    assert_eq!(stats.status(429), 0, "{stats:?}");
    assert_eq!(stats.status(200), 1 + 8 + 8, "{stats:?}");
}

/// Headers only on the 429s: the first refusal teaches the client the quota.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_only_on_429s_cost_at_most_two_refusals_a_window() {
    let server = mock(
        Quota::new(5, Duration::from_secs(1)).headers(QuotaHeaders::OnlyRefusals),
        15,
    )
    .await;
    let start = Instant::now();
    let listed = list_all(&client(&server, Duration::from_secs(10))).await;
    assert_eq!(listed, 15 * PER_PAGE);
    let windows = start.elapsed().as_secs() + 1;
    let refused = server.stats().status(429);
    assert!(
        refused <= 2 * windows,
        "{refused} refusals in {windows} windows"
    );
}

/// No `Retry-After`, no reset, no `retryAfter`: the 429s back off exponentially and the listing
/// finishes anyway (the old client gave up after four attempts).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_without_any_hint_backs_off_until_the_window_turns() {
    let server = mock(
        Quota::new(4, Duration::from_secs(1)).headers(QuotaHeaders::NoHint),
        10,
    )
    .await;
    let heard = Arc::new(Mutex::new(Vec::<QuotaWait>::new()));
    let client = Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .retry(
            RetryConfig::default()
                .initial_backoff(Duration::from_millis(100))
                .max_wait(Duration::from_secs(30)),
        )
        .on_quota_wait({
            let heard = Arc::clone(&heard);
            move |wait| heard.lock().unwrap().push(wait.clone())
        })
        .build()
        .unwrap();
    assert_eq!(list_all(&client).await, 10 * PER_PAGE);
    assert!(server.stats().status(429) > 0, "the quota refused some");
    let heard = heard.lock().unwrap();
    assert!(
        heard.iter().all(|w| w.reason == WaitReason::Backoff),
        "{heard:?}"
    );
}

/// A window that resets in up to an hour, a `max_wait` of a second: the next page would have to
/// wait for the reset, past the budget, so it is not held at all (nor sent into a 429): it fails
/// at once, naming the wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_longer_than_max_wait_fails_naming_it() {
    let server = mock(Quota::new(1, Duration::from_secs(3600)), 3).await;
    let client = client(&server, Duration::from_secs(1));
    let start = Instant::now();
    let err = client
        .list_meetings()
        .pages()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1));
    let Error::WaitBudget(budget) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(budget.status, None, "held by the pacer, not refused");
    assert_eq!(budget.attempts, 0);
    assert!(budget.asked > Duration::from_secs(1));
    assert!(err.is_rate_limited());
    assert_eq!(server.stats().status(429), 0);
    let message = err.to_string();
    assert!(
        message.contains("max_wait") && message.contains("quota is spent"),
        "{message}"
    );
}

/// Held requests are reported once per pause, with what is left and how long.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_pause_is_reported_once() {
    let server = mock(Quota::new(3, Duration::from_secs(1)), 7).await;
    let heard = Arc::new(Mutex::new(Vec::<(std::time::Instant, QuotaWait)>::new()));
    let client = Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .on_quota_wait({
            let heard = Arc::clone(&heard);
            move |wait| {
                heard
                    .lock()
                    .unwrap()
                    .push((std::time::Instant::now(), wait.clone()))
            }
        })
        .build()
        .unwrap();
    assert_eq!(list_all(&client).await, 7 * PER_PAGE);
    assert_eq!(server.stats().status(429), 0);
    let heard = heard.lock().unwrap();
    // 7 requests, 3 a window: two pauses on an idle machine. On a loaded one a window can turn
    // while requests are slow, which saves a pause or adds one; what must hold is one report per
    // pause: a report comes only once the pause reported before it is over (a second report of
    // one pause, from another held request, would come while it lasts).
    assert!((1..=3).contains(&heard.len()), "{heard:?}");
    for pair in heard.windows(2) {
        let ((first_at, first), (next_at, _)) = (&pair[0], &pair[1]);
        assert!(
            *next_at + Duration::from_millis(50) >= *first_at + first.wait,
            "a report {:?} into a pause of {:?}: {heard:?}",
            *next_at - *first_at,
            first.wait
        );
    }
    for (_, wait) in heard.iter() {
        assert_eq!(wait.reason, WaitReason::WindowReset);
        assert_eq!(wait.limit, Some(3));
        assert!(wait.wait <= Duration::from_millis(1100), "{wait:?}");
        assert!(
            wait.to_string()
                .starts_with("rate limit: 0 of 3 left, waiting"),
            "{wait}"
        );
    }
}
