//! Recording attendance: one user ([`UpdateAttendance`]) or many ([`BulkUpdateAttendance`]).
//!
//! Writes follow the write retry rule (429, 503 and unsent connections only; see
//! [`crate::RetryConfig`]). A write that was sent but whose outcome is unknown is reported as
//! [`Error::UnknownOutcome`] naming its users, never as success and never silently dropped.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::outcome::{
    BulkAttendanceResult, ChunkFailure, FailedChunk, ResponseError, UnknownOutcome,
};
use crate::wire::BulkUpdateMeetingAttendanceResponse;
use crate::{Client, Error, User, exchange, models};

/// Users per bulk request by default.
///
/// The vendor publishes no limit. 100 keeps a request body near 5 KB and its response small, so
/// one slow or failed request puts at most 100 users in doubt, while 10,000 users still take only
/// 100 requests (25 round trips at the default concurrency of 4).
pub const DEFAULT_BULK_CHUNK_SIZE: usize = 100;

/// Whether a user attended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Attendance {
    /// The user attended (`attended: true`).
    Attended,
    /// The user was absent (`attended: false`).
    Absent,
}

impl Attendance {
    /// The wire value of `attended`.
    pub fn attended(self) -> bool {
        self == Attendance::Attended
    }
}

impl From<bool> for Attendance {
    fn from(attended: bool) -> Self {
        if attended {
            Attendance::Attended
        } else {
            Attendance::Absent
        }
    }
}

impl Client {
    /// Records one user's attendance of a meeting; returns the updated [`User`].
    ///
    /// ```no_run
    /// use thoughtindustries::Attendance;
    /// # async fn run(client: thoughtindustries::Client, meeting: thoughtindustries::Uuid, user: thoughtindustries::Uuid, course: thoughtindustries::Uuid) -> Result<(), thoughtindustries::Error> {
    /// let user = client
    ///     .update_meeting_attendance(meeting, user, Attendance::Attended)
    ///     .course(course)
    ///     .send()
    ///     .await?;
    /// println!("{} attended", user.email.as_deref().unwrap_or("(no email)"));
    /// # Ok(()) }
    /// ```
    pub fn update_meeting_attendance(
        &self,
        meeting: Uuid,
        user: Uuid,
        attendance: Attendance,
    ) -> UpdateAttendance {
        UpdateAttendance {
            client: self.clone(),
            meeting,
            user,
            course: None,
            attendance,
        }
    }

    /// Records the attendance of any number of users of one meeting: the users are sent in
    /// requests of [`BulkUpdateAttendance::chunk_size`] users, with the client's concurrency, and
    /// the results merged. Each user's outcome is in the result: [`BulkAttendanceResult::succeeded`]
    /// and, with the API's reason, [`BulkAttendanceResult::failed`] (data, not an error).
    ///
    /// ```no_run
    /// use thoughtindustries::Attendance;
    /// # async fn run(client: thoughtindustries::Client, meeting: thoughtindustries::Uuid, users: Vec<thoughtindustries::Uuid>) -> Result<(), thoughtindustries::Error> {
    /// let result = client
    ///     .bulk_update_meeting_attendance(meeting, Attendance::Attended, users)
    ///     .send()
    ///     .await?;
    /// println!("{} updated, {} failed", result.succeeded().count(), result.failed().count());
    /// # Ok(()) }
    /// ```
    pub fn bulk_update_meeting_attendance(
        &self,
        meeting: Uuid,
        attendance: Attendance,
        users: impl IntoIterator<Item = Uuid>,
    ) -> BulkUpdateAttendance {
        BulkUpdateAttendance {
            client: self.clone(),
            meeting,
            attendance,
            users: users.into_iter().collect(),
            chunk_size: DEFAULT_BULK_CHUNK_SIZE,
            progress: None,
        }
    }
}

