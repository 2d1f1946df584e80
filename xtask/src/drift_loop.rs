//! `cargo xtask drift-loop`: from an API that moved on to regenerated bindings, on a copy of the
//! workspace, the way README's "When the API changes" tells a user to go.
//!
//! 1. `ti mock --drift ...` serves a tenant whose responses carry fields the spec does not
//!    describe (a string URL, an integer, a UUID, a nested object with a date-time, a field on
//!    the nested course and on each attendee) and a new course status.
//! 2. `ti contract --propose openapi/meetings.yaml`, in the copy, writes the spec with them;
//!    `ti meetings list --format json` records the meetings as the API sent them.
//! 3. The edit only inserts (no byte of the spec removed or changed), passes `cargo xtask lint`'s
//!    rules, and `ti diff OLD NEW` calls it non-breaking.
//! 4. `cargo xtask codegen` regenerates the copy's models.
//! 5. Cargo builds the copy's client and runs a test, written into the copy, that decodes the
//!    recorded meetings into the regenerated `Meeting` and reads every new field with its type
//!    (`Option<String>`, `Option<i64>`, `Option<Uuid>`, `Option<DateTime<Utc>>`, the new status
//!    as a variant of `CourseStatus`).
//!
//! `ti` is the binary the test build made (`$TI_BIN`, else `target/debug/ti`). The copy builds in
//! this workspace's target directory under a version of its own (`crate::copy`), so only the
//! spec, models and client crates and the test compile again.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};
use similar::{Algorithm, DiffOp, capture_diff_slices};

use crate::mock::Mock;
use crate::spec;

/// The mock's drifts (`POINTER=JSON`, as `ti mock --drift` takes them).
const DRIFTS: [&str; 8] = [
    r#"/data/Meetings/meetings/*/recordingUrl="https://video.example.com/r/1""#,
    "/data/Meetings/meetings/*/seatsRemaining=12",
    r#"/data/Meetings/meetings/*/hostId="6f1c2b4e-3d5a-4c7b-9e8f-0a1b2c3d4e5f""#,
    r#"/data/Meetings/meetings/*/recording={"provider":"zoom","durationSeconds":3600,"startedAt":"2024-05-06T07:08:09Z"}"#,
    r#"/data/Meetings/meetings/*/course/deliveryMode="hybrid""#,
    r#"/data/Meetings/meetings/*/attendees/*/pronouns="they/them""#,
    r#"/data/Meetings/meetings/*/course/status="retired""#,
    r#"/data/MeetingById/recordingUrl="https://video.example.com/r/1""#,
];

/// The test written into the copy: the new fields, typed.
const TYPED_TEST: &str = r#"//! Written by `cargo xtask drift-loop` into its copy of the workspace.

use thoughtindustries::{CourseStatus, DateTime, Meeting, Utc, Uuid};

#[test]
fn the_regenerated_models_carry_the_new_fields_typed() {
    let meetings: Vec<Meeting> =
        thoughtindustries::serde_json::from_str(include_str!("drift_loop_meetings.json"))
            .expect("the recorded meetings decode");
    assert!(!meetings.is_empty());
    for meeting in &meetings {
        let url: Option<&str> = meeting.recording_url.as_deref();
        assert_eq!(url, Some("https://video.example.com/r/1"));
        let seats: Option<i64> = meeting.seats_remaining;
        assert_eq!(seats, Some(12));
        let host: Option<Uuid> = meeting.host_id;
        assert_eq!(host.map(|h| h.to_string()).as_deref(), Some("6f1c2b4e-3d5a-4c7b-9e8f-0a1b2c3d4e5f"));
        let recording = meeting.recording.as_ref().expect("a recording");
        let seconds: Option<i64> = recording.duration_seconds;
        assert_eq!(seconds, Some(3600));
        let started: Option<DateTime<Utc>> = recording.started_at;
        assert_eq!(started.map(|s| s.to_rfc3339()).as_deref(), Some("2024-05-06T07:08:09+00:00"));
        assert_eq!(recording.provider.as_deref(), Some("zoom"));
        let mode: Option<&str> = meeting.course.delivery_mode.as_deref();
        assert_eq!(mode, Some("hybrid"));
        assert_eq!(meeting.course.status, Some(CourseStatus::Retired));
        for attendee in meeting.attendees.iter().flatten() {
            let pronouns: Option<&str> = attendee.pronouns.as_deref();
            assert_eq!(pronouns, Some("they/them"));
        }
    }
}
"#;

pub fn run() -> Result<()> {
    let root = spec::workspace_root();
    let ti = ti_binary(&root)?;
    let copy = crate::copy::tempdir("drift-loop")?;
    let result = prove(&root, &copy, &ti);
    let _ = std::fs::remove_dir_all(&copy);
    result
}

/// `$TI_BIN`, else the `ti` of the workspace's target directory.
fn ti_binary(root: &Path) -> Result<PathBuf> {
    let ti = match std::env::var_os("TI_BIN") {
        Some(path) => root.join(path),
        None => spec::target_dir().join("debug/ti"),
    };
    ensure!(
        ti.is_file(),
        "{} does not exist: build ti first (`cargo test --workspace --no-run` builds it), or set TI_BIN",
        ti.display()
    );
    Ok(ti)
}

