//! Fault injection: what can go wrong ([`Faults`]) and when ([`Trigger`]), and the per-server
//! state that decides, request by request, which fault to inject.
//!
//! Faults apply to `GET /incoming/v2/meetings` requests that pass authentication and parameter
//! validation, except latency, which delays every meetings request. Requests are numbered from 1
//! in the order they reach fault evaluation; when several faults fire on one request, the first
//! in this order wins: rate limit (429), server error (5xx), connection drop, stalled body,
//! truncated body, empty body, JSON error object, drift.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use uuid::Uuid;

use crate::error::MockError;
use crate::rng::Rng;

/// Which requests a fault hits.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Trigger {
    /// Every request.
    Always,
    /// Requests number `n`, `2n`, `3n`, ... (`n >= 1`).
    EveryNth(u64),
    /// The first `n` requests, then none.
    FirstN(u64),
    /// The first `n` requests for each distinct (`page`, `courseId`), then none: a client that
    /// retries gets every page eventually.
    FirstPerPage(u64),
    /// Each request with probability `p` (`0.0..=1.0`), from the seeded generator of
    /// [`Faults::seed`] (deterministic for requests made one after another).
    Probability(f64),
}

/// Extra time before a meetings request is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Latency {
    /// Always this long.
    Fixed(Duration),
    /// Uniformly between `min` and `max` (inclusive, millisecond resolution), seeded.
    Range {
        /// Shortest delay.
        min: Duration,
        /// Longest delay.
        max: Duration,
    },
}

/// 429 Too Many Requests, with `Retry-After`, `X-RateLimit-Limit`, `X-RateLimit-Remaining`,
/// `X-RateLimit-Reset` and the body `{"error":"rate_limit_exceeded","message":"...","retryAfter":N}`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RateLimit {
    /// 429 whenever `trigger` fires.
    Triggered {
        /// Which requests are limited.
        trigger: Trigger,
        /// The `Retry-After` (and `retryAfter`) value, in seconds.
        retry_after_secs: u64,
        /// The `X-RateLimit-Limit` value.
        limit: u64,
    },
    /// A token bucket: `burst` requests at once, refilled at `per_second` requests a second.
    /// Successful responses then carry the `X-RateLimit-*` headers too, the reset in unix
    /// milliseconds (when the bucket is full again).
    TokenBucket {
        /// Tokens added per second (more than 0).
        per_second: f64,
        /// Capacity of the bucket (at least 1); the bucket starts full.
        burst: u32,
    },
    /// The vendor's per-key quota: `limit` requests per fixed `window` (windows aligned to
    /// multiples of `window` since the unix epoch, as fixed-window limiters do), counted across
    /// every operation, optionally with a burst limit. See [`Quota`].
    Quota(Quota),
}

/// A per-key quota of `limit` requests a `window`, for [`RateLimit::Quota`].
///
/// A request over the quota gets a 429 with `Retry-After` (seconds to the window's end, rounded
/// up) and `{"error":"rate_limit_exceeded","message":"...","retryAfter":N}`; refused requests are
/// not counted. `headers` says which responses carry the rate-limit headers and `reset_form` how
/// the reset is written.
///
/// ```
/// use std::time::Duration;
/// use thoughtindustries_mock::{Quota, QuotaHeaders, RateLimit, ResetForm};
///
/// // The vendor's standard plan: 120 a minute, bursts of 20.
/// let quota = Quota::new(120, Duration::from_secs(60))
///     .burst(20)
///     .reset_form(ResetForm::UnixMillis)
///     .headers(QuotaHeaders::EveryResponse);
/// # let _ = RateLimit::Quota(quota);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Quota {
    /// Requests allowed per window (at least 1).
    pub limit: u64,
    /// The window's length (at least 1 ms).
    pub window: Duration,
    /// At most this many requests at once: a token bucket of this capacity refilled at
    /// `limit / window`, on top of the window's count.
    pub burst: Option<u32>,
    /// How the reset is written.
    pub reset_form: ResetForm,
    /// Which responses carry the rate-limit headers.
    pub headers: QuotaHeaders,
}

impl Quota {
    /// `limit` requests a `window`, no burst limit, the headers on every response with the reset
    /// in unix seconds (the vendor's form).
    pub fn new(limit: u64, window: Duration) -> Self {
        Self {
            limit,
            window,
            burst: None,
            reset_form: ResetForm::UnixSeconds,
            headers: QuotaHeaders::EveryResponse,
        }
    }

