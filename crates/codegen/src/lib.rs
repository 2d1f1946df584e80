//! How the workspace feeds `openapi/meetings.yaml` to progenitor.
//!
//! Two generators read the spec: the models crate's types ([`generate_models`], run by `cargo
//! xtask codegen` and checked in) and the client crate's HTTP client on top of those types
//! ([`generate_client`], run by the client's build script, and by `cargo xtask codegen` for the
//! checked-in copy its light build includes). Both must see the same input and compatible
//! settings, so both come from here.
//!
//! The spec is adapted in three ways before progenitor sees it:
//!
//! - Portable nullable references become the form typify understands ([`nullable_references`]).
//!   The spec writes a nullable reference as `anyOf: [{$ref: R}, {type: T, nullable: true, enum:
//!   [null]}]`, which strict OpenAPI 3.0.3 tools read as intended; typify 0.8 turns that `anyOf`
//!   into a struct of two flattened optional "subtypes", so it gets `{type: T, nullable: true,
//!   allOf: [{$ref: R}]}` instead, which it generates as `Option<R>`.
//! - Open objects (`additionalProperties: true` beside `properties`) get `additionalProperties: {}`
//!   ([`keep_unknown_fields`]), so that typify keeps their unknown fields in an `extra` map.
//! - Error responses are removed ([`strip_error_responses`]). progenitor requires every error
//!   response of an operation to share one body schema and panics otherwise, but the real API
//!   answers 401 with an empty body and 429 with a JSON body. The client's hand-written layer
//!   classifies error statuses itself.
//!
//! ```no_run
//! let spec = thoughtindustries_codegen::parse_spec(thoughtindustries_spec::OPENAPI_YAML).unwrap();
//! let models = thoughtindustries_codegen::generate_models(&spec).unwrap();
//! assert!(models.contains("pub struct Meeting"));
//! ```

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TypeImpl};
use quote::ToTokens;

/// A schema written as an open enumeration: `type: string` with its known values in
/// `x-extensible-enum` (an `enum` would be closed to every other tool).
///
/// typify emits closed enums, where one value the vendor adds fails a whole response, so the
/// models crate's `open_enum!` macro defines these instead (an `Unknown(UnknownValue)` variant
/// keeps any other value); [`generate_models`] writes one invocation per open enumeration, with
/// the spec's values, and substitutes it for the type typify would have made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenEnum {
    /// The schema's name, which is the Rust type's.
    pub name: String,
    /// The schema's description.
    pub description: Option<String>,
    /// The known values, in the spec's order.
    pub values: Vec<String>,
}

/// Every open enumeration among the spec's component schemas, by name.
pub fn open_enums(spec: &openapiv3::OpenAPI) -> Vec<OpenEnum> {
    let Some(components) = &spec.components else {
        return Vec::new();
    };
    components
        .schemas
        .iter()
        .filter_map(|(name, schema)| {
            let openapiv3::ReferenceOr::Item(schema) = schema else {
                return None;
            };
            let values = schema.schema_data.extensions.get("x-extensible-enum")?;
            Some(OpenEnum {
                name: name.clone(),
                description: schema.schema_data.description.clone(),
                values: values
                    .as_array()?
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            })
        })
        .collect()
}

