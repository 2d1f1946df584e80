//! The Thought Industries meetings API contract as data.
//!
//! `openapi/meetings.yaml` is embedded at compile time and parsed once ([`Spec::embedded`]). This
//! crate uses it two ways:
//!
//! - **Validation** of bodies against the spec ([`validate_response`],
//!   [`validate_response_bytes`], [`validate_component`]): every finding, not just the first,
//!   each with its JSON Pointer in the body, the location of the failing keyword in the spec and
//!   a one-line message, collected in a [`Report`]. The spec's OpenAPI 3.0 schemas are converted
//!   to JSON Schema first ([`schema`]): `nullable`, `format`s (`uuid`, `date-time`, `int64`
//!   ranges, ...), `$ref`s, `required` and `additionalProperties` as written.
//! - **Drift** ([`drift`]): what a body carries that the spec does not describe, since its
//!   objects and enumerations are open: each undocumented field with its schema
//!   (`Meeting.recordingUrl`), path and [`Shape`], each new enumeration value. Every [`Report`]
//!   carries its body's [`Drift`] and a notice per field; [`propose`] writes a [`Drift`] into the
//!   spec's text, by insertion only.
//! - **Breaking-change classification** between two versions of a spec ([`diff`],
//!   [`diff_text`]), from the point of view of a client generated from the old one.
//!
//! # Open enumerations
//!
//! The spec says clients must accept enum values it does not list (the vendor adds values), and
//! lists the known ones in `x-extensible-enum` (see [`forms`]). A value outside them is therefore
//! **not** a violation: it is reported as a
//! [`Severity::Notice`], which leaves [`Report::is_valid`] true, so that users learn about new
//! values without failing on them.
//!
//! ```
//! use serde_json::json;
//! use thoughtindustries_contract::{Severity, validate_response};
//!
//! let body = json!({"data": {"Meetings": {"meetings": [{
//!     "id": "not-a-uuid",
//!     "courseId": "00000000-0000-0000-0000-000000000000",
//!     "course": {"status": "retired"},
//!     "startDate": "2024-01-01T00:00:00Z",
//!     "endDate": "2024-01-01T01:00:00Z"
//! }]}}});
//! let report = validate_response("list_meetings", 200, &body).unwrap();
//! assert!(!report.is_valid());
//! let violation = report.violations().next().unwrap();
//! assert_eq!(violation.instance_path, "/data/Meetings/meetings/0/id");
//! assert_eq!(violation.schema_path, "#/components/schemas/Meeting/properties/id/format");
//! assert_eq!(report.notices().next().unwrap().severity, Severity::Notice);
//! ```

pub mod breaking;
mod comparison;
pub mod drift;
mod error;
mod formats;
pub mod forms;
mod propose;
mod report;
pub mod schema;
mod spec;
mod validate;
mod yaml_text;

pub use breaking::{Change, ChangeKind, diff, diff_text};
pub use comparison::Comparison;
pub use drift::{Drift, NewEnumValue, Shape, UndocumentedField};
pub use error::ContractError;
pub use propose::{Proposal, propose};
pub use report::{Finding, Report, Severity};
pub use spec::{EMBEDDED_SPEC, METHODS, Spec, resolve_pointer};

/// Validates a response body of `operation_id` (for example `list_meetings`) with HTTP status
/// `status` against the embedded spec. See [`Spec::validate_response`].
///
/// ```
/// let body: serde_json::Value =
///     serde_json::from_str(thoughtindustries_spec::examples::REFERENCE_PAGE).unwrap();
/// let report = thoughtindustries_contract::validate_response("list_meetings", 200, &body).unwrap();
/// assert!(report.is_valid(), "{report}");
/// ```
pub fn validate_response(
    operation_id: &str,
    status: u16,
    body: &serde_json::Value,
) -> Result<Report, ContractError> {
    Spec::embedded().validate_response(operation_id, status, body)
}

/// Validates raw response bytes (empty bodies, malformed JSON with line and column) against the
/// embedded spec. See [`Spec::validate_response_bytes`].
pub fn validate_response_bytes(
    operation_id: &str,
    status: u16,
    body: &[u8],
) -> Result<Report, ContractError> {
    Spec::embedded().validate_response_bytes(operation_id, status, body)
}

/// Validates `value` against `components.schemas.<name>` of the embedded spec. See
/// [`Spec::validate_component`].
pub fn validate_component(name: &str, value: &serde_json::Value) -> Result<Report, ContractError> {
    Spec::embedded().validate_component(name, value)
}