    /// Sets [`Quota::burst`].
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = Some(burst);
        self
    }

    /// Sets [`Quota::reset_form`].
    pub fn reset_form(mut self, form: ResetForm) -> Self {
        self.reset_form = form;
        self
    }

    /// Sets [`Quota::headers`].
    pub fn headers(mut self, headers: QuotaHeaders) -> Self {
        self.headers = headers;
        self
    }
}

/// How a quota's reset is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ResetForm {
    /// `X-RateLimit-Reset` as a unix time in seconds (the vendor's form, `1716505260`).
    #[default]
    UnixSeconds,
    /// `X-RateLimit-Reset` as a unix time in milliseconds.
    UnixMillis,
    /// `X-RateLimit-Reset` as seconds until the reset (rounded up).
    DeltaSeconds,
    /// No `X-RateLimit-*`: the IETF draft's `RateLimit: "default";r=R;t=T` and
    /// `RateLimit-Policy: "default";q=Q;w=W`.
    Ietf,
    /// `X-RateLimit-Reset` as an HTTP-date (`Sun, 06 Dec 2026 04:10:02 GMT`), as some gateways
    /// write it.
    HttpDate,
    /// `X-RateLimit-Reset` as an ISO 8601 time in UTC (`2026-12-06T04:10:02Z`).
    Iso8601,
    /// `X-RateLimit-Limit` and `X-RateLimit-Remaining` without any `X-RateLimit-Reset`, as a
    /// proxy that drops it sends them (429s keep their `Retry-After`).
    Absent,
}

/// Which responses of a quota carry its headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum QuotaHeaders {
    /// Every response (successes and 429s): a client can pace itself.
    #[default]
    EveryResponse,
    /// Only the 429s (with `Retry-After`): a client learns the quota when refused.
    OnlyRefusals,
    /// None at all, and 429s without `Retry-After` or `retryAfter`: no hint anywhere.
    NoHint,
}

/// A 5xx answer.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerError {
    /// Which requests fail.
    pub trigger: Trigger,
    /// The status, 500 to 599 (for example 500, 502, 503 or 504).
    pub status: u16,
    /// Answer with a proxy's HTML error page (`text/html`) instead of an `ErrorBody` JSON.
    pub html: bool,
}

/// A contract drift: a 200 whose body has `value` at `pointer` (for example `42` at
/// `/data/Meetings/meetings/0/course/title`, a number where the spec says string, or a field the
/// spec does not describe, such as `/data/Meetings/meetings/*/recordingUrl`).
///
/// The member is replaced when it exists, added when its parent object exists, and the body is
/// left unchanged otherwise (for example on an empty page). A `*` segment stands for every
/// element of an array (every meeting, every attendee) or every member of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Drift {
    /// An RFC 6901 JSON pointer into the response body.
    pub pointer: String,
    /// The value to put there.
    pub value: Value,
    /// Which requests get the drifted body.
    pub trigger: Trigger,
}

/// How attendance writes are answered when [`Faults::write_answer`] fires: the write is applied,
/// then answered with `status` instead of 200, as a server that accepts writes for later (202), a
/// proxy that strips the body (204) or a CDN whose origin timed out after committing (520 to 527)
/// does.
#[derive(Clone, Debug, PartialEq)]
pub struct WriteAnswer {
    /// Which writes are answered so.
    pub trigger: Trigger,
    /// The status: 201 to 299 but 200, or 500 to 599 (5xx answers carry a CDN's HTML page).
    pub status: u16,
}

