//! Drift: what the bodies carry that the spec does not describe.
//!
//! The spec's objects are open (clients ignore fields they do not know), so a field the spec does
//! not list is not a violation, and a validator says nothing about it. Drift detection walks a
//! body beside its schema and records, for every object whose schema lists `properties`, each
//! member the schema does not list: where it was first seen (the JSON pointer in the body), the
//! schema it falls under (`Meeting.recordingUrl`), and its [`Shape`]: the JSON types seen, the
//! string formats every value matched (`uuid`, `date-time`, `email`, `uri`), whether a null was
//! seen, how many of the checked records carried it, and for objects and arrays their own fields
//! and items, recursively. Values outside an open enumeration's `x-extensible-enum` are recorded
//! too (the validator reports each as a notice).
//!
//! Not drift: members of schemas without `properties` (free-form by design, such as
//! `customFields`, `recurrence` and the `OpenObject`s), members a schema-valued
//! `additionalProperties` describes, the vendor's elision marker `"...": "..."` of the reference
//! page, and anything under `anyOf` / `oneOf` other than the nullable reference form (which branch
//! applies is not known).
//!
//! A [`Drift`] accumulates over many bodies ([`Drift::merge`]); [`crate::propose`] turns it into
//! a spec edit.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeStruct};
use serde_json::Value;

use crate::spec::Spec;
use crate::{forms, schema};

/// The string formats drift detection checks, in the order a proposal prefers them when a value
/// matches more than one.
pub const FORMATS: [&str; 4] = ["uuid", "date-time", "email", "uri"];

/// How deep `$ref`s may chain without the body getting deeper (a cycle of references).
const MAX_REF_HOPS: usize = 32;

/// The member the vendor's reference page puts in the objects it elides (`{"...": "..."}`).
const ELISION: &str = "...";

static FORMAT_CHECKS: LazyLock<Vec<jsonschema::Validator>> = LazyLock::new(|| {
    FORMATS
        .iter()
        .map(|format| {
            jsonschema::options()
                .should_validate_formats(true)
                .build(&serde_json::json!({ "format": format }))
                .expect("a format keyword compiles")
        })
        .collect()
});

/// What was seen at one place of the bodies that the spec does not describe: every value there,
/// merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// How many values were seen here (nulls included). For a field, how many objects carried it.
    pub seen: u64,
    /// How many of them were `null`.
    pub nulls: u64,
    /// How many were strings.
    pub strings: u64,
    /// Bit `i` set: every string seen matched [`FORMATS`]`[i]`.
    format_mask: u8,
    /// How many were integers (that fit an `i64`).
    pub integers: u64,
    /// How many were other numbers.
    pub numbers: u64,
    /// How many were booleans.
    pub booleans: u64,
    /// How many were objects.
    pub objects: u64,
    /// The members of those objects, each with how many objects carried it (`seen`).
    pub fields: BTreeMap<String, Shape>,
    /// How many were arrays.
    pub arrays: u64,
    /// The items of those arrays, merged (`None` until a non-empty array was seen).
    pub items: Option<Box<Shape>>,
}

/// The JSON type a [`Shape`]'s non-null values all had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only nulls were seen (or nothing).
    Null,
    /// Strings.
    String,
    /// Integers only.
    Integer,
    /// Numbers, some of them not integers.
    Number,
    /// Booleans.
    Boolean,
    /// Objects.
    Object,
    /// Arrays.
    Array,
    /// Values of more than one type.
    Mixed,
}

impl Shape {
    /// Records one value (and, for objects and arrays, everything in it).
    pub fn observe(&mut self, value: &Value) {
        self.seen += 1;
        match value {
            Value::Null => self.nulls += 1,
            Value::Bool(_) => self.booleans += 1,
            Value::Number(n) if n.is_i64() => self.integers += 1,
            Value::Number(_) => self.numbers += 1,
            Value::String(s) => {
                let matched = string_formats(s);
                self.format_mask = if self.strings == 0 {
                    matched
                } else {
                    self.format_mask & matched
                };
                self.strings += 1;
            }
            Value::Array(items) => {
                self.arrays += 1;
                for item in items {
                    self.items.get_or_insert_default().observe(item);
                }
            }
            Value::Object(members) => {
                self.objects += 1;
                for (name, member) in members {
                    self.fields.entry(name.clone()).or_default().observe(member);
                }
            }
        }
    }

