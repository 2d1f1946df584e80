//! Errors of reading a report and of planning.

/// A report that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The reader failed.
    #[error("reading the report: {0}")]
    Io(#[from] std::io::Error),
    /// The text has none of the header lines looked for.
    #[error(
        "not an attendance report this tool reads: no header line of a known kind{}; looked for {}",
        first_line.as_ref().map(|l| format!(" (the first line is {l:?})")).unwrap_or_else(|| " (the file is empty)".into()),
        looked_for.join("; ")
    )]
    Unrecognized {
        /// The header sets looked for, one per report kind.
        looked_for: Vec<String>,
        /// The report's first non-empty line (at most 120 characters), if any.
        first_line: Option<String>,
    },
}

/// A plan that cannot be made with these options.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// `--min-percent` needs the meeting's scheduled length, and it is zero or negative.
    #[error(
        "a minimum percentage needs the meeting's scheduled length, and its startDate..endDate is {minutes} minute(s); use a minimum in minutes instead"
    )]
    NoScheduledLength {
        /// `endDate - startDate` in minutes.
        minutes: f64,
    },
    /// A threshold needs minutes and the report gives nobody's time present.
    #[error(
        "the report gives no time present (no duration or join/leave columns), so a minimum cannot be applied; drop the minimum to count any presence"
    )]
    NoMinutes,
    /// A threshold that is negative or not a number.
    #[error("the minimum must be a non-negative number, not {0}")]
    InvalidThreshold(f64),
}