/// Faults a mock server injects. The default injects none.
///
/// ```
/// use std::time::Duration;
/// use thoughtindustries_mock::{Faults, Latency, RateLimit, Trigger};
///
/// let faults = Faults {
///     latency: Some(Latency::Fixed(Duration::from_millis(20))),
///     rate_limit: Some(RateLimit::Triggered {
///         trigger: Trigger::FirstPerPage(1),
///         retry_after_secs: 0,
///         limit: 60,
///     }),
///     ..Faults::default()
/// };
/// # let _ = faults;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Seed of the random choices (probabilities, latency ranges).
    pub seed: u64,
    /// Delay before answering each meetings request.
    pub latency: Option<Latency>,
    /// 429 answers.
    pub rate_limit: Option<RateLimit>,
    /// 5xx answers.
    pub server_error: Option<ServerError>,
    /// Close the connection without sending a response.
    pub drop_connection: Option<Trigger>,
    /// Send the status and headers (with the full `Content-Length`), then no body until the
    /// client gives up or the server shuts down.
    pub stall_body: Option<Trigger>,
    /// Send the full `Content-Length` but only the first half of the body, then close the
    /// connection.
    pub truncate_body: Option<Trigger>,
    /// 200 with an empty body.
    pub empty_body: Option<Trigger>,
    /// 200 whose body is an error object, `{"error":"internal_error","message":"..."}`.
    pub error_object: Option<Trigger>,
    /// 200s whose bodies carry values the spec does not expect: of the wrong type, or where it
    /// describes nothing. Each applies when its trigger fires, in order.
    pub drift: Vec<Drift>,
    /// Attendance writes applied, then answered with another status than 200.
    pub write_answer: Option<WriteAnswer>,
    /// `hasMore` is always `true`, also on the empty pages past the end.
    pub has_more_forever: bool,
    /// Ignore the `page` parameter and always serve page 1, as a misconfigured proxy or server
    /// does (with [`has_more_forever`](Self::has_more_forever), an endless listing of one page).
    pub ignore_page: bool,
    /// Answer every request with this status and a body that echoes the request back (method,
    /// URL, every header, `Authorization` included, and the body), as a gateway's debug page
    /// (400), a JSON error object (401, 429) or an HTML page (any other status): a proxy or
    /// gateway that echoes requests, for checking that a client never shows the secrets it sent.
    pub echo: Option<u16>,
}

/// The kinds of injected fault, as counted in [`Stats::faults`](crate::Stats::faults).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// A request was delayed.
    Latency,
    /// A 429 was sent.
    RateLimited,
    /// A 5xx was sent.
    ServerError,
    /// A connection was closed without a response.
    DroppedConnection,
    /// A body stalled after the headers.
    StalledBody,
    /// A body was cut short.
    TruncatedBody,
    /// A 200 with an empty body was sent.
    EmptyBody,
    /// A 200 with an error object was sent.
    ErrorObject,
    /// A drifted body was sent.
    Drift,
    /// An applied write was answered with another status than 200.
    WriteAnswer,
}

/// The fault chosen for one request (besides latency).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Decision {
    /// Serve the page normally.
    Serve,
    /// 429 with this `Retry-After` (none: no hint) and these rate-limit headers (none: none).
    RateLimited {
        retry_after_secs: Option<u64>,
        quota: Option<Granted>,
    },
    /// A 5xx.
    ServerError {
        status: u16,
        html: bool,
    },
    DropConnection,
    StallBody,
    TruncateBody,
    EmptyBody,
    ErrorObject,
    /// Serve the page with these drifts (indices into [`Faults::drift`]).
    Drift(Vec<usize>),
}

impl Decision {
    /// The kind counted in the stats.
    pub(crate) fn kind(&self) -> Option<FaultKind> {
        Some(match self {
            Self::Serve => return None,
            Self::RateLimited { .. } => FaultKind::RateLimited,
            Self::ServerError { .. } => FaultKind::ServerError,
            Self::DropConnection => FaultKind::DroppedConnection,
            Self::StallBody => FaultKind::StalledBody,
            Self::TruncateBody => FaultKind::TruncatedBody,
            Self::EmptyBody => FaultKind::EmptyBody,
            Self::ErrorObject => FaultKind::ErrorObject,
            Self::Drift(_) => FaultKind::Drift,
        })
    }
}

/// The rate-limit headers of a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Granted {
    pub limit: u64,
    pub remaining: u64,
    /// When the window resets.
    pub reset: SystemTime,
    pub form: ResetForm,
    /// The window's length, for the IETF policy field.
    pub window: Duration,
}

impl Granted {
    /// Headers in the vendor's form, the reset `reset_after_secs` from now.
    fn vendor(limit: u64, remaining: u64, reset_after_secs: u64) -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self {
            limit,
            remaining,
            reset: UNIX_EPOCH + Duration::from_secs(now + reset_after_secs),
            form: ResetForm::UnixSeconds,
            window: Duration::from_secs(reset_after_secs.max(1)),
        }
    }
}

