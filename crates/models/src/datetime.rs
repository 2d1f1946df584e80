//! Fast decoding of the spec's `date-time` fields.
//!
//! chrono's own `Deserialize` for `DateTime<Utc>` parses with its general format machinery, which
//! showed up as a tenth of a page's decode time. The API sends RFC 3339 timestamps in one shape
//! (`2024-05-01T09:00:00Z`, `2024-01-01T00:00:00.000Z`, `2024-05-01T09:00:00+02:00`), so the
//! generated models decode their `date-time` fields through [`deserialize`] and
//! [`deserialize_option`]: a direct parser for that shape, and chrono's parser for anything else,
//! so that what is accepted, the value decoded and the error reported are exactly chrono's.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::Deserializer;
use serde::de::{Error, Visitor};

/// Decodes a `DateTime<Utc>` like chrono does, faster for plain RFC 3339 timestamps.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(DateTimeVisitor)
}

/// [`deserialize`] for nullable fields: `null` is `None`. Used with `#[serde(default)]`, so an
/// absent field is `None` too.
pub(crate) fn deserialize_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    deserializer.deserialize_option(OptionVisitor)
}

struct DateTimeVisitor;

impl Visitor<'_> for DateTimeVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<Self::Value, E> {
        match parse_rfc3339(value.as_bytes()) {
            Some(parsed) => Ok(parsed),
            None => value
                .parse::<DateTime<FixedOffset>>()
                .map(|dt| dt.with_timezone(&Utc))
                .map_err(E::custom),
        }
    }
}

struct OptionVisitor;

impl<'de> Visitor<'de> for OptionVisitor {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string or null")
    }

    fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserialize(deserializer).map(Some)
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.F{1,9}](Z|+HH:MM|-HH:MM)`, or `None` for anything else (chrono decides).
fn parse_rfc3339(s: &[u8]) -> Option<DateTime<Utc>> {
    if s.len() < 20
        || s[4] != b'-'
        || s[7] != b'-'
        || s[10] != b'T'
        || s[13] != b':'
        || s[16] != b':'
    {
        return None;
    }
    let year = digits(&s[0..4])?;
    let month = digits(&s[5..7])?;
    let day = digits(&s[8..10])?;
    let hour = digits(&s[11..13])?;
    let minute = digits(&s[14..16])?;
    let second = digits(&s[17..19])?;
    let mut rest = &s[19..];
    let mut nanos = 0;
    if let [b'.', fraction @ ..] = rest {
        let len = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=9).contains(&len) {
            return None;
        }
        nanos = digits(&fraction[..len])? * 10u32.pow(9 - len as u32);
        rest = &fraction[len..];
    }
    let offset = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = (hours * 3600 + minutes * 60) as i32;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    // Leap seconds and out-of-range fields are left to chrono.
    if second > 59 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let local = NaiveDateTime::new(date, time);
    let dt = FixedOffset::east_opt(offset)?
        .from_local_datetime(&local)
        .single()?;
    Some(dt.with_timezone(&Utc))
}

/// The value of a run of ASCII digits.
fn digits(s: &[u8]) -> Option<u32> {
    s.iter().try_fold(0u32, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What chrono's own `Deserialize` for `DateTime<Utc>` decodes.
    fn chrono(value: &str) -> Option<DateTime<Utc>> {
        value
            .parse::<DateTime<FixedOffset>>()
            .ok()
            .map(|dt| dt.with_timezone(&Utc))
    }

    fn ours(value: &str) -> Option<DateTime<Utc>> {
        let json = serde_json::to_string(value).unwrap();
        let mut de = serde_json::Deserializer::from_str(&json);
        deserialize(&mut de).ok()
    }

    #[test]
    fn agrees_with_chrono_on_odd_and_plain_timestamps() {
        let cases = [
            "2024-05-01T09:00:00Z",
            "2024-01-01T00:00:00.000Z",
            "2024-05-01T10:00:00.123+02:00",
            "2024-05-01T10:00:00.1-09:30",
            "2024-05-01T10:00:00.123456789Z",
            "2024-05-01T10:00:00.1234567891Z",
            "2024-05-01T10:00:00.Z",
            "2024-05-01T10:00:00,5Z",
            "2024-05-01t10:00:00z",
            "2024-05-01 10:00:00Z",
            "2024-05-01T10:00:00+0200",
            "2024-05-01T10:00:00+02",
            "2024-05-01T10:00:00-00:00",
            "2024-05-01T10:00:00+23:59",
            "2024-05-01T10:00:00+24:00",
            "2024-05-01T10:00:00+02:60",
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5+01:00",
            "2024-02-29T12:00:00Z",
            "2023-02-29T12:00:00Z",
            "2024-13-01T12:00:00Z",
            "2024-00-10T12:00:00Z",
            "2024-04-31T12:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T23:60:00Z",
            "0000-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-23:59",
            "+12024-05-01T09:00:00Z",
            "2024-05-01T09:00:00",
            "2024-05-01T09:00:00Z ",
            " 2024-05-01T09:00:00Z",
            "2024-05-01",
            "",
            "not a date",
            "2024-05-01T09:00:00ZZ",
            "2024-5-01T09:00:00Z",
            "２０２４-05-01T09:00:00Z",
        ];
        for case in cases {
            assert_eq!(ours(case), chrono(case), "{case:?}");
        }
    }

    #[test]
    fn agrees_with_chrono_on_mutated_timestamps() {
        // Every single-byte change of a few timestamps, to any byte that matters to the parser.
        let bases = ["2024-05-01T09:00:00Z", "1999-12-31T23:59:59.999+05:30"];
        let alphabet = b"0123456789-+:.TtZz ,x";
        for base in bases {
            for at in 0..base.len() {
                for &byte in alphabet {
                    let mut bytes = base.as_bytes().to_vec();
                    bytes[at] = byte;
                    let case = String::from_utf8(bytes).unwrap();
                    assert_eq!(ours(&case), chrono(&case), "{case:?}");
                }
            }
        }
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Record {
        #[serde(deserialize_with = "deserialize")]
        at: DateTime<Utc>,
        #[serde(default, deserialize_with = "deserialize_option")]
        until: Option<DateTime<Utc>>,
    }

    #[test]
    fn nullable_fields_take_null_absence_and_escapes() {
        let at = chrono("2024-05-01T09:00:00Z").unwrap();
        let record: Record = serde_json::from_str(r#"{"at":"2024-05-01T09:00:00Z"}"#).unwrap();
        assert_eq!(record, Record { at, until: None });
        let record: Record =
            serde_json::from_str(r#"{"at":"2024-05-01T09:00:00Z","until":null}"#).unwrap();
        assert_eq!(record.until, None);
        let record: Record = serde_json::from_str(
            r#"{"at":"2024-05-01\u005409:00:00Z","until":"2024-05-01T11:00:00+02:00"}"#,
        )
        .unwrap();
        assert_eq!(
            record,
            Record {
                at,
                until: Some(at)
            }
        );
    }

    #[test]
    fn errors_are_chronos() {
        let err = serde_json::from_str::<Record>(r#"{"at":"2024-05-01T09:00:00"}"#).unwrap_err();
        assert!(err.to_string().contains("premature end of input"), "{err}");
        let err = serde_json::from_str::<Record>(r#"{"at":"2024-05-01T09:00:00Z","until":7}"#)
            .unwrap_err();
        assert!(err.to_string().contains("RFC 3339"), "{err}");
        assert!(serde_json::from_str::<Record>("{}").is_err());
    }
}
