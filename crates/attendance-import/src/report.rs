//! What a report says: the people in it, with their time present.

use std::collections::HashMap;

use crate::interval::{Interval, covered_seconds};

/// The kind of report a file was read as (told from its headers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ReportKind {
    /// Zoom participants, one row per join (with or without the meeting-data preamble).
    ZoomJoins,
    /// Zoom participants with "Show unique users": one row per person with a total duration.
    ZoomUniqueUsers,
    /// A Microsoft Teams attendance report (participants and/or in-meeting activities).
    Teams,
    /// An older Teams download of `Joined` / `Left` events.
    TeamsEvents,
    /// A Google Meet attendance report.
    GoogleMeet,
    /// Any other CSV with an email column.
    Generic,
}

impl ReportKind {
    /// A short description (`Zoom participants (per join)`, ...).
    pub fn describe(self) -> &'static str {
        match self {
            ReportKind::ZoomJoins => "Zoom participants (one row per join)",
            ReportKind::ZoomUniqueUsers => "Zoom participants (unique users)",
            ReportKind::Teams => "Microsoft Teams attendance report",
            ReportKind::TeamsEvents => "Microsoft Teams attendance events",
            ReportKind::GoogleMeet => "Google Meet attendance report",
            ReportKind::Generic => "CSV with an email column",
        }
    }
}

impl std::fmt::Display for ReportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

/// One person of a report, with the time they were present.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Person {
    /// The name the report shows (may be empty).
    pub name: String,
    /// The person's addresses, trimmed and lower-cased, the report's main one first (for Teams:
    /// the `Email`, then the `Participant ID (UPN)` when it differs). Empty for guests and
    /// dial-ins without an email.
    pub emails: Vec<String>,
    /// Minutes present: the union of their join/leave intervals (rejoins added up, overlapping
    /// devices counted once) when the report has times, else the sum of its durations. `None`
    /// when the report gives no time at all (a CSV with only an email column).
    pub minutes: Option<f64>,
    /// The report rows this person was read from.
    pub rows: usize,
}

impl Person {
    /// A person with these addresses (normalized: trimmed, lower-cased, without empty ones or
    /// ones without `@`) and minutes present.
    ///
    /// ```
    /// use thoughtindustries_attendance_import::Person;
    ///
    /// let person = Person::new("Ada", [" Ada@Example.COM "], Some(42.0));
    /// assert_eq!(person.email(), Some("ada@example.com"));
    /// ```
    pub fn new<'a>(
        name: impl Into<String>,
        emails: impl IntoIterator<Item = &'a str>,
        minutes: Option<f64>,
    ) -> Self {
        let mut normalized: Vec<String> = Vec::new();
        for email in emails.into_iter().filter_map(normalize_email) {
            if !normalized.contains(&email) {
                normalized.push(email);
            }
        }
        Self {
            name: name.into(),
            emails: normalized,
            minutes,
            rows: 1,
        }
    }

    /// The main address, if the person has one.
    pub fn email(&self) -> Option<&str> {
        self.emails.first().map(String::as_str)
    }
}

/// An address as compared: trimmed and lower-cased; `None` when empty or without `@`.
pub fn normalize_email(email: &str) -> Option<String> {
    let email = email.trim().trim_matches(|c| c == '<' || c == '>').trim();
    let email = email.strip_prefix("mailto:").unwrap_or(email);
    (email.contains('@') && !email.contains(char::is_whitespace)).then(|| email.to_lowercase())
}

/// A report read into people.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Report {
    /// What the file was read as.
    pub kind: ReportKind,
    /// One entry per person, in order of first appearance.
    pub people: Vec<Person>,
    /// Data rows read (joins, participants or events).
    pub rows: usize,
}

impl Report {
    /// Whether the report gives anyone's time present (a threshold needs it).
    pub fn has_minutes(&self) -> bool {
        self.people.iter().any(|p| p.minutes.is_some())
    }
}

/// Rows of one person being added up.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally {
    pub(crate) name: String,
    pub(crate) emails: Vec<String>,
    pub(crate) intervals: Vec<Interval>,
    /// Minutes of rows without usable times.
    pub(crate) minutes: f64,
    pub(crate) has_minutes: bool,
    pub(crate) rows: usize,
}

