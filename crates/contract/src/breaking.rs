//! Breaking-change classification between two versions of a spec.
//!
//! Seen from a client generated from the **old** spec: a change is breaking when such a client
//! may fail to compile against, send requests to, or decode responses from a server that follows
//! the new spec. The rules:
//!
//! | change | in a response | in a request |
//! | --- | --- | --- |
//! | operation, parameter, property or component schema removed; response status removed | breaking | breaking |
//! | type or format changed, `$ref` target changed, enum value removed | breaking | breaking |
//! | field made nullable / made optional (removed from `required`) | breaking | - |
//! | field made non-nullable / made required | - | breaking |
//! | property added | - | breaking when required |
//! | required parameter added, optional parameter made required | | breaking |
//! | other constraint changed (`minimum`, `pattern`, `additionalProperties`, ...) | - | breaking |
//! | enum value added (enumerations are open), optional parameter added, response status or operation added, description or summary changed | - | - |
//!
//! A component schema is compared once, at `components.schemas.<Name>`, in the direction(s) it is
//! used in (reached from a response, a request, or both, through `$ref`s; a schema used nowhere
//! counts as a response schema, since models are generated for every component). Where both
//! versions refer to the same component (`$ref` alone, wrapped as `allOf: [$ref]`, or as the
//! nullable `anyOf: [$ref, {null only}]`), the walk stops: changes inside it are reported at the
//! component.
//!
//! The spec's form changes are not changes: a nullable reference written `{nullable: true, allOf:
//! [$ref]}` or `anyOf: [$ref, {type: T, nullable: true, enum: [null]}]` is the same nullable
//! reference, and an enumeration's values are compared whether they are listed in `enum` or in
//! `x-extensible-enum` (every enumeration is treated as open, so moving the values from one
//! keyword to the other is neither a removal nor an addition).

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::spec::{METHODS, resolve_pointer};
use crate::{ContractError, forms};

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// An operation (method and path) was removed.
    OperationRemoved,
    /// An operation was added.
    OperationAdded,
    /// An operation's `operationId` (the generated method's name) changed.
    OperationIdChanged,
    /// A parameter was removed.
    ParameterRemoved,
    /// An optional parameter was added.
    ParameterAdded,
    /// A required parameter was added.
    RequiredParameterAdded,
    /// An optional parameter became required.
    ParameterMadeRequired,
    /// A required parameter became optional.
    ParameterMadeOptional,
    /// A documented response status was removed.
    ResponseStatusRemoved,
    /// A response status was documented.
    ResponseStatusAdded,
    /// A response lost its JSON body.
    ResponseBodyRemoved,
    /// A response gained a JSON body.
    ResponseBodyAdded,
    /// A component schema was removed.
    SchemaRemoved,
    /// A component schema was added.
    SchemaAdded,
    /// An object property was removed.
    PropertyRemoved,
    /// An object property was added.
    PropertyAdded,
    /// The type (or the referenced schema, or the composition) changed.
    TypeChanged,
    /// The `format` changed (added, removed or replaced).
    FormatChanged,
    /// The value may now be `null`.
    MadeNullable,
    /// The value may no longer be `null`.
    MadeNonNullable,
    /// The property was removed from `required`.
    MadeOptional,
    /// The property was added to `required`.
    MadeRequired,
    /// A value was removed from an `enum`.
    EnumValueRemoved,
    /// A value was added to an `enum`.
    EnumValueAdded,
    /// A description or summary changed.
    DescriptionChanged,
    /// Another validation keyword changed (`minimum`, `pattern`, `additionalProperties`, ...).
    ConstraintChanged,
}

/// One difference between two specs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Where: `components.schemas.Meeting.properties.title`,
    /// `GET /incoming/v2/meetings parameter courseId`, `GET /incoming/v2/meetings response 429`.
    pub location: String,
    /// What changed.
    pub kind: ChangeKind,
    /// Whether a client generated from the old spec may break.
    pub breaking: bool,
    /// One line naming the field, e.g. "removed property `title` of components.schemas.Meeting".
    pub message: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = if self.breaking {
            "breaking"
        } else {
            "non-breaking"
        };
        write!(f, "{label}: {}", self.message)
    }
}

