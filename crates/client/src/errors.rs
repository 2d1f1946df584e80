//! The one error type of the SDK.

use std::time::Duration;

use reqwest::StatusCode;

use crate::rate_limit::RateLimit;

/// Everything that can go wrong talking to the API. Match on the variant; every variant says
/// where (the page, the HTTP status, the JSON path) and never contains the API key.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured wrongly (bad base URL, tenant name or API key, ...).
    Config(String),

    /// A request parameter was invalid (for example page 0).
    InvalidRequest(String),

    /// The API answered with a non-success status (after any retries).
    Status(Box<StatusError>),

    /// The request did not complete: connection refused or reset, TLS failure, timeout, or the
    /// connection dropped while the body was being read (after any retries).
    Transport {
        /// The page being fetched, when known.
        page: Option<u64>,
        /// What failed.
        kind: TransportKind,
        /// The underlying error, with its causes.
        message: String,
        /// The underlying error (a `reqwest::Error`, or the task error of a cancelled fetch).
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },

    /// The operation gave up waiting for the rate limit: the next wait (a `Retry-After`, the
    /// quota's reset, a backoff after 429) would have taken it past its waiting budget
    /// ([`RetryConfig::max_wait`](crate::RetryConfig::max_wait)). Says how long it waited and how
    /// much more was needed. Nothing else is held back by it.
    WaitBudget(Box<WaitBudgetError>),

    /// The operation's deadline passed
    /// ([`ClientBuilder::operation_timeout`](crate::ClientBuilder::operation_timeout)): between
    /// attempts, or while waiting. (A deadline that passes while a write is being sent makes its
    /// outcome unknown: [`Error::UnknownOutcome`].)
    Deadline(Box<DeadlineError>),

    /// The response body exceeded the configured maximum size.
    BodyTooLarge {
        /// The page being fetched, when known.
        page: Option<u64>,
        /// The configured limit, in bytes.
        limit: usize,
    },

    /// A success response did not match the contract (malformed JSON, wrong types, missing
    /// envelope); the page could not be used at all.
    Decode(Box<DecodeError>),

    /// Every record of a page was rejected ([`RejectedRecord`](crate::RejectedRecord)) and the
    /// page did not say whether more pages follow: the listing stopped rather than end as if the
    /// tenant had no more meetings. A single odd record is never an error: the streams report it
    /// beside the meetings ([`MeetingStream::rejected`](crate::MeetingStream::rejected)).
    RejectedPage(Box<RejectedPageError>),

    /// The server sent the same records again for the next page (it ignores `page` yet keeps
    /// saying there is more); the listing stopped instead of requesting pages forever.
    RepeatedPage(RepeatedPageError),

    /// A write was sent but whether it was applied is unknown (a timeout, a connection dropped
    /// after sending, a 2xx other than 200 such as 202 Accepted, a 5xx other than 503 such as a
    /// CDN's 520, an unreadable answer). Names the users affected so that the
    /// caller can re-send them; setting attendance twice has the effect of once.
    UnknownOutcome(Box<crate::outcome::UnknownOutcome>),

    /// A success response of an operation other than the listing did not match the contract.
    Response(Box<crate::outcome::ResponseError>),
}

