//! The API key never leaks: not in tracing output at any level (TRACE captured, `log` records of
//! reqwest and hyper included), not in `Debug` of the client, its builder or the key, not in
//! `Display` or `Debug` of any error, not in a panic message built from them. The client runs
//! through retries, 401s, 5xx, dropped and cut-short connections, timeouts and configuration
//! errors with a known key, and every text it produced is searched for it.
//!
//! A server that echoes the request back (headers, body and URL in its error bodies, as gateways'
//! debug pages do) cannot put the key into an error either: every error kind (400, 401, 429, 500,
//! 503, a write's unknown outcome, a bulk update partly applied) is checked against one.
//!
//! The command-line side (`ti -v` / `-vv` with `RUST_LOG=trace`, an echoing server included) is
//! tested in `crates/cli/tests/faults.rs`, where the `ti` binary is built for the tests.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures::TryStreamExt;
use thoughtindustries::{ApiKey, Attendance, Client, ClientBuilder, Error, RetryConfig, Uuid};
use thoughtindustries_mock::{
    Faults, MockConfig, MockServer, RateLimit, ServerError, SyntheticOptions, Tenant, Trigger,
};

/// The key under test: distinctive, so any appearance is a leak.
const SECRET: &str = "ti-sk-9c1f3e5a7b-never-log-me";
/// Fragments that must not appear either (the key with its header scheme, or half of it).
const FRAGMENTS: [&str; 3] = [SECRET, "Bearer ti-sk-", "7b-never-log"];

/// Everything written by the tracing subscriber of this test binary.
fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_target(true)
            .with_writer(move || Sink(sink.clone()))
            // Also turns reqwest's and hyper's `log` records into events (tracing-log).
            .try_init()
            .expect("the only subscriber of this test binary");
        buffer
    })
}

