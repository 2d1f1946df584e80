//! Snapshots of every model type's JSON Schema (schemars) and of the generated client's public
//! surface, so that a spec change shows up in review as a snapshot diff.
//!
//! Update with `cargo insta review` (or `INSTA_UPDATE=always cargo test -p contract-tests`); CI
//! runs with `INSTA_UPDATE=no` and fails on a pending or mismatching snapshot.

use std::collections::BTreeSet;

use thoughtindustries_models as m;

/// Snapshots the schema of each listed type under its own name, and returns the names.
macro_rules! snapshot_schemas {
    ($($ty:ident),+ $(,)?) => {{
        let mut names = BTreeSet::new();
        $(
            insta::assert_json_snapshot!(
                concat!("schema__", stringify!($ty)),
                schemars::schema_for!(m::$ty)
            );
            names.insert(stringify!($ty).to_owned());
        )+
        names
    }};
}

#[test]
fn every_component_schema_has_a_snapshot() {
    let snapshotted = snapshot_schemas!(
        Aggregation,
        AggregationBucket,
        AllocatedLearningPath,
        AllocatedLicense,
        AlternativePricingType,
        AttendedMeeting,
        AwardClaimingOption,
        BulkUpdateMeetingAttendanceData,
        BulkUpdateMeetingAttendanceError,
        BulkUpdateMeetingAttendanceRequest,
        BulkUpdateMeetingAttendanceResponse,
        BulkUpdateMeetingAttendanceResult,
        BulkUpdateMeetingAttendanceUser,
        Bundle,
        Client,
        Course,
        CourseGroup,
        CourseKind,
        CourseStatus,
        DateRange,
        ErrorBody,
        InPersonEventInfo,
        ItemPrice,
        LearningPath,
        Lesson,
        LessonAccessLevel,
        License,
        LicenseRole,
        Location,
        Meeting,
        MeetingByIdData,
        MeetingResponse,
        MeetingsData,
        MeetingsPage,
        MeetingsResponse,
        NestedMeeting,
        OpenObject,
        PageInfo,
        PriceVariation,
        PurchasedBundle,
        PurchasedCourse,
        RecommendedSlug,
        RecommendedTag,
        SeatPackage,
        SeatTier,
        Section,
        SectionStatus,
        TopicGroup,
        UpdateMeetingAttendanceRequest,
        User,
        WaitlistedCourse,
        WebinarBlock,
    );
    let spec = contract_tests::spec_value();
    let components: BTreeSet<String> = spec["components"]["schemas"]
        .as_object()
        .expect("the spec has component schemas")
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        snapshotted, components,
        "every component schema of the spec needs a snapshot here, and only those"
    );
}

/// The generated client's public items and method signatures, one per line, as shipped: the
/// checked-in copy that the light build compiles, which the client's own test proves to be byte
/// for byte what its build script generates, and `cargo xtask codegen --check` proves fresh.
#[test]
fn generated_client_surface() {
    let path = contract_tests::workspace_root().join("crates/client/src/generated.rs");
    let code = std::fs::read_to_string(&path).unwrap();
    let file = syn::parse_file(&code).unwrap();
    let mut lines = Vec::new();
    surface(&file.items, "", &mut lines);
    insta::assert_snapshot!("generated_client_surface", lines.join("\n"));
}

fn surface(items: &[syn::Item], prefix: &str, out: &mut Vec<String>) {
    for item in items {
        match item {
            syn::Item::Struct(s) if matches!(s.vis, syn::Visibility::Public(_)) => {
                out.push(format!("struct {prefix}{}", s.ident));
            }
            syn::Item::Mod(module) if matches!(module.vis, syn::Visibility::Public(_)) => {
                if let Some((_, items)) = &module.content {
                    surface(items, &format!("{prefix}{}::", module.ident), out);
                }
            }
            syn::Item::Impl(block) => {
                let target = render(&block.self_ty);
                for item in &block.items {
                    if let syn::ImplItem::Fn(f) = item
                        && matches!(f.vis, syn::Visibility::Public(_))
                    {
                        out.push(format!("impl {prefix}{target} {{ {} }}", render(&f.sig)));
                    }
                }
            }
            _ => {}
        }
    }
}

/// A syntax tree as compact text: its tokens joined by spaces.
fn render(node: &impl quote::ToTokens) -> String {
    node.to_token_stream().to_string()
}

/// Each open enumeration knows exactly the values the spec's `x-extensible-enum` lists, in order,
/// and every such schema has one.
#[test]
fn open_enums_know_the_spec_values() {
    use thoughtindustries_models as m;
    let spec = thoughtindustries_codegen::parse_spec(thoughtindustries_spec::OPENAPI_YAML).unwrap();
    let known: std::collections::BTreeMap<&str, &[&str]> = [
        ("AlternativePricingType", m::AlternativePricingType::KNOWN),
        ("CourseKind", m::CourseKind::KNOWN),
        ("CourseStatus", m::CourseStatus::KNOWN),
        ("LessonAccessLevel", m::LessonAccessLevel::KNOWN),
        ("LicenseRole", m::LicenseRole::KNOWN),
        ("SectionStatus", m::SectionStatus::KNOWN),
    ]
    .into_iter()
    .collect();
    let in_spec = thoughtindustries_codegen::open_enums(&spec);
    assert_eq!(
        in_spec.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        known.keys().copied().collect::<Vec<_>>(),
        "the spec's open enumerations and the ones this test knows"
    );
    for open in &in_spec {
        assert_eq!(
            known[open.name.as_str()],
            open.values.as_slice(),
            "{}: KNOWN is not the spec's x-extensible-enum (run `cargo xtask codegen`)",
            open.name
        );
    }
}