/// A fixed-window quota's state.
#[derive(Debug)]
struct Windowed {
    quota: Quota,
    bucket: Option<Bucket>,
    /// The window's index (unix time / window) and the requests counted in it.
    count: Mutex<(u128, u64)>,
}

impl Windowed {
    /// Counts a request, or refuses it: `Ok` with the headers to send on its answer (when the
    /// quota sends them), `Err` with the 429's `Retry-After` and headers.
    #[allow(clippy::type_complexity)]
    fn take(&self) -> Result<Option<Granted>, (Option<u64>, Option<Granted>)> {
        let window_ms = self.quota.window.as_millis().max(1);
        let now = SystemTime::now();
        let now_ms = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let index = now_ms / window_ms;
        let end_ms = (index + 1) * window_ms;
        let reset = UNIX_EPOCH + Duration::from_millis(u64::try_from(end_ms).unwrap_or(u64::MAX));
        let headers = |remaining: u64| Granted {
            limit: self.quota.limit,
            remaining,
            reset,
            form: self.quota.reset_form,
            window: self.quota.window,
        };
        let hint = self.quota.headers != QuotaHeaders::NoHint;
        let mut count = self.count.lock().unwrap_or_else(|e| e.into_inner());
        if count.0 != index {
            *count = (index, 0);
        }
        let to_reset = u64::try_from((end_ms - now_ms).div_ceil(1000)).unwrap_or(u64::MAX);
        if count.1 >= self.quota.limit {
            return Err((hint.then_some(to_reset.max(1)), hint.then(|| headers(0))));
        }
        if let Some(bucket) = &self.bucket
            && let Err(wait) = bucket.take()
        {
            let left = self.quota.limit - count.1;
            return Err((hint.then_some(wait), hint.then(|| headers(left))));
        }
        count.1 += 1;
        let left = self.quota.limit - count.1;
        Ok((self.quota.headers == QuotaHeaders::EveryResponse).then(|| headers(left)))
    }
}

/// Identifies a page for [`Trigger::FirstPerPage`].
type PageKey = (u64, Option<Uuid>);

/// A trigger with its per-page counters.
#[derive(Debug)]
struct Armed {
    trigger: Trigger,
    per_page: Mutex<HashMap<PageKey, u64>>,
}

impl Armed {
    fn new(trigger: &Trigger) -> Self {
        Self {
            trigger: trigger.clone(),
            per_page: Mutex::new(HashMap::new()),
        }
    }

    fn fires(&self, ordinal: u64, page: PageKey, rng: &Mutex<Rng>) -> bool {
        match self.trigger {
            Trigger::Always => true,
            Trigger::EveryNth(n) => ordinal.is_multiple_of(n),
            Trigger::FirstN(n) => ordinal <= n,
            Trigger::FirstPerPage(n) => {
                let mut seen = self.per_page.lock().unwrap_or_else(|e| e.into_inner());
                let count = seen.entry(page).or_insert(0);
                *count += 1;
                *count <= n
            }
            Trigger::Probability(p) => rng.lock().unwrap_or_else(|e| e.into_inner()).chance(p),
        }
    }
}

/// Token bucket state.
#[derive(Debug)]
struct Bucket {
    per_second: f64,
    burst: u32,
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    /// Takes a token, or says how long until one is available.
    fn take(&self) -> Result<Granted, u64> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let elapsed = now.duration_since(state.1).as_secs_f64();
        state.0 = (state.0 + elapsed * self.per_second).min(f64::from(self.burst));
        state.1 = now;
        if state.0 >= 1.0 {
            state.0 -= 1.0;
            let full_after = (f64::from(self.burst) - state.0) / self.per_second;
            // The reset in unix milliseconds: when the bucket is full again.
            Ok(Granted {
                limit: u64::from(self.burst),
                remaining: state.0.floor() as u64,
                reset: SystemTime::now() + Duration::from_secs_f64(full_after),
                form: ResetForm::UnixMillis,
                window: Duration::from_secs_f64(f64::from(self.burst) / self.per_second),
            })
        } else {
            Err((((1.0 - state.0) / self.per_second).ceil() as u64).max(1))
        }
    }
}