fn prove(root: &Path, copy: &Path, ti: &Path) -> Result<()> {
    crate::copy::copy_tracked_files(root, copy)?;
    crate::copy::mark_version(copy, "drift-loop")?;
    let spec_path = copy.join("openapi/meetings.yaml");
    let original = std::fs::read_to_string(&spec_path)?;

    let drifts: Vec<&str> = DRIFTS.iter().flat_map(|drift| ["--drift", drift]).collect();
    let mock = Mock::start(ti, &drifts)?;
    let proposed = mock
        .ti(ti, &["contract", "--pages", "2", "--propose"])
        .arg(&spec_path)
        .output()
        .context("running ti contract --propose")?;
    ensure!(
        proposed.status.success(),
        "ti contract --propose failed:\n{}",
        String::from_utf8_lossy(&proposed.stderr)
    );
    eprint!("{}", String::from_utf8_lossy(&proposed.stderr));
    let recorded = mock
        .ti(ti, &["meetings", "list", "--format", "json"])
        .output()
        .context("running ti meetings list")?;
    ensure!(recorded.status.success(), "ti meetings list failed");
    drop(mock);
    std::fs::write(
        copy.join("crates/client/tests/drift_loop_meetings.json"),
        &recorded.stdout,
    )?;

    let text = std::fs::read_to_string(&spec_path)?;
    ensure!(text != original, "ti contract --propose changed nothing");
    let changed = capture_diff_slices(Algorithm::Myers, original.as_bytes(), text.as_bytes())
        .into_iter()
        .filter(|op| !matches!(op, DiffOp::Equal { .. } | DiffOp::Insert { .. }))
        .count();
    ensure!(
        changed == 0,
        "the proposal removed or replaced {changed} part(s) of the spec"
    );
    let reference = std::fs::read_to_string(copy.join("openapi/examples/reference-page.json"))?;
    let findings = crate::lint::lint(&text, &reference);
    for finding in &findings {
        eprintln!("drift-loop: lint: {finding}");
    }
    ensure!(findings.is_empty(), "the proposed spec does not lint clean");
    let old = copy.join("original.yaml");
    std::fs::write(&old, &original)?;
    let diff = Command::new(ti)
        .arg("diff")
        .arg(&old)
        .arg(&spec_path)
        .output()
        .context("running ti diff")?;
    let verdict = String::from_utf8_lossy(&diff.stdout);
    ensure!(
        diff.status.success() && verdict.contains(" 0 breaking"),
        "ti diff does not call the proposal non-breaking:\n{verdict}"
    );
    eprintln!(
        "drift-loop: the proposal only adds, lints clean; ti diff: {}",
        verdict.lines().last().unwrap_or_default()
    );

    crate::codegen::run_at(copy, false)?;
    std::fs::write(copy.join("crates/client/tests/drift_loop.rs"), TYPED_TEST)?;
    // `--workspace` resolves features as `cargo test --workspace` does, so every dependency
    // built for the work tree's tests is reused; `--test` builds only the client and this test.
    let status = spec::cargo()
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", spec::target_dir())
        .args(["test", "--offline", "--workspace", "--test", "drift_loop"])
        .status()
        .context("running cargo test")?;
    ensure!(
        status.success(),
        "the client built from the proposed spec does not carry the new fields, typed"
    );
    eprintln!("drift-loop: the regenerated models carry every new field, typed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use thoughtindustries_contract::{EMBEDDED_SPEC, Spec, propose};

    /// Every form a proposal writes (scalars with formats, untyped values, nested objects, arrays
    /// of objects, a component shared by two schemas, new enumeration values) passes the lint.
    #[test]
    fn a_proposal_of_every_form_lints_clean() {
        let mut body: serde_json::Value =
            serde_json::from_str(thoughtindustries_spec::examples::REFERENCE_PAGE).unwrap();
        let meeting = &mut body["data"]["Meetings"]["meetings"][0];
        meeting["recordingUrl"] = json!("https://video.example.com/r/1");
        meeting["anything"] = json!([1, "two", null]);
        meeting["onlyNull"] = json!(null);
        meeting["badges"] = json!([{"label": "new", "since": "2024-01-01T00:00:00Z"}, null]);
        meeting["course"]["badges"] = json!([{"label": "hot", "weight": 0.5}]);
        meeting["course"]["kind"] = json!("podcast");
        meeting["attendees"][0]["preferences"] = json!({"email": "ada@example.com",
                                                        "nested": {"deeper": [true]}});
        let report = Spec::embedded()
            .validate_response("list_meetings", 200, &body)
            .unwrap();
        let proposal = propose(EMBEDDED_SPEC, &report.drift).unwrap();
        assert!(
            proposal.text.contains("    BadgesItem:\n"),
            "{}",
            proposal.additions.join("\n")
        );
        let findings = crate::lint::lint(
            &proposal.text,
            thoughtindustries_spec::examples::REFERENCE_PAGE,
        );
        let findings: Vec<String> = findings.iter().map(ToString::to_string).collect();
        assert!(findings.is_empty(), "{findings:#?}");
    }
}
