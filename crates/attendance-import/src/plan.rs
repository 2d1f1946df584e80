//! People of a report, plus a meeting's registered attendees and schedule, plus a rule: who is
//! recorded as attended, who as absent, and why everyone else is not.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use thoughtindustries_models::{Meeting, User};
use uuid::Uuid;

use crate::error::PlanError;
use crate::report::{Person, normalize_email};

/// Who counts as having attended.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Rule {
    /// Any presence in the report (more than zero minutes, or any row when the report gives no
    /// times).
    #[default]
    AnyPresence,
    /// At least this many minutes present.
    MinMinutes(f64),
    /// At least this percentage of the meeting's scheduled length (`startDate` to `endDate`).
    MinPercent(f64),
}

/// How to plan: the rule, and whether registered attendees who did not attend are recorded as
/// absent.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
#[non_exhaustive]
pub struct Options {
    /// Who counts as having attended.
    pub rule: Rule,
    /// Also record, as absent, the registered attendees missing from the report or below the
    /// threshold (otherwise they are left as they are).
    pub mark_absent: bool,
}

impl Options {
    /// Options with this rule, not marking anyone absent.
    pub fn new(rule: Rule) -> Self {
        Self {
            rule,
            mark_absent: false,
        }
    }

    /// Whether registered attendees who did not attend are recorded as absent.
    pub fn mark_absent(mut self, mark_absent: bool) -> Self {
        self.mark_absent = mark_absent;
        self
    }
}

/// A user registered for the meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Registered {
    /// The user id the attendance operations take.
    pub id: Uuid,
    /// The address, trimmed and lower-cased (`None` when the tenant has none).
    pub email: Option<String>,
    /// The name the tenant shows.
    pub name: Option<String>,
}

/// A meeting's registered attendees and scheduled length: what a plan matches a report against.
#[derive(Clone, Debug, PartialEq)]
pub struct Roster {
    attendees: Vec<Registered>,
    scheduled_minutes: f64,
}

impl Roster {
    /// The attendees (`attendees[]`, those with an id, each once) and the schedule (`startDate`
    /// to `endDate`) of a meeting's detail.
    pub fn from_meeting(meeting: &Meeting) -> Self {
        Self::new(
            meeting.attendees.iter().flatten(),
            meeting.start_date,
            meeting.end_date,
        )
    }

    /// A roster of these users for a meeting scheduled from `start` to `end`.
    pub fn new<'a>(
        attendees: impl IntoIterator<Item = &'a User>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Self {
        let mut registered: Vec<Registered> = Vec::new();
        for user in attendees {
            let Some(id) = user.id else { continue };
            if registered.iter().any(|r| r.id == id) {
                continue;
            }
            let name = user.name.clone().or_else(|| {
                let full = format!(
                    "{} {}",
                    user.first_name.as_deref().unwrap_or(""),
                    user.last_name.as_deref().unwrap_or("")
                );
                let full = full.trim();
                (!full.is_empty()).then(|| full.to_owned())
            });
            registered.push(Registered {
                id,
                email: user.email.as_deref().and_then(normalize_email),
                name,
            });
        }
        Self {
            attendees: registered,
            scheduled_minutes: (end - start).num_seconds() as f64 / 60.0,
        }
    }

    /// The registered attendees, in the meeting's order.
    pub fn attendees(&self) -> &[Registered] {
        &self.attendees
    }

    /// `endDate - startDate` in minutes.
    pub fn scheduled_minutes(&self) -> f64 {
        self.scheduled_minutes
    }
}

/// What the plan does with one person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Decision {
    /// Registered, and present long enough: recorded as attended.
    #[serde(rename = "attended")]
    Attended,
    /// Registered, and missing from the report or below the threshold, with `mark_absent`:
    /// recorded as absent.
    #[serde(rename = "absent")]
    Absent,
    /// Registered, present but below the threshold, without `mark_absent`: not sent.
    #[serde(rename = "below threshold")]
    BelowThreshold,
    /// The report's address is not registered for the meeting: never sent.
    #[serde(rename = "not registered")]
    NotRegistered,
    /// A report row without an email (a guest, a dial-in): never sent.
    #[serde(rename = "no email")]
    NoEmail,
}

