//! Validation reports: every finding about one body, with where it is and why.

use std::fmt;

use serde::Serialize;

use crate::drift::Drift;

/// How much a [`Finding`] matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something the spec allows but a user may want to know about: a value outside an open
    /// enumeration (the spec says clients must accept new values, so it is not a violation), or
    /// a field the spec does not describe (its objects are open). Both are drift.
    Notice,
    /// The body breaks the contract.
    Violation,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Notice => "notice",
            Severity::Violation => "violation",
        })
    }
}

/// One thing found while validating a body against the spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Whether this breaks the contract or is only worth knowing.
    pub severity: Severity,
    /// JSON Pointer into the validated body, e.g. `/data/Meetings/meetings/0/attendees/3/balance`
    /// (empty for the whole body).
    pub instance_path: String,
    /// JSON Pointer (with `#`) into the spec of the keyword that failed, e.g.
    /// `#/components/schemas/User/properties/balance/type`; empty when the finding is not about
    /// one keyword (an undocumented status, malformed JSON).
    pub schema_path: String,
    /// The failing keyword (`type`, `required`, `format`, `enum`, ...), what was checked
    /// (`status`, `json`, `body`), or `undocumented` for a field the spec does not describe.
    pub keyword: String,
    /// One line, for humans.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = match (self.instance_path.as_str(), self.keyword.as_str()) {
            ("", "status") => "(status)",
            ("", _) => "(body)",
            (path, _) => path,
        };
        write!(f, "{} at {at}: {}", self.severity, self.message)?;
        if !self.schema_path.is_empty() {
            write!(f, " [{}]", self.schema_path)?;
        }
        Ok(())
    }
}

/// Everything found about one body: what it was checked against and every finding (not only the
/// first).
///
/// [`Report::is_valid`] is true when there is no [`Severity::Violation`]; notices do not fail a
/// body. `Display` prints one line per finding; `Serialize` gives the same as JSON (for
/// `--format json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// What the body was checked against, e.g. `list_meetings 200` or
    /// `#/components/schemas/Meeting`.
    pub subject: String,
    /// True when no finding is a violation.
    pub valid: bool,
    /// Every finding, in the order the validator met them, then one notice per undocumented
    /// field.
    pub findings: Vec<Finding>,
    /// What the body carried that the spec does not describe, in detail (the undocumented
    /// fields' shapes, the new enumeration values): merge it over many bodies with
    /// [`Drift::merge`], turn it into a spec edit with [`crate::propose`].
    #[serde(skip_serializing_if = "Drift::is_empty")]
    pub drift: Drift,
}

impl Report {
    pub(crate) fn new(subject: String, findings: Vec<Finding>) -> Self {
        let valid = findings.iter().all(|f| f.severity != Severity::Violation);
        Self {
            subject,
            valid,
            findings,
            drift: Drift::default(),
        }
    }

    /// True when no finding is a [`Severity::Violation`].
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// The findings that break the contract.
    pub fn violations(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Violation)
    }

    /// The findings that do not fail the body (values of open enumerations the spec does not
    /// list, fields it does not describe).
    pub fn notices(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Notice)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            writeln!(f, "{finding}")?;
        }
        Ok(())
    }
}
