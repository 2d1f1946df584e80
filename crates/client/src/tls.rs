//! The TLS configuration of the client's connections: rustls with the `ring` crypto provider and
//! the platform's certificate verifier (the operating system's trust store, as browsers use).
//!
//! The client hands reqwest a finished configuration instead of letting reqwest pick its default
//! provider (aws-lc-rs, a large C library that doubled a user's cold build), and it does not
//! install a process-wide default provider: an application's own rustls setup is left alone.

use std::sync::Arc;

use crate::Error;

/// A rustls client configuration for the API: TLS 1.2 and 1.3, the platform verifier, ALPN for
/// HTTP/2 with HTTP/1.1 as the fallback.
pub(crate) fn client_config() -> Result<rustls::ClientConfig, Error> {
    use rustls_platform_verifier::BuilderVerifierExt;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(|e| Error::Config(format!("configuring TLS: {e}")))?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_http2_then_http1_with_the_ring_provider() {
        let config = client_config().unwrap();
        assert_eq!(
            config.alpn_protocols,
            [b"h2".to_vec(), b"http/1.1".to_vec()]
        );
        let ring = rustls::crypto::ring::default_provider();
        assert_eq!(config.crypto_provider().cipher_suites, ring.cipher_suites);
    }
}
