//! The operations the mock serves, as the spec it serves describes them: each route's path is the
//! spec's, so that a path renamed in `openapi/meetings.yaml` is the path the mock answers on.

use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The operations of the spec: operationId to (method, path template).
static OPERATIONS: LazyLock<BTreeMap<String, (String, String)>> = LazyLock::new(|| {
    parse(thoughtindustries_spec::OPENAPI_YAML).expect("the embedded spec describes its operations")
});

/// The method (lower case) and path template (like `/incoming/v2/meetings/{id}`) of each operation
/// of an OpenAPI document, by operationId.
fn parse(spec: &str) -> Result<BTreeMap<String, (String, String)>, String> {
    let document: serde_json::Value =
        serde_norway::from_str(spec).map_err(|e| format!("the spec is not YAML: {e}"))?;
    let paths = document
        .get("paths")
        .and_then(serde_json::Value::as_object)
        .ok_or("the spec has no paths")?;
    let mut operations = BTreeMap::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().into_iter().flatten() {
            if let Some(id) = operation.get("operationId").and_then(|id| id.as_str()) {
                operations.insert(id.to_owned(), (method.clone(), path.clone()));
            }
        }
    }
    Ok(operations)
}

/// The path template of an operation of the spec the mock serves (`{id}` for a path parameter,
/// which is also how axum writes one), like `/incoming/v2/meetings/{id}` for `get_meeting`;
/// `None` for an operationId the spec does not have.
///
/// ```
/// assert_eq!(thoughtindustries_mock::operation_path("list_meetings"), Some("/incoming/v2/meetings"));
/// assert_eq!(thoughtindustries_mock::operation_path("no_such_operation"), None);
/// ```
pub fn operation_path(operation_id: &str) -> Option<&'static str> {
    OPERATIONS.get(operation_id).map(|(_, path)| path.as_str())
}

/// The path of an operation the mock implements; the spec lacking it is a bug of the mock.
pub(crate) fn path_of(operation_id: &str) -> &'static str {
    operation_path(operation_id)
        .unwrap_or_else(|| panic!("the spec has no operation {operation_id}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_is_read_with_its_method_and_path() {
        let spec = "paths:\n  /a/{id}:\n    get: {operationId: get_a}\n    post: {operationId: set_a}\n  /b: {get: {operationId: list_b}}\n";
        let operations = super::parse(spec).unwrap();
        assert_eq!(operations["get_a"], ("get".into(), "/a/{id}".into()));
        assert_eq!(operations["set_a"], ("post".into(), "/a/{id}".into()));
        assert_eq!(operations["list_b"], ("get".into(), "/b".into()));
        assert_eq!(operations.len(), 3);
    }

    #[test]
    fn the_embedded_spec_has_the_four_operations_the_mock_serves() {
        for id in [
            "list_meetings",
            "get_meeting",
            "update_meeting_attendance",
            "bulk_update_meeting_attendance",
        ] {
            assert!(super::operation_path(id).is_some(), "{id}");
        }
    }
}
