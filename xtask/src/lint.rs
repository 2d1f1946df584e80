//! `cargo xtask lint`: validate the spec.
//!
//! Rules (each finding is printed with its location; any finding fails the task):
//! - the document parses as OpenAPI 3.0.x (3.1 is rejected);
//! - every `$ref` is local and resolves;
//! - every operation has an `operationId`, and no two share one;
//! - every parameter and every schema property has a description (a property that is a bare
//!   `$ref` cannot carry one in 3.0: wrap it as `allOf: [$ref]` with a description);
//! - no component (schema, parameter, response, header, example, ...) is unused;
//! - the portable forms (`thoughtindustries_contract::forms`): no `nullable: true` beside `$ref`,
//!   `allOf`, `anyOf` or `oneOf` (write a nullable reference as `anyOf: [{$ref: R}, {type: T,
//!   nullable: true, enum: [null]}]`; `scripts/portable-nullable.py` rewrites the old form), the
//!   null branch's `type` is the referenced schema's, and no `enum` other than `[null]` in a
//!   schema a response can carry (those enumerations are open: list the known values in
//!   `x-extensible-enum`; parameters and request-only schemas may keep a closed `enum`);
//! - every example (component examples where used, media-type and parameter examples, schema
//!   `example`s) validates against its schema, with the contract crate;
//! - `openapi/examples/reference-page.json` equals the `ReferencePage` example's value.

use std::collections::{BTreeSet, VecDeque};
use std::fmt;

use anyhow::{Context, Result, bail};
use serde_json::Value;
use thoughtindustries_contract::{METHODS, Spec, forms, resolve_pointer, schema};

/// The example file that must equal `components.examples.ReferencePage.value`.
const REFERENCE_PAGE: &str = "openapi/examples/reference-page.json";

/// One problem, at a location in the spec.
pub(crate) struct Finding {
    location: String,
    message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Runs every lint rule over the spec: `openapi/meetings.yaml`, or `spec` (for example a spec
/// written by `ti contract --propose`).
pub fn run(spec: Option<std::path::PathBuf>) -> Result<()> {
    let path = spec.unwrap_or_else(crate::spec::spec_path);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let reference = crate::spec::workspace_root().join(REFERENCE_PAGE);
    let reference = std::fs::read_to_string(&reference)
        .with_context(|| format!("reading {}", reference.display()))?;
    let findings = lint(&text, &reference);
    for finding in &findings {
        println!("{finding}");
    }
    if !findings.is_empty() {
        bail!("{}: {} lint finding(s)", path.display(), findings.len());
    }
    eprintln!("lint: {} is clean", path.display());
    Ok(())
}

pub(crate) fn lint(text: &str, reference_page: &str) -> Vec<Finding> {
    let spec = match Spec::parse(text) {
        Ok(spec) => spec,
        Err(error) => return vec![finding("#", error.to_string())],
    };
    let mut findings = Vec::new();
    let doc = spec.document();
    refs(doc, &mut findings);
    operation_ids(doc, &mut findings);
    descriptions(doc, &mut findings);
    unused_components(doc, &mut findings);
    portable_forms(doc, &mut findings);
    examples(&spec, &mut findings);
    reference_example(doc, reference_page, &mut findings);
    findings
}

fn finding(location: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding {
        location: location.into(),
        message: message.into(),
    }
}

/// Every `$ref` in `value` with the pointer of the object holding it.
fn collect_refs<'a>(value: &'a Value, pointer: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                out.push((pointer.clone(), reference));
            }
            for (key, child) in map {
                collect_refs(child, format!("{pointer}/{}", schema::escape(key)), out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                collect_refs(child, format!("{pointer}/{index}"), out);
            }
        }
        _ => {}
    }
}

fn refs(doc: &Value, findings: &mut Vec<Finding>) {
    let mut all = Vec::new();
    collect_refs(doc, String::new(), &mut all);
    for (pointer, reference) in all {
        if !reference.starts_with('#') {
            findings.push(finding(
                format!("#{pointer}"),
                format!("external $ref `{reference}` is not supported"),
            ));
        } else if resolve_pointer(doc, reference).is_none() {
            findings.push(finding(
                format!("#{pointer}"),
                format!("$ref `{reference}` does not resolve"),
            ));
        }
    }
}

/// Every operation: its pointer (without `#`) and its value.
fn operations(doc: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                out.push((
                    format!("/paths/{}/{method}", schema::escape(path)),
                    operation,
                ));
            }
        }
    }
    out
}