/// Classifies every change from `old` to `new` (see the [module docs](self) for the rules).
///
/// ```
/// let old = thoughtindustries_contract::Spec::embedded().openapi();
/// let mut new = old.clone();
/// new.info.description = Some("new words".into());
/// assert!(thoughtindustries_contract::diff(old, &new).iter().all(|c| !c.breaking));
/// ```
pub fn diff(old: &openapiv3::OpenAPI, new: &openapiv3::OpenAPI) -> Vec<Change> {
    let old = serde_json::to_value(old).unwrap_or_default();
    let new = serde_json::to_value(new).unwrap_or_default();
    diff_values(&old, &new)
}

/// Like [`diff`], from the two specs' YAML or JSON text.
///
/// ```
/// let old = thoughtindustries_contract::EMBEDDED_SPEC;
/// let new = old.replace("      operationId: list_meetings", "      operationId: meetings");
/// let changes = thoughtindustries_contract::diff_text(old, &new).unwrap();
/// assert_eq!(
///     changes[0].to_string(),
///     "breaking: changed operationId of GET /incoming/v2/meetings from `list_meetings` to `meetings`"
/// );
/// ```
pub fn diff_text(old: &str, new: &str) -> Result<Vec<Change>, ContractError> {
    let old = crate::Spec::parse(old)?;
    let new = crate::Spec::parse(new)?;
    Ok(diff_values(old.document(), new.document()))
}

/// Like [`diff`], on the two specs as raw JSON values (as parsed from YAML).
pub fn diff_values(old: &Value, new: &Value) -> Vec<Change> {
    let mut differ = Differ {
        old,
        new,
        changes: Vec::new(),
    };
    differ.operations();
    differ.components();
    differ.changes
}

/// Which way a schema's values travel.
#[derive(Debug, Clone, Copy, Default)]
struct Direction {
    response: bool,
    request: bool,
}

const RESPONSE: Direction = Direction {
    response: true,
    request: false,
};
const REQUEST: Direction = Direction {
    response: false,
    request: true,
};

/// Keywords compared as plain values (any change is a [`ChangeKind::ConstraintChanged`]).
const CONSTRAINTS: [&str; 15] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "additionalProperties",
    "default",
];

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: Vec<Change>,
}

impl<'a> Differ<'a> {
    fn push(&mut self, location: &str, kind: ChangeKind, breaking: bool, message: String) {
        self.changes.push(Change {
            location: location.to_owned(),
            kind,
            breaking,
            message,
        });
    }

    fn operations(&mut self) {
        let old_ops = operations(self.old);
        let new_ops = operations(self.new);
        for (location, old_item, old_op) in &old_ops {
            let Some((_, new_item, new_op)) = new_ops.iter().find(|(l, _, _)| l == location) else {
                self.push(
                    location,
                    ChangeKind::OperationRemoved,
                    true,
                    format!("removed operation {location}"),
                );
                continue;
            };
            let (old_id, new_id) = (old_op.get("operationId"), new_op.get("operationId"));
            if old_id != new_id {
                self.push(
                    location,
                    ChangeKind::OperationIdChanged,
                    true,
                    format!(
                        "changed operationId of {location} from {} to {}",
                        shown(old_id),
                        shown(new_id)
                    ),
                );
            }
            for key in ["summary", "description"] {
                if old_op.get(key) != new_op.get(key) {
                    self.push(
                        location,
                        ChangeKind::DescriptionChanged,
                        false,
                        format!("changed the {key} of {location}"),
                    );
                }
            }
            self.parameters(location, (old_item, old_op), (new_item, new_op));
            self.responses(location, old_op, new_op);
        }
        for (location, _, _) in &new_ops {
            if !old_ops.iter().any(|(l, _, _)| l == location) {
                self.push(
                    location,
                    ChangeKind::OperationAdded,
                    false,
                    format!("added operation {location}"),
                );
            }
        }
    }

