//! The retry and classification policy: what one attempt's result means and what to do next, as
//! a plain synchronous function ([`classify`]) of the method, the attempt, and what the operation
//! has spent so far. No I/O, no clock and no randomness of its own (the caller passes the time
//! and a jitter draw), so that it is tested without HTTP over every status.
//!
//! **Reads** (`GET`, idempotent) retry every transient failure: the statuses of
//! [`transient_status`], connection failures, timeouts, bodies cut short.
//!
//! **Writes** (`POST`): the API's documented answers decide, in this one place.
//!
//! | the attempt ended in                                          | a write is          |
//! |---------------------------------------------------------------|---------------------|
//! | 200                                                           | applied             |
//! | 429, 503                                                      | not applied, retried |
//! | a failure before the request was sent (connecting failed)     | not applied, retried |
//! | any other 4xx (and 1xx, 3xx)                                  | not applied (rejected) |
//! | any other 2xx (202, 204, ...), any 5xx but 503 (500, 502, 504, 520, ...) | **outcome unknown** |
//! | a timeout or a dropped connection after sending, an unreadable answer | **outcome unknown** |
//!
//! *Outcome unknown* is never retried by the client: the caller re-sends the users named
//! (setting attendance twice has the effect of once).
//!
//! **Waiting.** Every wait of one operation for the rate limit (the quota's pacing, the waits the
//! server asked for, the backoff after 429s) counts against one budget,
//! [`RetryConfig::max_wait`](crate::RetryConfig::max_wait): a wait that would take the operation
//! past it is not started, the operation gives up at once ([`Stop::WaitBudget`]). The backoff
//! after other failures is bounded by the attempts instead. No wait passes the operation
//! deadline ([`Stop::Deadline`]).

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use crate::retry::{self, RetryConfig};

/// How many waits the server asked for one operation may take, whatever their length: a server
/// that asks for `Retry-After: 0` forever must not be asked forever.
pub(crate) const MAX_SERVER_WAITS: u32 = 16;

/// Whether a method may be repeated freely.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An idempotent method (`GET`).
    Read,
    /// A write (`POST`).
    Write,
}

impl Kind {
    pub(crate) fn of(method: &Method) -> Self {
        if method.is_idempotent() {
            Self::Read
        } else {
            Self::Write
        }
    }
}

/// What one attempt ended in.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Attempt<'a> {
    /// An answer, its body read in full.
    Answered {
        status: StatusCode,
        headers: &'a HeaderMap,
        body: &'a [u8],
    },
    /// An answer whose body could not be read (the connection dropped or timed out mid-body).
    BodyFailed { status: StatusCode },
    /// An answer whose body exceeds the size limit.
    TooLarge { status: StatusCode },
    /// Nothing was sent: connecting failed.
    NotSent,
    /// The request went out (or may have) and no answer came: a timeout, a dropped connection.
    Lost,
}

/// What the operation has spent so far, and its limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spent {
    /// Failed attempts that count against `max_attempts` (waits the server asked for and 429s
    /// without a hint do not).
    pub(crate) failures: u32,
    /// Waits the server asked for, so far.
    pub(crate) server_waits: u32,
    /// 429s without a hint, so far.
    pub(crate) throttles: u32,
    /// Time spent waiting so far (pacing, server-asked waits, backoff).
    pub(crate) waited: Duration,
    /// Time left until the operation deadline, when there is one.
    pub(crate) until_deadline: Option<Duration>,
}

/// What to do after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The answer is the operation's result.
    Done,
    /// Wait `after`, then send again.
    Retry {
        /// How long to wait.
        after: Duration,
        /// Why.
        why: Why,
    },
    /// Give up: the attempt's failure is the operation's error.
    GiveUp(Stop),
    /// A write that may have been applied: report its outcome as unknown, do not retry.
    Unknown,
}

/// Why a retry waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Why {
    /// The server asked (`Retry-After`, the body's `retryAfter`, the rate-limit reset).
    ServerAsked,
    /// A 429 without a hint: backing off.
    Throttled,
    /// A transient failure: backing off; it uses up one of the attempts.
    Failed,
}

/// Why an operation gives up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Not worth another attempt, or the attempts are used up.
    Final,
    /// The wait needed next (`asked`) would take the operation past its waiting budget.
    WaitBudget { asked: Duration },
    /// The wait needed next (`asked`) would take the operation past its deadline.
    Deadline { asked: Duration },
}

