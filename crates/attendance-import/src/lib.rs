//! Attendance from a video-meeting platform's report, for a Thought Industries meeting.
//!
//! After a live session the instructor downloads the platform's attendance report (Zoom, Microsoft
//! Teams, Google Meet, or any spreadsheet with an email column). This crate
//!
//! 1. reads it into [`Person`]s with the minutes each was present ([`read_report`]): the kind is
//!    told from the headers, UTF-16 and BOMs are handled, rejoins add up and overlapping joins (two
//!    devices at once) count once;
//! 2. matches them against a meeting's registered attendees and applies a rule ([`plan`]): who is
//!    recorded as attended, who as absent, and why everyone else is not (below the threshold, not
//!    registered, no email).
//!
//! It does no I/O beyond the reader it is given and no HTTP: the `thoughtindustries` client
//! fetches the meeting (`get_meeting`) and sends the plan
//! (`bulk_update_meeting_attendance`), as `ti attendance import` does:
//!
//! ```no_run
//! use thoughtindustries::{Attendance, Client};
//! use thoughtindustries_attendance_import::{Options, Roster, Rule, plan, read_report};
//!
//! # async fn run(client: Client, meeting: uuid::Uuid) -> Result<(), Box<dyn std::error::Error>> {
//! let report = read_report(std::fs::File::open("zoom-participants.csv")?)?;
//! let detail = client.get_meeting(meeting).await?.ok_or("no such meeting")?;
//! let options = Options::new(Rule::MinMinutes(30.0)).mark_absent(true);
//! let plan = plan(&report.people, &Roster::from_meeting(&detail), &options)?;
//! for row in &plan.rows {
//!     println!("{} {:?} {}", row.name, row.email, row.decision);
//! }
//! client
//!     .bulk_update_meeting_attendance(meeting, Attendance::Attended, plan.attended())
//!     .send()
//!     .await?;
//! client
//!     .bulk_update_meeting_attendance(meeting, Attendance::Absent, plan.absent())
//!     .send()
//!     .await?;
//! # Ok(()) }
//! ```

mod detect;
mod duration;
mod error;
mod generic;
mod interval;
mod meet;
mod plan;
mod read;
mod report;
mod teams;
mod text;
mod timestamp;
mod zoom;

pub use duration::parse_minutes;
pub use error::{PlanError, ReadError};
pub use interval::{Interval, covered_seconds, merge};
pub use plan::{Counts, Decision, Options, Plan, PlanRow, Registered, Roster, Rule, plan};
pub use read::{parse_report, read_report};
pub use report::{Person, Report, ReportKind, normalize_email};
pub use timestamp::parse_timestamp;
