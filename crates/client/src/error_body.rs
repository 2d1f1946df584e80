//! The API's JSON error body.

use std::time::Duration;

/// The API's JSON error body, `{"error": ..., "message": ..., "retryAfter": ...}`.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ErrorBody {
    pub(crate) error: Option<String>,
    pub(crate) message: Option<String>,
    /// Seconds, as an integer or a fraction.
    #[serde(rename = "retryAfter", deserialize_with = "seconds", default)]
    pub(crate) retry_after: Option<Duration>,
}

impl ErrorBody {
    /// The body as the API's error object; `None` when it is not one.
    pub(crate) fn parse(body: &[u8]) -> Option<Self> {
        let parsed: Self = serde_json::from_slice(body).ok()?;
        let any =
            parsed.error.is_some() || parsed.message.is_some() || parsed.retry_after.is_some();
        any.then_some(parsed)
    }
}

/// A number of seconds, ignored when it is not a finite non-negative number.
fn seconds<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Duration>, D::Error> {
    let value: Option<serde_json::Value> = serde::Deserialize::deserialize(deserializer)?;
    Ok(value
        .and_then(|v| v.as_f64())
        .and_then(|s| Duration::try_from_secs_f64(s).ok()))
}
