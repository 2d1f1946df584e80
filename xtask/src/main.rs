//! `cargo xtask`: the project's development tasks, in Rust so that they run wherever cargo does.
//!
//! - `cargo xtask codegen [--check]`: regenerate everything generated and checked in.
//! - `cargo xtask follows-spec`: prove that a spec edit (paths renamed, a query parameter added)
//!   reaches the client and the mock with `cargo build` alone, on a copy of the workspace.
//! - `cargo xtask drift-loop`: on a copy of the workspace, from a mock tenant whose responses
//!   carry undocumented fields to regenerated, typed models (`ti contract --propose`, lint,
//!   `ti diff`, codegen, a build and a test of the client).
//! - `cargo xtask lint [SPEC]`: validate `openapi/meetings.yaml` (or SPEC).
//! - `cargo xtask doc`: the workspace's documentation as CI builds it, warnings as errors.
//! - `cargo xtask breaking [--base GIT_REF] [--spec-only]`: fail on breaking spec changes without
//!   a major bump, and on Rust API breaks (cargo-semver-checks) without a crate version bump.
//! - `cargo xtask bench`: decode, listing and memory benchmarks as one table; `--build-cost`: the
//!   cold build of a user's crate against a baseline.

mod bench;
mod breaking;
mod build_cost;
mod codegen;
mod copy;
mod doc;
mod drift_loop;
mod follows_spec;
mod lint;
mod mock;
mod pipeline_bench;
mod semver;
mod spec;

use clap::{Parser, Subcommand};

/// Development tasks for the thoughtindustries workspace.
#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate what is derived from the spec and checked in (the models, the client's copy for
    /// its light build, the spec package's links to openapi/).
    Codegen {
        /// Fail with a diff instead of writing when anything is stale.
        #[arg(long)]
        check: bool,
    },
    /// Prove, on a copy of the workspace whose spec renames every path and adds a query
    /// parameter, that `cargo build` alone makes the client send, and the mock serve, the edit.
    FollowsSpec,
    /// Prove, on a copy of the workspace, the loop from drift to bindings: `ti mock --drift`
    /// with undocumented fields, `ti contract --propose`, lint, `ti diff`, codegen, and the
    /// client built with the new fields typed (uses `$TI_BIN`, else target/debug/ti).
    DriftLoop,
    /// Validate the spec: OpenAPI 3.0.x, resolvable $refs, operation ids, descriptions, unused
    /// components, examples.
    Lint {
        /// The spec to lint (default: openapi/meetings.yaml), for example one written by
        /// `ti contract --propose`.
        spec: Option<std::path::PathBuf>,
    },
    /// Document the workspace as CI does (every feature, the examples included), with rustdoc's
    /// warnings as errors.
    Doc,
    /// Classify the spec's changes since a base commit (fail on a breaking one unless
    /// info.version's major was bumped) and check the models' and client's Rust API with
    /// cargo-semver-checks (fail on a break the crates' version does not announce).
    Breaking {
        /// The commit to compare with (default: `git merge-base HEAD origin/main`, else `HEAD~1`).
        #[arg(long)]
        base: Option<String>,
        /// Only classify the spec; skip the Rust API check (cargo-semver-checks).
        #[arg(long)]
        spec_only: bool,
    },
    /// Measure decode speed, concurrent listing and the CLI's peak memory; print one table.
    Bench(bench::BenchArgs),
}

fn main() -> anyhow::Result<()> {
    if let Some(rustdoc) = std::env::var_os(semver::REAL_RUSTDOC) {
        semver::run_rustdoc(rustdoc);
    }
    match Cli::parse().task {
        Task::Codegen { check } => codegen::run(check),
        Task::FollowsSpec => follows_spec::run(),
        Task::DriftLoop => drift_loop::run(),
        Task::Lint { spec } => lint::run(spec),
        Task::Doc => doc::run(),
        Task::Breaking { base, spec_only } => breaking::run(base, spec_only),
        Task::Bench(args) => bench::run(args),
    }
}
