//! The crate's error type.

use std::io;
use std::path::PathBuf;

/// What can go wrong when building a tenant or starting the mock server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// The listening socket could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The requested port (0 for any free port).
        port: u16,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A tenant file could not be read.
    #[error("cannot read tenant file {}: {source}", path.display())]
    ReadTenant {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A tenant file or value is not JSON of the expected shape.
    #[error("invalid tenant JSON: {0}")]
    TenantJson(String),
    /// The configuration is inconsistent (for example a fault status that is not 5xx).
    #[error("invalid mock configuration: {0}")]
    InvalidConfig(String),
    /// The server stopped with an I/O error.
    #[error("mock server failed: {0}")]
    Serve(#[source] io::Error),
}
