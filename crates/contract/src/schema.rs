//! OpenAPI 3.0 Schema Objects to JSON Schema (draft 2020-12).
//!
//! OpenAPI 3.0 schemas are a dialect of JSON Schema that a JSON Schema validator misreads in a few
//! places. [`convert_document`] rewrites every Schema Object of an OpenAPI document in place, so
//! that JSON Pointers into the converted document are the same as into the spec and a validation
//! error's keyword location (for example `#/components/schemas/User/properties/balance/type`)
//! names the keyword as it is written in `openapi/meetings.yaml`.
//!
//! The rewrites:
//! - `nullable: true` allows `null`: `type: T` becomes `type: [T, "null"]`, an `enum` gains
//!   `null`, and composition keywords (`allOf`, `anyOf`, `oneOf`, `not`) move under
//!   `if: {type: "null"}, else: {...}`, so that `{nullable: true, allOf: [{$ref: ...}]}` accepts
//!   `null` while every other value is checked against the referenced schema (errors inside it are
//!   reported at the referenced schema's own location).
//! - A portable nullable reference (`anyOf: [{$ref}, {null only}]`, see [`crate::forms`]) becomes
//!   the same `if: {type: "null"}, else: {allOf: [{$ref: ...}]}`, so that a value that is not
//!   null is reported against the referenced schema itself, not as "no branch of `anyOf`
//!   matched".
//! - An open enumeration's `x-extensible-enum` is also written as `enum`, so that a value outside
//!   it is reported (the validator makes that finding a notice, not a violation).
//! - A `$ref` ignores its siblings, as OpenAPI 3.0 says; the reference itself is kept as written
//!   (`#/components/schemas/...` resolves inside the converted document).
//! - Boolean `exclusiveMinimum`/`exclusiveMaximum` (draft 4 style) become numeric bounds.
//! - `format` is kept; the validator checks it with its own `format` keyword (`uuid`, `date-time`,
//!   `int32`, `int64`, ...).
//! - `additionalProperties` and `required` are kept as written (an absent `additionalProperties`
//!   allows anything, which is how the spec keeps its objects open).

use serde_json::{Map, Value, json};

use crate::forms;

/// The JSON Schema dialect of the converted document.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Converts one OpenAPI 3.0 Schema Object (and every subschema in it) to JSON Schema 2020-12.
///
/// ```
/// use serde_json::json;
/// let converted = thoughtindustries_contract::schema::convert_schema(
///     &json!({"type": "string", "nullable": true, "enum": ["a", "b"]}),
/// );
/// assert_eq!(converted, json!({"type": ["string", "null"], "enum": ["a", "b", null]}));
/// ```
pub fn convert_schema(schema: &Value) -> Value {
    let Value::Object(object) = schema else {
        return schema.clone();
    };
    if let Some(reference) = object.get("$ref") {
        return json!({ "$ref": reference });
    }
    if let Some(reference) = forms::nullable_reference(schema) {
        let mut out: Map<String, Value> = object
            .iter()
            .filter(|(key, _)| *key != "anyOf")
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        out.insert("if".to_owned(), json!({ "type": "null" }));
        out.insert(
            "else".to_owned(),
            json!({ "allOf": [{ "$ref": reference }] }),
        );
        return Value::Object(out);
    }
    let mut out = Map::new();
    for (key, value) in object {
        let converted = match key.as_str() {
            "nullable" => continue,
            forms::EXTENSIBLE_ENUM => {
                out.insert("enum".to_owned(), value.clone());
                value.clone()
            }
            "properties" | "patternProperties" => map_values(value, convert_schema),
            "items" | "not" | "additionalProperties" => convert_schema(value),
            "allOf" | "anyOf" | "oneOf" => map_items(value, convert_schema),
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    exclusive_bound(&mut out, "exclusiveMinimum", "minimum");
    exclusive_bound(&mut out, "exclusiveMaximum", "maximum");
    if object.get("nullable") == Some(&Value::Bool(true)) {
        allow_null(&mut out);
    }
    Value::Object(out)
}

fn map_values(value: &Value, f: fn(&Value) -> Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), f(v))).collect()),
        other => other.clone(),
    }
}

