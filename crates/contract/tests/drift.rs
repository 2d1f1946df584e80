//! Drift, seen and proposed: undocumented fields and new enumeration values are notices with
//! their shapes, and the proposed spec describes them (and nothing else changes).

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use similar::{Algorithm, DiffOp, capture_diff_slices};
use thoughtindustries_contract::{Comparison, Drift, EMBEDDED_SPEC, Spec, propose};

fn reference_page() -> Value {
    serde_json::from_str(thoughtindustries_spec::examples::REFERENCE_PAGE).unwrap()
}

/// A page whose every meeting carries what the issue lists: a string URL, an integer, a nested
/// object, a field on the nested course and on each attendee, and a new course status.
fn drifted_page() -> Value {
    let mut body = reference_page();
    let meetings = body["data"]["Meetings"]["meetings"].as_array_mut().unwrap();
    for meeting in meetings {
        meeting["recordingUrl"] = json!("https://video.example.com/r/1");
        meeting["seatsRemaining"] = json!(12);
        meeting["recording"] = json!({"provider": "zoom", "durationSeconds": 3600,
                                      "startedAt": "2024-05-06T07:08:09Z"});
        meeting["course"]["deliveryMode"] = json!("hybrid");
        meeting["course"]["status"] = json!("retired");
        for attendee in meeting["attendees"].as_array_mut().unwrap() {
            attendee["pronouns"] = json!("they/them");
        }
    }
    body
}

/// True when `new` is `old` with text inserted, nothing removed or replaced.
fn only_insertions(old: &str, new: &str) -> bool {
    capture_diff_slices(Algorithm::Myers, old.as_bytes(), new.as_bytes())
        .iter()
        .all(|op| matches!(op, DiffOp::Equal { .. } | DiffOp::Insert { .. }))
}

#[test]
fn every_undocumented_field_is_a_notice_with_its_schema_and_shape() {
    let report = Spec::embedded()
        .validate_response("list_meetings", 200, &drifted_page())
        .unwrap();
    assert!(report.is_valid(), "{report}");
    let named: Vec<String> = report
        .drift
        .fields()
        .map(|f| format!("{} = {}", f.display_name(), f.shape))
        .collect();
    assert_eq!(
        named,
        [
            "Course.deliveryMode = string",
            "Meeting.recording = object {durationSeconds: integer, provider: string, \
             startedAt: string (date-time)}",
            "Meeting.recordingUrl = string (uri)",
            "Meeting.seatsRemaining = integer",
            "User.pronouns = string",
        ]
    );
    let pronouns = report.drift.fields().last().unwrap();
    assert_eq!(
        pronouns.first_path,
        "/data/Meetings/meetings/0/attendees/0/pronouns"
    );
    let attendees = reference_page()["data"]["Meetings"]["meetings"][0]["attendees"]
        .as_array()
        .unwrap()
        .len() as u64;
    assert_eq!(pronouns.shape.seen, attendees);
    let values: Vec<_> = report.drift.enum_values().map(|v| &v.value).collect();
    assert_eq!(values, ["retired"]);
    let undocumented: Vec<_> = report
        .notices()
        .filter(|n| n.keyword == "undocumented")
        .map(|n| n.instance_path.as_str())
        .collect();
    assert!(undocumented.contains(&"/data/Meetings/meetings/0/recordingUrl"));
    assert_eq!(undocumented.len(), 5);
    assert_eq!(report.notices().filter(|n| n.keyword == "enum").count(), 1);
}

#[test]
fn free_form_objects_and_the_vendors_elisions_are_not_drift() {
    let mut body = reference_page();
    let course = &mut body["data"]["Meetings"]["meetings"][0]["course"];
    course["customFields"] = json!({"anything": {"at": ["all"]}});
    course["recurrence"] = json!({"rule": "weekly"});
    let report = Spec::embedded()
        .validate_response("list_meetings", 200, &body)
        .unwrap();
    assert!(report.drift.is_empty(), "{}", report.drift);
    assert_eq!(report.notices().count(), 0, "{report}");
}

#[test]
fn the_proposal_adds_each_field_and_value_and_changes_nothing_else() {
    let body = drifted_page();
    let report = Spec::embedded()
        .validate_response("list_meetings", 200, &body)
        .unwrap();
    let proposal = propose(EMBEDDED_SPEC, &report.drift).unwrap();
    assert!(only_insertions(EMBEDDED_SPEC, &proposal.text));
    assert_eq!(proposal.additions.len(), 6, "{:?}", proposal.additions);
    assert!(proposal.text.contains(
        "        recordingUrl:\n          type: string\n          format: uri\n          nullable: true\n"
    ));
    assert!(proposal.text.contains("published, retired]"));

    let updated = Spec::parse(&proposal.text).unwrap();
    let recording =
        &updated.document()["components"]["schemas"]["Meeting"]["properties"]["recording"];
    assert_eq!(recording["type"], "object");
    assert_eq!(recording["nullable"], true);
    assert_eq!(
        recording["properties"]["startedAt"]["format"], "date-time",
        "{recording}"
    );
    let report = updated
        .validate_response("list_meetings", 200, &body)
        .unwrap();
    assert!(report.is_valid() && report.findings.is_empty(), "{report}");

    let comparison = Comparison::of_text(EMBEDDED_SPEC, &proposal.text).unwrap();
    assert_eq!(comparison.breaking, 0, "{comparison}");
    assert!(comparison.allowed);
    // Again on the proposed spec: nothing left to add, not one byte changes.
    let again = propose(&proposal.text, &report.drift).unwrap();
    assert_eq!(again.text, proposal.text);
}

