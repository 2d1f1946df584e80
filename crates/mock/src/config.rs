//! Configuration of a mock server.

use crate::faults::Faults;
use crate::tenant::Tenant;

/// The bearer token of the embedded/demo mock: `Authorization: Bearer ti-demo-token`.
pub const DEMO_TOKEN: &str = "ti-demo-token";

/// The vendor's default page size.
pub const DEFAULT_PER_PAGE: usize = 25;

/// How a [`MockServer`](crate::MockServer) behaves. `MockConfig::default()` serves the default
/// synthetic tenant on a free port of 127.0.0.1, 25 meetings a page, token [`DEMO_TOKEN`], no
/// faults.
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// Port on 127.0.0.1; 0 picks a free one (see [`MockServer::base_url`](crate::MockServer::base_url)).
    pub port: u16,
    /// The only bearer token accepted.
    pub token: String,
    /// Meetings per page (at least 1).
    pub per_page: usize,
    /// The data served.
    pub tenant: Tenant,
    /// Faults to inject.
    pub faults: Faults,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            port: 0,
            token: DEMO_TOKEN.to_owned(),
            per_page: DEFAULT_PER_PAGE,
            tenant: Tenant::default(),
            faults: Faults::default(),
        }
    }
}