    /// Merges what was seen elsewhere into this.
    pub fn merge(&mut self, other: &Shape) {
        self.format_mask = match (self.strings, other.strings) {
            (0, _) => other.format_mask,
            (_, 0) => self.format_mask,
            _ => self.format_mask & other.format_mask,
        };
        self.seen += other.seen;
        self.nulls += other.nulls;
        self.strings += other.strings;
        self.integers += other.integers;
        self.numbers += other.numbers;
        self.booleans += other.booleans;
        self.objects += other.objects;
        self.arrays += other.arrays;
        for (name, field) in &other.fields {
            self.fields.entry(name.clone()).or_default().merge(field);
        }
        if let Some(items) = &other.items {
            self.items.get_or_insert_default().merge(items);
        }
    }

    /// The type every non-null value had.
    pub fn kind(&self) -> Kind {
        let counts = [
            (self.strings, Kind::String),
            (self.integers + self.numbers, Kind::Number),
            (self.booleans, Kind::Boolean),
            (self.objects, Kind::Object),
            (self.arrays, Kind::Array),
        ];
        let mut present = counts.iter().filter(|(n, _)| *n > 0);
        match (present.next(), present.next()) {
            (None, _) => Kind::Null,
            (Some(_), Some(_)) => Kind::Mixed,
            (Some((_, Kind::Number)), None) if self.numbers == 0 => Kind::Integer,
            (Some((_, kind)), None) => *kind,
        }
    }

    /// The formats every string seen matched, in [`FORMATS`] order (empty when no string was
    /// seen).
    pub fn formats(&self) -> Vec<&'static str> {
        if self.strings == 0 {
            return Vec::new();
        }
        FORMATS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.format_mask & (1 << i) != 0)
            .map(|(_, f)| *f)
            .collect()
    }

    /// The format a proposal gives the strings: the first of [`Shape::formats`].
    pub fn format(&self) -> Option<&'static str> {
        self.formats().first().copied()
    }

    /// The JSON types seen, `null` last, as JSON Schema names them.
    pub fn types(&self) -> Vec<&'static str> {
        [
            (self.strings, "string"),
            (self.integers, "integer"),
            (self.numbers, "number"),
            (self.booleans, "boolean"),
            (self.objects, "object"),
            (self.arrays, "array"),
            (self.nulls, "null"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(_, t)| t)
        .collect()
    }
}

/// Bit `i` set when `text` matches [`FORMATS`]`[i]`.
fn string_formats(text: &str) -> u8 {
    let value = Value::String(text.to_owned());
    FORMAT_CHECKS
        .iter()
        .enumerate()
        .filter(|(_, check)| check.is_valid(&value))
        .fold(0, |mask, (i, _)| mask | (1 << i))
}

/// `string (uri)`, `integer`, `object {url: string (uri), seconds: integer}`, `array of string`,
/// `string or integer`; `, sometimes null` when a null was seen.
impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind() {
            Kind::Null => return f.write_str("null"),
            Kind::String => {
                f.write_str("string")?;
                let formats = self.formats();
                if !formats.is_empty() {
                    write!(f, " ({})", formats.join(", "))?;
                }
            }
            Kind::Integer => f.write_str("integer")?,
            Kind::Number => f.write_str("number")?,
            Kind::Boolean => f.write_str("boolean")?,
            Kind::Object => {
                f.write_str("object {")?;
                for (i, (name, field)) in self.fields.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{name}: {field}")?;
                }
                f.write_str("}")?;
            }
            Kind::Array => match &self.items {
                Some(items) => write!(f, "array of {items}")?,
                None => f.write_str("array (always empty)")?,
            },
            Kind::Mixed => {
                let types: Vec<_> = self.types().into_iter().filter(|t| *t != "null").collect();
                f.write_str(&types.join(" or "))?;
            }
        }
        if self.nulls > 0 {
            f.write_str(", sometimes null")?;
        }
        Ok(())
    }
}

impl Serialize for Shape {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("types", &self.types())?;
        let formats = self.formats();
        if !formats.is_empty() {
            map.serialize_entry("formats", &formats)?;
        }
        map.serialize_entry("seen", &self.seen)?;
        map.serialize_entry("nulls", &self.nulls)?;
        if !self.fields.is_empty() {
            map.serialize_entry("fields", &self.fields)?;
        }
        if let Some(items) = &self.items {
            map.serialize_entry("items", items)?;
        }
        map.end()
    }
}

