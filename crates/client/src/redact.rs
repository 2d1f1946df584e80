//! Keeping the API key out of every text the SDK hands out.
//!
//! The key is sent only in a header marked sensitive, but a server or a proxy can echo the request
//! back: a gateway's debug page in a 400 body, a framework's error page listing the headers, a
//! JSON error that quotes the `Authorization` it refused. Every excerpt of a response that reaches
//! an [`Error`](crate::Error), a reported record or a field left empty goes through a
//! [`Redactor`] first, which replaces, wherever they appear:
//!
//! - the client's API key, also percent-encoded or JSON-escaped, and a prefix of it cut off at
//!   the end of an excerpt;
//! - the value of anything named `Authorization` followed by `:` or `=` (a header line, a JSON
//!   member, a query parameter, a dump of a header map), whatever key it carries;
//! - the token after `Bearer ` (any credential a proxy or the caller's own stack added).

use std::borrow::Cow;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

/// What replaces a secret.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// The shortest prefix of the key that is redacted at the end of an excerpt.
const MIN_CUT_PREFIX: usize = 6;

/// Replaces the client's secrets in texts taken from responses; cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    /// The key and the forms it may be echoed in, longest first.
    forms: Arc<[SecretString]>,
    /// The key itself, whose prefix is redacted at the end of an excerpt.
    key: Option<SecretString>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor([REDACTED])")
    }
}

impl Redactor {
    /// A redactor for `key` (none: only `Authorization` values and bearer tokens).
    pub(crate) fn new(key: Option<&str>) -> Self {
        let Some(key) = key.filter(|k| !k.is_empty()) else {
            return Self::default();
        };
        let mut forms: Vec<String> = vec![
            key.to_owned(),
            url::form_urlencoded::byte_serialize(key.as_bytes()).collect(),
            percent_encode(key),
            serde_json::to_string(key)
                .map(|quoted| quoted[1..quoted.len() - 1].to_owned())
                .unwrap_or_default(),
            key.replace('/', "\\/"),
        ];
        forms.retain(|form| !form.is_empty());
        forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
        forms.dedup();
        Self {
            forms: forms.into_iter().map(SecretString::from).collect(),
            key: Some(SecretString::from(key)),
        }
    }

