//! Rust SDK for the Thought Industries `incoming/v2` API.
//!
//! - [`Client`]: configured with a tenant name or base URL and an [`ApiKey`]; timeouts, retries
//!   ([`RetryConfig`]), concurrency and a body-size limit on its [`ClientBuilder`].
//! - [`Client::list_meetings`]: one [`Page`] of meetings, or every page / every meeting as a
//!   stream ([`MeetingStream`]), fetched concurrently and yielded in order. **One odd record never
//!   ends a listing**: the stream's `Err` items are failures of the listing itself, and a record
//!   that does not decode is skipped and reported ([`MeetingStream::rejected`],
//!   [`ListMeetings::on_rejected`]: a [`RejectedRecord`] with its JSON path). **A meeting can
//!   arrive with a field left empty** because it did not decode: [`ListMeetings::on_warning`] and
//!   [`ListMeetings::meetings_with_warnings`] show which ([`BlankedField`]).
//! - [`Client::get_meeting`]: one meeting by id (`Ok(None)` when not found), decoded as the
//!   listing decodes its records (odd fields left empty and reported: [`GetMeeting::on_warning`]).
//! - [`Client::update_meeting_attendance`] / [`Client::bulk_update_meeting_attendance`]: record
//!   attendance for one user, or for any number of users in concurrent chunks, with writes retried
//!   only when that cannot do harm ([`UnknownOutcome`] otherwise). A bulk result, partly applied
//!   or not, gives every user's outcome ([`BulkAttendanceResult::outcomes`]).
//! - Rate limits: every response's rate-limit headers ([`RateLimit`]) feed one budget per client,
//!   shared by every operation, which holds requests until the window resets rather than have
//!   them refused; waits the server asks for do not use up retries ([`RetryConfig::max_wait`]);
//!   [`ClientBuilder::on_quota_wait`] hears of each pause ([`QuotaWait`]).
//! - [`Error`]: one error type to match on, naming the page, HTTP status or JSON path, with
//!   predicates for the usual questions: [`Error::is_rate_limited`], [`Error::retry_after`],
//!   [`Error::is_not_found`], [`Error::is_retryable`], [`Error::users_to_resend`]. No error, and
//!   nothing reported of a response, shows the API key or an `Authorization` value, even when
//!   the server echoes the request back.
//! - The data types ([`Meeting`], [`Course`], [`User`], ...) come from
//!   [`thoughtindustries_models`] (also [`models`]), re-exported here. Its `Client`, the tenant's
//!   client organisation, is [`ClientOrganization`] here.
//! - The types the API names from other crates are re-exported, so that a program needs no other
//!   dependency than this crate and `tokio` ([`MeetingStream::try_next`] loops over a listing
//!   without `futures`): [`Uuid`], [`StatusCode`], [`DateTime`], [`Utc`], [`BoxStream`], [`Bytes`]
//!   and the crates [`uuid`], [`chrono`], [`serde_json`] (for [`RawMeeting::raw`]) and
//!   [`reqwest`] (for [`ClientBuilder::reqwest_client`]).
//!
//! # In your stack
//!
//! [`ClientBuilder::reqwest_client`] sends with your own `reqwest::Client` (proxies, extra root
//! certificates, its pool and default headers; [`reqwest`] is re-exported at the version this
//! crate uses): it owns TLS, connect and read timeouts and proxies, while the SDK still sets the
//! API key's `Authorization` and its `User-Agent` on every request and does the pacing, retries,
//! waiting budget, deadlines and redaction. Every operation's builder takes settings for that
//! call only ([`Overrides`]: `timeout`, `operation_timeout`, `max_wait`, `max_attempts`,
//! `retry`), as the AWS SDK for Rust's `customize()` does.
//!
//! ```no_run
//! use std::time::Duration;
//! use thoughtindustries::{ApiKey, Client, Uuid};
//!
//! # async fn run(id: Uuid) -> Result<(), Box<dyn std::error::Error>> {
//! let http = thoughtindustries::reqwest::Client::builder()
//!     .proxy(thoughtindustries::reqwest::Proxy::https("http://proxy.internal:3128")?)
//!     .connect_timeout(Duration::from_secs(5))
//!     .build()?;
//! let client = Client::builder()
//!     .tenant("acme")
//!     .api_key(ApiKey::new(std::env::var("TI_API_KEY")?))
//!     .reqwest_client(http)
//!     .operation_timeout(Duration::from_secs(60))
//!     .build()?;
//! // This call only: one attempt, two seconds, no waiting for the quota.
//! let meeting = client
//!     .get_meeting(id)
//!     .operation_timeout(Duration::from_secs(2))
//!     .max_attempts(1)
//!     .max_wait(Duration::ZERO)
//!     .await?;
//! println!("reachable: {}", meeting.is_some());
//! # Ok(()) }
//! ```
//!
//! # Low-level layer
//!
//! [`generated`] is the client progenitor generates from `openapi/meetings.yaml`, through which
//! this crate's layer sends every request: its `Client` and `builder::ListMeetings` are not this
//! crate's [`Client`] and [`ListMeetings`], and return the raw responses. Reach it with
//! [`Client::generated`] only for what the layer above does not offer. [`wire`] has the types
//! only the wire needs (response envelopes, request bodies, [`wire::RawJson`],
//! [`wire::decode_page`]).
//!
//! # Features
//!
//! - `codegen` (default): the build script runs progenitor on the spec, so the client follows
//!   the spec it was built from. Turn it off (`default-features = false`) for a lighter build that
//!   compiles no code generator and includes the checked-in copy of the same generated code.
//! - `tz` (off by default): [`MeetingTimeZone`], a meeting's start and end in its own time zone
//!   (`meeting.local_start()`), with the tz database of `chrono-tz` (re-exported as `chrono_tz`).
//!
//! ```no_run
//! use thoughtindustries::{ApiKey, Client};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), thoughtindustries::Error> {
//!     let client = Client::builder()
//!         .tenant("acme")
//!         .api_key(ApiKey::new(std::env::var("TI_API_KEY").unwrap_or_default()))
//!         .build()?;
//!     let mut meetings = client
//!         .list_meetings()
//!         .on_warning(|blanked| eprintln!("warning: {blanked}"))
//!         .meetings();
//!     // `?` stops only when the listing itself fails; an odd record is skipped and reported.
//!     while let Some(meeting) = meetings.try_next().await? {
//!         println!("{}  {}", meeting.start_date, meeting.title.as_deref().unwrap_or("(untitled)"));
//!     }
//!     for skipped in meetings.rejected() {
//!         eprintln!("skipped: {skipped}");
//!     }
//!     Ok(())
//! }
//! ```
//!
//! [`MeetingTimeZone`]: https://docs.rs/thoughtindustries/latest/thoughtindustries/trait.MeetingTimeZone.html
#![warn(rustdoc::broken_intra_doc_links)]