fn operation_ids(doc: &Value, findings: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    for (pointer, operation) in operations(doc) {
        match operation.get("operationId").and_then(Value::as_str) {
            None => findings.push(finding(
                format!("#{pointer}"),
                "operation has no operationId",
            )),
            Some(id) if !seen.insert(id.to_owned()) => findings.push(finding(
                format!("#{pointer}"),
                format!("operationId `{id}` is used twice"),
            )),
            Some(_) => {}
        }
    }
}

fn has_description(value: &Value) -> bool {
    value
        .get("description")
        .and_then(Value::as_str)
        .is_some_and(|d| !d.trim().is_empty())
}

fn descriptions(doc: &Value, findings: &mut Vec<Finding>) {
    // Parameters: components and inline ones ($refs are checked at their target).
    let mut parameters: Vec<(String, &Value)> = Vec::new();
    for (name, parameter) in doc
        .pointer("/components/parameters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        parameters.push((
            format!("/components/parameters/{}", schema::escape(name)),
            parameter,
        ));
    }
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let base = format!("/paths/{}", schema::escape(path));
        let lists = std::iter::once((base.clone(), item)).chain(
            METHODS
                .iter()
                .filter_map(|m| item.get(m).map(|op| (format!("{base}/{m}"), op))),
        );
        for (base, holder) in lists {
            for (index, parameter) in holder
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if parameter.get("$ref").is_none() {
                    parameters.push((format!("{base}/parameters/{index}"), parameter));
                }
            }
        }
    }
    for (pointer, parameter) in parameters {
        if !has_description(parameter) {
            findings.push(finding(
                format!("#{pointer}"),
                "parameter has no description",
            ));
        }
    }
    // Schema properties, at any depth.
    for root in schema::schema_roots(doc) {
        if let Some(value) = doc.pointer(&root) {
            walk_schemas(value, root, &mut |pointer, schema| {
                for (name, property) in schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let location = format!("#{pointer}/properties/{}", schema::escape(name));
                    if property.get("$ref").is_some() {
                        findings.push(finding(location, "property is a bare $ref, which cannot carry a description in OpenAPI 3.0: wrap it as `allOf: [{$ref: ...}]` with a description"));
                    } else if !has_description(property) {
                        findings.push(finding(location, "property has no description"));
                    }
                }
            });
        }
    }
}

fn portable_forms(doc: &Value, findings: &mut Vec<Finding>) {
    // Enumerations that responses carry must be open; a request may restrict its own values.
    let request_only = thoughtindustries_contract::breaking::request_only_schemas(doc);
    let request_side = |root: &str| {
        root.contains("/parameters/")
            || root.contains("/requestBody")
            || root
                .strip_prefix("/components/schemas/")
                .is_some_and(|name| request_only.contains(name))
    };
    for root in schema::schema_roots(doc) {
        let closed_enum_allowed = request_side(&root);
        let Some(value) = doc.pointer(&root) else {
            continue;
        };
        walk_schemas(value, root, &mut |pointer, schema| {
            let location = format!("#{pointer}");
            if forms::legacy_nullable(schema) {
                findings.push(finding(
                    location.clone(),
                    "`nullable: true` beside a `$ref` or a composition does not allow null under \
                     OpenAPI 3.0.3 (strict tools reject the null): write `anyOf: [{$ref: R}, \
                     {type: T, nullable: true, enum: [null]}]` (scripts/portable-nullable.py)",
                ));
            }
            if let Some(reference) = forms::nullable_reference(schema) {
                let null_branch = schema
                    .get("anyOf")
                    .and_then(Value::as_array)
                    .and_then(|branches| branches.iter().find(|b| forms::is_null_only(b)));
                let expected = resolve_pointer(doc, reference).and_then(|r| r.get("type"));
                let actual = null_branch.and_then(|b| b.get("type"));
                if expected.is_some() && expected != actual {
                    findings.push(finding(
                        location.clone(),
                        format!(
                            "the null branch's type {} is not the type {} of `{reference}`",
                            actual.map_or("(none)".to_owned(), Value::to_string),
                            expected.map_or("(none)".to_owned(), Value::to_string),
                        ),
                    ));
                }
                if null_branch.and_then(|b| b.get("nullable")) != Some(&Value::Bool(true)) {
                    findings.push(finding(
                        location.clone(),
                        "the null branch needs `nullable: true` (OpenAPI 3.0.3 forbids null otherwise)",
                    ));
                }
            }
            if schema.get("nullable") == Some(&Value::Bool(true)) && schema.get("type").is_none() {
                findings.push(finding(
                    location.clone(),
                    "`nullable: true` without `type` means nothing under OpenAPI 3.0.3 (spectral \
                     rejects it): a schema without `type` already admits null",
                ));
            }
            if let (Some(("enum", _)), false) = (forms::enum_values(schema), closed_enum_allowed) {
                findings.push(finding(
                    location,
                    "`enum` is closed for every other tool, but the spec's enumerations are open: \
                     list the known values in `x-extensible-enum` with `type: string`",
                ));
            }
        });
    }
}