/// A field the spec does not describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndocumentedField {
    /// The schema it falls under, as a pointer with `#` (`#/components/schemas/Meeting`).
    pub schema: String,
    /// The field's name (`recordingUrl`).
    pub name: String,
    /// Where it was first seen: a JSON pointer into the body.
    pub first_path: String,
    /// Which body that was (`page 2`, a file name), when the caller said ([`Drift::merge_from`]).
    pub first_source: Option<String>,
    /// Every value seen; `shape.seen` is how many records carried the field.
    pub shape: Shape,
}

impl UndocumentedField {
    /// `Meeting.recordingUrl`: the schema's [display name](schema_name) and the field.
    pub fn display_name(&self) -> String {
        format!("{}.{}", schema_name(&self.schema), self.name)
    }
}

/// A value of an open enumeration that its `x-extensible-enum` does not list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewEnumValue {
    /// The enumeration's schema, as a pointer with `#` (`#/components/schemas/CourseStatus`).
    pub schema: String,
    /// The value.
    pub value: String,
    /// How many times it was seen.
    pub count: u64,
    /// Where it was first seen: a JSON pointer into the body.
    pub first_path: String,
    /// Which body that was, when the caller said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_source: Option<String>,
}

/// Everything the checked bodies carried that the spec does not describe, accumulated over any
/// number of bodies.
///
/// `Display` prints one line per field and value; `Serialize` gives
/// `{"fields": [...], "enumValues": [...]}`, each field with `field` (`Meeting.recordingUrl`),
/// `schema`, `name`, `firstPath`, `records` (how many records carried it), `of` (how many records
/// of its schema were checked) and its shape (`types`, `formats`, `nulls`, `fields`, `items`).
///
/// ```
/// use serde_json::json;
/// let spec = thoughtindustries_contract::Spec::embedded();
/// let mut body: serde_json::Value =
///     serde_json::from_str(thoughtindustries_spec::examples::REFERENCE_PAGE).unwrap();
/// body["data"]["Meetings"]["meetings"][0]["recordingUrl"] = json!("https://example.com/r/1");
/// let report = spec.validate_response("list_meetings", 200, &body).unwrap();
/// assert!(report.is_valid());
/// let field = report.drift.fields().next().unwrap();
/// assert_eq!(field.display_name(), "Meeting.recordingUrl");
/// assert_eq!(field.shape.to_string(), "string (uri)");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    fields: BTreeMap<(String, String), UndocumentedField>,
    enum_values: BTreeMap<(String, String), NewEnumValue>,
    /// How many objects of each schema (by pointer with `#`) were checked.
    records: BTreeMap<String, u64>,
}

impl Drift {
    /// True when nothing undocumented was seen.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.enum_values.is_empty()
    }

    /// Every undocumented field, by schema then name.
    pub fn fields(&self) -> impl Iterator<Item = &UndocumentedField> {
        self.fields.values()
    }

    /// Every new value of an open enumeration, by schema then value.
    pub fn enum_values(&self) -> impl Iterator<Item = &NewEnumValue> {
        self.enum_values.values()
    }

    /// How many objects of the schema at `pointer` (with `#`) were checked.
    pub fn records(&self, pointer: &str) -> u64 {
        self.records.get(pointer).copied().unwrap_or(0)
    }

    /// Adds what `other` saw (another body); the first sighting of each field stays the first.
    pub fn merge(&mut self, other: &Drift) {
        self.merge_from(other, None);
    }

    /// Like [`Drift::merge`], naming the body `other` came from (`page 2`) in the first sightings
    /// it contributes.
    pub fn merge_from(&mut self, other: &Drift, source: Option<&str>) {
        for (key, field) in &other.fields {
            match self.fields.get_mut(key) {
                Some(mine) => mine.shape.merge(&field.shape),
                None => {
                    let mut field = field.clone();
                    if field.first_source.is_none() {
                        field.first_source = source.map(str::to_owned);
                    }
                    self.fields.insert(key.clone(), field);
                }
            }
        }
        for (key, value) in &other.enum_values {
            match self.enum_values.get_mut(key) {
                Some(mine) => mine.count += value.count,
                None => {
                    let mut value = value.clone();
                    if value.first_source.is_none() {
                        value.first_source = source.map(str::to_owned);
                    }
                    self.enum_values.insert(key.clone(), value);
                }
            }
        }
        for (schema, count) in &other.records {
            *self.records.entry(schema.clone()).or_default() += count;
        }
    }

    /// One line about `field`: its name, shape and how many of the checked records carried it.
    pub fn describe(&self, field: &UndocumentedField) -> String {
        format!(
            "{}: {}, on {} of {} {} record(s)",
            field.display_name(),
            field.shape,
            field.shape.seen,
            self.records(&field.schema),
            schema_name(&field.schema),
        )
    }
}

