//! The retry rule for writes.
//!
//! A `GET` can be repeated freely, so every transient failure is retried ([`crate::RetryConfig`]).
//! A `POST` is retried only when the retry cannot apply anything twice or in a different order
//! than the caller intended:
//!
//! - 429 (after `Retry-After`) and 503: the server refused the request without processing it;
//! - a connection that failed while connecting: the request was never sent.
//!
//! Everything else (a timeout, a connection dropped after the request went out, 500, 502, 504) is
//! returned at once; the client reports it as an outcome it cannot know
//! ([`crate::Error::UnknownOutcome`]) so the caller decides whether to re-send.

use reqwest::{Method, StatusCode};

use crate::retry;

/// Which failures of one request are worth another attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetryRule {
    /// An idempotent method (`GET`): every transient failure.
    Idempotent,
    /// A write (`POST`): only failures that prove the request was not processed.
    Write,
}

impl RetryRule {
    pub(crate) fn for_method(method: &Method) -> Self {
        if method.is_idempotent() {
            Self::Idempotent
        } else {
            Self::Write
        }
    }

    /// Whether a response with this status is worth another attempt.
    pub(crate) fn status(self, status: StatusCode) -> bool {
        match self {
            Self::Idempotent => retry::is_retryable_status(status),
            Self::Write => matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ),
        }
    }

    /// Whether a failure before any response arrived is worth another attempt.
    pub(crate) fn send_error(self, error: &reqwest::Error) -> bool {
        match self {
            Self::Idempotent => retry::is_retryable_error(error),
            // Connecting failed (refused, DNS, TLS, connect timeout): nothing was sent.
            Self::Write => error.is_connect(),
        }
    }

    /// Whether a failure while reading the body is worth another attempt.
    pub(crate) fn body_error(self, error: &reqwest::Error) -> bool {
        match self {
            Self::Idempotent => retry::is_retryable_error(error),
            // The server answered: it has processed the write.
            Self::Write => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_retry_only_statuses_that_prove_nothing_was_done() {
        let write = RetryRule::for_method(&Method::POST);
        assert_eq!(write, RetryRule::Write);
        for code in [429, 503] {
            assert!(write.status(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [400, 404, 408, 409, 422, 500, 502, 504] {
            assert!(!write.status(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        let read = RetryRule::for_method(&Method::GET);
        assert!(read.status(StatusCode::BAD_GATEWAY));
    }
}
