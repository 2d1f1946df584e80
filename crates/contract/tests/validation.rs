//! Golden tests of validation reports: hand-made bad bodies and known-good pages.

use serde_json::{Value, json};
use thoughtindustries_contract::{
    Report, Severity, validate_component, validate_response, validate_response_bytes,
};

fn realistic_page() -> Value {
    serde_json::from_str(include_str!("fixtures/realistic-page.json")).unwrap()
}

/// The realistic page with the value at `pointer` replaced (`None` removes it).
fn page_with(pointer: &str, value: Option<Value>) -> Value {
    let mut page = realistic_page();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = page.pointer_mut(parent).unwrap();
    match (parent, value) {
        (Value::Object(map), Some(value)) => {
            map.insert(key.to_owned(), value);
        }
        (Value::Object(map), None) => {
            map.remove(key).expect("the field to remove exists");
        }
        (Value::Array(items), Some(value)) => items[key.parse::<usize>().unwrap()] = value,
        _ => panic!("cannot edit {pointer}"),
    }
    page
}

fn check(body: &Value) -> Report {
    validate_response("list_meetings", 200, body).unwrap()
}

const MEETING: &str = "/data/Meetings/meetings/0";

#[test]
fn reference_example_is_valid() {
    let body: Value =
        serde_json::from_str(thoughtindustries_spec::examples::REFERENCE_PAGE).unwrap();
    let report = check(&body);
    assert!(report.is_valid(), "{report}");
    insta::assert_json_snapshot!(report);
}

#[test]
fn realistic_page_is_valid() {
    let report = check(&realistic_page());
    assert!(report.is_valid(), "{report}");
    // The fixture's course carries a field the API added later: drift, a notice, not a violation.
    let notices: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.severity, f.keyword.as_str(), f.instance_path.as_str()))
        .collect();
    assert_eq!(
        notices,
        [(
            Severity::Notice,
            "undocumented",
            "/data/Meetings/meetings/0/course/someFieldTheApiAddedLater"
        )],
        "{report}"
    );
}

#[test]
fn wrong_type_deep_inside_an_attendee() {
    let report = check(&page_with(
        &format!("{MEETING}/attendees/0/balance"),
        Some(json!("12.50")),
    ));
    assert!(!report.is_valid());
    insta::assert_snapshot!(report.to_string());
    insta::assert_json_snapshot!(report);
}

#[test]
fn meeting_without_id() {
    let report = check(&page_with(&format!("{MEETING}/id"), None));
    assert!(!report.is_valid());
    insta::assert_snapshot!(report.to_string());
}

#[test]
fn bad_uuid() {
    let report = check(&page_with(
        &format!("{MEETING}/courseId"),
        Some(json!("course-42")),
    ));
    assert!(!report.is_valid());
    insta::assert_snapshot!(report.to_string());
}

#[test]
fn bad_date_time() {
    let report = check(&page_with(
        &format!("{MEETING}/startDate"),
        Some(json!("2024-06-03 15:00")),
    ));
    assert!(!report.is_valid());
    insta::assert_snapshot!(report.to_string());
}

#[test]
fn unknown_enum_value_is_a_notice() {
    let report = check(&page_with(
        &format!("{MEETING}/course/status"),
        Some(json!("scheduled")),
    ));
    assert!(report.is_valid(), "{report}");
    // The new value, and the fixture's field the API added later (drift too).
    assert_eq!(report.notices().filter(|n| n.keyword == "enum").count(), 1);
    assert_eq!(report.notices().count(), 2);
    assert_eq!(report.findings[0].severity, Severity::Notice);
    insta::assert_snapshot!(report.to_string());
}

#[test]
fn null_where_non_null() {
    let report = check(&page_with(
        &format!("{MEETING}/course/slug"),
        Some(Value::Null),
    ));
    assert!(!report.is_valid());
    insta::assert_snapshot!(report.to_string());
}

#[test]
fn null_allowed_through_nullable_reference() {
    for pointer in [
        "/data/Meetings/pageInfo",
        "/data/Meetings/meetings/1/location",
        "/data/Meetings/meetings/0/course/status",
        "/data/Meetings/aggregations/0",
        "/data/Meetings/aggregations/0/buckets/0",
    ] {
        let report = check(&page_with(pointer, Some(Value::Null)));
        assert!(report.is_valid(), "{pointer}: {report}");
    }
    // A non-nullable allOf-wrapped ref does not accept null.
    let report = check(&page_with(&format!("{MEETING}/course"), Some(Value::Null)));
    assert!(!report.is_valid());
    assert_eq!(
        report.findings[0].schema_path,
        "#/components/schemas/Course/type"
    );
}

#[test]
fn a_value_inside_a_nullable_reference_is_checked_against_the_referenced_schema() {
    let report = check(&page_with(
        "/data/Meetings/meetings/1/location",
        Some(json!({"city": 7})),
    ));
    assert!(!report.is_valid());
    let finding = report.violations().next().unwrap();
    assert_eq!(
        finding.instance_path,
        "/data/Meetings/meetings/1/location/city"
    );
    assert_eq!(
        finding.schema_path,
        "#/components/schemas/Location/properties/city/type"
    );
}