/// The Rust variant of an enumeration value: `loginRestriction` is `LoginRestriction`.
fn variant_name(value: &str) -> String {
    value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// One `open_enum!` invocation per open enumeration (the macro is the models crate's).
fn open_enum_items(enums: &[OpenEnum]) -> Result<Vec<syn::Item>, Error> {
    enums
        .iter()
        .map(|open| {
            let name = quote::format_ident!("{}", open.name);
            let doc = open
                .description
                .as_deref()
                .map(|d| format!(" {}", d.trim()))
                .unwrap_or_else(|| format!(" `{}`", open.name));
            let variants = open.values.iter().map(|value| {
                let variant = quote::format_ident!("{}", variant_name(value));
                let doc = format!(" `{value}`");
                quote::quote!(#[doc = #doc] #variant => #value,)
            });
            syn::parse2(quote::quote! {
                open_enum! {
                    #[doc = #doc]
                    #name {
                        #(#variants)*
                    }
                }
            })
            .map_err(|e| Error(format!("open enumeration {}: {e}", open.name)))
        })
        .collect()
}

/// A failure to read, parse or generate from the spec.
#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Parses an OpenAPI 3.0 document from YAML (or JSON) text, with its nullable references in the
/// form progenitor understands ([`nullable_references`]).
pub fn parse_spec(text: &str) -> Result<openapiv3::OpenAPI, Error> {
    let mut value: serde_json::Value =
        serde_norway::from_str(text).map_err(|e| Error(format!("not YAML: {e}")))?;
    nullable_references(&mut value);
    keep_unknown_fields(&mut value);
    serde_json::from_value(value).map_err(|e| Error(format!("not an OpenAPI 3.0 document: {e}")))
}

/// Rewrites every portable nullable reference of a document (as JSON), `{anyOf: [{$ref: R},
/// {type: T, nullable: true, enum: [null]}], ...}` (the two branches in either order), to
/// `{type: T, nullable: true, allOf: [{$ref: R}], ...}`, which typify generates as `Option<R>`.
/// Other keywords beside the `anyOf` (`description`) are kept; any other `anyOf` is left alone.
///
/// ```
/// let mut schema = serde_json::json!({"description": "d", "anyOf": [
///     {"$ref": "#/components/schemas/Location"},
///     {"type": "object", "nullable": true, "enum": [null]},
/// ]});
/// thoughtindustries_codegen::nullable_references(&mut schema);
/// assert_eq!(schema, serde_json::json!({
///     "description": "d", "type": "object", "nullable": true,
///     "allOf": [{"$ref": "#/components/schemas/Location"}],
/// }));
/// ```
pub fn nullable_references(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(object) => {
            if let Some((reference, kind)) = object.get("anyOf").and_then(nullable_reference) {
                object.remove("anyOf");
                object.insert("type".to_owned(), kind);
                object.insert("nullable".to_owned(), serde_json::Value::Bool(true));
                object.insert("allOf".to_owned(), serde_json::json!([reference]));
            }
            object.values_mut().for_each(nullable_references);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(nullable_references),
        _ => {}
    }
}

/// Rewrites `additionalProperties: true` to the equivalent `additionalProperties: {}` on every
/// component schema that also lists `properties`. typify ignores unknown fields for the first (the
/// JSON Schema default) but generates a `#[serde(flatten)] extra` map for the second, which is
/// what the spec's open objects promise: fields the SDK does not model are kept and serialized
/// back.
///
/// ```
/// let mut doc = serde_json::json!({"components": {"schemas": {"Bundle": {
///     "type": "object", "additionalProperties": true, "properties": {"id": {"type": "string"}},
/// }}}});
/// thoughtindustries_codegen::keep_unknown_fields(&mut doc);
/// assert_eq!(doc["components"]["schemas"]["Bundle"]["additionalProperties"], serde_json::json!({}));
/// ```
pub fn keep_unknown_fields(document: &mut serde_json::Value) {
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    for schema in schemas.values_mut() {
        let has_properties = schema
            .get("properties")
            .and_then(serde_json::Value::as_object)
            .is_some_and(|p| !p.is_empty());
        if has_properties
            && schema.get("additionalProperties") == Some(&serde_json::Value::Bool(true))
        {
            schema["additionalProperties"] = serde_json::json!({});
        }
    }
}

/// The `$ref` branch and the null branch's `type` of a two-branch `anyOf` whose other branch
/// admits only `null`.
fn nullable_reference(
    any_of: &serde_json::Value,
) -> Option<(serde_json::Value, serde_json::Value)> {
    let [a, b] = any_of.as_array()?.as_slice() else {
        return None;
    };
    let is_reference = |v: &serde_json::Value| {
        v.as_object()
            .is_some_and(|o| o.len() == 1 && o.contains_key("$ref"))
    };
    let null_type = |v: &serde_json::Value| {
        (v.get("enum") == Some(&serde_json::json!([null])))
            .then(|| v.get("type").cloned())
            .flatten()
    };
    match (is_reference(a), is_reference(b)) {
        (true, false) => Some((a.clone(), null_type(b)?)),
        (false, true) => Some((b.clone(), null_type(a)?)),
        _ => None,
    }
}

/// Removes every non-2xx response (and `default`) from every operation, leaving the success
/// responses that carry the typed bodies.
pub fn strip_error_responses(spec: &mut openapiv3::OpenAPI) {
    for (_, item) in spec.paths.paths.iter_mut() {
        if let openapiv3::ReferenceOr::Item(item) = item {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ];
            for op in operations.into_iter().flatten() {
                op.responses.default = None;
                op.responses.responses.retain(|status, _| match *status {
                    openapiv3::StatusCode::Code(code) => (200..300).contains(&code),
                    openapiv3::StatusCode::Range(range) => range == 2,
                });
            }
        }
    }
}

