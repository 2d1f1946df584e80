//! The retry policy: which failures are retried, and how long to wait before the next attempt.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How requests are retried, and how long one operation may wait.
///
/// Reads (`GET`) retry the transient statuses (408, 425, 429, 500, 502, 503, 504 and a CDN's
/// 520 to 527, 529, 530), connection failures, timeouts and connections dropped mid-body.
/// Writes (`POST`) retry only 429, 503 and connections that failed before the request was sent;
/// an answer that does not say whether the write was applied (any other 2xx than 200, any 5xx but
/// 503, a timeout or a dropped connection after sending) is reported at once as
/// [`Error::UnknownOutcome`](crate::Error::UnknownOutcome), naming the users to re-send. Never
/// retried: other 4xx statuses and responses that do not decode.
///
/// **Waiting is not failing.** When the server says how long to wait (`Retry-After`, else the
/// JSON body's `retryAfter`, else for a 429 the rate-limit reset), the client waits that long plus
/// a jitter of up to a tenth of it (at least 100 ms), so that throttled requests do not all come
/// back at once, and the wait does not use up one of the `max_attempts`. A 429 without any hint
/// backs off exponentially (from `initial_backoff`, doubling, at most 15 s a step) without using
/// up attempts either. Other failures back off with full jitter (a random delay between zero and
/// `initial_backoff * 2^(n-1)`, at most 15 s) and count against `max_attempts`.
///
/// **One budget per operation.** [`max_wait`](Self::max_wait) bounds the total time one
/// operation (one page, one detail, one chunk of a bulk update) spends waiting for the rate
/// limit: the quota's pacing, the waits the server asked for and the backoff after 429s,
/// together. A wait that would take it past the budget is not started: the operation fails at
/// once with [`Error::WaitBudget`](crate::Error::WaitBudget), which says how long it waited and
/// how much more the server wanted. (The whole call, sends included, is bounded by
/// [`ClientBuilder::operation_timeout`](crate::ClientBuilder::operation_timeout).)
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

/// The default [`RetryConfig::max_wait`]: two minutes per operation, so that a minute-long window
/// (and a reset that rounds up past it) is waited for.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(120);

/// The longest step of a backoff the server gave no hint for.
const BACKOFF_STEP_CAP: Duration = Duration::from_secs(15);

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

    /// Total attempts per operation, the first included (at least 1). Waits the server asked for
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

    /// The waiting budget of one operation (default [`DEFAULT_MAX_WAIT`]): the most time one page,
    /// one detail or one chunk of a bulk update spends waiting for the rate limit, the quota's
    /// pacing, the server's `Retry-After` and the backoff after 429s together. Raise it for an
    /// hourly quota.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// Total attempts per operation.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The waiting budget of one operation.
    pub fn get_max_wait(&self) -> Duration {
        self.max_wait
    }

    /// The backoff after the `n`-th (1-based) failure: full jitter, `jitter` (a draw from
    /// `0.0..1.0`) of the ceiling `initial_backoff * 2^(n-1)`, at most 15 s.
    pub(crate) fn backoff(&self, n: u32, jitter: f64) -> Duration {
        self.ceiling(n).mul_f64(jitter)
    }

    /// The wait after the `n`-th (1-based) 429 of an operation that gave no hint: exponential with
    /// equal jitter (between half the ceiling and the ceiling), so that it does grow.
    pub(crate) fn throttle_backoff(&self, n: u32, jitter: f64) -> Duration {
        let ceiling = self.ceiling(n);
        ceiling / 2 + (ceiling / 2).mul_f64(jitter)
    }

    fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        self.initial_backoff
            .saturating_mul(factor)
            .min(BACKOFF_STEP_CAP)
    }
}

/// The spread of the jitter added to a wait the server asked for: a tenth of it, at least 100 ms.
pub(crate) fn spread(wait: Duration) -> Duration {
    (wait / 10).max(Duration::from_millis(100))
}

/// The wait a response asks for, in the order the API documents it: the `Retry-After` header,
/// else the error body's `retryAfter` (seconds), else, for a 429, the rate-limit reset (any form
/// [`RateLimit`](crate::RateLimit) reads).
pub(crate) fn server_wait(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Option<Duration> {
    retry_after(headers, now)
        .or_else(|| crate::error_body::ErrorBody::parse(body)?.retry_after)
        .or_else(|| {
            (status == StatusCode::TOO_MANY_REQUESTS)
                .then(|| crate::rate_limit::RateLimit::from_headers(headers).reset_after(now))
                .flatten()
        })
}

/// The `Retry-After` header, as a delay from now (RFC 9110: seconds or an HTTP-date).
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_seconds_and_http_date() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("32"));
        assert_eq!(
            retry_after(&headers, SystemTime::now()),
            Some(Duration::from_secs(32))
        );

        let later = SystemTime::now() + Duration::from_secs(120);
        let date = httpdate::fmt_http_date(later);
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&date).unwrap());
        let wait = retry_after(&headers, SystemTime::now()).unwrap();
        assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120));

        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(
            retry_after(&headers, SystemTime::now()),
            Some(Duration::ZERO)
        );

        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, SystemTime::now()), None);
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
            server_wait(
                StatusCode::TOO_MANY_REQUESTS,
                headers,
                body,
                SystemTime::now(),
            )
        };
        let reset = wait(&headers, b"").unwrap();
        assert!(reset > Duration::from_secs(28) && reset <= Duration::from_secs(30));
        assert_eq!(
            server_wait(
                StatusCode::SERVICE_UNAVAILABLE,
                &headers,
                b"",
                SystemTime::now()
            ),
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
    fn backoff_is_jittered_and_capped() {
        let retry = RetryConfig::default().initial_backoff(Duration::from_millis(100));
        for attempt in 1..10 {
            let ceiling =
                (Duration::from_millis(100) * 2u32.pow(attempt - 1)).min(Duration::from_secs(15));
            let delays: Vec<Duration> = (0..200)
                .map(|_| retry.backoff(attempt, fastrand::f64()))
                .collect();
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
                let wait = retry.throttle_backoff(n, fastrand::f64());
                assert!(
                    wait >= ceiling / 2 && wait <= ceiling,
                    "throttle {n}: {wait:?} outside [{:?}, {ceiling:?}]",
                    ceiling / 2
                );
            }
        }
    }

    #[test]
    fn disabled_is_one_attempt() {
        assert_eq!(RetryConfig::disabled().get_max_attempts(), 1);
        assert_eq!(RetryConfig::default().max_attempts(0).get_max_attempts(), 1);
    }
}