#[test]
fn an_object_seen_under_one_name_in_two_schemas_becomes_a_component() {
    let mut body = reference_page();
    let meeting = &mut body["data"]["Meetings"]["meetings"][0];
    meeting["badge"] = json!({"label": "new", "color": "#fff"});
    meeting["course"]["badge"] = json!({"label": "hot"});
    let report = Spec::embedded()
        .validate_response("list_meetings", 200, &body)
        .unwrap();
    let proposal = propose(EMBEDDED_SPEC, &report.drift).unwrap();
    let updated = Spec::parse(&proposal.text).unwrap();
    let schemas = &updated.document()["components"]["schemas"];
    assert_eq!(schemas["Badge"]["properties"]["color"]["type"], "string");
    assert_eq!(
        schemas["Meeting"]["properties"]["badge"]["anyOf"][0]["$ref"],
        "#/components/schemas/Badge"
    );
    assert_eq!(
        schemas["Course"]["properties"]["badge"]["anyOf"][0]["$ref"],
        "#/components/schemas/Badge"
    );
    let report = updated
        .validate_response("list_meetings", 200, &body)
        .unwrap();
    assert!(report.findings.is_empty(), "{report}");
    assert_eq!(
        Comparison::of_text(EMBEDDED_SPEC, &proposal.text)
            .unwrap()
            .breaking,
        0
    );
}

#[test]
fn a_schema_the_spec_lacks_is_an_error_not_a_guess() {
    let report = Spec::embedded()
        .validate_response("list_meetings", 200, &drifted_page())
        .unwrap();
    let other = EMBEDDED_SPEC.replace("    Meeting:\n", "    Session:\n");
    let other = other.replace("schemas/Meeting'", "schemas/Session'");
    let error = propose(&other, &report.drift).unwrap_err().to_string();
    assert!(error.contains("Meeting"), "{error}");
}

// ---- generated drift -------------------------------------------------------------------------

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1.0e6..1.0e6f64).prop_map(|f| json!(f)),
        "[a-zA-Z ]{0,8}".prop_map(Value::from),
        Just(json!("https://example.com/a?b=c")),
        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}".prop_map(Value::from),
        Just(json!("2024-05-06T07:08:09.123+02:00")),
        Just(json!("ada@example.com")),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// New field names: a few shared ones (so that the same name turns up in several schemas),
/// ones YAML must quote, and random ones; none is a property the spec has.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "badge",
            "newTag",
            "new-tag",
            "new field",
            "true",
            "n3w:x",
            "7up"
        ])
        .prop_map(str::to_owned),
        "new[A-Za-z0-9_]{1,6}",
    ]
}

/// Where a new field goes, in every meeting of a page.
#[derive(Debug, Clone, Copy)]
enum Place {
    Meeting,
    Course,
    EachAttendee,
    Location,
    PageInfo,
}

fn place() -> impl Strategy<Value = Place> {
    prop::sample::select(vec![
        Place::Meeting,
        Place::Course,
        Place::EachAttendee,
        Place::Location,
        Place::PageInfo,
    ])
}

fn put(object: &mut Value, name: &str, value: &Value) {
    if let Some(object) = object.as_object_mut()
        && !object.contains_key(name)
    {
        object.insert(name.to_owned(), value.clone());
    }
}

fn drift_page(additions: &[(Place, String, Value)], statuses: &[String]) -> Value {
    let mut body = reference_page();
    for (place, name, value) in additions {
        if let Place::PageInfo = place {
            put(&mut body["data"]["Meetings"]["pageInfo"], name, value);
            continue;
        }
        for meeting in body["data"]["Meetings"]["meetings"].as_array_mut().unwrap() {
            match place {
                Place::Meeting => put(meeting, name, value),
                Place::Course => put(&mut meeting["course"], name, value),
                Place::Location => put(&mut meeting["location"], name, value),
                Place::EachAttendee => {
                    for attendee in meeting["attendees"].as_array_mut().unwrap() {
                        put(attendee, name, value);
                    }
                }
                Place::PageInfo => {}
            }
        }
    }
    for (meeting, status) in body["data"]["Meetings"]["meetings"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(statuses)
    {
        meeting["course"]["status"] = json!(status);
    }
    body
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// For generated drift over one to three pages, the proposed spec validates every page it was
    /// made from with no finding left (no violation, no drift), only inserts text, and is
    /// non-breaking for the classifier of `ti diff`.
    #[test]
    fn the_proposed_spec_describes_every_body_it_was_made_from(
        pages in prop::collection::vec(
            (
                prop::collection::vec((place(), field_name(), tree()), 0..5),
                prop::collection::vec(
                    prop::sample::select(vec!["draft", "retired", "in review", "42", "archived"])
                        .prop_map(str::to_owned),
                    0..2,
                ),
            ),
            1..4,
        )
    ) {
        let bodies: Vec<Value> = pages.iter().map(|(a, s)| drift_page(a, s)).collect();
        let spec = Spec::embedded();
        let mut drift = Drift::default();
        for body in &bodies {
            let report = spec.validate_response("list_meetings", 200, body).unwrap();
            prop_assert!(report.is_valid(), "{}", report);
            drift.merge(&report.drift);
        }
        let proposal = propose(EMBEDDED_SPEC, &drift).unwrap();
        prop_assert!(only_insertions(EMBEDDED_SPEC, &proposal.text));
        prop_assert_eq!(proposal.additions.is_empty(), drift.is_empty());
        let updated = Spec::parse(&proposal.text).unwrap();
        for body in &bodies {
            let report = updated.validate_response("list_meetings", 200, body).unwrap();
            prop_assert!(report.findings.is_empty(), "{}\n{}", report, proposal.additions.join("\n"));
        }
        let comparison = Comparison::of_values(spec.document(), updated.document());
        prop_assert_eq!(comparison.breaking, 0, "{}", comparison);
    }
}
