//! The verdict on a spec change: the classified changes plus the `info.version` rule (a breaking
//! change needs a major version bump). `cargo xtask breaking` and `ti diff` both use it, so they
//! agree on what passes.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::{Change, ContractError, Spec, breaking::diff_values};

/// Every change between two specs and whether the new one may be released as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// `info.version` of the old spec (empty when absent).
    pub old_version: String,
    /// `info.version` of the new spec (empty when absent).
    pub new_version: String,
    /// True when the new major version is greater than the old one.
    pub major_bumped: bool,
    /// How many of the changes are breaking.
    pub breaking: usize,
    /// True unless there is a breaking change without a major version bump.
    pub allowed: bool,
    /// Every change, breaking or not, in the order the classifier met them.
    pub changes: Vec<Change>,
}

impl Comparison {
    /// Compares two specs given as YAML or JSON text.
    ///
    /// ```
    /// use thoughtindustries_contract::Comparison;
    /// let old = thoughtindustries_contract::EMBEDDED_SPEC;
    /// let new = old.replace("      operationId: list_meetings", "      operationId: meetings");
    /// let comparison = Comparison::of_text(old, &new).unwrap();
    /// assert_eq!(comparison.breaking, 1);
    /// assert!(!comparison.allowed); // info.version's major was not bumped
    /// ```
    pub fn of_text(old: &str, new: &str) -> Result<Self, ContractError> {
        let old = Spec::parse(old)?;
        let new = Spec::parse(new)?;
        Ok(Self::of_values(old.document(), new.document()))
    }

    /// Compares two specs given as JSON values (as parsed from YAML).
    pub fn of_values(old: &Value, new: &Value) -> Self {
        let changes = diff_values(old, new);
        let version = |doc: &Value| {
            doc.pointer("/info/version")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let (old_version, new_version) = (version(old), version(new));
        let major_bumped = major(&new_version) > major(&old_version);
        let breaking = changes.iter().filter(|c| c.breaking).count();
        Self {
            allowed: breaking == 0 || major_bumped,
            old_version,
            new_version,
            major_bumped,
            breaking,
            changes,
        }
    }

    /// The major version the new spec needs when it is not [`allowed`](Self::allowed).
    pub fn required_major(&self) -> u64 {
        major(&self.old_version).map_or(1, |m| m + 1)
    }
}

/// One line per change (`breaking: ...  [location]`), then the verdict.
impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for change in &self.changes {
            writeln!(f, "{change}  [{}]", change.location)?;
        }
        write!(
            f,
            "{} change(s), {} breaking; info.version {} -> {} (major {}bumped)",
            self.changes.len(),
            self.breaking,
            self.old_version,
            self.new_version,
            if self.major_bumped { "" } else { "not " }
        )?;
        if !self.allowed {
            write!(
                f,
                "; a breaking change needs info.version {}.0.0",
                self.required_major()
            )?;
        }
        Ok(())
    }
}

/// The major number of a semantic version (`1.2.3` -> 1, `v2.1` -> 2).
fn major(version: &str) -> Option<u64> {
    version
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majors() {
        assert_eq!(major("1.0.0"), Some(1));
        assert_eq!(major("v2.1"), Some(2));
        assert_eq!(major(""), None);
        assert!(major("2.0.0") > major("1.9.9"));
    }

    #[test]
    fn a_major_bump_allows_a_breaking_change() {
        let old = crate::EMBEDDED_SPEC;
        let new = old.replace(
            "      operationId: list_meetings",
            "      operationId: meetings",
        );
        assert!(!Comparison::of_text(old, &new).unwrap().allowed);
        let bumped = new.replacen("  version: ", "  version: 999", 1);
        let comparison = Comparison::of_text(old, &bumped).unwrap();
        assert!(
            comparison.major_bumped && comparison.allowed,
            "{comparison}"
        );
        assert!(Comparison::of_text(old, old).unwrap().changes.is_empty());
    }
}
