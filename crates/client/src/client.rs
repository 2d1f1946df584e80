//! The client users construct: its configuration, and the listing's entry points.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use uuid::Uuid;

use crate::api_key::ApiKey;
use crate::base_url::{BaseUrl, IntoBaseUrl};
use crate::errors::Error;
use crate::generated;
use crate::overrides::Overrides;
use crate::paginate::ListMeetings;
use crate::redact::Redactor;
use crate::retry::RetryConfig;
use crate::transport::{Settings, Transport};
use crate::{Page, decode, exchange};

/// Default maximum response body size: 64 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Default time allowed for one attempt ([`ClientBuilder::timeout`]).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// Default number of pages fetched at once by the paginator (and requests in flight).
pub const DEFAULT_CONCURRENCY: usize = 4;

/// A client for one tenant's `incoming/v2` API. Cheap to clone; clones share connections, the
/// retry policy, the concurrency limiter and the rate-limit budget (every operation of a client
/// and its clones draws on one budget).
///
/// ```no_run
/// use futures::TryStreamExt;
/// use thoughtindustries::{ApiKey, Client};
///
/// # async fn run() -> Result<(), thoughtindustries::Error> {
/// let client = Client::builder()
///     .tenant("acme")
///     .api_key(ApiKey::new(std::env::var("TI_API_KEY").unwrap_or_default()))
///     .build()?;
///
/// // Every meeting, page after page, fetched four pages at a time and yielded in order.
/// let meetings: Vec<_> = client.list_meetings().meetings().try_collect().await?;
/// println!("{} meetings", meetings.len());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) generated: generated::Client,
    pub(crate) concurrency: usize,
    /// Replaces the API key in every text taken from a response before it leaves the client.
    pub(crate) redactor: Redactor,
    /// This clone's per-call settings (set on an operation's builder; none on the client itself).
    pub(crate) overrides: Overrides,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to (`{base}/incoming/v2/...`).
    pub fn base_url(&self) -> &str {
        progenitor_client::ClientInfo::baseurl(&self.generated)
    }

    /// The generated progenitor client, sharing this client's connection pool, API key, retry
    /// policy and limits. Its methods return progenitor's raw results; prefer this type's methods.
    pub fn generated(&self) -> &generated::Client {
        &self.generated
    }

    /// A request for meetings: one page with [`ListMeetings::send`], or every page with
    /// [`ListMeetings::pages`] / [`ListMeetings::meetings`].
    pub fn list_meetings(&self) -> ListMeetings {
        ListMeetings::new(self.clone(), self.concurrency)
    }

    /// Fetches and decodes one page, keeping each meeting's JSON text
    /// ([`Page::into_raw_records`]); what it reports of the body (rejected records, blanked
    /// fields, errors) is redacted.
    pub(crate) async fn fetch_page(
        &self,
        number: u64,
        course_id: Option<Uuid>,
    ) -> Result<Page, Error> {
        let body = self.fetch_page_body(number, course_id).await?;
        let mut page =
            decode::decode_page(&body, number).map_err(|e| self.redact(e.with_page(number)))?;
        for record in &mut page.rejected {
            record.redact(&self.redactor);
        }
        for field in &mut page.blanked {
            field.redact(&self.redactor);
        }
        Ok(page)
    }

    /// `error` with the API key replaced wherever a response put it (`redact.rs`): every error
    /// leaves the client through this.
    pub(crate) fn redact(&self, error: Error) -> Error {
        error.redacted(&self.redactor)
    }

    /// Fetches one page's body as received, for contract checks that validate the bytes before
    /// decoding. Error statuses, transport failures and the size limit are handled as for
    /// [`Client::list_meetings`].
    pub async fn fetch_page_body(
        &self,
        number: u64,
        course_id: Option<Uuid>,
    ) -> Result<bytes::Bytes, Error> {
        crate::paginate::check_page(number)?;
        let mut request = self.generated.list_meetings().page(number);
        if let Some(id) = course_id {
            request = request.course_id(id);
        }
        exchange::read(request.send(), &self.overrides)
            .await
            .map_err(|e| self.redact(e.with_page(number)))
    }
}

