//! The body of a success response, as the generated client returns it: JSON text, not yet decoded.
//!
//! The generated operations return [`RawJson<T>`] instead of `T` (the code generator substitutes it
//! for every success body's schema), so that the hand-written layer decodes the body itself:
//! record by record, explaining a failure with its JSON path, keeping each record's bytes as
//! received. Decoding a whole page as `T` would fail every meeting for one odd record.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

/// A success response's JSON text exactly as received (surrounding whitespace aside), checked to
/// be well-formed JSON but not decoded; `T` is the schema it should decode as.
///
/// ```
/// use thoughtindustries::User;
/// use thoughtindustries::wire::RawJson;
///
/// let body: RawJson<User> = serde_json::from_str(r#" {"id": "0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11"} "#)?;
/// assert_eq!(body.get(), r#"{"id": "0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11"}"#);
/// assert_eq!(body.decode()?.id.unwrap().to_string(), "0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11");
/// # Ok::<(), serde_json::Error>(())
/// ```
pub struct RawJson<T> {
    text: Box<RawValue>,
    schema: PhantomData<fn() -> T>,
}

impl<T> RawJson<T> {
    /// The JSON text.
    pub fn get(&self) -> &str {
        self.text.get()
    }

    /// The JSON text as bytes, without copying.
    pub fn into_bytes(self) -> bytes::Bytes {
        let text: Box<str> = self.text.into();
        bytes::Bytes::from(text.into_boxed_bytes())
    }
}

impl<T: DeserializeOwned> RawJson<T> {
    /// Decodes the text as `T`, all or nothing (the SDK's own methods decode more tolerantly).
    pub fn decode(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.text.get())
    }
}

impl<'de, T> serde::Deserialize<'de> for RawJson<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self {
            text: Box::<RawValue>::deserialize(deserializer)?,
            schema: PhantomData,
        })
    }
}

impl<T> Clone for RawJson<T> {
    fn clone(&self) -> Self {
        Self {
            text: self.text.clone(),
            schema: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for RawJson<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RawJson({} bytes)", self.text.get().len())
    }
}