impl Decision {
    /// `attended`, `absent`, `below threshold`, `not registered` or `no email`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Attended => "attended",
            Decision::Absent => "absent",
            Decision::BelowThreshold => "below threshold",
            Decision::NotRegistered => "not registered",
            Decision::NoEmail => "no email",
        }
    }

    /// Whether the user is sent (as attended or absent).
    pub fn is_sent(self) -> bool {
        matches!(self, Decision::Attended | Decision::Absent)
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One person of the plan.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct PlanRow {
    /// The name (the tenant's for a registered user, else the report's).
    pub name: String,
    /// The address matched (the registered one), or the report's main one.
    pub email: Option<String>,
    /// The registered user, when matched.
    pub user_id: Option<Uuid>,
    /// Minutes present (`None`: not in the report, or the report gives no times).
    pub minutes: Option<f64>,
    /// What is done with the person.
    pub decision: Decision,
}

/// The plan: one row per person, report order first, then registered attendees missing from the
/// report (with `mark_absent`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// One row per person.
    pub rows: Vec<PlanRow>,
    /// The minutes needed to count as attended (`None` for any presence).
    pub threshold_minutes: Option<f64>,
}

/// How many rows have each decision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Counts {
    /// Recorded as attended.
    pub attended: usize,
    /// Recorded as absent.
    pub absent: usize,
    /// Below the threshold, not sent.
    pub below_threshold: usize,
    /// Report addresses not registered for the meeting.
    pub not_registered: usize,
    /// Report rows without an email.
    pub no_email: usize,
}

impl Plan {
    /// The users to record as attended, each once, in plan order.
    pub fn attended(&self) -> Vec<Uuid> {
        self.ids(Decision::Attended)
    }

    /// The users to record as absent, each once, in plan order (never one of [`Plan::attended`]).
    pub fn absent(&self) -> Vec<Uuid> {
        self.ids(Decision::Absent)
    }

    fn ids(&self, decision: Decision) -> Vec<Uuid> {
        self.rows
            .iter()
            .filter(|r| r.decision == decision)
            .filter_map(|r| r.user_id)
            .collect()
    }

    /// How many rows have each decision.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for row in &self.rows {
            match row.decision {
                Decision::Attended => counts.attended += 1,
                Decision::Absent => counts.absent += 1,
                Decision::BelowThreshold => counts.below_threshold += 1,
                Decision::NotRegistered => counts.not_registered += 1,
                Decision::NoEmail => counts.no_email += 1,
            }
        }
        counts
    }
}

