//! Breaking-change classification: a table of small edits to the real spec, each with the
//! expected classification.

use serde_json::{Value, json};
use thoughtindustries_contract::{ChangeKind, EMBEDDED_SPEC, breaking::diff_values};

fn spec() -> Value {
    serde_norway::from_str(EMBEDDED_SPEC).unwrap()
}

fn at<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} exists"))
}

fn set(doc: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    at(doc, parent)
        .as_object_mut()
        .expect("an object")
        .insert(key.to_owned(), value);
}

fn remove(doc: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    match at(doc, parent) {
        Value::Object(map) => {
            map.remove(&key.replace("~1", "/").replace("~0", "~"))
                .expect("key exists");
        }
        Value::Array(items) => {
            items.remove(key.parse().unwrap());
        }
        _ => panic!("{parent} is a container"),
    }
}

const MEETING: &str = "/components/schemas/Meeting";
const OPERATION: &str = "/paths/~1incoming~1v2~1meetings/get";

struct Case {
    name: &'static str,
    edit: fn(&mut Value),
    kind: ChangeKind,
    breaking: bool,
    location: &'static str,
    message: &'static str,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "remove Meeting.title",
            edit: |d| remove(d, &format!("{MEETING}/properties/title")),
            kind: ChangeKind::PropertyRemoved,
            breaking: true,
            location: "components.schemas.Meeting.properties.title",
            message: "breaking: removed property `title` of components.schemas.Meeting",
        },
        Case {
            name: "change a type",
            edit: |d| {
                set(
                    d,
                    "/components/schemas/PageInfo/properties/total/type",
                    json!("string"),
                )
            },
            kind: ChangeKind::TypeChanged,
            breaking: true,
            location: "components.schemas.PageInfo.properties.total",
            message: "breaking: changed the type of property `total` of components.schemas.PageInfo from `integer` to `string`",
        },
        Case {
            name: "change a format",
            edit: |d| remove(d, &format!("{MEETING}/properties/id/format")),
            kind: ChangeKind::FormatChanged,
            breaking: true,
            location: "components.schemas.Meeting.properties.id",
            message: "breaking: changed the format of property `id` of components.schemas.Meeting from `uuid` to (none)",
        },
        Case {
            name: "make a response field nullable",
            edit: |d| {
                set(
                    d,
                    &format!("{MEETING}/properties/startDate/nullable"),
                    json!(true),
                )
            },
            kind: ChangeKind::MadeNullable,
            breaking: true,
            location: "components.schemas.Meeting.properties.startDate",
            message: "breaking: made property `startDate` of components.schemas.Meeting nullable",
        },
        Case {
            name: "make an allOf-wrapped response field nullable",
            edit: |d| {
                set(
                    d,
                    &format!("{MEETING}/properties/course/nullable"),
                    json!(true),
                )
            },
            kind: ChangeKind::MadeNullable,
            breaking: true,
            location: "components.schemas.Meeting.properties.course",
            message: "breaking: made property `course` of components.schemas.Meeting nullable",
        },
        Case {
            name: "remove a field from required",
            edit: |d| remove(d, &format!("{MEETING}/required/0")),
            kind: ChangeKind::MadeOptional,
            breaking: true,
            location: "components.schemas.Meeting.properties.id",
            message: "breaking: made property `id` of components.schemas.Meeting optional (removed from `required`)",
        },
        Case {
            name: "add a required parameter",
            edit: |d| {
                at(d, &format!("{OPERATION}/parameters"))
                    .as_array_mut()
                    .unwrap()
                    .push(json!({
                        "name": "tenantId", "in": "query", "required": true,
                        "description": "Tenant.", "schema": {"type": "string"}
                    }))
            },
            kind: ChangeKind::RequiredParameterAdded,
            breaking: true,
            location: "GET /incoming/v2/meetings parameter tenantId",
            message: "breaking: added required query parameter `tenantId` of GET /incoming/v2/meetings",
        },
        Case {
            name: "make an optional parameter required",
            edit: |d| set(d, "/components/parameters/CourseId/required", json!(true)),
            kind: ChangeKind::ParameterMadeRequired,
            breaking: true,
            location: "GET /incoming/v2/meetings parameter courseId",
            message: "breaking: made query parameter `courseId` of GET /incoming/v2/meetings required",
        },
        Case {
            name: "remove a parameter",
            edit: |d| remove(d, &format!("{OPERATION}/parameters/1")),
            kind: ChangeKind::ParameterRemoved,
            breaking: true,
            location: "GET /incoming/v2/meetings parameter courseId",
            message: "breaking: removed query parameter `courseId` of GET /incoming/v2/meetings",
        },
        Case {
            name: "remove an enum value",
            edit: |d| remove(d, "/components/schemas/CourseStatus/x-extensible-enum/0"),
            kind: ChangeKind::EnumValueRemoved,
            breaking: true,
            location: "components.schemas.CourseStatus",
            message: "breaking: removed enum value \"archived\" of components.schemas.CourseStatus",
        },
        Case {
            name: "remove the 429 response",
            edit: |d| remove(d, &format!("{OPERATION}/responses/429")),
            kind: ChangeKind::ResponseStatusRemoved,
            breaking: true,
            location: "GET /incoming/v2/meetings response 429",
            message: "breaking: removed response 429 of GET /incoming/v2/meetings",
        },
        Case {
            name: "remove the operation",
            edit: |d| remove(d, "/paths/~1incoming~1v2~1meetings/get"),
            kind: ChangeKind::OperationRemoved,
            breaking: true,
            location: "GET /incoming/v2/meetings",
            message: "breaking: removed operation GET /incoming/v2/meetings",
        },
        Case {
            name: "add a field",
            edit: |d| {
                at(d, &format!("{MEETING}/properties"))
                    .as_object_mut()
                    .unwrap()
                    .insert(
                        "capacity".into(),
                        json!({"type": "integer", "nullable": true, "description": "Seats."}),
                    );
            },
            kind: ChangeKind::PropertyAdded,
            breaking: false,
            location: "components.schemas.Meeting.properties.capacity",
            message: "non-breaking: added property `capacity` of components.schemas.Meeting",
        },
        Case {
            name: "add an enum value",
            edit: |d| {
                at(d, "/components/schemas/LicenseRole/x-extensible-enum")
                    .as_array_mut()
                    .unwrap()
                    .push(json!("owner"))
            },
            kind: ChangeKind::EnumValueAdded,
            breaking: false,
            location: "components.schemas.LicenseRole",
            message: "non-breaking: added enum value \"owner\" of components.schemas.LicenseRole (the enumeration is open)",
        },
        Case {
            name: "add an optional parameter",
            edit: |d| {
                at(d, &format!("{OPERATION}/parameters"))
                    .as_array_mut()
                    .unwrap()
                    .push(json!({
                        "name": "perPage", "in": "query", "required": false,
                        "description": "Page size.", "schema": {"type": "integer"}
                    }))
            },
            kind: ChangeKind::ParameterAdded,
            breaking: false,
            location: "GET /incoming/v2/meetings parameter perPage",
            message: "non-breaking: added optional query parameter `perPage` of GET /incoming/v2/meetings",
        },
        Case {
            name: "change a description",
            edit: |d| {
                set(
                    d,
                    &format!("{MEETING}/properties/title/description"),
                    json!("The title."),
                )
            },
            kind: ChangeKind::DescriptionChanged,
            breaking: false,
            location: "components.schemas.Meeting.properties.title",
            message: "non-breaking: changed the description of property `title` of components.schemas.Meeting",
        },
        Case {
            name: "make a response field required",
            edit: |d| {
                at(d, &format!("{MEETING}/required"))
                    .as_array_mut()
                    .unwrap()
                    .push(json!("title"))
            },
            kind: ChangeKind::MadeRequired,
            breaking: false,
            location: "components.schemas.Meeting.properties.title",
            message: "non-breaking: made property `title` of components.schemas.Meeting required",
        },
        Case {
            name: "make a response field non-nullable",
            edit: |d| {
                set(
                    d,
                    &format!("{MEETING}/properties/title/nullable"),
                    json!(false),
                )
            },
            kind: ChangeKind::MadeNonNullable,
            breaking: false,
            location: "components.schemas.Meeting.properties.title",
            message: "non-breaking: made property `title` of components.schemas.Meeting non-nullable",
        },
        Case {
            name: "add a response status",
            edit: |d| {
                at(d, &format!("{OPERATION}/responses"))
                    .as_object_mut()
                    .unwrap()
                    .insert(
                        "501".into(),
                        json!({"$ref": "#/components/responses/BadRequest"}),
                    );
            },
            kind: ChangeKind::ResponseStatusAdded,
            breaking: false,
            location: "GET /incoming/v2/meetings response 501",
            message: "non-breaking: added response 501 of GET /incoming/v2/meetings",
        },
        Case {
            name: "change a summary",
            edit: |d| {
                set(
                    d,
                    &format!("{OPERATION}/summary"),
                    json!("List the meetings"),
                )
            },
            kind: ChangeKind::DescriptionChanged,
            breaking: false,
            location: "GET /incoming/v2/meetings",
            message: "non-breaking: changed the summary of GET /incoming/v2/meetings",
        },
    ]
}