/// Statuses a read retries: they say nothing about the request itself. 408 and 425 (try again),
/// 429 and 503 (refused for now), 500, 502, 504 and a CDN's origin errors (520 to 527, 529, 530).
/// Never: other 4xx, 501, 505 and the other 5xx that describe a permanent condition.
pub(crate) fn transient_status(status: StatusCode) -> bool {
    matches!(
        status.as_u16(),
        408 | 425 | 429 | 500 | 502 | 503 | 504 | 520..=527 | 529 | 530
    )
}

/// Statuses that prove a write was refused without being processed: retried.
fn write_refused(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    )
}

/// What a write's answer with this status means: `Some(true)` applied, `Some(false)` not applied,
/// `None` unknown. The one statement of the write rule (see the module's table).
pub(crate) fn write_applied(status: StatusCode) -> Option<bool> {
    match status.as_u16() {
        200 => Some(true),
        _ if write_refused(status) => Some(false),
        201..=299 | 500..=599 => None,
        _ => Some(false),
    }
}

/// Decides what follows an attempt. `now` reads a reset given as an instant; `jitter` is a draw
/// from `0.0..1.0`.
pub(crate) fn classify(
    kind: Kind,
    attempt: Attempt<'_>,
    spent: &Spent,
    config: &RetryConfig,
    now: SystemTime,
    jitter: f64,
) -> Verdict {
    let status = match attempt {
        Attempt::Answered { status, .. }
        | Attempt::BodyFailed { status }
        | Attempt::TooLarge { status } => Some(status),
        Attempt::NotSent | Attempt::Lost => None,
    };
    // Writes: whatever the attempt, the write rule first.
    if kind == Kind::Write {
        match (attempt, status.map(write_applied)) {
            (Attempt::Answered { .. }, Some(Some(true))) => return Verdict::Done,
            // A refusal is a refusal, read to the end or not.
            (_, Some(Some(false))) if status.is_some_and(write_refused) => {}
            (_, Some(Some(false))) => return Verdict::GiveUp(Stop::Final),
            (Attempt::NotSent, _) => {}
            // Applied or unknown, but its answer unreadable; other 2xx, 5xx but 503; lost.
            _ => return Verdict::Unknown,
        }
    }
    let (hint, why) = match attempt {
        Attempt::Answered {
            status,
            headers,
            body,
        } => {
            if status.is_success() {
                return Verdict::Done;
            }
            if !transient_status(status) {
                return Verdict::GiveUp(Stop::Final);
            }
            let hint = retry::server_wait(status, headers, body, now);
            match hint {
                Some(_) => (hint, Why::ServerAsked),
                None if status == StatusCode::TOO_MANY_REQUESTS => (None, Why::Throttled),
                None => (None, Why::Failed),
            }
        }
        Attempt::TooLarge { .. } => return Verdict::GiveUp(Stop::Final),
        Attempt::BodyFailed { status } if !(status.is_success() || transient_status(status)) => {
            return Verdict::GiveUp(Stop::Final);
        }
        Attempt::BodyFailed { .. } | Attempt::NotSent | Attempt::Lost => (None, Why::Failed),
    };
    // Retries disabled: one attempt, whatever the server asks.
    if config.get_max_attempts() <= 1 {
        return Verdict::GiveUp(Stop::Final);
    }
    // The wait itself, and its jitter (which never makes an operation give up).
    let (wait, jittered) = match why {
        Why::ServerAsked => {
            if spent.server_waits >= MAX_SERVER_WAITS {
                return Verdict::GiveUp(Stop::Final);
            }
            let wait = hint.unwrap_or_default();
            (wait, wait + retry::spread(wait).mul_f64(jitter))
        }
        Why::Throttled => {
            let least = config.throttle_backoff(spent.throttles + 1, 0.0);
            (least, config.throttle_backoff(spent.throttles + 1, jitter))
        }
        Why::Failed => {
            if spent.failures + 1 >= config.get_max_attempts() {
                return Verdict::GiveUp(Stop::Final);
            }
            let wait = config.backoff(spent.failures + 1, jitter);
            (wait, wait)
        }
    };
    if spent.until_deadline.is_some_and(|left| wait > left) {
        return Verdict::GiveUp(Stop::Deadline { asked: wait });
    }
    // Backing off from a failure is not waiting for the rate limit: bounded by the attempts
    // (and the deadline), not by the waiting budget.
    let budget_left = match why {
        Why::Failed => Duration::MAX,
        Why::ServerAsked | Why::Throttled => config.get_max_wait().saturating_sub(spent.waited),
    };
    if wait > budget_left {
        return Verdict::GiveUp(Stop::WaitBudget { asked: wait });
    }
    let mut after = jittered.min(budget_left);
    if let Some(left) = spent.until_deadline {
        after = after.min(left);
    }
    // Timers tick in whole milliseconds (a sleep ends at the next tick): a whole number of them
    // keeps the wait within what was checked.
    let after = Duration::from_millis(after.as_millis() as u64);
    Verdict::Retry { after, why }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};

    fn fresh() -> Spent {
        Spent {
            failures: 0,
            server_waits: 0,
            throttles: 0,
            waited: Duration::ZERO,
            until_deadline: None,
        }
    }

    fn answered(kind: Kind, code: u16, headers: &HeaderMap, spent: &Spent) -> Verdict {
        let status = StatusCode::from_u16(code).unwrap();
        let attempt = Attempt::Answered {
            status,
            headers,
            body: b"",
        };
        classify(
            kind,
            attempt,
            spent,
            &RetryConfig::default(),
            SystemTime::now(),
            0.5,
        )
    }

    /// Every status from 100 to 599, for reads and writes, against the documented rule.
    #[test]
    fn every_status_for_reads_and_writes() {
        let none = HeaderMap::new();
        let mut asked = HeaderMap::new();
        asked.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        for code in 100..=599u16 {
            let status = StatusCode::from_u16(code).unwrap();
            for headers in [&none, &asked] {
                let read = answered(Kind::Read, code, headers, &fresh());
                let write = answered(Kind::Write, code, headers, &fresh());
                let retried = |v: Verdict| matches!(v, Verdict::Retry { .. });
                // Reads.
                match code {
                    200..=299 => assert_eq!(read, Verdict::Done, "GET {code}"),
                    408 | 425 | 429 | 500 | 502 | 503 | 504 | 520..=527 | 529 | 530 => {
                        assert!(retried(read), "GET {code}: {read:?}");
                    }
                    _ => assert_eq!(read, Verdict::GiveUp(Stop::Final), "GET {code}"),
                }
                // Writes.
                match code {
                    200 => assert_eq!(write, Verdict::Done, "POST {code}"),
                    429 | 503 => assert!(retried(write), "POST {code}: {write:?}"),
                    201..=299 | 500..=502 | 504..=599 => {
                        assert_eq!(write, Verdict::Unknown, "POST {code}");
                    }
                    _ => assert_eq!(write, Verdict::GiveUp(Stop::Final), "POST {code}"),
                }
                assert_eq!(
                    write_applied(status),
                    match code {
                        200 => Some(true),
                        201..=299 | 500..=502 | 504..=599 => None,
                        _ => Some(false),
                    },
                    "{code}"
                );
                if let Verdict::Retry { after, why } = read {
                    if headers.contains_key(RETRY_AFTER) {
                        assert_eq!(why, Why::ServerAsked, "GET {code}");
                        // 2 s plus a jitter of at most a tenth (at least 100 ms): half of it here.
                        assert_eq!(after, Duration::from_millis(2100), "GET {code}");
                    } else if code == 429 {
                        assert_eq!(why, Why::Throttled);
                    } else {
                        assert_eq!(why, Why::Failed, "GET {code}");
                    }
                }
            }
        }
    }

    #[test]
    fn failures_without_an_answer() {
        let config = RetryConfig::default();
        let now = SystemTime::now();
        let verdict = |kind, attempt| classify(kind, attempt, &fresh(), &config, now, 0.5);
        assert!(matches!(
            verdict(Kind::Read, Attempt::Lost),
            Verdict::Retry {
                why: Why::Failed,
                ..
            }
        ));
        assert!(matches!(
            verdict(Kind::Write, Attempt::NotSent),
            Verdict::Retry { .. }
        ));
        assert_eq!(verdict(Kind::Write, Attempt::Lost), Verdict::Unknown);
        let ok = StatusCode::OK;
        assert_eq!(
            verdict(Kind::Write, Attempt::BodyFailed { status: ok }),
            Verdict::Unknown
        );
        assert!(matches!(
            verdict(Kind::Read, Attempt::BodyFailed { status: ok }),
            Verdict::Retry { .. }
        ));
        // A refusal whose body broke is still a refusal.
        let refused = Attempt::BodyFailed {
            status: StatusCode::SERVICE_UNAVAILABLE,
        };
        assert!(matches!(
            verdict(Kind::Write, refused),
            Verdict::Retry { .. }
        ));
        let rejected = Attempt::BodyFailed {
            status: StatusCode::NOT_FOUND,
        };
        assert_eq!(verdict(Kind::Write, rejected), Verdict::GiveUp(Stop::Final));
        assert_eq!(verdict(Kind::Read, rejected), Verdict::GiveUp(Stop::Final));
        assert_eq!(
            verdict(Kind::Read, Attempt::TooLarge { status: ok }),
            Verdict::GiveUp(Stop::Final)
        );
        assert_eq!(
            verdict(Kind::Write, Attempt::TooLarge { status: ok }),
            Verdict::Unknown
        );
    }

    #[test]
    fn attempts_count_failures_but_not_waits() {
        let mut spent = fresh();
        let none = HeaderMap::new();
        spent.failures = 3;
        assert_eq!(
            answered(Kind::Read, 500, &none, &spent),
            Verdict::GiveUp(Stop::Final)
        );
        // The server's waits and hint-less 429s do not use up attempts.
        assert!(matches!(
            answered(Kind::Read, 429, &none, &spent),
            Verdict::Retry { .. }
        ));
        let mut asked = HeaderMap::new();
        asked.insert(RETRY_AFTER, HeaderValue::from_static("1"));
        assert!(matches!(
            answered(Kind::Read, 503, &asked, &spent),
            Verdict::Retry { .. }
        ));
        spent.server_waits = MAX_SERVER_WAITS;
        assert_eq!(
            answered(Kind::Read, 503, &asked, &spent),
            Verdict::GiveUp(Stop::Final)
        );
    }

    #[test]
    fn the_waiting_budget_and_the_deadline_bound_the_operation() {
        let config = RetryConfig::default().max_wait(Duration::from_secs(5));
        let mut asked = HeaderMap::new();
        asked.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        let attempt = Attempt::Answered {
            status: StatusCode::TOO_MANY_REQUESTS,
            headers: &asked,
            body: b"",
        };
        let now = SystemTime::now();
        let mut spent = fresh();
        spent.waited = Duration::from_secs(2);
        // 2 s waited + 2 s asked (no jitter drawn) fits in 5 s.
        assert_eq!(
            classify(Kind::Read, attempt, &spent, &config, now, 0.0),
            Verdict::Retry {
                after: Duration::from_secs(2),
                why: Why::ServerAsked
            }
        );
        spent.waited = Duration::from_millis(3500);
        assert_eq!(
            classify(Kind::Read, attempt, &spent, &config, now, 0.0),
            Verdict::GiveUp(Stop::WaitBudget {
                asked: Duration::from_secs(2)
            })
        );
        // A wait of its own longer than the whole budget: given up at once.
        let mut long = HeaderMap::new();
        long.insert(RETRY_AFTER, HeaderValue::from_static("3600"));
        let attempt = Attempt::Answered {
            status: StatusCode::TOO_MANY_REQUESTS,
            headers: &long,
            body: b"",
        };
        assert!(matches!(
            classify(Kind::Write, attempt, &fresh(), &config, now, 0.0),
            Verdict::GiveUp(Stop::WaitBudget { .. })
        ));
        spent = fresh();
        spent.until_deadline = Some(Duration::from_secs(1));
        let attempt = Attempt::Answered {
            status: StatusCode::TOO_MANY_REQUESTS,
            headers: &asked,
            body: b"",
        };
        assert_eq!(
            classify(Kind::Read, attempt, &spent, &config, now, 0.0),
            Verdict::GiveUp(Stop::Deadline {
                asked: Duration::from_secs(2)
            })
        );
        // Backing off from failures is bounded by the attempts, not the waiting budget.
        let none = HeaderMap::new();
        let failed = Attempt::Answered {
            status: StatusCode::BAD_GATEWAY,
            headers: &none,
            body: b"",
        };
        let mut spent = fresh();
        spent.waited = Duration::from_secs(5);
        assert!(matches!(
            classify(Kind::Read, failed, &spent, &config, now, 0.9),
            Verdict::Retry {
                why: Why::Failed,
                ..
            }
        ));
    }
}
