//! `ti attendance set` and `ti attendance bulk`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use thoughtindustries::{Attendance, BulkAttendanceResult, Error, UserOutcome};
use uuid::Uuid;

use crate::connection::ConnectionArgs;
use crate::exit::{Failure, PARTIAL, UNKNOWN_OUTCOME};

/// `ti attendance ...`.
#[derive(Subcommand, Debug)]
pub enum AttendanceCommand {
    /// Record one user's attendance of a meeting; prints a confirmation on a terminal, else the
    /// updated user exactly as the API sent it (JSON).
    Set(SetArgs),
    /// Record the attendance of many users of one meeting, read from a file or stdin: one user id
    /// per line, or a CSV with an `id` (or `userId`) column. Every line is checked before anything
    /// is sent.
    Bulk(BulkArgs),
    /// Record attendance from a meeting platform's attendance report (Zoom, Teams, Google Meet
    /// or any CSV with an email column): report emails are matched to the meeting's registered
    /// attendees, and the plan (one row per person) is printed, then sent in bulk.
    #[command(after_help = IMPORT_HELP)]
    Import(crate::import::ImportArgs),
}

const IMPORT_HELP: &str = "\
Examples:
  ti attendance import --meeting MEETING zoom-participants.csv --dry-run
  ti attendance import --meeting MEETING --min-minutes 30 --mark-absent teams.csv
  ti attendance import --meeting MEETING --min-percent 75 --format json - < meet.csv
  # the embedded mock's sample meeting and the repository's sample report:
  ti attendance import --meeting 5a3c0f1e-0020-4000-8000-000000000020 examples/reports/zoom-participants.csv

Exit codes: 0 every report row with an email was matched and recorded; 6 some report emails
are not registered for the meeting or some users were not updated (each listed); 2 a bad flag
or an unreadable report (nothing sent); 3 unknown meeting (nothing sent); 4, 5, 7 as elsewhere.";

/// Attended or absent: exactly one of the two flags.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Mark {
    /// Mark the user(s) as having attended.
    #[arg(long)]
    attended: bool,
    /// Mark the user(s) as absent.
    #[arg(long)]
    absent: bool,
}

impl Mark {
    fn attendance(&self) -> Attendance {
        Attendance::from(self.attended && !self.absent)
    }
}

/// Flags of `ti attendance set`.
#[derive(Args, Debug)]
pub struct SetArgs {
    /// The meeting.
    #[arg(long, value_name = "UUID", value_parser = crate::args::uuid)]
    meeting: Uuid,
    /// The user.
    #[arg(long, value_name = "UUID", value_parser = crate::args::uuid)]
    user: Uuid,
    /// The course the meeting belongs to.
    #[arg(long, value_name = "UUID", value_parser = crate::args::uuid)]
    course: Option<Uuid>,
    #[command(flatten)]
    mark: Mark,
    #[command(flatten)]
    connection: ConnectionArgs,
}

/// Flags of `ti attendance bulk`.
#[derive(Args, Debug)]
pub struct BulkArgs {
    /// The meeting.
    #[arg(long, value_name = "UUID", value_parser = crate::args::uuid)]
    meeting: Uuid,
    #[command(flatten)]
    mark: Mark,
    /// Users per request.
    #[arg(long, value_name = "N", default_value_t = thoughtindustries::DEFAULT_BULK_CHUNK_SIZE as u64,
          value_parser = crate::args::at_least_one)]
    chunk_size: u64,
    /// The user ids: a file, or `-` (the default) for stdin.
    #[arg(value_name = "FILE", default_value = "-")]
    file: PathBuf,
    #[command(flatten)]
    connection: ConnectionArgs,
}

/// Runs `ti attendance ...`.
pub async fn run(command: AttendanceCommand) -> Result<(), Failure> {
    match command {
        AttendanceCommand::Set(args) => set(args).await,
        AttendanceCommand::Bulk(args) => bulk(args).await,
        AttendanceCommand::Import(args) => crate::import::import(args).await,
    }
}

