//! `ti attendance import`: a meeting platform's attendance report (Zoom, Teams, Google Meet or
//! any CSV with an email column) to attendance records, through the
//! `thoughtindustries-attendance-import` library and the bulk operation of `ti attendance bulk`.

use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use thoughtindustries::Attendance;
use thoughtindustries_attendance_import::{
    Decision, Options, Plan, PlanRow, Report, Roster, Rule, plan, read_report,
};
use uuid::Uuid;

use crate::attendance::BulkOutcome;
use crate::connection::ConnectionArgs;
use crate::exit::{API_STATUS, Failure, PARTIAL};
use crate::output::fitted_table;

/// Output formats of `ti attendance import`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// One row per person, aligned, then the counts (the default).
    Table,
    /// One JSON document: the rows and a summary.
    Json,
    /// A header and one row per person.
    Csv,
}

/// Flags of `ti attendance import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The meeting.
    #[arg(long, value_name = "UUID", value_parser = crate::args::uuid)]
    meeting: Uuid,
    /// Attended: at least N minutes present (rejoins added up, overlapping joins counted once).
    #[arg(long, value_name = "N", value_parser = minutes, conflicts_with = "min_percent")]
    min_minutes: Option<f64>,
    /// Attended: present for at least P % of the meeting's scheduled length (startDate to
    /// endDate).
    #[arg(long, value_name = "P", value_parser = percent)]
    min_percent: Option<f64>,
    /// Also record as absent the registered attendees missing from the report or below the
    /// threshold.
    #[arg(long)]
    mark_absent: bool,
    /// Print the plan and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ImportFormat::Table)]
    format: ImportFormat,
    /// Users per request.
    #[arg(long, value_name = "N", default_value_t = thoughtindustries::DEFAULT_BULK_CHUNK_SIZE as u64,
          value_parser = crate::args::at_least_one)]
    chunk_size: u64,
    /// The platform's attendance report, or `-` for stdin. The kind is told from its headers.
    #[arg(value_name = "REPORT")]
    report: PathBuf,
    #[command(flatten)]
    connection: ConnectionArgs,
}

fn minutes(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Ok(n),
        _ => Err(format!("{text:?} is not a number of minutes (0 or more)")),
    }
}

fn percent(text: &str) -> Result<f64, String> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a percentage (0 to 100)")),
    }
}

/// Runs `ti attendance import`.
pub async fn import(args: ImportArgs) -> Result<(), Failure> {
    // The report first: an unreadable one stops before anything is requested or sent.
    let report = read(&args.report)?;
    eprintln!(
        "ti: read {} as {}: {} row(s), {} people",
        shown(&args.report),
        report.kind,
        report.rows,
        report.people.len()
    );
    let connection = args.connection.connect().await?;
    let client = &connection.client;
    let detail = client
        .get_meeting(args.meeting)
        .on_warning(|blanked| eprintln!("ti: warning: {blanked}"));
    let Some(meeting) = detail.await? else {
        return Err(Failure {
            code: API_STATUS,
            message: format!("meeting {} not found (nothing sent)", args.meeting),
        });
    };
    if meeting.attendees.is_none() {
        eprintln!(
            "ti: warning: the API sent no attendees for meeting {}: no report email can be matched",
            args.meeting
        );
    }
    let rule = match (args.min_minutes, args.min_percent) {
        (Some(n), _) => Rule::MinMinutes(n),
        (None, Some(p)) => Rule::MinPercent(p),
        (None, None) => Rule::AnyPresence,
    };
    let options = Options::new(rule).mark_absent(args.mark_absent);
    let plan = plan(&report.people, &Roster::from_meeting(&meeting), &options)
        .map_err(|e| Failure::usage(e.to_string()))?;

    let mut results: HashMap<Uuid, String> = HashMap::new();
    let mut outcome = None;
    if !args.dry_run {
        let mut sent = BulkOutcome::default();
        let chunk = usize::try_from(args.chunk_size).unwrap_or(usize::MAX);
        for (attendance, users) in [
            (Attendance::Attended, plan.attended()),
            (Attendance::Absent, plan.absent()),
        ] {
            if users.is_empty() {
                continue;
            }
            for user in &users {
                results.insert(*user, "updated".into());
            }
            let result = client
                .bulk_update_meeting_attendance(args.meeting, attendance, users.clone())
                .chunk_size(chunk)
                .send()
                .await;
            sent.extend(BulkOutcome::from_send(result, &users)?);
        }
        for (user, reason) in &sent.failed {
            if let Some(user) = user {
                results.insert(*user, format!("failed: {reason}"));
            }
        }
        for (user, reason) in &sent.unknown {
            results.insert(*user, format!("unknown outcome: {reason}"));
        }
        outcome = Some(sent);
    }

    let mut out = std::io::stdout().lock();
    let view = View {
        meeting: args.meeting,
        report: &report,
        plan: &plan,
        results: outcome.as_ref().map(|_| &results),
        outcome: outcome.as_ref(),
    };
    match args.format {
        ImportFormat::Table => view.table(&mut out)?,
        ImportFormat::Json => view.json(&mut out)?,
        ImportFormat::Csv => view.csv(&mut out)?,
    }
    out.flush()?;
    exit(&plan, outcome.as_ref(), args.dry_run)
}

