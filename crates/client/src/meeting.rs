//! `get_meeting`: one meeting by id.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::client::{status_error, transport_error};
use crate::outcome::ResponseError;
use crate::{Client, Error, Meeting, MeetingResponse};

impl Client {
    /// Fetches one meeting with its course, location, instructors and attendees.
    ///
    /// **Not found is `Ok(None)`**: the API answers an unknown id either with 404 or with a 200
    /// whose `MeetingById` is `null`, and both mean the same, so a caller matches on the `Option`
    /// instead of on an error. Every other failure is an [`Error`] (a 401 or 5xx is
    /// [`Error::Status`], a body that does not decode is [`Error::Response`] with the JSON path).
    ///
    /// ```no_run
    /// # async fn run(client: thoughtindustries::Client, id: uuid::Uuid) -> Result<(), thoughtindustries::Error> {
    /// match client.get_meeting(id).await? {
    ///     Some(meeting) => println!("{}", meeting.title.as_deref().unwrap_or("(untitled)")),
    ///     None => eprintln!("meeting {id} not found"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_meeting(&self, id: Uuid) -> Result<Option<Meeting>, Error> {
        use progenitor_client::Error as E;
        match self.generated.get_meeting().id(id).send().await {
            Ok(response) => Ok(response.into_inner().data.meeting_by_id),
            Err(E::UnexpectedResponse(response)) if response.status() == StatusCode::NOT_FOUND => {
                Ok(None)
            }
            Err(E::UnexpectedResponse(response)) => Err(status_error(response).await),
            Err(E::InvalidResponsePayload(body, _)) => Err(
                ResponseError::explain::<MeetingResponse>("get_meeting", &body),
            ),
            Err(error) => Err(read_error(error)),
        }
    }
}

/// Maps the progenitor failures of a read that are not about the response body's contents.
pub(crate) fn read_error(error: progenitor_client::Error<()>) -> Error {
    use progenitor_client::Error as E;
    match error {
        E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
            transport_error(&e)
        }
        E::InvalidRequest(message) | E::Custom(message) => Error::InvalidRequest(message),
        E::UnexpectedResponse(_) | E::ErrorResponse(_) | E::InvalidResponsePayload(..) => {
            Error::InvalidRequest(format!("unexpected response: {error}"))
        }
    }
}
