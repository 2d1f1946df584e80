//! Drift into a spec edit: the spec's text with what was seen described, and nothing else
//! changed.
//!
//! [`propose`] adds, for each [undocumented field](crate::UndocumentedField), a property to the
//! schema it was found under: optional (never added to `required`), `nullable: true` (a sample
//! proves that a field exists, not that it is always sent), its type and the format every value
//! matched, and a description saying that it was observed in responses and is not in the vendor's
//! reference. A new object gets its own properties, recursively; an object found under the same
//! name in two or more schemas becomes one named component that each refers to (as a nullable
//! reference, the spec's portable form). Values seen in more than one type, or only as `null`,
//! are described without a type (any JSON value). New values of open enumerations are appended
//! to their `x-extensible-enum`.
//!
//! The edit is made in the text, by inserting lines (and enumeration values) only, so that
//! everything else stays byte for byte as it was and `git diff` shows only additions. The result
//! is then parsed and compared with the intended document; any difference is an error, never a
//! silent change.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::drift::{Drift, Kind, Shape, UndocumentedField, schema_name};
use crate::yaml_text::{Node, Text};
use crate::{ContractError, Spec, forms, schema};

/// A proposed spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// The spec's text with the additions.
    pub text: String,
    /// One line per addition (`Meeting.recordingUrl: string (uri)`,
    /// `CourseStatus: new value "retired"`, `components.schemas.Recording`); empty when the spec
    /// already describes everything in the drift.
    pub additions: Vec<String>,
}

