//! Adaptive concurrency: how many requests may be in flight at once, lowered on 429 and raised
//! again slowly after successes (additive increase, multiplicative decrease), on tokio's
//! [`Semaphore`] (fair: waiters are admitted in the order they came). The concurrency is halved
//! at most once per throttled window: the 429s that answer the requests of one burst (sent before
//! the first refusal was heard) do not halve it again.
//!
//! A slot is a [`Permit`]: dropping it returns the slot, whatever ended the request (its answer,
//! an error, the caller dropping the future). Lowering the limit takes free slots out of the
//! semaphore (`forget_permits`); the ones still in use are retired as they come back.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Shared by every request of one client.
#[derive(Debug)]
pub(crate) struct Limiter {
    slots: Arc<Semaphore>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    max: usize,
    limit: usize,
    successes: usize,
    /// Slots in use that are retired when they come back (the limit was lowered under them).
    retire: usize,
    /// Until when further 429s belong to the throttled window that already halved the limit.
    calm_until: Option<Instant>,
}

/// A slot for one request; dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct Permit {
    permit: Option<OwnedSemaphorePermit>,
    limiter: Arc<Limiter>,
}

impl Limiter {
    /// At most `max` requests in flight; starts at `max`.
    pub(crate) fn new(max: usize) -> Self {
        let max = max.max(1);
        Self {
            slots: Arc::new(Semaphore::new(max)),
            state: Mutex::new(State {
                max,
                limit: max,
                successes: 0,
                retire: 0,
                calm_until: None,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every update is a few assignments
        // under the lock, with no call that can panic between them.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for a free slot, in the order of asking.
    pub(crate) async fn acquire(self: &Arc<Self>) -> Permit {
        let permit = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        Permit {
            permit: Some(permit),
            limiter: Arc::clone(self),
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
            if state.retire > 0 {
                state.retire -= 1;
            } else {
                self.slots.add_permits(1);
            }
        }
    }

    /// The API said 429: halve the concurrency, unless this throttled window already did.
    /// `window` is how long the refusal lasts, when the server said.
    pub(crate) fn on_throttle(&self, window: Option<Duration>) {
        let mut state = self.lock();
        let now = Instant::now();
        state.successes = 0;
        if state.calm_until.is_some_and(|calm| now < calm) {
            return;
        }
        let lower = (state.limit / 2).max(1);
        let remove = state.limit - lower;
        state.limit = lower;
        let taken = self.slots.forget_permits(remove);
        state.retire += remove - taken;
        let window = window.unwrap_or_default().max(Duration::from_secs(1));
        state.calm_until = Some(now + window);
        tracing::debug!(limit = state.limit, "throttled: lowering concurrency");
    }

    #[cfg(test)]
    pub(crate) fn limit(&self) -> usize {
        self.lock().limit
    }

    /// Slots free right now (for the invariant that every slot comes back).
    #[cfg(test)]
    pub(crate) fn available(&self) -> usize {
        self.slots.available_permits()
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut state = self.limiter.lock();
        if let Some(permit) = self.permit.take()
            && state.retire > 0
        {
            state.retire -= 1;
            permit.forget();
        }
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
        assert_eq!(limiter.available(), 4);
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
        assert_eq!(limiter.available(), 3);
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
    async fn lowering_the_limit_under_busy_slots_retires_them_as_they_come_back() {
        let limiter = Arc::new(Limiter::new(4));
        let held: Vec<_> = futures_util::future::join_all((0..4).map(|_| limiter.acquire())).await;
        limiter.on_throttle(None);
        assert_eq!(limiter.limit(), 2);
        drop(held);
        assert_eq!(limiter.available(), 2);
        // Waiters are admitted in the order they came.
        let first = limiter.acquire().await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let waiters: Vec<_> = (0..3)
            .map(|n| {
                let (limiter, order) = (Arc::clone(&limiter), Arc::clone(&order));
                tokio::spawn(async move {
                    let _permit = limiter.acquire().await;
                    order.lock().unwrap().push(n);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(1)).await;
        drop(first);
        for waiter in waiters {
            waiter.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [0, 1, 2]);
        assert_eq!(limiter.available(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_acquirer_takes_no_slot_and_a_dropped_permit_returns_it() {
        let limiter = Arc::new(Limiter::new(1));
        let held = limiter.acquire().await;
        let waiting = tokio::time::timeout(Duration::from_secs(1), limiter.acquire()).await;
        assert!(waiting.is_err());
        drop(held);
        assert_eq!(limiter.available(), 1);
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
        assert_eq!(limiter.available(), 2);
    }
}