    /// `text` with every secret replaced by `[REDACTED]`.
    pub(crate) fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for form in self.forms.iter() {
            let form = form.expose_secret();
            if out.contains(form) {
                out = Cow::Owned(out.replace(form, REDACTED));
            }
        }
        if let Some(key) = self.key.as_ref().map(ExposeSecret::expose_secret) {
            // An excerpt cut in the middle of the key (a body truncated to a limit).
            let cut = (MIN_CUT_PREFIX..key.len())
                .rev()
                .filter(|&n| key.is_char_boundary(n))
                .find(|&n| out.ends_with(&key[..n]));
            if let Some(n) = cut {
                let keep = out.len() - n;
                out = Cow::Owned(format!("{}{REDACTED}", &out[..keep]));
            }
        }
        let out = match after_name(&out, "authorization", true) {
            Some(redacted) => Cow::Owned(redacted),
            None => out,
        };
        match after_name(&out, "bearer", false) {
            Some(redacted) => Cow::Owned(redacted),
            None => out,
        }
    }

    /// Replaces the secrets in `text` in place.
    pub(crate) fn string(&self, text: &mut String) {
        if let Cow::Owned(redacted) = self.text(text) {
            *text = redacted;
        }
    }

    /// Replaces the secrets in every string of a JSON value, its object keys included.
    pub(crate) fn json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(text) => self.string(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.json(item)),
            Value::Object(members) => {
                let taken = std::mem::take(members);
                for (mut key, mut item) in taken {
                    self.string(&mut key);
                    self.json(&mut item);
                    members.insert(key, item);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

/// Every byte but the unreserved ones percent-encoded (the form `%2F` of a `/`).
fn percent_encode(key: &str) -> String {
    key.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// `text` with the value after each `name` (ASCII, matched case-insensitively) replaced, or
/// `None` when there is none. With `assigned`, the name must be followed by `:` or `=` (maybe
/// after quotes and spaces), as in `Authorization: Bearer x`, `"authorization":"x"`,
/// `authorization=x`; the value runs to the end of the line or of the quoted string. Without, the
/// name must be followed by spaces, and the value is one token (`Bearer x`).
fn after_name(text: &str, name: &str, assigned: bool) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let start = from + found;
        let mut at = start + name.len();
        from = at;
        let bytes = text.as_bytes();
        let skip = |at: &mut usize, set: &[u8]| {
            while *at < bytes.len() && set.contains(&bytes[*at]) {
                *at += 1;
            }
        };
        let quote: Option<char>;
        if assigned {
            skip(&mut at, b"\"'\\ \t");
            if at >= bytes.len() || !matches!(bytes[at], b':' | b'=') {
                continue;
            }
            at += 1;
            skip(&mut at, b"> \t");
            quote = match bytes.get(at) {
                Some(b'"') => Some('"'),
                Some(b'\'') => Some('\''),
                Some(b'\\') => Some('\\'),
                _ => None,
            };
            skip(&mut at, b"\"'\\ \t");
        } else {
            if at >= bytes.len() || !matches!(bytes[at], b' ' | b'\t') {
                continue;
            }
            skip(&mut at, b" \t");
            quote = None;
        }
        let ends = |c: char| match (assigned, quote) {
            // One token: `Bearer abc.def`.
            (false, _) => c.is_whitespace() || "\"'\\<>&,;}])".contains(c),
            // A quoted value runs to its quote (or an escaped one, in JSON text).
            (true, Some(q)) => c == q || matches!(c, '\\' | '\r' | '\n'),
            // A header line, a parameter: to the end of the line or the next separator.
            (true, None) => "\"'\\\r\n<&,;}]".contains(c),
        };
        if text[at..].starts_with(REDACTED) {
            continue;
        }
        let end = text[at..].find(ends).map_or(text.len(), |i| at + i);
        let value = &text[at..end];
        // Keep the scheme of an `Authorization` value (`Bearer`, `Basic`) readable.
        let scheme = if assigned {
            value
                .split_once(' ')
                .filter(|(s, _)| s.chars().all(|c| c.is_ascii_alphabetic()))
                .map(|(s, _)| s.len() + 1)
                .unwrap_or(0)
        } else {
            0
        };
        let secret = &value[scheme..];
        if secret.is_empty() || secret == REDACTED || secret.starts_with(REDACTED) {
            continue;
        }
        out.push_str(&text[copied..at + scheme]);
        out.push_str(REDACTED);
        copied = end;
        from = end;
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ti-sk-9c1f/3e5a+7b";

    fn clean(text: &str) -> String {
        Redactor::new(Some(KEY)).text(text).into_owned()
    }

    #[test]
    fn the_key_is_replaced_in_every_form_it_is_echoed_in() {
        for text in [
            format!("Debug: {KEY} end"),
            "q=ti-sk-9c1f%2F3e5a%2B7b".to_owned(),
            r#"{"k":"ti-sk-9c1f\/3e5a+7b"}"#.to_owned(),
            format!("token {KEY}"),
        ] {
            let shown = clean(&text);
            assert!(!shown.contains("9c1f"), "{text} -> {shown}");
            assert!(shown.contains(REDACTED), "{shown}");
        }
    }

    #[test]
    fn a_key_cut_at_the_end_of_an_excerpt_is_replaced() {
        let shown = clean("the body ends with ti-sk-9c1f/");
        assert_eq!(shown, format!("the body ends with {REDACTED}"));
        // A short ending that merely looks like the key's start stays.
        assert_eq!(clean("ti-s"), "ti-s");
    }

    #[test]
    fn authorization_values_are_replaced_whatever_they_carry() {
        let cases = [
            (
                "Bad request. Debug: Authorization: Bearer other-token\nHost: x",
                format!("Bad request. Debug: Authorization: Bearer {REDACTED}\nHost: x"),
            ),
            (
                r#"{"headers":{"authorization":"Basic dXNlcjpwdw==","host":"x"}}"#,
                format!(r#"{{"headers":{{"authorization":"Basic {REDACTED}","host":"x"}}}}"#),
            ),
            (
                "HTTP_AUTHORIZATION => 'token123', next",
                format!("HTTP_AUTHORIZATION => '{REDACTED}', next"),
            ),
            (
                "?authorization=abc&page=2",
                format!("?authorization={REDACTED}&page=2"),
            ),
            (
                "sent bearer abc.def-ghi to upstream",
                format!("sent bearer {REDACTED} to upstream"),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(clean(text), expected, "{text}");
        }
    }

    #[test]
    fn prose_about_authorization_is_left_alone() {
        for text in [
            "the Authorization header is missing",
            "no bearer",
            "Bearer",
            "authorization:",
        ] {
            assert_eq!(clean(text), text);
        }
    }

    #[test]
    fn json_values_are_redacted_keys_included() {
        let mut value = serde_json::json!({"a": [KEY, {"x": 1}], KEY: "Authorization: k"});
        Redactor::new(Some(KEY)).json(&mut value);
        let shown = value.to_string();
        assert!(!shown.contains("9c1f") && !shown.contains(": k"), "{shown}");
    }

    #[test]
    fn the_redactor_does_not_show_the_key() {
        assert_eq!(
            format!("{:?}", Redactor::new(Some(KEY))),
            "Redactor([REDACTED])"
        );
    }
}
