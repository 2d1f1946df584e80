//! Zoom participant exports: one row per join (union of each person's join/leave intervals), or
//! unique users (one total per person).

use crate::interval::Interval;
use crate::read::Rows;
use crate::report::{People, Person};
use crate::timestamp::Column;

/// People of per-join tables: each person's joins merged (rejoins add up, a second device at the
/// same time counts once); a row whose times do not parse counts its `Duration (Minutes)`.
pub(crate) fn join_people(tables: &[&Rows]) -> Vec<Person> {
    let mut people = People::default();
    for table in tables {
        let c = &table.columns;
        let joins = Column::detect(table.column(c.join));
        let leaves = Column::detect(table.column(c.leave));
        for row in &table.rows {
            let email = Rows::cell(row, c.email);
            let name = Rows::cell(row, c.name);
            let interval = match (
                joins.seconds(Rows::cell(row, c.join)),
                leaves.seconds(Rows::cell(row, c.leave)),
            ) {
                (Some(start), Some(end)) if end >= start => Some(Interval::new(start, end)),
                _ => None,
            };
            let minutes = crate::parse_minutes(Rows::cell(row, c.minutes));
            let tally = people.person(email, name);
            tally.add(interval, minutes);
        }
    }
    people.into_people()
}

/// People of unique-users tables: the total duration per row (added up if a person appears
/// twice).
pub(crate) fn unique_people(tables: &[&Rows]) -> Vec<Person> {
    let mut people = People::default();
    for table in tables {
        let c = &table.columns;
        for row in &table.rows {
            let email = Rows::cell(row, c.email);
            let name = Rows::cell(row, c.name);
            let tally = people.person(email, name);
            tally.add(None, crate::parse_minutes(Rows::cell(row, c.minutes)));
        }
    }
    people.into_people()
}