impl Error {
    /// The HTTP status, for [`Error::Status`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Status(e) => Some(e.status),
            Error::WaitBudget(e) => e.status,
            _ => None,
        }
    }

    /// The page the error happened on, when known.
    pub fn page(&self) -> Option<u64> {
        match self {
            Error::Status(e) => e.page,
            Error::WaitBudget(e) => e.page,
            Error::Deadline(e) => e.page,
            Error::Transport { page, .. } | Error::BodyTooLarge { page, .. } => *page,
            Error::Decode(e) => Some(e.page),
            Error::RejectedPage(e) => Some(e.page),
            Error::RepeatedPage(e) => Some(e.page),
            Error::Config(_)
            | Error::InvalidRequest(_)
            | Error::UnknownOutcome(_)
            | Error::Response(_) => None,
        }
    }

    /// The JSON path that failed to decode, for [`Error::Decode`], [`Error::RejectedPage`] (its
    /// first record's) and [`Error::Response`].
    pub fn json_path(&self) -> Option<&str> {
        match self {
            Error::Decode(e) => Some(&e.path),
            Error::RejectedPage(e) => e.rejected.first().map(|r| r.path.as_str()),
            Error::Response(e) => Some(&e.path),
            _ => None,
        }
    }

    /// Whether the request timed out, or the operation's deadline passed.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            Error::Transport {
                kind: TransportKind::Timeout,
                ..
            } | Error::Deadline(_)
        )
    }

    /// Whether the operation was refused for the tenant's rate limit: the API answered 429 Too
    /// Many Requests (after any retries), or the operation gave up waiting for the quota
    /// ([`Error::WaitBudget`]). The wait it asked for is [`Error::retry_after`].
    ///
    /// ```
    /// # fn handle(e: &thoughtindustries::Error) {
    /// if e.is_rate_limited() {
    ///     let wait = e.retry_after().unwrap_or(std::time::Duration::from_secs(60));
    ///     eprintln!("throttled; try again in {}s", wait.as_secs());
    /// }
    /// # }
    /// ```
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::WaitBudget(e) => e.status.is_none_or(|s| s == StatusCode::TOO_MANY_REQUESTS),
            _ => self.status() == Some(StatusCode::TOO_MANY_REQUESTS),
        }
    }

    /// The wait the server asked for before another attempt: for [`Error::Status`] its
    /// `Retry-After` header, else its body's `retryAfter`, else (for a 429) the time until
    /// `X-RateLimit-Reset` ([`StatusError::retry_after`]); for [`Error::WaitBudget`] the wait that
    /// did not fit in the budget ([`WaitBudgetError::asked`]). `None` for every other variant.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Status(e) => e.retry_after,
            Error::WaitBudget(e) => Some(e.asked),
            _ => None,
        }
    }

    /// Whether the API answered 404 Not Found. [`Client::get_meeting`](crate::Client::get_meeting)
    /// returns `Ok(None)` instead; this is for the writes (an unknown user or meeting) and the
    /// low-level calls.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether trying the same call again later may succeed: the failure was transient, not a
    /// property of the request.
    ///
    /// `true` for the transient statuses (408, 425, 429, 500, 502, 503, 504, a CDN's 520 to 527,
    /// 529, 530), for a spent waiting budget or a passed deadline, for every transport failure
    /// (connect, timeout, dropped body, other), and for [`Error::UnknownOutcome`] (attendance set
    /// twice has the effect of once, so re-sending is safe: [`Error::users_to_resend`]). `false`
    /// for every other status (400, 401,
    /// 403, 404, ...), the body-size limit, a response that does not match the contract
    /// ([`Error::Decode`], [`Error::RejectedPage`], [`Error::Response`]: the same bytes would come
    /// back), [`Error::RepeatedPage`] (the server ignores `page`), configuration and invalid
    /// requests.
    ///
    /// The client has already retried what its [`RetryConfig`](crate::RetryConfig) allows; this
    /// says whether a later, outer attempt (a job re-run, a queue) is worth it.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Status(e) => crate::policy::transient_status(e.status),
            Error::Transport { .. }
            | Error::UnknownOutcome(_)
            | Error::WaitBudget(_)
            | Error::Deadline(_) => true,
            Error::Config(_)
            | Error::InvalidRequest(_)
            | Error::BodyTooLarge { .. }
            | Error::Decode(_)
            | Error::RejectedPage(_)
            | Error::RepeatedPage(_)
            | Error::Response(_) => false,
        }
    }

    /// The users of a write to send again, for [`Error::UnknownOutcome`] (the write may or may
    /// not have been applied), in the order given; empty for every other error (a rejected
    /// single-user write names no user: re-send the call itself if [`Error::is_retryable`]). A
    /// bulk update that was partly applied is not an error: its
    /// [`BulkAttendanceResult::users_to_resend`](crate::BulkAttendanceResult::users_to_resend)
    /// names them.
    ///
    /// Setting attendance twice has the effect of once, so re-sending these is safe.
    ///
    /// ```no_run
    /// use thoughtindustries::{Attendance, Client, Error, Uuid};
    /// # async fn run(client: Client, meeting: Uuid, user: Uuid) -> Result<(), Error> {
    /// match client.update_meeting_attendance(meeting, user, Attendance::Attended).send().await {
    ///     Ok(user) => println!("recorded {:?}", user.id),
    ///     Err(e) if e.is_retryable() => {
    ///         let again: Vec<Uuid> = e.users_to_resend().collect();
    ///         eprintln!("{e}; re-send {again:?}");
    ///     }
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn users_to_resend(&self) -> impl Iterator<Item = uuid::Uuid> + '_ {
        let users: &[uuid::Uuid] = match self {
            Error::UnknownOutcome(e) => &e.users,
            _ => &[],
        };
        users.iter().copied()
    }

    /// This error with the client's secrets replaced in every text taken from a response (body
    /// excerpts, messages, paths, rejected records): see `redact.rs`.
    pub(crate) fn redacted(mut self, redactor: &crate::redact::Redactor) -> Self {
        match &mut self {
            Error::Config(text) | Error::InvalidRequest(text) => redactor.string(text),
            Error::Status(e) => {
                redactor.string(&mut e.body);
                e.error.iter_mut().for_each(|t| redactor.string(t));
                e.message.iter_mut().for_each(|t| redactor.string(t));
            }
            Error::Transport { message, .. } => redactor.string(message),
            Error::Decode(e) => {
                redactor.string(&mut e.path);
                redactor.string(&mut e.message);
            }
            Error::RejectedPage(e) => e.rejected.iter_mut().for_each(|r| r.redact(redactor)),
            Error::UnknownOutcome(e) => redactor.string(&mut e.message),
            Error::Response(e) => {
                redactor.string(&mut e.path);
                redactor.string(&mut e.message);
            }
            Error::Deadline(e) => e.last.iter_mut().for_each(|t| redactor.string(t)),
            Error::WaitBudget(_) | Error::BodyTooLarge { .. } | Error::RepeatedPage(_) => {}
        }
        self
    }

    pub(crate) fn with_page(mut self, number: u64) -> Self {
        match &mut self {
            Error::Status(e) => e.page = Some(number),
            Error::WaitBudget(e) => e.page = Some(number),
            Error::Deadline(e) => e.page = Some(number),
            Error::Transport { page, .. } | Error::BodyTooLarge { page, .. } => {
                *page = Some(number)
            }
            Error::Decode(e) => e.page = number,
            Error::RejectedPage(e) => e.page = number,
            Error::RepeatedPage(e) => e.page = number,
            Error::Config(_)
            | Error::InvalidRequest(_)
            | Error::UnknownOutcome(_)
            | Error::Response(_) => {}
        }
        self
    }
}