/// A server's fault state.
#[derive(Debug)]
pub(crate) struct FaultState {
    latency: Option<Latency>,
    rate_limit: Option<(Armed, u64, u64)>,
    bucket: Option<Bucket>,
    windowed: Option<Windowed>,
    server_error: Option<(Armed, u16, bool)>,
    drop_connection: Option<Armed>,
    stall_body: Option<Armed>,
    truncate_body: Option<Armed>,
    empty_body: Option<Armed>,
    error_object: Option<Armed>,
    drift: Vec<(Armed, String, Value)>,
    write_answer: Option<(Armed, u16)>,
    writes: Mutex<u64>,
    pub(crate) has_more_forever: bool,
    pub(crate) ignore_page: bool,
    pub(crate) echo: Option<axum::http::StatusCode>,
    rng: Mutex<Rng>,
    ordinal: Mutex<u64>,
}

fn check_trigger(trigger: &Trigger, what: &str) -> Result<(), MockError> {
    match trigger {
        Trigger::EveryNth(0) => Err(MockError::InvalidConfig(format!(
            "{what}: EveryNth needs n >= 1"
        ))),
        Trigger::Probability(p) if !(0.0..=1.0).contains(p) => Err(MockError::InvalidConfig(
            format!("{what}: probability {p} is outside 0..=1"),
        )),
        _ => Ok(()),
    }
}

impl FaultState {
    /// Validates `faults` and arms them.
    pub(crate) fn new(faults: &Faults) -> Result<Self, MockError> {
        let arm = |trigger: &Option<Trigger>, what: &str| -> Result<Option<Armed>, MockError> {
            trigger
                .as_ref()
                .map(|trigger| check_trigger(trigger, what).map(|()| Armed::new(trigger)))
                .transpose()
        };
        if let Some(Latency::Range { min, max }) = faults.latency
            && min > max
        {
            return Err(MockError::InvalidConfig(
                "latency range: min is above max".into(),
            ));
        }
        let mut windowed = None;
        let (rate_limit, bucket) = match &faults.rate_limit {
            None => (None, None),
            Some(RateLimit::Quota(quota)) => {
                if quota.limit == 0 || quota.window < Duration::from_millis(1) {
                    return Err(MockError::InvalidConfig(
                        "quota: limit must be >= 1 and the window at least 1 ms".into(),
                    ));
                }
                let bucket = match quota.burst {
                    Some(0) => {
                        return Err(MockError::InvalidConfig("quota: burst must be >= 1".into()));
                    }
                    Some(burst) => Some(Bucket {
                        per_second: quota.limit as f64 / quota.window.as_secs_f64(),
                        burst,
                        state: Mutex::new((f64::from(burst), Instant::now())),
                    }),
                    None => None,
                };
                windowed = Some(Windowed {
                    quota: quota.clone(),
                    bucket,
                    count: Mutex::new((0, 0)),
                });
                (None, None)
            }
            Some(RateLimit::Triggered {
                trigger,
                retry_after_secs,
                limit,
            }) => {
                check_trigger(trigger, "rate_limit")?;
                (Some((Armed::new(trigger), *retry_after_secs, *limit)), None)
            }
            Some(RateLimit::TokenBucket { per_second, burst }) => {
                if !(*per_second > 0.0 && per_second.is_finite()) || *burst == 0 {
                    return Err(MockError::InvalidConfig(
                        "token bucket: per_second must be > 0 and burst >= 1".into(),
                    ));
                }
                let bucket = Bucket {
                    per_second: *per_second,
                    burst: *burst,
                    state: Mutex::new((f64::from(*burst), Instant::now())),
                };
                (None, Some(bucket))
            }
        };
        let server_error = match &faults.server_error {
            None => None,
            Some(error) => {
                check_trigger(&error.trigger, "server_error")?;
                if !(500..=599).contains(&error.status) {
                    return Err(MockError::InvalidConfig(format!(
                        "server_error: status {} is not 5xx",
                        error.status
                    )));
                }
                Some((Armed::new(&error.trigger), error.status, error.html))
            }
        };
        let mut drift = Vec::new();
        for each in &faults.drift {
            check_trigger(&each.trigger, "drift")?;
            if !(each.pointer.is_empty() || each.pointer.starts_with('/')) {
                return Err(MockError::InvalidConfig(format!(
                    "drift: {:?} is not a JSON pointer",
                    each.pointer
                )));
            }
            drift.push((
                Armed::new(&each.trigger),
                each.pointer.clone(),
                each.value.clone(),
            ));
        }
        let write_answer = match &faults.write_answer {
            None => None,
            Some(answer) => {
                check_trigger(&answer.trigger, "write_answer")?;
                if !matches!(answer.status, 201..=299 | 500..=599) {
                    return Err(MockError::InvalidConfig(format!(
                        "write_answer: status {} is neither a 2xx but 200 nor a 5xx",
                        answer.status
                    )));
                }
                Some((Armed::new(&answer.trigger), answer.status))
            }
        };
        let echo = faults
            .echo
            .map(|status| {
                axum::http::StatusCode::from_u16(status).map_err(|_| {
                    MockError::InvalidConfig(format!("echo: {status} is not an HTTP status"))
                })
            })
            .transpose()?;
        Ok(Self {
            echo,
            write_answer,
            writes: Mutex::new(0),
            latency: faults.latency,
            rate_limit,
            bucket,
            windowed,
            server_error,
            drop_connection: arm(&faults.drop_connection, "drop_connection")?,
            stall_body: arm(&faults.stall_body, "stall_body")?,
            truncate_body: arm(&faults.truncate_body, "truncate_body")?,
            empty_body: arm(&faults.empty_body, "empty_body")?,
            error_object: arm(&faults.error_object, "error_object")?,
            drift,
            has_more_forever: faults.has_more_forever,
            ignore_page: faults.ignore_page,
            rng: Mutex::new(Rng::new(faults.seed)),
            ordinal: Mutex::new(0),
        })
    }

