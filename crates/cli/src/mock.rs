//! `ti mock`: run the mock server until interrupted.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use clap::builder::TypedValueParser;
use thoughtindustries_mock::{
    DEFAULT_PER_PAGE, DEMO_TOKEN, Drift, Faults, Latency, MockConfig, MockServer, Quota,
    QuotaHeaders, RateLimit, ResetForm, ServerError, SyntheticOptions, Tenant, Trigger,
    WriteAnswer,
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

    /// The tenant's per-key quota, as N/WINDOW (for example 120/60s, the vendor's standard plan,
    /// or 8/2s, or 10000/1h): N requests per fixed window, counted across every operation, the
    /// X-RateLimit-Limit, -Remaining and -Reset headers on every response (--quota-headers), 429
    /// with Retry-After and {"error":"rate_limit_exceeded",...,"retryAfter":N} over it.
    #[arg(long, value_name = "N/WINDOW", value_parser = parse_quota, conflicts_with = "rate_limit")]
    pub quota: Option<(u64, Duration)>,

    /// With --quota: at most N requests at once (a token bucket refilled at the quota's rate).
    #[arg(long, value_name = "N", requires = "quota",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub burst: Option<u32>,

    /// With --quota: how X-RateLimit-Reset is written: unix (unix seconds, the vendor's form),
    /// unix-ms (unix milliseconds), delta (seconds until the reset), http-date (Sun, 06 Dec 2026
    /// 04:10:02 GMT), iso8601 (2026-12-06T04:10:02Z), none (X-RateLimit-Limit and -Remaining
    /// without a reset, as a proxy that drops it), ietf (no X-RateLimit-*: the IETF draft's
    /// RateLimit: "default";r=R;t=T and RateLimit-Policy: "default";q=N;w=W).
    #[arg(long, value_name = "FORM", default_value = "unix", requires = "quota",
          value_parser = ["unix", "unix-ms", "delta", "http-date", "iso8601", "none", "ietf"])]
    pub reset_form: String,

    /// With --quota: which responses carry the rate-limit headers: every (successes too), 429
    /// (only the refusals), none (no headers, and 429s without Retry-After: no hint at all).
    #[arg(long, value_name = "WHICH", default_value = "every", requires = "quota",
          value_parser = ["every", "429", "none"])]
    pub quota_headers: String,

    /// Answer every Nth request with 429 (Retry-After: --retry-after).
    #[arg(long, value_name = "N", value_parser = crate::args::at_least_one)]
    pub throttle_every: Option<u64>,

    /// Refuse every request with 429 (Retry-After: --retry-after): a tenant whose quota is never
    /// there (the same as --throttle-every 1).
    #[arg(long, conflicts_with_all = ["throttle_every", "quota", "rate_limit"])]
    pub refuse_all: bool,

    /// The Retry-After of --throttle-every and --refuse-all, in seconds.
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

    /// Apply attendance writes, then answer them with this status instead of 200: 202 (accepted
    /// for later), 204 (no body), or a 5xx such as 520 (a CDN's origin error, as HTML): a client
    /// cannot tell whether they were applied.
    #[arg(long, value_name = "STATUS", value_parser = parse_write_status)]
    pub write_status: Option<u16>,

    /// With --write-status: only every Nth write (default every write).
    #[arg(long, value_name = "N", requires = "write_status",
          value_parser = crate::args::at_least_one)]
    pub write_status_every: Option<u64>,

    /// Keep saying hasMore: true, also on the empty pages past the end.
    #[arg(long)]
    pub has_more_forever: bool,

    /// Ignore the `page` parameter: every request gets page 1.
    #[arg(long)]
    pub ignore_page: bool,

    /// Act as a gateway that echoes requests: answer every request with STATUS and a body
    /// quoting the request back, headers (Authorization included) and body.
    #[arg(long, value_name = "STATUS", value_parser = clap::value_parser!(u16).range(100..=599))]
    pub echo: Option<u16>,

    /// Contract drift: put a JSON value at a JSON pointer of every body, as POINTER=JSON; repeat
    /// for more. A `*` segment is every element (every meeting, every attendee). For example
    /// '/data/Meetings/meetings/0/course/title=42' (a wrong type) or
    /// '/data/Meetings/meetings/*/recordingUrl="https://..."' (a field the spec does not describe).
    #[arg(long, value_name = "POINTER=JSON", value_parser = parse_drift)]
    pub drift: Vec<Drift>,
}

