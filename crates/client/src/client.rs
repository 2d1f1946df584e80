//! The client users construct: configuration, one page, and the paginated listing.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap};
use uuid::Uuid;

use crate::api_key::ApiKey;
use crate::base_url::BaseUrl;
use crate::errors::{Error, ErrorBody, RateLimit, StatusError, TransportKind};
use crate::generated;
use crate::paginate::ListMeetings;
use crate::retry::{self, RetryConfig};
use crate::transport::{Attempts, BodyError, RefusedWait, Transport};
use crate::{Page, decode};

/// Default maximum response body size: 64 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Default number of pages fetched at once by the paginator (and requests in flight).
pub const DEFAULT_CONCURRENCY: usize = 4;

/// A client for one tenant's `incoming/v2` API. Cheap to clone; clones share connections, the
/// retry policy and the concurrency limiter.
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
    /// ([`Page::into_raw_records`]).
    pub(crate) async fn fetch_page(
        &self,
        number: u64,
        course_id: Option<Uuid>,
    ) -> Result<Page, Error> {
        let body = self.fetch_page_body(number, course_id).await?;
        decode::decode_page(&body, number).map_err(|e| e.with_page(number))
    }

    /// Fetches one page's raw body, for contract checks that validate the bytes before decoding.
    /// Error statuses, transport failures and the size limit are handled as for [`Client::list_meetings`].
    pub async fn fetch_page_body(
        &self,
        number: u64,
        course_id: Option<Uuid>,
    ) -> Result<bytes::Bytes, Error> {
        let mut url = reqwest::Url::parse(&format!("{}/incoming/v2/meetings", self.base_url()))
            .map_err(|e| Error::Config(e.to_string()))?;
        url.query_pairs_mut()
            .append_pair("page", &number.to_string());
        if let Some(id) = course_id {
            url.query_pairs_mut()
                .append_pair("courseId", &id.to_string());
        }
        self.fetch_body(url, "list_meetings")
            .await
            .map_err(|e| e.with_page(number))
    }

    /// `GET url` through the transport (retries, limits), the body of a success status.
    pub(crate) async fn fetch_body(
        &self,
        url: reqwest::Url,
        operation_id: &'static str,
    ) -> Result<bytes::Bytes, Error> {
        self.send_for_body(
            reqwest::Request::new(reqwest::Method::GET, url),
            operation_id,
        )
        .await
    }

    /// Sends `request` through the transport (retries by method, limits), the body of a success
    /// status.
    pub(crate) async fn send_for_body(
        &self,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> Result<bytes::Bytes, Error> {
        use progenitor_client::Error as E;
        match self.exec_for_body(request, operation_id).await {
            Ok(body) => Ok(body),
            Err(E::UnexpectedResponse(response)) => Err(status_error(response).await),
            Err(E::CommunicationError(error) | E::ResponseBodyError(error)) => {
                Err(transport_error(error))
            }
            Err(other) => Err(Error::InvalidRequest(other.to_string())),
        }
    }

    /// Like [`Client::send_for_body`], with the failure as progenitor reports it (a write maps it
    /// by whether the request was sent, `attendance::write_error`): `CommunicationError` when no
    /// response came, `UnexpectedResponse` for an error status, `ResponseBodyError` when the body
    /// could not be read.
    pub(crate) async fn exec_for_body(
        &self,
        mut request: reqwest::Request,
        operation_id: &'static str,
    ) -> Result<bytes::Bytes, progenitor_client::Error<()>> {
        use progenitor_client::Error as E;
        request.headers_mut().insert(
            reqwest::header::ACCEPT,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        let info = progenitor_client::OperationInfo { operation_id };
        let response = progenitor_client::ClientHooks::exec(&self.generated, request, &info)
            .await
            .map_err(E::CommunicationError)?;
        if !response.status().is_success() {
            return Err(E::UnexpectedResponse(response));
        }
        response.bytes().await.map_err(E::ResponseBodyError)
    }
}

/// Builds the error for a response with an error status; its body was already buffered.
pub(crate) async fn status_error(response: reqwest::Response) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    let attempts = response.extensions().get::<Attempts>().map_or(1, |a| a.0);
    let refused_wait = response.extensions().get::<RefusedWait>().map(|w| w.0);
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return transport_error(e),
    };
    let parsed = ErrorBody::parse(&bytes).unwrap_or_default();
    let end = bytes.len().min(64 * 1024);
    Error::Status(Box::new(StatusError {
        status,
        page: None,
        retry_after: retry::server_wait(status, &headers, &bytes),
        refused_wait,
        rate_limit: RateLimit::from_headers(&headers),
        error: parsed.error,
        message: parsed.message,
        body: String::from_utf8_lossy(&bytes[..end]).into_owned(),
        attempts,
    }))
}

/// Classifies a reqwest failure, recovering the transport's own [`BodyError`] from its causes;
/// the reqwest error becomes the [`Error::Transport`]'s source.
pub(crate) fn transport_error(error: reqwest::Error) -> Error {
    let mut subject = &error;
    let mut fallback = TransportKind::Other;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(current) = cause {
        match current.downcast_ref::<BodyError>() {
            Some(BodyError::TooLarge { limit }) => {
                return Error::BodyTooLarge {
                    page: None,
                    limit: *limit,
                };
            }
            Some(BodyError::Read(inner)) => {
                subject = inner;
                fallback = TransportKind::Body;
                break;
            }
            None => cause = current.source(),
        }
    }
    let kind = if subject.is_timeout() {
        TransportKind::Timeout
    } else if subject.is_connect() {
        TransportKind::Connect
    } else {
        fallback
    };
    let message = error_chain(subject);
    Error::Transport {
        page: None,
        kind,
        message,
        source: Some(Box::new(error)),
    }
}

/// An error and its causes on one line, without the request URL (reqwest's own message names it;
/// the causes say what went wrong).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut cause = error.source();
    while let Some(current) = cause {
        let text = current.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = current.source();
    }
    parts.join(": ")
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
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    target: Option<Result<BaseUrl, Error>>,
    api_key: Option<ApiKey>,
    connect_timeout: Duration,
    read_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    retry: RetryConfig,
    concurrency: usize,
    max_body_bytes: usize,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            target: None,
            api_key: None,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            timeout: Duration::from_secs(120),
            user_agent: concat!("thoughtindustries-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryConfig::default(),
            concurrency: DEFAULT_CONCURRENCY,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
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
    pub fn base_url(mut self, url: &str) -> Self {
        self.target = Some(BaseUrl::parse(url));
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

    /// Time allowed for one attempt, from sending to the end of the body (default 120 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
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
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(crate::tls::client_config()?)
            .default_headers(headers)
            .user_agent(self.user_agent)
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .timeout(self.timeout)
            .https_only(!base.as_str().starts_with("http://"))
            .build()
            .map_err(|e| Error::Config(format!("building the HTTP client: {e}")))?;
        let transport = Transport::new(self.retry, self.max_body_bytes, self.concurrency);
        Ok(Client {
            generated: generated::Client::new_with_client(base.as_str(), http, transport),
            concurrency: self.concurrency,
        })
    }
}
