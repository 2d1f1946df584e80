//! `ti mock`: run the mock server until interrupted.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use clap::builder::TypedValueParser;
use thoughtindustries_mock::{
    DEFAULT_PER_PAGE, DEMO_TOKEN, Drift, Faults, Latency, MockConfig, MockServer, RateLimit,
    ServerError, SyntheticOptions, Tenant, Trigger,
};

use crate::exit::Failure;

/// Flags of `ti mock`.
#[derive(Args, Debug)]
pub struct MockArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// The bearer token the mock accepts.
    #[arg(long, default_value = DEMO_TOKEN, value_name = "TOKEN")]
    pub token: String,

    /// Meetings in the synthetic tenant.
    #[arg(long, default_value_t = 120, value_name = "N")]
    pub meetings: usize,

    /// Courses in the synthetic tenant.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub courses: usize,

    /// Meetings per page.
    #[arg(long, default_value_t = DEFAULT_PER_PAGE, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..).map(usize::from))]
    pub per_page: usize,

    /// Seed of the synthetic tenant (same seed, same data) and of random faults.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,

    /// Serve the meetings of this JSON file (an array of meetings or a full response body)
    /// instead of a synthetic tenant.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,

    /// Delay every answer by this many milliseconds.
    #[arg(long, value_name = "MS")]
    pub latency_ms: Option<u64>,

    /// Allow R requests a second (token bucket); over that, 429 with Retry-After.
    #[arg(long, value_name = "R")]
    pub rate_limit: Option<f64>,

    /// Answer every Nth request with 429 (Retry-After: --retry-after).
    #[arg(long, value_name = "N", value_parser = crate::args::at_least_one)]
    pub throttle_every: Option<u64>,

    /// The Retry-After of --throttle-every, in seconds.
    #[arg(long, default_value_t = 1, value_name = "SECONDS")]
    pub retry_after: u64,

    /// Answer every Nth request with a 5xx (--error-status).
    #[arg(long, value_name = "N", value_parser = crate::args::at_least_one)]
    pub fail_every: Option<u64>,

    /// The status of --fail-every.
    #[arg(long, default_value_t = 503, value_name = "STATUS",
          value_parser = clap::value_parser!(u16).range(500..600))]
    pub error_status: u16,

    /// Send --fail-every errors as a proxy's HTML page.
    #[arg(long)]
    pub html_errors: bool,

    /// Drop the connection without an answer on every Nth request.
    #[arg(long, value_name = "N", value_parser = crate::args::at_least_one)]
    pub drop_every: Option<u64>,

    /// Cut the body short on every Nth request.
    #[arg(long, value_name = "N", value_parser = crate::args::at_least_one)]
    pub truncate_every: Option<u64>,

    /// Keep saying hasMore: true, also on the empty pages past the end.
    #[arg(long)]
    pub has_more_forever: bool,

    /// Ignore the `page` parameter: every request gets page 1.
    #[arg(long)]
    pub ignore_page: bool,

    /// Contract drift: put a JSON value at a JSON pointer of every body, as POINTER=JSON
    /// (for example '/data/Meetings/meetings/0/course/title=42').
    #[arg(long, value_name = "POINTER=JSON", value_parser = parse_drift)]
    pub drift: Option<Drift>,
}

fn parse_drift(text: &str) -> Result<Drift, String> {
    let (pointer, json) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: expected POINTER=JSON"))?;
    if !pointer.starts_with('/') {
        return Err(format!(
            "{pointer:?} is not a JSON pointer (it starts with '/')"
        ));
    }
    let value = serde_json::from_str(json).map_err(|e| format!("{json:?} is not JSON: {e}"))?;
    Ok(Drift {
        pointer: pointer.to_owned(),
        value,
        trigger: Trigger::Always,
    })
}

impl MockArgs {
    fn config(&self) -> Result<MockConfig, Failure> {
        let tenant = match &self.data {
            Some(path) => {
                Tenant::from_json_file(path).map_err(|e| Failure::usage(e.to_string()))?
            }
            None => Tenant::synthetic(SyntheticOptions {
                seed: self.seed,
                courses: self.courses,
                meetings: self.meetings,
            }),
        };
        let every = |n: Option<u64>| n.map(Trigger::EveryNth);
        let rate_limit = match (self.rate_limit, self.throttle_every) {
            (Some(per_second), _) if per_second.is_nan() || per_second <= 0.0 => {
                return Err(Failure::usage("--rate-limit must be more than 0"));
            }
            (Some(per_second), _) => Some(RateLimit::TokenBucket {
                per_second,
                burst: per_second.ceil().max(1.0) as u32,
            }),
            (None, Some(n)) => Some(RateLimit::Triggered {
                trigger: Trigger::EveryNth(n),
                retry_after_secs: self.retry_after,
                limit: 60,
            }),
            (None, None) => None,
        };
        Ok(MockConfig {
            port: self.port,
            token: self.token.clone(),
            per_page: self.per_page,
            tenant,
            faults: Faults {
                seed: self.seed,
                latency: self
                    .latency_ms
                    .map(|ms| Latency::Fixed(Duration::from_millis(ms))),
                rate_limit,
                server_error: self.fail_every.map(|n| ServerError {
                    trigger: Trigger::EveryNth(n),
                    status: self.error_status,
                    html: self.html_errors,
                }),
                drop_connection: every(self.drop_every),
                truncate_body: every(self.truncate_every),
                drift: self.drift.clone(),
                has_more_forever: self.has_more_forever,
                ignore_page: self.ignore_page,
                ..Faults::default()
            },
        })
    }
}

/// Runs `ti mock` until Ctrl-C.
pub async fn run(args: MockArgs) -> Result<(), Failure> {
    let config = args.config()?;
    let meetings = config.tenant.len();
    let server = MockServer::start(config)
        .await
        .map_err(|e| Failure::usage(format!("starting the mock on port {}: {e}", args.port)))?;
    println!("{}", server.base_url());
    eprintln!(
        "ti mock: serving {meetings} meetings at {}/incoming/v2/meetings (token {:?}); \
         the spec is at {}/openapi.yaml; Ctrl-C stops",
        server.base_url(),
        args.token,
        server.base_url()
    );
    server
        .run_until(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Failure::usage(format!("the mock failed: {e}")))
}