    /// The delay for the next meetings request, if any.
    pub(crate) fn latency(&self) -> Option<Duration> {
        match self.latency? {
            Latency::Fixed(delay) => Some(delay),
            Latency::Range { min, max } => {
                let (lo, hi) = (min.as_millis() as u64, max.as_millis() as u64);
                let millis = self
                    .rng
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .range(lo, hi);
                Some(Duration::from_millis(millis))
            }
        }
    }

    /// Decides the fault of the next request, for `page` of `course_id`, and the rate-limit
    /// quota to report when a token bucket let it through.
    pub(crate) fn decide(&self, page: u64, course_id: Option<Uuid>) -> (Decision, Option<Granted>) {
        let ordinal = {
            let mut ordinal = self.ordinal.lock().unwrap_or_else(|e| e.into_inner());
            *ordinal += 1;
            *ordinal
        };
        let key = (page, course_id);
        let fires = |armed: &Option<Armed>| {
            armed
                .as_ref()
                .is_some_and(|armed| armed.fires(ordinal, key, &self.rng))
        };
        let mut quota = None;
        if let Some(bucket) = &self.bucket {
            match bucket.take() {
                Ok(granted) => quota = Some(granted),
                Err(wait) => {
                    let decision = Decision::RateLimited {
                        retry_after_secs: Some(wait),
                        quota: Some(Granted::vendor(u64::from(bucket.burst), 0, wait)),
                    };
                    return (decision, None);
                }
            }
        }
        if let Some(windowed) = &self.windowed {
            match windowed.take() {
                Ok(granted) => quota = granted,
                Err((retry_after_secs, quota)) => {
                    let decision = Decision::RateLimited {
                        retry_after_secs,
                        quota,
                    };
                    return (decision, None);
                }
            }
        }
        if let Some((armed, retry_after_secs, limit)) = &self.rate_limit
            && armed.fires(ordinal, key, &self.rng)
        {
            let decision = Decision::RateLimited {
                retry_after_secs: Some(*retry_after_secs),
                quota: Some(Granted::vendor(*limit, 0, *retry_after_secs)),
            };
            return (decision, None);
        }
        if let Some((armed, status, html)) = &self.server_error
            && armed.fires(ordinal, key, &self.rng)
        {
            let decision = Decision::ServerError {
                status: *status,
                html: *html,
            };
            return (decision, None);
        }
        // Every drift's trigger is asked (so that counting triggers count every request).
        let drifts: Vec<usize> = self
            .drift
            .iter()
            .enumerate()
            .filter(|(_, (armed, _, _))| armed.fires(ordinal, key, &self.rng))
            .map(|(i, _)| i)
            .collect();
        let decision = if fires(&self.drop_connection) {
            Decision::DropConnection
        } else if fires(&self.stall_body) {
            Decision::StallBody
        } else if fires(&self.truncate_body) {
            Decision::TruncateBody
        } else if fires(&self.empty_body) {
            Decision::EmptyBody
        } else if fires(&self.error_object) {
            Decision::ErrorObject
        } else if !drifts.is_empty() {
            Decision::Drift(drifts)
        } else {
            Decision::Serve
        };
        (decision, quota)
    }

