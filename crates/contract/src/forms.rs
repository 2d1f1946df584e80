//! The spec's two portable forms, as every module that reads schemas must recognise them.
//!
//! - **Nullable reference**: `anyOf: [{$ref: R}, {type: T, nullable: true, enum: [null]}]` (the
//!   branches in either order, other keywords such as `description` beside the `anyOf`): the
//!   referenced schema, or `null`. OpenAPI 3.0.3 says `nullable` only adds `null` to the `type` of
//!   its own schema, so the older `{nullable: true, allOf: [{$ref: R}]}` forbids the null for
//!   strict tools (Prism, `openapi-schema-validator`); [`legacy_nullable`] finds that form so that
//!   `cargo xtask lint` can reject it.
//! - **Open enumeration**: `type: string` with the known values in `x-extensible-enum`. An `enum`
//!   is closed for every other tool; [`enum_values`] reads either keyword.

use serde_json::Value;

/// The extension that lists the known values of an open enumeration.
pub const EXTENSIBLE_ENUM: &str = "x-extensible-enum";

/// True for a schema that admits only `null`: `enum: [null]` (with `nullable: true` and a `type`,
/// as OpenAPI 3.0.3 requires for the `null` to be allowed).
///
/// ```
/// use serde_json::json;
/// use thoughtindustries_contract::forms::is_null_only;
/// assert!(is_null_only(&json!({"type": "object", "nullable": true, "enum": [null]})));
/// assert!(!is_null_only(&json!({"type": "object", "nullable": true})));
/// ```
pub fn is_null_only(schema: &Value) -> bool {
    schema.get("enum") == Some(&Value::Array(vec![Value::Null]))
}

/// The `$ref` of a portable nullable reference (see the [module docs](self)), or `None` when
/// `schema` is not one.
///
/// ```
/// use serde_json::json;
/// use thoughtindustries_contract::forms::nullable_reference;
/// let schema = json!({"description": "d", "anyOf": [
///     {"$ref": "#/components/schemas/Location"},
///     {"type": "object", "nullable": true, "enum": [null]},
/// ]});
/// assert_eq!(nullable_reference(&schema), Some("#/components/schemas/Location"));
/// ```
pub fn nullable_reference(schema: &Value) -> Option<&str> {
    let [a, b] = schema.get("anyOf")?.as_array()?.as_slice() else {
        return None;
    };
    match (bare_reference(a), bare_reference(b)) {
        (Some(r), None) if is_null_only(b) => Some(r),
        (None, Some(r)) if is_null_only(a) => Some(r),
        _ => None,
    }
}

/// The target of a schema that is a `$ref` and nothing else.
fn bare_reference(schema: &Value) -> Option<&str> {
    schema
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get("$ref"))
        .and_then(Value::as_str)
}

/// True for the form strict tools misread: `nullable: true` beside `$ref`, `allOf`, `anyOf` or
/// `oneOf`, where OpenAPI 3.0.3 does not let it relax the composed schemas (a bare `$ref` ignores
/// it altogether).
///
/// ```
/// use serde_json::json;
/// use thoughtindustries_contract::forms::legacy_nullable;
/// assert!(legacy_nullable(&json!({"type": "object", "nullable": true, "allOf": [{"$ref": "#/a"}]})));
/// assert!(!legacy_nullable(&json!({"type": "string", "nullable": true})));
/// ```
pub fn legacy_nullable(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
        && ["$ref", "allOf", "anyOf", "oneOf"]
            .iter()
            .any(|k| schema.get(k).is_some())
}

/// The listed values of an enumeration, open (`x-extensible-enum`) or closed (`enum`), with the
/// keyword that lists them; `None` for a null-only schema or one without either keyword.
pub fn enum_values(schema: &Value) -> Option<(&'static str, &Value)> {
    if let Some(values) = schema.get(EXTENSIBLE_ENUM) {
        return Some((EXTENSIBLE_ENUM, values));
    }
    if is_null_only(schema) {
        return None;
    }
    schema.get("enum").map(|values| ("enum", values))
}
