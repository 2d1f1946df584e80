//! Parsers for flag values, with messages that say what is expected.

use uuid::Uuid;

/// A page number: 1 or more.
pub fn page_number(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err("pages are numbered from 1".into()),
        Ok(page) => Ok(page),
        Err(_) => Err(format!(
            "{text:?} is not a page number (pages are numbered from 1)"
        )),
    }
}

/// A count of 1 or more (`--chunk-size`, `--pages`, the mock's fault periods).
pub fn at_least_one(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(count) => Ok(count),
        Err(_) => Err(format!("{text:?} is not a whole number (1 or more)")),
    }
}

/// A UUID, as the API writes ids.
pub fn uuid(text: &str) -> Result<Uuid, String> {
    text.trim().parse::<Uuid>().map_err(|_| {
        format!("{text:?} is not a UUID: expected one like 5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_is_expected() {
        assert_eq!(page_number("0").unwrap_err(), "pages are numbered from 1");
        assert!(page_number("x").unwrap_err().contains("numbered from 1"));
        assert_eq!(page_number("7"), Ok(7));
        assert_eq!(at_least_one("0").unwrap_err(), "must be at least 1");
        assert!(at_least_one("-3").unwrap_err().contains("1 or more"));
        assert_eq!(at_least_one("100"), Ok(100));
        let err = uuid("notauuid").unwrap_err();
        assert!(
            err.contains("not a UUID") && err.contains("5f1f8a9e-"),
            "{err}"
        );
        assert!(uuid("5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f").is_ok());
    }
}
