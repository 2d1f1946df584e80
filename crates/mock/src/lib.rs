//! A mock of the Thought Industries Meetings API (`GET /incoming/v2/meetings`, `GET
//! /incoming/v2/meetings/{id}`, `POST .../users/{id}/updateMeetingAttendance`, `POST
//! .../users/bulkUpdateMeetingAttendance`) that follows `openapi/meetings.yaml` exactly, for tests,
//! benchmarks, the `ti mock` command and schemathesis.
//!
//! - Stateful: attendance recorded by either POST shows in the meeting detail and the listing (the
//!   user's `attendedMeetings`). An unknown meeting is a 404; an unknown user is a 404 for the
//!   single update and a per-user error (`errors[]`) in bulk, as the vendor does.
//!
//! - [`MockServer::start`] serves a [`Tenant`] on 127.0.0.1: a deterministic synthetic tenant
//!   ([`Tenant::synthetic`]) or meetings given as JSON ([`Tenant::from_json_file`]).
//! - Requests need `Authorization: Bearer <token>` ([`DEMO_TOKEN`] by default); without it the
//!   answer is 401 with an empty body. A bad `page` or `courseId` gets 400 with an `ErrorBody`;
//!   other paths 404, other methods 405. The spec is served at `GET /openapi.yaml`.
//! - Pages are 1-based with [`MockConfig::per_page`] meetings (25 by default); aggregations
//!   `course` and `timeZone` count the meetings of the (filtered) result set.
//! - [`RateLimit::Quota`] enforces a per-key quota across every operation ([`Quota`]: N requests
//!   per window, a burst limit, the vendor's headers on every response or only on 429s or none,
//!   the reset as unix seconds, unix milliseconds, seconds to go or the IETF fields).
//! - [`Faults`] injects latency, 429s, 5xx, dropped connections, stalled and truncated bodies,
//!   empty bodies, error objects in 200s, a `hasMore` that never ends, and contract drift.
//! - [`MockServer::stats`] counts requests by status, injected faults and the peak number of
//!   requests in flight.
//!
//! - Every synthetic tenant also serves a sample meeting, [`SAMPLE_MEETING_ID`], by its detail
//!   (not in the listing), whose attendees are the people of the repository's sample attendance
//!   reports ([`SAMPLE_ATTENDEES`]).
//!
//! Benchmarks can render pages without a server: [`Tenant::page_body`].

/// Builds a model from its empty builder and the given fields: the model structs are
/// `#[non_exhaustive]`, so other crates cannot write struct literals of them. Only for models
/// whose fields are all optional (the builder of any other fails, which every test would show).
macro_rules! model {
    ($ty:ident { $($field:ident : $value:expr),* $(,)? }) => {{
        let mut model = $ty::try_from($ty::builder())
            .expect(concat!("every field of ", stringify!($ty), " is optional"));
        $( model.$field = $value; )*
        model
    }};
}

mod attendance;
mod config;
mod conn;
mod echo;
mod error;
mod faults;
mod operations;
mod page;
mod rng;
mod routes;
mod sample;
mod server;
mod stats;
mod synthetic;
mod tenant;
mod vocabulary;

pub use config::{DEFAULT_PER_PAGE, DEMO_TOKEN, MockConfig};
pub use echo::echo_body;
pub use error::MockError;
pub use faults::{
    Drift, FaultKind, Faults, Latency, Quota, QuotaHeaders, RateLimit, ResetForm, ServerError,
    Trigger, WriteAnswer,
};
pub use operations::operation_path;
pub use routes::{OPENAPI_YAML, STATS_PATH};
pub use sample::{SAMPLE_ATTENDEES, SAMPLE_MEETING_ID, sample_attendee_id};
pub use server::MockServer;
pub use stats::Stats;
pub use synthetic::SyntheticOptions;
pub use tenant::Tenant;
