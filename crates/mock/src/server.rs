//! The running server: start, address, stats, shutdown.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::MockConfig;
use crate::conn::{Connection, MockListener};
use crate::error::MockError;
use crate::faults::FaultState;
use crate::operations::path_of;
use crate::routes::{self, App};
use crate::stats::{Recorder, Stats};

/// A mock of the meetings API listening on 127.0.0.1. Dropping it stops the server (without
/// waiting); [`MockServer::shutdown`] stops it and waits.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    recorder: Arc<Recorder>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl MockServer {
    /// Binds 127.0.0.1 on `config.port` (0 for a free port) and serves in a background task of
    /// the current Tokio runtime.
    ///
    /// ```
    /// use thoughtindustries_mock::{DEMO_TOKEN, MockConfig, MockServer};
    /// use thoughtindustries_models::MeetingsResponse;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = MockServer::start(MockConfig::default()).await?;
    /// let body = reqwest::Client::new()
    ///     .get(format!("{}/incoming/v2/meetings?page=2", server.base_url()))
    ///     .bearer_auth(DEMO_TOKEN)
    ///     .send()
    ///     .await?
    ///     .error_for_status()?
    ///     .bytes()
    ///     .await?;
    /// let page: MeetingsResponse = serde_json::from_slice(&body)?;
    /// assert_eq!(page.data.meetings.page_info.unwrap().current_page, Some(2));
    /// assert_eq!(server.stats().status(200), 1);
    /// server.shutdown().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start(config: MockConfig) -> Result<Self, MockError> {
        if config.per_page == 0 {
            return Err(MockError::InvalidConfig(
                "per_page must be at least 1".into(),
            ));
        }
        let faults = FaultState::new(&config.faults)?;
        let bind = |source| MockError::Bind {
            port: config.port,
            source,
        };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
            .await
            .map_err(bind)?;
        let addr = listener.local_addr().map_err(bind)?;
        let (stop, stopped) = watch::channel(false);
        let recorder = Arc::new(Recorder::default());
        let app = Arc::new(App {
            token: config.token,
            per_page: config.per_page,
            tenant: config.tenant,
            faults,
            recorder: recorder.clone(),
            attendance: Default::default(),
            shutdown: stopped.clone(),
        });
        let service = routes::router(app).into_make_service_with_connect_info::<Connection>();
        let mut signal = stopped;
        let task = tokio::spawn(async move {
            axum::serve(MockListener(listener), service)
                .with_graceful_shutdown(async move {
                    let _ = signal.wait_for(|&stopped| stopped).await;
                })
                .await
        });
        tracing::info!(%addr, "mock meetings API listening");
        Ok(Self {
            addr,
            recorder,
            stop,
            task: Some(task),
        })
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, for example `http://127.0.0.1:39123` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The URL of the meetings endpoint: `{base_url}/incoming/v2/meetings`.
    pub fn meetings_url(&self) -> String {
        format!("{}{}", self.base_url(), path_of("list_meetings"))
    }

    /// A snapshot of the request counters.
    pub fn stats(&self) -> Stats {
        self.recorder.snapshot()
    }

    /// Stops accepting connections, ends stalled bodies and delays, and waits for the open
    /// requests to finish.
    pub async fn shutdown(mut self) -> Result<(), MockError> {
        self.stop.send_replace(true);
        match self.task.take() {
            Some(task) => joined(task.await),
            None => Ok(()),
        }
    }

    /// Serves until `signal` completes (for example `tokio::signal::ctrl_c()`), then shuts down
    /// gracefully. Returns early with an error if the server fails.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), thoughtindustries_mock::MockError> {
    /// use thoughtindustries_mock::{MockConfig, MockServer};
    ///
    /// let server = MockServer::start(MockConfig { port: 8080, ..MockConfig::default() }).await?;
    /// println!("serving on {}", server.base_url());
    /// server
    ///     .run_until(async {
    ///         let _ = tokio::signal::ctrl_c().await;
    ///     })
    ///     .await
    /// # }
    /// ```
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) -> Result<(), MockError> {
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        tokio::select! {
            () = signal => {
                self.stop.send_replace(true);
                joined(task.await)
            }
            result = &mut task => joined(result),
        }
    }
}

/// The outcome of the server task.
fn joined(result: Result<io::Result<()>, tokio::task::JoinError>) -> Result<(), MockError> {
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(MockError::Serve(error)),
        Err(error) => Err(MockError::Serve(io::Error::other(error))),
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}