fn base_settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_derive("PartialEq");
    settings
}

fn render(tokens: proc_macro2::TokenStream) -> Result<String, Error> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| Error(format!("progenitor emitted bad tokens: {e}")))?;
    Ok(prettyplease::unparse(&file))
}

/// Generates the models crate's types: every component schema, the open enumerations
/// ([`open_enums`]) as `open_enum!` invocations of their known values.
pub fn generate_models(spec: &openapiv3::OpenAPI) -> Result<String, Error> {
    let mut spec = spec.clone();
    strip_error_responses(&mut spec);
    let mut settings = base_settings();
    let enums = open_enums(&spec);
    for open in &enums {
        settings.with_replacement(
            &open.name,
            format!("crate::{}", open.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    let mut generator = Generator::new(&settings);
    generator
        .generate_tokens(&spec)
        .map_err(|e| Error(format!("progenitor rejected the spec: {e}")))?;
    let mut file: syn::File = syn::parse2(generator.get_type_space().to_stream())
        .map_err(|e| Error(format!("progenitor emitted bad tokens: {e}")))?;
    custom_decoders(&mut file);
    document_builders(&mut file);
    optional_builders(&mut file, &request_schemas(&spec));
    non_exhaustive(&mut file);
    optional_json_schema(&mut file);
    file.items.extend(open_enum_items(&enums)?);
    Ok(prettyplease::unparse(&file))
}

/// The feature of the models crate that turns on the builders of the types a user only decodes.
pub const BUILDERS_FEATURE: &str = "builders";

/// Puts the builders of the types that are not part of a request body behind the models crate's
/// [`BUILDERS_FEATURE`] (off by default; the mock and the tests turn it on). A user decodes those
/// types far more often than building them, and their builders (a generic setter per field, the
/// `TryFrom` and `From` conversions) were most of the models crate's code: three quarters of its
/// lines and about four fifths of its release compile time. The request bodies
/// ([`request_schemas`]) keep theirs, which is how a request is made.
fn optional_builders(file: &mut syn::File, always: &std::collections::BTreeSet<String>) {
    let gate: syn::Attribute = {
        let feature = BUILDERS_FEATURE;
        syn::parse_quote!(#[cfg(feature = #feature)])
    };
    let gated = |ty: &syn::Type| match ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|last| !always.contains(&last.ident.to_string())),
        _ => false,
    };
    for item in &mut file.items {
        match item {
            syn::Item::Impl(block)
                if block.trait_.is_none()
                    && gated(&block.self_ty)
                    && block.items.iter().any(
                        |member| matches!(member, syn::ImplItem::Fn(f) if f.sig.ident == "builder"),
                    ) =>
            {
                block.attrs.push(gate.clone());
            }
            syn::Item::Mod(module) if module.ident == "builder" => {
                let Some((_, items)) = &mut module.content else {
                    continue;
                };
                for item in items {
                    match item {
                        syn::Item::Struct(builder)
                            if !always.contains(&builder.ident.to_string()) =>
                        {
                            builder.attrs.push(gate.clone());
                        }
                        syn::Item::Impl(block) if gated(&block.self_ty) => {
                            block.attrs.push(gate.clone());
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// The component schemas a request body is made of: every operation's JSON request body schema and
/// every schema it refers to, directly or through others.
fn request_schemas(spec: &openapiv3::OpenAPI) -> std::collections::BTreeSet<String> {
    use openapiv3::ReferenceOr;
    let mut pending: Vec<String> = spec
        .operations()
        .filter_map(|(_, _, operation)| match operation.request_body.as_ref()? {
            ReferenceOr::Item(body) => {
                match body.content.get("application/json")?.schema.as_ref()? {
                    ReferenceOr::Reference { reference } => reference
                        .strip_prefix("#/components/schemas/")
                        .map(str::to_owned),
                    ReferenceOr::Item(_) => None,
                }
            }
            ReferenceOr::Reference { .. } => None,
        })
        .collect();
    let schemas = spec.components.as_ref().map(|c| &c.schemas);
    let mut found = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !found.insert(name.clone()) {
            continue;
        }
        let Some(schema) = schemas.and_then(|s| s.get(&name)) else {
            continue;
        };
        let mut references = Vec::new();
        collect_references(
            &serde_json::to_value(schema).unwrap_or_default(),
            &mut references,
        );
        pending.extend(references);
    }
    found
}

/// Every component schema named by a `$ref` anywhere in `value`.
fn collect_references(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(object) => {
            if let Some(name) = object
                .get("$ref")
                .and_then(serde_json::Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(name.to_owned());
            }
            object.values().for_each(|v| collect_references(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_references(v, out)),
        _ => {}
    }
}

/// In a builder's `Default`, starts the open objects' `extra` map empty: typify treats the
/// flattened map as a required field, so a builder would fail unless `extra` was set.
fn optional_extra(block: &mut syn::ItemImpl) {
    for member in &mut block.items {
        let syn::ImplItem::Fn(function) = member else {
            continue;
        };
        if function.sig.ident != "default" {
            continue;
        }
        for statement in &mut function.block.stmts {
            let syn::Stmt::Expr(syn::Expr::Struct(value), _) = statement else {
                continue;
            };
            for field in value.fields.iter_mut() {
                if matches!(&field.member, syn::Member::Named(name) if name == "extra") {
                    field.expr = syn::parse_quote!(Ok(Default::default()));
                }
            }
        }
    }
}

/// Derives `schemars::JsonSchema` for every model type when the models crate's `schemars` feature
/// is on (it is off by default, which keeps schemars out of most users' builds).
fn optional_json_schema(file: &mut syn::File) {
    for item in &mut file.items {
        let attrs = match item {
            syn::Item::Struct(model) => &mut model.attrs,
            syn::Item::Enum(model) => &mut model.attrs,
            _ => continue,
        };
        attrs.push(syn::parse_quote!(
            #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
        ));
    }
}

/// Marks every model struct `#[non_exhaustive]`, so that a field added to the spec is not a breaking
/// change for code outside the models crate; such code builds models with their builders (or
/// `Default` and field assignments) instead of struct literals.
fn non_exhaustive(file: &mut syn::File) {
    for item in &mut file.items {
        if let syn::Item::Struct(model) = item {
            model.attrs.push(syn::parse_quote!(#[non_exhaustive]));
        }
    }
}

/// Documents what typify leaves undocumented, so that the models crate needs no blanket
/// `allow(missing_docs)`: the open objects' `extra` maps, each type's `builder()` function, and the
/// builders with their setters.
fn document_builders(file: &mut syn::File) {
    let has_docs = |attrs: &[syn::Attribute]| attrs.iter().any(|a| a.path().is_ident("doc"));
    for item in &mut file.items {
        match item {
            syn::Item::Struct(model) => {
                for field in model.fields.iter_mut() {
                    if field.ident.as_ref().is_some_and(|i| i == "extra") && !has_docs(&field.attrs)
                    {
                        field.attrs.insert(
                            0,
                            syn::parse_quote!(
                                #[doc = " The fields the SDK does not model, as received; serialized back unchanged."]
                            ),
                        );
                    }
                }
            }
            syn::Item::Impl(block) => {
                let ty = block.self_ty.to_token_stream().to_string();
                for member in &mut block.items {
                    if let syn::ImplItem::Fn(function) = member
                        && function.sig.ident == "builder"
                        && !has_docs(&function.attrs)
                    {
                        let doc = format!(
                            " A builder of [`{ty}`]: set fields with its methods, then convert it \
                             with `{ty}::try_from(builder)`, which checks the required ones."
                        );
                        function.attrs.push(syn::parse_quote!(#[doc = #doc]));
                    }
                }
            }
            syn::Item::Mod(module) if module.ident == "builder" => {
                let Some((_, items)) = &mut module.content else {
                    continue;
                };
                for item in items {
                    match item {
                        syn::Item::Impl(block) if block.trait_.is_some() => {
                            optional_extra(block);
                        }
                        syn::Item::Struct(builder) if !has_docs(&builder.attrs) => {
                            let doc =
                                format!(" Builds a [`super::{}`] field by field.", builder.ident);
                            builder.attrs.push(syn::parse_quote!(#[doc = #doc]));
                        }
                        syn::Item::Impl(block) if block.trait_.is_none() => {
                            let ty = block.self_ty.to_token_stream().to_string();
                            for member in &mut block.items {
                                if let syn::ImplItem::Fn(setter) = member
                                    && !has_docs(&setter.attrs)
                                {
                                    let doc = format!(
                                        " Sets `{}` of the [`super::{ty}`] being built.",
                                        setter.sig.ident.to_string().trim_start_matches("r#")
                                    );
                                    setter.attrs.push(syn::parse_quote!(#[doc = #doc]));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// Decodes the models' `date-time` fields with the models crate's `datetime` module instead of
/// chrono's own `Deserialize`, whose general-purpose parser was a tenth of a page's decode time.
/// The module parses plain RFC 3339 directly and hands anything else to chrono, so the values
/// accepted and decoded are chrono's; the types, serialization and JSON schemas do not change.
/// An optional field also gets `default`, so that an absent one stays `None`.
///
/// Likewise the optional `integer` fields decode with the models crate's `integer` module, which
/// accepts a whole number written as a float (`1.0`), an integer to JSON Schema.
fn custom_decoders(file: &mut syn::File) {
    const DATE_TIME: &str = ":: chrono :: DateTime < :: chrono :: offset :: Utc >";
    const OPTION: &str = ":: std :: option :: Option <";
    for item in &mut file.items {
        let syn::Item::Struct(item) = item else {
            continue;
        };
        for field in item.fields.iter_mut() {
            let ty = field.ty.to_token_stream().to_string();
            let attr: syn::Attribute = if ty == DATE_TIME {
                syn::parse_quote!(#[serde(deserialize_with = "crate::datetime::deserialize")])
            } else if ty == format!("{OPTION} {DATE_TIME} >") {
                syn::parse_quote!(
                    #[serde(default, deserialize_with = "crate::datetime::deserialize_option")]
                )
            } else if ty == format!("{OPTION} i64 >") {
                syn::parse_quote!(
                    #[serde(default, deserialize_with = "crate::integer::deserialize_option")]
                )
            } else {
                continue;
            };
            field.attrs.push(attr);
        }
    }
}

/// The crate whose types the generated client uses for every component schema.
pub const MODELS_CRATE: &str = "thoughtindustries_models";

/// The client crate's type that stands for a success response's body in the generated client
/// (`RawJson<T>`: the body's JSON text as received, `T` the schema it should decode as), so that the
/// hand-written layer decodes it itself: record by record, with the JSON path of a failure, and
/// keeping the bytes as received.
pub const RESPONSE_BODY: &str = "crate::RawJson";

/// The client crate's type behind the generated client's `exec` hook (retries, limits).
pub const INNER_TYPE: &str = "crate::transport::Transport";

/// Generates the HTTP client: every component schema replaced by the models crate's type of the
/// same name ([`MODELS_CRATE`]), and each operation's success body by
/// `RESPONSE_BODY<MODELS_CRATE::Name>` ([`RESPONSE_BODY`]), so the client shares the models
/// crate's types instead of defining its own and leaves decoding to the hand-written layer.
///
/// Both the client crate's build script and `cargo xtask codegen` (for the checked-in copy of the
/// light build) call this, so the two cannot differ.
pub fn generate_client(spec: &openapiv3::OpenAPI) -> Result<String, Error> {
    let mut spec = spec.clone();
    strip_error_responses(&mut spec);
    let mut settings = base_settings();
    settings
        .with_inner_type(quote_path(INNER_TYPE)?)
        .with_hooks(progenitor::HooksMode::Expected);
    let responses = response_schemas(&spec)?;
    let names: Vec<String> = spec
        .components
        .as_ref()
        .map(|c| c.schemas.keys().cloned().collect())
        .unwrap_or_default();
    for name in names {
        let model = format!("{MODELS_CRATE}::{name}");
        let rust_type = if responses.contains(&name) {
            format!("{RESPONSE_BODY}<{model}>")
        } else {
            model
        };
        settings.with_replacement(&name, rust_type, std::iter::empty());
    }
    let mut generator = Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| Error(format!("progenitor rejected the spec: {e}")))?;
    render(line_docs(tokens))
}

/// The component schemas that are the JSON body of some operation's success response. A schema
/// that is also a request body is an error: the generated client must serialize request bodies,
/// which a response body left undecoded cannot be.
fn response_schemas(
    spec: &openapiv3::OpenAPI,
) -> Result<std::collections::BTreeSet<String>, Error> {
    use openapiv3::ReferenceOr;
    let schema_name = |media: Option<&openapiv3::MediaType>| match media?.schema.as_ref()? {
        ReferenceOr::Reference { reference } => reference
            .strip_prefix("#/components/schemas/")
            .map(str::to_owned),
        ReferenceOr::Item(_) => None,
    };
    let mut responses = std::collections::BTreeSet::new();
    let mut requests = std::collections::BTreeSet::new();
    for (_, _, operation) in spec.operations() {
        for response in operation.responses.responses.values() {
            if let ReferenceOr::Item(response) = response {
                responses.extend(schema_name(response.content.get("application/json")));
            }
        }
        if let Some(ReferenceOr::Item(body)) = &operation.request_body {
            requests.extend(schema_name(body.content.get("application/json")));
        }
    }
    if let Some(both) = responses.intersection(&requests).next() {
        return Err(Error(format!(
            "schema {both} is both a request body and a success response body; give the \
             response its own schema"
        )));
    }
    Ok(responses)
}

/// Splits every multi-line `#[doc = "..."]` into one attribute per line, which prettyplease prints
/// as `///` comments. Otherwise it prints a `/** ... */` block, whose lines rustfmt re-indents to
/// the item's depth and rustdoc then reads as indented code blocks (doctests that cannot compile).
fn line_docs(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Delimiter, Group, TokenTree};
    let mut out = proc_macro2::TokenStream::new();
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match tree {
            TokenTree::Punct(hash) if hash.as_char() == '#' => {
                let lines = match trees.peek() {
                    Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Bracket => {
                        doc_lines(group.stream())
                    }
                    _ => None,
                };
                match lines {
                    Some(lines) => {
                        trees.next();
                        for line in lines {
                            out.extend(quote::quote!(#[doc = #line]));
                        }
                    }
                    None => out.extend([TokenTree::Punct(hash)]),
                }
            }
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), line_docs(group.stream()));
                inner.set_span(group.span());
                out.extend([TokenTree::Group(inner)]);
            }
            other => out.extend([other]),
        }
    }
    out
}

/// The lines of a `doc = "..."` attribute body that spans several lines, each with the leading
/// space a `///` comment has; `None` for any other attribute.
fn doc_lines(attribute: proc_macro2::TokenStream) -> Option<Vec<String>> {
    let syn::Meta::NameValue(meta) = syn::parse2::<syn::Meta>(attribute).ok()? else {
        return None;
    };
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(text),
        ..
    }) = &meta.value
    else {
        return None;
    };
    let text = text.value();
    if !meta.path.is_ident("doc") || !text.contains('\n') {
        return None;
    }
    Some(
        text.trim_end()
            .lines()
            .map(|line| match line.trim_end() {
                "" => String::new(),
                line => format!(" {line}"),
            })
            .collect(),
    )
}

fn quote_path(path: &str) -> Result<proc_macro2::TokenStream, Error> {
    path.parse()
        .map_err(|e| Error(format!("bad type path {path}: {e:?}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn variants_are_upper_camel_case() {
        assert_eq!(super::variant_name("loginRestriction"), "LoginRestriction");
        assert_eq!(super::variant_name("xApiObject"), "XApiObject");
        assert_eq!(super::variant_name("in-person_event"), "InPersonEvent");
    }
}