/// A request to record one user's attendance; see [`Client::update_meeting_attendance`].
#[derive(Debug)]
#[must_use = "nothing is sent until `send` is awaited"]
pub struct UpdateAttendance {
    client: Client,
    meeting: Uuid,
    user: Uuid,
    course: Option<Uuid>,
    attendance: Attendance,
}

impl UpdateAttendance {
    /// The course the meeting belongs to (optional for the API).
    pub fn course(mut self, course: Uuid) -> Self {
        self.course = Some(course);
        self
    }

    /// Sends the update.
    ///
    /// Errors: [`Error::Status`] when the API rejected it (404 for an unknown user or meeting),
    /// [`Error::Transport`] when it could not be sent, [`Error::UnknownOutcome`] when it was sent
    /// but the outcome is unknown, [`Error::Response`] when the answer does not decode.
    pub async fn send(self) -> Result<User, Error> {
        self.send_raw().await.map(|updated| updated.user)
    }
}

impl UpdateAttendance {
    /// The request body: user, meeting, attendance and the course when given.
    fn request_body(&self) -> models::builder::UpdateMeetingAttendanceRequest {
        let body = models::builder::UpdateMeetingAttendanceRequest::default()
            .user_id(self.user)
            .meeting_id(self.meeting)
            .attended(self.attendance.attended());
        match self.course {
            Some(course) => body.course_id(course),
            None => body,
        }
    }

    /// Sends the update like [`UpdateAttendance::send`], and returns the updated user together
    /// with its JSON text exactly as the API sent it ([`RawUser`]), for output that must pass the
    /// data on unchanged (`ti attendance set`). Same errors as `send`.
    pub async fn send_raw(self) -> Result<RawUser, Error> {
        let client = self.client.clone();
        let body = self.send_for_body().await?;
        let user: User = ResponseError::decode(OPERATION, &body).map_err(|e| client.redact(e))?;
        let raw: Box<RawValue> =
            ResponseError::decode(OPERATION, &body).map_err(|e| client.redact(e))?;
        Ok(RawUser { user, raw })
    }

    /// Sends the update like [`UpdateAttendance::send`], and returns the response body as
    /// received instead of the decoded user: for contract checks that validate the bytes
    /// (`ti contract --allow-writes`). The one way this crate sends the update: `send` and
    /// `send_raw` decode what this returns. The write retry rule applies, and failures are
    /// classified as by `send` ([`Error::Status`], [`Error::Transport`] when nothing was sent,
    /// [`Error::UnknownOutcome`] when it was sent but the outcome is unknown).
    pub async fn send_for_body(self) -> Result<bytes::Bytes, Error> {
        let send = self
            .client
            .generated
            .update_meeting_attendance()
            .id(self.user.to_string())
            .body(self.request_body())
            .send();
        let overrides = &self.client.overrides;
        exchange::written(
            send,
            |status, message| self.unknown(status, message),
            overrides,
        )
        .await
        .map_err(|e| self.client.redact(e))
    }

    /// The [`Error::UnknownOutcome`] of this update.
    fn unknown(&self, status: Option<StatusCode>, message: String) -> Error {
        unknown(
            OPERATION,
            self.meeting,
            vec![self.user],
            None,
            status,
            message,
        )
    }
}

/// The operationId of the single-user update.
const OPERATION: &str = "update_meeting_attendance";

/// The user an attendance update returned: typed, and its JSON text exactly as received.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawUser {
    /// The typed user.
    pub user: User,
    /// The user's bytes as received (a JSON object), byte for byte.
    pub raw: Box<RawValue>,
}

fn unknown(
    operation: &'static str,
    meeting: Uuid,
    users: Vec<Uuid>,
    chunk: Option<usize>,
    status: Option<StatusCode>,
    message: String,
) -> Error {
    Error::UnknownOutcome(Box::new(UnknownOutcome {
        operation,
        meeting,
        users,
        chunk,
        status,
        message,
    }))
}

/// Called with the number of users whose request finished (successfully or not) so far.
type Progress = Arc<dyn Fn(usize) + Send + Sync>;

