//! `ti validate` (a saved body) and `ti contract` (live pages): responses checked against the spec.

use std::io::{Read, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;
use thoughtindustries_contract::{Drift, EMBEDDED_SPEC, Report, Severity, Spec, propose};
use uuid::Uuid;

use crate::connection::ConnectionArgs;
use crate::exit::{CONTRACT, Failure, INVALID, USAGE};
use crate::junit;

/// How reports are printed on stdout (messages, such as the final verdict, go to stderr).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One line per page or body (its verdict), then one line per finding.
    Text,
    /// One JSON document: the verdict and every page's or body's report.
    Json,
    /// One JSON object per line, one per page or body, written as each is checked.
    Ndjson,
    /// JUnit XML: one test case per page or body, failures listing each finding's JSON path.
    Junit,
}

/// The command name of `ti validate` in reports.
const VALIDATE: &str = "ti validate";

/// Flags of `ti validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// The response body to check: a file, or `-` for standard input.
    #[arg(default_value = "-", value_name = "FILE|-")]
    pub input: String,

    /// The operation the body answered: its operationId (`list_meetings`, `get_meeting`,
    /// `update_meeting_attendance`, `bulk_update_meeting_attendance`; camelCase works too).
    #[arg(long, default_value = "list_meetings")]
    pub operation: String,

    /// The HTTP status the body came with.
    #[arg(long, default_value_t = 200)]
    pub status: u16,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    #[command(flatten)]
    pub drift: DriftArgs,
}

/// What to do about drift: fields the spec does not describe, new values of its open
/// enumerations.
#[derive(Args, Debug)]
pub struct DriftArgs {
    /// Exit 1 when any drift was seen (by default drift is reported as notices and leaves the
    /// exit code as it is), so that a nightly job can open a ticket.
    #[arg(long)]
    pub fail_on_drift: bool,

    /// Write the spec with the drift described to FILE: each new field an optional, nullable
    /// property with its type and formats, each new value added to its `x-extensible-enum`;
    /// nothing else changes. FILE's own spec is extended when it exists (for example
    /// openapi/meetings.yaml), else the spec ti was built with.
    #[arg(long, value_name = "FILE")]
    pub propose: Option<PathBuf>,
}

impl DriftArgs {
    /// Writes the proposal (with `--propose`), then fails with exit 1 when drift was seen and
    /// `--fail-on-drift` is set.
    fn conclude(&self, reports: &Reports) -> Result<(), Failure> {
        let drift = &reports.drift;
        if let Some(path) = &self.propose {
            write_proposal(path, drift)?;
        } else if !drift.is_empty() {
            eprintln!(
                "ti: the API has grown: {} (`--propose FILE` writes it into the spec)",
                drift_summary(drift)
            );
        }
        if self.fail_on_drift && !drift.is_empty() {
            return Err(Failure {
                code: INVALID,
                message: format!("drift (--fail-on-drift): {}", drift_summary(drift)),
            });
        }
        Ok(())
    }
}

/// `3 undocumented field(s) and 1 new enumeration value(s)`.
fn drift_summary(drift: &Drift) -> String {
    format!(
        "{} undocumented field(s) and {} new enumeration value(s)",
        drift.fields().count(),
        drift.enum_values().count()
    )
}

/// Writes the spec with `drift` described to `path`: `path`'s own spec when it exists, else the
/// embedded one.
fn write_proposal(path: &std::path::Path, drift: &Drift) -> Result<(), Failure> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(Failure::usage(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    let base = existing.as_deref().unwrap_or(EMBEDDED_SPEC);
    let proposal =
        propose(base, drift).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
    if existing.as_deref() == Some(proposal.text.as_str()) {
        eprintln!(
            "ti: {} already describes everything seen; left unchanged",
            path.display()
        );
        return Ok(());
    }
    std::fs::write(path, &proposal.text)
        .map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))?;
    eprintln!(
        "ti: wrote {} with {} addition(s){}",
        path.display(),
        proposal.additions.len(),
        if proposal.additions.is_empty() {
            String::new()
        } else {
            format!(
                " (review with git diff, then cargo xtask codegen):\n  {}",
                proposal.additions.join("\n  ")
            )
        }
    );
    Ok(())
}

