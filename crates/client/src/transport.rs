//! The request pipeline: every request of the SDK goes through it.
//!
//! This is the `exec` hook of the generated progenitor client ([`crate::generated::Client`]):
//! progenitor builds the request and decodes the response, this module decides how the request
//! travels. For each attempt it takes a concurrency slot ([`crate::limiter`]) and the quota's
//! admission ([`crate::quota`]), both permits returned when dropped, sends, reads the whole body
//! within the size limit (so that a connection dropped mid-body is seen here), feeds the pacer the
//! answer's rate-limit headers, and asks the policy ([`crate::policy::classify`]) what follows:
//! done, retry after a wait, give up, or (a write) outcome unknown. The operation's waits count
//! against its budget ([`RetryConfig::max_wait`]) and its deadline
//! ([`ClientBuilder::operation_timeout`](crate::ClientBuilder::operation_timeout)) bounds the
//! waits and each send. How it ended, when not in a success, is left for [`crate::exchange`] in
//! the SDK's own types; progenitor gets the last answer as received (or the transport error).
//! It also drops the `api-version` header progenitor adds (the spec's version, not one the vendor
//! asked for).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::HeaderMap;
use reqwest::{Body, Response, StatusCode, Version};
use tokio::time::Instant;

use crate::errors::{DeadlineError, Error, WaitBudgetError};
use crate::exchange::{self, AttemptError, Ended};
use crate::generated;
use crate::limiter::Limiter;
use crate::overrides::Overrides;
use crate::policy::{self, Kind, Stop, Verdict, Why};
use crate::quota::{Admission, Pacer, WaitHook, WaitReason};
use crate::rate_limit::RateLimit;
use crate::retry::RetryConfig;

/// The generated client's inner state: how requests travel. Cheap to clone (shared). Built by
/// [`ClientBuilder`](crate::ClientBuilder) only.
#[derive(Clone, Debug)]
pub struct Transport {
    shared: Arc<Shared>,
}

/// The pipeline's settings and the state every operation of a client shares.
#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) retry: RetryConfig,
    pub(crate) max_body_bytes: usize,
    pub(crate) concurrency: usize,
    /// The timeout of one attempt, which the deadline may shorten (none: the caller's reqwest
    /// client's own).
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) operation_timeout: Option<Duration>,
    /// Set on every request: `Authorization` (sensitive) and `User-Agent`, so that they reach
    /// the server whichever reqwest client sends it.
    pub(crate) headers: HeaderMap,
}

#[derive(Debug)]
struct Shared {
    settings: Settings,
    limiter: Arc<Limiter>,
    pacer: Arc<Pacer>,
}

/// The body of an answer is larger than the limit; the body progenitor gets fails with it when
/// the generated client is used directly.
#[derive(Debug)]
struct TooLarge {
    limit: usize,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "response body exceeds the limit of {} bytes", self.limit)
    }
}

impl std::error::Error for TooLarge {}

/// An answer's head.
pub(crate) struct Head {
    pub(crate) status: StatusCode,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
}

/// What one attempt ended in; `E` is the failure of an exchange (`reqwest::Error`, or the
/// simulation's).
pub(crate) enum Outcome<E> {
    /// An answer, its body read in full.
    Answered(Head, Bytes),
    /// An answer whose body failed to arrive.
    BodyFailed(Head, E),
    /// An answer whose body exceeds the size limit.
    TooLarge(Head),
    /// Nothing was sent: connecting failed.
    NotSent(E),
    /// The request went out (or may have) and no answer came.
    Lost(E),
    /// Not worth another attempt and not the server's doing (an invalid request, a redirect
    /// loop).
    Invalid(E),
}

impl<E> Outcome<E> {
    fn head(&self) -> Option<&Head> {
        match self {
            Outcome::Answered(head, _) | Outcome::BodyFailed(head, _) | Outcome::TooLarge(head) => {
                Some(head)
            }
            _ => None,
        }
    }

    fn policy(&self) -> policy::Attempt<'_> {
        match self {
            Outcome::Answered(head, body) => policy::Attempt::Answered {
                status: head.status,
                headers: &head.headers,
                body,
            },
            Outcome::BodyFailed(head, _) => policy::Attempt::BodyFailed {
                status: head.status,
            },
            Outcome::TooLarge(head) => policy::Attempt::TooLarge {
                status: head.status,
            },
            Outcome::NotSent(_) => policy::Attempt::NotSent,
            Outcome::Lost(_) | Outcome::Invalid(_) => policy::Attempt::Lost,
        }
    }
}

