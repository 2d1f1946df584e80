//! Pacing under the tenant's quota: one budget per client, shared by every operation and every
//! concurrent page, fed by the rate-limit headers of every response (success and error) and asked
//! before each attempt.
//!
//! The budget of the current window is the quota (`X-RateLimit-Limit`, or the IETF policy's `q`)
//! minus the larger of what this client sent in the window and what the server says was used
//! (`limit - remaining`: that includes other processes sharing the key). When it is spent, the
//! next requests are held until the window resets (`X-RateLimit-Reset` in any of its forms, or the
//! IETF `t`), so that a server that tells the truth never has to refuse one. The windows are
//! counted in generations: a response only updates the budget of the window its request was
//! admitted in, so late answers of the previous window do not spend the new one. With no
//! rate-limit headers at all nothing is held.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::rate_limit::RateLimit;

/// Sent after the reset instant, so that the request reaches a server whose window has turned.
const MARGIN: Duration = Duration::from_millis(25);

/// A reset this much later than the known one is the next window's.
const NEWER_WINDOW: Duration = Duration::from_millis(500);

/// Why the client is holding requests back, for [`QuotaWait`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitReason {
    /// The window's budget is spent: waiting for the window to reset.
    WindowReset,
    /// The server answered 429 (or 503) and said how long to wait (`Retry-After`, the body's
    /// `retryAfter`, the rate-limit reset).
    ServerAsked,
    /// The server answered 429 without saying how long to wait: backing off.
    Backoff,
}

/// A pause the client takes for the tenant's quota, reported to the hook of
/// [`ClientBuilder::on_quota_wait`](crate::ClientBuilder::on_quota_wait) once per pause (not
/// once per held request). Its `Display` is a line for people, like `rate limit: 0 of 120 left,
/// waiting 23 s for the window to reset`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QuotaWait {
    /// How long the requests are held.
    pub wait: Duration,
    /// Requests left in the window, as the server last said.
    pub remaining: Option<u64>,
    /// The window's quota, as the server last said.
    pub limit: Option<u64>,
    /// Why.
    pub reason: WaitReason,
}

impl std::fmt::Display for QuotaWait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let seconds = self.wait.as_secs_f64();
        let wait = if seconds < 10.0 {
            format!("{seconds:.1} s")
        } else {
            format!("{} s", seconds.ceil())
        };
        f.write_str("rate limit: ")?;
        match (self.remaining, self.limit) {
            (Some(remaining), Some(limit)) => write!(f, "{remaining} of {limit} left, ")?,
            (Some(remaining), None) => write!(f, "{remaining} left, ")?,
            _ => {}
        }
        match self.reason {
            WaitReason::WindowReset => write!(f, "waiting {wait} for the window to reset"),
            WaitReason::ServerAsked => {
                write!(f, "refused (429), waiting {wait} as the server asked")
            }
            WaitReason::Backoff => write!(f, "refused (429) without a hint, backing off {wait}"),
        }
    }
}

/// The hook that hears of each pause.
pub(crate) type WaitHook = Arc<dyn Fn(&QuotaWait) + Send + Sync>;

