//! Exit codes and the error type every command returns.

use std::process::ExitCode;

/// Success.
pub const SUCCESS: u8 = 0;
/// `ti validate` / `ti contract`: the body does not match the contract.
pub const INVALID: u8 = 1;
/// A usage or configuration error (bad flag, bad URL, missing API key, unreadable file).
pub const USAGE: u8 = 2;
/// The API answered with an error status (after retries), or refused for the rate limit longer
/// than --max-wait allows.
pub const API_STATUS: u8 = 3;
/// The request did not complete (connect, TLS, timeout, dropped connection, oversized body,
/// --operation-timeout passed).
pub const TRANSPORT: u8 = 4;
/// The response did not match the contract (bad JSON, wrong types).
pub const CONTRACT: u8 = 5;
/// `ti attendance bulk`: some users were not updated (each is listed with the reason).
pub const PARTIAL: u8 = 6;
/// A write was sent but its outcome is unknown (timeout, dropped connection after sending, a 2xx
/// other than 200 such as 202, a 5xx other than 503 such as a CDN's 520): the users concerned are
/// listed and can be re-sent.
pub const UNKNOWN_OUTCOME: u8 = 7;

/// A failure, with the exit code it maps to and a message for stderr.
#[derive(Debug)]
pub struct Failure {
    /// The process exit code.
    pub code: u8,
    /// What went wrong, and where.
    pub message: String,
}

impl Failure {
    /// A usage or configuration error.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: message.into(),
        }
    }

    /// Whether the output was closed by its reader: the command stops quietly, with success.
    pub fn is_closed_output(&self) -> bool {
        self.code == SUCCESS
    }

    /// The exit code as a process [`ExitCode`].
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl From<thoughtindustries::Error> for Failure {
    fn from(error: thoughtindustries::Error) -> Self {
        use thoughtindustries::Error as E;
        let code = match &error {
            E::Config(_) | E::InvalidRequest(_) => USAGE,
            E::Status(_) | E::WaitBudget(_) => API_STATUS,
            E::Deadline(_) => TRANSPORT,
            E::Transport { .. } | E::BodyTooLarge { .. } => TRANSPORT,
            E::Decode(_) | E::RejectedPage(_) | E::RepeatedPage(_) | E::Response(_) => CONTRACT,
            E::UnknownOutcome(_) => UNKNOWN_OUTCOME,
            _ => TRANSPORT,
        };
        let mut message = error.to_string();
        if let E::UnknownOutcome(unknown) = &error {
            for user in &unknown.users {
                message.push_str(&format!("\nre-send\t{user}"));
            }
        }
        if let E::WaitBudget(budget) = &error {
            message.push_str(&format!(
                " (to wait that long, raise --max-wait to at least {})",
                (budget.waited + budget.asked).as_secs_f64().ceil()
            ));
        }
        Self { code, message }
    }
}

impl From<std::io::Error> for Failure {
    /// A closed standard output (the reader, like `head`, has what it wants) becomes a
    /// [`Failure::is_closed_output`] with code [`SUCCESS`].
    fn from(error: std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            return Self {
                code: SUCCESS,
                message: "the output was closed".into(),
            };
        }
        Self {
            code: USAGE,
            message: format!("writing output: {error}"),
        }
    }
}
