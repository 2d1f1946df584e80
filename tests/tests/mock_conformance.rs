//! The mock conforms to the spec: every response it produces validates against
//! `openapi/meetings.yaml` (the contract crate's jsonschema validation), with no violation and no
//! unknown enum value, for several tenants, page sizes, filters and error statuses.

use thoughtindustries_contract::Spec;
use thoughtindustries_mock::{DEMO_TOKEN, MockConfig, MockServer, SyntheticOptions, Tenant};

fn assert_conforms(status: u16, body: &[u8], what: &str) {
    let report = Spec::embedded()
        .validate_response_bytes("list_meetings", status, body)
        .unwrap();
    assert!(
        report.findings.is_empty(),
        "{what}: the mock's response does not match the spec:\n{report}"
    );
}

#[test]
fn every_page_of_several_synthetic_tenants_conforms() {
    for (seed, courses, meetings, per_page) in [(1, 8, 120, 25), (2, 3, 57, 10), (99, 20, 400, 100)]
    {
        let tenant = Tenant::synthetic(SyntheticOptions {
            seed,
            courses,
            meetings,
        });
        let pages = meetings.div_ceil(per_page) as u64 + 1; // one past the end too
        for page in 1..=pages {
            let body = tenant.page_body(page, per_page, None);
            assert_conforms(200, &body, &format!("seed {seed} page {page}"));
        }
        for course in tenant.course_ids() {
            let body = tenant.page_body(1, per_page, Some(course));
            assert_conforms(200, &body, &format!("seed {seed} course {course}"));
        }
    }
}

#[tokio::test]
async fn served_responses_conform_including_errors() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    // The workspace builds reqwest without a default crypto provider (the SDK configures its own).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let url = server.meetings_url();
    for (query, token, status) in [
        ("?page=2", Some(DEMO_TOKEN), 200),
        ("?page=99", Some(DEMO_TOKEN), 200),
        ("", None, 401),
        ("", Some("wrong"), 401),
        ("?page=0", Some(DEMO_TOKEN), 400),
        ("?page=abc", Some(DEMO_TOKEN), 400),
        ("?courseId=nope", Some(DEMO_TOKEN), 400),
    ] {
        let mut request = http.get(format!("{url}{query}"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{query}");
        let body = response.bytes().await.unwrap();
        assert_conforms(status, &body, query);
    }
    server.shutdown().await.unwrap();
}