fn map_items(value: &Value, f: fn(&Value) -> Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(f).collect()),
        other => other.clone(),
    }
}

fn exclusive_bound(out: &mut Map<String, Value>, exclusive: &str, inclusive: &str) {
    match out.get(exclusive) {
        Some(Value::Bool(true)) => {
            out.remove(exclusive);
            if let Some(bound) = out.remove(inclusive) {
                out.insert(exclusive.to_owned(), bound);
            }
        }
        Some(Value::Bool(false)) => {
            out.remove(exclusive);
        }
        _ => {}
    }
}

fn allow_null(out: &mut Map<String, Value>) {
    if let Some(Value::String(kind)) = out.get("type") {
        let kind = kind.clone();
        out.insert("type".to_owned(), json!([kind, "null"]));
    }
    if let Some(Value::Array(values)) = out.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    let mut guarded = Map::new();
    for keyword in ["allOf", "anyOf", "oneOf", "not"] {
        if let Some(value) = out.remove(keyword) {
            guarded.insert(keyword.to_owned(), value);
        }
    }
    if !guarded.is_empty() {
        out.insert("if".to_owned(), json!({ "type": "null" }));
        out.insert("else".to_owned(), Value::Object(guarded));
    }
}

/// Maps a keyword location in the converted document back to the spec: drops the `else` segments
/// that [`convert_schema`] introduced for nullable compositions.
///
/// OpenAPI 3.0 has no `if`/`else` keywords, so an `else` segment in keyword position is always
/// ours; an `else` that names a property (after `properties`) is kept.
pub fn spec_location(converted: &str) -> String {
    let mut out = String::new();
    let mut previous = "";
    for segment in converted.split('/').skip(1) {
        if segment == "else" && previous != "properties" {
            previous = segment;
            continue;
        }
        out.push('/');
        out.push_str(segment);
        previous = segment;
    }
    out
}

/// JSON Pointers (without the leading `#`) of every Schema Object root in an OpenAPI 3.0
/// document: component schemas and the `schema` of every parameter, header, media type (of
/// request bodies and responses), in components and in operations. Subschemas are not listed.
pub fn schema_roots(document: &Value) -> Vec<String> {
    let mut roots = Vec::new();
    let components = document.get("components");
    let entries = |kind: &str| -> Vec<(String, Value)> {
        components
            .and_then(|c| c.get(kind))
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    for (name, _) in entries("schemas") {
        roots.push(format!("/components/schemas/{}", escape(&name)));
    }
    for (name, parameter) in entries("parameters") {
        parameter_roots(
            &parameter,
            &format!("/components/parameters/{}", escape(&name)),
            &mut roots,
        );
    }
    for (name, header) in entries("headers") {
        parameter_roots(
            &header,
            &format!("/components/headers/{}", escape(&name)),
            &mut roots,
        );
    }
    for (name, response) in entries("responses") {
        response_roots(
            &response,
            &format!("/components/responses/{}", escape(&name)),
            &mut roots,
        );
    }
    for (name, body) in entries("requestBodies") {
        content_roots(
            &body,
            &format!("/components/requestBodies/{}", escape(&name)),
            &mut roots,
        );
    }
    let paths = document.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let base = format!("/paths/{}", escape(path));
        list_roots(
            item.get("parameters"),
            &format!("{base}/parameters"),
            &mut roots,
            parameter_roots,
        );
        for method in crate::spec::METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let base = format!("{base}/{method}");
            list_roots(
                operation.get("parameters"),
                &format!("{base}/parameters"),
                &mut roots,
                parameter_roots,
            );
            if let Some(body) = operation.get("requestBody") {
                content_roots(body, &format!("{base}/requestBody"), &mut roots);
            }
            let responses = operation.get("responses").and_then(Value::as_object);
            for (status, response) in responses.into_iter().flatten() {
                response_roots(
                    response,
                    &format!("{base}/responses/{}", escape(status)),
                    &mut roots,
                );
            }
        }
    }
    roots
}

