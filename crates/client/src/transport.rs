//! Sending one request: retries, the concurrency limiter, the body-size limit and tracing.
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
}

/// How many attempts a response took, carried in the response's extensions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attempts(pub(crate) u32);

/// The wait a response asked for when it exceeded `max_delay` (so it was not retried), carried
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
    pub(crate) fn new(retry: RetryConfig, max_body_bytes: usize, concurrency: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                retry,
                max_body_bytes,
                limiter: Arc::new(Limiter::new(concurrency)),
            }),
        }
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
        if request.try_clone().is_none() {
            // A streaming body cannot be replayed: one attempt only.
            let _permit = shared.limiter.acquire().await;
            return client.execute(request).await;
        }
        let mut attempt = 1;
        loop {
            let this = request
                .try_clone()
                .expect("checked above: the request has no streaming body");
            let outcome = {
                let _permit = shared.limiter.acquire().await;
                self.attempt(client, this).await
            };
            let last = attempt >= shared.retry.get_max_attempts();
            let retry_after = match outcome {
                Attempt::Fail(error) => return Err(error),
                Attempt::Done(mut response) => {
                    response.extensions_mut().insert(Attempts(attempt));
                    if response.status().is_success() {
                        shared.limiter.on_success();
                    }
                    tracing::debug!(operation, attempt, status = %response.status(), "response");
                    return Ok(response);
                }
                Attempt::RetryStatus(mut response, wait) => {
                    response.extensions_mut().insert(Attempts(attempt));
                    let status = response.status();
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        // The pause holds back every request of the client: cap it like the
                        // retry's own wait, or one `Retry-After: 86400` stalls the client a day.
                        shared
                            .limiter
                            .on_throttle(wait.map(|w| shared.retry.delay(attempt, Some(w))));
                    }
                    tracing::debug!(operation, attempt, %status, ?wait, last, "retryable status");
                    if let Some(wait) = wait.filter(|w| *w > shared.retry.get_max_delay()) {
                        // Retrying sooner than asked would only meet another refusal.
                        response.extensions_mut().insert(RefusedWait(wait));
                        return Ok(response);
                    }
                    if last {
                        return Ok(response);
                    }
                    wait
                }
                Attempt::RetrySend(error) => {
                    tracing::debug!(operation, attempt, %error, last, "request failed");
                    if last {
                        return Err(error);
                    }
                    None
                }
                Attempt::RetryBody(error) => {
                    tracing::debug!(operation, attempt, %error, last, "body failed");
                    if last {
                        return Ok(error_response(BodyError::Read(error)));
                    }
                    None
                }
            };
            let delay = shared.retry.delay(attempt, retry_after);
            tracing::debug!(
                operation,
                attempt,
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
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