/// Writes `drift` into the spec `text` (OpenAPI 3.0 YAML): how each addition is written is in
/// `propose.rs`'s module docs.
///
/// Fields and values the spec already describes (for example when `text` is newer than the spec
/// the drift was found against) are skipped. Fails when a schema named in the drift is not in
/// `text`, or is written in a form this edit cannot extend (flow style).
///
/// ```
/// use serde_json::json;
/// use thoughtindustries_contract::{EMBEDDED_SPEC, Spec, propose};
///
/// let mut body: serde_json::Value =
///     serde_json::from_str(thoughtindustries_spec::examples::REFERENCE_PAGE).unwrap();
/// body["data"]["Meetings"]["meetings"][0]["recordingUrl"] = json!("https://example.com/r/1");
/// let report = Spec::embedded().validate_response("list_meetings", 200, &body).unwrap();
/// let proposal = propose(EMBEDDED_SPEC, &report.drift).unwrap();
/// assert_eq!(proposal.additions, ["Meeting.recordingUrl: string (uri)"]);
///
/// let updated = Spec::parse(&proposal.text).unwrap();
/// let report = updated.validate_response("list_meetings", 200, &body).unwrap();
/// assert!(report.drift.is_empty());
/// ```
pub fn propose(text: &str, drift: &Drift) -> Result<Proposal, ContractError> {
    let original = Spec::parse(text)?.document().clone();
    let fail = |reason: String| ContractError::CannotPropose(reason);
    let located = Text::new(text);
    let mut plan = Plan::new(&original, drift);
    plan.build()?;

    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut expected = original.clone();
    for (owner, properties) in &plan.properties {
        let path = pointer_keys(owner);
        let mut properties_path = path.clone();
        properties_path.push("properties".to_owned());
        let node = located
            .locate(&properties_path)
            .map_err(|e| fail(format!("{}: {e}", schema_name(owner))))?;
        let (offset, newline, indent) = located
            .append_point(node)
            .map_err(|e| fail(format!("{}'s properties: {e}", schema_name(owner))))?;
        let step = step(node, indent);
        let mut lines = String::from(if newline { "\n" } else { "" });
        let target = pointer_mut(&mut expected, &properties_path)
            .and_then(Value::as_object_mut)
            .ok_or_else(|| fail(format!("{} has no properties", schema_name(owner))))?;
        for (name, schema) in properties {
            emit_entry(&mut lines, indent, step, name, schema);
            target.insert(name.clone(), schema.to_json());
        }
        inserts.push((offset, lines));
    }
    if !plan.components.is_empty() {
        let path = vec!["components".to_owned(), "schemas".to_owned()];
        let node = located
            .locate(&path)
            .map_err(|e| fail(format!("components.schemas: {e}")))?;
        let (offset, newline, indent) = located
            .append_point(node)
            .map_err(|e| fail(format!("components.schemas: {e}")))?;
        let step = step(node, indent);
        let mut lines = String::from(if newline { "\n" } else { "" });
        let target = pointer_mut(&mut expected, &path)
            .and_then(Value::as_object_mut)
            .ok_or_else(|| fail("the spec has no components.schemas".to_owned()))?;
        for (name, schema) in &plan.components {
            emit_entry(&mut lines, indent, step, name, schema);
            target.insert(name.clone(), schema.to_json());
        }
        inserts.push((offset, lines));
    }
    for (owner, values) in &plan.enum_values {
        let mut path = pointer_keys(owner);
        path.push(forms::EXTENSIBLE_ENUM.to_owned());
        let node = located
            .locate(&path)
            .map_err(|e| fail(format!("{}: {e}", schema_name(owner))))?;
        let insert = match node {
            Node::Inline { start, line } => {
                let (end, empty) = located.flow_sequence_end(start).ok_or_else(|| {
                    fail(format!(
                        "{}'s {} (line {}) is not a flow sequence",
                        schema_name(owner),
                        forms::EXTENSIBLE_ENUM,
                        located.line_number(line)
                    ))
                })?;
                let rendered: Vec<String> = values.iter().map(|v| scalar(v)).collect();
                let separator = if empty { "" } else { ", " };
                (end, format!("{separator}{}", rendered.join(", ")))
            }
            block => {
                let (offset, newline, indent) =
                    located.sequence_append_point(block).ok_or_else(|| {
                        fail(format!(
                            "{}'s {} is neither a flow nor a block sequence",
                            schema_name(owner),
                            forms::EXTENSIBLE_ENUM
                        ))
                    })?;
                let mut lines = String::from(if newline { "\n" } else { "" });
                for value in values {
                    lines.push_str(&format!("{}- {}\n", " ".repeat(indent), scalar(value)));
                }
                (offset, lines)
            }
        };
        inserts.push(insert);
        let target = pointer_mut(&mut expected, &path)
            .and_then(Value::as_array_mut)
            .ok_or_else(|| fail(format!("{} has no list of values", schema_name(owner))))?;
        target.extend(values.iter().map(|v| json!(v)));
    }

    inserts.sort_by_key(|(offset, _)| std::cmp::Reverse(*offset));
    let mut out = text.to_owned();
    for (offset, insert) in inserts {
        out.insert_str(offset, &insert);
    }
    let proposed = Spec::parse(&out)
        .map_err(|e| fail(format!("the edited text does not parse: {e}")))?
        .document()
        .clone();
    if proposed != expected {
        return Err(fail(
            "the edited text does not mean the intended document (an unusual YAML form near an \
             insertion point)"
                .to_owned(),
        ));
    }
    Ok(Proposal {
        text: out,
        additions: plan.additions,
    })
}

/// A schema to write, with its keys in the order they are written.
#[derive(Debug, Clone)]
enum Yaml {
    Scalar(Value),
    /// A block mapping (`{}` when empty).
    Map(Vec<(String, Yaml)>),
    /// A flow mapping on one line.
    FlowMap(Vec<(String, Yaml)>),
    /// A block sequence.
    Seq(Vec<Yaml>),
}

impl Yaml {
    fn to_json(&self) -> Value {
        match self {
            Yaml::Scalar(v) => v.clone(),
            Yaml::Map(entries) | Yaml::FlowMap(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect::<Map<_, _>>(),
            ),
            Yaml::Seq(items) => Value::Array(items.iter().map(Yaml::to_json).collect()),
        }
    }

    fn inline(&self) -> Option<String> {
        match self {
            Yaml::Scalar(Value::String(s)) => Some(scalar(s)),
            Yaml::Scalar(v) => Some(v.to_string()),
            Yaml::Map(entries) if entries.is_empty() => Some("{}".to_owned()),
            Yaml::FlowMap(entries) => Some(format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", scalar(k), v.inline_flow()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            _ => None,
        }
    }

    fn inline_flow(&self) -> String {
        match self {
            Yaml::Seq(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Yaml::inline_flow)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Yaml::Map(entries) => Yaml::FlowMap(entries.clone()).inline_flow(),
            other => other.inline().unwrap_or_default(),
        }
    }
}

fn s(text: &str) -> Yaml {
    Yaml::Scalar(Value::String(text.to_owned()))
}

/// A string as a YAML scalar: plain when it cannot be read as anything else, else double-quoted
/// (a JSON string is a valid YAML double-quoted scalar).
fn scalar(text: &str) -> String {
    let plain = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '-' | '.'))
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        text.to_owned()
    } else {
        Value::String(text.to_owned()).to_string()
    }
}

