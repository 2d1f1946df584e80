//! `get_meeting`: one meeting by id, decoded as the listing decodes its records.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::decode::Envelope;
use crate::outcome::ResponseError;
use crate::{BlankedField, Client, Error, Meeting, RawMeeting, exchange};
/// `MeetingResponse`'s data, with the meeting left as JSON text.
#[derive(Deserialize)]
struct Data<'a> {
    #[serde(rename = "MeetingById", borrow, default)]
    meeting: Option<&'a RawValue>,
}

impl Client {
    /// Fetches one meeting with its course, location, instructors and attendees: await the
    /// returned [`GetMeeting`] (or call its [`send`](GetMeeting::send)).
    ///
    /// **Not found is `Ok(None)`**: the API answers an unknown id either with 404 or with a 200
    /// whose `MeetingById` is `null`, and both mean the same, so a caller matches on the `Option`
    /// instead of on an error. Every other failure is an [`Error`] (a 401 or 5xx is
    /// [`Error::Status`], a body that does not decode is [`Error::Response`] with the JSON path).
    ///
    /// **The same decoding as the listing**: a field that does not decode is left empty and
    /// reported ([`BlankedField`], through [`GetMeeting::on_warning`] or in
    /// [`RawMeeting::blanked`] from [`GetMeeting::send_raw`]), so a meeting that lists fine
    /// also reads fine by id.
    ///
    /// ```no_run
    /// # async fn run(client: thoughtindustries::Client, id: thoughtindustries::Uuid) -> Result<(), thoughtindustries::Error> {
    /// match client.get_meeting(id).await? {
    ///     Some(meeting) => println!("{}", meeting.title.as_deref().unwrap_or("(untitled)")),
    ///     None => eprintln!("meeting {id} not found"),
    /// }
    /// let detail = client
    ///     .get_meeting(id)
    ///     .on_warning(|blanked| eprintln!("warning: {blanked}"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn get_meeting(&self, id: Uuid) -> GetMeeting {
        GetMeeting {
            client: self.clone(),
            id,
            on_warning: None,
        }
    }

    /// Fetches one meeting's response body as received (the `get_meeting` operation), for
    /// contract checks that validate the bytes before decoding them (`ti contract`). Error
    /// statuses (a 404 included), transport failures and the size limit are [`Error`]s, as for
    /// [`Client::get_meeting`].
    pub async fn fetch_meeting_body(&self, id: Uuid) -> Result<bytes::Bytes, Error> {
        exchange::read(self.generated.get_meeting().id(id).send(), &self.overrides)
            .await
            .map_err(|e| self.redact(e))
    }
}

/// Called with each field left empty because it did not decode.
type OnWarning = Arc<dyn Fn(&BlankedField) + Send + Sync>;

/// A request for one meeting, built by [`Client::get_meeting`]; awaiting it sends it
/// ([`GetMeeting::send`]).
#[must_use = "nothing is sent until it is awaited"]
pub struct GetMeeting {
    client: Client,
    id: Uuid,
    on_warning: Option<OnWarning>,
}

impl std::fmt::Debug for GetMeeting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetMeeting")
            .field("id", &self.id)
            .field("on_warning", &self.on_warning.is_some())
            .finish_non_exhaustive()
    }
}

impl GetMeeting {
    /// Calls `warn` with every field of the meeting that did not decode and was left empty, as
    /// [`ListMeetings::on_warning`](crate::ListMeetings::on_warning) does for a listing.
    pub fn on_warning(mut self, warn: impl Fn(&BlankedField) + Send + Sync + 'static) -> Self {
        self.on_warning = Some(Arc::new(warn));
        self
    }

    /// Sends the request: the meeting, `None` when there is no such meeting.
    pub async fn send(self) -> Result<Option<Meeting>, Error> {
        Ok(self.send_raw().await?.map(|record| record.meeting))
    }

