//! `ti` under the tenant's quota (the mock's `RateLimit::Quota`): it paces itself and says on
//! stderr what it waits for; `-v` logs each pause; a wait longer than `--max-wait` exits 3 with a
//! message naming the wait and the flag.

mod common;

use std::time::Duration;

use common::{run, stderr, stdout, ti};
use thoughtindustries_mock::{
    DEMO_TOKEN, Faults, MockConfig, MockServer, Quota, RateLimit, SyntheticOptions, Tenant,
};

async fn mock(quota: Quota) -> MockServer {
    MockServer::start(MockConfig {
        tenant: Tenant::synthetic(SyntheticOptions {
            seed: 5,
            courses: 2,
            meetings: 40,
        }),
        per_page: 5,
        faults: Faults {
            rate_limit: Some(RateLimit::Quota(quota)),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

fn list_all(base: &str, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = ti();
    cmd.env("TI_BASE_URL", base)
        .env("TI_API_KEY", DEMO_TOKEN)
        .args(["meetings", "list", "--all", "--format", "ndjson"])
        .args(extra);
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ti_says_when_it_waits_for_the_quota_and_is_never_refused() {
    // 8 pages, 3 requests per 2 s: two holds of up to 2 s.
    let server = mock(Quota::new(3, Duration::from_secs(2))).await;
    let assert = run(list_all(&server.base_url(), &[])).await.success();
    assert_eq!(stdout(&assert).lines().count(), 40);
    let err = stderr(&assert);
    assert!(
        err.lines().any(
            |line| line.starts_with("ti: rate limit: 0 of 3 left, waiting ")
                && line.ends_with(" s for the window to reset")
        ),
        "{err}"
    );
    assert_eq!(server.stats().status(429), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_logs_each_pause() {
    let server = mock(Quota::new(3, Duration::from_secs(1))).await;
    let assert = run(list_all(&server.base_url(), &["-v"])).await.success();
    let err = stderr(&assert);
    let pauses = err
        .lines()
        .filter(|line| line.contains("thoughtindustries::quota") && line.contains("waiting"))
        .count();
    assert!(pauses >= 2, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_longer_than_max_wait_exits_3_naming_the_wait_and_the_flag() {
    let server = mock(Quota::new(1, Duration::from_secs(3600))).await;
    let assert = run(list_all(&server.base_url(), &["--max-wait", "1"]))
        .await
        .code(3);
    let err = stderr(&assert);
    assert!(
        err.contains("rate limited")
            && err.contains("a further wait of")
            && err.contains("raise --max-wait to at least"),
        "{err}"
    );
}

#[test]
fn ti_mock_documents_the_quota_flags() {
    let assert = ti().args(["mock", "--help"]).assert().success();
    let help = stdout(&assert);
    for flag in ["--quota", "--burst", "--reset-form", "--quota-headers"] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
    let assert = ti().args(["mock", "--quota", "120"]).assert().code(2);
    assert!(stderr(&assert).contains("N/WINDOW"));
}

/// Against a tenant that refuses every request (`Retry-After: 2`), `--max-wait 5` bounds the
/// whole call: `ti meetings get` exits 3 within about 5 s, saying it was rate limited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_wait_bounds_the_whole_call_against_a_tenant_that_refuses_everything() {
    let server = MockServer::start(MockConfig {
        faults: Faults {
            rate_limit: Some(RateLimit::Triggered {
                trigger: thoughtindustries_mock::Trigger::Always,
                retry_after_secs: 2,
                limit: 60,
            }),
            ..Faults::default()
        },
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let mut cmd = ti();
    cmd.env("TI_BASE_URL", server.base_url())
        .env("TI_API_KEY", DEMO_TOKEN)
        .args([
            "meetings",
            "get",
            "5a3c0f1e-0020-4000-8000-000000000020",
            "--max-wait",
            "5",
        ]);
    let start = std::time::Instant::now();
    let assert = run(cmd).await.code(3);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(7), "took {took:?}");
    let err = stderr(&assert);
    assert!(
        err.contains("rate limited") && err.contains("--max-wait"),
        "{err}"
    );
    // A few requests, not one per server-asked wait for over half a minute.
    assert!(server.stats().status(429) <= 4, "{:?}", server.stats());
}