/// 7 when some outcomes are unknown; 6 when report emails are not registered or users were not
/// updated; success otherwise.
fn exit(plan: &Plan, outcome: Option<&BulkOutcome>, dry_run: bool) -> Result<(), Failure> {
    let unregistered: Vec<&str> = plan
        .rows
        .iter()
        .filter(|r| r.decision == Decision::NotRegistered)
        .filter_map(|r| r.email.as_deref())
        .collect();
    let failure = outcome.and_then(BulkOutcome::failure);
    if let Some(failure) = &failure
        && failure.code != PARTIAL
    {
        return Err(Failure {
            code: failure.code,
            message: failure.message.clone(),
        });
    }
    let mut reasons = Vec::new();
    if !unregistered.is_empty() {
        reasons.push(format!(
            "{} report email(s) not registered for the meeting, not sent: {}",
            unregistered.len(),
            unregistered.join(", ")
        ));
    }
    if let Some(failure) = failure {
        reasons.push(failure.message);
    }
    if reasons.is_empty() {
        if dry_run {
            eprintln!("ti: dry run: nothing sent");
        }
        return Ok(());
    }
    if dry_run {
        reasons.push("dry run: nothing sent".into());
    }
    Err(Failure {
        code: PARTIAL,
        message: reasons.join("; "),
    })
}

/// The report's bytes, from the file or stdin, read into people.
fn read(path: &Path) -> Result<Report, Failure> {
    let read = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map(|_| bytes)
    } else {
        std::fs::read(path)
    };
    let bytes = read.map_err(|e| Failure::usage(format!("reading {}: {e}", shown(path))))?;
    read_report(bytes.as_slice())
        .map_err(|e| Failure::usage(format!("{}: {e} (nothing sent)", shown(path))))
}

fn shown(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "stdin".into()
    } else {
        path.display().to_string()
    }
}

/// Minutes as printed: whole when within a twentieth of a minute of a whole number, else with one
/// decimal.
fn minutes_text(minutes: Option<f64>) -> String {
    match minutes {
        None => String::new(),
        Some(m) if (m - m.round()).abs() < 0.05 => format!("{}", m.round()),
        Some(m) => format!("{m:.1}"),
    }
}

/// What is printed.
struct View<'a> {
    meeting: Uuid,
    report: &'a Report,
    plan: &'a Plan,
    /// Per sent user, the result; `None` for a dry run.
    results: Option<&'a HashMap<Uuid, String>>,
    outcome: Option<&'a BulkOutcome>,
}