    fn parameters(&mut self, op: &str, old: (&Value, &Value), new: (&Value, &Value)) {
        let old_params = parameters(self.old, old.0, old.1);
        let new_params = parameters(self.new, new.0, new.1);
        for ((place, name), old_param) in &old_params {
            let location = format!("{op} parameter {name}");
            let subject = format!("{place} parameter `{name}` of {op}");
            let Some((_, new_param)) = new_params
                .iter()
                .find(|(k, _)| k == &(place.clone(), name.clone()))
            else {
                self.push(
                    &location,
                    ChangeKind::ParameterRemoved,
                    true,
                    format!("removed {subject}"),
                );
                continue;
            };
            match (is_required(old_param), is_required(new_param)) {
                (false, true) => self.push(
                    &location,
                    ChangeKind::ParameterMadeRequired,
                    true,
                    format!("made {subject} required"),
                ),
                (true, false) => self.push(
                    &location,
                    ChangeKind::ParameterMadeOptional,
                    false,
                    format!("made {subject} optional"),
                ),
                _ => {}
            }
            if old_param.get("description") != new_param.get("description") {
                self.push(
                    &location,
                    ChangeKind::DescriptionChanged,
                    false,
                    format!("changed the description of {subject}"),
                );
            }
            if let (Some(old_schema), Some(new_schema)) =
                (old_param.get("schema"), new_param.get("schema"))
            {
                self.schema(&location, &subject, old_schema, new_schema, REQUEST);
            }
        }
        for ((place, name), new_param) in &new_params {
            if old_params
                .iter()
                .any(|(k, _)| k == &(place.clone(), name.clone()))
            {
                continue;
            }
            let location = format!("{op} parameter {name}");
            if is_required(new_param) {
                self.push(
                    &location,
                    ChangeKind::RequiredParameterAdded,
                    true,
                    format!("added required {place} parameter `{name}` of {op}"),
                );
            } else {
                self.push(
                    &location,
                    ChangeKind::ParameterAdded,
                    false,
                    format!("added optional {place} parameter `{name}` of {op}"),
                );
            }
        }
    }

    fn responses(&mut self, op: &str, old_op: &Value, new_op: &Value) {
        let empty = serde_json::Map::new();
        let old_responses = old_op
            .get("responses")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new_responses = new_op
            .get("responses")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (status, old_response) in old_responses {
            let location = format!("{op} response {status}");
            let Some(new_response) = new_responses.get(status) else {
                self.push(
                    &location,
                    ChangeKind::ResponseStatusRemoved,
                    true,
                    format!("removed response {status} of {op}"),
                );
                continue;
            };
            let old_response = deref(self.old, old_response);
            let new_response = deref(self.new, new_response);
            let old_schema = json_schema_of(old_response);
            let new_schema = json_schema_of(new_response);
            let subject = format!("the body of response {status} of {op}");
            match (old_schema, new_schema) {
                (Some(_), None) => self.push(
                    &location,
                    ChangeKind::ResponseBodyRemoved,
                    true,
                    format!("removed {subject}"),
                ),
                (None, Some(_)) => self.push(
                    &location,
                    ChangeKind::ResponseBodyAdded,
                    false,
                    format!("added {subject}"),
                ),
                (Some(old_schema), Some(new_schema)) => {
                    self.schema(&location, &subject, old_schema, new_schema, RESPONSE);
                }
                (None, None) => {}
            }
        }
        for status in new_responses.keys() {
            if !old_responses.contains_key(status) {
                let location = format!("{op} response {status}");
                self.push(
                    &location,
                    ChangeKind::ResponseStatusAdded,
                    false,
                    format!("added response {status} of {op}"),
                );
            }
        }
    }

