//! Validating bodies against the spec's schemas.
//!
//! Open enumerations: the spec says clients must accept enum values it does not list, so a value
//! outside an `x-extensible-enum` is reported as a [`Severity::Notice`] (users learn about the new value) and
//! does not make the report invalid. Every other failed keyword (a closed `enum` included) is a
//! [`Severity::Violation`].

use std::sync::Arc;

use jsonschema::error::ValidationErrorKind;
use openapiv3::{ReferenceOr, StatusCode};
use serde_json::{Value, json};

use crate::report::{Finding, Report, Severity};
use crate::spec::{METHODS, Spec};
use crate::{ContractError, forms, schema};

/// The media type whose schema bodies are checked against.
const JSON: &str = "application/json";

impl Spec {
    /// Validates a response body of the operation `operation_id` with HTTP status `status`.
    ///
    /// A status the operation does not document (exactly, as `4XX`-style range, or `default`) is
    /// itself a violation. For a status documented without content (`401`), `Value::Null` stands
    /// for the empty body and is valid; any other value is a violation. See
    /// [`Spec::validate_response_bytes`] to validate raw bytes (empty bodies, malformed JSON).
    ///
    /// ```
    /// use serde_json::json;
    /// let spec = thoughtindustries_contract::Spec::embedded();
    /// let report = spec
    ///     .validate_response("list_meetings", 200, &json!({"data": {"Meetings": {"meetings": [{}]}}}))
    ///     .unwrap();
    /// assert!(!report.is_valid());
    /// assert!(report.to_string().contains("\"id\" is a required property"));
    /// ```
    pub fn validate_response(
        &self,
        operation_id: &str,
        status: u16,
        body: &Value,
    ) -> Result<Report, ContractError> {
        let subject = format!("{operation_id} {status}");
        match self.response_schema(operation_id, status)? {
            Expected::Undocumented(documented) => Ok(Report::new(
                subject,
                vec![undocumented(status, operation_id, &documented)],
            )),
            Expected::NoBody if body.is_null() => Ok(Report::new(subject, Vec::new())),
            Expected::NoBody => Ok(Report::new(
                subject,
                vec![finding(
                    "body",
                    format!("the spec documents no body for status {status}, but one was given"),
                )],
            )),
            Expected::Schema(pointer) => self.validate_against(&pointer, body, subject),
            Expected::Unchecked => Ok(Report::new(subject, Vec::new())),
        }
    }

    /// Like [`Spec::validate_response`], from the raw body bytes: an empty (or all-whitespace)
    /// body is "no body" (valid where the spec documents no content, a violation where it
    /// documents a JSON body), and bytes that are not JSON are a violation naming the line and
    /// column.
    ///
    /// ```
    /// let spec = thoughtindustries_contract::Spec::embedded();
    /// assert!(spec.validate_response_bytes("list_meetings", 401, b"").unwrap().is_valid());
    /// let report = spec.validate_response_bytes("list_meetings", 200, b"{\"data\": ").unwrap();
    /// assert!(report.to_string().contains("line 1, column 9"));
    /// ```
    pub fn validate_response_bytes(
        &self,
        operation_id: &str,
        status: u16,
        body: &[u8],
    ) -> Result<Report, ContractError> {
        let subject = format!("{operation_id} {status}");
        if body.iter().all(u8::is_ascii_whitespace) {
            return match self.response_schema(operation_id, status)? {
                Expected::Schema(_) => Ok(Report::new(
                    subject,
                    vec![finding(
                        "body",
                        format!(
                            "empty body, but the spec documents a {JSON} body for status {status}"
                        ),
                    )],
                )),
                _ => self.validate_response(operation_id, status, &Value::Null),
            };
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(value) => self.validate_response(operation_id, status, &value),
            Err(error) => Ok(Report::new(
                subject,
                vec![finding("json", {
                    let (line, column) = (error.line(), error.column());
                    let text = error.to_string();
                    let suffix = format!(" at line {line} column {column}");
                    let text = text.strip_suffix(&suffix).unwrap_or(&text);
                    format!("malformed JSON at line {line}, column {column}: {text}")
                })],
            )),
        }
    }

