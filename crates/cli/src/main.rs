//! `ti`: list and get meetings from a Thought Industries tenant (or the embedded mock), record
//! attendance, check responses and spec changes against the contract, and run the mock.

mod args;
mod attendance;
mod connection;
mod contract;
mod detail;
mod diff;
mod exit;
mod ics;
mod import;
mod junit;
mod meetings;
mod mock;
mod notices;
mod output;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

const AFTER_HELP: &str = "\
Examples:
  ti meetings list                              # the embedded mock (no tenant configured)
  TI_TENANT=acme TI_API_KEY=... ti meetings list --all --format csv > meetings.csv
  ti meetings list --base-url https://learn.example.com --api-key-file ~/.ti-key --page 2
  ti meetings list --all --format ics > meetings.ics  # for Google Calendar, Outlook, Apple
  ti meetings get 0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11 --format json
  ti attendance set --meeting MEETING --user USER --attended
  ti attendance bulk --meeting MEETING --absent users.csv   # or: ... --attended - < ids.txt
  ti attendance import --meeting MEETING --min-minutes 30 zoom-participants.csv --dry-run
  ti validate saved-response.json --format json  # every mismatch with its JSON path
  TI_TENANT=acme TI_API_KEY=... ti contract --pages 5 --format junit > contract.xml
  ti contract --propose openapi/meetings.yaml  # describe what the API added
  ti diff old/meetings.yaml new/meetings.yaml    # breaking changes, as cargo xtask breaking
  ti mock --port 8080 --meetings 1000 --latency-ms 100

Connection: --tenant/TI_TENANT or --base-url/TI_BASE_URL, the API key from TI_API_KEY or
--api-key-file (a flag wins over both variables; set only one of them). With neither a tenant
nor a base URL, ti starts the embedded mock and says so.

Exit codes:
  0  success (also when the reader closes stdout early, as `| head` does)
  1  ti validate / ti contract: the body does not match the contract (the report says where);
     ti diff: a breaking change without a major version bump
  2  usage or configuration error (bad flag, bad URL, missing or unreadable API key)
  3  the API answered with an error status (after retries), or refused for the rate limit
     longer than --max-wait allows (the message says how long was waited); ti meetings get:
     not found
  4  transport failure (connect, TLS, timeout, dropped connection, oversized body), or
     --operation-timeout passed
  5  the response did not match the contract (bad JSON, wrong types); names the page and JSON path
  6  ti attendance bulk / import: some users were not updated (each listed with the reason);
     import: some report emails are not registered for the meeting
  7  a write was sent but its outcome is unknown (timeout or dropped connection after sending,
     a 2xx other than 200 such as 202, a 5xx other than 503 such as a CDN's 520); the users
     concerned are listed: re-send them";

/// The Thought Industries command line.
#[derive(Parser, Debug)]
#[command(name = "ti", version, about, after_help = AFTER_HELP)]
struct Cli {
    /// Log requests and retries on stderr (-v: debug, -vv: trace). RUST_LOG also works.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Meetings of the tenant.
    #[command(subcommand)]
    Meetings(MeetingsCommand),
    /// Record meeting attendance: one user, many from a file or stdin, or a platform's report.
    #[command(subcommand)]
    Attendance(attendance::AttendanceCommand),
    /// Validate a saved response body against the spec; every mismatch with its JSON path.
    Validate(contract::ValidateArgs),
    /// Fetch pages from the tenant (or the embedded mock) and validate each raw body against the
    /// spec before decoding it: the job to schedule in CI against a real tenant.
    Contract(contract::ContractArgs),
    /// Classify the changes between two versions of the spec (breaking or not, as `cargo xtask
    /// breaking` does): exit 1 on a breaking change without a major `info.version` bump.
    Diff(diff::DiffArgs),
    /// Run the mock server until interrupted; prints its base URL.
    Mock(mock::MockArgs),
}

#[derive(Subcommand, Debug)]
enum MeetingsCommand {
    /// List meetings: one page, or every page with --all.
    #[command(after_help = AFTER_HELP)]
    List(meetings::ListArgs),
    /// One meeting with its course, location and attendees; an unknown id exits 3.
    #[command(after_help = AFTER_HELP)]
    Get(meetings::GetArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                exit::USAGE
            } else {
                exit::SUCCESS
            };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    init_tracing(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("ti: error: starting the async runtime: {error}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Meetings(MeetingsCommand::List(args)) => meetings::list(args).await,
            Command::Meetings(MeetingsCommand::Get(args)) => meetings::get(args).await,
            Command::Attendance(command) => attendance::run(command).await,
            Command::Validate(args) => contract::validate(args),
            Command::Contract(args) => contract::contract(args).await,
            Command::Diff(args) => diff::diff(args),
            Command::Mock(args) => mock::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) if failure.is_closed_output() => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("ti: error: {}", failure.message);
            failure.exit_code()
        }
    }
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "warn,thoughtindustries=debug,ti=debug",
        _ => "debug,thoughtindustries=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}