/// Writes `key: value` at `indent` (nested blocks `step` deeper).
fn emit_entry(out: &mut String, indent: usize, step: usize, key: &str, value: &Yaml) {
    emit_with_prefix(out, &" ".repeat(indent), indent, step, key, value);
}

fn emit_with_prefix(
    out: &mut String,
    prefix: &str,
    indent: usize,
    step: usize,
    key: &str,
    value: &Yaml,
) {
    out.push_str(prefix);
    out.push_str(&scalar(key));
    out.push(':');
    if let Some(inline) = value.inline() {
        out.push(' ');
        out.push_str(&inline);
        out.push('\n');
        return;
    }
    out.push('\n');
    let inner = indent + step;
    match value {
        Yaml::Map(entries) => {
            for (k, v) in entries {
                emit_entry(out, inner, step, k, v);
            }
        }
        Yaml::Seq(items) => {
            for item in items {
                let dash = format!("{}- ", " ".repeat(inner));
                match item {
                    Yaml::Map(entries) if !entries.is_empty() => {
                        let item_indent = inner + 2;
                        for (i, (k, v)) in entries.iter().enumerate() {
                            let prefix = if i == 0 {
                                dash.clone()
                            } else {
                                " ".repeat(item_indent)
                            };
                            emit_with_prefix(out, &prefix, item_indent, step, k, v);
                        }
                    }
                    other => {
                        out.push_str(&dash);
                        out.push_str(&other.inline_flow());
                        out.push('\n');
                    }
                }
            }
        }
        _ => unreachable!("scalars and flow mappings are inline"),
    }
}

/// The indentation step of the block mapping `node` whose keys are at `indent`.
fn step(node: Node, indent: usize) -> usize {
    match node {
        Node::Block {
            key_indent: Some(key),
            ..
        } if indent > key => indent - key,
        _ => 2,
    }
}

/// `#/components/schemas/Meeting` as keys: `["components", "schemas", "Meeting"]`.
fn pointer_keys(pointer: &str) -> Vec<String> {
    pointer
        .trim_start_matches('#')
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn pointer_mut<'v>(value: &'v mut Value, keys: &[String]) -> Option<&'v mut Value> {
    let pointer: String = keys
        .iter()
        .map(|k| format!("/{}", schema::escape(k)))
        .collect();
    value.pointer_mut(&pointer)
}

/// What to add, decided before any text is touched.
struct Plan<'d> {
    document: &'d Value,
    drift: &'d Drift,
    /// Owner schema pointer -> new properties.
    properties: BTreeMap<String, Vec<(String, Yaml)>>,
    /// New components, by name.
    components: Vec<(String, Yaml)>,
    /// Enumeration schema pointer -> new values.
    enum_values: BTreeMap<String, Vec<String>>,
    additions: Vec<String>,
}

const ADDED_BY: &str = "Added by `ti contract --propose`";

impl<'d> Plan<'d> {
    fn new(document: &'d Value, drift: &'d Drift) -> Self {
        Self {
            document,
            drift,
            properties: BTreeMap::new(),
            components: Vec::new(),
            enum_values: BTreeMap::new(),
            additions: Vec::new(),
        }
    }

