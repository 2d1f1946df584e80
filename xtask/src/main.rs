//! `cargo xtask`: the project's development tasks, in Rust so that they run wherever cargo does.
//!
//! - `cargo xtask codegen [--check]`: regenerate everything generated and checked in.
//! - `cargo xtask lint`: validate `openapi/meetings.yaml`.

mod codegen;
mod lint;
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
    /// Regenerate the checked-in bindings (crates/models/src/generated.rs) from the spec.
    Codegen {
        /// Fail with a diff instead of writing when anything is stale.
        #[arg(long)]
        check: bool,
    },
    /// Validate the spec: OpenAPI 3.0.x, resolvable $refs, operation ids, examples.
    Lint,
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().task {
        Task::Codegen { check } => codegen::run(check),
        Task::Lint => lint::run(),
    }
}
