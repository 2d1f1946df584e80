//! Helpers shared by the `ti` end-to-end tests.

#![allow(dead_code)] // each test crate uses a different subset

use std::time::Duration;

use assert_cmd::Command;
use assert_cmd::assert::Assert;
use thoughtindustries_mock::{DEMO_TOKEN, MockConfig, MockServer, SyntheticOptions, Tenant};

/// `ti` with a clean environment (no TI_* variables from the developer's shell).
pub fn ti() -> Command {
    let mut cmd = Command::cargo_bin("ti").unwrap();
    for var in ["TI_TENANT", "TI_BASE_URL", "TI_API_KEY", "RUST_LOG"] {
        cmd.env_remove(var);
    }
    cmd.timeout(Duration::from_secs(120));
    cmd
}

/// Runs the command off the async runtime (an in-process mock serves on it meanwhile).
pub async fn run(mut cmd: Command) -> Assert {
    tokio::task::spawn_blocking(move || cmd.assert())
        .await
        .unwrap()
}

/// The command's standard output.
pub fn stdout(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// The command's standard error.
pub fn stderr(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// An in-process mock tenant (20 meetings in 2 courses, seed 5) whose state a test can read back.
pub async fn mock() -> MockServer {
    MockServer::start(MockConfig {
        tenant: Tenant::synthetic(SyntheticOptions {
            seed: 5,
            courses: 2,
            meetings: 20,
        }),
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

/// `ti ARGS` against `server`, with the mock's token.
pub fn ti_at(server: &MockServer, args: &[&str]) -> Command {
    let mut cmd = ti();
    cmd.env("TI_BASE_URL", server.base_url())
        .env("TI_API_KEY", DEMO_TOKEN)
        .args(args);
    cmd
}
