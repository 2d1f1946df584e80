//! Errors of the contract crate: a spec that cannot be used, or a question about something the
//! spec does not have. Findings about a body are not errors: they are in the [`crate::Report`].

/// Why a spec could not be loaded or a validation could not be run.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    /// The text is not YAML or JSON.
    #[error("the spec is not YAML or JSON: {0}")]
    Syntax(String),
    /// The document is not an OpenAPI 3.0.x document.
    #[error("the spec is not an OpenAPI 3.0.x document: {0}")]
    NotOpenApi30(String),
    /// No operation has this `operationId`.
    #[error("the spec has no operation with operationId `{0}`")]
    UnknownOperation(String),
    /// No schema under `components.schemas` has this name.
    #[error("the spec has no schema `components.schemas.{0}`")]
    UnknownSchema(String),
    /// A JSON Pointer does not lead to a schema of the spec, or the schema there cannot be
    /// compiled (for example a `$ref` that does not resolve).
    #[error("cannot validate against `{pointer}`: {reason}")]
    BadSchema {
        /// The pointer into the spec.
        pointer: String,
        /// What went wrong.
        reason: String,
    },
    /// [`crate::propose`] could not write the drift into the spec's text: a schema it names is
    /// not there, or is written in a form it cannot extend without changing other bytes.
    #[error("cannot propose a spec edit: {0}")]
    CannotPropose(String),
}