/// Runs `ti validate`: exit 0 when the body matches the spec, 1 with every finding when it does
/// not (or, with `--fail-on-drift`, when it carries drift).
pub fn validate(args: ValidateArgs) -> Result<(), Failure> {
    let bytes = read_input(&args.input)?;
    let body: serde_json::Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).map_err(|e| Failure {
            code: CONTRACT,
            message: format!("{} is not JSON: {e}", display_name(&args.input)),
        })?
    };
    let report = Spec::embedded()
        .validate_response(&args.operation, args.status, &body)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let mut reports = Reports::new(VALIDATE, args.format, args.drift.fail_on_drift);
    reports.add(display_name(&args.input).to_owned(), None, report)?;
    reports.finish()?;
    let concluded = args.drift.conclude(&reports);
    if reports.invalid > 0 {
        return Err(Failure {
            code: INVALID,
            message: format!(
                "{}: {} violation(s) of the contract",
                display_name(&args.input),
                reports.violations
            ),
        });
    }
    concluded
}

/// Flags of `ti contract`.
#[derive(Args, Debug)]
pub struct ContractArgs {
    /// Pages to check, from page 1 (fewer when the listing ends first).
    #[arg(long, default_value_t = 3, value_name = "N",
          value_parser = crate::args::at_least_one)]
    pub pages: u64,

    /// Only meetings of this course.
    #[arg(long, value_name = "UUID")]
    pub course_id: Option<Uuid>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    /// Also check `updateMeetingAttendance`: re-send, for one attendee of the first checked
    /// meeting that has attendees, the attendance the tenant already records (so its data stays
    /// as it was). Without this flag ti contract sends only GET requests.
    #[arg(long)]
    pub allow_writes: bool,

    #[command(flatten)]
    pub drift: DriftArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Runs `ti contract`: fetches pages from the configured tenant (or the embedded mock), then the
/// first meeting's detail (and, with `--allow-writes`, one no-op attendance update), validating
/// each raw body against the spec before decoding it; exit 1 on any violation (and, with
/// `--fail-on-drift`, on any drift).
pub async fn contract(args: ContractArgs) -> Result<(), Failure> {
    let connection = args.connection.connect().await?;
    let spec = Spec::embedded();
    let mut reports = Reports::new("ti contract", args.format, args.drift.fail_on_drift);
    let mut meetings = Vec::new();
    let checked = check_pages(&args, &connection.client, spec, &mut reports, &mut meetings).await;
    let checked = match checked {
        Ok(()) => check_meeting(&args, &connection.client, spec, &mut reports, &meetings).await,
        failed => failed,
    };
    if let Err(failure) = checked {
        // What was checked so far still makes a complete report document.
        reports.finish()?;
        return Err(failure);
    }
    reports.finish()?;
    let concluded = args.drift.conclude(&reports);
    if reports.invalid > 0 {
        return Err(Failure {
            code: INVALID,
            message: format!(
                "{} of {} response(s) did not match the contract",
                reports.invalid,
                reports.entries.len()
            ),
        });
    }
    concluded
}

/// Checks the listing's pages, keeping the meetings of those that decode.
async fn check_pages(
    args: &ContractArgs,
    client: &thoughtindustries::Client,
    spec: &Spec,
    reports: &mut Reports,
    meetings: &mut Vec<thoughtindustries::Meeting>,
) -> Result<(), Failure> {
    for number in 1..=args.pages {
        let body = client.fetch_page_body(number, args.course_id).await?;
        let report = spec
            .validate_response_bytes("list_meetings", 200, &body)
            .map_err(|e| Failure::usage(e.to_string()))?;
        let valid = report.is_valid();
        reports.add(format!("page {number}"), Some(number), report)?;
        match thoughtindustries::wire::decode_page(&body, number) {
            Ok(page) => {
                let more = page.has_more();
                meetings.extend(page.meetings);
                if !more {
                    break;
                }
            }
            Err(error) if valid => return Err(error.into()),
            Err(_) => break,
        }
    }
    Ok(())
}