/// Configures a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use thoughtindustries::{ApiKey, Client, RetryConfig};
///
/// let client = Client::builder()
///     .base_url("https://learn.example.com/lms")
///     .api_key(ApiKey::new("key"))
///     .timeout(Duration::from_secs(30))
///     .retry(RetryConfig::default().max_attempts(5))
///     .concurrency(8)
///     .build()?;
/// assert_eq!(client.base_url(), "https://learn.example.com/lms");
/// # Ok::<(), thoughtindustries::Error>(())
/// ```
#[must_use]
pub struct ClientBuilder {
    target: Option<Result<BaseUrl, Error>>,
    api_key: Option<ApiKey>,
    connect_timeout: Duration,
    read_timeout: Duration,
    timeout: Option<Duration>,
    user_agent: String,
    retry: RetryConfig,
    concurrency: usize,
    max_body_bytes: usize,
    operation_timeout: Option<Duration>,
    on_quota_wait: Option<crate::quota::WaitHook>,
    http: Option<reqwest::Client>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("target", &self.target)
            .field("api_key", &self.api_key)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("concurrency", &self.concurrency)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("operation_timeout", &self.operation_timeout)
            .field("on_quota_wait", &self.on_quota_wait.is_some())
            .field("reqwest_client", &self.http.is_some())
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            target: None,
            api_key: None,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            timeout: None,
            user_agent: concat!("thoughtindustries-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryConfig::default(),
            concurrency: DEFAULT_CONCURRENCY,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            operation_timeout: None,
            on_quota_wait: None,
            http: None,
        }
    }
}

impl ClientBuilder {
    /// Talk to `https://{name}.thoughtindustries.com`.
    pub fn tenant(mut self, name: &str) -> Self {
        self.target = Some(BaseUrl::tenant(name));
        self
    }

    /// Talk to a custom domain or proxy; a path prefix is kept. `http://` only for loopback.
    /// Takes a `&str` (checked when the client is built) or a [`BaseUrl`] checked already.
    ///
    /// ```
    /// use thoughtindustries::{ApiKey, BaseUrl, Client};
    ///
    /// let base: BaseUrl = "https://learn.example.com/lms".parse()?;
    /// let client = Client::builder().base_url(base).api_key(ApiKey::new("key")).build()?;
    /// assert_eq!(client.base_url(), "https://learn.example.com/lms");
    /// # Ok::<(), thoughtindustries::Error>(())
    /// ```
    pub fn base_url(mut self, url: impl IntoBaseUrl) -> Self {
        self.target = Some(url.into_base_url());
        self
    }

    /// The API key, sent as `Authorization: Bearer ...` (marked sensitive).
    pub fn api_key(mut self, key: ApiKey) -> Self {
        self.api_key = Some(key);
        self
    }

