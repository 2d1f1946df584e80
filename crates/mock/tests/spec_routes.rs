//! The mock answers each operation on the path the spec gives it, read here from
//! `openapi/meetings.yaml` itself. `cargo xtask follows-spec` runs this test on a copy of the
//! workspace whose spec renames every path.

mod common;

use common::{client, start, tenant};
use serde_json::Value;
use thoughtindustries_mock::{DEMO_TOKEN, MockConfig};

/// Every operation of the spec: (operationId, method, path with `{...}` filled in).
fn operations() -> Vec<(String, String, String)> {
    let spec: Value = serde_norway::from_str(thoughtindustries_spec::OPENAPI_YAML).unwrap();
    let mut operations = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap().to_owned();
            let filled = path.replace("{id}", "0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11");
            operations.push((id, method.to_uppercase(), filled));
        }
    }
    operations
}

#[tokio::test]
async fn every_operation_is_routed_on_the_spec_path() {
    let server = start(MockConfig {
        tenant: tenant(3, 2, 10),
        ..MockConfig::default()
    })
    .await;
    let client = client();
    let operations = operations();
    assert_eq!(operations.len(), 4, "{operations:?}");
    for (id, method, path) in operations {
        let url = format!("{}{path}", server.base_url());
        // A routed path answers another method with 405; a path the mock does not serve, 404.
        let response = client
            .delete(&url)
            .bearer_auth(DEMO_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{id}: DELETE {path}");
        assert_eq!(
            thoughtindustries_mock::operation_path(&id)
                .map(|p| p.replace("{id}", "0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11")),
            Some(path.clone()),
            "{id}"
        );
        if method == "GET" && !path.contains("0b6e8a53") {
            let response = client
                .get(&url)
                .bearer_auth(DEMO_TOKEN)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{id}: GET {path}");
        }
    }
    let unknown = client
        .delete(format!("{}/incoming/v2/nowhere", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}