#[test]
fn classification_table() {
    let old = spec();
    for case in cases() {
        let mut new = spec();
        (case.edit)(&mut new);
        let changes = diff_values(&old, &new);
        assert_eq!(
            changes.len(),
            1,
            "{}: exactly one change expected, got {changes:#?}",
            case.name
        );
        let change = &changes[0];
        assert_eq!(change.kind, case.kind, "{}", case.name);
        assert_eq!(change.breaking, case.breaking, "{}", case.name);
        assert_eq!(change.location, case.location, "{}", case.name);
        assert_eq!(change.to_string(), case.message, "{}", case.name);
    }
}

#[test]
fn identical_specs_have_no_changes() {
    assert!(diff_values(&spec(), &spec()).is_empty());
    let typed = thoughtindustries_contract::Spec::embedded().openapi();
    assert!(thoughtindustries_contract::diff(typed, typed).is_empty());
}

#[test]
fn a_component_change_is_reported_once_at_the_component() {
    // Location is used by Meeting.location and Course.location (both allOf-wrapped refs).
    let mut new = spec();
    remove(&mut new, "/components/schemas/Location/properties/room");
    let changes = diff_values(&spec(), &new);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(
        changes[0].location,
        "components.schemas.Location.properties.room"
    );
}

#[test]
fn changed_reference_target_is_breaking() {
    let mut new = spec();
    set(
        &mut new,
        &format!("{MEETING}/properties/location/anyOf/0/$ref"),
        json!("#/components/schemas/Client"),
    );
    let changes = diff_values(&spec(), &new);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert!(changes[0].breaking);
    assert_eq!(changes[0].kind, ChangeKind::TypeChanged);
}