    /// Time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Longest silence allowed while waiting for data, so a stalled server is cut off (default 30 s).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Time allowed for one attempt, from sending to the end of the body (default 120 s; with
    /// [`reqwest_client`](Self::reqwest_client), the caller's client's own unless set here).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The deadline of one operation (one page, one detail, one write, one chunk of a bulk
    /// update), its attempts, sends and waits included (default: none; each attempt is still
    /// bounded by [`timeout`](Self::timeout), and the waits by
    /// [`RetryConfig::max_wait`]). Past it the operation fails with [`Error::Deadline`], or, for a
    /// write cut off while being sent, [`Error::UnknownOutcome`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use thoughtindustries::Client;
    ///
    /// let client = Client::builder()
    ///     .tenant("acme")
    ///     .operation_timeout(Duration::from_secs(30))
    ///     .build()?;
    /// # Ok::<(), thoughtindustries::Error>(())
    /// ```
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header (default `thoughtindustries-rs/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The retry policy (default: [`RetryConfig::default`]).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Pages fetched at once by the paginator, and the most requests in flight (default 4,
    /// at least 1). Lowered automatically while the API answers 429.
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// The largest response body accepted (default 64 MiB); a larger one is an
    /// [`Error::BodyTooLarge`].
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Called once for each pause the client takes for the tenant's quota: a window whose budget
    /// is spent (requests held until it resets), a 429 with a wait, a 429 without one (backoff).
    /// Its [`QuotaWait`](crate::QuotaWait) says how long and why; `ti` prints it on stderr when a
    /// pause is longer than a second. Called from the task that waits: keep it quick.
    pub fn on_quota_wait(
        mut self,
        hook: impl Fn(&crate::QuotaWait) + Send + Sync + 'static,
    ) -> Self {
        self.on_quota_wait = Some(std::sync::Arc::new(hook));
        self
    }

    /// Sends every request with the caller's own `reqwest::Client`: a service's proxies, extra
    /// root certificates, connection pool and default headers. A `reqwest_middleware` stack does
    /// not fit here (the pipeline needs a plain `reqwest::Client`); put what it does in the
    /// client's settings or in [`on_quota_wait`](Self::on_quota_wait) and `tracing`.
    ///
    /// **The caller's client owns** how a request travels: TLS (its roots and backend), the
    /// connect and read timeouts, proxies, redirects, HTTP versions, its default headers and
    /// pool. [`connect_timeout`](Self::connect_timeout) and
    /// [`read_timeout`](Self::read_timeout) are not applied (they belong to the client), and
    /// [`base_url`](Self::base_url) still refuses `http://` except on loopback.
    ///
    /// **The SDK still does** everything around a request, set on each request by its pipeline:
    /// the API key's `Authorization: Bearer` (a sensitive header, so the client's own logging
    /// does not show it) and the `User-Agent` of [`user_agent`](Self::user_agent) (replacing the
    /// client's), the concurrency limit, the quota's pacing, retries, the waiting budget, the
    /// operation deadline, the body size limit, the attempt [`timeout`](Self::timeout) when one
    /// is set here, and the redaction of the key from every error.
    ///
    /// ```
    /// use std::time::Duration;
    /// use thoughtindustries::{ApiKey, Client};
    ///
    /// let http = reqwest::Client::builder()
    ///     .connect_timeout(Duration::from_secs(3))
    ///     // .proxy(reqwest::Proxy::https("http://proxy.internal:3128")?)
    ///     // .add_root_certificate(company_ca)
    ///     .build()?;
    /// let client = Client::builder()
    ///     .tenant("acme")
    ///     .api_key(ApiKey::new("key"))
    ///     .reqwest_client(http)
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the client. Fails when no tenant or base URL was given or either is invalid, or the
    /// API key cannot be sent in a header.
    pub fn build(self) -> Result<Client, Error> {
        let base = self
            .target
            .ok_or_else(|| Error::Config("no tenant or base URL configured".into()))??;
        let mut headers = HeaderMap::new();
        if let Some(key) = &self.api_key {
            headers.insert(AUTHORIZATION, key.bearer_header()?);
        }
        let user_agent = HeaderValue::try_from(self.user_agent)
            .map_err(|_| Error::Config("the User-Agent cannot be sent in a header".into()))?;
        headers.insert(USER_AGENT, user_agent);
        let redactor = self
            .api_key
            .as_ref()
            .map_or_else(Redactor::default, ApiKey::redactor);
        let https = !base.as_str().starts_with("http://");
        let (http, attempt_timeout) = match self.http {
            Some(http) => (http, self.timeout),
            None => {
                let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
                let http = crate::tls::configure(reqwest::Client::builder(), https)?
                    .connect_timeout(self.connect_timeout)
                    .read_timeout(self.read_timeout)
                    .timeout(timeout)
                    .https_only(https)
                    .build()
                    .map_err(|e| Error::Config(format!("building the HTTP client: {e}")))?;
                (http, Some(timeout))
            }
        };
        let transport = Transport::new(
            Settings {
                retry: self.retry,
                max_body_bytes: self.max_body_bytes,
                concurrency: self.concurrency,
                attempt_timeout,
                operation_timeout: self.operation_timeout,
                headers,
            },
            self.on_quota_wait,
        );
        Ok(Client {
            generated: generated::Client::new_with_client(base.as_str(), http, transport),
            concurrency: self.concurrency,
            redactor,
            overrides: Overrides::default(),
        })
    }
}