    /// Validates `value` against the schema `components.schemas.<name>`.
    ///
    /// ```
    /// use serde_json::json;
    /// let spec = thoughtindustries_contract::Spec::embedded();
    /// let report = spec.validate_component("CourseStatus", &json!("retired")).unwrap();
    /// assert!(report.is_valid()); // an open enumeration: a notice, not a violation
    /// assert_eq!(report.notices().count(), 1);
    /// ```
    pub fn validate_component(&self, name: &str, value: &Value) -> Result<Report, ContractError> {
        let exists = self
            .openapi()
            .components
            .as_ref()
            .is_some_and(|c| c.schemas.contains_key(name));
        if !exists {
            return Err(ContractError::UnknownSchema(name.to_owned()));
        }
        let pointer = format!("#/components/schemas/{}", schema::escape(name));
        self.validate_against(&pointer, value, pointer.clone())
    }

    /// Validates `value` against the schema at `pointer` (`#/...`) in the spec: a component
    /// schema, or any schema in the document such as a media type's or a parameter's.
    pub fn validate_pointer(&self, pointer: &str, value: &Value) -> Result<Report, ContractError> {
        self.validate_against(pointer, value, pointer.to_owned())
    }

    fn validate_against(
        &self,
        pointer: &str,
        value: &Value,
        subject: String,
    ) -> Result<Report, ContractError> {
        let validator = self.validator(pointer)?;
        let mut findings = validator
            .iter_errors(value)
            .map(|error| {
                let kind = error.kind();
                let schema_path =
                    format!("#{}", schema::spec_location(error.schema_path().as_str()));
                let open_enum = schema_path
                    .strip_suffix("/enum")
                    .and_then(|at| self.resolve_ref(at))
                    .is_some_and(|at| at.get(forms::EXTENSIBLE_ENUM).is_some());
                let (severity, message, schema_path) = match kind {
                    ValidationErrorKind::Enum { options } if open_enum => (
                        Severity::Notice,
                        format!(
                            "{} is not one of the listed values {}; the enumeration is open, so \
                             clients must accept it (a new value?)",
                            error.instance(),
                            options
                        ),
                        format!(
                            "{}/{}",
                            schema_path.trim_end_matches("/enum"),
                            forms::EXTENSIBLE_ENUM
                        ),
                    ),
                    ValidationErrorKind::Custom { message, .. } => {
                        (Severity::Violation, message.clone(), schema_path)
                    }
                    _ => (Severity::Violation, error.to_string(), schema_path),
                };
                Finding {
                    severity,
                    instance_path: error.instance_path().as_str().to_owned(),
                    schema_path,
                    keyword: kind.keyword().to_owned(),
                    message,
                }
            })
            .collect::<Vec<_>>();
        let drift = self.drift_of(pointer, value);
        findings.extend(drift.fields().map(|field| Finding {
            severity: Severity::Notice,
            instance_path: field.first_path.clone(),
            schema_path: format!("{}/properties", field.schema),
            keyword: "undocumented".to_owned(),
            message: format!(
                "undocumented field {}; the spec does not describe it (drift)",
                drift.describe(field)
            ),
        }));
        let mut report = Report::new(subject, findings);
        report.drift = drift;
        Ok(report)
    }

    fn validator(&self, pointer: &str) -> Result<Arc<jsonschema::Validator>, ContractError> {
        let mut cache = self
            .validators
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(validator) = cache.get(pointer) {
            return Ok(Arc::clone(validator));
        }
        let bad = |reason: String| ContractError::BadSchema {
            pointer: pointer.to_owned(),
            reason,
        };
        if self.resolve_ref(pointer).is_none() {
            return Err(bad("nothing is there".to_owned()));
        }
        let mut root = self.json_schema().clone();
        if let Value::Object(map) = &mut root {
            map.insert("$ref".to_owned(), json!(encode_fragment(pointer)));
        }
        let validator = jsonschema::options()
            .with_keyword("format", crate::formats::factory)
            .build(&root)
            .map_err(|e| bad(e.to_string()))?;
        let validator = Arc::new(validator);
        cache.insert(pointer.to_owned(), Arc::clone(&validator));
        Ok(validator)
    }