/// Checks the first meeting's detail and, with `--allow-writes`, a no-op attendance update.
async fn check_meeting(
    args: &ContractArgs,
    client: &thoughtindustries::Client,
    spec: &Spec,
    reports: &mut Reports,
    meetings: &[thoughtindustries::Meeting],
) -> Result<(), Failure> {
    let Some(first) = meetings.first() else {
        eprintln!("ti: no meetings on the checked pages: the meeting detail was not checked");
        return Ok(());
    };
    let body = client.fetch_meeting_body(first.id).await?;
    let report = spec
        .validate_response_bytes("get_meeting", 200, &body)
        .map_err(|e| Failure::usage(e.to_string()))?;
    reports.add(format!("meeting {}", first.id), None, report)?;
    if !args.allow_writes {
        return Ok(());
    }
    let Some((meeting, user, attendance)) = meetings.iter().find_map(recorded_attendance) else {
        eprintln!("ti: no attendee on the checked pages: updateMeetingAttendance was not checked");
        return Ok(());
    };
    let body = client
        .update_meeting_attendance(meeting.id, user, attendance)
        .course(meeting.course_id)
        .send_for_body()
        .await?;
    let report = spec
        .validate_response_bytes("update_meeting_attendance", 200, &body)
        .map_err(|e| Failure::usage(e.to_string()))?;
    reports.add(
        format!("attendance of user {user} at meeting {}", meeting.id),
        None,
        report,
    )?;
    Ok(())
}

/// The first attendee of `meeting` with an id, and the attendance the tenant records for them
/// (attended when their `attendedMeetings` lists the meeting): re-sending it changes nothing.
fn recorded_attendance(
    meeting: &thoughtindustries::Meeting,
) -> Option<(
    &thoughtindustries::Meeting,
    Uuid,
    thoughtindustries::Attendance,
)> {
    let user = meeting
        .attendees
        .as_ref()?
        .iter()
        .find(|u| u.id.is_some())?;
    let attended = crate::detail::recorded_attendance(user, meeting.id).unwrap_or(false);
    let attendance = if attended {
        thoughtindustries::Attendance::Attended
    } else {
        thoughtindustries::Attendance::Absent
    };
    Some((meeting, user.id?, attendance))
}

/// One checked page or body.
#[derive(Serialize)]
struct Entry {
    /// `page 3`, or the input's name.
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u64>,
    #[serde(flatten)]
    report: Report,
}

/// The reports of one run, printed in the chosen format: text and NDJSON as each arrives (text
/// ends with the run's drift), JSON and JUnit as one document at the end (with the run's drift:
/// a `drift` member, a `drift` test case).
struct Reports {
    command: &'static str,
    format: ReportFormat,
    entries: Vec<Entry>,
    invalid: usize,
    violations: usize,
    notices: usize,
    /// Every body's drift, merged.
    drift: Drift,
    /// `--fail-on-drift`: drift fails the JUnit `drift` case.
    fail_on_drift: bool,
}

impl Reports {
    fn new(command: &'static str, format: ReportFormat, fail_on_drift: bool) -> Self {
        Self {
            command,
            format,
            entries: Vec::new(),
            invalid: 0,
            violations: 0,
            notices: 0,
            drift: Drift::default(),
            fail_on_drift,
        }
    }

    fn add(&mut self, name: String, page: Option<u64>, report: Report) -> Result<(), Failure> {
        let violations = report.violations().count();
        let notices = report.notices().count();
        self.invalid += usize::from(!report.is_valid());
        self.violations += violations;
        self.notices += notices;
        self.drift.merge_from(&report.drift, Some(&name));
        let entry = Entry { name, page, report };
        let mut out = std::io::stdout().lock();
        match self.format {
            ReportFormat::Text => {
                let verdict = if entry.report.is_valid() {
                    "ok"
                } else {
                    "DRIFT"
                };
                writeln!(
                    out,
                    "{}: {verdict} ({violations} violation(s), {notices} notice(s))",
                    entry.name
                )?;
                for finding in &entry.report.findings {
                    writeln!(out, "{}: {finding}", entry.name)?;
                }
            }
            ReportFormat::Ndjson => writeln!(out, "{}", to_json(&entry)?)?,
            ReportFormat::Json | ReportFormat::Junit => {}
        }
        out.flush()?;
        self.entries.push(entry);
        Ok(())
    }

