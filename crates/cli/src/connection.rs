//! Where `ti` sends requests: a tenant, a base URL, or the embedded mock when neither is set.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use clap::builder::TypedValueParser;
use thoughtindustries::{ApiKey, BaseUrl, Client, RetryConfig};
use thoughtindustries_mock::{DEMO_TOKEN, MockConfig, MockServer};

use crate::exit::Failure;

/// Connection flags shared by the commands that talk to the API.
// The field docs are `--help` text for a terminal, where Markdown link syntax would show as is.
#[allow(rustdoc::bare_urls)]
#[derive(Args, Debug, Clone)]
pub struct ConnectionArgs {
    /// Tenant name: requests go to https://NAME.thoughtindustries.com [env: TI_TENANT]. A flag
    /// wins over both TI_TENANT and TI_BASE_URL.
    #[arg(long, value_name = "NAME", conflicts_with = "base_url")]
    pub tenant: Option<String>,

    /// Base URL of the API (custom domain or proxy; a path prefix is kept) [env: TI_BASE_URL].
    /// http:// only for loopback addresses.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Read the API key from this file (the key is otherwise taken from TI_API_KEY; it is never
    /// accepted as an argument, where `ps` would show it).
    #[arg(long, value_name = "PATH")]
    pub api_key_file: Option<PathBuf>,

    /// Pages fetched at once when listing every page.
    #[arg(long, default_value_t = thoughtindustries::DEFAULT_CONCURRENCY, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=64).map(usize::from))]
    pub concurrency: usize,

    /// Retries per request after the first attempt (429, 408, 5xx, connection failures).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub max_retries: u32,

    /// The waiting budget of each request (one page, one detail, one chunk), in seconds: the
    /// time it may spend waiting for the tenant's quota, pacing, Retry-After and backoff
    /// together. A wait that would pass it is not started: the request fails at once (exit 3),
    /// saying how long it waited. Waits within it do not use up --max-retries. Raise it for an
    /// hourly quota.
    #[arg(long, default_value_t = thoughtindustries::DEFAULT_MAX_WAIT.as_secs_f64(),
          value_name = "SECONDS", value_parser = positive_seconds)]
    pub max_wait: f64,

    /// Time allowed for each attempt, in seconds.
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS", value_parser = positive_seconds)]
    pub timeout: f64,

    /// The deadline of each request (one page, one detail, one chunk), in seconds: its attempts,
    /// sends and waits together (exit 4 past it; a write cut off while being sent exits 7).
    /// Default: none (each attempt is bounded by --timeout, the waits by --max-wait).
    #[arg(long, value_name = "SECONDS", value_parser = positive_seconds)]
    pub operation_timeout: Option<f64>,
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 => Ok(seconds),
        _ => Err(format!("{text:?} is not a positive number of seconds")),
    }
}

/// A configured client, and the embedded mock it talks to when no tenant is configured.
pub struct Connection {
    /// The client.
    pub client: Client,
    /// Kept alive for as long as the client is used.
    _mock: Option<MockServer>,
}

impl ConnectionArgs {
    /// Builds the client, starting the embedded mock when neither a tenant nor a base URL is set.
    pub async fn connect(&self) -> Result<Connection, Failure> {
        let timeout = Duration::from_secs_f64(self.timeout);
        let mut builder = Client::builder()
            .retry(
                RetryConfig::default()
                    .max_attempts(self.max_retries.saturating_add(1))
                    .max_wait(Duration::from_secs_f64(self.max_wait)),
            )
            .on_quota_wait(crate::progress::quota_notice)
            .timeout(timeout)
            .read_timeout(timeout)
            .concurrency(self.concurrency);
        if let Some(seconds) = self.operation_timeout {
            builder = builder.operation_timeout(Duration::from_secs_f64(seconds));
        }
        let (builder, mock) = match self.target()? {
            (Some(tenant), _) => {
                BaseUrl::tenant(&tenant)?;
                (builder.tenant(&tenant).api_key(self.api_key()?), None)
            }
            (None, Some(url)) => {
                BaseUrl::parse(&url)?;
                (builder.base_url(&url).api_key(self.api_key()?), None)
            }
            (None, None) => {
                let mock = MockServer::start(MockConfig::default())
                    .await
                    .map_err(|e| Failure::usage(format!("starting the embedded mock: {e}")))?;
                eprintln!(
                    "ti: no tenant configured (TI_TENANT or TI_BASE_URL); using the embedded mock \
                     at {}",
                    mock.base_url()
                );
                let builder = builder
                    .base_url(&mock.base_url())
                    .api_key(ApiKey::new(DEMO_TOKEN));
                (builder, Some(mock))
            }
        };
        Ok(Connection {
            client: builder.build()?,
            _mock: mock,
        })
    }

    /// The tenant and base URL to use: the flags when either is given, otherwise TI_TENANT and
    /// TI_BASE_URL, of which at most one may be set.
    fn target(&self) -> Result<(Option<String>, Option<String>), Failure> {
        if self.tenant.is_some() || self.base_url.is_some() {
            return Ok((self.tenant.clone(), self.base_url.clone()));
        }
        let var = |name| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        match (var("TI_TENANT"), var("TI_BASE_URL")) {
            (Some(_), Some(_)) => Err(Failure::usage(
                "both TI_TENANT and TI_BASE_URL are set: unset one of them (`unset TI_BASE_URL` \
                 to use https://TENANT.thoughtindustries.com, `unset TI_TENANT` to use the base \
                 URL), or pass --tenant or --base-url, which wins over both",
            )),
            target => Ok(target),
        }
    }

    fn api_key(&self) -> Result<ApiKey, Failure> {
        if let Some(path) = &self.api_key_file {
            let key = std::fs::read_to_string(path).map_err(|e| {
                Failure::usage(format!(
                    "cannot read the API key file {}: {e}",
                    path.display()
                ))
            })?;
            if key.trim().is_empty() {
                return Err(Failure::usage(format!(
                    "the API key file {} is empty",
                    path.display()
                )));
            }
            return Ok(ApiKey::new(key));
        }
        match std::env::var("TI_API_KEY") {
            Ok(key) if !key.trim().is_empty() => Ok(ApiKey::new(key)),
            _ => Err(Failure::usage(
                "no API key: set TI_API_KEY or pass --api-key-file PATH",
            )),
        }
    }
}