/// Matches `people` against the `roster` and decides, for each, by `options`.
///
/// Addresses are compared trimmed and case-insensitively; a person matches by any of their
/// addresses (for Teams: the `Email` or the UPN, whichever is registered). People who match the
/// same user are one row (their minutes added up). Every user id appears in at most one row, so
/// nobody is sent twice or with both values.
///
/// Errors: [`PlanError::NoScheduledLength`] for [`Rule::MinPercent`] when the meeting's length is
/// zero or negative, [`PlanError::NoMinutes`] for a threshold when the report gives no times,
/// [`PlanError::InvalidThreshold`] for a negative or NaN threshold.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use thoughtindustries_attendance_import::{Decision, Options, Person, Roster, Rule, plan};
/// use thoughtindustries_models::User;
/// use uuid::Uuid;
///
/// let user = |id: u128, email: &str| {
///     let mut user = User::default();
///     user.id = Some(Uuid::from_u128(id));
///     user.email = Some(email.to_owned());
///     user
/// };
/// let attendees = [user(1, "ada@example.com"), user(2, "alan@example.com"), user(3, "grace@example.com")];
/// let start = Utc.with_ymd_and_hms(2024, 5, 14, 9, 0, 0).unwrap();
/// let roster = Roster::new(&attendees, start, start + chrono::Duration::minutes(60));
/// let people = [
///     Person::new("Ada", ["ADA@example.com"], Some(55.0)),
///     Person::new("Alan", ["alan@example.com"], Some(10.0)),
///     Person::new("Eve", ["eve@example.org"], Some(60.0)),
/// ];
/// // At least half of the scheduled hour; the others registered are recorded as absent.
/// let plan = plan(&people, &roster, &Options::new(Rule::MinPercent(50.0)).mark_absent(true))?;
/// assert_eq!(plan.attended(), vec![Uuid::from_u128(1)]);
/// assert_eq!(plan.absent(), vec![Uuid::from_u128(2), Uuid::from_u128(3)]);
/// assert_eq!(plan.rows[2].decision, Decision::NotRegistered);
/// # Ok::<(), thoughtindustries_attendance_import::PlanError>(())
/// ```
pub fn plan(people: &[Person], roster: &Roster, options: &Options) -> Result<Plan, PlanError> {
    let threshold = match options.rule {
        Rule::AnyPresence => None,
        Rule::MinMinutes(minutes) => Some(minutes),
        Rule::MinPercent(percent) => {
            if percent.is_nan() || percent < 0.0 {
                return Err(PlanError::InvalidThreshold(percent));
            }
            if roster.scheduled_minutes <= 0.0 {
                return Err(PlanError::NoScheduledLength {
                    minutes: roster.scheduled_minutes,
                });
            }
            Some(roster.scheduled_minutes * percent / 100.0)
        }
    };
    if let Some(minimum) = threshold {
        if minimum.is_nan() || minimum < 0.0 || minimum.is_infinite() {
            return Err(PlanError::InvalidThreshold(minimum));
        }
        if !people.is_empty() && people.iter().all(|p| p.minutes.is_none()) {
            return Err(PlanError::NoMinutes);
        }
    }
    let by_email: HashMap<&str, &Registered> = roster
        .attendees
        .iter()
        .rev()
        .filter_map(|r| Some((r.email.as_deref()?, r)))
        .collect();

    let mut rows: Vec<PlanRow> = Vec::with_capacity(people.len());
    let mut row_of_user: HashMap<Uuid, usize> = HashMap::new();
    for person in people {
        if person.emails.is_empty() {
            rows.push(PlanRow {
                name: person.name.clone(),
                email: None,
                user_id: None,
                minutes: person.minutes,
                decision: Decision::NoEmail,
            });
            continue;
        }
        let matched = person
            .emails
            .iter()
            .find_map(|e| by_email.get(e.as_str()).copied());
        match matched {
            Some(user) => match row_of_user.get(&user.id) {
                Some(&at) => {
                    let row = &mut rows[at];
                    row.minutes = match (row.minutes, person.minutes) {
                        (Some(a), Some(b)) => Some(a + b),
                        (a, b) => a.or(b),
                    };
                }
                None => {
                    row_of_user.insert(user.id, rows.len());
                    rows.push(PlanRow {
                        // The tenant's name: the report's may be a device's label.
                        name: user
                            .name
                            .clone()
                            .filter(|n| !n.trim().is_empty())
                            .unwrap_or_else(|| person.name.clone()),
                        email: user.email.clone(),
                        user_id: Some(user.id),
                        minutes: person.minutes,
                        // Decided below, once every row of the user is in.
                        decision: Decision::Attended,
                    });
                }
            },
            None => rows.push(PlanRow {
                name: person.name.clone(),
                email: person.email().map(str::to_owned),
                user_id: None,
                minutes: person.minutes,
                decision: Decision::NotRegistered,
            }),
        }
    }
    for row in rows.iter_mut().filter(|r| r.user_id.is_some()) {
        let attended = match threshold {
            None => row.minutes.is_none_or(|m| m > 0.0),
            // A tolerance for minutes computed from seconds (10m 30s is 10.5 exactly, but a
            // percentage of a schedule need not be).
            Some(minimum) => row.minutes.unwrap_or(0.0) + 1e-9 >= minimum,
        };
        row.decision = match (attended, options.mark_absent) {
            (true, _) => Decision::Attended,
            (false, true) => Decision::Absent,
            (false, false) => Decision::BelowThreshold,
        };
    }
    if options.mark_absent {
        for user in &roster.attendees {
            if !row_of_user.contains_key(&user.id) {
                rows.push(PlanRow {
                    name: user.name.clone().unwrap_or_default(),
                    email: user.email.clone(),
                    user_id: Some(user.id),
                    minutes: None,
                    decision: Decision::Absent,
                });
            }
        }
    }
    Ok(Plan {
        rows,
        threshold_minutes: threshold,
    })
}
