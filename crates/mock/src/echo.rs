//! The echo fault ([`Faults::echo`](crate::Faults::echo)): a gateway that answers every request
//! with a body echoing the request back, headers included.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::routes::App;

/// Middleware: with the echo fault on, answers every request with its echo instead of the route.
pub(crate) async fn echo(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let Some(status) = app.faults.echo else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let url = format!("http://{host}{}", parts.uri);
    let (content_type, text) = echo_body(
        status.as_u16(),
        parts.method.as_str(),
        &url,
        &parts.headers,
        &body,
    );
    (status, [(header::CONTENT_TYPE, content_type)], text).into_response()
}

/// What a gateway that echoes requests answers with `status` ([`Faults::echo`](crate::Faults::echo)):
/// its content type and body, quoting `method`, `url`, every header (by name) and the request's
/// body. A
/// 400 is a debug page as text, a 401 or 429 the API's JSON error object (the headers also as
/// a map), any other status an HTML page. Public so that a test server of another kind (a
/// wiremock responder) echoes exactly as the mock does.
pub fn echo_body(
    status: u16,
    method: &str,
    url: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> (&'static str, String) {
    // By name, as a debug page lists them: `authorization` comes early, within any excerpt.
    let mut sorted: Vec<_> = headers.iter().collect();
    sorted.sort_by_key(|(name, _)| name.as_str());
    let lines: String = sorted
        .iter()
        .map(|(name, value)| format!("{name}: {}\n", value.to_str().unwrap_or("?")))
        .collect();
    let dump = format!("{method} {url}\n{lines}\n{}", String::from_utf8_lossy(body));
    match status {
        400 => ("text/plain", format!("Bad request. Debug: {dump}")),
        401 | 429 => {
            let map: serde_json::Map<String, serde_json::Value> = headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("?").into()))
                .collect();
            let json = serde_json::json!({
                "error": "unauthorized",
                "message": format!("Authorization refused: {dump}"),
                "headers": map,
            });
            ("application/json", json.to_string())
        }
        _ => ("text/html", format!("<html><pre>{dump}</pre></html>")),
    }
}
