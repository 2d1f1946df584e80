//! Per-call overrides of the client's timeouts, waiting budget and retries, in the manner of the
//! AWS SDK for Rust's `customize()`: set on one operation's builder, they apply to that call only.
//!
//! Each operation's builder ([`ListMeetings`](crate::ListMeetings),
//! [`GetMeeting`](crate::GetMeeting), [`UpdateAttendance`](crate::UpdateAttendance),
//! [`BulkUpdateAttendance`](crate::BulkUpdateAttendance)) keeps an [`Overrides`] in its own
//! [`Client`](crate::Client) clone; the operation hands it to the pipeline with its result slot
//! (`exchange.rs`), where it is merged over the client's settings (`transport.rs`). Nothing else
//! of the client changes: the connection pool, the pacing and the concurrency limit stay shared.

use std::time::Duration;

use crate::retry::RetryConfig;

/// Settings of one call that replace the client's: build one and pass it to an operation's
/// `overrides`, or use the builders' setters of the same names (`timeout`, `operation_timeout`,
/// `retry`, `max_wait`, `max_attempts`). An unset field keeps the client's value.
///
/// ```
/// use std::time::Duration;
/// use thoughtindustries::Overrides;
///
/// // A health check: one attempt, at most two seconds, no waiting for the quota.
/// let quick = Overrides::new()
///     .operation_timeout(Duration::from_secs(2))
///     .max_attempts(1)
///     .max_wait(Duration::ZERO);
/// # let _ = quick;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct Overrides {
    timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    retry: Option<RetryConfig>,
    max_wait: Option<Duration>,
    max_attempts: Option<u32>,
}

impl Overrides {
    /// No overrides: the client's settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// The time allowed for one attempt of this call, from sending to the end of the body
    /// (replaces [`ClientBuilder::timeout`](crate::ClientBuilder::timeout)).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The deadline of this call, its attempts and waits included (replaces
    /// [`ClientBuilder::operation_timeout`](crate::ClientBuilder::operation_timeout)); past it
    /// the call fails with [`Error::Deadline`](crate::Error::Deadline). For a listing, the
    /// deadline of each page.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// The retry policy of this call (replaces [`ClientBuilder::retry`](crate::ClientBuilder::retry));
    /// [`max_wait`](Self::max_wait) and [`max_attempts`](Self::max_attempts), when set, apply
    /// over it.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// The waiting budget of this call ([`RetryConfig::max_wait`]); past it the call fails with
    /// [`Error::WaitBudget`](crate::Error::WaitBudget).
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = Some(wait);
        self
    }

    /// The attempts of this call, the first included ([`RetryConfig::max_attempts`]).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// The attempt timeout of this call, if overridden.
    pub(crate) fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The operation deadline of this call: the override, else the client's.
    pub(crate) fn operation_timeout_over(&self, client: Option<Duration>) -> Option<Duration> {
        self.operation_timeout.or(client)
    }

    /// The retry policy of this call, merged over the client's.
    pub(crate) fn retry_over(&self, client: &RetryConfig) -> RetryConfig {
        let mut retry = self.retry.clone().unwrap_or_else(|| client.clone());
        if let Some(wait) = self.max_wait {
            retry = retry.max_wait(wait);
        }
        if let Some(attempts) = self.max_attempts {
            retry = retry.max_attempts(attempts);
        }
        retry
    }
}

/// The per-call setters of an operation's builder, which keeps its [`Overrides`] in
/// `self.client.overrides`.
macro_rules! overridable {
    ($builder:ty) => {
        impl $builder {
            /// Replaces this call's [`Overrides`](crate::Overrides) (the client's settings where
            /// unset).
            pub fn overrides(mut self, overrides: $crate::Overrides) -> Self {
                self.client.overrides = overrides;
                self
            }

            /// The time allowed for one attempt of this call only
            /// ([`Overrides::timeout`](crate::Overrides::timeout)).
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.client.overrides = self.client.overrides.timeout(timeout);
                self
            }

            /// The deadline of this call only, attempts and waits included
            /// ([`Overrides::operation_timeout`](crate::Overrides::operation_timeout)).
            pub fn operation_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.client.overrides = self.client.overrides.operation_timeout(timeout);
                self
            }

            /// The retry policy of this call only
            /// ([`Overrides::retry`](crate::Overrides::retry)).
            pub fn retry(mut self, retry: $crate::RetryConfig) -> Self {
                self.client.overrides = self.client.overrides.retry(retry);
                self
            }

            /// The waiting budget of this call only
            /// ([`Overrides::max_wait`](crate::Overrides::max_wait)).
            pub fn max_wait(mut self, wait: ::std::time::Duration) -> Self {
                self.client.overrides = self.client.overrides.max_wait(wait);
                self
            }

            /// The attempts of this call only
            /// ([`Overrides::max_attempts`](crate::Overrides::max_attempts)).
            pub fn max_attempts(mut self, attempts: u32) -> Self {
                self.client.overrides = self.client.overrides.max_attempts(attempts);
                self
            }
        }
    };
}
pub(crate) use overridable;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_fields_keep_the_clients_settings() {
        let client = RetryConfig::default().max_attempts(7);
        assert_eq!(Overrides::new().retry_over(&client), client);
        assert_eq!(
            Overrides::new().operation_timeout_over(Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(Overrides::new().get_timeout(), None);
    }

    #[test]
    fn max_wait_and_max_attempts_apply_over_either_policy() {
        let client = RetryConfig::default().max_attempts(7);
        let merged = Overrides::new()
            .max_wait(Duration::from_secs(1))
            .retry_over(&client);
        assert_eq!(merged.get_max_attempts(), 7);
        assert_eq!(merged.get_max_wait(), Duration::from_secs(1));
        let merged = Overrides::new()
            .retry(RetryConfig::disabled())
            .max_wait(Duration::from_secs(9))
            .retry_over(&client);
        assert_eq!(merged.get_max_attempts(), 1);
        assert_eq!(merged.get_max_wait(), Duration::from_secs(9));
        let merged = Overrides::new().max_attempts(2).retry_over(&client);
        assert_eq!(merged.get_max_attempts(), 2);
        assert_eq!(
            Overrides::new()
                .operation_timeout(Duration::from_secs(1))
                .operation_timeout_over(None),
            Some(Duration::from_secs(1))
        );
    }
}