async fn set(args: SetArgs) -> Result<(), Failure> {
    let connection = args.connection.connect().await?;
    let mut request = connection.client.update_meeting_attendance(
        args.meeting,
        args.user,
        args.mark.attendance(),
    );
    if let Some(course) = args.course {
        request = request.course(course);
    }
    let updated = request.send_raw().await?;
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = stdout.lock();
    if terminal {
        let user = &updated.user;
        let who = user.email.as_deref().or(user.name.as_deref());
        writeln!(
            out,
            "recorded: user {}{} {} meeting {}",
            args.user,
            who.map(|w| format!(" ({w})")).unwrap_or_default(),
            if args.mark.attendance().attended() {
                "attended"
            } else {
                "was absent from"
            },
            args.meeting
        )?;
    } else {
        out.write_all(updated.raw.get().as_bytes())?;
        writeln!(out)?;
    }
    Ok(())
}

async fn bulk(args: BulkArgs) -> Result<(), Failure> {
    let text = read_input(&args.file)?;
    let users = parse_user_ids(&text).map_err(Failure::usage)?;
    if users.is_empty() {
        return Err(Failure::usage("no user ids in the input"));
    }
    let connection = args.connection.connect().await?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(users.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} users [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        crate::progress::show_bar(&bar);
        bar
    });
    let mut request = connection
        .client
        .bulk_update_meeting_attendance(args.meeting, args.mark.attendance(), users.clone())
        .chunk_size(usize::try_from(args.chunk_size).unwrap_or(usize::MAX));
    if let Some(bar) = bar.clone() {
        request = request.on_progress(move |done| bar.set_position(done as u64));
    }
    let outcome = request.send().await;
    if let Some(bar) = &bar {
        crate::progress::forget_bar();
        bar.finish_and_clear();
    }
    let outcome = BulkOutcome::from_send(outcome, &users)?;
    let mut out = std::io::stdout().lock();
    outcome.write(&mut out)?;
    match outcome.failure() {
        Some(failure) => Err(failure),
        None => Ok(()),
    }
}

/// What a bulk send came to, per user: the users the API could not update (per-user errors, and
/// the users of requests that were rejected or not sent) and those whose outcome is unknown.
/// Shared by `ti attendance bulk` and `ti attendance import`.
#[derive(Debug, Default)]
pub struct BulkOutcome {
    /// Records the API reports as updated.
    pub updated: u64,
    /// Users not updated, with the reason (`None`: the API named no user).
    pub failed: Vec<(Option<Uuid>, String)>,
    /// Users whose request was sent but whose outcome is unknown, with the reason.
    pub unknown: Vec<(Uuid, String)>,
}

impl BulkOutcome {
    /// The outcome of `send` for `users` (as given): a result is an outcome per user, and so is
    /// an error that says what became of every user (an unknown outcome names them; a rejection
    /// of every request, after which nothing was recorded, fails each user with its reason). Any
    /// other error is a failure of the command.
    pub fn from_send(
        sent: Result<BulkAttendanceResult, Error>,
        users: &[Uuid],
    ) -> Result<Self, Failure> {
        let mut outcome = Self::default();
        let result = match sent {
            Ok(result) => result,
            Err(Error::UnknownOutcome(unknown)) => {
                let reason = unknown.to_string();
                outcome.unknown = unknown.users.iter().map(|u| (*u, reason.clone())).collect();
                return Ok(outcome);
            }
            Err(rejected @ (Error::Status(_) | Error::Transport { .. })) => {
                let reason = rejected.to_string();
                let mut seen = std::collections::HashSet::new();
                outcome.failed = users
                    .iter()
                    .filter(|u| seen.insert(**u))
                    .map(|u| (Some(*u), reason.clone()))
                    .collect();
                return Ok(outcome);
            }
            Err(other) => return Err(other.into()),
        };
        outcome.updated = result.updated_record_count;
        // The API's per-user errors first, as `ti attendance bulk` always printed them (rows
        // without an id included), then the users of failed requests.
        outcome.failed = result
            .errors
            .iter()
            .map(|error| {
                let reason = error
                    .error
                    .clone()
                    .unwrap_or_else(|| "(no reason given)".into());
                (error.id, reason)
            })
            .collect();
        for (user, state) in result.outcomes() {
            match state {
                UserOutcome::NotApplied(why) => outcome.failed.push((Some(user), why.to_string())),
                UserOutcome::Unknown(why) => outcome.unknown.push((user, why.to_string())),
                _ => {}
            }
        }
        Ok(outcome)
    }

