//! Any CSV with an email column (`email`, `E-mail`, `User Email`, ...) and, optionally, minutes
//! present (`minutes`, `Duration (Minutes)`, `duration`: a number of minutes or a duration such
//! as `1h 5m`).

use crate::read::Rows;
use crate::report::{People, Person};

/// One person per email, minutes added up; without a minutes column nobody has minutes.
pub(crate) fn people(table: &Rows) -> Vec<Person> {
    let c = &table.columns;
    let mut people = People::default();
    for row in &table.rows {
        let name = match c.name {
            Some(_) => Rows::cell(row, c.name).to_owned(),
            None => format!(
                "{} {}",
                Rows::cell(row, c.first_name),
                Rows::cell(row, c.last_name)
            )
            .trim()
            .to_owned(),
        };
        let email = Rows::cell(row, c.email);
        let tally = people.person(email, &name);
        let minutes = c.minutes.map(|_| {
            // An empty cell in a minutes column is no time.
            crate::parse_minutes(Rows::cell(row, c.minutes)).unwrap_or(0.0)
        });
        tally.add(None, minutes);
    }
    people.into_people()
}
