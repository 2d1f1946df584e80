//! What the result of a generated operation means to the SDK: the body of a success, or an
//! [`Error`] that says what failed and where.
//!
//! The generated operations return progenitor's result, whose success value is the body as
//! received ([`RawJson`]); this module turns the failures into the SDK's errors: an error status
//! into [`Error::Status`] (with the server's wait, rate-limit headers and error body), a transport
//! failure into [`Error::Transport`] or [`Error::BodyTooLarge`], and, for writes, any failure after
//! sending into an unknown outcome.

use progenitor_client::{Error as Failure, ResponseValue};
use reqwest::StatusCode;

use crate::body::RawJson;
use crate::error_body::ErrorBody;
use crate::errors::{Error, StatusError, TransportKind};
use crate::rate_limit::RateLimit;
use crate::retry;
use crate::transport::{Attempts, BodyError, RefusedWait};

/// What a generated operation's `send` returns.
pub(crate) type Sent<T> = Result<ResponseValue<RawJson<T>>, Failure<()>>;

/// The body of a success response, or progenitor's failure. A success body that is not JSON at
/// all is still the body: the caller's decoder explains what is wrong with it.
// progenitor's error holds a whole `reqwest::Response`; it is handed on at once, not propagated.
#[allow(clippy::result_large_err)]
fn success_body<T>(sent: Sent<T>) -> Result<bytes::Bytes, Failure<()>> {
    match sent {
        Ok(response) => Ok(response.into_inner().into_bytes()),
        Err(Failure::InvalidResponsePayload(body, _)) => Ok(body),
        Err(failure) => Err(failure),
    }
}

/// The body of a read's success response, or its failure as an [`Error`].
pub(crate) async fn read<T>(sent: Sent<T>) -> Result<bytes::Bytes, Error> {
    match success_body(sent) {
        Ok(body) => Ok(body),
        Err(Failure::UnexpectedResponse(response)) => Err(status_error(response).await),
        Err(Failure::CommunicationError(error) | Failure::ResponseBodyError(error)) => {
            Err(transport_error(error))
        }
        Err(other) => Err(Error::InvalidRequest(other.to_string())),
    }
}

/// The body of a write's success response, or its failure as an [`Error`]: rejected
/// ([`Error::Status`], a [`Error::Transport`] that never connected) or, when the write may have
/// been applied, the error `unknown` makes of the status and message.
pub(crate) async fn written<T>(
    sent: Sent<T>,
    unknown: impl FnOnce(Option<StatusCode>, String) -> Error,
) -> Result<bytes::Bytes, Error> {
    match success_body(sent) {
        Ok(body) => Ok(body),
        Err(failure) => Err(write_error(failure, unknown).await),
    }
}

/// Maps a failed write: rejected ([`Error::Status`], an unsent [`Error::Transport`]) or unknown.
async fn write_error(
    error: Failure<()>,
    unknown: impl FnOnce(Option<StatusCode>, String) -> Error,
) -> Error {
    match error {
        Failure::UnexpectedResponse(response) => {
            let status = response.status();
            let error = status_error(response).await;
            if matches!(
                status,
                StatusCode::INTERNAL_SERVER_ERROR
                    | StatusCode::BAD_GATEWAY
                    | StatusCode::GATEWAY_TIMEOUT
            ) {
                unknown(Some(status), error.to_string())
            } else {
                error
            }
        }
        Failure::CommunicationError(e) => match transport_error(e) {
            sent @ Error::Transport {
                kind: TransportKind::Connect,
                ..
            } => sent,
            other => unknown(None, other.to_string()),
        },
        Failure::ResponseBodyError(e) | Failure::InvalidUpgrade(e) => {
            unknown(None, transport_error(e).to_string())
        }
        Failure::InvalidRequest(message) | Failure::Custom(message) => {
            Error::InvalidRequest(message)
        }
        Failure::ErrorResponse(_) | Failure::InvalidResponsePayload(..) => {
            unknown(None, format!("unexpected response: {error}"))
        }
    }
}

/// Builds the error for a response with an error status; its body was already buffered.
async fn status_error(response: reqwest::Response) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    let attempts = response.extensions().get::<Attempts>().map_or(1, |a| a.0);
    let refused_wait = response.extensions().get::<RefusedWait>().map(|w| w.0);
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return transport_error(e),
    };
    let parsed = ErrorBody::parse(&bytes).unwrap_or_default();
    let end = bytes.len().min(64 * 1024);
    Error::Status(Box::new(StatusError {
        status,
        page: None,
        retry_after: retry::server_wait(status, &headers, &bytes),
        refused_wait,
        rate_limit: RateLimit::from_headers(&headers),
        error: parsed.error,
        message: parsed.message,
        body: String::from_utf8_lossy(&bytes[..end]).into_owned(),
        attempts,
    }))
}

/// Classifies a reqwest failure, recovering the transport's own [`BodyError`] from its causes;
/// the reqwest error becomes the [`Error::Transport`]'s source.
fn transport_error(error: reqwest::Error) -> Error {
    let mut subject = &error;
    let mut fallback = TransportKind::Other;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(current) = cause {
        match current.downcast_ref::<BodyError>() {
            Some(BodyError::TooLarge { limit }) => {
                return Error::BodyTooLarge {
                    page: None,
                    limit: *limit,
                };
            }
            Some(BodyError::Read(inner)) => {
                subject = inner;
                fallback = TransportKind::Body;
                break;
            }
            None => cause = current.source(),
        }
    }
    let kind = if subject.is_timeout() {
        TransportKind::Timeout
    } else if subject.is_connect() {
        TransportKind::Connect
    } else {
        fallback
    };
    let message = error_chain(subject);
    Error::Transport {
        page: None,
        kind,
        message,
        source: Some(Box::new(error)),
    }
}

/// An error and its causes on one line, without the request URL (reqwest's own message names it;
/// the causes say what went wrong).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
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
