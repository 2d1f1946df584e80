//! `ti validate` (a saved body) and `ti contract` (live pages): responses checked against the spec.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;
use thoughtindustries_contract::{Report, Spec};
use uuid::Uuid;

use crate::connection::ConnectionArgs;
use crate::exit::{CONTRACT, Failure, INVALID, USAGE};

/// How reports are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One line per finding.
    Text,
    /// A JSON document for machines.
    Json,
}

/// Flags of `ti validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// The response body to check: a file, or `-` for standard input.
    #[arg(default_value = "-", value_name = "FILE|-")]
    pub input: String,

    /// The operation the body answered (its operationId).
    #[arg(long, default_value = "list_meetings")]
    pub operation: String,

    /// The HTTP status the body came with.
    #[arg(long, default_value_t = 200)]
    pub status: u16,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// Runs `ti validate`: exit 0 when the body matches the spec, 1 with every finding when it does
/// not.
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
    print_report(&report, args.format, None)?;
    if report.is_valid() {
        if args.format == ReportFormat::Text {
            eprintln!("ti: {}: matches the contract", display_name(&args.input));
        }
        Ok(())
    } else {
        Err(Failure {
            code: INVALID,
            message: format!(
                "{}: {} violation(s) of the contract",
                display_name(&args.input),
                report.violations().count()
            ),
        })
    }
}

/// Flags of `ti contract`.
#[derive(Args, Debug)]
pub struct ContractArgs {
    /// Pages to check, from page 1 (fewer when the listing ends first).
    #[arg(long, default_value_t = 3, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub pages: u64,

    /// Only meetings of this course.
    #[arg(long, value_name = "UUID")]
    pub course_id: Option<Uuid>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Runs `ti contract`: fetches pages from the configured tenant (or the embedded mock) and
/// validates each raw body against the spec before decoding it; exit 1 on any drift.
pub async fn contract(args: ContractArgs) -> Result<(), Failure> {
    let connection = args.connection.connect().await?;
    let spec = Spec::embedded();
    let mut drifted = 0;
    for number in 1..=args.pages {
        let body = connection
            .client
            .fetch_page_body(number, args.course_id)
            .await?;
        let report = spec
            .validate_response_bytes("list_meetings", 200, &body)
            .map_err(|e| Failure::usage(e.to_string()))?;
        print_report(&report, args.format, Some(number))?;
        let decoded = thoughtindustries::decode_page(&body, number);
        if !report.is_valid() {
            drifted += 1;
        }
        if args.format == ReportFormat::Text {
            let verdict = if report.is_valid() { "ok" } else { "DRIFT" };
            eprintln!(
                "ti: page {number}: {verdict} ({} violation(s), {} notice(s))",
                report.violations().count(),
                report.notices().count()
            );
        }
        match decoded {
            Ok(page) if page.has_more() => {}
            Ok(_) => break,
            Err(error) if report.is_valid() => return Err(error.into()),
            Err(_) => break,
        }
    }
    if drifted > 0 {
        return Err(Failure {
            code: INVALID,
            message: format!("{drifted} page(s) did not match the contract"),
        });
    }
    Ok(())
}

/// Prints a report on stdout: text lines (prefixed with the page when there is one) or one JSON
/// object.
fn print_report(report: &Report, format: ReportFormat, page: Option<u64>) -> Result<(), Failure> {
    match format {
        ReportFormat::Text => {
            for finding in &report.findings {
                match page {
                    Some(page) => println!("page {page}: {finding}"),
                    None => println!("{finding}"),
                }
            }
        }
        ReportFormat::Json => {
            #[derive(Serialize)]
            struct PageReport<'a> {
                #[serde(skip_serializing_if = "Option::is_none")]
                page: Option<u64>,
                #[serde(flatten)]
                report: &'a Report,
            }
            let line = serde_json::to_string(&PageReport { page, report })
                .map_err(|e| Failure::usage(format!("rendering the report: {e}")))?;
            println!("{line}");
        }
    }
    Ok(())
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
