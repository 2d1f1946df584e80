//! What the result of a generated operation means to the SDK: the body of a success, or an
//! [`Error`] that says what failed and where.
//!
//! The pipeline ([`crate::transport`]) must hand progenitor a `reqwest` result, which cannot say
//! why it gave up (a wait budget spent, a deadline passed, a write whose outcome is unknown) or
//! keep a failed body's status. So an operation sent through [`read`] or [`written`] runs with a
//! slot of its own ([`Ended`], a task-local), in which the pipeline leaves how the operation
//! ended, in the SDK's types; progenitor's result is used only when the slot stays empty (a
//! success). The same scope carries the call's [`Overrides`] to the pipeline. This module also builds those errors from what an attempt ended in
//! ([`status_error`], [`transport_error`]), for the pipeline.

use std::future::Future;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use progenitor_client::{Error as Failure, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::body::RawJson;
use crate::error_body::ErrorBody;
use crate::errors::{Error, StatusError, TransportKind};
use crate::overrides::Overrides;
use crate::rate_limit::RateLimit;
use crate::retry;

/// What a generated operation's `send` returns.
pub(crate) type Sent<T> = Result<ResponseValue<RawJson<T>>, Failure<()>>;

/// How an operation ended, when not in a success the SDK reads from progenitor's result.
#[derive(Debug)]
pub(crate) enum Ended {
    /// It failed, and nothing was applied: the error.
    Failed(Error),
    /// A write that may have been applied: the status of the answer, when there was one, and
    /// what happened.
    Unknown {
        status: Option<StatusCode>,
        message: String,
    },
}

/// The running operation's scope: its per-call settings, and how it ended.
#[derive(Default)]
struct Scope {
    overrides: Overrides,
    ended: Mutex<Option<Ended>>,
}

type Slot = Arc<Scope>;

tokio::task_local! {
    static ENDED: Slot;
}

/// The running operation's per-call settings (none when it was sent with the generated client
/// directly).
pub(crate) fn overrides() -> Overrides {
    ENDED
        .try_with(|scope| scope.overrides.clone())
        .unwrap_or_default()
}

/// Whether the running operation has a slot (it was sent through [`read`] or [`written`]): if not,
/// it was sent with the generated client directly, and only progenitor's result can tell.
pub(crate) fn has_slot() -> bool {
    ENDED.try_with(|_| ()).is_ok()
}

/// Leaves how the running operation ended in its slot, if it has one.
pub(crate) fn end(ended: Ended) {
    let _ = ENDED.try_with(|slot| {
        *slot.ended.lock().unwrap_or_else(|e| e.into_inner()) = Some(ended);
    });
}

/// Runs `send` with a slot and the call's `overrides`: how it ended when the pipeline left that, else progenitor's result.
///
/// The pipeline's [`Error::Transport`] has no source yet: the `reqwest::Error` went to
/// progenitor, the usual way, and becomes its source here.
async fn scoped<T>(
    send: impl Future<Output = Sent<T>>,
    overrides: &Overrides,
) -> Result<Sent<T>, Ended> {
    let slot = Arc::new(Scope {
        overrides: overrides.clone(),
        ended: Mutex::default(),
    });
    let sent = ENDED.scope(Arc::clone(&slot), send).await;
    let ended = slot.ended.lock().unwrap_or_else(|e| e.into_inner()).take();
    match (ended, sent) {
        (None, sent) => Ok(sent),
        (
            Some(Ended::Failed(typed @ Error::Transport { source: None, .. })),
            Err(Failure::CommunicationError(error) | Failure::ResponseBodyError(error)),
        ) => Err(Ended::Failed(with_source(typed, error))),
        (Some(ended), _) => Err(ended),
    }
}

/// The body of a read's success response, or its failure as an [`Error`]. A success body that is
/// not JSON at all is still the body: the caller's decoder explains what is wrong with it.
pub(crate) async fn read<T>(
    send: impl Future<Output = Sent<T>>,
    overrides: &Overrides,
) -> Result<Bytes, Error> {
    match scoped(send, overrides).await {
        Ok(sent) => body(sent).await,
        Err(Ended::Failed(error)) => Err(error),
        // Reads are never left unknown; should one be, it failed.
        Err(Ended::Unknown { message, .. }) => Err(Error::Transport {
            page: None,
            kind: TransportKind::Other,
            message,
            source: None,
        }),
    }
}

/// The body of a write's success response (as for [`read`]), or its failure as an [`Error`]:
/// not applied ([`Error::Status`], a [`Error::Transport`] that never reached the server, a spent
/// wait budget, a passed deadline) or, when the write may have been applied, the error `unknown`
/// makes of the status and message.
pub(crate) async fn written<T>(
    send: impl Future<Output = Sent<T>>,
    unknown: impl FnOnce(Option<StatusCode>, String) -> Error,
    overrides: &Overrides,
) -> Result<Bytes, Error> {
    match scoped(send, overrides).await {
        Ok(sent) => body(sent).await,
        Err(Ended::Failed(error)) => Err(error),
        Err(Ended::Unknown { status, message }) => Err(unknown(status, message)),
    }
}

/// The success body of progenitor's result; its failure when the pipeline left none.
async fn body<T>(sent: Sent<T>) -> Result<Bytes, Error> {
    match sent {
        Ok(response) => Ok(response.into_inner().into_bytes()),
        Err(Failure::InvalidResponsePayload(body, _)) => Ok(body),
        Err(Failure::UnexpectedResponse(response)) => {
            let status = response.status();
            let headers = response.headers().clone();
            match response.bytes().await {
                Ok(bytes) => Err(status_error(status, &headers, &bytes, 1)),
                Err(e) => Err(with_source(transport_error(&e, true), e)),
            }
        }
        Err(Failure::CommunicationError(error) | Failure::ResponseBodyError(error)) => {
            Err(with_source(transport_error(&error, false), error))
        }
        Err(other) => Err(Error::InvalidRequest(other.to_string())),
    }
}

/// The error of an answer with an error status, its body read.
pub(crate) fn status_error(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    attempts: u32,
) -> Error {
    let parsed = ErrorBody::parse(body).unwrap_or_default();
    let end = body.len().min(64 * 1024);
    Error::Status(Box::new(StatusError {
        status,
        page: None,
        retry_after: retry::server_wait(status, headers, body, std::time::SystemTime::now()),
        rate_limit: RateLimit::from_headers(headers),
        error: parsed.error,
        message: parsed.message,
        body: String::from_utf8_lossy(&body[..end]).into_owned(),
        attempts,
    }))
}

/// What the failure of an exchange says, for the SDK's errors.
pub(crate) trait AttemptError {
    /// What failed, with its causes, on one line.
    fn describe(&self) -> String;
    /// What part of the exchange failed; `body` when it failed while the body was being read.
    fn kind(&self, body: bool) -> TransportKind;
}

impl AttemptError for reqwest::Error {
    fn describe(&self) -> String {
        error_chain(self)
    }

    fn kind(&self, body: bool) -> TransportKind {
        if self.is_timeout() {
            TransportKind::Timeout
        } else if self.is_connect() {
            TransportKind::Connect
        } else if body || self.is_body() || self.is_decode() {
            TransportKind::Body
        } else {
            TransportKind::Other
        }
    }
}

/// The error of a failed exchange; `body` when it failed while the body was being read. Without
/// a source: the `reqwest::Error` itself travels to progenitor ([`with_source`] adds it).
pub(crate) fn transport_error(error: &impl AttemptError, body: bool) -> Error {
    Error::Transport {
        page: None,
        kind: error.kind(body),
        message: error.describe(),
        source: None,
    }
}

/// Makes `error` the source of a [`Error::Transport`].
fn with_source(mut typed: Error, error: reqwest::Error) -> Error {
    if let Error::Transport { source, .. } = &mut typed {
        *source = Some(Box::new(error));
    }
    typed
}

/// An error and its causes on one line, without the request URL (reqwest's own message names it;
/// the causes say what went wrong).
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut cause = error.source();
    while let Some(current) = cause {
        let text = current.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = current.source();
    }
    parts.join(": ")
}
