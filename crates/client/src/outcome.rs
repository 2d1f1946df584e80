//! What a write ends in: the merged result of a bulk update and, besides success, an unknown
//! outcome, an incomplete bulk update, and a success response that could not be read.

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

/// The merged outcome of a bulk attendance update: every submitted user's outcome.
///
/// [`succeeded`](Self::succeeded) and [`failed`](Self::failed) together name each user of the
/// requests that succeeded exactly once, in the order given; [`duplicates`](Self::duplicates) the
/// ids given more than once (sent once). In an [`Error::BulkIncomplete`] this is the result of the
/// requests that succeeded; the users of the others are in its [`BulkIncomplete::failed`].
///
/// ```
/// # fn show(result: &thoughtindustries::BulkAttendanceResult) {
/// for user in result.succeeded() {
///     println!("recorded {user}");
/// }
/// for (user, reason) in result.failed() {
///     println!("not recorded {user}: {reason}");
/// }
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
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
    /// Each user of the requests that succeeded, in the order given, with the API's reason when it
    /// could not update that user.
    pub(crate) outcomes: Vec<(Uuid, Option<String>)>,
    /// Ids given more than once, each once, in the order of their first repeat.
    pub(crate) duplicates: Vec<Uuid>,
}

impl BulkAttendanceResult {
    /// The users whose attendance the API recorded (in a request that succeeded and not named in
    /// its `errors`), in the order given.
    pub fn succeeded(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.outcomes
            .iter()
            .filter(|(_, reason)| reason.is_none())
            .map(|(user, _)| *user)
    }

    /// The users the API said it could not update, with its reason (`"no reason given"` when it
    /// sent none), in the order given.
    pub fn failed(&self) -> impl Iterator<Item = (Uuid, &str)> + '_ {
        self.outcomes
            .iter()
            .filter_map(|(user, reason)| Some((*user, reason.as_deref()?)))
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
        self.outcomes
            .extend(users.iter().map(|user| (*user, reasons.get(user).cloned())));
        self.errors.extend(errors);
    }
}

/// The reason of a failed row without one.
const NO_REASON: &str = "no reason given";

/// A bulk attendance update that did not complete, for [`Error::BulkIncomplete`].
#[derive(Debug)]
#[non_exhaustive]
pub struct BulkIncomplete {
    /// The merged result of the requests that succeeded (their per-user errors included).
    pub completed: BulkAttendanceResult,
    /// Every request that did not succeed, with its users, in request order.
    pub failed: Vec<FailedChunk>,
}

impl BulkIncomplete {
    /// The users recorded by the requests that succeeded ([`BulkAttendanceResult::succeeded`]).
    pub fn succeeded(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.completed.succeeded()
    }

    /// Every submitted user that was not recorded or may not have been, with the reason, in
    /// request order: the API's per-user failures of the requests that succeeded, then each failed
    /// request's users with that request's failure.
    pub fn failed_users(&self) -> impl Iterator<Item = (Uuid, String)> + '_ {
        let rows = self
            .completed
            .failed()
            .map(|(user, reason)| (user, reason.to_owned()));
        let chunks = self.failed.iter().flat_map(|chunk| {
            let reason = chunk.failure.to_string();
            chunk.users.iter().map(move |user| (*user, reason.clone()))
        });
        rows.chain(chunks)
    }

    /// Users whose attendance may or may not have been recorded (re-send them).
    pub fn unknown_users(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.users_where(|f| matches!(f, ChunkFailure::OutcomeUnknown(_)))
    }

    /// Users whose request the API rejected or that were never sent: nothing was recorded.
    pub fn not_applied_users(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.users_where(|f| !matches!(f, ChunkFailure::OutcomeUnknown(_)))
    }

    fn users_where(
        &self,
        keep: impl Fn(&ChunkFailure) -> bool + 'static,
    ) -> impl Iterator<Item = Uuid> + '_ {
        self.failed
            .iter()
            .filter(move |chunk| keep(&chunk.failure))
            .flat_map(|chunk| chunk.users.iter().copied())
    }
}

impl std::fmt::Display for BulkIncomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unknown = self.unknown_users().count();
        let not_applied = self.not_applied_users().count();
        write!(
            f,
            "bulk attendance incomplete: {} record(s) updated, {} user(s) not applied, {} user(s) with an unknown outcome",
            self.completed.updated_record_count, not_applied, unknown
        )?;
        if let Some(first) = self.failed.first() {
            write!(f, "; first failure: {}", first.failure)?;
        }
        Ok(())
    }
}

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
    /// Explains why `body` does not decode as `T`, with the JSON path.
    pub(crate) fn explain<T: serde::de::DeserializeOwned>(
        operation: &'static str,
        body: &[u8],
    ) -> Error {
        let mut de = serde_json::Deserializer::from_slice(body);
        let (path, message) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(_) => (".".to_owned(), "the body did not decode".to_owned()),
            Err(e) => {
                let path = e.path().to_string();
                (path, e.into_inner().to_string())
            }
        };
        Error::Response(Box::new(ResponseError {
            operation,
            path,
            message,
        }))
    }
}