    fn build(&mut self) -> Result<(), ContractError> {
        let mut fields: Vec<&UndocumentedField> = Vec::new();
        for field in self.drift.fields() {
            let owner =
                crate::spec::resolve_pointer(self.document, &field.schema).ok_or_else(|| {
                    ContractError::CannotPropose(format!(
                        "the spec has no schema {} ({}), where {} was seen",
                        schema_name(&field.schema),
                        field.schema,
                        field.name
                    ))
                })?;
            let properties = owner.get("properties").and_then(Value::as_object);
            if properties.is_some_and(|p| p.contains_key(&field.name)) {
                continue; // described since
            }
            fields.push(field);
        }
        let components = self.components_for(&fields);
        for field in fields {
            let records = self.drift.records(&field.schema);
            let description = format!(
                "Observed in responses, not in the vendor's reference (carried by {} of {} {} \
                 record(s) checked). {ADDED_BY}: optional and nullable, since a sample proves \
                 that the field exists, not that it is always sent.",
                field.shape.seen,
                records,
                schema_name(&field.schema)
            );
            let schema = match component_key(field).and_then(|key| components.get(&key)) {
                Some(component) => reference_property(&field.shape, component, description),
                None => shape_schema(&field.shape, Some(description), true),
            };
            self.additions
                .push(format!("{}: {}", field.display_name(), field.shape));
            self.properties
                .entry(field.schema.clone())
                .or_default()
                .push((field.name.clone(), schema));
        }
        for value in self.drift.enum_values() {
            let listed = crate::spec::resolve_pointer(self.document, &value.schema)
                .and_then(|s| s.get(forms::EXTENSIBLE_ENUM))
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    ContractError::CannotPropose(format!(
                        "the spec has no open enumeration at {}",
                        value.schema
                    ))
                })?;
            if listed.iter().any(|v| v.as_str() == Some(&value.value)) {
                continue;
            }
            self.additions.push(format!(
                "{}: new value {}",
                schema_name(&value.schema),
                Value::String(value.value.clone())
            ));
            self.enum_values
                .entry(value.schema.clone())
                .or_default()
                .push(value.value.clone());
        }
        Ok(())
    }

    /// Objects (or arrays of objects) seen under the same name in two or more schemas: one
    /// component each, by [`component_key`].
    fn components_for(
        &mut self,
        fields: &[&UndocumentedField],
    ) -> BTreeMap<(String, bool), String> {
        let mut by_name: BTreeMap<(String, bool), Vec<&Shape>> = BTreeMap::new();
        for field in fields {
            let Some(key) = component_key(field) else {
                continue;
            };
            let shape = match key.1 {
                true => field.shape.items.as_deref().unwrap_or(&field.shape),
                false => &field.shape,
            };
            by_name.entry(key).or_default().push(shape);
        }
        let mut taken: BTreeSet<String> = self
            .document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let mut names = BTreeMap::new();
        for ((field, array), shapes) in by_name {
            if shapes.len() < 2 {
                continue;
            }
            let mut merged = Shape::default();
            for shape in &shapes {
                merged.merge(shape);
            }
            let base = format!("{}{}", pascal_case(&field), if array { "Item" } else { "" });
            let mut name = base.clone();
            let mut n = 1;
            while taken.contains(&name) {
                n += 1;
                name = if n == 2 {
                    format!("{base}Object")
                } else {
                    format!("{base}Object{n}")
                };
            }
            taken.insert(name.clone());
            let description = format!(
                "An object observed in responses as `{field}`{} in {} schemas, not in the \
                 vendor's reference. {ADDED_BY}.",
                if array { " (array items)" } else { "" },
                shapes.len()
            );
            let mut schema = shape_schema(&merged, Some(description), false);
            if let Yaml::Map(entries) = &mut schema {
                entries.retain(|(k, _)| k != "nullable");
            }
            self.additions
                .push(format!("components.schemas.{name}: {merged}"));
            self.components.push((name.clone(), schema));
            names.insert((field, array), name);
        }
        names
    }
}

/// What makes two fields the same object for [`Plan::components_for`]: the name, and whether
/// the value is an array of objects (`true`) or an object (`false`); `None` for other values.
fn component_key(field: &UndocumentedField) -> Option<(String, bool)> {
    match field.shape.kind() {
        Kind::Object => Some((field.name.clone(), false)),
        Kind::Array
            if field
                .shape
                .items
                .as_ref()
                .is_some_and(|i| i.kind() == Kind::Object) =>
        {
            Some((field.name.clone(), true))
        }
        _ => None,
    }
}

/// `recording_url`, `recording-url` -> `RecordingUrl`; a name that would not start with a letter
/// gets `Observed` in front.
fn pascal_case(name: &str) -> String {
    let mut out = String::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "Observed");
    }
    out
}

