//! Null, absent and present decode for every field the spec allows them for, at every depth of the
//! reference example, and unknown fields and enum values never fail a decode.

use serde_json::{Value, json};
use thoughtindustries_models::MeetingsResponse;

/// The schema that governs `schema`'s property `key`, following `$ref`, `allOf`, `anyOf` and
/// `items`.
fn property<'a>(spec: &'a Value, schema: &'a Value, key: &str) -> Option<&'a Value> {
    resolve(spec, schema)["properties"].get(key)
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return resolve(spec, &spec["components"]["schemas"][name]);
    }
    if let Some(first) = schema["allOf"].get(0) {
        return resolve(spec, first);
    }
    // A nullable reference: `anyOf: [{$ref}, {type, nullable: true, enum: [null]}]`.
    if let Some(branches) = schema["anyOf"].as_array()
        && let Some(reference) = branches.iter().find(|b| b.get("$ref").is_some())
    {
        return resolve(spec, reference);
    }
    schema
}

/// `nullable: true`, or a nullable reference's null branch.
fn is_nullable(schema: &Value) -> bool {
    schema["nullable"] == json!(true)
        || schema["anyOf"]
            .as_array()
            .is_some_and(|branches| branches.iter().any(|b| b["nullable"] == json!(true)))
}

fn is_required(spec: &Value, parent: &Value, key: &str) -> bool {
    resolve(spec, parent)["required"]
        .as_array()
        .is_some_and(|r| r.iter().any(|k| k == key))
}

/// Every (JSON pointer, parent schema, key) of an object field in `value`.
fn fields<'a>(
    spec: &'a Value,
    schema: &'a Value,
    value: &Value,
    pointer: String,
    out: &mut Vec<(String, &'a Value, String)>,
) {
    let schema = resolve(spec, schema);
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let Some(child_schema) = property(spec, schema, key) else {
                    continue;
                };
                out.push((pointer.clone(), schema, key.clone()));
                fields(spec, child_schema, child, format!("{pointer}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                fields(
                    spec,
                    &schema["items"],
                    item,
                    format!("{pointer}/{index}"),
                    out,
                );
            }
        }
        _ => {}
    }
}

fn decodes(body: &Value) -> Result<(), String> {
    serde_json::from_value::<MeetingsResponse>(body.clone())
        .map(drop)
        .map_err(|e| e.to_string())
}

#[test]
fn null_absent_and_present_decode_wherever_the_spec_allows() {
    let spec = contract_tests::spec_value();
    let example = contract_tests::reference_example();
    let root = json!({"$ref": "#/components/schemas/MeetingsResponse"});
    let mut all = Vec::new();
    fields(&spec, &root, &example, String::new(), &mut all);
    assert!(all.len() > 150, "only {} fields walked", all.len());

    decodes(&example).expect("present: the reference example decodes");
    let mut checked = (0, 0);
    for (pointer, parent, key) in &all {
        let field_schema = property(&spec, parent, key).unwrap();
        if !is_required(&spec, parent, key) {
            let mut body = example.clone();
            body.pointer_mut(pointer)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .remove(key);
            decodes(&body).unwrap_or_else(|e| panic!("absent {pointer}/{key}: {e}"));
            checked.0 += 1;
        }
        if is_nullable(field_schema) {
            let mut body = example.clone();
            body.pointer_mut(pointer).unwrap()[key.as_str()] = Value::Null;
            decodes(&body).unwrap_or_else(|e| panic!("null {pointer}/{key}: {e}"));
            checked.1 += 1;
        }
    }
    assert!(checked.0 > 150 && checked.1 > 150, "{checked:?}");
}

#[test]
fn required_meeting_fields_are_enforced() {
    let example = contract_tests::reference_example();
    for key in ["id", "courseId", "course", "startDate", "endDate"] {
        let mut body = example.clone();
        body["data"]["Meetings"]["meetings"][0]
            .as_object_mut()
            .unwrap()
            .remove(key);
        assert!(
            decodes(&body).is_err(),
            "a meeting without {key} must not decode"
        );
    }
}

#[test]
fn unknown_enum_values_decode_and_round_trip() {
    let mut body = contract_tests::reference_example();
    let course = &mut body["data"]["Meetings"]["meetings"][0]["course"];
    course["status"] = json!("scheduledForReview");
    course["kind"] = json!("podcast");
    course["alternativePricingType"] = json!("subscription");
    let decoded: MeetingsResponse = serde_json::from_value(body).unwrap();
    let course = &decoded.data.meetings.meetings.as_ref().unwrap()[0].course;
    assert_eq!(course.kind.as_ref().unwrap().as_str(), "podcast");
    assert!(course.kind.as_ref().unwrap().is_unknown());
    let again = serde_json::to_value(&decoded).unwrap();
    let course = &again["data"]["Meetings"]["meetings"][0]["course"];
    assert_eq!(course["status"], "scheduledForReview");
    assert_eq!(course["alternativePricingType"], "subscription");
}

