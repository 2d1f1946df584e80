//! Integers as JSON Schema counts them.
//!
//! JSON Schema's `integer` is any number with a zero fractional part, so `1.0` is an integer to
//! every validator, and an API whose serializer writes `certificatesCount: 1.0` is within the
//! contract. serde's `i64` rejects it, which would cost the field (and once cost the meeting), so
//! the generated models decode their `integer` fields through [`deserialize_option`]: integers as
//! serde does, and a float too when it is whole and within `i64`'s range.

use std::fmt;

use serde::Deserializer;
use serde::de::{Error, Unexpected, Visitor};

/// Decodes a nullable `integer` field: `null` is `None`, `3` and `3.0` are `Some(3)`, `3.5` is an
/// error. Used with `#[serde(default)]`, so an absent field is `None` too.
pub(crate) fn deserialize_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    deserializer.deserialize_option(OptionVisitor)
}

struct IntegerVisitor;

impl Visitor<'_> for IntegerVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer (a number with no fractional part)")
    }

    fn visit_i64<E: Error>(self, value: i64) -> Result<i64, E> {
        Ok(value)
    }

    fn visit_u64<E: Error>(self, value: u64) -> Result<i64, E> {
        i64::try_from(value).map_err(|_| E::invalid_value(Unexpected::Unsigned(value), &self))
    }

    fn visit_f64<E: Error>(self, value: f64) -> Result<i64, E> {
        // -2^63 is exact as an f64; 2^63 is the first whole f64 past i64::MAX.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        if value.fract() == 0.0 && (-LIMIT..LIMIT).contains(&value) {
            Ok(value as i64)
        } else {
            Err(E::invalid_value(Unexpected::Float(value), &self))
        }
    }
}

struct OptionVisitor;

impl<'de> Visitor<'de> for OptionVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer (a number with no fractional part) or null")
    }

    fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        // `deserialize_i64`, not `deserialize_any`: a self-describing format hands a float to
        // `visit_f64` either way, and anything but a number is refused before it is read, so that
        // serde_json's error points at the value itself (the client finds the JSON path from it).
        deserializer.deserialize_i64(IntegerVisitor).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Counts {
        #[serde(default, deserialize_with = "super::deserialize_option")]
        n: Option<i64>,
    }

    fn n(json: &str) -> Result<Option<i64>, String> {
        serde_json::from_str::<Counts>(json)
            .map(|c| c.n)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn whole_numbers_in_any_notation_decode() {
        assert_eq!(n(r#"{"n": 1}"#), Ok(Some(1)));
        assert_eq!(n(r#"{"n": 1.0}"#), Ok(Some(1)));
        assert_eq!(n(r#"{"n": -3e2}"#), Ok(Some(-300)));
        assert_eq!(n(r#"{"n": -9223372036854775808}"#), Ok(Some(i64::MIN)));
        assert_eq!(n(r#"{"n": null}"#), Ok(None));
        assert_eq!(n("{}"), Ok(None));
    }

    #[test]
    fn fractions_out_of_range_and_strings_are_errors() {
        assert!(
            n(r#"{"n": 1.5}"#)
                .unwrap_err()
                .contains("no fractional part")
        );
        assert!(n(r#"{"n": 9223372036854775808}"#).is_err());
        assert!(n(r#"{"n": 1e19}"#).is_err());
        assert!(n(r#"{"n": "1"}"#).is_err());
    }
}
