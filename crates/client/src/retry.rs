//! The retry policy: which failures are retried, and how long to wait before the next attempt.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How requests are retried.
///
/// Reads (`GET`) retry HTTP 408, 429, 500, 502, 503 and 504, connection failures, timeouts and
/// connections dropped mid-body. Writes (`POST`) retry only 429, 503 and connections that failed
/// before the request was sent; any other failure of a write is reported at once, as
/// [`Error::UnknownOutcome`](crate::Error::UnknownOutcome) when the write may have been applied.
/// Never retried: other 4xx statuses and responses that do not decode.
///
/// **Waiting is not failing.** When the server says how long to wait (`Retry-After`, else the
/// JSON body's `retryAfter`, else for a 429 the rate-limit reset), the client waits that long plus
/// a jitter of up to a tenth of it (at least 100 ms), so that throttled requests do not all come
/// back at once, and the wait does not use up one of the `max_attempts`. A 429 without any hint
/// backs off exponentially (from `initial_backoff`, doubling, at most 15 s a step) without using
/// up attempts either, until it has waited `max_wait` in total. Other failures back off with
/// full jitter (a random delay between zero and `initial_backoff * 2^(n-1)`, at most 15 s) and
/// count against `max_attempts`. When the server asks for a wait longer than `max_wait`, the
/// request is not retried early into another refusal: it fails at once with an
/// [`Error::Status`](crate::Error::Status) whose
/// [`refused_wait`](crate::StatusError::refused_wait) names the wait.
///
/// ```
/// use std::time::Duration;
/// use thoughtindustries::RetryConfig;
///
/// let retry = RetryConfig::default()
///     .max_attempts(6)
///     .initial_backoff(Duration::from_millis(200))
///     .max_wait(Duration::from_secs(3600)); // an hourly quota
/// assert_eq!(retry.get_max_attempts(), 6);
/// assert_eq!(retry.get_max_wait(), Duration::from_secs(3600));
/// assert_eq!(RetryConfig::disabled().get_max_attempts(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    max_attempts: u32,
    initial_backoff: Duration,
    max_wait: Duration,
}

/// The default [`RetryConfig::max_wait`]: two minutes, so that a minute-long window (and a reset
/// that rounds up past it) is waited for.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(120);

/// The longest step of a backoff the server gave no hint for.
const BACKOFF_STEP_CAP: Duration = Duration::from_secs(15);

/// How many waits the server asked for one request may take, whatever their length: a server
/// that answers 429 forever must not hold a request forever.
pub(crate) const MAX_SERVER_WAITS: u32 = 16;

impl Default for RetryConfig {
    /// Four attempts, 250 ms initial backoff, waits of up to [`DEFAULT_MAX_WAIT`] (120 s).
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(250),
            max_wait: DEFAULT_MAX_WAIT,
        }
    }
}

impl RetryConfig {
    /// One attempt, no retries.
    pub fn disabled() -> Self {
        Self::default().max_attempts(1)
    }

    /// Total attempts per request, the first included (at least 1). Waits the server asked for
    /// and 429s without a hint do not count against them.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff ceiling of the first retry; it doubles with every further attempt.
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// The longest acceptable wait (default [`DEFAULT_MAX_WAIT`]): a server asking for a longer
    /// one (`Retry-After`, a rate-limit reset) fails the request at once instead; it also bounds
    /// the total backoff of 429s without a hint, and how long the client holds a request for the
    /// quota's next window.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// The former name of [`RetryConfig::max_wait`].
    #[deprecated(since = "0.1.0", note = "renamed to `max_wait`")]
    pub fn max_delay(self, delay: Duration) -> Self {
        self.max_wait(delay)
    }

    /// Total attempts per request.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The longest acceptable wait.
    pub fn get_max_wait(&self) -> Duration {
        self.max_wait
    }

    /// The former name of [`RetryConfig::get_max_wait`].
    #[deprecated(since = "0.1.0", note = "renamed to `get_max_wait`")]
    pub fn get_max_delay(&self) -> Duration {
        self.max_wait
    }

    /// The wait before the attempt after `attempt` (1-based) failed; `server_wait` is the wait
    /// the server asked for, if any.
    pub(crate) fn delay(&self, attempt: u32, server_wait: Option<Duration>) -> Duration {
        if let Some(wait) = server_wait {
            let spread = (wait / 10).max(Duration::from_millis(100));
            return (wait + spread.mul_f64(fastrand::f64())).min(self.max_wait);
        }
        self.ceiling(attempt).mul_f64(fastrand::f64())
    }

    /// The wait after the `n`-th (1-based) 429 of a request that gave no hint: exponential with
    /// equal jitter (between half the ceiling and the ceiling), so that it does grow.
    pub(crate) fn throttle_backoff(&self, n: u32) -> Duration {
        let ceiling = self.ceiling(n);
        ceiling / 2 + (ceiling / 2).mul_f64(fastrand::f64())
    }

    fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        self.initial_backoff
            .saturating_mul(factor)
            .min(BACKOFF_STEP_CAP)
            .min(self.max_wait)
    }
}

/// Whether a response with this status is worth another attempt.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// Whether a failed exchange is worth another attempt: connection failures, timeouts and I/O
/// failures during the exchange; not invalid requests, redirect loops or decoding.
///
/// reqwest reports a body that fails mid-read (connection dropped, fewer bytes than
/// `Content-Length`) from `Response::chunk` as a *decode* error whose cause is the body error, so
/// the causes are searched for a body error too.
pub(crate) fn is_retryable_error(error: &reqwest::Error) -> bool {
    if error.is_timeout() || error.is_connect() || error.is_request() || error.is_body() {
        return true;
    }
    let mut cause = std::error::Error::source(error);
    while let Some(current) = cause {
        if current
            .downcast_ref::<reqwest::Error>()
            .is_some_and(|inner| inner.is_body() || inner.is_timeout())
        {
            return true;
        }
        cause = current.source();
    }
    false
}