    fn components(&mut self) {
        let empty = serde_json::Map::new();
        let schemas = |doc: &'a Value| {
            doc.pointer("/components/schemas")
                .and_then(Value::as_object)
        };
        let old_schemas = schemas(self.old).unwrap_or(&empty);
        let new_schemas = schemas(self.new).unwrap_or(&empty);
        let usage = usage(self.old);
        for (name, old_schema) in old_schemas {
            let location = format!("components.schemas.{name}");
            let Some(new_schema) = new_schemas.get(name) else {
                self.push(
                    &location,
                    ChangeKind::SchemaRemoved,
                    true,
                    format!("removed schema {location}"),
                );
                continue;
            };
            let direction = usage
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, d)| *d)
                .filter(|d| d.request || d.response)
                .unwrap_or(RESPONSE);
            self.schema(&location, &location, old_schema, new_schema, direction);
        }
        for name in new_schemas.keys() {
            if !old_schemas.contains_key(name) {
                let location = format!("components.schemas.{name}");
                self.push(
                    &location,
                    ChangeKind::SchemaAdded,
                    false,
                    format!("added schema {location}"),
                );
            }
        }
    }

    /// Compares two schemas at `location`; `subject` names it in messages.
    fn schema(&mut self, location: &str, subject: &str, old: &Value, new: &Value, dir: Direction) {
        let old = Shape::of(old);
        let new = Shape::of(new);
        if old.description != new.description {
            self.push(
                location,
                ChangeKind::DescriptionChanged,
                false,
                format!("changed the description of {subject}"),
            );
        }
        match (old.nullable, new.nullable) {
            (false, true) => self.push(
                location,
                ChangeKind::MadeNullable,
                dir.response,
                format!("made {subject} nullable"),
            ),
            (true, false) => self.push(
                location,
                ChangeKind::MadeNonNullable,
                dir.request,
                format!("made {subject} non-nullable"),
            ),
            _ => {}
        }
        match (old.reference, new.reference) {
            (Some(a), Some(b)) if a == b => return,
            (None, None) => {}
            (a, b) => {
                let show = |r: Option<&str>| {
                    r.map_or_else(|| "an inline schema".to_owned(), |r| format!("`{r}`"))
                };
                self.push(
                    location,
                    ChangeKind::TypeChanged,
                    true,
                    format!(
                        "changed the schema of {subject} from {} to {}",
                        show(a),
                        show(b)
                    ),
                );
                return;
            }
        }
        let (old, new) = (old.body, new.body);
        if old.get("type") != new.get("type") {
            self.push(
                location,
                ChangeKind::TypeChanged,
                true,
                format!(
                    "changed the type of {subject} from {} to {}",
                    shown(old.get("type")),
                    shown(new.get("type"))
                ),
            );
            return;
        }
        if old.get("format") != new.get("format") {
            self.push(
                location,
                ChangeKind::FormatChanged,
                true,
                format!(
                    "changed the format of {subject} from {} to {}",
                    shown(old.get("format")),
                    shown(new.get("format"))
                ),
            );
        }
        for keyword in ["allOf", "anyOf", "oneOf", "not"] {
            if old.get(keyword) != new.get(keyword) {
                self.push(
                    location,
                    ChangeKind::TypeChanged,
                    true,
                    format!("changed `{keyword}` of {subject}"),
                );
            }
        }
        self.enums(
            location,
            subject,
            forms::enum_values(old).map(|(_, v)| v),
            forms::enum_values(new).map(|(_, v)| v),
        );
        for keyword in CONSTRAINTS {
            if old.get(keyword) != new.get(keyword) {
                self.push(
                    location,
                    ChangeKind::ConstraintChanged,
                    dir.request,
                    format!(
                        "changed `{keyword}` of {subject} from {} to {}",
                        shown(old.get(keyword)),
                        shown(new.get(keyword))
                    ),
                );
            }
        }
        if let (Some(old_items), Some(new_items)) = (old.get("items"), new.get("items")) {
            let items = format!("{location}.items");
            self.schema(
                &items,
                &format!("the items of {subject}"),
                old_items,
                new_items,
                dir,
            );
        }
        self.properties(location, subject, old, new, dir);
    }

    fn enums(&mut self, location: &str, subject: &str, old: Option<&Value>, new: Option<&Value>) {
        let values = |v: Option<&Value>| -> Vec<Value> {
            v.and_then(Value::as_array).cloned().unwrap_or_default()
        };
        let (old_values, new_values) = (values(old), values(new));
        if old.is_some() && new.is_none() {
            // The enum was dropped: every value is still allowed.
            self.push(
                location,
                ChangeKind::ConstraintChanged,
                false,
                format!("removed the enumeration of {subject}"),
            );
            return;
        }
        for value in &old_values {
            if new.is_some() && !new_values.contains(value) {
                self.push(
                    location,
                    ChangeKind::EnumValueRemoved,
                    true,
                    format!("removed enum value {value} of {subject}"),
                );
            }
        }
        for value in &new_values {
            if old.is_some() && !old_values.contains(value) {
                self.push(
                    location,
                    ChangeKind::EnumValueAdded,
                    false,
                    format!("added enum value {value} of {subject} (the enumeration is open)"),
                );
            }
        }
        if old.is_none() && new.is_some() {
            self.push(
                location,
                ChangeKind::ConstraintChanged,
                true,
                format!("restricted {subject} to an enumeration"),
            );
        }
    }

    fn properties(
        &mut self,
        location: &str,
        subject: &str,
        old: &Value,
        new: &Value,
        dir: Direction,
    ) {
        let empty = serde_json::Map::new();
        let old_props = old
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new_props = new
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let (old_required, new_required) = (required(old), required(new));
        for (name, old_prop) in old_props {
            let prop_location = format!("{location}.properties.{name}");
            let prop_subject = format!("property `{name}` of {subject}");
            let Some(new_prop) = new_props.get(name) else {
                self.push(
                    &prop_location,
                    ChangeKind::PropertyRemoved,
                    true,
                    format!("removed {prop_subject}"),
                );
                continue;
            };
            match (old_required.contains(name), new_required.contains(name)) {
                (true, false) => self.push(
                    &prop_location,
                    ChangeKind::MadeOptional,
                    dir.response,
                    format!("made {prop_subject} optional (removed from `required`)"),
                ),
                (false, true) => self.push(
                    &prop_location,
                    ChangeKind::MadeRequired,
                    dir.request,
                    format!("made {prop_subject} required"),
                ),
                _ => {}
            }
            self.schema(&prop_location, &prop_subject, old_prop, new_prop, dir);
        }
        for name in new_props.keys() {
            if old_props.contains_key(name) {
                continue;
            }
            let prop_location = format!("{location}.properties.{name}");
            let required = new_required.contains(name);
            let label = if required {
                "required property"
            } else {
                "property"
            };
            self.push(
                &prop_location,
                ChangeKind::PropertyAdded,
                required && dir.request,
                format!("added {label} `{name}` of {subject}"),
            );
        }
    }
}