/// Calls `f` on `schema` and every subschema in it (not following `$ref`s), with its pointer.
fn walk_schemas<'a>(schema: &'a Value, pointer: String, f: &mut dyn FnMut(&str, &'a Value)) {
    let Value::Object(map) = schema else { return };
    f(&pointer, schema);
    if map.contains_key("$ref") {
        return;
    }
    for (keyword, value) in map {
        let base = format!("{pointer}/{}", schema::escape(keyword));
        match keyword.as_str() {
            "properties" => {
                for (name, child) in value.as_object().into_iter().flatten() {
                    walk_schemas(child, format!("{base}/{}", schema::escape(name)), f);
                }
            }
            "items" | "not" | "additionalProperties" => walk_schemas(value, base, f),
            "allOf" | "anyOf" | "oneOf" => {
                for (index, child) in value.as_array().into_iter().flatten().enumerate() {
                    walk_schemas(child, format!("{base}/{index}"), f);
                }
            }
            _ => {}
        }
    }
}

/// Components reachable from the paths (and the rest of the document outside `components`).
fn unused_components(doc: &Value, findings: &mut Vec<Finding>) {
    let mut queue: VecDeque<String> = VecDeque::new();
    if let Value::Object(map) = doc {
        for (key, value) in map {
            if key != "components" {
                let mut found = Vec::new();
                collect_refs(value, String::new(), &mut found);
                queue.extend(found.into_iter().map(|(_, r)| r.to_owned()));
            }
        }
    }
    let mut used: BTreeSet<(String, String)> = BTreeSet::new();
    while let Some(reference) = queue.pop_front() {
        let mut segments = reference.trim_start_matches("#/").split('/');
        let (Some("components"), Some(kind), Some(name)) =
            (segments.next(), segments.next(), segments.next())
        else {
            continue;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        if !used.insert((kind.to_owned(), name.clone())) {
            continue;
        }
        if let Some(component) = doc
            .get("components")
            .and_then(|c| c.get(kind))
            .and_then(|k| k.get(&name))
        {
            let mut found = Vec::new();
            collect_refs(component, String::new(), &mut found);
            queue.extend(found.into_iter().map(|(_, r)| r.to_owned()));
        }
    }
    let components = doc.get("components").and_then(Value::as_object);
    for (kind, entries) in components.into_iter().flatten() {
        if kind == "securitySchemes" {
            continue; // Referenced by name from `security`, not by $ref.
        }
        for name in entries
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, _)| name)
        {
            if !used.contains(&(kind.clone(), name.clone())) {
                findings.push(finding(
                    format!("#/components/{kind}/{}", schema::escape(name)),
                    "component is never used",
                ));
            }
        }
    }
}

fn examples(spec: &Spec, findings: &mut Vec<Finding>) {
    let doc = spec.document();
    let mut check = |location: String, schema_pointer: &str, example: &Value| match spec
        .validate_pointer(&format!("#{schema_pointer}"), example)
    {
        Ok(report) => {
            for f in &report.findings {
                let line = format!("example does not match #{schema_pointer}: {f}");
                if report.is_valid() {
                    eprintln!("note: {location}: {line}");
                } else {
                    findings.push(finding(location.clone(), line));
                }
            }
        }
        Err(error) => findings.push(finding(location, error.to_string())),
    };
    for root in schema::schema_roots(doc) {
        // Examples of the object holding the schema: a media type, a parameter or a header.
        let holder = root.strip_suffix("/schema");
        if let Some(holder) = holder.and_then(|h| doc.pointer(h).map(|v| (h, v))) {
            let (holder_pointer, holder) = holder;
            if let Some(example) = holder.get("example") {
                check(format!("#{holder_pointer}/example"), &root, example);
            }
            for (name, example) in holder
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let location = format!("#{holder_pointer}/examples/{}", schema::escape(name));
                let example = match example.get("$ref").and_then(Value::as_str) {
                    Some(reference) => resolve_pointer(doc, reference).unwrap_or(&Value::Null),
                    None => example,
                };
                if let Some(value) = example.get("value") {
                    check(location, &root, value);
                }
            }
        }
        // `example` keywords of the schema and its subschemas.
        if let Some(value) = doc.pointer(&root) {
            let mut schema_examples = Vec::new();
            walk_schemas(value, root.clone(), &mut |pointer, schema| {
                if let Some(example) = schema.get("example") {
                    schema_examples.push((pointer.to_owned(), example));
                }
            });
            for (pointer, example) in schema_examples {
                check(format!("#{pointer}/example"), &pointer, example);
            }
        }
    }
}

