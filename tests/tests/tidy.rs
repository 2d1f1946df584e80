//! Tidy checks in the manner of rust-analyzer's: rules about the source tree itself.
//!
//! - No package reads a file outside its own directory at compile time: every `include_str!` /
//!   `include_bytes!` path resolves inside the package, and no publishable package (nor any build
//!   script) names a `../` path at all. `cargo package` ships a package's own directory only, so a
//!   read beyond it builds here and fails for everyone who depends on the crate from a registry.
//! - Every publishable package carries the metadata crates.io and docs.rs show.

use std::path::{Component, Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The packages of the repository: the workspace members and the stand-alone crates beside them
/// (fuzz, examples), with their directory and whether they can be published.
fn packages() -> Vec<(String, PathBuf, bool)> {
    let root = contract_tests::workspace_root();
    let mut manifests = vec![root.join("Cargo.toml"), root.join("fuzz/Cargo.toml")];
    if let Ok(entries) = std::fs::read_dir(root.join("examples")) {
        manifests.extend(entries.flatten().map(|e| e.path().join("Cargo.toml")));
    }
    let mut packages = Vec::new();
    for manifest in manifests.into_iter().filter(|m| m.exists()) {
        for package in metadata(&manifest)["packages"].as_array().unwrap() {
            let dir = PathBuf::from(package["manifest_path"].as_str().unwrap())
                .parent()
                .unwrap()
                .to_path_buf();
            let publishable = package["publish"] != serde_json::json!([]);
            let name = package["name"].as_str().unwrap().to_owned();
            if !packages.iter().any(|(n, _, _)| *n == name) {
                packages.push((name, dir, publishable));
            }
        }
    }
    packages
}

fn metadata(manifest: &Path) -> Value {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata {}: {}",
        manifest.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The `.rs` files of the package in `dir`, without those of packages nested inside it.
fn rust_files(dir: &Path, nested: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                let skip = name == "target" || name == ".git" || nested.contains(&path);
                if !skip {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// `path` with `.` and `..` applied, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The first string literal in `text`.
fn next_literal(text: &str) -> Option<&str> {
    let start = text.find('"')? + 1;
    let end = start + text[start..].find('"')?;
    Some(&text[start..end])
}

/// Every file an `include_str!` / `include_bytes!` in `source` names, resolved as rustc does
/// (relative to the file, or to the package with `concat!(env!("CARGO_MANIFEST_DIR"), ...)`).
fn included_files(file: &Path, package: &Path, source: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for macro_name in ["include_str!(", "include_bytes!("] {
        for (at, _) in source.match_indices(macro_name) {
            let args = &source[at + macro_name.len()..];
            let args = &args[..args.find(");").unwrap_or(args.len()).min(300)];
            if args.contains("CARGO_MANIFEST_DIR") {
                let rest = &args[args.find("CARGO_MANIFEST_DIR").unwrap() + 19..];
                let relative = next_literal(rest).unwrap_or_default();
                out.push(normalize(&package.join(relative.trim_start_matches('/'))));
            } else if let Some(relative) = next_literal(args) {
                out.push(normalize(&file.parent().unwrap().join(relative)));
            }
        }
    }
    out
}

#[test]
fn no_package_reads_outside_its_directory() {
    let packages = packages();
    let dirs: Vec<PathBuf> = packages.iter().map(|(_, d, _)| d.clone()).collect();
    let mut problems = Vec::new();
    for (name, dir, publishable) in &packages {
        let nested: Vec<PathBuf> = dirs
            .iter()
            .filter(|d| d.starts_with(dir) && *d != dir)
            .cloned()
            .collect();
        let files = rust_files(dir, &nested);
        assert!(
            !files.is_empty(),
            "{name}: no sources found in {}",
            dir.display()
        );
        for file in files {
            let source = std::fs::read_to_string(&file).unwrap();
            let shown = file.strip_prefix(contract_tests::workspace_root()).unwrap();
            for included in included_files(&file, dir, &source) {
                if !included.starts_with(dir) {
                    problems.push(format!(
                        "{}: includes {}, outside package {name}",
                        shown.display(),
                        included.display()
                    ));
                }
            }
            let is_build_script = file.file_name().is_some_and(|f| f == "build.rs");
            if *publishable || is_build_script {
                for (number, line) in source.lines().enumerate() {
                    let include = line.contains("include_str!") || line.contains("include_bytes!");
                    if !include && (line.contains("\"../") || line.contains("/../")) {
                        problems.push(format!(
                            "{}:{}: a `../` path in package {name}: {}",
                            shown.display(),
                            number + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn publishable_packages_have_complete_metadata() {
    let root = contract_tests::workspace_root();
    let metadata = metadata(&root.join("Cargo.toml"));
    let mut problems = Vec::new();
    let mut checked = 0;
    for package in metadata["packages"].as_array().unwrap() {
        if package["publish"] == serde_json::json!([]) {
            continue;
        }
        checked += 1;
        let name = package["name"].as_str().unwrap();
        for field in [
            "description",
            "license",
            "repository",
            "homepage",
            "documentation",
            "readme",
            "rust_version",
        ] {
            if package[field].as_str().is_none_or(str::is_empty) {
                problems.push(format!("{name}: no `{field}`"));
            }
        }
        for field in ["keywords", "categories"] {
            if package[field].as_array().is_none_or(Vec::is_empty) {
                problems.push(format!("{name}: no `{field}`"));
            }
        }
        if let Some(readme) = package["readme"].as_str() {
            let dir = Path::new(package["manifest_path"].as_str().unwrap())
                .parent()
                .unwrap();
            if !normalize(&dir.join(readme)).starts_with(dir) {
                problems.push(format!("{name}: readme {readme} is outside the package"));
            }
        }
        let docs = format!("https://docs.rs/{name}");
        if package["documentation"].as_str() != Some(docs.as_str()) {
            problems.push(format!("{name}: documentation is not {docs}"));
        }
    }
    assert!(checked >= 7, "only {checked} publishable packages found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The first Rust code block of README.md after the heading `heading`.
fn readme_rust_example(heading: &str) -> String {
    let readme =
        std::fs::read_to_string(contract_tests::workspace_root().join("README.md")).unwrap();
    let section = &readme[readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has a section {heading:?}"))..];
    let start = section
        .find("```rust")
        .unwrap_or_else(|| panic!("a Rust example in README's {heading:?}"));
    let code = &section[start..];
    let code = &code[code.find('\n').unwrap() + 1..];
    code[..code.find("```").unwrap()].to_owned()
}

/// The README's "Using the crate" example is `examples/downstream/src/main.rs`, which CI builds
/// against the packaged crates and runs: so the example users copy is known to compile and work.
#[test]
fn readme_usage_example_is_the_downstream_crate() {
    let root = contract_tests::workspace_root();
    let code = readme_rust_example("## Using the crate");
    let main = std::fs::read_to_string(root.join("examples/downstream/src/main.rs")).unwrap();
    assert_eq!(
        code, main,
        "README's usage example differs from examples/downstream"
    );
}

/// The SDK root re-exports every data type of the models crate by name (not with a glob, which
/// would also bring the `builder` and `error` modules and silently lose the models' `Client` to the
/// SDK's own): a type added to the spec must be added to that list. The models' `Client` is
/// renamed `ClientOrganization`, and the per-user failure row `BulkAttendanceFailure`.
#[test]
fn the_sdk_root_names_every_model_type() {
    let root = contract_tests::workspace_root();
    let models = std::fs::read_to_string(root.join("crates/models/src/generated.rs")).unwrap()
        + &std::fs::read_to_string(root.join("crates/models/src/open_enum.rs")).unwrap();
    let lib = std::fs::read_to_string(root.join("crates/client/src/lib.rs")).unwrap();
    assert!(
        !lib.contains("thoughtindustries_models::*"),
        "no glob re-export of the models"
    );
    // Every `pub use thoughtindustries_models::{...}` list: each entry `Name` or `Name as Alias`.
    let mut exported = std::collections::BTreeMap::<String, String>::new();
    let mut rest = lib.as_str();
    while let Some(start) = rest.find("pub use thoughtindustries_models::{") {
        let list = &rest[start + "pub use thoughtindustries_models::{".len()..];
        let end = list.find('}').unwrap();
        for entry in list[..end]
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let (name, alias) = entry.split_once(" as ").unwrap_or((entry, entry));
            exported.insert(alias.trim().to_owned(), name.trim().to_owned());
        }
        rest = &list[end..];
    }
    assert!(
        !exported.is_empty(),
        "the SDK re-exports the models by name"
    );
    let names: std::collections::BTreeSet<&str> = exported.values().map(String::as_str).collect();
    let missing: Vec<&str> = models
        .lines()
        .filter(|line| !line.starts_with(' '))
        .filter_map(|line| {
            let rest = line
                .strip_prefix("pub struct ")
                .or_else(|| line.strip_prefix("pub enum "))?;
            rest.split(|c: char| !c.is_alphanumeric()).next()
        })
        .filter(|name| !names.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "crates/client/src/lib.rs does not re-export {missing:?}"
    );
    assert!(
        !exported.contains_key("Client"),
        "the models' Client is ClientOrganization at the SDK root, never Client"
    );
    assert_eq!(
        exported.get("ClientOrganization").map(String::as_str),
        Some("Client")
    );
    assert_eq!(
        exported.get("BulkAttendanceFailure").map(String::as_str),
        Some("BulkUpdateMeetingAttendanceError")
    );
}

/// The README's `ti attendance import` example runs on `examples/reports/`; the CLI's tests run
/// the same command on their own copies (a package reads only its own files): the copies must be
/// the files the README shows.
#[test]
fn the_cli_tests_use_the_sample_reports_of_the_readme() {
    let root = contract_tests::workspace_root();
    for (sample, copy) in [
        (
            "zoom-participants.csv",
            "crates/cli/tests/fixtures/sample-zoom-participants.csv",
        ),
        (
            "teams-attendance.csv",
            "crates/cli/tests/fixtures/sample-teams-attendance.csv",
        ),
        (
            "zoom-participants.csv",
            "crates/attendance-import/tests/fixtures/zoom-meeting-data.csv",
        ),
        (
            "teams-attendance.csv",
            "crates/attendance-import/tests/fixtures/teams-utf16le-sectioned.csv",
        ),
        (
            "meet-attendance.csv",
            "crates/attendance-import/tests/fixtures/meet.csv",
        ),
    ] {
        let sample = std::fs::read(root.join("examples/reports").join(sample)).unwrap();
        let copied = std::fs::read(root.join(copy)).unwrap();
        assert!(sample == copied, "{copy} differs from examples/reports");
    }
}

/// The README's `thoughtindustries-attendance-import` example is the `import` function of the
/// crate's `examples/import.rs`, which `cargo test` builds: the code users copy compiles.
#[test]
fn readme_attendance_import_example_is_the_crate_example() {
    let root = contract_tests::workspace_root();
    let code = readme_rust_example("### Attendance from a meeting platform's report");
    let example =
        std::fs::read_to_string(root.join("crates/attendance-import/examples/import.rs")).unwrap();
    assert!(
        example.contains(&code),
        "README's attendance import example differs from crates/attendance-import/examples/import.rs"
    );
}

/// `examples/newcomer` shows that a program needs no dependency but the SDK, `futures` and
/// `tokio` (every foreign type the SDK's API names is re-exported): it must keep depending on
/// those three alone.
#[test]
fn the_newcomer_example_depends_on_the_sdk_futures_and_tokio_only() {
    let root = contract_tests::workspace_root();
    let package = &metadata(&root.join("examples/newcomer/Cargo.toml"))["packages"][0];
    let mut names: Vec<&str> = package["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["futures", "thoughtindustries", "tokio"]);
}
