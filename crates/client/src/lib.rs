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
//! - [`Error`]: one error type to match on, naming the page, HTTP status or JSON path.
//! - The data types ([`Meeting`], [`Course`], [`User`], ...) come from
//!   [`thoughtindustries_models`], re-exported here.
//! - [`generated`]: the client progenitor generates from `openapi/meetings.yaml` (with `cargo
//!   xtask codegen`, checked in), which this crate's layer drives.
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

mod api_key;
mod attendance;
mod base_url;
mod client;
mod decode;
mod errors;
mod limiter;
mod meeting;
mod outcome;
mod page;
mod paginate;
mod raw;
mod retry;
mod tls;
mod transport;
mod write;

/// The client progenitor generates from `openapi/meetings.yaml`, using the models crate's types:
/// written by `cargo xtask codegen`, checked by `cargo xtask codegen --check`, never edited by
/// hand.
#[allow(missing_docs, clippy::all, clippy::pedantic, unused_imports)]
pub mod generated;

pub use api_key::ApiKey;
pub use attendance::{
    Attendance, BulkAttendanceResult, BulkUpdateAttendance, DEFAULT_BULK_CHUNK_SIZE, RawUser,
    UpdateAttendance,
};
pub use base_url::BaseUrl;
pub use client::{Client, ClientBuilder, DEFAULT_CONCURRENCY, DEFAULT_MAX_BODY_BYTES};
pub use decode::decode_page;
pub use errors::{
    DecodeError, Error, RateLimit, RecordError, RepeatedPageError, StatusError, TransportKind,
};
pub use outcome::{BulkIncomplete, ChunkFailure, FailedChunk, ResponseError, UnknownOutcome};
pub use page::{BlankedField, Page, RejectedRecord};
pub use paginate::ListMeetings;
pub use raw::RawMeeting;
pub use retry::RetryConfig;
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