impl View<'_> {
    /// The row's result: `updated`, `failed: ...`, `unknown outcome: ...`, `not sent`; `None`
    /// for a dry run.
    fn result(&self, row: &PlanRow) -> Option<String> {
        let results = self.results?;
        Some(
            row.user_id
                .filter(|_| row.decision.is_sent())
                .and_then(|id| results.get(&id).cloned())
                .unwrap_or_else(|| "not sent".into()),
        )
    }

    fn table(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut header = vec!["NAME", "EMAIL", "USER ID", "MINUTES", "DECISION"];
        if self.results.is_some() {
            header.push("RESULT");
        }
        let width = std::io::stdout()
            .is_terminal()
            .then(|| comfy_table::Table::new().width())
            .flatten();
        let mut table = fitted_table(&header, &[2, 3, 4], width);
        for row in &self.plan.rows {
            let mut cells = vec![
                if row.name.is_empty() {
                    "-".to_owned()
                } else {
                    row.name.replace(['\n', '\r', '\t'], " ")
                },
                row.email.clone().unwrap_or_else(|| "-".into()),
                row.user_id.map_or_else(|| "-".into(), |id| id.to_string()),
                match minutes_text(row.minutes) {
                    m if m.is_empty() => "-".into(),
                    m => m,
                },
                row.decision.to_string(),
            ];
            cells.extend(self.result(row));
            let mut row = comfy_table::Row::from(cells);
            row.max_height(2);
            table.add_row(row);
        }
        for line in table.lines() {
            writeln!(out, "{}", line.trim_end())?;
        }
        let counts = self.plan.counts();
        writeln!(
            out,
            "\nplan: {} attended, {} absent, {} below threshold, {} not registered, {} no email{}",
            counts.attended,
            counts.absent,
            counts.below_threshold,
            counts.not_registered,
            counts.no_email,
            self.plan
                .threshold_minutes
                .map(|m| format!(" (threshold {} min)", minutes_text(Some(m))))
                .unwrap_or_default()
        )?;
        match self.outcome {
            Some(outcome) => outcome.write(out),
            None => writeln!(out, "dry run: nothing sent"),
        }
    }

    fn json(&self, out: &mut impl Write) -> std::io::Result<()> {
        let rows: Vec<serde_json::Value> = self
            .plan
            .rows
            .iter()
            .map(|row| {
                serde_json::json!({
                    "name": row.name,
                    "email": row.email,
                    "user_id": row.user_id,
                    "minutes": row.minutes.map(|m| (m * 100.0).round() / 100.0),
                    "decision": row.decision,
                    "result": self.result(row),
                })
            })
            .collect();
        let counts = self.plan.counts();
        let document = serde_json::json!({
            "meeting": self.meeting,
            "report": {"kind": self.report.kind, "rows": self.report.rows, "people": self.report.people.len()},
            "threshold_minutes": self.plan.threshold_minutes,
            "dry_run": self.outcome.is_none(),
            "rows": rows,
            "summary": {
                "attended": counts.attended,
                "absent": counts.absent,
                "below_threshold": counts.below_threshold,
                "not_registered": counts.not_registered,
                "no_email": counts.no_email,
                "updated": self.outcome.map(|o| o.updated),
                "failed": self.outcome.map(|o| o.failed.len()),
                "unknown_outcome": self.outcome.map(|o| o.unknown.len()),
            },
        });
        serde_json::to_writer_pretty(&mut *out, &document)?;
        writeln!(out)
    }

    fn csv(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(["name", "email", "user_id", "minutes", "decision", "result"])?;
        for row in &self.plan.rows {
            writer.write_record([
                row.name.clone(),
                row.email.clone().unwrap_or_default(),
                row.user_id.map(|id| id.to_string()).unwrap_or_default(),
                minutes_text(row.minutes),
                row.decision.to_string(),
                self.result(row).unwrap_or_default(),
            ])?;
        }
        writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_whole_or_one_decimal() {
        assert_eq!(minutes_text(Some(55.0)), "55");
        assert_eq!(minutes_text(Some(10.0 + 34.0 / 60.0)), "10.6");
        assert_eq!(minutes_text(Some(0.99)), "1");
        assert_eq!(minutes_text(None), "");
    }

    #[test]
    fn flag_values_say_what_is_expected() {
        assert_eq!(minutes("30"), Ok(30.0));
        assert!(minutes("-1").unwrap_err().contains("0 or more"));
        assert_eq!(percent("75%"), Ok(75.0));
        assert!(percent("150").unwrap_err().contains("0 to 100"));
    }
}
