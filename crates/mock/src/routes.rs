//! The HTTP routes: the four Meetings operations (on the spec's paths), `GET /openapi.yaml`, and
//! 404/405 for the rest.

use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use futures::StreamExt as _;
use thoughtindustries_models::ErrorBody;
use tokio::sync::watch;
use uuid::Uuid;

use crate::attendance::{AttendanceState, Refusal};
use crate::conn::Connection;
use crate::faults::{Decision, FaultKind, FaultState, Granted, ResetForm};
use crate::operations::path_of;
use crate::stats::{self, Recorder, Unanswered};
use crate::tenant::Tenant;

/// The OpenAPI description the mock implements, served at `GET /openapi.yaml`.
pub const OPENAPI_YAML: &str = thoughtindustries_spec::OPENAPI_YAML;

/// Everything the handlers share.
pub(crate) struct App {
    pub token: String,
    pub per_page: usize,
    pub tenant: Tenant,
    pub faults: FaultState,
    pub recorder: Arc<Recorder>,
    /// Attendance recorded by the write operations.
    pub attendance: AttendanceState,
    /// Turns `true` when the server shuts down; ends delays and stalled bodies.
    pub shutdown: watch::Receiver<bool>,
}

/// The router of a mock server.
pub(crate) fn router(app: Arc<App>) -> Router {
    let recorder = app.recorder.clone();
    Router::new()
        .route(path_of("list_meetings"), get(meetings))
        .route(path_of("get_meeting"), get(meeting))
        .route(
            path_of("update_meeting_attendance"),
            post(update_attendance),
        )
        .route(
            path_of("bulk_update_meeting_attendance"),
            post(bulk_attendance),
        )
        .route("/openapi.yaml", get(openapi))
        .route(STATS_PATH, get(stats_json))
        .fallback(not_found)
        .with_state(app.clone())
        .layer(middleware::from_fn_with_state(app, crate::echo::echo))
        .layer(middleware::from_fn_with_state(recorder, stats::count))
}

/// Where the mock tells its counters (outside the API's paths, like `/openapi.yaml`), for
/// benchmarks that run `ti mock` as a process.
pub const STATS_PATH: &str = "/__mock/stats";

/// The counters as JSON: `{"requests": N, "byStatus": {"200": N, "429": N}, "maxInFlight": N}`
/// (this request included).
async fn stats_json(State(app): State<Arc<App>>) -> Response {
    let stats = app.recorder.snapshot();
    let by_status: serde_json::Map<String, serde_json::Value> = stats
        .by_status
        .iter()
        .map(|(status, count)| (status.to_string(), (*count).into()))
        .collect();
    Json(serde_json::json!({
        "requests": stats.requests,
        "byStatus": by_status,
        "maxInFlight": stats.max_in_flight,
    }))
    .into_response()
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/yaml")], OPENAPI_YAML).into_response()
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        "No such path on this API.".into(),
    )
}

/// An `ErrorBody` JSON response.
fn error(status: StatusCode, code: &str, message: String) -> Response {
    let body = model!(ErrorBody {
        error: Some(code.into()),
        message: Some(message),
        retry_after: None,
    });
    (status, Json(body)).into_response()
}

fn bad_request(message: String) -> Response {
    error(StatusCode::BAD_REQUEST, "bad_request", message)
}

/// Whether the request carries `Authorization: Bearer <token>`.
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .is_some_and(|(scheme, given)| scheme.eq_ignore_ascii_case("bearer") && given == token)
}

/// `page` and `courseId` of the query; other parameters are ignored.
fn parse_query(params: &[(String, String)]) -> Result<(u64, Option<Uuid>), String> {
    let first = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let page = match first("page") {
        None => 1,
        Some(raw) => match raw.parse::<i64>() {
            Ok(page) if page >= 1 => page as u64,
            Ok(_) => return Err(format!("page must be 1 or more, got {raw}")),
            Err(_) => return Err(format!("page must be an integer, got {raw:?}")),
        },
    };
    let course_id = match first("courseId") {
        None => None,
        Some(raw) => Some(
            Uuid::try_parse(raw).map_err(|_| format!("courseId must be a UUID, got {raw:?}"))?,
        ),
    };
    Ok((page, course_id))
}

fn header_number(value: u64) -> HeaderValue {
    HeaderValue::from(value)
}