// The layers, each using only those above it:
// 1. wire facts: the API key, base URL, TLS, error body, rate-limit headers, the retry settings
//    and the retry and classification policy (a pure function), redaction of secrets;
mod api_key;
mod base_url;
mod error_body;
mod policy;
mod rate_limit;
mod redact;
mod retry;
mod tls;
// 2. errors (the one `Error`, and what a write ends in: one layer, their types nest);
mod errors;
mod outcome;
// 3. sending: the concurrency limiter and the quota pacer that every operation of a client
//    shares, what an operation's results mean (`exchange`), the pipeline (`transport`) and the
//    generated operations that run through it (`generated` and `transport` are one unit: the
//    generated client holds the transport, whose `exec` hook it calls);
mod body;
mod exchange;
mod limiter;
mod quota;
mod transport;
// 4. pages and decoding;
mod decode;
mod json;
mod page;
// 5. the facade and the operations users call.
mod attendance;
mod client;
mod meeting;
mod overrides;
mod paginate;
#[cfg(test)]
mod simulation;
#[cfg(feature = "tz")]
mod tz;

/// **Low-level**: the client progenitor generates from `openapi/meetings.yaml`, using the models
/// crate's types: the layer under [`Client`]'s methods, every operation's request built from the
/// spec. Its `Client` and `builder::ListMeetings` are not the crate root's [`Client`] and
/// [`ListMeetings`]: they send one request and return the raw response, without pagination,
/// decoding with JSON paths or typed errors. Use the crate root's API unless it lacks something.
///
/// With the `codegen` feature (the default) the build script generates it from the spec; without,
/// the crate includes the checked-in copy `src/generated.rs`, which `cargo xtask codegen --check`
/// keeps identical. Never edited by hand.
#[cfg(feature = "codegen")]
#[allow(missing_docs, clippy::all, clippy::pedantic, unused_imports)]
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/generated.rs"));
}

