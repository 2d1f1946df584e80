//! Open enumerations: string enums that accept values they do not know.
//!
//! The vendor adds enum values over time. typify generates closed enums, where one new value fails
//! the whole response, so the code generator substitutes an invocation of this module's
//! `open_enum!` for each schema with `x-extensible-enum`, listing the spec's values (see
//! `thoughtindustries-codegen`'s `open_enums`). Like the AWS SDK for Rust, every enum has an
//! `Unknown` variant that keeps the original string and serializes it back unchanged. The string is
//! an opaque [`UnknownValue`] that only decoding makes, so `Unknown` never holds a known value and
//! `CourseStatus::Unknown(..)` cannot be built to compare unequal to `CourseStatus::Draft`.
//!
//! Decoding a known value does not allocate: the visitor matches the borrowed string.

/// The string of an enumeration value this version of the SDK does not know.
///
/// Only decoding (or the enum's `From<&str>` / `FromStr`) makes one, and only for a string outside
/// the enum's known values; read it with [`UnknownValue::as_str`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(pub(crate) String);

impl UnknownValue {
    /// The value as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Defines an open string enum: the known variants, `Unknown(UnknownValue)`, and string conversions,
/// serde and schemars implementations that keep unknown values intact.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $value:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know; the original string is kept and
            /// serialized back unchanged.
            Unknown($crate::UnknownValue),
        }

        impl $name {
            /// Every value this version of the SDK knows, as sent on the wire.
            pub const KNOWN: &'static [&'static str] = &[$($value),+];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Whether this is a value the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }

            fn from_known(value: &str) -> Option<Self> {
                match value {
                    $( $value => Some(Self::$variant), )+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from_known(value)
                    .unwrap_or_else(|| Self::Unknown($crate::UnknownValue(value.to_owned())))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::from_known(&value).unwrap_or(Self::Unknown($crate::UnknownValue(value)))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;

                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }

                    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<$name, E> {
                        Ok($name::from(value))
                    }

                    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<$name, E> {
                        Ok($name::from(value))
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "description": concat!(
                        "Open enumeration: one of the known values, or any other string ",
                        "(decoded as `Unknown`)."
                    ),
                    "anyOf": [
                        { "type": "string", "enum": [$($value),+] },
                        { "type": "string" }
                    ]
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::*;

    #[test]
    fn known_values_decode_to_their_variant() {
        let kind: CourseKind = serde_json::from_str("\"inPersonEvent\"").unwrap();
        assert_eq!(kind, CourseKind::InPersonEvent);
        assert!(!kind.is_unknown());
    }

    #[test]
    fn unknown_values_are_kept_and_round_trip() {
        let status: CourseStatus = serde_json::from_str("\"scheduled\"").unwrap();
        assert!(matches!(&status, CourseStatus::Unknown(value) if value.as_str() == "scheduled"));
        assert_eq!(serde_json::to_string(&status).unwrap(), "\"scheduled\"");
    }

    #[test]
    fn a_known_value_never_becomes_unknown() {
        // However it is made, "draft" is `Draft`: `Unknown` cannot hold it.
        assert_eq!(CourseStatus::from("draft"), CourseStatus::Draft);
        assert_eq!(CourseStatus::from("draft".to_owned()), CourseStatus::Draft);
        assert_eq!("draft".parse::<CourseStatus>(), Ok(CourseStatus::Draft));
        let decoded: CourseStatus = serde_json::from_str("\"draft\"").unwrap();
        assert_eq!(decoded, CourseStatus::Draft);
    }

    #[test]
    fn escaped_strings_decode() {
        let role: LicenseRole = serde_json::from_str(r#""stud\u0065nt""#).unwrap();
        assert_eq!(role, LicenseRole::Student);
    }

    #[test]
    fn non_strings_are_rejected() {
        assert!(serde_json::from_str::<AlternativePricingType>("3").is_err());
    }

    #[test]
    fn known_list_matches_variants() {
        for value in CourseKind::KNOWN {
            assert!(!CourseKind::from(*value).is_unknown(), "{value}");
            assert_eq!(CourseKind::from(*value).as_str(), *value);
        }
    }
}