/// The open objects (course group, webinar settings, lesson, section, client, ...) keep the
/// fields the SDK does not model, readable in `extra` and serialized back: the vendor's own
/// `{"...": "..."}` placeholders and a field added later. Unknown fields elsewhere are ignored by
/// the typed models (the exact record, unknown fields included, is `RawMeeting::raw`).
#[test]
fn open_objects_keep_unknown_fields_and_round_trip_them() {
    let mut body = contract_tests::reference_example();
    let meeting = &mut body["data"]["Meetings"]["meetings"][0];
    meeting["course"]["webinarDetails"]["meetingPassword"] = json!({"nested": [1, 2.5, null]});
    meeting["attendees"][0]["client"]["tier"] = json!("gold");
    meeting["brandNewMeetingField"] = json!(true);
    let decoded: MeetingsResponse = serde_json::from_value(body.clone()).unwrap();
    let typed = &decoded.data.meetings.meetings.as_ref().unwrap()[0];
    let webinar = typed.course.webinar_details.as_ref().unwrap();
    assert_eq!(
        webinar.extra["meetingPassword"],
        json!({"nested": [1, 2.5, null]})
    );
    assert_eq!(webinar.extra["..."], "...");
    let client = typed.attendees.as_ref().unwrap()[0]
        .client
        .as_ref()
        .unwrap();
    assert_eq!(client.extra["tier"], "gold");

    let again = serde_json::to_value(&decoded).unwrap();
    let original = &body["data"]["Meetings"]["meetings"][0];
    let kept = &again["data"]["Meetings"]["meetings"][0];
    for pointer in [
        "/course/courseGroup",
        "/course/webinarDetails",
        "/course/sampleLesson",
        "/course/sections/0",
        "/attendees/0/client",
    ] {
        assert_eq!(
            kept.pointer(pointer),
            original.pointer(pointer),
            "{pointer}"
        );
    }
    assert!(kept.get("brandNewMeetingField").is_none());
}

#[test]
fn timestamps_accept_offsets_and_missing_fractions() {
    let mut body = contract_tests::reference_example();
    let meeting = &mut body["data"]["Meetings"]["meetings"][0];
    meeting["startDate"] = json!("2024-03-10T09:30:00+02:00");
    meeting["endDate"] = json!("2024-03-10T10:30:00Z");
    let decoded: MeetingsResponse = serde_json::from_value(body).unwrap();
    let meeting = &decoded.data.meetings.meetings.unwrap()[0];
    assert_eq!(meeting.start_date.to_rfc3339(), "2024-03-10T07:30:00+00:00");
}

#[test]
fn other_systems_ids_are_free_strings() {
    let mut body = contract_tests::reference_example();
    let user = &mut body["data"]["Meetings"]["meetings"][0]["attendees"][0];
    user["stripeCustomerId"] = json!("cus_NffrFeUfNV2Hib");
    user["sfAccountId"] = json!("0015g00000XyZabAAB");
    user["externalCustomerId"] = json!("ERP-1234");
    body["data"]["Meetings"]["meetings"][0]["course"]["webinarId"] = json!("85746065432");
    body["data"]["Meetings"]["meetings"][0]["course"]["taxCategory"] = json!("txcd_10000000");
    decodes(&body).unwrap();
}

#[test]
fn ids_of_nested_objects_the_vendor_does_not_promise_as_uuids_are_free_strings() {
    let mut body = contract_tests::reference_example();
    let course = &mut body["data"]["Meetings"]["meetings"][0]["course"];
    course["sampleLessonId"] = json!("les_123");
    course["sampleLesson"] = json!({"id": "les_123", "slug": "intro"});
    course["sections"] = json!([{"id": "sec_1", "lessons": [{"id": "les_9"}]}]);
    course["prices"] = json!([{"id": "price_1", "currencyCode": "USD", "priceInCents": 1999}]);
    course["courseGroup"] = json!({"id": "grp-7"});
    course["prerequisiteLearningPaths"] = json!([{"id": "lp-1"}]);
    course["webinarDetails"] = json!({"id": "wb-2"});
    course["topicGroup"] = json!({"id": "tg", "companyId": "acme"});
    course["awardClaimingOptions"] = json!([{"awardTypeId": "cpe"}]);
    let user = &mut body["data"]["Meetings"]["meetings"][0]["attendees"][0];
    user["activeLicense"] = json!({"id": "lic_1"});
    user["allocatedLicenses"] = json!([{"licenseId": "lic_1", "license": {"id": "lic_1"}}]);
    user["allocatedLearningPaths"] =
        json!([{"learningPathId": "lp-1", "learningPath": {"id": "lp-1"}}]);
    user["purchasedBundles"] = json!([{"bundleId": "bdl_1", "bundle": {"id": "bdl_1"}}]);
    decodes(&body).unwrap();
}

#[test]
fn course_prices_tolerate_null_like_their_siblings() {
    let mut body = contract_tests::reference_example();
    body["data"]["Meetings"]["meetings"][0]["course"]["prices"] = Value::Null;
    decodes(&body).unwrap();
}

