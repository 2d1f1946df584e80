//! The tenant's API key, kept out of every `Debug`, `Display`, log line and error.

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::Error;

/// A Thought Industries API key.
///
/// The key is held in a [`secrecy::SecretString`] (zeroized on drop), its `Debug` output is
/// redacted, it has no `Display`, and the `Authorization` header built from it is marked sensitive
/// so that HTTP-level logging redacts it too.
///
/// ```
/// let key = thoughtindustries::ApiKey::new("s3cr3t-key");
/// assert_eq!(format!("{key:?}"), "ApiKey([REDACTED])");
/// ```
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Wraps a key. Surrounding whitespace (for example a trailing newline from a key file) is
    /// removed.
    pub fn new(key: impl Into<String>) -> Self {
        let key: String = key.into();
        let trimmed = key.trim();
        if trimmed.len() == key.len() {
            Self(SecretString::from(key))
        } else {
            Self(SecretString::from(trimmed))
        }
    }

    /// The `Authorization: Bearer ...` header value, marked sensitive.
    pub(crate) fn bearer_header(&self) -> Result<HeaderValue, Error> {
        let key = self.0.expose_secret();
        if key.is_empty() {
            return Err(Error::Config("the API key is empty".into()));
        }
        let mut value = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
            Error::Config(
                "the API key contains characters that are not allowed in an HTTP header".into(),
            )
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl ApiKey {
    /// What replaces this key in texts taken from responses.
    pub(crate) fn redactor(&self) -> crate::redact::Redactor {
        crate::redact::Redactor::new(Some(self.0.expose_secret()))
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey([REDACTED])")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        Self::new(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        Self::new(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_bearer_and_sensitive() {
        let header = ApiKey::new("abc\n").bearer_header().unwrap();
        assert_eq!(header.to_str().unwrap(), "Bearer abc");
        assert!(header.is_sensitive());
        assert!(!format!("{header:?}").contains("abc"));
    }

    #[test]
    fn bad_keys_are_config_errors_that_do_not_echo_the_key() {
        let err = ApiKey::new("bad\u{7}key").bearer_header().unwrap_err();
        assert!(!err.to_string().contains("bad"));
        assert!(ApiKey::new("  ").bearer_header().is_err());
    }
}