/// A schema with `nullable`, `description` and a single-`$ref` wrapper looked through: `allOf:
/// [$ref]` (a `type` beside it is allowed: it restates the referenced schema's type), or the
/// portable nullable reference `anyOf: [$ref, {null only}]` (see [`crate::forms`]). Both nullable
/// forms mean "the referenced schema, or null", so rewriting one as the other is no change.
struct Shape<'a> {
    nullable: bool,
    description: Option<&'a Value>,
    /// The referenced schema, when the schema is (a wrapper around) a `$ref`.
    reference: Option<&'a str>,
    body: &'a Value,
}

impl<'a> Shape<'a> {
    fn of(schema: &'a Value) -> Shape<'a> {
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        let description = schema.get("description");
        if let Some(reference) = forms::nullable_reference(schema) {
            return Shape {
                nullable: true,
                description,
                reference: Some(reference),
                body: schema,
            };
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            return Shape {
                nullable,
                description,
                reference: Some(reference),
                body: schema,
            };
        }
        let wrapped = schema
            .get("allOf")
            .and_then(Value::as_array)
            .filter(|all| all.len() == 1);
        let only_wrapper = ["properties", "items", "enum", "format"]
            .iter()
            .all(|k| schema.get(k).is_none());
        if let (Some([inner]), true) = (wrapped.map(Vec::as_slice), only_wrapper)
            && let Some(reference) = inner.get("$ref").and_then(Value::as_str)
        {
            return Shape {
                nullable,
                description,
                reference: Some(reference),
                body: inner,
            };
        }
        Shape {
            nullable,
            description,
            reference: None,
            body: schema,
        }
    }
}

fn shown(value: Option<&Value>) -> String {
    match value {
        None => "(none)".to_owned(),
        Some(Value::String(s)) => format!("`{s}`"),
        Some(other) => format!("`{other}`"),
    }
}

fn is_required(parameter: &Value) -> bool {
    parameter.get("required") == Some(&Value::Bool(true))
}

fn required(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Follows a `$ref` (one level or more) in `document`.
fn deref<'a>(document: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| resolve_pointer(document, r))
        {
            Some(target) => value = target,
            None => break,
        }
    }
    value
}