    /// The status to answer an applied write with instead of 200, when [`Faults::write_answer`]
    /// fires for it.
    pub(crate) fn write_answer(&self) -> Option<u16> {
        let (armed, status) = self.write_answer.as_ref()?;
        let ordinal = {
            let mut writes = self.writes.lock().unwrap_or_else(|e| e.into_inner());
            *writes += 1;
            *writes
        };
        armed
            .fires(ordinal, (ordinal, None), &self.rng)
            .then_some(*status)
    }

    /// Applies the drifts `which` (indices into the configured ones) to a body.
    pub(crate) fn drift(&self, which: &[usize], body: &[u8]) -> Vec<u8> {
        let Ok(mut json) = serde_json::from_slice::<Value>(body) else {
            return body.to_vec();
        };
        for (_, pointer, value) in which.iter().filter_map(|&i| self.drift.get(i)) {
            let segments: Vec<String> = pointer
                .split('/')
                .skip(1)
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect();
            put(&mut json, &segments, value);
        }
        serde_json::to_vec(&json).unwrap_or_else(|_| body.to_vec())
    }
}

/// Puts `value` at `segments` under `json` (`*`: every element or member), replacing a member
/// that exists or adding it to an object that exists.
fn put(json: &mut Value, segments: &[String], value: &Value) {
    let Some((first, rest)) = segments.split_first() else {
        *json = value.clone();
        return;
    };
    match json {
        Value::Array(items) if first == "*" => {
            for item in items {
                put(item, rest, value);
            }
        }
        Value::Object(members) if first == "*" && !members.contains_key("*") => {
            for member in members.values_mut() {
                put(member, rest, value);
            }
        }
        Value::Array(items) => {
            if let Some(item) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                put(item, rest, value);
            }
        }
        Value::Object(members) => match members.get_mut(first.as_str()) {
            Some(member) => put(member, rest, value),
            None if rest.is_empty() => {
                members.insert(first.clone(), value.clone());
            }
            None => {}
        },
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(faults: Faults) -> FaultState {
        FaultState::new(&faults).expect("valid faults")
    }

    #[test]
    fn triggers_fire_as_documented() {
        let every_third = state(Faults {
            empty_body: Some(Trigger::EveryNth(3)),
            ..Faults::default()
        });
        let fired: Vec<bool> = (0..6)
            .map(|_| every_third.decide(1, None).0 == Decision::EmptyBody)
            .collect();
        assert_eq!(fired, [false, false, true, false, false, true]);

        let per_page = state(Faults {
            error_object: Some(Trigger::FirstPerPage(2)),
            ..Faults::default()
        });
        let fired: Vec<bool> = [1, 1, 1, 2, 2, 2]
            .iter()
            .map(|&page| per_page.decide(page, None).0 == Decision::ErrorObject)
            .collect();
        assert_eq!(fired, [true, true, false, true, true, false]);

        let first = state(Faults {
            stall_body: Some(Trigger::FirstN(1)),
            ..Faults::default()
        });
        assert_eq!(first.decide(1, None).0, Decision::StallBody);
        assert_eq!(first.decide(1, None).0, Decision::Serve);
    }

    #[test]
    fn probability_is_seeded() {
        let run = || {
            let faults = state(Faults {
                seed: 9,
                drop_connection: Some(Trigger::Probability(0.5)),
                ..Faults::default()
            });
            (0..64)
                .map(|_| faults.decide(1, None).0 == Decision::DropConnection)
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        assert!(first.iter().any(|&x| x) && first.iter().any(|&x| !x));
    }

    #[test]
    fn token_bucket_limits_bursts() {
        let faults = state(Faults {
            rate_limit: Some(RateLimit::TokenBucket {
                per_second: 0.5,
                burst: 2,
            }),
            ..Faults::default()
        });
        let (first, quota) = faults.decide(1, None);
        assert_eq!(first, Decision::Serve);
        assert_eq!(quota.map(|q| (q.limit, q.remaining)), Some((2, 1)));
        assert_eq!(faults.decide(1, None).0, Decision::Serve);
        assert!(matches!(
            faults.decide(1, None).0,
            Decision::RateLimited {
                retry_after_secs: Some(2),
                ..
            }
        ));
    }

    #[test]
    fn a_quota_counts_requests_per_window() {
        let faults = state(Faults {
            rate_limit: Some(RateLimit::Quota(Quota::new(3, Duration::from_secs(3600)))),
            ..Faults::default()
        });
        let remaining: Vec<_> = (0..3)
            .map(|_| faults.decide(1, None).1.map(|q| (q.limit, q.remaining)))
            .collect();
        assert_eq!(remaining, [Some((3, 2)), Some((3, 1)), Some((3, 0))]);
        let (refused, _) = faults.decide(2, None);
        let Decision::RateLimited {
            retry_after_secs: Some(wait),
            quota: Some(quota),
        } = refused
        else {
            panic!("{refused:?}")
        };
        assert!((1..=3600).contains(&wait));
        assert_eq!(quota.remaining, 0);

        let silent = state(Faults {
            rate_limit: Some(RateLimit::Quota(
                Quota::new(1, Duration::from_secs(3600)).headers(QuotaHeaders::NoHint),
            )),
            ..Faults::default()
        });
        assert_eq!(silent.decide(1, None), (Decision::Serve, None));
        assert_eq!(
            silent.decide(1, None).0,
            Decision::RateLimited {
                retry_after_secs: None,
                quota: None
            }
        );
    }

    #[test]
    fn invalid_faults_are_rejected() {
        for faults in [
            Faults {
                server_error: Some(ServerError {
                    trigger: Trigger::Always,
                    status: 404,
                    html: false,
                }),
                ..Faults::default()
            },
            Faults {
                empty_body: Some(Trigger::EveryNth(0)),
                ..Faults::default()
            },
            Faults {
                truncate_body: Some(Trigger::Probability(1.5)),
                ..Faults::default()
            },
        ] {
            assert!(FaultState::new(&faults).is_err());
        }
    }

    #[test]
    fn write_answers_fire_as_triggered_and_only_for_unclear_statuses() {
        let every_other = state(Faults {
            write_answer: Some(WriteAnswer {
                trigger: Trigger::EveryNth(2),
                status: 202,
            }),
            ..Faults::default()
        });
        let answers: Vec<_> = (0..4).map(|_| every_other.write_answer()).collect();
        assert_eq!(answers, [None, Some(202), None, Some(202)]);
        assert_eq!(state(Faults::default()).write_answer(), None);
        for status in [200, 404, 429, 199] {
            let faults = Faults {
                write_answer: Some(WriteAnswer {
                    trigger: Trigger::Always,
                    status,
                }),
                ..Faults::default()
            };
            assert!(FaultState::new(&faults).is_err(), "{status}");
        }
    }

    #[test]
    fn drift_replaces_or_adds() {
        let faults = state(Faults {
            drift: vec![Drift {
                pointer: "/a/b".into(),
                value: Value::from(42),
                trigger: Trigger::Always,
            }],
            ..Faults::default()
        });
        assert_eq!(
            faults.drift(&[0], br#"{"a":{"b":"x"}}"#),
            br#"{"a":{"b":42}}"#
        );
        assert_eq!(faults.drift(&[0], br#"{"a":{}}"#), br#"{"a":{"b":42}}"#);
        assert_eq!(faults.drift(&[0], br#"{"c":1}"#), br#"{"c":1}"#);
    }

    #[test]
    fn drift_stars_reach_every_element_and_several_apply_in_order() {
        let drift = |pointer: &str, value: Value| Drift {
            pointer: pointer.into(),
            value,
            trigger: Trigger::Always,
        };
        let faults = state(Faults {
            drift: vec![
                drift("/m/*/people/*/pronouns", Value::from("they")),
                drift("/m/0/url", Value::from("https://x.example")),
                drift("/m/*/missing/x", Value::from(1)),
            ],
            ..Faults::default()
        });
        let body = br#"{"m":[{"people":[{},{"id":1}]},{"people":[]}]}"#;
        let drifted: Value = serde_json::from_slice(&faults.drift(&[0, 1, 2], body)).unwrap();
        assert_eq!(
            drifted,
            serde_json::json!({"m": [
                {"people": [{"pronouns": "they"}, {"id": 1, "pronouns": "they"}],
                 "url": "https://x.example"},
                {"people": []}
            ]})
        );
        let (decision, _) = faults.decide(1, None);
        assert_eq!(decision, Decision::Drift(vec![0, 1, 2]));
    }
}