/// How an operation ended.
pub(crate) enum Ending<E> {
    /// In its last attempt, which is its result (a success, or what the generated client's user
    /// gets when the operation has no slot to report to).
    Done(Outcome<E>),
    /// As the SDK reports it, with the last attempt (none when given up before sending).
    Ended(Ended, Option<Outcome<E>>),
}

/// What one operation did.
pub(crate) struct Run<E> {
    pub(crate) ending: Ending<E>,
    /// Time spent waiting for the rate limit (pacing, the server's waits, backoff).
    pub(crate) waited: Duration,
    /// Time spent queueing for a concurrency slot.
    pub(crate) queued: Duration,
    /// Time spent backing off after failures (other than refusals).
    pub(crate) backoff: Duration,
    /// Requests sent.
    pub(crate) attempts: u32,
}

/// What one operation has done so far.
struct Progress<E> {
    kind: Kind,
    /// The retry policy of this operation (the client's, with the call's overrides).
    retry: RetryConfig,
    /// The deadline's length, for its error.
    operation_timeout: Option<Duration>,
    deadline: Option<Instant>,
    sent: u32,
    failures: u32,
    server_waits: u32,
    throttles: u32,
    waited: Duration,
    queued: Duration,
    backoff: Duration,
    /// The last attempt's outcome, for the error of a give-up.
    last: Option<Outcome<E>>,
}

impl<E> Progress<E> {
    fn end(self, ending: Ending<E>) -> Run<E> {
        Run {
            ending,
            waited: self.waited,
            queued: self.queued,
            backoff: self.backoff,
            attempts: self.sent,
        }
    }
}

/// The header progenitor adds to every request.
const API_VERSION: &str = "api-version";

impl Transport {
    pub(crate) fn new(settings: Settings, hook: Option<WaitHook>) -> Self {
        let limiter = Arc::new(Limiter::new(settings.concurrency));
        let pacer = Arc::new(Pacer::new(hook));
        Self {
            shared: Arc::new(Shared {
                settings,
                limiter,
                pacer,
            }),
        }
    }

    /// The concurrency limiter (for the tests' invariant that every slot comes back).
    #[cfg(test)]
    pub(crate) fn limiter(&self) -> &Limiter {
        &self.shared.limiter
    }

    /// The quota pacer (for the tests' invariant that every admission comes back).
    #[cfg(test)]
    pub(crate) fn pacer(&self) -> &Pacer {
        &self.shared.pacer
    }

    async fn execute(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation: &str,
    ) -> reqwest::Result<Response> {
        // progenitor sends the spec's `info.version` as `api-version`; that is our description's
        // version, not one the vendor asked for, so it is not sent.
        request.headers_mut().remove(API_VERSION);
        for (name, value) in &self.shared.settings.headers {
            request.headers_mut().insert(name, value.clone());
        }
        let overrides = exchange::overrides();
        if request.try_clone().is_none() {
            // A streaming body cannot be replayed: one attempt, through the same admission.
            let _slot = self.shared.limiter.acquire().await;
            return client.execute(request).await;
        }
        let kind = Kind::of(request.method());
        let attempt_timeout = overrides
            .get_timeout()
            .or(self.shared.settings.attempt_timeout);
        let request = &request;
        let run = self
            .run(
                kind,
                operation,
                exchange::has_slot(),
                &overrides,
                |deadline| {
                    let mut this = request
                        .try_clone()
                        .expect("checked above: the request has no streaming body");
                    let timeout = [this.timeout().copied().or(attempt_timeout), deadline]
                        .into_iter()
                        .flatten()
                        .min();
                    if timeout.is_some() {
                        *this.timeout_mut() = timeout;
                    }
                    self.attempt(client, this)
                },
            )
            .await;
        tracing::debug!(
            operation,
            attempts = run.attempts,
            waited_ms = run.waited.as_millis() as u64,
            queued_ms = run.queued.as_millis() as u64,
            backoff_ms = run.backoff.as_millis() as u64,
            "operation ended"
        );
        match run.ending {
            Ending::Done(outcome) => self.give_back(outcome),
            Ending::Ended(ended, last) => {
                exchange::end(ended);
                match last {
                    Some(outcome) => self.give_back(outcome),
                    // Given up before anything was sent, which only an operation with a slot
                    // does: its error is in the slot, and progenitor's reading of this empty
                    // answer is not used.
                    None => Ok(Response::from(http::Response::new(
                        Body::from(Bytes::new()),
                    ))),
                }
            }
        }
    }