#[test]
fn a_closed_enum_is_a_violation_an_open_one_a_notice() {
    let open = thoughtindustries_contract::EMBEDDED_SPEC;
    let closed = open.replace(
        "x-extensible-enum: [manager, student]",
        "enum: [manager, student]",
    );
    for (text, severity) in [(open, Severity::Notice), (&closed[..], Severity::Violation)] {
        let spec = thoughtindustries_contract::Spec::parse(text).unwrap();
        let report = spec
            .validate_component("LicenseRole", &json!("owner"))
            .unwrap();
        assert_eq!(report.findings.len(), 1, "{report}");
        assert_eq!(report.findings[0].severity, severity, "{report}");
    }
}

#[test]
fn int64_range_is_checked() {
    let report = check(&page_with(
        "/data/Meetings/pageInfo/total",
        Some(json!(9_223_372_036_854_775_808_u64)),
    ));
    assert!(!report.is_valid());
    insta::assert_snapshot!(report.to_string());
}

#[test]
fn every_violation_is_reported() {
    let mut page = page_with(
        &format!("{MEETING}/attendees/1/disabled"),
        Some(json!("no")),
    );
    page.pointer_mut("/data/Meetings/meetings/1")
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove("endDate");
    *page.pointer_mut("/data/Meetings/pageInfo/hasMore").unwrap() = json!(1);
    let report = check(&page);
    assert_eq!(report.violations().count(), 3, "{report}");
    insta::assert_snapshot!(report.to_string());
}

#[test]
fn statuses() {
    // 401 is documented without content: an empty body is valid, a body is not.
    assert!(
        validate_response_bytes("list_meetings", 401, b"")
            .unwrap()
            .is_valid()
    );
    assert!(
        validate_response("list_meetings", 401, &Value::Null)
            .unwrap()
            .is_valid()
    );
    assert!(
        !validate_response("list_meetings", 401, &json!({"error": "x"}))
            .unwrap()
            .is_valid()
    );
    // 429 carries an ErrorBody.
    let limited = json!({"error": "rate_limit_exceeded", "message": "Try again in 32 seconds.", "retryAfter": 32});
    assert!(
        validate_response("list_meetings", 429, &limited)
            .unwrap()
            .is_valid()
    );
    let report = validate_response("list_meetings", 429, &json!({"retryAfter": "32"})).unwrap();
    assert_eq!(
        report.findings[0].schema_path,
        "#/components/schemas/ErrorBody/properties/retryAfter/type"
    );
    // A status the spec does not document.
    let report = validate_response("list_meetings", 418, &json!({})).unwrap();
    assert!(!report.is_valid());
    insta::assert_snapshot!(report.to_string());
    // An empty body where JSON is documented, said as such.
    let report = validate_response_bytes("list_meetings", 200, b" \n").unwrap();
    assert!(!report.is_valid());
    assert!(
        report
            .to_string()
            .contains("empty body, but the spec documents"),
        "{report}"
    );
    // Another operation's envelope is required too.
    assert!(
        !validate_response("get_meeting", 200, &json!({}))
            .unwrap()
            .is_valid()
    );
    // The vendor's camelCase spelling names the same operation.
    assert!(
        !validate_response("getMeeting", 200, &json!({}))
            .unwrap()
            .is_valid()
    );
    assert!(
        validate_response("listMeetings", 401, &Value::Null)
            .unwrap()
            .is_valid()
    );
    // Unknown operation.
    assert!(validate_response("delete_meeting", 200, &json!({})).is_err());
    assert!(validate_response("getMeetings", 200, &json!({})).is_err());
}

#[test]
fn malformed_json_names_line_and_column() {
    let report = validate_response_bytes(
        "list_meetings",
        200,
        b"{\n  \"data\": {\"Meetings\": [1,]}\n}",
    )
    .unwrap();
    assert!(!report.is_valid());
    insta::assert_snapshot!(report.to_string());
}

#[test]
fn components() {
    assert!(
        validate_component(
            "Location",
            &json!({"id": "d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70", "name": "HQ"})
        )
        .unwrap()
        .is_valid()
    );
    let report = validate_component("Location", &json!({"name": null, "extra": 1})).unwrap();
    // The null is a violation; `extra`, which Location does not describe, a notice.
    assert_eq!(report.violations().count(), 1, "{report}");
    assert_eq!(report.notices().next().unwrap().instance_path, "/extra");
    assert_eq!(
        report.findings[0].schema_path,
        "#/components/schemas/Location/properties/name/type"
    );
    assert!(validate_component("Nope", &json!({})).is_err());
}

#[test]
fn a_status_range_documents_every_status_in_it() {
    // The embedded spec lists exact statuses; another spec may document a range (`4XX`).
    let open = thoughtindustries_contract::EMBEDDED_SPEC;
    let ranged = open.replacen("        '429':\n", "        '4XX':\n", 1);
    assert_ne!(ranged, open);
    let spec = thoughtindustries_contract::Spec::parse(&ranged).unwrap();
    let teapot = json!({"error": "teapot", "message": "Short and stout.", "retryAfter": 1});
    let report = spec
        .validate_response("list_meetings", 418, &teapot)
        .unwrap();
    assert!(report.is_valid(), "{report}");
    // Checked against the range's schema, not waved through.
    let report = spec
        .validate_response("list_meetings", 418, &json!({"retryAfter": "32"}))
        .unwrap();
    assert_eq!(
        report.findings[0].schema_path, "#/components/schemas/ErrorBody/properties/retryAfter/type",
        "{report}"
    );
}
