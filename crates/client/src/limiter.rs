//! Adaptive concurrency: how many requests may be in flight at once, lowered on 429 and raised
//! again slowly after successes (additive increase, multiplicative decrease). The concurrency is
//! halved at most once per throttled window: the 429s that answer the requests of one burst
//! (sent before the first refusal was heard) do not halve it again.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// Shared by every request of one client.
#[derive(Debug)]
pub(crate) struct Limiter {
    state: Mutex<State>,
    changed: Notify,
}

#[derive(Debug)]
struct State {
    max: usize,
    limit: usize,
    in_flight: usize,
    successes: usize,
    paused_until: Option<Instant>,
    /// Until when further 429s belong to the throttled window that already halved the limit.
    calm_until: Option<Instant>,
}

/// A slot for one request; dropping it frees the slot.
pub(crate) struct Permit {
    limiter: Arc<Limiter>,
}

impl Limiter {
    /// At most `max` requests in flight; starts at `max`.
    pub(crate) fn new(max: usize) -> Self {
        let max = max.max(1);
        Self {
            state: Mutex::new(State {
                max,
                limit: max,
                in_flight: 0,
                successes: 0,
                paused_until: None,
                calm_until: None,
            }),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every update is one assignment.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for a free slot (and for any pause a 429 asked for to end).
    pub(crate) async fn acquire(self: &Arc<Self>) -> Permit {
        loop {
            let notified = self.changed.notified();
            let wait_until = {
                let mut state = self.lock();
                match state.paused_until {
                    Some(until) if until > Instant::now() => Some(until),
                    _ if state.in_flight < state.limit => {
                        state.in_flight += 1;
                        return Permit {
                            limiter: Arc::clone(self),
                        };
                    }
                    _ => None,
                }
            };
            match wait_until {
                Some(until) => tokio::time::sleep_until(until).await,
                None => notified.await,
            }
        }
    }

    /// A request succeeded: after `limit` successes in a row, allow one more in flight.
    pub(crate) fn on_success(&self) {
        let mut state = self.lock();
        state.successes += 1;
        if state.successes >= state.limit && state.limit < state.max {
            state.limit += 1;
            state.successes = 0;
            tracing::debug!(limit = state.limit, "raising concurrency");
            drop(state);
            self.changed.notify_waiters();
        }
    }

    /// The API said 429: halve the concurrency, unless this throttled window already did, and
    /// hold every request for `retry_after`.
    pub(crate) fn on_throttle(&self, retry_after: Option<Duration>) {
        self.throttled(retry_after, true);
    }

    /// The behaviour before issue 19 (the benchmark's baseline): halve on every 429.
    pub(crate) fn on_throttle_every_time(&self, retry_after: Option<Duration>) {
        self.throttled(retry_after, false);
    }

    fn throttled(&self, retry_after: Option<Duration>, once_per_window: bool) {
        let mut state = self.lock();
        let now = Instant::now();
        state.successes = 0;
        if !once_per_window || state.calm_until.is_none_or(|calm| now >= calm) {
            state.limit = (state.limit / 2).max(1);
            let window = retry_after.unwrap_or_default().max(Duration::from_secs(1));
            state.calm_until = Some(now + window);
            tracing::debug!(
                limit = state.limit,
                ?retry_after,
                "throttled: lowering concurrency"
            );
        }
        if let Some(wait) = retry_after {
            let until = now + wait;
            state.paused_until = Some(state.paused_until.map_or(until, |p| p.max(until)));
        }
    }

    #[cfg(test)]
    fn limit(&self) -> usize {
        self.lock().limit
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.limiter.lock().in_flight -= 1;
        self.limiter.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn halves_once_per_throttled_window_and_recovers_additively() {
        let limiter = Arc::new(Limiter::new(8));
        limiter.on_throttle(None);
        assert_eq!(limiter.limit(), 4);
        // The rest of the burst's 429s: the same throttled window.
        limiter.on_throttle(None);
        limiter.on_throttle(None);
        assert_eq!(limiter.limit(), 4);
        for _ in 0..2 {
            tokio::time::advance(Duration::from_millis(1001)).await;
            limiter.on_throttle(None);
        }
        assert_eq!(limiter.limit(), 1);
        limiter.on_success();
        assert_eq!(limiter.limit(), 2);
        limiter.on_success();
        assert_eq!(limiter.limit(), 2);
        limiter.on_success();
        assert_eq!(limiter.limit(), 3);
    }

    #[tokio::test]
    async fn never_more_than_limit_in_flight() {
        let limiter = Arc::new(Limiter::new(2));
        let a = limiter.acquire().await;
        let _b = limiter.acquire().await;
        let third = tokio::spawn({
            let limiter = Arc::clone(&limiter);
            async move { limiter.acquire().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!third.is_finished());
        drop(a);
        tokio::time::timeout(Duration::from_secs(1), third)
            .await
            .expect("a freed slot wakes a waiter")
            .unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_pauses_everyone() {
        let limiter = Arc::new(Limiter::new(4));
        limiter.on_throttle(Some(Duration::from_secs(5)));
        let start = Instant::now();
        // As many acquirers as slots: only the pause can hold them back, and it holds them all.
        let waiters: Vec<_> = (0..4)
            .map(|_| {
                let limiter = Arc::clone(&limiter);
                tokio::spawn(async move {
                    let _permit = limiter.acquire().await;
                    Instant::now()
                })
            })
            .collect();
        for waiter in waiters {
            let admitted = waiter.await.unwrap();
            assert!(admitted - start >= Duration::from_secs(5));
        }
        // After the pause, nobody waits.
        let again = Instant::now();
        let _permit = limiter.acquire().await;
        assert_eq!(Instant::now(), again);
    }

    #[tokio::test(start_paused = true)]
    async fn successes_never_raise_the_limit_past_the_maximum() {
        let limiter = Arc::new(Limiter::new(2));
        for _ in 0..10 {
            limiter.on_success();
        }
        assert_eq!(limiter.limit(), 2);
        // Halved to 1, then recovered to 2 and no further.
        limiter.on_throttle(None);
        assert_eq!(limiter.limit(), 1);
        for _ in 0..10 {
            limiter.on_success();
        }
        assert_eq!(limiter.limit(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn the_reactive_baseline_halves_on_every_429() {
        let limiter = Arc::new(Limiter::new(8));
        for expected in [4, 2, 1, 1] {
            limiter.on_throttle_every_time(None);
            assert_eq!(limiter.limit(), expected);
        }
    }
}