/// The wait a response asks for, in the order the API documents it: the `Retry-After` header,
/// else the error body's `retryAfter` (seconds), else, for a 429, the rate-limit reset (any form
/// [`RateLimit`](crate::RateLimit) reads).
pub(crate) fn server_wait(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<Duration> {
    retry_after(headers)
        .or_else(|| crate::error_body::ErrorBody::parse(body)?.retry_after)
        .or_else(|| {
            (status == StatusCode::TOO_MANY_REQUESTS)
                .then(|| {
                    crate::rate_limit::RateLimit::from_headers(headers)
                        .reset_after(SystemTime::now())
                })
                .flatten()
        })
}

/// The `Retry-After` header, as a delay from now (RFC 9110: seconds or an HTTP-date).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_seconds_and_http_date() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("32"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(32)));

        let later = SystemTime::now() + Duration::from_secs(120);
        let date = httpdate::fmt_http_date(later);
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&date).unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120));

        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));

        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn the_servers_wait_comes_from_retry_after_then_the_body_then_the_reset() {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-ratelimit-reset",
            HeaderValue::from_str(&(now + 30).to_string()).unwrap(),
        );
        let wait = |headers: &HeaderMap, body: &[u8]| {
            server_wait(StatusCode::TOO_MANY_REQUESTS, headers, body)
        };
        let reset = wait(&headers, b"").unwrap();
        assert!(reset > Duration::from_secs(28) && reset <= Duration::from_secs(30));
        assert_eq!(
            server_wait(StatusCode::SERVICE_UNAVAILABLE, &headers, b""),
            None
        );
        let body = br#"{"error":"rate_limit_exceeded","retryAfter":12}"#;
        assert_eq!(wait(&headers, body), Some(Duration::from_secs(12)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(wait(&headers, body), Some(Duration::from_secs(7)));
        headers.clear();
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("45"));
        assert_eq!(wait(&headers, b"<html>"), Some(Duration::from_secs(45)));
    }

    #[test]
    fn the_servers_waits_are_jittered_and_capped() {
        let retry = RetryConfig::default().max_wait(Duration::from_secs(60));
        let second = Duration::from_secs(1);
        let delays: Vec<_> = (0..20).map(|_| retry.delay(1, Some(second))).collect();
        assert!(
            delays
                .iter()
                .all(|d| *d >= second && *d <= second + second / 5)
        );
        assert!(delays.iter().any(|d| *d != delays[0]), "{delays:?}");
        let retry = retry.max_wait(second);
        assert_eq!(retry.delay(1, Some(Duration::from_secs(30))), second);
    }

    #[test]
    fn backoff_is_jittered_and_capped() {
        let retry = RetryConfig::default()
            .initial_backoff(Duration::from_millis(100))
            .max_wait(Duration::from_secs(1));
        for attempt in 1..10 {
            let ceiling =
                (Duration::from_millis(100) * 2u32.pow(attempt - 1)).min(Duration::from_secs(1));
            let delays: Vec<Duration> = (0..200).map(|_| retry.delay(attempt, None)).collect();
            for delay in &delays {
                assert!(
                    *delay <= ceiling,
                    "attempt {attempt}: {delay:?} > {ceiling:?}"
                );
            }
            // Full jitter: the delays spread over the whole range below the ceiling, so that
            // throttled clients do not come back together.
            let (least, most) = (delays.iter().min().unwrap(), delays.iter().max().unwrap());
            assert!(
                *least < ceiling / 4 && *most > ceiling * 3 / 4,
                "attempt {attempt}: delays from {least:?} to {most:?} under {ceiling:?}"
            );
            let distinct: std::collections::BTreeSet<Duration> = delays.iter().copied().collect();
            assert!(
                distinct.len() > 150,
                "attempt {attempt}: {} distinct delays",
                distinct.len()
            );
        }
    }

    #[test]
    fn hintless_throttling_backs_off_between_half_the_ceiling_and_the_ceiling() {
        let retry = RetryConfig::default().initial_backoff(Duration::from_millis(100));
        for n in 1..6 {
            let ceiling = Duration::from_millis(100) * 2u32.pow(n - 1);
            for _ in 0..50 {
                let wait = retry.throttle_backoff(n);
                assert!(
                    wait >= ceiling / 2 && wait <= ceiling,
                    "throttle {n}: {wait:?} outside [{:?}, {ceiling:?}]",
                    ceiling / 2
                );
            }
        }
    }

    #[test]
    fn invalid_requests_are_not_retried() {
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(crate::tls::client_config().unwrap())
            .build()
            .unwrap();
        let error = client.get("not a url").build().unwrap_err();
        assert!(error.is_builder());
        assert!(!is_retryable_error(&error));
    }

    #[test]
    fn retryable_statuses() {
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(code).unwrap()));
        }
        for code in [400, 401, 403, 404, 405, 409, 422, 501] {
            assert!(!is_retryable_status(StatusCode::from_u16(code).unwrap()));
        }
    }

    #[test]
    #[allow(deprecated)]
    fn disabled_is_one_attempt_and_the_former_names_still_work() {
        assert_eq!(RetryConfig::disabled().get_max_attempts(), 1);
        assert_eq!(RetryConfig::default().max_attempts(0).get_max_attempts(), 1);
        let retry = RetryConfig::default().max_delay(Duration::from_secs(7));
        assert_eq!(retry.get_max_wait(), Duration::from_secs(7));
        assert_eq!(retry.get_max_delay(), Duration::from_secs(7));
    }
}
