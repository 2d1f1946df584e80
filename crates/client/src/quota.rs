//! Pacing under the tenant's quota: one budget per client, shared by every operation and every
//! concurrent page, fed by the rate-limit headers of every response (success and error) and asked
//! before each attempt.
//!
//! The budget of the current window is the quota (`X-RateLimit-Limit`, or the IETF policy's `q`)
//! minus the larger of what this client sent in the window and what the server says was used
//! (`limit - remaining`: that includes other processes sharing the key). When it is spent, the
//! next requests are held until the window resets (`X-RateLimit-Reset` in any of its notations,
//! or the IETF `t`), so that a server that tells the truth never has to refuse one. The windows
//! are counted in generations: a response only updates the budget of the window its request was
//! admitted in, so late answers of the previous window do not spend the new one; the requests
//! still in flight when a window ends count in the next one until their answers say which. With
//! no rate-limit headers at all nothing is held.
//!
//! **Estimates expire.** Without a known reset the window still turns: a `remaining` that rises
//! (beyond what the answers still in flight can explain) starts a new window, so does the end of
//! a wait the server asked for with a 429, and an estimate never outlives the policy's window
//! length (`w`), or [`LAPSE`] when no header gives one. With the budget spent, the reset unknown
//! and nothing in flight to learn from, one request is sent to let the server say.
//!
//! **Cancellation safety.** An admission is a [`Ticket`]: dropped unanswered (the request
//! failed, or its caller dropped it part-way), it stops counting as in flight.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::rate_limit::RateLimit;

/// Sent after the reset instant, so that the request reaches a server whose window has turned.
const MARGIN: Duration = Duration::from_millis(25);

/// A reset this much later than the known one is the next window's.
const NEWER_WINDOW: Duration = Duration::from_millis(500);

/// How long an estimate without a known reset or window length is believed: it then lapses, and
/// the quota is assumed to be whole again.
pub(crate) const LAPSE: Duration = Duration::from_secs(60);

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
    /// Notified on every answer (and every ticket dropped): a request held until the window's
    /// reset is known waits for it.
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

/// What the server last said was left, and what this client had sent then.
#[derive(Clone, Copy, Debug)]
struct Report {
    remaining: u64,
    /// Requests this client had sent in the window when it heard it (those sent since are not
    /// counted in it).
    sent: u64,
}

#[derive(Debug)]
struct State {
    /// The window this client is in, counted from 0.
    generation: u64,
    /// When this window's estimate began.
    since: Instant,
    /// The quota, once a response said it (kept across windows).
    limit: Option<u64>,
    /// The window's length, once a policy header said it (kept across windows).
    window: Option<Duration>,
    /// When the current window resets, once a response of it said so.
    reset_at: Option<Instant>,
    /// Requests admitted in this window.
    sent: u64,
    /// Requests admitted in this window and not answered (nor dropped) yet.
    in_flight: u64,
    /// Of `sent`, those that belong to an earlier server window: when an answer shows the
    /// server's window turned before ours did, the requests answered by then were counted in the
    /// old one.
    base: u64,
    /// The report that leaves the least, in this window.
    report: Option<Report>,
    /// The lowest `remaining` heard in this window, and the requests in flight then: an answer
    /// overtaken in flight may say more is left, but not more than that many more.
    floor: Option<(u64, u64)>,
    /// Requests of the previous window still in flight when it ended, counted in this one's
    /// `sent` (the server may count them in this window) until their answers say which.
    carried: u64,
    /// The previous window's reset, for telling which window a carried request's answer is of.
    previous_reset: Option<Instant>,
    /// The reset this window replaced when an answer showed that the server's window had turned
    /// before ours did: an answer that still says it was overtaken on the way back, and what it
    /// says of a window that is over is stale.
    superseded: Option<Instant>,
    /// Every request is held until then: the server asked for a wait (429).
    hold_until: Option<Instant>,
    /// The end of the last pause reported to the hook, so that one pause is reported once.
    reported_until: Option<Instant>,
}

impl State {
    fn new(now: Instant) -> Self {
        Self {
            generation: 0,
            since: now,
            limit: None,
            window: None,
            reset_at: None,
            sent: 0,
            in_flight: 0,
            base: 0,
            report: None,
            floor: None,
            carried: 0,
            previous_reset: None,
            superseded: None,
            hold_until: None,
            reported_until: None,
        }
    }