fn json_schema_of(response: &Value) -> Option<&Value> {
    let content = response.get("content")?.as_object()?;
    content
        .iter()
        .find(|(media, _)| media.as_str() == "application/json" || media.ends_with("+json"))
        .and_then(|(_, media)| media.get("schema"))
}

/// Every operation: `METHOD /path`, its Path Item and its Operation Object.
fn operations(document: &Value) -> Vec<(String, &Value, &Value)> {
    let mut out = Vec::new();
    let paths = document.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let item = deref(document, item);
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                out.push((format!("{} {path}", method.to_uppercase()), item, operation));
            }
        }
    }
    out
}

/// An operation's parameters (path-level ones overridden by operation-level ones), resolved and
/// keyed by (`in`, `name`).
fn parameters<'a>(
    document: &'a Value,
    item: &'a Value,
    operation: &'a Value,
) -> Vec<((String, String), &'a Value)> {
    let mut out: Vec<((String, String), &Value)> = Vec::new();
    for list in [item.get("parameters"), operation.get("parameters")] {
        for parameter in list.and_then(Value::as_array).into_iter().flatten() {
            let parameter = deref(document, parameter);
            let key = |k: &str| {
                parameter
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let key = (key("in"), key("name"));
            out.retain(|(k, _)| k != &key);
            out.push((key, parameter));
        }
    }
    out
}

/// For every component schema, whether it is reached from a response, a request, or both.
/// The names of the component schemas that only requests use (parameters, request bodies), with
/// no response reaching them. A schema used nowhere is not among them: models are generated for
/// every component, so it counts as a response schema.
///
/// ```
/// let spec = thoughtindustries_contract::Spec::embedded();
/// let names = thoughtindustries_contract::breaking::request_only_schemas(spec.document());
/// assert!(!names.contains("Meeting"));
/// ```
pub fn request_only_schemas(document: &Value) -> BTreeSet<String> {
    usage(document)
        .into_iter()
        .filter(|(_, direction)| direction.request && !direction.response)
        .map(|(name, _)| name)
        .collect()
}

fn usage(document: &Value) -> Vec<(String, Direction)> {
    let mut usage: Vec<(String, Direction)> = Vec::new();
    for (_, item, operation) in operations(document) {
        let mut request = Vec::new();
        for (_, parameter) in parameters(document, item, operation) {
            request.push(parameter);
        }
        if let Some(body) = operation.get("requestBody") {
            request.push(deref(document, body));
        }
        let mut response = Vec::new();
        for r in operation
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.values())
        {
            response.push(deref(document, r));
        }
        for (roots, direction) in [(request, REQUEST), (response, RESPONSE)] {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<&Value> = roots;
            while let Some(value) = stack.pop() {
                match value {
                    Value::Object(map) => {
                        if let Some(reference) = map.get("$ref").and_then(Value::as_str)
                            && seen.insert(reference.to_owned())
                            && let Some(target) = resolve_pointer(document, reference)
                        {
                            if let Some(name) = reference.strip_prefix("#/components/schemas/") {
                                match usage.iter_mut().find(|(n, _)| n == name) {
                                    Some((_, d)) => {
                                        d.request |= direction.request;
                                        d.response |= direction.response;
                                    }
                                    None => usage.push((name.to_owned(), direction)),
                                }
                            }
                            stack.push(target);
                        }
                        stack.extend(map.values());
                    }
                    Value::Array(items) => stack.extend(items),
                    _ => {}
                }
            }
        }
    }
    usage
}