/// A property that refers to the component `name` (an object, or an array of them).
fn reference_property(shape: &Shape, name: &str, description: String) -> Yaml {
    let reference = format!("#/components/schemas/{}", schema::escape(name));
    let nullable_ref = || {
        Yaml::Seq(vec![
            Yaml::Map(vec![("$ref".to_owned(), s(&reference))]),
            Yaml::FlowMap(vec![
                ("type".to_owned(), s("object")),
                ("nullable".to_owned(), Yaml::Scalar(json!(true))),
                (
                    "enum".to_owned(),
                    Yaml::Seq(vec![Yaml::Scalar(Value::Null)]),
                ),
            ]),
        ])
    };
    if shape.kind() == Kind::Array {
        let items_nullable = shape.items.as_ref().is_some_and(|i| i.nulls > 0);
        let items = if items_nullable {
            Yaml::Map(vec![("anyOf".to_owned(), nullable_ref())])
        } else {
            Yaml::Map(vec![("$ref".to_owned(), s(&reference))])
        };
        return Yaml::Map(vec![
            ("type".to_owned(), s("array")),
            ("nullable".to_owned(), Yaml::Scalar(json!(true))),
            ("description".to_owned(), s(&description)),
            ("items".to_owned(), items),
        ]);
    }
    Yaml::Map(vec![
        ("description".to_owned(), s(&description)),
        ("anyOf".to_owned(), nullable_ref()),
    ])
}

/// The schema of what `shape` saw: typed when every non-null value had one type, with
/// `nullable: true` when `nullable` (properties) or when a null was seen (array items).
fn shape_schema(shape: &Shape, description: Option<String>, nullable: bool) -> Yaml {
    let mut entries: Vec<(String, Yaml)> = Vec::new();
    let typed = |entries: &mut Vec<(String, Yaml)>, kind: &str, format: Option<&str>| {
        entries.push(("type".to_owned(), s(kind)));
        if let Some(format) = format {
            entries.push(("format".to_owned(), s(format)));
        }
        if nullable || shape.nulls > 0 {
            entries.push(("nullable".to_owned(), Yaml::Scalar(json!(true))));
        }
    };
    let kind = shape.kind();
    match kind {
        Kind::String => typed(&mut entries, "string", shape.format()),
        Kind::Integer => typed(&mut entries, "integer", Some("int64")),
        Kind::Number => typed(&mut entries, "number", Some("double")),
        Kind::Boolean => typed(&mut entries, "boolean", None),
        Kind::Object => typed(&mut entries, "object", None),
        Kind::Array => typed(&mut entries, "array", None),
        Kind::Null | Kind::Mixed => {}
    }
    let untyped_note = match kind {
        Kind::Null => Some("Only `null` was seen: any JSON value.".to_owned()),
        Kind::Mixed => Some(format!(
            "Seen as {}: any JSON value.",
            shape
                .types()
                .into_iter()
                .filter(|t| *t != "null")
                .collect::<Vec<_>>()
                .join(" or ")
        )),
        _ => None,
    };
    let description = match (description, untyped_note) {
        (Some(d), Some(note)) => Some(format!("{d} {note}")),
        (d, None) => d,
        (None, Some(note)) => Some(note),
    };
    if let Some(description) = description {
        entries.push(("description".to_owned(), s(&description)));
    }
    match kind {
        Kind::Object if !shape.fields.is_empty() => {
            let properties = shape
                .fields
                .iter()
                .map(|(name, field)| {
                    let description = format!(
                        "Observed in responses, not in the vendor's reference (in {} of {} \
                         object(s) checked). {ADDED_BY}.",
                        field.seen, shape.objects
                    );
                    (name.clone(), shape_schema(field, Some(description), true))
                })
                .collect();
            entries.push(("properties".to_owned(), Yaml::Map(properties)));
        }
        Kind::Array => {
            let items = match &shape.items {
                Some(items) => shape_schema(items, None, false),
                None => Yaml::Map(Vec::new()),
            };
            entries.push(("items".to_owned(), items));
        }
        _ => {}
    }
    Yaml::Map(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_plain_only_when_unambiguous() {
        assert_eq!(scalar("retired"), "retired");
        assert_eq!(scalar("$ref"), "$ref");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("42"), "\"42\"");
        assert_eq!(scalar("a b: c"), "\"a b: c\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(pascal_case("recording_url"), "RecordingUrl");
        assert_eq!(pascal_case("9lives"), "Observed9lives");
    }
}
