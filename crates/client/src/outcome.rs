//! What a write ends in: the per-user result of a bulk update, an unknown outcome, and a success
//! response that could not be read.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::BulkAttendanceFailure;
use crate::Error;

/// A write whose outcome is unknown, for [`Error::UnknownOutcome`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UnknownOutcome {
    /// The operation (`update_meeting_attendance`, `bulk_update_meeting_attendance`).
    pub operation: &'static str,
    /// The meeting whose attendance was being set.
    pub meeting: Uuid,
    /// The users whose attendance may or may not have been recorded.
    pub users: Vec<Uuid>,
    /// The request of a bulk update, when it was one: its position, 0-based like
    /// [`FailedChunk::index`] (the message counts from 1: `request #1` is chunk 0).
    pub chunk: Option<usize>,
    /// The HTTP status, when the server answered with one that does not say whether the write was
    /// applied (a 2xx other than 200 such as 202, a 5xx other than 503 such as 500 or a CDN's 520).
    pub status: Option<StatusCode>,
    /// What happened, with its causes.
    pub message: String,
}

impl std::fmt::Display for UnknownOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "outcome unknown: {}", self.operation)?;
        if let Some(chunk) = self.chunk {
            write!(f, " request #{}", chunk + 1)?;
        }
        write!(
            f,
            " for {} user(s) of meeting {} may or may not have been applied ({}); re-send them",
            self.users.len(),
            self.meeting,
            self.message
        )
    }
}

/// The outcome of a bulk attendance update, for every user given.
///
/// Returned as a value whenever at least one request succeeded, even when others failed: each
/// user is then [recorded](Self::succeeded), [refused by the API](Self::failed) with its
/// reason, [not applied](Self::not_applied) (its request was rejected or never sent) or of
/// [unknown outcome](Self::unknown) (its request was sent but the answer was lost);
/// [`outcomes`](Self::outcomes) gives each user's in the order given, and
/// [`is_complete`](Self::is_complete) says whether every request succeeded.
/// [`duplicates`](Self::duplicates) lists the ids given more than once (sent once).
///
/// ```
/// # fn show(result: &thoughtindustries::BulkAttendanceResult) {
/// use thoughtindustries::UserOutcome;
/// for (user, outcome) in result.outcomes() {
///     match outcome {
///         UserOutcome::Recorded => println!("recorded {user}"),
///         UserOutcome::Failed(reason) => println!("not recorded {user}: {reason}"),
///         UserOutcome::NotApplied(why) => println!("not sent or rejected {user}: {why}"),
///         UserOutcome::Unknown(why) => println!("re-send {user}: {why}"),
///         _ => println!("{user}: {outcome:?}"),
///     }
/// }
/// # }
/// ```
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct BulkAttendanceResult {
    /// Users submitted (after removing repeated ids).
    pub users: usize,
    /// Requests that succeeded.
    pub requests: usize,
    /// Attendance records the API reports as updated (sum of `updatedRecordCount`).
    pub updated_record_count: u64,
    /// The API's rows for the users it could not update, with its reason, in request order, as
    /// it sent them ([`failed`](Self::failed) pairs each submitted user with its reason).
    pub errors: Vec<BulkAttendanceFailure>,
    /// Every request that did not succeed, with its users and why, in request order.
    pub failed_requests: Vec<FailedChunk>,
    /// Each user given, in order, with its outcome.
    pub(crate) outcomes: Vec<(Uuid, Slot)>,
    /// Ids given more than once, each once, in the order of their first repeat.
    pub(crate) duplicates: Vec<Uuid>,
}

/// A user's outcome as stored: the API's reason, or its failed request's position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Slot {
    Recorded,
    Failed(String),
    Request(usize),
}

