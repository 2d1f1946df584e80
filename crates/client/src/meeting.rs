//! `get_meeting`: one meeting by id.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::outcome::ResponseError;
use crate::{Client, Error, Meeting, MeetingResponse, RawMeeting, exchange};

/// `MeetingResponse` with the meeting left as JSON text.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: Data<'a>,
}

#[derive(Deserialize)]
struct Data<'a> {
    #[serde(rename = "MeetingById", borrow, default)]
    meeting: Option<&'a RawValue>,
}

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
        Ok(self.get_meeting_raw(id).await?.map(|record| record.meeting))
    }

    /// Fetches one meeting's response body as received (the `get_meeting` operation), for
    /// contract checks that validate the bytes before decoding them (`ti contract`). Error
    /// statuses (a 404 included), transport failures and the size limit are [`Error`]s, as for
    /// [`Client::get_meeting`].
    pub async fn fetch_meeting_body(&self, id: Uuid) -> Result<bytes::Bytes, Error> {
        exchange::read(self.generated.get_meeting().id(id).send()).await
    }

    /// Like [`Client::get_meeting`], with the meeting's JSON text exactly as the API sent it
    /// beside the typed meeting (unknown fields and the way values were written survive), for
    /// callers that pass the record on.
    pub async fn get_meeting_raw(&self, id: Uuid) -> Result<Option<RawMeeting>, Error> {
        let body = match self.fetch_meeting_body(id).await {
            Err(Error::Status(error)) if error.status == StatusCode::NOT_FOUND => return Ok(None),
            other => other?,
        };
        let explain = || ResponseError::explain::<MeetingResponse>("get_meeting", &body);
        let envelope: Envelope<'_> = serde_json::from_slice(&body).map_err(|_| explain())?;
        let Some(raw) = envelope.data.meeting else {
            return Ok(None);
        };
        let meeting = serde_json::from_str::<Meeting>(raw.get()).map_err(|_| explain())?;
        Ok(Some(RawMeeting {
            meeting,
            raw: raw.to_owned(),
        }))
    }
}