    /// One operation: attempts through the admissions, each sent with `send` (given the time
    /// left until the deadline, if any), until the policy says it is done. `typed`: the
    /// operation can report a give-up before its first answer (it has a slot); otherwise a
    /// request the pacer would hold past the budget is sent anyway, to return the server's
    /// answer.
    pub(crate) async fn run<E, F, Fut>(
        &self,
        kind: Kind,
        operation: &str,
        typed: bool,
        overrides: &Overrides,
        mut send: F,
    ) -> Run<E>
    where
        E: AttemptError,
        F: FnMut(Option<Duration>) -> Fut,
        Fut: Future<Output = Outcome<E>>,
    {
        let settings = &self.shared.settings;
        let started = Instant::now();
        let operation_timeout = overrides.operation_timeout_over(settings.operation_timeout);
        let mut progress = Progress {
            kind,
            retry: overrides.retry_over(&settings.retry),
            operation_timeout,
            deadline: operation_timeout.map(|t| started + t),
            sent: 0,
            failures: 0,
            server_waits: 0,
            throttles: 0,
            waited: Duration::ZERO,
            queued: Duration::ZERO,
            backoff: Duration::ZERO,
            last: None,
        };
        loop {
            let queued_at = Instant::now();
            let slot = match progress.deadline {
                Some(deadline) if typed => {
                    match tokio::time::timeout_at(deadline, self.shared.limiter.acquire()).await {
                        Ok(slot) => slot,
                        Err(_) => {
                            progress.queued += queued_at.elapsed();
                            return self.deadline(progress);
                        }
                    }
                }
                _ => self.shared.limiter.acquire().await,
            };
            progress.queued += queued_at.elapsed();
            let budget_end = Instant::now()
                + progress
                    .retry
                    .get_max_wait()
                    .saturating_sub(progress.waited);
            let limit = progress.deadline.map_or(budget_end, |d| d.min(budget_end));
            let asked_at = Instant::now();
            let ticket = match self.shared.pacer.admit(limit).await {
                Admission::Go(ticket) => ticket,
                Admission::TooLong { until } if typed => {
                    drop(slot);
                    progress.waited += asked_at.elapsed();
                    let asked = until.saturating_duration_since(Instant::now());
                    return match progress.deadline {
                        Some(deadline) if until > deadline => self.deadline(progress),
                        _ => self.wait_budget(progress, asked),
                    };
                }
                // Sent anyway: only the server's answer can be returned.
                Admission::TooLong { .. } => loop {
                    if let Admission::Go(ticket) =
                        self.shared.pacer.admit(Instant::now() + LONG_AGO).await
                    {
                        break ticket;
                    }
                },
            };
            progress.waited += asked_at.elapsed();
            let left = progress
                .deadline
                .map(|d| d.saturating_duration_since(Instant::now()));
            let outcome = send(left).await;
            progress.sent += 1;
            let rate = outcome
                .head()
                .map(|head| RateLimit::from_headers(&head.headers))
                .unwrap_or_default();
            self.shared.pacer.observe(ticket, &rate);
            drop(slot);
            let status = outcome.head().map(|head| head.status);
            if status.is_some_and(|s| s.is_success()) {
                self.shared.limiter.on_success();
            }
            let spent = policy::Spent {
                failures: progress.failures,
                server_waits: progress.server_waits,
                throttles: progress.throttles,
                waited: progress.waited,
                until_deadline: progress
                    .deadline
                    .map(|d| d.saturating_duration_since(Instant::now())),
            };
            let verdict = match &outcome {
                Outcome::Invalid(_) => Verdict::GiveUp(Stop::Final),
                _ => policy::classify(
                    progress.kind,
                    outcome.policy(),
                    &spent,
                    &progress.retry,
                    SystemTime::now(),
                    fastrand::f64(),
                ),
            };
            let attempt = progress.sent;
            match (&outcome, verdict, status) {
                (Outcome::BodyFailed(_, error), _, Some(status)) => {
                    let error = error.describe();
                    tracing::debug!(operation, attempt, %status, %error, ?verdict, "body failed");
                }
                (_, Verdict::Retry { .. }, Some(status)) => {
                    tracing::debug!(operation, attempt, %status, ?verdict, "retryable status");
                }
                (_, _, Some(status)) => {
                    tracing::debug!(operation, attempt, %status, ?verdict, "response");
                }
                _ => tracing::debug!(operation, attempt, ?verdict, "request failed"),
            }
            let throttled = status == Some(StatusCode::TOO_MANY_REQUESTS);
            if throttled {
                let window = match verdict {
                    Verdict::Retry { after, .. } => Some(after),
                    _ => None,
                };
                self.shared.limiter.on_throttle(window);
            }
            match verdict {
                Verdict::Done => return progress.end(Ending::Done(outcome)),
                Verdict::Unknown => {
                    let message = match &outcome {
                        Outcome::Answered(head, _) if head.status.is_success() => format!(
                            "HTTP {}, where the API answers 200 for an applied write",
                            crate::errors::status_text(head.status)
                        ),
                        Outcome::Answered(head, body) => {
                            exchange::status_error(head.status, &head.headers, body, progress.sent)
                                .to_string()
                        }
                        Outcome::TooLarge(head) => format!(
                            "HTTP {}: {}",
                            crate::errors::status_text(head.status),
                            TooLarge {
                                limit: settings.max_body_bytes
                            }
                        ),
                        Outcome::BodyFailed(_, error)
                        | Outcome::Lost(error)
                        | Outcome::NotSent(error)
                        | Outcome::Invalid(error) => error.describe(),
                    };
                    let ended = Ended::Unknown { status, message };
                    return progress.end(Ending::Ended(ended, Some(outcome)));
                }
                Verdict::GiveUp(Stop::Final) => return self.failed(progress, outcome),
                Verdict::GiveUp(Stop::WaitBudget { asked }) => {
                    progress.last = Some(outcome);
                    return self.wait_budget(progress, asked);
                }
                Verdict::GiveUp(Stop::Deadline { .. }) => {
                    progress.last = Some(outcome);
                    return self.deadline(progress);
                }
                Verdict::Retry { after, why } => {
                    tracing::debug!(
                        operation,
                        attempt = progress.sent,
                        delay_ms = after.as_millis() as u64,
                        ?why,
                        "retrying"
                    );
                    match why {
                        Why::ServerAsked => progress.server_waits += 1,
                        Why::Throttled => progress.throttles += 1,
                        Why::Failed => progress.failures += 1,
                    }
                    if throttled {
                        let reason = match why {
                            Why::ServerAsked => WaitReason::ServerAsked,
                            _ => WaitReason::Backoff,
                        };
                        self.shared.pacer.refused(after, reason);
                    }
                    if throttled && why == Why::ServerAsked {
                        // Every request of the client would be refused too: the pacer holds them
                        // all, this one included (its wait is counted at its next admission).
                        self.shared.pacer.hold(after);
                    } else {
                        let slept = Instant::now();
                        tokio::time::sleep(after).await;
                        match why {
                            Why::Failed => progress.backoff += slept.elapsed(),
                            _ => progress.waited += slept.elapsed(),
                        }
                    }
                    progress.last = Some(outcome);
                }
            }
        }
    }