    /// Requests that may still be sent in this window; `None` when nothing is known.
    fn available(&self) -> Option<i64> {
        let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let by_limit = self
            .limit
            .map(|limit| signed(limit) - signed(self.sent.saturating_sub(self.base)));
        let by_report = self
            .report
            .map(|r| signed(r.remaining) - signed(self.sent.saturating_sub(r.sent)));
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

    /// When an estimate without a known reset lapses.
    fn lapses_at(&self) -> Instant {
        self.since + self.window.unwrap_or(LAPSE)
    }

    /// A new window: the budget is whole again, but for the requests still in flight, which may
    /// reach the server in the new window.
    fn roll(&mut self, now: Instant) {
        self.generation += 1;
        self.since = now;
        self.previous_reset = self.reset_at;
        self.reset_at = None;
        self.superseded = None;
        self.carried = self.in_flight;
        self.sent = self.in_flight;
        self.in_flight = 0;
        self.base = 0;
        self.report = None;
        self.floor = None;
    }

    /// Rolls when the window's end, known or estimated, has passed.
    fn expire(&mut self, now: Instant) {
        match self.reset_at {
            Some(reset) if now >= reset => self.roll(now),
            None if now >= self.lapses_at() => self.roll(now),
            _ => {}
        }
    }
}

/// The window a request was admitted in; handed back with its answer
/// ([`Pacer::observe`]). Dropped unanswered, it no longer counts as in flight.
#[derive(Debug)]
pub(crate) struct Ticket {
    pacer: Arc<Pacer>,
    generation: u64,
    answered: bool,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if self.answered {
            return;
        }
        let mut state = self.pacer.lock();
        if state.generation == self.generation {
            state.in_flight = state.in_flight.saturating_sub(1);
        } else if state.generation == self.generation + 1 {
            // Carried into this window, and never answered: it stays counted.
            state.carried = state.carried.saturating_sub(1);
        }
        drop(state);
        self.pacer.answered.notify_waiters();
    }
}

/// What the pacer says to a request.
#[derive(Debug)]
pub(crate) enum Admission {
    /// Send it.
    Go(Ticket),
    /// It would have to be held until then, past the time it may wait: not held at all.
    TooLong { until: Instant },
}