/// A writer appending to the shared buffer.
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured() -> String {
    String::from_utf8_lossy(&logs().lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

/// Fails if `text` (named `what`) contains the key or a fragment of it.
#[track_caller]
fn assert_no_key(what: &str, text: &str) {
    for fragment in FRAGMENTS {
        assert!(
            !text.contains(fragment),
            "{what} contains {fragment:?}:\n{text}"
        );
    }
}

/// Every text an error can be turned into, including the panic message of `expect`.
#[track_caller]
fn assert_error_clean(error: Error) {
    assert_no_key("Display", &error.to_string());
    assert_no_key("Debug", &format!("{error:?}"));
    assert_no_key("alternate Debug", &format!("{error:#?}"));
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        assert_no_key("a cause", &cause.to_string());
        source = cause.source();
    }
    let result: Result<(), Error> = Err(error);
    // An error's source (a reqwest::Error) is not UnwindSafe; nothing is observed after the panic.
    let listing = std::panic::AssertUnwindSafe(|| unwrap_listing(result));
    let panic = std::panic::catch_unwind(listing).expect_err("expect panics on Err");
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default();
    assert!(message.starts_with("listing meetings"), "{message}");
    assert_no_key("a panic message", &message);
}

/// What a caller typically writes; its panic message carries the error's `Debug`.
fn unwrap_listing(result: Result<(), Error>) {
    result.expect("listing meetings");
}

async fn mock(token: &str, faults: Faults) -> MockServer {
    MockServer::start(MockConfig {
        token: token.to_owned(),
        per_page: 5,
        tenant: Tenant::synthetic(SyntheticOptions {
            seed: 3,
            courses: 2,
            meetings: 23,
        }),
        faults,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

fn builder(base: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base)
        .api_key(ApiKey::new(SECRET))
        .retry(
            RetryConfig::default()
                .initial_backoff(Duration::from_millis(1))
                .max_wait(Duration::from_millis(10)),
        )
}

async fn list_all(client: &Client) -> Result<usize, Error> {
    let meetings: Vec<_> = client.list_meetings().meetings().try_collect().await?;
    Ok(meetings.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_through_every_fault_log_attempts_but_never_the_key() {
    logs();
    let server = mock(
        SECRET,
        Faults {
            rate_limit: Some(RateLimit::Triggered {
                trigger: Trigger::FirstPerPage(1),
                retry_after_secs: 0,
                limit: 60,
            }),
            server_error: Some(ServerError {
                trigger: Trigger::FirstPerPage(1),
                status: 502,
                html: true,
            }),
            drop_connection: Some(Trigger::FirstPerPage(1)),
            truncate_body: Some(Trigger::FirstPerPage(1)),
            ..Faults::default()
        },
    )
    .await;
    let client = builder(&server.base_url())
        .retry(
            RetryConfig::default()
                .max_attempts(5)
                .initial_backoff(Duration::from_millis(1))
                // The waiting budget is the operation's (issue 27): room for the pacer's short
                // holds after the 429s, which a budget of milliseconds would refuse.
                .max_wait(Duration::from_secs(5)),
        )
        .build()
        .unwrap();
    assert_eq!(list_all(&client).await.unwrap(), 23);

    let logs = captured();
    // The capture works and the retries are visible: attempt, status and delay.
    for needle in [
        "retryable status",
        "status=429",
        "status=502",
        "body failed",
        "request failed",
        "retrying",
        "delay_ms=",
        "attempt=5",
    ] {
        assert!(logs.contains(needle), "no {needle:?} in the logs:\n{logs}");
    }
    // The HTTP stack's own TRACE records are in the capture too (connection pool, connects).
    assert!(
        logs.contains("hyper_util::") || logs.contains("reqwest::"),
        "no HTTP-stack records in the logs:\n{logs}"
    );
    assert_no_key("the TRACE logs", &logs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_paths_never_show_the_key() {
    logs();
    // 401: the mock expects another token.
    let server = mock("the-right-token", Faults::default()).await;
    let error = list_all(&builder(&server.base_url()).build().unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_error_clean(error);

    // 503 after every attempt, with an HTML body.
    let server = mock(
        SECRET,
        Faults {
            server_error: Some(ServerError {
                trigger: Trigger::Always,
                status: 503,
                html: true,
            }),
            ..Faults::default()
        },
    )
    .await;
    let error = list_all(&builder(&server.base_url()).build().unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_error_clean(error);

    // Dropped connections, bodies cut short, a stall cut off by the timeout.
    for faults in [
        Faults {
            drop_connection: Some(Trigger::Always),
            ..Faults::default()
        },
        Faults {
            truncate_body: Some(Trigger::Always),
            ..Faults::default()
        },
        Faults {
            stall_body: Some(Trigger::Always),
            ..Faults::default()
        },
        Faults {
            empty_body: Some(Trigger::Always),
            ..Faults::default()
        },
        Faults {
            error_object: Some(Trigger::Always),
            ..Faults::default()
        },
    ] {
        let server = mock(SECRET, faults).await;
        let error = list_all(
            &builder(&server.base_url())
                .read_timeout(Duration::from_millis(200))
                .build()
                .unwrap(),
        )
        .await
        .unwrap_err();
        assert_error_clean(error);
    }

    // Connection refused: a port held bound but never listening, so no other test can take it.
    let (_held, port) = refused_port();
    let error = list_all(
        &builder(&format!("http://127.0.0.1:{port}"))
            .build()
            .unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_error_clean(error);

    assert_no_key("the TRACE logs", &captured());
}

#[test]
fn configuration_errors_and_debug_output_never_show_the_key() {
    logs();
    // A key that cannot go in a header, a key with only whitespace, an http:// non-loopback URL.
    for builder in [
        Client::builder()
            .tenant("acme")
            .api_key(ApiKey::new(format!("{SECRET}\u{7}"))),
        Client::builder()
            .tenant("acme")
            .api_key(ApiKey::new(" \t ")),
        Client::builder()
            .base_url("http://learn.example.com")
            .api_key(ApiKey::new(SECRET)),
        Client::builder().api_key(ApiKey::new(SECRET)),
    ] {
        assert_no_key("Debug of the builder", &format!("{builder:?} {builder:#?}"));
        let error = builder.build().unwrap_err();
        assert!(matches!(error, Error::Config(_)), "{error:?}");
        assert_error_clean(error);
    }

    let key = ApiKey::new(SECRET);
    assert_eq!(format!("{key:?}"), "ApiKey([REDACTED])");
    let builder = builder("https://acme.thoughtindustries.com");
    assert_no_key("Debug of the builder", &format!("{builder:?} {builder:#?}"));
    let client = builder.build().unwrap();
    let request = client.list_meetings().page(2);
    for (what, text) in [
        ("Debug of the client", format!("{client:?} {client:#?}")),
        (
            "Debug of the generated client",
            format!("{:#?}", client.generated()),
        ),
        ("Debug of a request", format!("{request:#?}")),
    ] {
        assert_no_key(what, &text);
    }
    assert_no_key("the TRACE logs", &captured());
}

/// A port nothing listens on, held for as long as the returned socket lives: bound, so the OS
/// gives it to no other test, but never listening, so a connection to it is refused.
fn refused_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    (socket, port)
}

/// A wiremock answer echoing the request back with the given status, exactly as the mock's echo
/// fault does ([`thoughtindustries_mock::echo_body`]), for servers that echo only some requests.
struct Echo(u16);

impl wiremock::Respond for Echo {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let (content_type, body) = thoughtindustries_mock::echo_body(
            self.0,
            request.method.as_str(),
            request.url.as_str(),
            &request.headers,
            &request.body,
        );
        wiremock::ResponseTemplate::new(self.0)
            .insert_header("content-type", content_type)
            .set_body_string(body)
    }
}

/// A mock whose every answer echoes the request back with `status` (headers, body, URL), as a
/// gateway's debug page, a JSON error or an HTML page ([`Faults::echo`]).
async fn echoing(status: u16) -> MockServer {
    MockServer::start(MockConfig {
        faults: Faults {
            echo: Some(status),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_echoes_the_request_cannot_put_the_key_into_any_error() {
    logs();
    let meeting = Uuid::from_u128(1);
    let users: Vec<Uuid> = (10..13).map(Uuid::from_u128).collect();
    for status in [400, 401, 404, 429, 500, 502, 503] {
        let server = echoing(status).await;
        let client = builder(&server.base_url())
            .retry(
                RetryConfig::default()
                    .max_attempts(1)
                    .max_wait(Duration::from_millis(10)),
            )
            .build()
            .unwrap();
        // The echo is there: the error quotes the rest of the dump, the key replaced.
        let error = list_all(&client).await.unwrap_err();
        assert!(
            error.status().is_some_and(|s| s.as_u16() == status),
            "{error:?}"
        );
        let shown = format!("{error:?}");
        assert!(shown.contains("[REDACTED]"), "nothing redacted: {shown}");
        assert!(shown.contains("user-agent"), "{shown}");
        assert_error_clean(error);

        let page = client.list_meetings().page(2).send().await.unwrap_err();
        assert_error_clean(page);
        if status != 404 {
            let detail = client.get_meeting(meeting).await.unwrap_err();
            assert_error_clean(detail);
        }
        let single = client
            .update_meeting_attendance(meeting, users[0], Attendance::Attended)
            .send()
            .await
            .unwrap_err();
        assert_error_clean(single);
        // One request: its failure is the error (a rejection, or an unknown outcome).
        let bulk = client
            .bulk_update_meeting_attendance(meeting, Attendance::Absent, users.clone())
            .send()
            .await
            .unwrap_err();
        assert_error_clean(bulk);
    }

    // A bulk update partly applied: its per-user result carries the failed request's error.
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::body_string_contains(
        users[0].to_string(),
    ))
    .respond_with(Echo(500))
    .mount(&server)
    .await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!(
            {"data": {"APIBulkUpdateMeetingAttendance": {"updatedRecordCount": 2, "errors": []}}}
        )))
        .mount(&server)
        .await;
    let result = builder(&server.uri())
        .build()
        .unwrap()
        .bulk_update_meeting_attendance(meeting, Attendance::Attended, users.clone())
        .chunk_size(1)
        .send()
        .await
        .unwrap();
    assert_eq!(result.unknown().collect::<Vec<_>>(), [users[0]]);
    let shown = format!("{result:?} {result:#?}");
    assert!(shown.contains("[REDACTED]"), "{shown}");
    assert_no_key("Debug of a partial bulk result", &shown);
    for chunk in &result.failed_requests {
        assert_no_key("a failed request", &chunk.failure.to_string());
    }

    assert_no_key("the TRACE logs", &captured());
}
