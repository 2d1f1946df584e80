//! Microsoft Teams attendance reports.
//!
//! Sectioned reports have `2. Participants` (one row per person: first join, last leave,
//! in-meeting duration, `Email`, `Participant ID (UPN)`) and `3. In-Meeting activities` (one row
//! per join). A person's time is the union of their activity rows' intervals when the report has
//! them, else the participant row's duration. The person carries both the `Email` and the UPN, so
//! either can match the tenant's address. Older downloads list `Joined` / `Left` events.

use crate::interval::Interval;
use crate::read::Rows;
use crate::report::{People, Person, Tally};
use crate::timestamp::Column;

/// People of the participants and activities tables.
pub(crate) fn people(participants: &[&Rows], activities: &[&Rows]) -> Vec<Person> {
    // Joins of the activities tables, keyed by email (else name).
    let mut joins = People::default();
    for table in activities {
        let c = &table.columns;
        let starts = Column::detect(table.column(c.join));
        let ends = Column::detect(table.column(c.leave));
        for row in &table.rows {
            let email = Rows::cell(row, c.email);
            let name = Rows::cell(row, c.name);
            let interval = match (
                starts.seconds(Rows::cell(row, c.join)),
                ends.seconds(Rows::cell(row, c.leave)),
            ) {
                (Some(start), Some(end)) if end >= start => Some(Interval::new(start, end)),
                _ => None,
            };
            let tally = joins.person(email, name);
            // With times, the row's duration is the same time again: the interval wins.
            tally.add(interval, crate::parse_minutes(Rows::cell(row, c.minutes)));
        }
    }
    let mut people: Vec<Tally> = Vec::new();
    for table in participants {
        let c = &table.columns;
        let firsts = Column::detect(table.column(c.join));
        let lasts = Column::detect(table.column(c.leave));
        for row in &table.rows {
            let name = Rows::cell(row, c.name);
            let email = Rows::cell(row, c.email);
            let upn = Rows::cell(row, c.upn);
            let mut tally = Tally {
                name: name.to_owned(),
                ..Tally::default()
            };
            tally.add_email(email);
            tally.add_email(upn);
            let keys = [
                People::key(Some(email), ""),
                People::key(Some(upn), ""),
                People::key(None, name),
            ];
            let found = keys
                .iter()
                .filter(|k| *k != "name:")
                .find_map(|key| joins.take(key));
            match found {
                Some(activity) => {
                    tally.intervals = activity.intervals;
                    tally.minutes = activity.minutes;
                    tally.has_minutes = activity.has_minutes;
                    for address in &activity.emails {
                        tally.add_email(address);
                    }
                    tally.rows = 1;
                }
                None => {
                    let duration = crate::parse_minutes(Rows::cell(row, c.minutes)).or_else(|| {
                        let first = firsts.seconds(Rows::cell(row, c.join))?;
                        let last = lasts.seconds(Rows::cell(row, c.leave))?;
                        (last >= first).then(|| (last - first) as f64 / 60.0)
                    });
                    tally.add(None, duration);
                }
            }
            // The same person listed twice (two rows with one address) is one person.
            match people.iter_mut().find(|p| {
                !tally.emails.is_empty() && p.emails.iter().any(|e| tally.emails.contains(e))
            }) {
                Some(existing) => existing.absorb(tally),
                None => people.push(tally),
            }
        }
    }
    people.extend(joins.into_tallies());
    people.into_iter().map(Tally::into_person).collect()
}

/// People of the older `Full Name / User Action / Timestamp` lists: each `Joined` opens an
/// interval that the person's next `Left` closes (one still open closes at the last timestamp of
/// the report).
pub(crate) fn event_people(tables: &[&Rows]) -> Vec<Person> {
    let mut people = People::default();
    let mut events: Vec<(String, i64, bool)> = Vec::new();
    let mut last = i64::MIN;
    for table in tables {
        let c = &table.columns;
        let times = Column::detect(table.column(c.timestamp));
        for row in &table.rows {
            let name = Rows::cell(row, c.name);
            let email = Rows::cell(row, c.email);
            let key = People::key(Some(email), name);
            let tally = people.entry(key.clone(), name);
            tally.add_email(email);
            let Some(at) = times.seconds(Rows::cell(row, c.timestamp)) else {
                continue;
            };
            last = last.max(at);
            let action = Rows::cell(row, c.action).to_lowercase();
            let joined = action.starts_with("join");
            if joined || action.starts_with("left") || action.starts_with("leave") {
                events.push((key, at, joined));
            }
        }
    }
    events.sort_by_key(|(_, at, joined)| (*at, !*joined));
    let mut open: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for (key, at, joined) in events {
        if joined {
            open.entry(key.clone()).or_insert(at);
        } else if let Some(start) = open.remove(&key) {
            people
                .entry(key, "")
                .add(Some(Interval::new(start, at)), None);
        }
    }
    for (key, start) in open {
        people
            .entry(key, "")
            .add(Some(Interval::new(start, last)), None);
    }
    people.into_people()
}