fn list_roots(
    list: Option<&Value>,
    base: &str,
    roots: &mut Vec<String>,
    f: fn(&Value, &str, &mut Vec<String>),
) {
    for (index, entry) in list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        f(entry, &format!("{base}/{index}"), roots);
    }
}

fn parameter_roots(parameter: &Value, base: &str, roots: &mut Vec<String>) {
    if parameter.get("schema").is_some() {
        roots.push(format!("{base}/schema"));
    }
    content_roots(parameter, base, roots);
}

fn response_roots(response: &Value, base: &str, roots: &mut Vec<String>) {
    content_roots(response, base, roots);
    let headers = response.get("headers").and_then(Value::as_object);
    for (name, header) in headers.into_iter().flatten() {
        parameter_roots(header, &format!("{base}/headers/{}", escape(name)), roots);
    }
}

fn content_roots(holder: &Value, base: &str, roots: &mut Vec<String>) {
    let content = holder.get("content").and_then(Value::as_object);
    for (media, media_type) in content.into_iter().flatten() {
        if media_type.get("schema").is_some() {
            roots.push(format!("{base}/content/{}/schema", escape(media)));
        }
    }
}

/// Escapes one JSON Pointer reference token (`~` as `~0`, `/` as `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Converts an OpenAPI 3.0 document (as JSON) into a JSON Schema document: a copy in which every
/// Schema Object root listed by [`schema_roots`] is converted with [`convert_schema`], with
/// `$schema` set to [`DIALECT`]. Any schema of the spec can then be addressed as
/// `{"$ref": "#/components/schemas/Meeting"}` (or any other pointer) against this document.
pub fn convert_document(document: &Value) -> Value {
    let mut converted = document.clone();
    for root in schema_roots(document) {
        if let Some(slot) = converted.pointer_mut(&root) {
            *slot = convert_schema(slot);
        }
    }
    if let Value::Object(map) = &mut converted {
        map.insert("$schema".to_owned(), Value::String(DIALECT.to_owned()));
    }
    converted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_nullable_reference_forms_move_under_else_and_open_enums_list_their_values() {
        let legacy = json!({
            "nullable": true,
            "description": "d",
            "allOf": [{"$ref": "#/components/schemas/X"}]
        });
        let portable = json!({
            "description": "d",
            "anyOf": [
                {"$ref": "#/components/schemas/X"},
                {"type": "string", "nullable": true, "enum": [null]}
            ]
        });
        for schema in [legacy, portable] {
            assert_eq!(
                convert_schema(&schema),
                json!({
                    "description": "d",
                    "if": {"type": "null"},
                    "else": {"allOf": [{"$ref": "#/components/schemas/X"}]}
                })
            );
        }
        assert_eq!(
            convert_schema(&json!({"type": "string", "x-extensible-enum": ["a"]})),
            json!({"type": "string", "x-extensible-enum": ["a"], "enum": ["a"]})
        );
    }

    #[test]
    fn ref_drops_siblings_and_exclusive_bounds_become_numeric() {
        assert_eq!(
            convert_schema(&json!({"$ref": "#/a", "description": "x"})),
            json!({"$ref": "#/a"})
        );
        assert_eq!(
            convert_schema(&json!({"type": "integer", "minimum": 1, "exclusiveMinimum": true})),
            json!({"type": "integer", "exclusiveMinimum": 1})
        );
    }

    #[test]
    fn spec_location_drops_only_keyword_else() {
        assert_eq!(
            spec_location("/components/schemas/A/properties/else/else/allOf/0"),
            "/components/schemas/A/properties/else/allOf/0"
        );
    }
}