/// Sets the rate-limit headers in the quota's form.
fn rate_limit_headers(headers: &mut HeaderMap, quota: &Granted) {
    let since_epoch = quota
        .reset
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    let to_reset = quota
        .reset
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO);
    let delta_secs = u64::try_from(to_reset.as_millis().div_ceil(1000)).unwrap_or(u64::MAX);
    let whole_seconds =
        || UNIX_EPOCH + Duration::from_secs(since_epoch.as_millis().div_ceil(1000) as u64);
    let reset = match quota.form {
        ResetForm::UnixSeconds => since_epoch.as_millis().div_ceil(1000).to_string(),
        ResetForm::UnixMillis => since_epoch.as_millis().to_string(),
        ResetForm::DeltaSeconds => delta_secs.to_string(),
        ResetForm::HttpDate => httpdate::fmt_http_date(whole_seconds()),
        ResetForm::Iso8601 => chrono::DateTime::<chrono::Utc>::from(whole_seconds())
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
        ResetForm::Absent => String::new(),
        ResetForm::Ietf => {
            let field = format!("\"default\";r={};t={delta_secs}", quota.remaining);
            let policy = format!(
                "\"default\";q={};w={}",
                quota.limit,
                quota.window.as_millis().div_ceil(1000)
            );
            for (name, value) in [("ratelimit", field), ("ratelimit-policy", policy)] {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    headers.insert(name, value);
                }
            }
            return;
        }
    };
    headers.insert("x-ratelimit-limit", header_number(quota.limit));
    headers.insert("x-ratelimit-remaining", header_number(quota.remaining));
    if quota.form != ResetForm::Absent
        && let Ok(value) = HeaderValue::from_str(&reset)
    {
        headers.insert("x-ratelimit-reset", value);
    }
}

/// A 200 JSON response with the given body.
fn json_ok(body: Body, quota: Option<Granted>) -> Response {
    let mut response = Response::new(body);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(quota) = quota {
        rate_limit_headers(response.headers_mut(), &quota);
    }
    response
}

/// How long a truncated body waits after its prefix before failing.
const FLUSH_GRACE: Duration = Duration::from_millis(50);

/// A 200 announcing the full `Content-Length` whose body is the first `keep` bytes of `full`,
/// then a failure (after a short grace, or when the server shuts down if `wait` is given): hyper closes the
/// connection mid-body.
fn broken_body(full: Vec<u8>, keep: usize, wait: Option<watch::Receiver<bool>>) -> Response {
    let length = full.len();
    let mut full = full;
    full.truncate(keep);
    let prefix = (!full.is_empty()).then(|| Ok(Bytes::from(full)));
    let failure = async move {
        match wait {
            // Stall until the server shuts down (or the client goes away and hyper drops us).
            Some(mut shutdown) => drop(shutdown.wait_for(|&stopped| stopped).await),
            // Give hyper time to flush the prefix: it writes buffered data only while the body
            // is pending, and drops unflushed data when the body fails.
            None => tokio::time::sleep(FLUSH_GRACE).await,
        }
        Err::<Bytes, io::Error>(io::Error::other("body cut short by fault injection"))
    };
    let stream = futures::stream::iter(prefix).chain(futures::stream::once(failure));
    let mut response = json_ok(Body::from_stream(stream), None);
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}

/// The status line's reason phrase, for the HTML page.
fn html_page(status: StatusCode) -> String {
    let line = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Server Error")
    );
    format!(
        "<html>\r\n<head><title>{line}</title></head>\r\n<body>\r\n<center><h1>{line}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
}

fn server_error(status: u16, html: bool) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if html {
        return (
            status,
            [(header::CONTENT_TYPE, "text/html")],
            html_page(status),
        )
            .into_response();
    }
    let code = match status.as_u16() {
        500 => "internal_server_error",
        502 => "bad_gateway",
        503 => "service_unavailable",
        504 => "gateway_timeout",
        _ => "server_error",
    };
    error(
        status,
        code,
        "The server failed to handle the request.".into(),
    )
}

fn too_many_requests(retry_after: Option<u64>, quota: Option<Granted>) -> Response {
    let message = match retry_after {
        Some(seconds) => format!("Rate limit exceeded. Try again in {seconds} seconds."),
        None => "Rate limit exceeded.".to_owned(),
    };
    let body = model!(ErrorBody {
        error: Some("rate_limit_exceeded".into()),
        message: Some(message),
        retry_after: retry_after.map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
    });
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    let headers = response.headers_mut();
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, header_number(seconds));
    }
    if let Some(quota) = quota {
        rate_limit_headers(headers, &quota);
    }
    response
}

/// What every operation does first: the latency fault, then authentication (401 with an empty
/// body, as the vendor does). `Some` is the response to send instead of going on.
async fn prelude(app: &App, headers: &HeaderMap) -> Option<Response> {
    if let Some(delay) = app.faults.latency() {
        app.recorder.fault(FaultKind::Latency);
        let mut shutdown = app.shutdown.clone();
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = shutdown.wait_for(|&stopped| stopped) => {}
        }
    }
    if !authorized(headers, &app.token) {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return Some(response);
    }
    None
}