impl Tally {
    pub(crate) fn add_email(&mut self, email: &str) {
        if let Some(email) = normalize_email(email)
            && !self.emails.contains(&email)
        {
            self.emails.push(email);
        }
    }

    /// One row: its interval when its times parse, else its duration.
    pub(crate) fn add(&mut self, interval: Option<Interval>, minutes: Option<f64>) {
        self.rows += 1;
        match (interval, minutes) {
            (Some(interval), _) => {
                self.intervals.push(interval);
                self.has_minutes = true;
            }
            (None, Some(minutes)) => {
                self.minutes += minutes;
                self.has_minutes = true;
            }
            (None, None) => {}
        }
    }

    /// Another tally's rows added to this one.
    pub(crate) fn absorb(&mut self, other: Tally) {
        for email in &other.emails {
            self.add_email(email);
        }
        if self.name.is_empty() {
            self.name = other.name;
        }
        self.intervals.extend(other.intervals);
        self.minutes += other.minutes;
        self.has_minutes |= other.has_minutes;
        self.rows += other.rows;
    }

    pub(crate) fn into_person(self) -> Person {
        let minutes = self
            .has_minutes
            .then(|| covered_seconds(self.intervals) as f64 / 60.0 + self.minutes);
        Person {
            name: self.name,
            emails: self.emails,
            minutes,
            rows: self.rows,
        }
    }
}

/// People keyed by their main address (or, without one, by name), in order of first appearance.
#[derive(Default)]
pub(crate) struct People {
    order: Vec<String>,
    tallies: HashMap<String, Tally>,
}

impl People {
    /// The key of a person: `email:` and the address, else `name:` and the name, else a key of
    /// its own (an anonymous row is a person of its own).
    pub(crate) fn key(email: Option<&str>, name: &str) -> String {
        match email.and_then(normalize_email) {
            Some(email) => format!("email:{email}"),
            None => format!("name:{}", name.trim().to_lowercase()),
        }
    }

    /// The tally of this key, created with `name` if new.
    pub(crate) fn entry(&mut self, key: String, name: &str) -> &mut Tally {
        let key = if key == "name:" {
            format!("row:{}", self.order.len())
        } else {
            key
        };
        if !self.tallies.contains_key(&key) {
            self.order.push(key.clone());
        }
        self.tallies.entry(key).or_insert_with(|| Tally {
            name: name.trim().to_owned(),
            ..Tally::default()
        })
    }

    /// The tally of the person with this address (or, without one, this name), the address
    /// recorded on it.
    pub(crate) fn person(&mut self, email: &str, name: &str) -> &mut Tally {
        let tally = self.entry(Self::key(Some(email), name), name);
        tally.add_email(email);
        tally
    }

    /// The people, in order of first appearance.
    pub(crate) fn into_people(self) -> Vec<Person> {
        self.into_tallies()
            .into_iter()
            .map(Tally::into_person)
            .collect()
    }

    /// Takes the tally of this key out, if present.
    pub(crate) fn take(&mut self, key: &str) -> Option<Tally> {
        self.tallies.remove(key)
    }

    /// The tallies in order of first appearance.
    pub(crate) fn into_tallies(mut self) -> Vec<Tally> {
        self.order
            .iter()
            .filter_map(|key| self.tallies.remove(key))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalize_email("  Ada.Lovelace@Example.COM "),
            Some("ada.lovelace@example.com".into())
        );
        assert_eq!(normalize_email(""), None);
        assert_eq!(normalize_email("guest"), None);
        assert_eq!(normalize_email("<x@y.org>"), Some("x@y.org".into()));
    }

    #[test]
    fn a_tally_adds_intervals_and_durations() {
        let mut tally = Tally::default();
        tally.add(Some(Interval::new(0, 600)), Some(10.0));
        tally.add(Some(Interval::new(300, 900)), Some(10.0));
        tally.add(None, Some(5.0));
        tally.add(None, None);
        let person = tally.into_person();
        assert_eq!(person.minutes, Some(20.0));
        assert_eq!(person.rows, 4);
        assert_eq!(Tally::default().into_person().minutes, None);
    }
}