    /// Sends one attempt and reads its body within the limit.
    async fn attempt(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
    ) -> Outcome<reqwest::Error> {
        let mut response = match client.execute(request).await {
            Ok(response) => response,
            Err(error) if error.is_connect() => return Outcome::NotSent(error),
            Err(error) if error.is_builder() || error.is_redirect() => {
                return Outcome::Invalid(error);
            }
            Err(error) => return Outcome::Lost(error),
        };
        let head = Head {
            status: response.status(),
            version: response.version(),
            headers: std::mem::take(response.headers_mut()),
        };
        let limit = self.shared.settings.max_body_bytes;
        if response
            .content_length()
            .is_some_and(|len| len > limit as u64)
        {
            return Outcome::TooLarge(head);
        }
        let mut body = BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > limit => {
                    return Outcome::TooLarge(head);
                }
                Ok(Some(chunk)) if body.is_empty() => body = BytesMut::from(chunk),
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => return Outcome::Answered(head, body.freeze()),
                Err(error) => return Outcome::BodyFailed(head, error),
            }
        }
    }

    /// The last attempt as received, for progenitor (what a user of the generated client sees).
    fn give_back(&self, outcome: Outcome<reqwest::Error>) -> reqwest::Result<Response> {
        match outcome {
            Outcome::Answered(head, body) => Ok(rebuild(head, Body::from(body))),
            Outcome::TooLarge(head) => {
                let limit = self.shared.settings.max_body_bytes;
                let failing =
                    futures_util::stream::once(async move { Err::<Bytes, _>(TooLarge { limit }) });
                Ok(rebuild(head, Body::wrap_stream(failing)))
            }
            Outcome::BodyFailed(_, error)
            | Outcome::NotSent(error)
            | Outcome::Lost(error)
            | Outcome::Invalid(error) => Err(error),
        }
    }

    /// Gives up with the last attempt's failure.
    fn failed<E: AttemptError>(&self, progress: Progress<E>, outcome: Outcome<E>) -> Run<E> {
        let error = match &outcome {
            Outcome::Answered(head, body) => {
                exchange::status_error(head.status, &head.headers, body, progress.sent)
            }
            Outcome::TooLarge(_) => Error::BodyTooLarge {
                page: None,
                limit: self.shared.settings.max_body_bytes,
            },
            Outcome::BodyFailed(_, error) => exchange::transport_error(error, true),
            Outcome::NotSent(error) | Outcome::Lost(error) | Outcome::Invalid(error) => {
                exchange::transport_error(error, false)
            }
        };
        progress.end(Ending::Ended(Ended::Failed(error), Some(outcome)))
    }

    /// Gives up because the next wait would pass the operation's waiting budget.
    fn wait_budget<E>(&self, mut progress: Progress<E>, asked: Duration) -> Run<E> {
        let head = progress.last.as_ref().and_then(Outcome::head);
        let error = Error::WaitBudget(Box::new(WaitBudgetError {
            page: None,
            status: head.map(|head| head.status),
            budget: progress.retry.get_max_wait(),
            waited: progress.waited,
            asked,
            rate_limit: head
                .map(|head| RateLimit::from_headers(&head.headers))
                .unwrap_or_default(),
            attempts: progress.sent,
        }));
        let last = progress.last.take();
        progress.end(Ending::Ended(Ended::Failed(error), last))
    }

    /// Gives up because the operation's deadline passed (or would, during the next wait).
    fn deadline<E: AttemptError>(&self, mut progress: Progress<E>) -> Run<E> {
        let last = progress.last.as_ref().map(|outcome| match outcome {
            Outcome::Answered(head, body) => {
                exchange::status_error(head.status, &head.headers, body, progress.sent).to_string()
            }
            Outcome::TooLarge(head) => format!(
                "HTTP {}, body too large",
                crate::errors::status_text(head.status)
            ),
            Outcome::BodyFailed(_, error)
            | Outcome::NotSent(error)
            | Outcome::Lost(error)
            | Outcome::Invalid(error) => error.describe(),
        });
        let error = Error::Deadline(Box::new(DeadlineError {
            page: None,
            timeout: progress.operation_timeout.unwrap_or_default(),
            waited: progress.waited,
            attempts: progress.sent,
            last,
        }));
        let last = progress.last.take();
        progress.end(Ending::Ended(Ended::Failed(error), last))
    }
}

/// Far enough that the pacer never says no.
const LONG_AGO: Duration = Duration::from_secs(86_400 * 365);

fn rebuild(head: Head, body: Body) -> Response {
    let mut builder = http::Response::builder()
        .status(head.status)
        .version(head.version);
    if let Some(headers) = builder.headers_mut() {
        *headers = head.headers;
    }
    Response::from(
        builder
            .body(body)
            .expect("status, version and headers come from a valid response"),
    )
}

impl ClientHooks<Transport> for generated::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<Response> {
        self.inner()
            .execute(self.client(), request, info.operation_id)
            .await
    }
}