/// The budget shared by every request of one client.
pub(crate) struct Pacer {
    state: Mutex<State>,
    hook: Option<WaitHook>,
    /// Notified on every answer: a request held until the window's reset is known waits for it.
    answered: Notify,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("state", &*self.lock())
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

#[derive(Debug, Default)]
struct State {
    /// The window this client is in, counted from 0.
    generation: u64,
    /// The quota, once a response said it (kept across windows).
    limit: Option<u64>,
    /// When the current window resets, once a response of it said so.
    reset_at: Option<Instant>,
    /// Requests admitted in this window.
    sent: u64,
    /// Requests admitted in this window and not answered yet.
    in_flight: u64,
    /// Of `sent`, those that belong to an earlier server window: when an answer shows the
    /// server's window turned before ours did, the requests answered by then were counted in the
    /// old one.
    base: u64,
    /// The lowest `remaining` the server said in this window, and how many requests this
    /// client had sent in the window when it heard it (those sent since then are not counted in
    /// it).
    report: Option<(u64, u64)>,
    /// The end of the last pause reported to the hook, so that one pause is reported once.
    reported_until: Option<Instant>,
}

impl State {
    /// Requests that may still be sent in this window; `None` when nothing is known.
    fn available(&self) -> Option<i64> {
        let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let by_limit = self
            .limit
            .map(|limit| signed(limit) - signed(self.sent - self.base));
        let by_report = self
            .report
            .map(|(remaining, at)| signed(remaining) - signed(self.sent.saturating_sub(at)));
        match (by_limit, by_report) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// What is left by the estimate, for the notices.
    fn remaining(&self) -> Option<u64> {
        self.available()
            .map(|left| u64::try_from(left).unwrap_or(0))
    }

    fn roll(&mut self) {
        self.generation += 1;
        self.reset_at = None;
        self.sent = 0;
        self.in_flight = 0;
        self.base = 0;
        self.report = None;
    }
}

/// The window a request was admitted in; handed back with its response.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ticket {
    generation: u64,
}

impl Pacer {
    pub(crate) fn new(hook: Option<WaitHook>) -> Self {
        Self {
            state: Mutex::new(State::default()),
            hook,
            answered: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits until the budget admits one more request (at most `max_wait`: past it the request
    /// is sent anyway, and the server's answer says how long it really wants).
    pub(crate) async fn admit(&self, max_wait: Duration) -> Ticket {
        let started = Instant::now();
        loop {
            let now = Instant::now();
            let answered = self.answered.notified();
            let (until, notice) = {
                let mut state = self.lock();
                if state.reset_at.is_some_and(|reset| now >= reset) {
                    state.roll();
                }
                let exhausted = state.available().is_some_and(|left| left <= 0);
                match state.reset_at {
                    _ if !exhausted || now >= started + max_wait => {
                        state.sent += 1;
                        state.in_flight += 1;
                        return Ticket {
                            generation: state.generation,
                        };
                    }
                    Some(reset) => {
                        let until = (reset + MARGIN).min(started + max_wait);
                        let notice = (state.reported_until.is_none_or(|r| until > r)).then(|| {
                            state.reported_until = Some(until);
                            QuotaWait {
                                wait: until - now,
                                remaining: state.remaining(),
                                limit: state.limit,
                                reason: WaitReason::WindowReset,
                            }
                        });
                        (Some(until), notice)
                    }
                    // The window's budget is spent and its reset unknown: the answers of the
                    // requests in flight will say it.
                    None if state.in_flight > 0 => (None, None),
                    // Nothing in flight to learn from: send, and let the server say.
                    None => {
                        state.sent += 1;
                        state.in_flight += 1;
                        return Ticket {
                            generation: state.generation,
                        };
                    }
                }
            };
            if let Some(notice) = notice {
                self.report(&notice);
            }
            match until {
                Some(until) => tokio::time::sleep_until(until).await,
                None => {
                    let _ = tokio::time::timeout_at(started + max_wait, answered).await;
                }
            }
        }
    }

    /// The answer to a request admitted with `ticket`: its rate-limit headers (empty when the
    /// request failed before an answer).
    pub(crate) fn observe(&self, ticket: Ticket, rate: &RateLimit) {
        let mut state = self.lock();
        if ticket.generation != state.generation {
            return;
        }
        self.answered.notify_waiters();
        state.in_flight = state.in_flight.saturating_sub(1);
        if let Some(limit) = rate.limit {
            state.limit = Some(limit);
        }
        if let Some(wait) = rate.reset_after(SystemTime::now()) {
            let at = Instant::now() + wait;
            match state.reset_at {
                // A later window than the one known: the server's turned before ours did. Those
                // answered by now were counted in the old one; those in flight may be in this one.
                Some(current) if at > current + NEWER_WINDOW => {
                    state.reset_at = Some(at);
                    state.base = state.sent.saturating_sub(state.in_flight + 1);
                    state.report = None;
                }
                // The same window (a reset in seconds to go varies by up to a second): the
                // earliest is the closest to the truth, as servers round up.
                Some(current) => state.reset_at = Some(current.min(at)),
                None => state.reset_at = Some(at),
            }
        }
        if let Some(remaining) = rate.remaining {
            // Keep the report that leaves the least: an answer overtaken by a later one says more.
            let lower = state.report.is_none_or(|(r, at)| {
                i128::from(remaining) <= i128::from(r) - i128::from(state.sent - at)
            });
            if lower {
                state.report = Some((remaining, state.sent));
            }
        }
    }

    /// A pause the transport takes for a refused request (429 / 503): reported to the hook,
    /// unless a pause reported before already covers it.
    pub(crate) fn refused(&self, wait: Duration, reason: WaitReason) {
        let until = Instant::now() + wait;
        let notice = {
            let mut state = self.lock();
            let covered = state
                .reported_until
                .is_some_and(|r| until <= r + Duration::from_secs(1));
            (!covered).then(|| {
                state.reported_until = Some(until);
                QuotaWait {
                    wait,
                    remaining: state.remaining(),
                    limit: state.limit,
                    reason,
                }
            })
        };
        if let Some(notice) = notice {
            self.report(&notice);
        }
    }

    fn report(&self, notice: &QuotaWait) {
        tracing::debug!(
            target: "thoughtindustries::quota",
            wait_ms = notice.wait.as_millis() as u64,
            remaining = notice.remaining,
            limit = notice.limit,
            reason = ?notice.reason,
            "{notice}"
        );
        if let Some(hook) = &self.hook {
            hook(notice);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn rate(limit: u64, remaining: u64, reset_secs: u64) -> RateLimit {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
        headers.insert("x-ratelimit-reset", HeaderValue::from(reset_secs));
        RateLimit::from_headers(&headers)
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_is_held_without_headers() {
        let pacer = Pacer::new(None);
        let start = Instant::now();
        for _ in 0..100 {
            let ticket = pacer.admit(Duration::from_secs(60)).await;
            pacer.observe(ticket, &RateLimit::default());
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_window_holds_until_it_resets_and_says_so() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let hook: WaitHook = Arc::new({
            let heard = Arc::clone(&heard);
            move |wait: &QuotaWait| heard.lock().unwrap().push(wait.clone())
        });
        let pacer = Pacer::new(Some(hook));
        let start = Instant::now();
        // A quota of 3 a window, 2 s to the reset.
        for remaining in [2, 1, 0] {
            let ticket = pacer.admit(Duration::from_secs(60)).await;
            pacer.observe(ticket, &rate(3, remaining, 2));
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        let _fourth = pacer.admit(Duration::from_secs(60)).await;
        assert!(
            start.elapsed() >= Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        let heard = heard.lock().unwrap();
        assert_eq!(heard.len(), 1);
        assert_eq!(heard[0].reason, WaitReason::WindowReset);
        assert_eq!(
            heard[0].to_string(),
            "rate limit: 0 of 3 left, waiting 2.0 s for the window to reset"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn requests_in_flight_count_before_their_answers() {
        // (sent since the last answer count against what it said was left)
        let pacer = Pacer::new(None);
        let first = pacer.admit(Duration::from_secs(60)).await;
        pacer.observe(first, &rate(3, 2, 5));
        // Two more admitted, not answered yet: the window's three are spent.
        let _a = pacer.admit(Duration::from_secs(60)).await;
        let _b = pacer.admit(Duration::from_secs(60)).await;
        let start = Instant::now();
        let _c = pacer.admit(Duration::from_secs(60)).await;
        assert!(start.elapsed() >= Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn another_client_on_the_key_spends_the_budget_too() {
        let pacer = Pacer::new(None);
        let ticket = pacer.admit(Duration::from_secs(60)).await;
        // We sent one, yet only one of ten is left: someone else sent eight.
        pacer.observe(ticket, &rate(10, 1, 3));
        let _ = pacer.admit(Duration::from_secs(60)).await;
        let start = Instant::now();
        let _ = pacer.admit(Duration::from_secs(60)).await;
        assert!(start.elapsed() >= Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_hold_never_exceeds_max_wait() {
        let pacer = Pacer::new(None);
        let ticket = pacer.admit(Duration::from_secs(60)).await;
        pacer.observe(ticket, &rate(1, 0, 3600));
        let start = Instant::now();
        let _ = pacer.admit(Duration::from_secs(5)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn late_answers_of_the_last_window_do_not_spend_the_new_one() {
        let pacer = Pacer::new(None);
        let early = pacer.admit(Duration::from_secs(60)).await;
        let late = pacer.admit(Duration::from_secs(60)).await;
        pacer.observe(early, &rate(2, 0, 1));
        let start = Instant::now();
        let _ = pacer.admit(Duration::from_secs(60)).await;
        assert!(start.elapsed() >= Duration::from_secs(1));
        // The previous window's answer arrives now: the new window still has one left.
        pacer.observe(late, &rate(2, 0, 1));
        let again = Instant::now();
        let _ = pacer.admit(Duration::from_secs(60)).await;
        assert_eq!(again.elapsed(), Duration::ZERO);
    }
}