    fn response_schema(&self, operation_id: &str, status: u16) -> Result<Expected, ContractError> {
        // The exact operationId, else the same words in another case (`getMeeting` for
        // `get_meeting`): the vendor's pages and other tools spell operation names in camelCase.
        let (pointer, operation) = self
            .operations()
            .find(|(_, op)| op.operation_id.as_deref() == Some(operation_id))
            .or_else(|| {
                let wanted = operation_words(operation_id);
                self.operations().find(|(_, op)| {
                    op.operation_id
                        .as_deref()
                        .is_some_and(|id| operation_words(id) == wanted)
                })
            })
            .ok_or_else(|| ContractError::UnknownOperation(operation_id.to_owned()))?;
        let responses = &operation.responses;
        let (key, response) = if let Some(r) = responses.responses.get(&StatusCode::Code(status)) {
            (status.to_string(), r)
        } else if let Some(r) = responses.responses.get(&StatusCode::Range(status / 100)) {
            (format!("{}XX", status / 100), r)
        } else if let Some(r) = &responses.default {
            ("default".to_owned(), r)
        } else {
            return Ok(Expected::Undocumented(
                responses
                    .responses
                    .keys()
                    .map(ToString::to_string)
                    .collect(),
            ));
        };
        match response {
            ReferenceOr::Item(item) => Ok(expected_of(
                item,
                &format!("{pointer}/responses/{}", schema::escape(&key)),
            )),
            ReferenceOr::Reference { reference } => {
                let bad = |reason: String| ContractError::BadSchema {
                    pointer: reference.clone(),
                    reason,
                };
                let value = self
                    .resolve_ref(reference)
                    .cloned()
                    .ok_or_else(|| bad("the response reference does not resolve".to_owned()))?;
                let item: openapiv3::Response =
                    serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
                Ok(expected_of(&item, reference.trim_start_matches('#')))
            }
        }
    }

    /// Every operation with the JSON Pointer (without `#`) of its Operation Object.
    pub(crate) fn operations(&self) -> impl Iterator<Item = (String, &openapiv3::Operation)> {
        self.openapi().paths.paths.iter().flat_map(|(path, item)| {
            let item = match item {
                ReferenceOr::Item(item) => Some(item),
                ReferenceOr::Reference { .. } => None,
            };
            item.into_iter().flat_map(move |item| {
                let ops = [
                    &item.get,
                    &item.put,
                    &item.post,
                    &item.delete,
                    &item.options,
                    &item.head,
                    &item.patch,
                    &item.trace,
                ];
                ops.into_iter()
                    .zip(METHODS)
                    .filter_map(move |(op, method)| {
                        op.as_ref()
                            .map(|op| (format!("/paths/{}/{method}", schema::escape(path)), op))
                    })
            })
        })
    }
}

/// What the spec says about the body of one response.
enum Expected {
    /// The status is not documented; the documented ones are listed.
    Undocumented(Vec<String>),
    /// Documented without content.
    NoBody,
    /// A JSON body: the pointer (with `#`) of its schema.
    Schema(String),
    /// Content other than JSON, or JSON without a schema: nothing to check.
    Unchecked,
}

fn expected_of(response: &openapiv3::Response, location: &str) -> Expected {
    if response.content.is_empty() {
        return Expected::NoBody;
    }
    match response
        .content
        .get(JSON)
        .and_then(|media| media.schema.as_ref())
    {
        Some(ReferenceOr::Reference { reference }) => Expected::Schema(reference.clone()),
        Some(ReferenceOr::Item(_)) => Expected::Schema(format!(
            "#{location}/content/{}/schema",
            schema::escape(JSON)
        )),
        None => Expected::Unchecked,
    }
}

/// An operation name without case or separators: `getMeeting`, `get_meeting` and `get-meeting`
/// are the same operation.
fn operation_words(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn undocumented(status: u16, operation_id: &str, documented: &[String]) -> Finding {
    Finding {
        severity: Severity::Violation,
        instance_path: String::new(),
        schema_path: String::new(),
        keyword: "status".to_owned(),
        message: format!(
            "status {status} is not documented for {operation_id} (documented: {})",
            documented.join(", ")
        ),
    }
}

fn finding(keyword: &str, message: String) -> Finding {
    Finding {
        severity: Severity::Violation,
        instance_path: String::new(),
        schema_path: String::new(),
        keyword: keyword.to_owned(),
        message,
    }
}

/// Percent-encodes the characters a URI fragment cannot hold as they are (`{`, `}`, spaces, ...),
/// so that a pointer to a path such as `/meetings/{id}` can be used as a `$ref`.
fn encode_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        if byte.is_ascii_alphanumeric() || b"#/-._~!$&'()*+,;=:@%".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