/// A status for people: `404 Not Found`, `520` (no standard reason phrase).
pub(crate) fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

// Written out rather than derived, as reqwest and hyper do: a derive macro would add a
// proc-macro crate to every user's build for a dozen lines.
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Config(message) => write!(f, "invalid configuration: {message}"),
            Error::InvalidRequest(message) => write!(f, "invalid request: {message}"),
            Error::Status(e) => std::fmt::Display::fmt(e, f),
            Error::Transport {
                page,
                kind,
                message,
                ..
            } => write!(
                f,
                "{}transport error ({kind}): {message}",
                page_prefix(*page)
            ),
            Error::WaitBudget(e) => std::fmt::Display::fmt(e, f),
            Error::Deadline(e) => std::fmt::Display::fmt(e, f),
            Error::BodyTooLarge { page, limit } => write!(
                f,
                "{}response body exceeds the limit of {limit} bytes",
                page_prefix(*page)
            ),
            Error::Decode(e) => std::fmt::Display::fmt(e, f),
            Error::RejectedPage(e) => std::fmt::Display::fmt(e, f),
            Error::RepeatedPage(e) => std::fmt::Display::fmt(e, f),
            Error::UnknownOutcome(e) => std::fmt::Display::fmt(e, f),
            Error::Response(e) => std::fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for Error {
    /// The underlying error of [`Error::Transport`] (a `reqwest::Error`, with its own causes).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport {
                source: Some(source),
                ..
            } => Some(source.as_ref()),
            _ => None,
        }
    }
}