fn sighting(path: &str, source: Option<&String>) -> String {
    match source {
        Some(source) => format!("{source} {path}"),
        None => path.to_owned(),
    }
}

/// One line per undocumented field (`Meeting.recordingUrl: string (uri), on 3 of 3 Meeting
/// record(s), first at page 1 /data/...`) and per new enumeration value.
impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for field in self.fields() {
            writeln!(
                f,
                "{}, first at {}",
                self.describe(field),
                sighting(&field.first_path, field.first_source.as_ref())
            )?;
        }
        for value in self.enum_values() {
            writeln!(
                f,
                "{}: new value {} ({} time(s)), first at {}",
                schema_name(&value.schema),
                Value::String(value.value.clone()),
                value.count,
                sighting(&value.first_path, value.first_source.as_ref())
            )?;
        }
        Ok(())
    }
}

impl Serialize for Drift {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Field<'a> {
            field: String,
            schema: &'a str,
            name: &'a str,
            first_path: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            first_source: Option<&'a String>,
            records: u64,
            of: u64,
            #[serde(flatten)]
            shape: &'a Shape,
        }
        let fields: Vec<Field> = self
            .fields()
            .map(|field| Field {
                field: field.display_name(),
                schema: &field.schema,
                name: &field.name,
                first_path: &field.first_path,
                first_source: field.first_source.as_ref(),
                records: field.shape.seen,
                of: self.records(&field.schema),
                shape: &field.shape,
            })
            .collect();
        let values: Vec<&NewEnumValue> = self.enum_values().collect();
        let mut out = serializer.serialize_struct("Drift", 2)?;
        out.serialize_field("fields", &fields)?;
        out.serialize_field("enumValues", &values)?;
        out.end()
    }
}

/// A schema's name for people: `Meeting` for `#/components/schemas/Meeting`,
/// `Meeting.recording` for the inline schema of its `recording` property, `Meeting.tags[]` for
/// an array's items; other pointers as they are.
pub fn schema_name(pointer: &str) -> String {
    let pointer = pointer.trim_start_matches('#');
    let Some(rest) = pointer.strip_prefix("/components/schemas/") else {
        return pointer.to_owned();
    };
    let mut segments = rest.split('/').map(unescape);
    let mut name = segments.next().unwrap_or_default();
    while let Some(segment) = segments.next() {
        match segment.as_str() {
            "properties" => {
                if let Some(property) = segments.next() {
                    name.push('.');
                    name.push_str(&property);
                }
            }
            "items" => name.push_str("[]"),
            "additionalProperties" => name.push_str("{}"),
            "allOf" => {
                segments.next();
            }
            other => {
                name.push('/');
                name.push_str(other);
            }
        }
    }
    name
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

impl Spec {
    /// The drift of `value` against the schema at `pointer` (`#/...`): every member the schema
    /// does not describe and every new value of an open enumeration. See the [module docs](self).
    pub fn drift_of(&self, pointer: &str, value: &Value) -> Drift {
        let mut drift = Drift::default();
        if let Some(schema) = self.resolve_ref(pointer) {
            let mut walk = Walk {
                spec: self,
                drift: &mut drift,
            };
            walk.value(schema, pointer, value, &mut String::new(), 0);
        }
        drift
    }
}

struct Walk<'a> {
    spec: &'a Spec,
    drift: &'a mut Drift,
}

impl<'a> Walk<'a> {
    /// The schemas that apply to a value at `schema` (a pointer with `#`): the schema, its `$ref`
    /// target and `allOf` members, recursively; nullable references followed when the value is
    /// not null.
    fn members(
        &self,
        schema: &'a Value,
        at: &str,
        value: &Value,
        hops: usize,
        out: &mut Vec<(&'a Value, String)>,
    ) {
        if hops > MAX_REF_HOPS {
            return;
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            if let Some(target) = self.spec.resolve_ref(reference) {
                self.members(target, reference, value, hops + 1, out);
            }
            return;
        }
        if let Some(reference) = forms::nullable_reference(schema) {
            if !value.is_null()
                && let Some(target) = self.spec.resolve_ref(reference)
            {
                self.members(target, reference, value, hops + 1, out);
            }
            out.push((schema, at.to_owned()));
            return;
        }
        out.push((schema, at.to_owned()));
        for (i, member) in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            self.members(member, &format!("{at}/allOf/{i}"), value, hops + 1, out);
        }
    }