/// One user's outcome in a [`BulkAttendanceResult`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum UserOutcome<'a> {
    /// The API recorded the user's attendance.
    Recorded,
    /// The API answered the request but could not update this user, for this reason
    /// (`"no reason given"` when it sent none).
    Failed(&'a str),
    /// The user's request was rejected or never sent: nothing was recorded.
    NotApplied(&'a ChunkFailure),
    /// The user's request was sent but whether it was applied is unknown: re-send it (setting
    /// attendance twice has the effect of once).
    Unknown(&'a ChunkFailure),
}

impl BulkAttendanceResult {
    /// Every user given (each once), in order, with its outcome.
    pub fn outcomes(&self) -> impl Iterator<Item = (Uuid, UserOutcome<'_>)> + '_ {
        self.outcomes.iter().map(|(user, slot)| {
            let outcome = match slot {
                Slot::Recorded => UserOutcome::Recorded,
                Slot::Failed(reason) => UserOutcome::Failed(reason),
                Slot::Request(at) => {
                    let failure = &self.failed_requests[*at].failure;
                    match failure {
                        ChunkFailure::OutcomeUnknown(_) => UserOutcome::Unknown(failure),
                        ChunkFailure::Rejected(_) | ChunkFailure::NotSent => {
                            UserOutcome::NotApplied(failure)
                        }
                    }
                }
            };
            (*user, outcome)
        })
    }

    /// Whether every request succeeded: every user is then recorded or [`failed`](Self::failed)
    /// with the API's reason.
    pub fn is_complete(&self) -> bool {
        self.failed_requests.is_empty()
    }

    /// The users whose attendance the API recorded (in a request that succeeded and not named in
    /// its `errors`), in the order given.
    pub fn succeeded(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.outcomes()
            .filter(|(_, o)| matches!(o, UserOutcome::Recorded))
            .map(|(user, _)| user)
    }

    /// The users the API said it could not update, with its reason (`"no reason given"` when it
    /// sent none), in the order given.
    pub fn failed(&self) -> impl Iterator<Item = (Uuid, &str)> + '_ {
        self.outcomes().filter_map(|(user, outcome)| match outcome {
            UserOutcome::Failed(reason) => Some((user, reason)),
            _ => None,
        })
    }

    /// The users of requests that were rejected or not sent: nothing was recorded for them.
    pub fn not_applied(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.outcomes()
            .filter(|(_, o)| matches!(o, UserOutcome::NotApplied(_)))
            .map(|(user, _)| user)
    }

    /// The users whose request was sent but whose outcome is unknown (re-send them).
    pub fn unknown(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.outcomes()
            .filter(|(_, o)| matches!(o, UserOutcome::Unknown(_)))
            .map(|(user, _)| user)
    }

    /// The users to send again, in the order given: those of [`unknown`](Self::unknown) and
    /// [`not_applied`](Self::not_applied). Setting attendance twice has the effect of once, so
    /// re-sending them is safe.
    pub fn users_to_resend(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.outcomes()
            .filter(|(_, o)| matches!(o, UserOutcome::NotApplied(_) | UserOutcome::Unknown(_)))
            .map(|(user, _)| user)
    }

    /// The ids given more than once: each was sent once, and its outcome is reported once.
    pub fn duplicates(&self) -> &[Uuid] {
        &self.duplicates
    }

    /// Records one successful request: its users, in order, and the API's answer.
    pub(crate) fn add_request(
        &mut self,
        users: &[Uuid],
        count: Option<i64>,
        errors: Vec<BulkAttendanceFailure>,
    ) {
        self.requests += 1;
        self.updated_record_count += count.unwrap_or(0).max(0) as u64;
        let reasons: std::collections::HashMap<Uuid, String> = errors
            .iter()
            .filter_map(|row| {
                let reason = row
                    .error
                    .clone()
                    .filter(|r| !r.trim().is_empty())
                    .unwrap_or_else(|| NO_REASON.to_owned());
                Some((row.id?, reason))
            })
            .collect();
        self.outcomes.extend(users.iter().map(|user| {
            let slot = reasons
                .get(user)
                .cloned()
                .map_or(Slot::Recorded, Slot::Failed);
            (*user, slot)
        }));
        self.errors.extend(errors);
    }

    /// Records one failed request.
    pub(crate) fn add_failure(&mut self, chunk: FailedChunk) {
        let at = self.failed_requests.len();
        self.outcomes
            .extend(chunk.users.iter().map(|user| (*user, Slot::Request(at))));
        self.failed_requests.push(chunk);
    }
}

/// The reason of a failed row without one.
const NO_REASON: &str = "no reason given";

/// One request of a bulk update that did not succeed.
#[derive(Debug)]
#[non_exhaustive]
pub struct FailedChunk {
    /// The request's position (0-based: the first request is 0), in the order the users were
    /// given. Messages count from 1 ("request #1" is `index` 0).
    pub index: usize,
    /// The users the request carried.
    pub users: Vec<Uuid>,
    /// Why it failed.
    pub failure: ChunkFailure,
}

/// Why one request of a bulk update failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ChunkFailure {
    /// The API rejected the request (an error status after any retries, or a connection that
    /// never opened): nothing in it was recorded.
    Rejected(Error),
    /// The request was sent but its outcome is unknown ([`Error::UnknownOutcome`]).
    OutcomeUnknown(Error),
    /// Not sent, because an earlier request was rejected in a way every request would be
    /// (401, 403, 404).
    NotSent,
}

impl std::fmt::Display for ChunkFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChunkFailure::Rejected(e) | ChunkFailure::OutcomeUnknown(e) => write!(f, "{e}"),
            ChunkFailure::NotSent => f.write_str("not sent after an earlier request was rejected"),
        }
    }
}

/// A success response that did not match the contract, for [`Error::Response`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResponseError {
    /// The operation (`get_meeting`, `update_meeting_attendance`, ...).
    pub operation: &'static str,
    /// Where in the body decoding failed (`.` for the whole body).
    pub path: String,
    /// What was wrong there.
    pub message: String,
}

impl std::fmt::Display for ResponseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: the response does not match the contract at `{}`: {}",
            self.operation, self.path, self.message
        )
    }
}

impl ResponseError {
    /// Decodes the success body of `operation` as `T`, or says where it does not match the
    /// contract ([`Error::Response`] with the JSON path).
    pub(crate) fn decode<'a, T: serde::Deserialize<'a>>(
        operation: &'static str,
        body: &'a [u8],
    ) -> Result<T, Error> {
        let fail = |path, message| {
            Error::Response(Box::new(ResponseError {
                operation,
                path,
                message,
            }))
        };
        let text = std::str::from_utf8(body)
            .map_err(|e| fail(".".to_owned(), format!("the body is not UTF-8: {e}")))?;
        crate::json::decode(text).map_err(|failure| fail(failure.path(""), failure.message))
    }
}