fn page_prefix(page: Option<u64>) -> String {
    page.map(|p| format!("page {p}: ")).unwrap_or_default()
}

/// What part of the exchange failed, for [`Error::Transport`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// Connecting failed (DNS, refused, TLS handshake).
    Connect,
    /// A connect, read or total timeout expired.
    Timeout,
    /// The connection failed while the body was being received (dropped, truncated).
    Body,
    /// Any other failure of the HTTP exchange.
    Other,
}

impl std::fmt::Display for TransportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connect",
            TransportKind::Timeout => "timeout",
            TransportKind::Body => "body",
            TransportKind::Other => "request",
        })
    }
}

/// An error status from the API, for [`Error::Status`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StatusError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The page being fetched, when known.
    pub page: Option<u64>,
    /// The wait the response asked for: its `Retry-After`, else its body's `retryAfter`, else
    /// (for a 429) the time until `X-RateLimit-Reset`.
    pub retry_after: Option<Duration>,
    /// The rate-limit headers, when present.
    pub rate_limit: RateLimit,
    /// The error body's `error` code (like `rate_limit_exceeded`), when the body is the API's
    /// JSON error object.
    pub error: Option<String>,
    /// The error body's `message`, when the body is the API's JSON error object.
    pub message: Option<String>,
    /// The response body as text (empty for the API's 401), at most 64 KiB.
    pub body: String,
    /// How many attempts were made before giving up.
    pub attempts: u32,
}

impl std::fmt::Display for StatusError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}HTTP {}",
            page_prefix(self.page),
            status_text(self.status)
        )?;
        if self.status == StatusCode::UNAUTHORIZED {
            f.write_str(" (the API key is missing, wrong or revoked)")?;
        }
        if let Some(delay) = self.retry_after {
            write!(f, ", retry after {}s", delay.as_secs_f64().ceil())?;
        }
        if self.attempts > 1 {
            write!(f, ", after {} attempts", self.attempts)?;
        }
        let parsed = [self.error.as_deref(), self.message.as_deref()];
        let excerpt: String = if parsed.iter().any(Option::is_some) {
            parsed.into_iter().flatten().collect::<Vec<_>>().join(": ")
        } else {
            excerpt(self.body.trim(), 200).to_owned()
        };
        if !excerpt.is_empty() {
            write!(f, ": {}", excerpt.replace(['\n', '\r'], " "))?;
        }
        Ok(())
    }
}

/// The first `chars` characters of `text`, not cutting a `[REDACTED]` marker in two.
fn excerpt(text: &str, chars: usize) -> &str {
    let marker = crate::redact::REDACTED;
    let mut cut = text
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i);
    if let Some(start) = text[..cut].rfind('[')
        && text[start..].starts_with(marker)
        && start + marker.len() > cut
    {
        cut = start + marker.len();
    }
    &text[..cut]
}

/// Seconds for people: `4.1 s`, `23 s`.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 {
        format!("{s:.1} s")
    } else {
        format!("{} s", s.round())
    }
}