/// `N/WINDOW`: a count and a window like `60s`, `2s`, `500ms`, `1m`, `1h` (a bare number is
/// seconds).
fn parse_quota(text: &str) -> Result<(u64, Duration), String> {
    let expected = || format!("{text:?}: expected N/WINDOW, like 120/60s, 8/2s or 10000/1h");
    let (count, window) = text.split_once('/').ok_or_else(expected)?;
    let count: u64 = count.trim().parse().map_err(|_| expected())?;
    let window = window.trim();
    let split = window
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(window.len());
    let (number, unit) = window.split_at(split);
    let number: f64 = number.parse().map_err(|_| expected())?;
    let seconds = match unit {
        "" | "s" => number,
        "ms" => number / 1000.0,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        _ => return Err(expected()),
    };
    if count == 0 || !(seconds >= 0.001 && seconds.is_finite()) {
        return Err(format!(
            "{text:?}: the count must be at least 1 and the window at least 1ms"
        ));
    }
    Ok((count, Duration::from_secs_f64(seconds)))
}

fn parse_write_status(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(status @ (201..=299 | 500..=599)) => Ok(status),
        _ => Err(format!(
            "{text:?}: expected a 2xx other than 200 (202, 204) or a 5xx (500, 520)"
        )),
    }
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
            _ if self.quota.is_some() => {
                let (limit, window) = self.quota.unwrap_or_default();
                let mut quota = Quota::new(limit, window)
                    .reset_form(match self.reset_form.as_str() {
                        "unix-ms" => ResetForm::UnixMillis,
                        "delta" => ResetForm::DeltaSeconds,
                        "ietf" => ResetForm::Ietf,
                        "http-date" => ResetForm::HttpDate,
                        "iso8601" => ResetForm::Iso8601,
                        "none" => ResetForm::Absent,
                        _ => ResetForm::UnixSeconds,
                    })
                    .headers(match self.quota_headers.as_str() {
                        "429" => QuotaHeaders::OnlyRefusals,
                        "none" => QuotaHeaders::NoHint,
                        _ => QuotaHeaders::EveryResponse,
                    });
                if let Some(burst) = self.burst {
                    quota = quota.burst(burst);
                }
                Some(RateLimit::Quota(quota))
            }
            (Some(per_second), _) if per_second.is_nan() || per_second <= 0.0 => {
                return Err(Failure::usage("--rate-limit must be more than 0"));
            }
            (Some(per_second), _) => Some(RateLimit::TokenBucket {
                per_second,
                burst: per_second.ceil().max(1.0) as u32,
            }),
            _ if self.refuse_all => Some(RateLimit::Triggered {
                trigger: Trigger::Always,
                retry_after_secs: self.retry_after,
                limit: 60,
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
                write_answer: self.write_status.map(|status| WriteAnswer {
                    trigger: self
                        .write_status_every
                        .map_or(Trigger::Always, Trigger::EveryNth),
                    status,
                }),
                has_more_forever: self.has_more_forever,
                ignore_page: self.ignore_page,
                echo: self.echo,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas() {
        assert_eq!(parse_quota("120/60s"), Ok((120, Duration::from_secs(60))));
        assert_eq!(parse_quota("8/2"), Ok((8, Duration::from_secs(2))));
        assert_eq!(parse_quota("5/500ms"), Ok((5, Duration::from_millis(500))));
        assert_eq!(
            parse_quota("10000/1h"),
            Ok((10000, Duration::from_secs(3600)))
        );
        for bad in ["120", "0/60s", "120/0s", "x/60s", "120/60y"] {
            assert!(parse_quota(bad).is_err(), "{bad}");
        }
    }
}
