//! The spec: parsed once, as a typed OpenAPI 3.0 document, as raw JSON, and converted to JSON
//! Schema.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::Value;

use crate::ContractError;

/// The text of `openapi/meetings.yaml`, embedded when this crate was compiled (from the
/// `thoughtindustries-spec` package).
pub const EMBEDDED_SPEC: &str = thoughtindustries_spec::OPENAPI_YAML;

/// The HTTP methods a Path Item can hold, in the order the spec lists them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

static EMBEDDED: LazyLock<Spec> =
    LazyLock::new(|| Spec::parse(EMBEDDED_SPEC).expect("openapi/meetings.yaml is a valid spec"));

/// A parsed OpenAPI 3.0 document, ready to validate bodies against.
///
/// Build one with [`Spec::parse`], or use the embedded `openapi/meetings.yaml` through
/// [`Spec::embedded`] (parsed on first use). Validators are compiled on first use per schema and
/// cached.
pub struct Spec {
    openapi: openapiv3::OpenAPI,
    document: Value,
    json_schema: Value,
    pub(crate) validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec")
            .field("title", &self.openapi.info.title)
            .field("version", &self.openapi.info.version)
            .finish_non_exhaustive()
    }
}

impl Spec {
    /// The spec embedded at compile time (`openapi/meetings.yaml`), parsed once.
    ///
    /// ```
    /// let spec = thoughtindustries_contract::Spec::embedded();
    /// assert!(spec.openapi().openapi.starts_with("3.0."));
    /// ```
    pub fn embedded() -> &'static Spec {
        &EMBEDDED
    }

    /// Parses an OpenAPI 3.0.x document from YAML or JSON text. Rejects other versions (3.1
    /// changed the schema dialect, and nothing downstream supports it).
    pub fn parse(text: &str) -> Result<Spec, ContractError> {
        let document: Value =
            serde_norway::from_str(text).map_err(|e| ContractError::Syntax(e.to_string()))?;
        Self::from_value(document)
    }

    /// Builds a spec from an already parsed document (for example a YAML value edited in a test).
    pub fn from_value(document: Value) -> Result<Spec, ContractError> {
        let version = document
            .get("openapi")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !version.starts_with("3.0.") {
            return Err(ContractError::NotOpenApi30(format!(
                "`openapi` is `{version}`, expected 3.0.x"
            )));
        }
        let openapi: openapiv3::OpenAPI = serde_json::from_value(document.clone())
            .map_err(|e| ContractError::NotOpenApi30(e.to_string()))?;
        let json_schema = crate::schema::convert_document(&document);
        Ok(Spec {
            openapi,
            document,
            json_schema,
            validators: Mutex::default(),
        })
    }

    /// The typed document.
    pub fn openapi(&self) -> &openapiv3::OpenAPI {
        &self.openapi
    }

    /// The document as parsed, untyped.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The document with every schema converted to JSON Schema 2020-12 (see [`crate::schema`]).
    pub fn json_schema(&self) -> &Value {
        &self.json_schema
    }

    /// Follows a local `$ref` (`#/...`) in the raw document.
    pub fn resolve_ref(&self, reference: &str) -> Option<&Value> {
        resolve_pointer(&self.document, reference)
    }
}

/// Resolves a local reference (`#/a/b`, percent-encoded or not) in `document`.
pub fn resolve_pointer<'a>(document: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    document.pointer(&percent_decode(pointer))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if bytes[i] == b'%'
            && let Some(Ok(byte)) = hex.map(|h| u8::from_str_radix(h, 16))
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