/// A bulk attendance update; see [`Client::bulk_update_meeting_attendance`].
#[must_use = "nothing is sent until `send` is awaited"]
pub struct BulkUpdateAttendance {
    client: Client,
    meeting: Uuid,
    attendance: Attendance,
    users: Vec<Uuid>,
    chunk_size: usize,
    progress: Option<Progress>,
}

impl std::fmt::Debug for BulkUpdateAttendance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkUpdateAttendance")
            .field("meeting", &self.meeting)
            .field("attendance", &self.attendance)
            .field("users", &self.users.len())
            .field("chunk_size", &self.chunk_size)
            .finish_non_exhaustive()
    }
}

crate::overrides::overridable!(UpdateAttendance);
crate::overrides::overridable!(BulkUpdateAttendance);

impl BulkUpdateAttendance {
    /// Users per request (default [`DEFAULT_BULK_CHUNK_SIZE`], at least 1).
    pub fn chunk_size(mut self, users: usize) -> Self {
        self.chunk_size = users.max(1);
        self
    }

    /// Calls `progress` with the number of users whose request has finished, after each request.
    pub fn on_progress(mut self, progress: impl Fn(usize) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Sends every request and merges the results. A repeated user id is sent once (and listed
    /// in [`BulkAttendanceResult::duplicates`]).
    ///
    /// **A partly applied update is a value, not an error**: `Ok` as soon as one request
    /// succeeded, with every user's outcome ([`BulkAttendanceResult::outcomes`]: recorded,
    /// refused by the API with its reason, not applied, or unknown) and
    /// [`BulkAttendanceResult::is_complete`] telling whether every request succeeded. After a
    /// 401, 403 or 404 (which every request would get) no further request is started.
    ///
    /// `Err` only when no request succeeded, so that nothing is known of any user beyond the
    /// failure itself: when one was sent and its outcome is unknown, [`Error::UnknownOutcome`]
    /// naming every user given (re-send them all: [`Error::users_to_resend`]); otherwise the first
    /// request's rejection ([`Error::Status`], [`Error::Transport`]): nothing was recorded.
    pub async fn send(self) -> Result<BulkAttendanceResult, Error> {
        let mut seen = HashSet::with_capacity(self.users.len());
        let mut repeated = HashSet::new();
        let mut duplicates = Vec::new();
        let users: Vec<Uuid> = self
            .users
            .into_iter()
            .filter(|u| {
                let first = seen.insert(*u);
                if !first && repeated.insert(*u) {
                    duplicates.push(*u);
                }
                first
            })
            .collect();
        let chunks: Vec<Vec<Uuid>> = users
            .chunks(self.chunk_size)
            .map(<[Uuid]>::to_vec)
            .collect();
        let stop = AtomicBool::new(false);
        let done = AtomicUsize::new(0);
        let (client, meeting, attendance, progress) =
            (&self.client, self.meeting, self.attendance, &self.progress);
        let mut outcomes: Vec<(
            usize,
            Vec<Uuid>,
            Result<models::BulkUpdateMeetingAttendanceResult, ChunkFailure>,
        )> = futures_util::stream::iter(chunks.into_iter().enumerate())
            .map(|(index, chunk)| {
                let (stop, done) = (&stop, &done);
                async move {
                    let outcome = if stop.load(Ordering::Relaxed) {
                        Err(ChunkFailure::NotSent)
                    } else {
                        let outcome = send_chunk(client, meeting, attendance, index, &chunk).await;
                        if let Err(ChunkFailure::Rejected(e)) = &outcome
                            && matches!(e.status().map(|s| s.as_u16()), Some(401 | 403 | 404))
                        {
                            stop.store(true, Ordering::Relaxed);
                        }
                        outcome
                    };
                    let finished = done.fetch_add(chunk.len(), Ordering::Relaxed) + chunk.len();
                    if let Some(progress) = progress {
                        progress(finished);
                    }
                    (index, chunk, outcome)
                }
            })
            .buffer_unordered(client.concurrency)
            .collect()
            .await;
        outcomes.sort_by_key(|(index, ..)| *index);
        let mut result = BulkAttendanceResult {
            users: users.len(),
            duplicates,
            ..BulkAttendanceResult::default()
        };
        for (index, users, outcome) in outcomes {
            match outcome {
                Ok(chunk) => result.add_request(
                    &users,
                    chunk.updated_record_count,
                    chunk.errors.unwrap_or_default(),
                ),
                Err(failure) => result.add_failure(FailedChunk {
                    index,
                    users,
                    failure,
                }),
            }
        }
        if result.requests > 0 || result.failed_requests.is_empty() {
            return Ok(result);
        }
        Err(nothing_learned(self.meeting, result))
    }
}

/// The error of a bulk update none of whose requests succeeded: the first outcome unknown, naming
/// every user (the others' requests were rejected or not sent: re-sending them is safe too), or
/// else the first rejection.
fn nothing_learned(meeting: Uuid, result: BulkAttendanceResult) -> Error {
    let every_user: Vec<Uuid> = result.users_to_resend().collect();
    let requests = result.failed_requests.len();
    let mut rejection = None;
    for chunk in result.failed_requests {
        match chunk.failure {
            ChunkFailure::OutcomeUnknown(Error::UnknownOutcome(mut unknown)) => {
                if requests > 1 {
                    unknown.message = format!(
                        "{}; none of the {requests} requests succeeded",
                        unknown.message
                    );
                    unknown.chunk = None;
                }
                unknown.meeting = meeting;
                unknown.users = every_user;
                return Error::UnknownOutcome(unknown);
            }
            ChunkFailure::OutcomeUnknown(other) | ChunkFailure::Rejected(other) => {
                rejection.get_or_insert(other);
            }
            ChunkFailure::NotSent => {}
        }
    }
    rejection.unwrap_or_else(|| Error::InvalidRequest("no request was sent".into()))
}

async fn send_chunk(
    client: &Client,
    meeting: Uuid,
    attendance: Attendance,
    index: usize,
    users: &[Uuid],
) -> Result<models::BulkUpdateMeetingAttendanceResult, ChunkFailure> {
    const OPERATION: &str = "bulk_update_meeting_attendance";
    let body = models::builder::BulkUpdateMeetingAttendanceRequest::default()
        .users(
            users
                .iter()
                .map(|&id| {
                    models::BulkUpdateMeetingAttendanceUser::builder()
                        .id(id)
                        .try_into()
                })
                .collect::<Result<Vec<_>, _>>()
                .expect("a user of the request is its id"),
        )
        .meeting_id(meeting)
        .attended(attendance.attended());
    let unknown = |status, message| {
        unknown(
            OPERATION,
            meeting,
            users.to_vec(),
            Some(index),
            status,
            message,
        )
    };
    let send = client
        .generated
        .bulk_update_meeting_attendance()
        .body(body)
        .send();
    let body = match exchange::written(send, unknown, &client.overrides).await {
        Ok(body) => body,
        Err(e) => return Err(classify(client.redact(e))),
    };
    match ResponseError::decode::<BulkUpdateMeetingAttendanceResponse>(OPERATION, &body) {
        Ok(response) => Ok(response.data.api_bulk_update_meeting_attendance),
        Err(explained) => {
            // Applied (a 2xx), but which users failed is unknown.
            Err(ChunkFailure::OutcomeUnknown(
                client.redact(unknown(None, explained.to_string())),
            ))
        }
    }
}

/// A failed request of a bulk update: its outcome unknown, or rejected.
fn classify(error: Error) -> ChunkFailure {
    match error {
        e @ Error::UnknownOutcome(_) => ChunkFailure::OutcomeUnknown(e),
        e => ChunkFailure::Rejected(e),
    }
}
