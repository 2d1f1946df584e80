//! Request counters, for tests and benchmarks: requests by status, injected faults, and the
//! largest number of requests in flight at once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::faults::FaultKind;

/// A snapshot of a server's counters, from [`MockServer::stats`](crate::MockServer::stats).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests received, on any path.
    pub requests: u64,
    /// Responses sent, by status code. A dropped connection sends none and is not counted here.
    pub by_status: BTreeMap<u16, u64>,
    /// Injected faults, by kind.
    pub faults: BTreeMap<FaultKind, u64>,
    /// Requests being handled now.
    pub in_flight: u64,
    /// The largest number of requests handled at the same time so far. A request is in flight
    /// from its arrival until its response head is ready (latency included, body streaming not).
    pub max_in_flight: u64,
}

impl Stats {
    /// Responses sent with `status`.
    pub fn status(&self, status: u16) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }

    /// Faults of `kind` injected.
    pub fn fault(&self, kind: FaultKind) -> u64 {
        self.faults.get(&kind).copied().unwrap_or(0)
    }
}

/// The live counters of a server.
#[derive(Debug, Default)]
pub(crate) struct Recorder(Mutex<Stats>);

/// Marks a response that must not count as sent (the connection is dropped instead).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Unanswered;

impl Recorder {
    fn update(&self, change: impl FnOnce(&mut Stats)) {
        change(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// A copy of the counters.
    pub(crate) fn snapshot(&self) -> Stats {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Counts an injected fault.
    pub(crate) fn fault(&self, kind: FaultKind) {
        self.update(|stats| *stats.faults.entry(kind).or_insert(0) += 1);
    }
}

/// Leaves the in-flight count when the request ends, also when it is cancelled.
struct InFlight<'a>(&'a Recorder);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.update(|stats| stats.in_flight -= 1);
    }
}

/// Middleware counting every request and response.
pub(crate) async fn count(
    State(recorder): State<Arc<Recorder>>,
    request: Request,
    next: Next,
) -> Response {
    recorder.update(|stats| {
        stats.requests += 1;
        stats.in_flight += 1;
        stats.max_in_flight = stats.max_in_flight.max(stats.in_flight);
    });
    let guard = InFlight(&recorder);
    let response = next.run(request).await;
    drop(guard);
    if response.extensions().get::<Unanswered>().is_none() {
        let status = response.status().as_u16();
        recorder.update(|stats| *stats.by_status.entry(status).or_insert(0) += 1);
    }
    response
}
