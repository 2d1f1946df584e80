//! Property tests: any JSON value fed to the decoder gives `Ok` or a typed error, never a panic;
//! every decoded model value round-trips through JSON unchanged.

use proptest::prelude::*;
use serde_json::Value;
use thoughtindustries_models::{Meeting, MeetingsResponse};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-zA-Z0-9:.+-]{0,40}".prop_map(Value::String),
        Just(Value::String("00000000-0000-4000-8000-000000000001".into())),
        Just(Value::String("2024-01-01T00:00:00Z".into())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Real field names most of the time, so that generated values reach deep into the models.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "data",
            "Meetings",
            "meetings",
            "pageInfo",
            "aggregations",
            "buckets",
            "id",
            "title",
            "courseId",
            "course",
            "startDate",
            "endDate",
            "attendees",
            "location",
            "status",
            "kind",
            "prices",
            "hasMore",
            "total",
            "perPage",
            "balance",
            "customFields",
        ])
        .prop_map(str::to_owned),
        "[a-z]{1,8}",
    ]
}

/// Mutations of the reference example: one field replaced by an arbitrary value.
fn mutated_example() -> impl Strategy<Value = Value> {
    let example = contract_tests::reference_example();
    let mut pointers = Vec::new();
    collect_pointers(&example, String::new(), &mut pointers);
    (prop::sample::select(pointers), json_value()).prop_map(move |(pointer, value)| {
        let mut body = example.clone();
        *body
            .pointer_mut(&pointer)
            .expect("pointer from the example") = value;
        body
    })
}

fn collect_pointers(value: &Value, pointer: String, out: &mut Vec<String>) {
    out.push(pointer.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect_pointers(v, format!("{pointer}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_pointers(v, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_json_decodes_or_fails_cleanly(value in json_value()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        // A page either decodes (its odd records rejected with their path) or fails naming the
        // page and the JSON path; never a panic.
        match thoughtindustries::wire::decode_page(&bytes, 1) {
            Ok(page) => {
                prop_assert_eq!(page.number, 1);
                for rejected in &page.rejected {
                    prop_assert!(rejected.path.starts_with("data.Meetings.meetings["));
                }
            }
            Err(error) => {
                prop_assert_eq!(error.page(), Some(1));
                prop_assert!(error.json_path().is_some(), "{}", error);
            }
        }
        // Whatever decodes as a model serializes back to the same model.
        round_trips::<MeetingsResponse>(serde_json::from_slice(&bytes))?;
        round_trips::<Meeting>(serde_json::from_value(value))?;
    }

    #[test]
    fn mutated_pages_decode_or_fail_with_a_path_and_round_trip(body in mutated_example()) {
        let bytes = serde_json::to_vec(&body).unwrap();
        match thoughtindustries::wire::decode_page(&bytes, 7) {
            Ok(page) => {
                for rejected in &page.rejected {
                    prop_assert!(rejected.path.starts_with("data.Meetings.meetings["));
                }
            }
            Err(error) => {
                prop_assert_eq!(error.page(), Some(7));
                prop_assert!(error.json_path().is_some(), "{}", error);
            }
        }
        round_trips::<MeetingsResponse>(serde_json::from_slice(&bytes))?;
    }
}

/// A value that decoded serializes to JSON that decodes to the same value.
fn round_trips<T>(decoded: Result<T, serde_json::Error>) -> Result<(), TestCaseError>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    if let Ok(decoded) = decoded {
        let again: T = serde_json::from_value(serde_json::to_value(&decoded).unwrap()).unwrap();
        prop_assert_eq!(again, decoded);
    }
    Ok(())
}
