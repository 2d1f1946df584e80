//! The TLS of the client's connections, chosen with the crate's features as reqwest's own are:
//!
//! - `rustls` (default): rustls with the `aws-lc-rs` crypto provider and the platform's certificate
//!   verifier (the operating system's trust store). This is reqwest 0.13's default TLS, so a
//!   service that already depends on reqwest with its default features compiles one TLS stack,
//!   not two.
//! - `rustls-no-provider`: rustls with the crypto provider the application installs for the
//!   process (`rustls::crypto::CryptoProvider::install_default`, for example `ring`'s), and no
//!   `aws-lc-rs` in the build. Building a client fails with [`Error::Config`] when none is
//!   installed.
//! - `native-tls`: the platform's TLS library (OpenSSL, Schannel, Security.framework) through
//!   reqwest, used when no rustls feature is on.
//!
//! With rustls, the client hands reqwest a finished configuration: TLS 1.2 and 1.3, the platform
//! verifier, ALPN for HTTP/2 with HTTP/1.1 as the fallback. A provider the application installed
//! for the process is used (as reqwest does); the client never installs one itself, so an
//! application's own rustls setup is left alone. With no TLS feature at all, only plain `http://`
//! base URLs (the loopback mock) work, and building a client for an `https://` one fails.

use crate::Error;

/// Gives `builder` the TLS the crate's features chose; `https` says whether the base URL needs it.
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    https: bool,
) -> Result<reqwest::ClientBuilder, Error> {
    #[cfg(feature = "rustls-no-provider")]
    {
        let _ = https;
        Ok(builder.tls_backend_preconfigured(client_config()?))
    }
    #[cfg(all(not(feature = "rustls-no-provider"), feature = "native-tls"))]
    {
        let _ = https;
        Ok(builder.tls_backend_native())
    }
    #[cfg(not(any(feature = "rustls-no-provider", feature = "native-tls")))]
    if https {
        Err(Error::Config(
            "this build of the thoughtindustries crate has no TLS: enable its `rustls` (the \
             default), `rustls-no-provider` or `native-tls` feature to reach an https:// URL"
                .into(),
        ))
    } else {
        Ok(builder)
    }
}

/// A rustls client configuration for the API: the process's crypto provider if the application
/// installed one, else `aws-lc-rs` (the `rustls` feature); TLS 1.2 and 1.3, the platform verifier,
/// ALPN for HTTP/2 with HTTP/1.1 as the fallback.
#[cfg(feature = "rustls-no-provider")]
pub(crate) fn client_config() -> Result<rustls::ClientConfig, Error> {
    use rustls_platform_verifier::BuilderVerifierExt;

    let provider = match rustls::crypto::CryptoProvider::get_default() {
        Some(installed) => installed.clone(),
        None => default_provider()?,
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(|e| Error::Config(format!("configuring TLS: {e}")))?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The crypto provider when the application installed none: `aws-lc-rs`, reqwest's default.
#[cfg(feature = "rustls")]
fn default_provider() -> Result<std::sync::Arc<rustls::crypto::CryptoProvider>, Error> {
    Ok(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
}

/// Without the `rustls` feature the application must install the provider.
#[cfg(all(feature = "rustls-no-provider", not(feature = "rustls")))]
fn default_provider() -> Result<std::sync::Arc<rustls::crypto::CryptoProvider>, Error> {
    Err(Error::Config(
        "no rustls crypto provider: with the `rustls-no-provider` feature, install one for the \
         process (`rustls::crypto::CryptoProvider::install_default`) before building the client, \
         or enable the `rustls` feature (aws-lc-rs)"
            .into(),
    ))
}

#[cfg(all(test, feature = "rustls"))]
mod tests {
    use super::*;

    #[test]
    fn offers_http2_then_http1_with_aws_lc_rs_when_no_provider_is_installed() {
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        let config = client_config().unwrap();
        assert_eq!(
            config.alpn_protocols,
            [b"h2".to_vec(), b"http/1.1".to_vec()]
        );
        let aws_lc_rs = rustls::crypto::aws_lc_rs::default_provider();
        assert_eq!(
            config.crypto_provider().cipher_suites,
            aws_lc_rs.cipher_suites
        );
    }
}