    /// Like [`send`](Self::send), with the meeting's JSON text exactly as the API sent it beside
    /// the typed meeting (unknown fields and the way values were written survive), and the
    /// fields left empty ([`RawMeeting::blanked`]), for callers that pass the record on.
    pub async fn send_raw(self) -> Result<Option<RawMeeting>, Error> {
        let body = match self.client.fetch_meeting_body(self.id).await {
            Err(Error::Status(error)) if error.status == StatusCode::NOT_FOUND => return Ok(None),
            other => other?,
        };
        let mut record = decode(&body).map_err(|e| self.client.redact(e))?;
        if let Some(record) = &mut record {
            for field in &mut record.blanked {
                field.redact(&self.client.redactor);
                if let Some(warn) = &self.on_warning {
                    warn(field);
                }
            }
        }
        Ok(record)
    }
}

crate::overrides::overridable!(GetMeeting);

impl IntoFuture for GetMeeting {
    type Output = Result<Option<Meeting>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The path of the meeting in a `get_meeting` body.
const PREFIX: &str = "data.MeetingById";

/// Decodes a `get_meeting` body as the listing decodes each of its records
/// ([`crate::decode::decode_record`]: odd fields left empty and reported).
fn decode(body: &[u8]) -> Result<Option<RawMeeting>, Error> {
    let fail = |path, message| {
        Error::Response(Box::new(ResponseError {
            operation: "get_meeting",
            path,
            message,
        }))
    };
    let envelope: Envelope<Data<'_>> = ResponseError::decode("get_meeting", body)?;
    let Some(raw) = envelope.data.meeting else {
        return Ok(None);
    };
    match crate::decode::decode_record(raw.get(), || PREFIX.to_owned()) {
        Ok((meeting, blanked)) => Ok(Some(RawMeeting {
            raw: raw.to_owned(),
            blanked: blanked
                .into_iter()
                .map(|(path, message)| BlankedField {
                    page: None,
                    index: None,
                    id: Some(meeting.id.to_string()),
                    path,
                    message,
                })
                .collect(),
            meeting,
        })),
        Err(undecodable) => Err(fail(undecodable.path, undecodable.message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEETING: &str = r#"{"id":"0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11",
        "courseId":"5f1f8a9e-2c4b-4d3a-8e7f-6a5b4c3d2e1f","title":"Kept",
        "course":{"slug":"x","sampleLesson":{"id":"les_1","title":7}},
        "startDate":"2024-05-01T09:00:00Z","endDate":"2024-05-01T10:00:00Z"}"#;

    fn body(record: &str) -> Vec<u8> {
        format!(r#"{{"data":{{"MeetingById":{record}}}}}"#).into_bytes()
    }

    #[test]
    fn an_odd_nested_value_is_blanked_as_in_the_listing() {
        let record = decode(&body(MEETING)).unwrap().unwrap();
        assert_eq!(record.meeting.title.as_deref(), Some("Kept"));
        let lesson = record.meeting.course.sample_lesson.as_ref().unwrap();
        assert_eq!(lesson.title, None);
        assert_eq!(record.blanked.len(), 1);
        assert_eq!(
            record.blanked[0].path,
            "data.MeetingById.course.sampleLesson.title"
        );
        assert!(record.raw.get().contains(r#""title":7"#));
        let shown = record.blanked[0].to_string();
        assert!(
            shown.starts_with("meeting 0b6e8a53-8d7a-4a35-9f6e-1f0c6d0f2a11 kept without"),
            "{shown}"
        );
        // The listing blanks the same field of the same record.
        let page = format!(r#"{{"data":{{"Meetings":{{"meetings":[{MEETING}]}}}}}}"#);
        let page = crate::decode::decode_page(page.as_bytes(), 1).unwrap();
        assert_eq!(page.blanked[0].message, record.blanked[0].message);
    }

    #[test]
    fn a_bad_required_field_is_a_response_error_with_its_path() {
        let error = decode(&body(&MEETING.replace("0b6e8a53-", "x-"))).unwrap_err();
        assert_eq!(error.json_path(), Some("data.MeetingById.id"));
        assert!(decode(&body("null")).unwrap().is_none());
    }
}
