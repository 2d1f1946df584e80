//! Where the API lives: a tenant's thoughtindustries.com host or a custom base URL.

use std::net::IpAddr;

use url::{Host, Url};

use crate::Error;

/// The base URL of a tenant's API; requests go to `{base}/incoming/v2/meetings`.
///
/// Built from a tenant name (`https://{tenant}.thoughtindustries.com`) or from a URL (custom
/// domains and proxies; a path prefix is kept). HTTPS is required, except for loopback hosts
/// (`localhost`, `127.0.0.0/8`, `::1`) where plain HTTP is allowed for tests and local proxies.
///
/// ```
/// use thoughtindustries::BaseUrl;
///
/// assert_eq!(BaseUrl::tenant("acme")?.as_str(), "https://acme.thoughtindustries.com");
/// assert_eq!(BaseUrl::parse("https://learn.example.com/lms/")?.as_str(), "https://learn.example.com/lms");
/// assert!(BaseUrl::parse("http://learn.example.com").is_err());
/// assert!(BaseUrl::parse("http://127.0.0.1:8080").is_ok());
/// # Ok::<(), thoughtindustries::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// The base URL of the tenant `name` on thoughtindustries.com.
    pub fn tenant(name: &str) -> Result<Self, Error> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !name.starts_with('-')
            && !name.ends_with('-');
        if !valid {
            return Err(Error::Config(format!(
                "invalid tenant name {name:?}: expected the subdomain of \
                 <tenant>.thoughtindustries.com (lowercase letters, digits and '-')"
            )));
        }
        Self::parse(&format!("https://{name}.thoughtindustries.com"))
    }

    /// Parses and checks a base URL: `https://` (or `http://` for a loopback host), no query or
    /// fragment, no credentials; a trailing `/` is removed.
    pub fn parse(original: &str) -> Result<Self, Error> {
        // Every message below quotes the URL without its credentials, whether it parses or not.
        let shown = redact(original);
        let url = shown.as_str();
        let parsed = Url::parse(original)
            .map_err(|e| Error::Config(format!("invalid base URL {url:?}: {e}")))?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(Error::Config(
                "invalid base URL: credentials in the URL are not allowed; use the API key".into(),
            ));
        }
        let host = parsed
            .host()
            .ok_or_else(|| Error::Config(format!("invalid base URL {url:?}: it has no host")))?;
        match parsed.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                return Err(Error::Config(format!(
                    "refusing plain http:// for {host}: the API key would travel unencrypted; \
                     use https:// (http:// is allowed only for loopback addresses)"
                )));
            }
            other => {
                return Err(Error::Config(format!(
                    "invalid base URL {url:?}: scheme {other:?} is not http(s)"
                )));
            }
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(Error::Config(format!(
                "invalid base URL {url:?}: it must not have a query or fragment"
            )));
        }
        Ok(Self(parsed.as_str().trim_end_matches('/').to_owned()))
    }

    /// The base URL without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for BaseUrl {
    type Err = Error;

    fn from_str(url: &str) -> Result<Self, Error> {
        Self::parse(url)
    }
}

/// What [`ClientBuilder::base_url`](crate::ClientBuilder::base_url) accepts: a URL as text
/// (`&str`, `&String`: checked by [`BaseUrl::parse`]) or a [`BaseUrl`] (or `&BaseUrl`).
pub trait IntoBaseUrl {
    /// The checked base URL.
    fn into_base_url(self) -> Result<BaseUrl, Error>;
}

impl IntoBaseUrl for BaseUrl {
    fn into_base_url(self) -> Result<BaseUrl, Error> {
        Ok(self)
    }
}

impl IntoBaseUrl for &BaseUrl {
    fn into_base_url(self) -> Result<BaseUrl, Error> {
        Ok(self.clone())
    }
}

impl IntoBaseUrl for &str {
    fn into_base_url(self) -> Result<BaseUrl, Error> {
        BaseUrl::parse(self)
    }
}

impl IntoBaseUrl for &String {
    fn into_base_url(self) -> Result<BaseUrl, Error> {
        BaseUrl::parse(self)
    }
}

/// `url` with anything before an `@` of its authority replaced by `***`, so that messages never
/// echo a password; works on text that is not a valid URL.
fn redact(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    match url[start..end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &url[start + at..]),
        None => url.to_owned(),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_is_allowed_in_all_forms() {
        for url in [
            "http://localhost:1",
            "http://127.0.0.2",
            "http://[::1]:9/x/",
        ] {
            assert!(BaseUrl::parse(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn remote_http_and_odd_urls_are_rejected() {
        for url in [
            "http://10.0.0.1",
            "ftp://example.com",
            "https://example.com/?a=1",
            "https://user:pw@example.com",
            "not a url",
        ] {
            assert!(BaseUrl::parse(url).is_err(), "{url}");
        }
    }

    #[test]
    fn credentials_in_a_rejected_url_are_not_echoed() {
        for url in [
            "https://user:s3cr3t@example.com/?a=1",
            "ftp://user:s3cr3t@example.com",
            "http://s3cr3t@10.0.0.1",
            // URLs that do not parse at all: quoted in the message, so redacted first.
            "https://user:s3cr3t@example.com:99999",
            "https://user:s3cr3t@exa mple.com/",
            "https://s3cr3t@[::1/",
            "user:s3cr3t@example.com",
            "https://user:pa@ss:s3cr3t@example.com:99999/x?y#z",
        ] {
            let message = BaseUrl::parse(url).unwrap_err().to_string();
            assert!(!message.contains("s3cr3t"), "{message}");
        }
    }

    #[test]
    fn redaction_keeps_everything_but_the_credentials() {
        assert_eq!(redact("https://u:p@h:99999/x?y"), "https://***@h:99999/x?y");
        assert_eq!(redact("u:p@h"), "***@h");
        assert_eq!(redact("https://h/a@b"), "https://h/a@b");
    }

    #[test]
    fn tenant_names_are_checked() {
        assert!(BaseUrl::tenant("Acme").is_err());
        assert!(BaseUrl::tenant("acme.evil.com/").is_err());
        assert!(BaseUrl::tenant("").is_err());
        assert!(BaseUrl::tenant("my-school2").is_ok());
    }

    #[test]
    fn path_prefix_is_kept() {
        let base = BaseUrl::parse("https://proxy.example.com/ti/").unwrap();
        assert_eq!(base.as_str(), "https://proxy.example.com/ti");
    }
}
