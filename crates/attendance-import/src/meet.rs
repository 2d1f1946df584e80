//! Google Meet attendance reports: `First name,Last name,Email,Duration,Time joined,Time exited`,
//! durations as text (`1 hr 5 min`). The duration is the time present; the join and exit times
//! span the gaps between rejoins, so they are not used.

use crate::read::Rows;
use crate::report::{People, Person};

/// One person per email (or name, for rows without an email), durations added up.
pub(crate) fn people(tables: &[&Rows]) -> Vec<Person> {
    let mut people = People::default();
    for table in tables {
        let c = &table.columns;
        for row in &table.rows {
            let name = format!(
                "{} {}",
                Rows::cell(row, c.first_name),
                Rows::cell(row, c.last_name)
            );
            let email = Rows::cell(row, c.email);
            let tally = people.person(email, &name);
            tally.add(None, crate::parse_minutes(Rows::cell(row, c.minutes)));
        }
    }
    people.into_people()
}