    fn value(
        &mut self,
        schema: &'a Value,
        at: &str,
        value: &Value,
        path: &mut String,
        hops: usize,
    ) {
        let mut members = Vec::new();
        self.members(schema, at, value, hops, &mut members);
        match value {
            Value::Object(object) => self.object(&members, object, path),
            Value::Array(items) => {
                let Some((items_schema, items_at)) = members
                    .iter()
                    .find_map(|(s, at)| s.get("items").map(|i| (i, format!("{at}/items"))))
                else {
                    return;
                };
                for (index, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("/{index}"));
                    self.value(items_schema, &items_at, item, path, 0);
                    path.truncate(len);
                }
            }
            Value::String(text) => {
                for (schema, at) in &members {
                    let listed = schema.get(forms::EXTENSIBLE_ENUM).and_then(Value::as_array);
                    if let Some(listed) = listed
                        && !listed.iter().any(|v| v.as_str() == Some(text))
                    {
                        let entry = self
                            .drift
                            .enum_values
                            .entry((at.clone(), text.clone()))
                            .or_insert_with(|| NewEnumValue {
                                schema: at.clone(),
                                value: text.clone(),
                                count: 0,
                                first_path: path.clone(),
                                first_source: None,
                            });
                        entry.count += 1;
                    }
                }
            }
            _ => {}
        }
    }

    fn object(
        &mut self,
        members: &[(&'a Value, String)],
        object: &serde_json::Map<String, Value>,
        path: &mut String,
    ) {
        let described: Vec<(&'a serde_json::Map<String, Value>, &String)> = members
            .iter()
            .filter_map(|(s, at)| {
                s.get("properties")
                    .and_then(Value::as_object)
                    .map(|p| (p, at))
            })
            .collect();
        let Some((_, owner)) = described.first() else {
            return; // free-form by design
        };
        let owner = (*owner).clone();
        *self.drift.records.entry(owner.clone()).or_default() += 1;
        let additional = members.iter().find_map(|(s, at)| {
            s.get("additionalProperties")
                .filter(|a| a.as_object().is_some_and(|o| !o.is_empty()))
                .map(|a| (a, format!("{at}/additionalProperties")))
        });
        for (name, member) in object {
            let len = path.len();
            path.push('/');
            path.push_str(&schema::escape(name));
            let property = described.iter().find_map(|(properties, at)| {
                properties
                    .get(name)
                    .map(|p| (p, format!("{at}/properties/{}", schema::escape(name))))
            });
            if let Some((property, property_at)) = property {
                self.value(property, &property_at, member, path, 0);
            } else if let Some((additional, additional_at)) = &additional {
                self.value(additional, additional_at, member, path, 0);
            } else if !(name == ELISION && member.as_str() == Some(ELISION)) {
                let field = self
                    .drift
                    .fields
                    .entry((owner.clone(), name.clone()))
                    .or_insert_with(|| UndocumentedField {
                        schema: owner.clone(),
                        name: name.clone(),
                        first_path: path.clone(),
                        first_source: None,
                        shape: Shape::default(),
                    });
                field.shape.observe(member);
            }
            path.truncate(len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_merge_types_formats_and_nesting() {
        let mut shape = Shape::default();
        for value in [
            json!({"url": "https://a.example/x", "n": 1, "tags": ["x"]}),
            json!({"url": "mailto:a@b.example", "n": null, "tags": []}),
            json!(null),
        ] {
            shape.observe(&value);
        }
        assert_eq!(shape.kind(), Kind::Object);
        assert_eq!(
            shape.to_string(),
            "object {n: integer, sometimes null, tags: array of string, url: string (uri)}, \
             sometimes null"
        );
        assert_eq!(shape.fields["url"].seen, 2);
        let mut ids = Shape::default();
        ids.observe(&json!("123e4567-e89b-12d3-a456-426614174000"));
        ids.observe(&json!(2.5));
        assert_eq!(ids.kind(), Kind::Mixed);
        assert_eq!(ids.to_string(), "string or number");
        let mut when = Shape::default();
        when.observe(&json!("2024-01-01T00:00:00Z"));
        assert_eq!(when.format(), Some("date-time"));
    }

    #[test]
    fn names_follow_the_schema() {
        assert_eq!(schema_name("#/components/schemas/Meeting"), "Meeting");
        assert_eq!(
            schema_name("#/components/schemas/Meeting/properties/rec/items/properties/a"),
            "Meeting.rec[].a"
        );
        assert_eq!(schema_name("#/paths/x"), "/paths/x");
    }
}