#[test]
fn the_legacy_nullable_reference_form_is_no_change() {
    // `{type: object, nullable: true, allOf: [$ref]}` (with or without `type`) and the portable
    // `anyOf: [$ref, {type: object, nullable: true, enum: [null]}]` all mean "null or the
    // referenced schema"; the generated types are identical.
    for with_type in [true, false] {
        let mut old = spec();
        let location = at(&mut old, &format!("{MEETING}/properties/location"))
            .as_object_mut()
            .unwrap();
        location.remove("anyOf");
        location.insert("nullable".to_owned(), json!(true));
        location.insert(
            "allOf".to_owned(),
            json!([{"$ref": "#/components/schemas/Location"}]),
        );
        if with_type {
            location.insert("type".to_owned(), json!("object"));
        }
        let changes = diff_values(&old, &spec());
        assert!(changes.is_empty(), "{changes:#?}");
    }
}

#[test]
fn a_closed_enum_listing_the_same_values_is_no_change() {
    let mut old = spec();
    let status = at(&mut old, "/components/schemas/CourseStatus")
        .as_object_mut()
        .unwrap();
    let values = status.remove("x-extensible-enum").unwrap();
    status.insert("enum".to_owned(), values);
    let changes = diff_values(&old, &spec());
    assert!(changes.is_empty(), "{changes:#?}");
}