/// The component name a property schema refers to (directly, through `allOf`/`anyOf`, or as its
/// array's items), with whether it is reached through an array.
fn referenced(schema: &Value) -> Option<(&str, bool)> {
    fn name(s: &Value) -> Option<&str> {
        s["$ref"]
            .as_str()
            .map(|r| r.trim_start_matches("#/components/schemas/"))
    }
    fn direct(s: &Value) -> Option<&str> {
        name(s)
            .or_else(|| s["allOf"].as_array()?.iter().find_map(name))
            .or_else(|| s["anyOf"].as_array()?.iter().find_map(name))
    }
    direct(schema)
        .map(|n| (n, false))
        .or_else(|| direct(&schema["items"]).map(|n| (n, true)))
}

/// Every object schema reachable from `Meeting`, each with the first JSON pointer (inside one
/// meeting) where it occurs, breadth first.
fn nested_objects(spec: &Value) -> Vec<(String, String)> {
    let schemas = &spec["components"]["schemas"];
    let mut found = vec![("Meeting".to_owned(), String::new())];
    let mut next = 0;
    while next < found.len() {
        let (name, pointer) = found[next].clone();
        next += 1;
        let Some(properties) = schemas[name.as_str()]["properties"].as_object() else {
            continue;
        };
        for (key, schema) in properties {
            let Some((child, array)) = referenced(schema) else {
                continue;
            };
            if schemas[child]["properties"].as_object().is_none()
                || found.iter().any(|(n, _)| n == child)
            {
                continue;
            }
            let at = format!("{pointer}/{key}{}", if array { "/0" } else { "" });
            found.push((child.to_owned(), at));
        }
    }
    found.remove(0);
    found
}

/// `meeting` with an object at `pointer`, creating `{}` (or `[{}]` for an array step) where the
/// example has null or nothing.
fn object_at<'a>(meeting: &'a mut Value, pointer: &str) -> &'a mut serde_json::Map<String, Value> {
    let steps: Vec<&str> = pointer.split('/').skip(1).collect();
    let mut here = meeting;
    for (i, step) in steps.iter().enumerate() {
        let array_next = steps.get(i + 1).is_some_and(|s| s.parse::<usize>().is_ok());
        here = if let Ok(index) = step.parse::<usize>() {
            let items = here.as_array_mut().unwrap();
            if items.is_empty() {
                items.push(json!({}));
            }
            if !items[index].is_object() {
                items[index] = json!({});
            }
            &mut items[index]
        } else {
            let object = here.as_object_mut().unwrap();
            let slot = object.entry(step.to_string()).or_insert(Value::Null);
            if array_next && !slot.is_array() {
                *slot = json!([]);
            } else if !array_next && !slot.is_object() {
                *slot = json!({});
            }
            slot
        };
    }
    here.as_object_mut().unwrap()
}

/// Issue 13: one odd nested value must not cost the meeting. Every field of every typed object a
/// meeting reaches (course, lessons, sections, prices, users, licenses, ...), not only those the
/// reference example shows, may be null or absent: the meeting is delivered, nothing rejected,
/// nothing blanked.
#[test]
fn every_field_of_every_nested_object_may_be_null_or_absent() {
    let spec = contract_tests::spec_value();
    let example = contract_tests::reference_example();
    let objects = nested_objects(&spec);
    assert!(objects.len() >= 25, "only {} nested objects", objects.len());
    let mut checked = 0;
    for (name, pointer) in &objects {
        let properties = spec["components"]["schemas"][name.as_str()]["properties"]
            .as_object()
            .unwrap();
        for key in properties.keys() {
            for value in [Some(Value::Null), None] {
                let mut body = example.clone();
                let object = object_at(&mut body["data"]["Meetings"]["meetings"][0], pointer);
                match &value {
                    Some(null) => object.insert(key.clone(), null.clone()),
                    None => object.remove(key),
                };
                let bytes = serde_json::to_vec(&body).unwrap();
                let page = thoughtindustries::wire::decode_page(&bytes, 1)
                    .unwrap_or_else(|e| panic!("{name}.{key} = {value:?} at {pointer}: {e}"));
                let what = format!("{name}.{key} = {value:?} at {pointer}");
                assert_eq!(page.meetings.len(), 1, "{what}: {:?}", page.rejected);
                assert!(page.blanked.is_empty(), "{what}: {:?}", page.blanked);
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "only {checked} cases");
}

/// A whole number written as a float (`"certificatesCount": 1.0`) is an integer to JSON Schema:
/// it decodes to the number, not to an error or an emptied field.
#[test]
fn whole_floats_are_integers() {
    let mut body = contract_tests::reference_example();
    let meeting = &mut body["data"]["Meetings"]["meetings"][0];
    meeting["attendees"][0]["certificatesCount"] = json!(1.0);
    meeting["course"]["accessDays"] = json!(3e1);
    let bytes = serde_json::to_vec(&body).unwrap();
    let page = thoughtindustries::wire::decode_page(&bytes, 1).unwrap();
    assert!(page.blanked.is_empty(), "{:?}", page.blanked);
    let meeting = &page.meetings[0];
    assert_eq!(
        meeting.attendees.as_ref().unwrap()[0].certificates_count,
        Some(1)
    );
    assert_eq!(meeting.course.access_days, Some(30));
}
