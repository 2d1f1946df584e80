//! Rust SDK for the Thought Industries `incoming/v2` API.
//!
//! - [`Client`]: configured with a tenant name or base URL and an [`ApiKey`]; timeouts, retries
//!   ([`RetryConfig`]), concurrency and a body-size limit on its [`ClientBuilder`].
//! - [`Client::list_meetings`]: one [`Page`] of meetings, or every page / every meeting as a
//!   `Stream`, fetched concurrently and yielded in order.
//! - [`Client::get_meeting`]: one meeting by id (`Ok(None)` when not found).
//! - [`Client::update_meeting_attendance`] / [`Client::bulk_update_meeting_attendance`]: record
//!   attendance for one user, or for any number of users in concurrent chunks, with writes retried
//!   only when that cannot do harm ([`UnknownOutcome`] otherwise).
//! - Rate limits: every response's rate-limit headers ([`RateLimit`]) feed one budget per client,
//!   shared by every operation, which holds requests until the window resets rather than have
//!   them refused; waits the server asks for do not use up retries ([`RetryConfig::max_wait`]);
//!   [`ClientBuilder::on_quota_wait`] hears of each pause ([`QuotaWait`]).
//! - [`Error`]: one error type to match on, naming the page, HTTP status or JSON path.
//! - The data types ([`Meeting`], [`Course`], [`User`], ...) come from
//!   [`thoughtindustries_models`], re-exported here.
//! - [`generated`]: the client progenitor generates from `openapi/meetings.yaml` at build time,
//!   through which this crate's layer sends every request.
//!
//! # Features
//!
//! - `codegen` (default): the build script runs progenitor on the spec, so the client follows
//!   the spec it was built from. Turn it off (`default-features = false`) for a lighter build that
//!   compiles no code generator and includes the checked-in copy of the same generated code.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use thoughtindustries::{ApiKey, Client};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), thoughtindustries::Error> {
//!     let client = Client::builder()
//!         .tenant("acme")
//!         .api_key(ApiKey::new(std::env::var("TI_API_KEY").unwrap_or_default()))
//!         .build()?;
//!     let mut meetings = client.list_meetings().meetings();
//!     while let Some(meeting) = meetings.try_next().await? {
//!         println!("{}  {}", meeting.start_date, meeting.title.as_deref().unwrap_or("(untitled)"));
//!     }
//!     Ok(())
//! }
//! ```

// The layers, each using only those above it:
// 1. wire facts: the API key, base URL, TLS, error body, rate-limit headers, retry rules;
mod api_key;
mod base_url;
mod error_body;
mod rate_limit;
mod retry;
mod tls;
mod write;
// 2. errors (the one `Error`, and what a write ends in);
mod errors;
mod outcome;
// 3. sending: the generated operations over the transport (the concurrency limiter and the quota
//    pacer that every operation of a client shares), and what their results mean;
mod body;
mod exchange;
mod limiter;
mod quota;
mod transport;
// 4. pages and decoding;
mod decode;
mod page;
mod raw;
// 5. the facade and the operations users call.
mod attendance;
mod client;
mod meeting;
mod paginate;

/// The client progenitor generates from `openapi/meetings.yaml`, using the models crate's types:
/// the low-level layer under [`Client`]'s methods, every operation's request built from the spec.
///
/// With the `codegen` feature (the default) the build script generates it from the spec; without,
/// the crate includes the checked-in copy `src/generated.rs`, which `cargo xtask codegen --check`
/// keeps identical. Never edited by hand.
#[cfg(feature = "codegen")]
#[allow(missing_docs, clippy::all, clippy::pedantic, unused_imports)]
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/generated.rs"));
}

/// The client progenitor generates from `openapi/meetings.yaml`, using the models crate's types:
/// the low-level layer under [`Client`]'s methods, every operation's request built from the spec.
///
/// Without the `codegen` feature this is the checked-in copy `src/generated.rs`; with it (the
/// default) the build script generates the same code from the spec. Never edited by hand.
#[cfg(not(feature = "codegen"))]
#[allow(missing_docs, clippy::all, clippy::pedantic, unused_imports)]
#[rustfmt::skip]
pub mod generated;

pub use api_key::ApiKey;
pub use attendance::{
    Attendance, BulkUpdateAttendance, DEFAULT_BULK_CHUNK_SIZE, RawUser, UpdateAttendance,
};
pub use base_url::BaseUrl;
pub use body::RawJson;
pub use client::{Client, ClientBuilder, DEFAULT_CONCURRENCY, DEFAULT_MAX_BODY_BYTES};
pub use decode::decode_page;
pub use errors::{DecodeError, Error, RecordError, RepeatedPageError, StatusError, TransportKind};
pub use outcome::{
    BulkAttendanceResult, BulkIncomplete, ChunkFailure, FailedChunk, ResponseError, UnknownOutcome,
};
pub use page::{BlankedField, Page, RawMeeting, RejectedRecord};
pub use paginate::ListMeetings;
pub use quota::{QuotaWait, WaitReason};
pub use rate_limit::{RateLimit, Reset};
pub use retry::{DEFAULT_MAX_WAIT, RetryConfig};
pub use thoughtindustries_models as models;
// The data types, from `thoughtindustries_models`: every one but the models' `Client` (the
// tenant's client organisation, `models::Client`), which would collide with this crate's `Client`.
// The builders and conversion errors stay in `models`. A tidy test keeps the list complete.
pub use thoughtindustries_models::{
    Aggregation, AggregationBucket, AllocatedLearningPath, AllocatedLicense,
    AlternativePricingType, AttendedMeeting, AwardClaimingOption, BulkUpdateMeetingAttendanceData,
    BulkUpdateMeetingAttendanceError, BulkUpdateMeetingAttendanceRequest,
    BulkUpdateMeetingAttendanceResponse, BulkUpdateMeetingAttendanceResult,
    BulkUpdateMeetingAttendanceUser, Bundle, Course, CourseGroup, CourseKind, CourseStatus,
    DateRange, ErrorBody, InPersonEventInfo, ItemPrice, LearningPath, Lesson, LessonAccessLevel,
    License, LicenseRole, Location, Meeting, MeetingByIdData, MeetingResponse, MeetingsData,
    MeetingsPage, MeetingsResponse, NestedMeeting, OpenObject, PageInfo, PriceVariation,
    PurchasedBundle, PurchasedCourse, RecommendedSlug, RecommendedTag, SeatPackage, SeatTier,
    Section, SectionStatus, TopicGroup, UnknownValue, UpdateMeetingAttendanceId,
    UpdateMeetingAttendanceRequest, User, WaitlistedCourse, WebinarBlock,
};
pub use transport::Transport;

#[cfg(all(test, feature = "codegen"))]
mod tests {
    /// The light build's checked-in copy is, after its `//` header, byte for byte the code this
    /// build's script generated from the spec.
    #[test]
    fn the_checked_in_copy_is_the_generated_client() {
        let built = include_str!(concat!(env!("OUT_DIR"), "/generated.rs"));
        let copy = include_str!("generated.rs");
        let header = copy.lines().take_while(|l| l.starts_with("//")).count();
        let body = copy.splitn(header + 2, '\n').last().unwrap_or_default();
        assert!(
            body == built,
            "src/generated.rs differs from the build script's output: run `cargo xtask codegen`"
        );
    }
}
