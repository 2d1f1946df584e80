//! Sending one request: retries, the concurrency limiter, the quota pacer, the body-size limit and
//! tracing.
//!
//! This is the `exec` hook of the generated progenitor client ([`crate::generated::Client`]):
//! progenitor builds the request and decodes the response, this module decides how the request
//! travels. It reads the whole body here (bounded by the size limit) so that a connection dropped
//! mid-body is retried like any other transport failure, then hands progenitor a response rebuilt
//! from the buffered bytes.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::{Body, Response, StatusCode};

use crate::generated;
use crate::limiter::Limiter;
use crate::quota::{Pacer, Ticket, WaitHook, WaitReason};
use crate::rate_limit::RateLimit;
use crate::retry::{self, RetryConfig};
use crate::write::RetryRule;

/// The generated client's inner state: how requests travel. Cheap to clone (shared).
#[derive(Clone, Debug)]
pub struct Transport {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    retry: RetryConfig,
    max_body_bytes: usize,
    limiter: Arc<Limiter>,
    pacer: Pacer,
    /// The reactive behaviour before issue 19, for the benchmark's baseline: no pacing from the
    /// headers, every wait and every 429 uses up an attempt, every 429 halves the concurrency.
    reactive: bool,
}

/// How many attempts a response took, carried in the response's extensions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attempts(pub(crate) u32);

/// The wait a response asked for when it exceeded `max_wait` (so it was not retried), carried
/// in the response's extensions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RefusedWait(pub(crate) std::time::Duration);

/// Why a body could not be delivered; travels inside the `reqwest::Error` that progenitor reports,
/// and is recovered from its source chain by [`crate::Client`].
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    #[error("response body exceeds the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error("reading the response body failed: {0}")]
    Read(#[source] reqwest::Error),
}

/// The outcome of one attempt.
enum Attempt {
    /// A response to hand to progenitor (success or a status not worth retrying).
    Done(Response),
    /// A retryable status, with its buffered response for the final error and the wait the
    /// server asked for.
    RetryStatus(Response, Option<std::time::Duration>),
    /// A retryable transport failure before a response arrived.
    RetrySend(reqwest::Error),
    /// A retryable failure while reading the body.
    RetryBody(reqwest::Error),
    /// A failure not worth retrying (an invalid request, a redirect loop).
    Fail(reqwest::Error),
}

/// The header progenitor adds to every request.
const API_VERSION: &str = "api-version";