impl Pacer {
    pub(crate) fn new(hook: Option<WaitHook>) -> Self {
        Self {
            state: Mutex::new(State::new(Instant::now())),
            hook,
            answered: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn ticket(self: &Arc<Self>, state: &mut State) -> Admission {
        state.sent += 1;
        state.in_flight += 1;
        Admission::Go(Ticket {
            pacer: Arc::clone(self),
            generation: state.generation,
            answered: false,
        })
    }

    /// Waits until the budget admits one more request, but not past `limit` (the end of the
    /// operation's waiting budget, or its deadline): a hold that would end later is not started.
    /// Waiting for the answers in flight to say when the window resets ends at `limit` too, and
    /// the request is then sent to let the server say.
    pub(crate) async fn admit(self: &Arc<Self>, limit: Instant) -> Admission {
        loop {
            let now = Instant::now();
            let answered = self.answered.notified();
            let (until, notice) = {
                let mut state = self.lock();
                let hold = state.hold_until.filter(|hold| *hold > now);
                if hold.is_none() && state.hold_until.take().is_some() {
                    // The server's wait is over: its window turned.
                    if state.reset_at.is_none_or(|reset| reset <= now) {
                        state.roll(now);
                    }
                }
                state.expire(now);
                let exhausted = state.available().is_some_and(|left| left <= 0);
                match state.reset_at {
                    _ if hold.is_some_and(|hold| hold > limit) => {
                        return Admission::TooLong {
                            until: hold.unwrap_or(limit),
                        };
                    }
                    _ if hold.is_some() => (hold, None),
                    _ if !exhausted => return self.ticket(&mut state),
                    Some(reset) => {
                        let until = reset + MARGIN;
                        if until > limit {
                            return Admission::TooLong { until };
                        }
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
                    // requests in flight will say it (or the estimate lapses).
                    None if state.in_flight > 0 && now < limit => {
                        (Some(state.lapses_at().min(limit)), None)
                    }
                    // Nothing in flight to learn from: send, and let the server say.
                    None => return self.ticket(&mut state),
                }
            };
            if let Some(notice) = notice {
                self.report(&notice);
            }
            if let Some(until) = until {
                let _ = tokio::time::timeout_at(until, answered).await;
            }
        }
    }

    /// The answer to a request admitted with `ticket`: its rate-limit headers (empty when the
    /// request failed before an answer).
    pub(crate) fn observe(&self, mut ticket: Ticket, rate: &RateLimit) {
        ticket.answered = true;
        let mut state = self.lock();
        self.answered.notify_waiters();
        let now = Instant::now();
        if ticket.generation + 1 == state.generation && state.carried > 0 {
            // A request of the previous window, counted in this one: an answer of the previous
            // window gives its place back.
            state.carried -= 1;
            let at = rate.reset_after(SystemTime::now()).map(|wait| now + wait);
            if let (Some(at), Some(previous)) = (at, state.previous_reset)
                && at <= previous + NEWER_WINDOW
            {
                state.sent = state.sent.saturating_sub(1);
            }
            return;
        }
        if ticket.generation != state.generation {
            return;
        }
        state.in_flight = state.in_flight.saturating_sub(1);
        if let Some(limit) = rate.limit {
            state.limit = Some(limit);
        }
        if let Some(window) = rate.window {
            state.window = Some(window);
        }
        if let Some(wait) = rate.reset_after(SystemTime::now()) {
            let at = now + wait;
            if state
                .superseded
                .is_some_and(|over| at <= over + NEWER_WINDOW)
            {
                // An answer of the server's previous window, overtaken by one of the new window:
                // its reset and remaining are of a window that is over. The request stays counted
                // in this one, which errs on the safe side.
                return;
            }
            match state.reset_at {
                // A later window than the one known: the server's turned before ours did. Those
                // answered by now were counted in the old one; those in flight may be in this one.
                Some(current) if at > current + NEWER_WINDOW => {
                    state.superseded = Some(current);
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
        let Some(remaining) = rate.remaining else {
            return;
        };
        let heard = Report {
            remaining,
            sent: state.sent,
        };
        // Without a known reset: more left than the answers still in flight can explain, the
        // server's window turned. (With a known reset the window turns at it: answers overtaken
        // on the way back can say a little more is left, which is no new window.)
        if state.reset_at.is_none()
            && state
                .floor
                .is_some_and(|(least, in_flight)| remaining > least + in_flight)
        {
            state.roll(now);
            state.report = Some(Report { remaining, sent: 0 });
            state.floor = Some((remaining, state.carried));
            return;
        }
        if state.floor.is_none_or(|(least, _)| remaining < least) {
            state.floor = Some((remaining, state.in_flight));
        }
        match state.report {
            // Keep the report that leaves the least: an answer overtaken by a later one says more.
            Some(report)
                if i128::from(remaining)
                    > i128::from(report.remaining)
                        - i128::from(state.sent.saturating_sub(report.sent)) => {}
            _ => state.report = Some(heard),
        }
    }

    /// Requests admitted in the current window and not answered (nor dropped) yet.
    #[cfg(test)]
    pub(crate) fn in_flight(&self) -> u64 {
        self.lock().in_flight
    }

    /// The server refused a request and asked for `wait` (429): every request is held that long
    /// (they would be refused too), and the window is taken to have turned after it.
    pub(crate) fn hold(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut state = self.lock();
        state.hold_until = Some(state.hold_until.map_or(until, |h| h.max(until)));
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

    /// Admits with a limit `secs` from now, expecting to be admitted.
    async fn go(pacer: &Arc<Pacer>, secs: u64) -> Ticket {
        match pacer
            .admit(Instant::now() + Duration::from_secs(secs))
            .await
        {
            Admission::Go(ticket) => ticket,
            Admission::TooLong { until } => panic!("held until {until:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_is_held_without_headers() {
        let pacer = Arc::new(Pacer::new(None));
        let start = Instant::now();
        for _ in 0..100 {
            let ticket = go(&pacer, 60).await;
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
        let pacer = Arc::new(Pacer::new(Some(hook)));
        let start = Instant::now();
        // A quota of 3 a window, 2 s to the reset.
        for remaining in [2, 1, 0] {
            let ticket = go(&pacer, 60).await;
            pacer.observe(ticket, &rate(3, remaining, 2));
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        let _fourth = go(&pacer, 60).await;
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
        let pacer = Arc::new(Pacer::new(None));
        let first = go(&pacer, 60).await;
        pacer.observe(first, &rate(3, 2, 5));
        // Two more admitted, not answered yet: the window's three are spent.
        let _a = go(&pacer, 60).await;
        let _b = go(&pacer, 60).await;
        let start = Instant::now();
        let _c = go(&pacer, 60).await;
        assert!(start.elapsed() >= Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn another_client_on_the_key_spends_the_budget_too() {
        let pacer = Arc::new(Pacer::new(None));
        let ticket = go(&pacer, 60).await;
        // We sent one, yet only one of ten is left: someone else sent eight.
        pacer.observe(ticket, &rate(10, 1, 3));
        let _ = go(&pacer, 60).await;
        let start = Instant::now();
        let _ = go(&pacer, 60).await;
        assert!(start.elapsed() >= Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_hold_past_the_limit_is_not_started() {
        let pacer = Arc::new(Pacer::new(None));
        let ticket = go(&pacer, 60).await;
        pacer.observe(ticket, &rate(1, 0, 3600));
        let start = Instant::now();
        let admission = pacer.admit(start + Duration::from_secs(5)).await;
        assert!(
            matches!(admission, Admission::TooLong { until } if until >= start + Duration::from_secs(3600))
        );
        assert_eq!(start.elapsed(), Duration::ZERO);
        // The server's own wait likewise.
        let pacer = Arc::new(Pacer::new(None));
        pacer.hold(Duration::from_secs(30));
        let admission = pacer.admit(start + Duration::from_secs(5)).await;
        assert!(matches!(admission, Admission::TooLong { .. }));
    }

    /// Limit and remaining, no reset.
    fn unreset(limit: u64, remaining: u64) -> RateLimit {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
        RateLimit::from_headers(&headers)
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_reset_the_end_of_the_servers_wait_turns_the_window() {
        let pacer = Arc::new(Pacer::new(None));
        for remaining in [1, 0] {
            let ticket = go(&pacer, 60).await;
            pacer.observe(ticket, &unreset(2, remaining));
        }
        // Spent, nothing in flight: one request goes to let the server say; it is refused for 2 s.
        let probe = go(&pacer, 60).await;
        pacer.observe(probe, &unreset(2, 0));
        pacer.hold(Duration::from_secs(2));
        let start = Instant::now();
        let _a = go(&pacer, 60).await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        // A whole window again: the second goes at once, not one at a time.
        let _b = go(&pacer, 60).await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_reset_a_rising_remaining_turns_the_window() {
        let pacer = Arc::new(Pacer::new(None));
        for remaining in [1, 0] {
            let ticket = go(&pacer, 60).await;
            pacer.observe(ticket, &unreset(2, remaining));
        }
        let probe = go(&pacer, 60).await;
        // The server's window turned: 1 of 2 left after the probe.
        pacer.observe(probe, &unreset(2, 1));
        let start = Instant::now();
        let _a = go(&pacer, 60).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_in_flight_at_the_reset_count_in_the_new_window_until_answered() {
        // 3 a window, 1 s to the reset; two sent just before it, answered after it.
        let pacer = Arc::new(Pacer::new(None));
        let first = go(&pacer, 60).await;
        pacer.observe(first, &rate(3, 2, 1));
        let late = go(&pacer, 60).await;
        let later = go(&pacer, 60).await;
        tokio::time::advance(Duration::from_millis(1100)).await;
        // The new window: one place, not three, while the two may be counted in it.
        let _a = go(&pacer, 60).await;
        let start = Instant::now();
        let waiting = tokio::spawn({
            let pacer = Arc::clone(&pacer);
            async move {
                let ticket = go(&pacer, 60).await;
                (Instant::now(), ticket)
            }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            !waiting.is_finished(),
            "the carried requests hold their places"
        );
        // One was counted in the old window (its reset is the old one): its place comes back.
        pacer.observe(late, &rate(3, 0, 0));
        let (admitted, _ticket) = waiting.await.unwrap();
        assert!(admitted - start < Duration::from_millis(200));
        drop(later);
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_reset_a_window_that_turns_before_it_is_spent_is_seen() {
        // 40 a window, no reset: the budget's first answer says 39, the later ones less; a
        // window that turns shows 39 again, which is more than anything in flight explains.
        let pacer = Arc::new(Pacer::new(None));
        for remaining in (20..40).rev() {
            let ticket = go(&pacer, 60).await;
            pacer.observe(ticket, &unreset(40, remaining));
        }
        let turned = go(&pacer, 60).await;
        pacer.observe(turned, &unreset(40, 39));
        // A whole window again: 39 more at once, where the old window had 20 left.
        let start = Instant::now();
        let mut held = Vec::new();
        for _ in 0..39 {
            held.push(go(&pacer, 60).await);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_reset_the_estimate_lapses_after_the_policy_window() {
        let pacer = Arc::new(Pacer::new(None));
        let mut headers = HeaderMap::new();
        headers.insert(
            "ratelimit-policy",
            HeaderValue::from_static("\"q\";q=1;w=3"),
        );
        headers.insert("ratelimit", HeaderValue::from_static("\"q\";r=0"));
        let start = Instant::now();
        let first = go(&pacer, 60).await;
        let _second = go(&pacer, 60).await;
        pacer.observe(first, &RateLimit::from_headers(&headers));
        // Spent, one in flight that never answers: held until the window's length has passed.
        let _third = go(&pacer, 60).await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_ticket_is_no_longer_in_flight() {
        let pacer = Arc::new(Pacer::new(None));
        let first = go(&pacer, 60).await;
        pacer.observe(first, &unreset(2, 0));
        let dropped = go(&pacer, 60).await;
        let waiter = tokio::spawn({
            let pacer = Arc::clone(&pacer);
            async move {
                let start = Instant::now();
                let ticket = go(&pacer, 600).await;
                (start.elapsed(), ticket)
            }
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        drop(dropped);
        // Nothing in flight any more: the waiter is sent (to let the server say) at once.
        let (waited, ticket) = waiter.await.unwrap();
        assert_eq!(waited, Duration::from_secs(1));
        assert_eq!(pacer.lock().in_flight, 1);
        drop(ticket);
        assert_eq!(pacer.lock().in_flight, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn late_answers_of_the_last_window_do_not_spend_the_new_one() {
        let pacer = Arc::new(Pacer::new(None));
        let early = go(&pacer, 60).await;
        let late = go(&pacer, 60).await;
        pacer.observe(early, &rate(2, 0, 1));
        let start = Instant::now();
        let _ = go(&pacer, 60).await;
        assert!(start.elapsed() >= Duration::from_secs(1));
        // The previous window's answer arrives now: the new window still has one left.
        pacer.observe(late, &rate(2, 0, 1));
        let again = Instant::now();
        let _ = go(&pacer, 60).await;
        assert_eq!(again.elapsed(), Duration::ZERO);
    }

    /// Answers overtaken on the way back: one of the server's new window arrives before one of
    /// the old, with the client's window not turned yet. The old answer's reset must not take
    /// the window back to the old reset (which would turn it at once and forget the requests
    /// the server already counted in the new one).
    #[tokio::test(start_paused = true)]
    async fn an_answer_of_a_window_that_is_over_does_not_turn_the_new_one() {
        let pacer = Arc::new(Pacer::new(None));
        let first = go(&pacer, 60).await;
        pacer.observe(first, &rate(6, 5, 1));
        let slow = go(&pacer, 60).await;
        tokio::time::advance(Duration::from_millis(990)).await;
        let fast = go(&pacer, 60).await;
        tokio::time::advance(Duration::from_millis(20)).await;
        // The server's window turned: `fast` was its first request of the new one.
        pacer.observe(fast, &rate(6, 5, 1));
        // `slow` was counted in the old window; its answer arrives last.
        pacer.observe(slow, &rate(6, 4, 0));
        let start = Instant::now();
        let mut in_flight = Vec::new();
        while start.elapsed() == Duration::ZERO && in_flight.len() < 10 {
            in_flight.push(go(&pacer, 60).await);
        }
        // The last one waited for the window to turn.
        let admitted = in_flight.len() - usize::from(start.elapsed() > Duration::ZERO);
        // The new window has 5 left at most (6 less `fast`); `slow` may still be counted in it.
        assert!((4..=5).contains(&admitted), "{admitted} admitted at once");
    }
}