    fn finish(&self) -> Result<(), Failure> {
        let mut out = std::io::stdout().lock();
        match self.format {
            ReportFormat::Text if !self.drift.is_empty() => {
                writeln!(
                    out,
                    "drift: {} in {} response(s); the spec does not describe:",
                    drift_summary(&self.drift),
                    self.entries.len()
                )?;
                for line in self.drift.to_string().lines() {
                    writeln!(out, "drift: {line}")?;
                }
            }
            ReportFormat::Text | ReportFormat::Ndjson => {}
            ReportFormat::Json if self.command == VALIDATE => {
                // One body: its report itself (with its `drift` when it has any), with the counts.
                #[derive(Serialize)]
                struct Document<'a> {
                    #[serde(flatten)]
                    entry: &'a Entry,
                    violations: usize,
                    notices: usize,
                }
                for entry in &self.entries {
                    let document = Document {
                        entry,
                        violations: self.violations,
                        notices: self.notices,
                    };
                    writeln!(out, "{}", to_json(&document)?)?;
                }
            }
            ReportFormat::Json => {
                #[derive(Serialize)]
                struct Document<'a> {
                    command: &'a str,
                    valid: bool,
                    checked: usize,
                    invalid: usize,
                    violations: usize,
                    notices: usize,
                    drift: &'a Drift,
                    reports: &'a [Entry],
                }
                let document = Document {
                    command: self.command,
                    valid: self.invalid == 0,
                    checked: self.entries.len(),
                    invalid: self.invalid,
                    violations: self.violations,
                    notices: self.notices,
                    drift: &self.drift,
                    reports: &self.entries,
                };
                writeln!(out, "{}", to_json(&document)?)?;
            }
            ReportFormat::Junit => {
                let mut cases: Vec<junit::Case> = self.entries.iter().map(junit_case).collect();
                if self.fail_on_drift || !self.drift.is_empty() {
                    cases.push(self.drift_case());
                }
                out.write_all(junit::render(self.command, &cases).as_bytes())?;
            }
        }
        out.flush()?;
        Ok(())
    }
}

impl Reports {
    /// The run's drift as one test case: failed with `--fail-on-drift`, else its output.
    fn drift_case(&self) -> junit::Case {
        let lines = self.drift.to_string();
        let message = drift_summary(&self.drift);
        junit::Case {
            class: "drift".to_owned(),
            name: "fields and values the spec does not describe".to_owned(),
            failure: (self.fail_on_drift && !self.drift.is_empty())
                .then(|| (message, lines.clone())),
            output: lines,
        }
    }
}

fn junit_case(entry: &Entry) -> junit::Case {
    let lines = |severity: Severity| -> String {
        entry
            .report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .map(|f| format!("{f}\n"))
            .collect()
    };
    let violations = entry.report.violations().count();
    junit::Case {
        class: entry.report.subject.clone(),
        name: entry.name.clone(),
        failure: (!entry.report.is_valid()).then(|| {
            (
                format!("{violations} violation(s) of the contract"),
                lines(Severity::Violation),
            )
        }),
        output: lines(Severity::Notice),
    }
}

/// Serializes a value as one line of JSON.
pub(crate) fn to_json(value: &impl Serialize) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| Failure::usage(format!("rendering the report: {e}")))
}

fn read_input(input: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let result = if input == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(drop)
    } else {
        std::fs::File::open(PathBuf::from(input))
            .and_then(|mut f| f.read_to_end(&mut bytes).map(drop))
    };
    result.map_err(|e| Failure {
        code: USAGE,
        message: format!("cannot read {}: {e}", display_name(input)),
    })?;
    Ok(bytes)
}

fn display_name(input: &str) -> &str {
    if input == "-" {
        "standard input"
    } else {
        input
    }
}