/// Decides the faults of one request (keyed like a listing page).
fn decide(app: &App, page: u64, course_id: Option<Uuid>) -> (Decision, Option<Granted>) {
    let (decision, quota) = app.faults.decide(page, course_id);
    if let Some(kind) = decision.kind() {
        app.recorder.fault(kind);
    }
    (decision, quota)
}

/// Whether the request is refused before it is processed (429, 5xx): a write is not applied.
fn refused(decision: &Decision) -> bool {
    matches!(
        decision,
        Decision::RateLimited { .. } | Decision::ServerError { .. }
    )
}

/// The response of a request whose faults were decided: the fault, or `render()` served.
fn answer(
    app: &App,
    decision: Decision,
    quota: Option<Granted>,
    connection: &Connection,
    render: impl FnOnce() -> Vec<u8>,
) -> Response {
    match decision {
        Decision::RateLimited {
            retry_after_secs,
            quota,
        } => too_many_requests(retry_after_secs, quota),
        Decision::ServerError { status, html } => server_error(status, html),
        Decision::DropConnection => {
            connection.kill();
            let mut response = StatusCode::OK.into_response();
            response.extensions_mut().insert(Unanswered);
            response
        }
        Decision::StallBody => broken_body(render(), 0, Some(app.shutdown.clone())),
        Decision::TruncateBody => {
            let body = render();
            let half = body.len() / 2;
            broken_body(body, half, None)
        }
        Decision::EmptyBody => json_ok(Body::empty(), quota),
        Decision::ErrorObject => {
            let body = model!(ErrorBody {
                error: Some("internal_error".into()),
                message: Some("The request could not be completed.".into()),
                retry_after: None,
            });
            (StatusCode::OK, Json(body)).into_response()
        }
        Decision::Drift(which) => json_ok(Body::from(app.faults.drift(&which, &render())), quota),
        Decision::Serve => json_ok(Body::from(render()), quota),
    }
}

async fn meetings(
    State(app): State<Arc<App>>,
    ConnectInfo(connection): ConnectInfo<Connection>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = prelude(&app, &headers).await {
        return response;
    }
    let (page, course_id) = match parse_query(&params) {
        Ok(query) => query,
        Err(message) => return bad_request(message),
    };
    let (decision, quota) = decide(&app, page, course_id);
    let served = if app.faults.ignore_page { 1 } else { page };
    answer(&app, decision, quota, &connection, || {
        let body = app
            .tenant
            .render(served, app.per_page, course_id, app.faults.has_more_forever);
        if app.attendance.is_empty() {
            body
        } else {
            app.attendance.apply_to_page(&app.tenant, body)
        }
    })
}

fn not_found_error(what: &str, id: impl std::fmt::Display) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("No {what} with id {id}."),
    )
}

async fn meeting(
    State(app): State<Arc<App>>,
    ConnectInfo(connection): ConnectInfo<Connection>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = prelude(&app, &headers).await {
        return response;
    }
    let Ok(id) = Uuid::try_parse(&raw) else {
        return bad_request(format!("id must be a UUID, got {raw:?}"));
    };
    let (decision, quota) = decide(&app, 1, None);
    if refused(&decision) {
        return answer(&app, decision, quota, &connection, Vec::new);
    }
    let Some(found) = app.attendance.meeting(&app.tenant, id) else {
        return not_found_error("meeting", id);
    };
    answer(&app, decision, quota, &connection, || {
        serde_json::to_vec(&serde_json::json!({"data": {"MeetingById": found}}))
            .expect("JSON values serialize")
    })
}

/// The answer of an applied write, or (when [`Faults::write_answer`](crate::Faults) fires for a
/// 200) another status: a 202 keeps the body, a 204 has none, a 5xx is a CDN's HTML page.
fn written(app: &App, response: Response) -> Response {
    if response.status() != StatusCode::OK {
        return response;
    }
    let Some(status) = app.faults.write_answer() else {
        return response;
    };
    app.recorder.fault(FaultKind::WriteAnswer);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::ACCEPTED);
    match status.as_u16() {
        204 => StatusCode::NO_CONTENT.into_response(),
        500..=599 => server_error(status.as_u16(), true),
        _ => {
            let (mut parts, body) = response.into_parts();
            parts.status = status;
            Response::from_parts(parts, body)
        }
    }
}

/// A JSON request body of type `T`, or what is wrong with it (for a 400).
fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de)
        .map_err(|e| format!("invalid request body at `{}`: {}", e.path(), e.inner()))
}