/// An operation that gave up waiting for the rate limit, for [`Error::WaitBudget`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WaitBudgetError {
    /// The page being fetched, when known.
    pub page: Option<u64>,
    /// The status of the last answer, when the server refused the request (429, 503); `None` when
    /// the client's own pacing held it (the window's budget spent, its reset too far off).
    pub status: Option<StatusCode>,
    /// The waiting budget ([`RetryConfig::max_wait`](crate::RetryConfig::max_wait)).
    pub budget: Duration,
    /// How long the operation had waited.
    pub waited: Duration,
    /// The further wait that did not fit.
    pub asked: Duration,
    /// The rate-limit headers of the last answer.
    pub rate_limit: RateLimit,
    /// The requests sent.
    pub attempts: u32,
}

impl std::fmt::Display for WaitBudgetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&page_prefix(self.page))?;
        match self.status {
            Some(status) => write!(f, "rate limited (HTTP {})", status_text(status))?,
            None => f.write_str("rate limited (the window's quota is spent)")?,
        }
        write!(
            f,
            ": gave up waiting: a further wait of {} would pass the waiting budget of {} \
             (RetryConfig::max_wait, ti --max-wait) after waiting {}",
            seconds(self.asked),
            seconds(self.budget),
            seconds(self.waited),
        )?;
        if self.attempts > 0 {
            write!(f, ", {} request(s) sent", self.attempts)?;
        }
        Ok(())
    }
}

/// An operation whose deadline passed, for [`Error::Deadline`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeadlineError {
    /// The page being fetched, when known.
    pub page: Option<u64>,
    /// The deadline ([`ClientBuilder::operation_timeout`](crate::ClientBuilder::operation_timeout)).
    pub timeout: Duration,
    /// How long of it was spent waiting (pacing, the server's waits, backoff).
    pub waited: Duration,
    /// The requests sent.
    pub attempts: u32,
    /// The last attempt's failure, when there was one.
    pub last: Option<String>,
}

impl std::fmt::Display for DeadlineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}operation timed out: its deadline of {} (ClientBuilder::operation_timeout, ti \
             --operation-timeout) passed after {} request(s), {} of it spent waiting",
            page_prefix(self.page),
            seconds(self.timeout),
            self.attempts,
            seconds(self.waited),
        )?;
        if let Some(last) = &self.last {
            write!(f, "; last: {last}")?;
        }
        Ok(())
    }
}

/// A success response that could not be used, for [`Error::Decode`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The page being decoded.
    pub page: u64,
    /// Where in the body decoding failed, as a path like `data.Meetings.pageInfo.total`
    /// (`.` for the whole body).
    pub path: String,
    /// What was wrong there.
    pub message: String,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "page {}: the response does not match the contract at `{}`: {}",
            self.page, self.path, self.message
        )
    }
}

/// A page none of whose records decoded, for [`Error::RejectedPage`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RejectedPageError {
    /// The page.
    pub page: u64,
    /// Its records, each with the JSON path that failed (also reported by the stream).
    pub rejected: Vec<crate::RejectedRecord>,
}

impl std::fmt::Display for RejectedPageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "page {}: all {} record(s) were rejected and the page does not say whether more \
             pages follow; the listing stopped",
            self.page,
            self.rejected.len()
        )?;
        if let Some(first) = self.rejected.first() {
            write!(f, " (first: `{}`: {})", first.path, first.message)?;
        }
        Ok(())
    }
}

/// A page whose `meetings` array is byte for byte the previous page's, for
/// [`Error::RepeatedPage`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RepeatedPageError {
    /// The page that repeated.
    pub page: u64,
    /// The page it repeated.
    pub previous: u64,
}

impl std::fmt::Display for RepeatedPageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "page {}: the server sent the same meetings as page {} (it seems to ignore `page` \
             while saying there are more); the listing stopped",
            self.page, self.previous
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_excerpt_does_not_cut_a_redaction_marker() {
        let text = format!("{}[REDACTED] end", "x".repeat(198));
        assert_eq!(
            super::excerpt(&text, 200),
            format!("{}[REDACTED]", "x".repeat(198))
        );
        assert_eq!(super::excerpt("short", 200), "short");
        assert_eq!(super::excerpt("ab[cd", 3), "ab[");
    }
}