impl Transport {
    pub(crate) fn new(
        retry: RetryConfig,
        max_body_bytes: usize,
        concurrency: usize,
        hook: Option<WaitHook>,
        reactive: bool,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                retry,
                max_body_bytes,
                limiter: Arc::new(Limiter::new(concurrency)),
                pacer: Pacer::new(hook),
                reactive,
            }),
        }
    }

    /// Waits for the pacer (unless reactive).
    async fn admit(&self, max_wait: std::time::Duration) -> Option<Ticket> {
        if self.shared.reactive {
            return None;
        }
        Some(self.shared.pacer.admit(max_wait).await)
    }

    /// Feeds the pacer the answer to the request admitted with `ticket`.
    fn observe(&self, ticket: Option<Ticket>, outcome: &Attempt) {
        let Some(ticket) = ticket else { return };
        let rate = match outcome {
            Attempt::Done(response) | Attempt::RetryStatus(response, _) => {
                RateLimit::from_headers(response.headers())
            }
            _ => RateLimit::default(),
        };
        self.shared.pacer.observe(ticket, &rate);
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
        let shared = &self.shared;
        let max_wait = shared.retry.get_max_wait();
        if request.try_clone().is_none() {
            // A streaming body cannot be replayed: one attempt only.
            let _permit = shared.limiter.acquire().await;
            let ticket = self.admit(max_wait).await;
            let result = client.execute(request).await;
            if let Some(ticket) = ticket {
                let rate = result
                    .as_ref()
                    .map(|r| RateLimit::from_headers(r.headers()))
                    .unwrap_or_default();
                shared.pacer.observe(ticket, &rate);
            }
            return result;
        }
        let retries = shared.retry.get_max_attempts() > 1;
        // Failures that use up attempts; waits the server asked for and hint-less 429s do not.
        let mut attempt = 1;
        let mut sent = 0;
        let mut server_waits = 0;
        let mut throttles = 0;
        let mut throttled = std::time::Duration::ZERO;
        loop {
            let this = request
                .try_clone()
                .expect("checked above: the request has no streaming body");
            let outcome = {
                let _permit = shared.limiter.acquire().await;
                let ticket = self.admit(max_wait).await;
                let outcome = self.attempt(client, this).await;
                self.observe(ticket, &outcome);
                outcome
            };
            sent += 1;
            let last = attempt >= shared.retry.get_max_attempts();
            let delay = match outcome {
                Attempt::Fail(error) => return Err(error),
                Attempt::Done(mut response) => {
                    response.extensions_mut().insert(Attempts(sent));
                    if response.status().is_success() {
                        shared.limiter.on_success();
                    }
                    tracing::debug!(operation, attempt = sent, status = %response.status(), "response");
                    return Ok(response);
                }
                Attempt::RetryStatus(mut response, wait) => {
                    response.extensions_mut().insert(Attempts(sent));
                    let status = response.status();
                    let throttle = status == StatusCode::TOO_MANY_REQUESTS;
                    if throttle {
                        // The pause holds back every request of the client: cap it like the
                        // retry's own wait, or one `Retry-After: 86400` stalls the client a day.
                        let pause = wait.map(|w| w.min(max_wait));
                        if shared.reactive {
                            shared.limiter.on_throttle_every_time(pause);
                        } else {
                            shared.limiter.on_throttle(pause);
                        }
                    }
                    tracing::debug!(operation, attempt = sent, %status, ?wait, "retryable status");
                    if let Some(wait) = wait.filter(|w| *w > max_wait) {
                        // Retrying sooner than asked would only meet another refusal.
                        response.extensions_mut().insert(RefusedWait(wait));
                        return Ok(response);
                    }
                    match wait {
                        _ if !retries => return Ok(response),
                        _ if shared.reactive => {
                            if last {
                                return Ok(response);
                            }
                            attempt += 1;
                            shared.retry.delay(attempt - 1, wait)
                        }
                        Some(wait) => {
                            server_waits += 1;
                            if server_waits > retry::MAX_SERVER_WAITS {
                                return Ok(response);
                            }
                            let delay = shared.retry.delay(attempt, Some(wait));
                            if throttle {
                                shared.pacer.refused(delay, WaitReason::ServerAsked);
                            }
                            delay
                        }
                        None if throttle => {
                            throttles += 1;
                            let delay = shared.retry.throttle_backoff(throttles);
                            if throttled + delay > max_wait {
                                return Ok(response);
                            }
                            throttled += delay;
                            shared.pacer.refused(delay, WaitReason::Backoff);
                            delay
                        }
                        None if last => return Ok(response),
                        None => {
                            attempt += 1;
                            shared.retry.delay(attempt - 1, None)
                        }
                    }
                }
                Attempt::RetrySend(error) => {
                    tracing::debug!(operation, attempt = sent, %error, last, "request failed");
                    if last {
                        return Err(error);
                    }
                    attempt += 1;
                    shared.retry.delay(attempt - 1, None)
                }
                Attempt::RetryBody(error) => {
                    tracing::debug!(operation, attempt = sent, %error, last, "body failed");
                    if last {
                        return Ok(error_response(BodyError::Read(error)));
                    }
                    attempt += 1;
                    shared.retry.delay(attempt - 1, None)
                }
            };
            tracing::debug!(
                operation,
                attempt = sent,
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(&self, client: &reqwest::Client, request: reqwest::Request) -> Attempt {
        let rule = RetryRule::for_method(request.method());
        let mut response = match client.execute(request).await {
            Ok(response) => response,
            Err(error) if rule.send_error(&error) => return Attempt::RetrySend(error),
            Err(error) => return Attempt::Fail(error),
        };
        let limit = self.shared.max_body_bytes;
        let status = response.status();
        let mut head = http::Response::builder()
            .status(status)
            .version(response.version());
        if let Some(headers) = head.headers_mut() {
            *headers = std::mem::take(response.headers_mut());
        }
        if response
            .content_length()
            .is_some_and(|len| len > limit as u64)
        {
            return Attempt::Done(rebuild(head, error_body(BodyError::TooLarge { limit })));
        }
        let mut body = BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > limit => {
                    return Attempt::Done(rebuild(head, error_body(BodyError::TooLarge { limit })));
                }
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(error) if rule.body_error(&error) => {
                    return Attempt::RetryBody(error);
                }
                Err(error) => {
                    return Attempt::Done(rebuild(head, error_body(BodyError::Read(error))));
                }
            }
        }
        if rule.status(status) {
            let wait = head
                .headers_ref()
                .and_then(|headers| retry::server_wait(status, headers, &body));
            Attempt::RetryStatus(rebuild(head, Body::from(Bytes::from(body))), wait)
        } else {
            let rebuilt = rebuild(head, Body::from(Bytes::from(body)));
            Attempt::Done(rebuilt)
        }
    }
}

fn rebuild(head: http::response::Builder, body: Body) -> Response {
    Response::from(
        head.body(body)
            .expect("status, version and headers come from a valid response"),
    )
}

/// A body whose first read fails with `error`: progenitor reports it as a body error whose
/// source chain carries `error`.
fn error_body(error: BodyError) -> Body {
    Body::wrap_stream(futures::stream::once(async move { Err::<Bytes, _>(error) }))
}

/// A response standing for a body that failed to arrive: a `200` whose body fails to read, so that
/// progenitor reads it and reports the failure as a body error.
fn error_response(error: BodyError) -> Response {
    rebuild(
        http::Response::builder().status(StatusCode::OK),
        error_body(error),
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