    /// Another send's outcome added to this one.
    pub fn extend(&mut self, other: BulkOutcome) {
        self.updated += other.updated;
        self.failed.extend(other.failed);
        self.unknown.extend(other.unknown);
    }

    /// `updated`, `failed` and `unknown outcome` counts, then a `failed` or `unknown` line per
    /// user with the reason (tab-separated).
    pub fn write(&self, out: &mut impl Write) -> std::io::Result<()> {
        writeln!(out, "updated\t{}", self.updated)?;
        writeln!(out, "failed\t{}", self.failed.len())?;
        writeln!(out, "unknown outcome\t{}", self.unknown.len())?;
        for (id, reason) in &self.failed {
            let id = id.map_or_else(|| "(no id)".to_owned(), |id| id.to_string());
            writeln!(out, "failed\t{id}\t{reason}")?;
        }
        for (user, reason) in &self.unknown {
            writeln!(out, "unknown\t{user}\t{reason}")?;
        }
        Ok(())
    }

    /// The exit: 7 when some outcomes are unknown, 6 when some users were not updated, none
    /// otherwise.
    pub fn failure(&self) -> Option<Failure> {
        if !self.unknown.is_empty() {
            Some(Failure {
                code: UNKNOWN_OUTCOME,
                message: format!(
                    "{} user(s) have an unknown outcome (re-send them) and {} failed",
                    self.unknown.len(),
                    self.failed.len()
                ),
            })
        } else if !self.failed.is_empty() {
            Some(Failure {
                code: PARTIAL,
                message: format!(
                    "{} user(s) were not updated (listed above)",
                    self.failed.len()
                ),
            })
        } else {
            None
        }
    }
}

fn read_input(file: &PathBuf) -> Result<String, Failure> {
    let mut text = String::new();
    let read = if file.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(file).and_then(|mut f| f.read_to_string(&mut text))
    };
    read.map_err(|e| Failure::usage(format!("reading {}: {e}", file.display())))?;
    Ok(text)
}

/// User ids, one per line or from a CSV's `id` / `userId` column (a header line naming one of
/// them makes the input CSV). Blank lines are skipped; the first invalid line fails the whole
/// input, named by its line number.
fn parse_user_ids(text: &str) -> Result<Vec<Uuid>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((header_at, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let columns: Vec<String> = split_csv(header);
    let column = columns
        .iter()
        .position(|c| c.eq_ignore_ascii_case("id") || c.eq_ignore_ascii_case("userId"));
    let (column, first) = match column {
        Some(column) => (column, None),
        None if columns.len() > 1 => {
            return Err(format!(
                "line {}: a CSV header needs an `id` or `userId` column",
                header_at + 1
            ));
        }
        None => (0, Some((header_at, header))),
    };
    first
        .into_iter()
        .chain(lines)
        .map(|(at, line)| {
            let value = split_csv(line).into_iter().nth(column).unwrap_or_default();
            Uuid::try_parse(&value)
                .map_err(|_| format!("line {}: {value:?} is not a user id (a UUID)", at + 1))
        })
        .collect()
}

/// The fields of one CSV line (double quotes around a field are removed).
fn split_csv(line: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    reader
        .records()
        .next()
        .and_then(Result::ok)
        .map(|record| record.iter().map(|f| f.trim().to_owned()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11";
    const B: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

    #[test]
    fn one_id_per_line_with_blank_lines() {
        let ids = parse_user_ids(&format!("{A}\n\n  {B}  \n")).unwrap();
        assert_eq!(ids.len(), 2);
    }

    #[test]
    fn csv_with_an_id_or_user_id_column() {
        let ids =
            parse_user_ids(&format!("email,userId\nada@x.org,{A}\n\"b@x.org\",{B}\n")).unwrap();
        assert_eq!(
            ids,
            vec![Uuid::parse_str(A).unwrap(), Uuid::parse_str(B).unwrap()]
        );
        assert_eq!(parse_user_ids(&format!("ID\n{A}\n")).unwrap().len(), 1);
    }

    #[test]
    fn an_invalid_line_is_named() {
        let error = parse_user_ids(&format!("{A}\nnot-a-uuid\n{B}\n")).unwrap_err();
        assert!(error.starts_with("line 2:"), "{error}");
        let error = parse_user_ids("email,name\na,b\n").unwrap_err();
        assert!(error.contains("line 1"), "{error}");
    }
}
