//! `ti diff OLD NEW`: the breaking-change classifier of `cargo xtask breaking`, for users' own
//! copies of the spec (for example the one their client was generated from, and a new release).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use thoughtindustries_contract::Comparison;

use crate::contract::{ReportFormat, to_json};
use crate::exit::{Failure, INVALID, USAGE};
use crate::junit;

/// Flags of `ti diff`.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The old spec (OpenAPI 3.0, YAML or JSON): the one clients were generated from.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,

    /// The new spec.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,

    /// Report format: text (one line per change, then the verdict), json (one document), ndjson
    /// (one change per line) or junit (one test case per change, breaking ones failed when the
    /// major version was not bumped).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// Runs `ti diff`: exit 0 when every change is compatible (or the major version was bumped), 1
/// when a breaking change comes without a major bump, 2 when a file cannot be read or is not an
/// OpenAPI 3.0 document.
pub fn diff(args: DiffArgs) -> Result<(), Failure> {
    let read = |path: &PathBuf| {
        std::fs::read_to_string(path).map_err(|e| Failure {
            code: USAGE,
            message: format!("cannot read {}: {e}", path.display()),
        })
    };
    let (old, new) = (read(&args.old)?, read(&args.new)?);
    let comparison = Comparison::of_text(&old, &new).map_err(|e| Failure {
        code: USAGE,
        message: format!("{} -> {}: {e}", args.old.display(), args.new.display()),
    })?;
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Text => writeln!(out, "{comparison}")?,
        ReportFormat::Json => writeln!(out, "{}", to_json(&comparison)?)?,
        ReportFormat::Ndjson => {
            for change in &comparison.changes {
                writeln!(out, "{}", to_json(change)?)?;
            }
        }
        ReportFormat::Junit => {
            let cases: Vec<junit::Case> = comparison
                .changes
                .iter()
                .map(|change| junit::Case {
                    class: "ti diff".to_owned(),
                    name: change.location.clone(),
                    failure: (change.breaking && !comparison.allowed).then(|| {
                        (
                            change.to_string(),
                            format!(
                                "{change}\nneeds info.version {}.0.0 (is {})\n",
                                comparison.required_major(),
                                comparison.new_version
                            ),
                        )
                    }),
                    output: change.to_string(),
                })
                .collect();
            out.write_all(junit::render("ti diff", &cases).as_bytes())?;
        }
    }
    out.flush()?;
    if comparison.allowed {
        Ok(())
    } else {
        Err(Failure {
            code: INVALID,
            message: format!(
                "{} breaking change(s) without a major version bump: {} needs info.version {}.0.0 (is {})",
                comparison.breaking,
                args.new.display(),
                comparison.required_major(),
                comparison.new_version
            ),
        })
    }
}