/// **Low-level**: the client progenitor generates from `openapi/meetings.yaml`, using the models
/// crate's types: the layer under [`Client`]'s methods, every operation's request built from the
/// spec. Its `Client` and `builder::ListMeetings` are not the crate root's [`Client`] and
/// [`ListMeetings`]: they send one request and return the raw response, without pagination,
/// decoding with JSON paths or typed errors. Use the crate root's API unless it lacks something.
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
pub use base_url::{BaseUrl, IntoBaseUrl};
// The generated operations name `crate::RawJson` (crates/codegen's `RESPONSE_BODY`); users name it
// `wire::RawJson`.
use body::RawJson;
pub use client::{Client, ClientBuilder, DEFAULT_CONCURRENCY, DEFAULT_MAX_BODY_BYTES};
pub use errors::{
    DeadlineError, DecodeError, Error, RejectedPageError, RepeatedPageError, StatusError,
    TransportKind, WaitBudgetError,
};
pub use meeting::GetMeeting;
pub use outcome::{
    BulkAttendanceResult, ChunkFailure, FailedChunk, ResponseError, UnknownOutcome, UserOutcome,
};
pub use overrides::Overrides;
pub use page::{BlankedField, Page, RawMeeting, RejectedRecord};
pub use paginate::{ListMeetings, MeetingStream};
pub use quota::{QuotaWait, WaitReason};
pub use rate_limit::{RateLimit, Reset};
pub use retry::{DEFAULT_MAX_WAIT, RetryConfig};
pub use thoughtindustries_models as models;
#[cfg(feature = "tz")]
pub use tz::MeetingTimeZone;
// The data types a user handles, from `thoughtindustries_models`, by name. The models' `Client`
// (the tenant's client organisation) is `ClientOrganization` here, so that it does not collide
// with this crate's `Client`; the per-user failure row of a bulk update is
// `BulkAttendanceFailure` (it is data in a successful result, not an error). The wire-only types
// are in `wire`; the builders and conversion errors stay in `models`. A tidy test keeps the two
// lists complete.
pub use thoughtindustries_models::{
    Aggregation, AggregationBucket, AllocatedLearningPath, AllocatedLicense,
    AlternativePricingType, AttendedMeeting, AwardClaimingOption,
    BulkUpdateMeetingAttendanceError as BulkAttendanceFailure, Bundle,
    Client as ClientOrganization, Course, CourseGroup, CourseKind, CourseStatus, DateRange,
    InPersonEventInfo, ItemPrice, LearningPath, Lesson, LessonAccessLevel, License, LicenseRole,
    Location, Meeting, NestedMeeting, OpenObject, PageInfo, PriceVariation, PurchasedBundle,
    PurchasedCourse, RecommendedSlug, RecommendedTag, SeatPackage, SeatTier, Section,
    SectionStatus, TopicGroup, UnknownValue, User, WaitlistedCourse, WebinarBlock,
};

/// The types only the wire needs: response envelopes, request bodies, the API's error body, the
/// success body as received, and the page decoder. The SDK's methods build and read them; a
/// program names them only when it works with [`generated`] or with saved response bodies.
pub mod wire {
    pub use crate::body::RawJson;
    pub use crate::decode::decode_page;
    pub use thoughtindustries_models::{
        BulkUpdateMeetingAttendanceData, BulkUpdateMeetingAttendanceError,
        BulkUpdateMeetingAttendanceRequest, BulkUpdateMeetingAttendanceResponse,
        BulkUpdateMeetingAttendanceResult, BulkUpdateMeetingAttendanceUser, ErrorBody,
        MeetingByIdData, MeetingResponse, MeetingsData, MeetingsPage, MeetingsResponse,
        UpdateMeetingAttendanceId, UpdateMeetingAttendanceRequest,
    };
}

// The types of other crates that the API names, so that a user needs no dependency of their own
// (and none at a version that happens to match).
pub use bytes::{self, Bytes};
pub use chrono::{self, DateTime, Utc};
#[cfg(feature = "tz")]
pub use chrono_tz;
pub use futures_util::stream::BoxStream;
pub use reqwest::{self, StatusCode};
pub use serde_json;
pub use uuid::{self, Uuid};

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