async fn update_attendance(
    State(app): State<Arc<App>>,
    ConnectInfo(connection): ConnectInfo<Connection>,
    // The vendor documents the path `id` only as "the id identifier"; the body's `userId` says
    // whose attendance it is, so the path is not checked against it.
    Path(_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = prelude(&app, &headers).await {
        return response;
    }
    let request: thoughtindustries_models::UpdateMeetingAttendanceRequest = match parse_body(&body)
    {
        Ok(request) => request,
        Err(message) => return bad_request(message),
    };
    let (decision, quota) = decide(&app, 1, None);
    if refused(&decision) {
        return answer(&app, decision, quota, &connection, Vec::new);
    }
    let updated = app.attendance.update(
        &app.tenant,
        request.meeting_id,
        request.user_id,
        request.attended,
    );
    match updated {
        Ok(user) => written(
            &app,
            answer(&app, decision, quota, &connection, || {
                serde_json::to_vec(&user).expect("JSON values serialize")
            }),
        ),
        Err(Refusal::UnknownMeeting) => not_found_error("meeting", request.meeting_id),
        Err(Refusal::UnknownUser) => not_found_error("user", request.user_id),
    }
}

async fn bulk_attendance(
    State(app): State<Arc<App>>,
    ConnectInfo(connection): ConnectInfo<Connection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = prelude(&app, &headers).await {
        return response;
    }
    let request: thoughtindustries_models::BulkUpdateMeetingAttendanceRequest =
        match parse_body(&body) {
            Ok(request) => request,
            Err(message) => return bad_request(message),
        };
    let (decision, quota) = decide(&app, 1, None);
    if refused(&decision) {
        return answer(&app, decision, quota, &connection, Vec::new);
    }
    let users: Vec<Uuid> = request.users.iter().map(|u| u.id).collect();
    match app
        .attendance
        .bulk(&app.tenant, request.meeting_id, &users, request.attended)
    {
        Ok((updated, unknown)) => written(
            &app,
            answer(&app, decision, quota, &connection, || {
                let errors: Vec<_> = unknown
                    .iter()
                    .map(|id| serde_json::json!({"id": id, "error": format!("No user with id {id}.")}))
                    .collect();
                serde_json::to_vec(
                    &serde_json::json!({"data": {"APIBulkUpdateMeetingAttendance": {
                    "updatedRecordCount": updated, "errors": errors}}}),
                )
                .expect("JSON values serialize")
            }),
        ),
        Err(_) => not_found_error("meeting", request.meeting_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn queries() {
        assert_eq!(parse_query(&[]), Ok((1, None)));
        assert_eq!(
            parse_query(&params(&[("page", "3"), ("foo", "bar")])),
            Ok((3, None))
        );
        for bad in ["0", "-1", "x", "1.5", "", "99999999999999999999"] {
            assert!(parse_query(&params(&[("page", bad)])).is_err(), "{bad}");
        }
        assert!(parse_query(&params(&[("courseId", "nope")])).is_err());
        let id = "5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f";
        assert_eq!(
            parse_query(&params(&[("courseId", id)])),
            Ok((1, Uuid::try_parse(id).ok()))
        );
    }

    #[test]
    fn the_reset_in_each_notation() {
        let reset = UNIX_EPOCH + Duration::from_secs(1_796_530_202);
        let granted = |form| Granted {
            limit: 40,
            remaining: 3,
            reset,
            form,
            window: Duration::from_secs(2),
        };
        let written = |form| {
            let mut headers = HeaderMap::new();
            rate_limit_headers(&mut headers, &granted(form));
            headers
        };
        let reset_of = |form| {
            written(form)
                .get("x-ratelimit-reset")
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(
            reset_of(ResetForm::UnixSeconds).as_deref(),
            Some("1796530202")
        );
        assert_eq!(
            reset_of(ResetForm::UnixMillis).as_deref(),
            Some("1796530202000")
        );
        assert_eq!(
            reset_of(ResetForm::HttpDate).as_deref(),
            Some("Sun, 06 Dec 2026 04:10:02 GMT")
        );
        assert_eq!(
            reset_of(ResetForm::Iso8601).as_deref(),
            Some("2026-12-06T04:10:02Z")
        );
        let absent = written(ResetForm::Absent);
        assert_eq!(reset_of(ResetForm::Absent), None);
        assert_eq!(absent.get("x-ratelimit-limit").unwrap(), "40");
        assert_eq!(absent.get("x-ratelimit-remaining").unwrap(), "3");
    }

    #[test]
    fn bearer_tokens() {
        let mut headers = HeaderMap::new();
        assert!(!authorized(&headers, "t"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer t"));
        assert!(authorized(&headers, "t"));
        assert!(!authorized(&headers, "u"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic t"));
        assert!(!authorized(&headers, "t"));
    }
}
