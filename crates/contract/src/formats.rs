//! The `format` keyword as OpenAPI 3.0 means it.
//!
//! JSON Schema's own format checks only look at strings, but OpenAPI 3.0 also puts formats on
//! numbers: `int32` and `int64` bound an integer's range. This keyword replaces the validator's
//! built-in `format`: it checks `int32`/`int64` ranges on numbers itself and hands every string
//! format (`uuid`, `date-time`, `date`, `email`, ...) to the validator's own format checks.
//! Unknown formats and formats that carry no constraint (`double`, `float`, `byte`, ...) pass.

use jsonschema::{Keyword, ValidationError, Validator};
use serde_json::{Map, Value, json};

/// Builds the `format` keyword for one schema location (a factory for
/// [`jsonschema::ValidationOptions::with_keyword`]).
pub(crate) fn factory<'a>(
    _parent: &'a Map<String, Value>,
    value: &'a Value,
    _location: jsonschema::paths::Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let name = value.as_str().unwrap_or_default();
    let check = match name {
        "int32" => Check::Range(i64::from(i32::MIN), i64::from(i32::MAX), "int32"),
        "int64" => Check::Range(i64::MIN, i64::MAX, "int64"),
        _ => Check::String(
            jsonschema::options()
                .should_validate_formats(true)
                .should_ignore_unknown_formats(true)
                .build(&json!({ "format": name }))
                .map_err(ValidationError::to_owned)?,
        ),
    };
    Ok(Box::new(check))
}

enum Check {
    /// An integer format: the inclusive range and the format's name.
    Range(i64, i64, &'static str),
    /// A string format, checked by a validator built for `{"format": name}`.
    String(Validator),
}

impl Check {
    fn in_range(number: &serde_json::Number, min: i64, max: i64) -> bool {
        if let Some(n) = number.as_i64() {
            (min..=max).contains(&n)
        } else if number.as_u64().is_some() {
            // Only integers above i64::MAX are u64 but not i64.
            false
        } else {
            // A float: in range when within the bounds (whether it is an integer is `type`'s job).
            number
                .as_f64()
                .is_some_and(|f| f >= min as f64 && f <= max as f64)
        }
    }
}

impl<'i> Keyword<'i> for Check {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match self {
            Check::Range(min, max, name) => match instance {
                Value::Number(n) if !Self::in_range(n, *min, *max) => Err(ValidationError::custom(
                    format!("{n} is outside the {name} range ({min} to {max})"),
                )),
                _ => Ok(()),
            },
            Check::String(validator) => match validator.validate(instance) {
                Ok(()) => Ok(()),
                Err(error) => Err(ValidationError::custom(error.to_string())),
            },
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        match self {
            Check::Range(min, max, _) => match instance {
                Value::Number(n) => Self::in_range(n, *min, *max),
                _ => true,
            },
            Check::String(validator) => validator.is_valid(instance),
        }
    }
}