fn reference_example(doc: &Value, reference_page: &str, findings: &mut Vec<Finding>) {
    let location = "#/components/examples/ReferencePage/value";
    let Some(expected) = doc.pointer("/components/examples/ReferencePage/value") else {
        findings.push(finding(location, "the ReferencePage example is missing"));
        return;
    };
    match serde_json::from_str::<Value>(reference_page) {
        Err(error) => findings.push(finding(REFERENCE_PAGE, format!("not JSON: {error}"))),
        Ok(actual) if &actual != expected => findings.push(finding(
            location,
            format!("differs from {REFERENCE_PAGE}; keep the two identical"),
        )),
        Ok(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = thoughtindustries_contract::EMBEDDED_SPEC;
    const PAGE: &str = thoughtindustries_spec::examples::REFERENCE_PAGE;

    fn messages(text: &str, page: &str) -> Vec<String> {
        lint(text, page).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_spec_is_clean() {
        assert_eq!(messages(SPEC, PAGE), Vec::<String>::new());
    }

    #[test]
    fn a_request_may_keep_a_closed_enum() {
        let closed = SPEC.replace(
            "      schema:\n        type: string\n        format: uuid\n",
            "      schema:\n        type: string\n        format: uuid\n        enum: ['00000000-0000-0000-0000-000000000000']\n",
        );
        assert_ne!(closed, SPEC);
        assert_eq!(messages(&closed, PAGE), Vec::<String>::new());
    }

    #[test]
    fn each_rule_fires() {
        assert!(
            messages(&SPEC.replace("openapi: 3.0.3", "openapi: 3.1.0"), PAGE)[0].contains("3.0.x")
        );
        let broken = SPEC
            .replace("      operationId: list_meetings\n", "")
            .replace("'#/components/schemas/ErrorBody'", "'#/components/schemas/Nope'")
            .replace("description: Filters results to meetings belonging to the specified course.", "")
            .replace("        title:\n          type: string\n          nullable: true\n          description: Display title of the meeting.", "        title:\n          type: string")
            .replace("retryAfter: 32\n    ServerError", "retryAfter: many\n    ServerError")
            .replace("            - {type: object, nullable: true, enum: [null]}\n        joinUrl:", "            - {type: string, nullable: true, enum: [null]}\n        joinUrl:")
            .replace("      x-extensible-enum: [manager, student]", "      enum: [manager, student]")
            .replace(
                "            description: A topic, kept as JSON; null when the vendor sends null.",
                "            nullable: true\n            description: A topic, kept as JSON; null when the vendor sends null.",
            )
            .replace(
                "          description: The course.\n          anyOf:\n            - $ref: '#/components/schemas/Course'\n            - {type: object, nullable: true, enum: [null]}",
                "          type: object\n          nullable: true\n          description: The course.\n          allOf: [{$ref: '#/components/schemas/Course'}]",
            );
        let found = messages(&broken, &PAGE.replace("example-slug", "other"));
        let expect = [
            "#/paths/~1incoming~1v2~1meetings/get: operation has no operationId",
            "$ref `#/components/schemas/Nope` does not resolve",
            "#/components/parameters/CourseId: parameter has no description",
            "#/components/schemas/Meeting/properties/title: property has no description",
            "#/components/schemas/ErrorBody: component is never used",
            "#/components/responses/TooManyRequests/content/application~1json/example",
            "#/components/examples/ReferencePage/value: differs from",
            "#/components/schemas/Meeting/properties/location: the null branch's type \"string\" is not the type \"object\"",
            "#/components/schemas/LicenseRole: `enum` is closed",
            "#/components/schemas/PurchasedCourse/properties/course: `nullable: true` beside a `$ref`",
            "#/components/schemas/Lesson/properties/topics/items: `nullable: true` without `type`",
        ];
        for expected in expect {
            assert!(
                found.iter().any(|f| f.contains(expected)),
                "{expected} not in {found:#?}"
            );
        }
    }
}
