//! The mock's write state: attendance recorded by `updateMeetingAttendance` and
//! `bulkUpdateMeetingAttendance`, shown in the meeting detail and the listing.
//!
//! The tenant's meetings and users are indexed on first use (the synthetic tenant renders every
//! page once). Recorded attendance lives in memory for the server's lifetime. A user's
//! `attendedMeetings` gets an entry for each meeting marked attended and loses the entry of a
//! meeting marked absent; a meeting's `attendees` gains a user marked attended who was not
//! registered.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock};

use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::tenant::Tenant;

/// Meetings and users of the tenant, by id.
struct Index {
    meetings: HashMap<Uuid, Value>,
    users: HashMap<Uuid, Value>,
}

/// One recorded attendance.
#[derive(Clone)]
struct Record {
    attended: bool,
    at: String,
}

/// Why a write was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No meeting has this id (404).
    UnknownMeeting,
    /// No user has this id (404 for the single update, a per-user error in bulk).
    UnknownUser,
}

/// The attendance recorded so far.
#[derive(Default)]
pub(crate) struct AttendanceState {
    index: OnceLock<Index>,
    /// user -> meeting -> record
    records: Mutex<HashMap<Uuid, BTreeMap<Uuid, Record>>>,
}

fn id_of(value: &Value) -> Option<Uuid> {
    value
        .get("id")?
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
}

impl AttendanceState {
    fn index(&self, tenant: &Tenant) -> &Index {
        self.index.get_or_init(|| {
            let meetings: HashMap<Uuid, Value> = tenant
                .all_meetings(None)
                .into_iter()
                .chain(tenant.unlisted_meetings())
                .filter_map(|m| Some((id_of(&m)?, m)))
                .collect();
            let mut users: HashMap<Uuid, Value> = tenant
                .pool_users()
                .into_iter()
                .filter_map(|u| Some((id_of(&u)?, u)))
                .collect();
            for meeting in meetings.values() {
                for attendee in meeting["attendees"].as_array().into_iter().flatten() {
                    if let Some(id) = id_of(attendee) {
                        users.entry(id).or_insert_with(|| attendee.clone());
                    }
                }
            }
            Index { meetings, users }
        })
    }

    fn records(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, BTreeMap<Uuid, Record>>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether anything was recorded (the listing is rewritten only then).
    pub(crate) fn is_empty(&self) -> bool {
        self.records().is_empty()
    }

    /// Records one user's attendance; the user as the API returns it afterwards.
    pub(crate) fn update(
        &self,
        tenant: &Tenant,
        meeting: Uuid,
        user: Uuid,
        attended: bool,
    ) -> Result<Value, Refusal> {
        let index = self.index(tenant);
        if !index.meetings.contains_key(&meeting) {
            return Err(Refusal::UnknownMeeting);
        }
        let Some(found) = index.users.get(&user) else {
            return Err(Refusal::UnknownUser);
        };
        self.record(meeting, user, attended);
        Ok(self.user_view(index, found))
    }

    /// Records the attendance of many users: the number updated and the unknown users.
    pub(crate) fn bulk(
        &self,
        tenant: &Tenant,
        meeting: Uuid,
        users: &[Uuid],
        attended: bool,
    ) -> Result<(usize, Vec<Uuid>), Refusal> {
        let index = self.index(tenant);
        if !index.meetings.contains_key(&meeting) {
            return Err(Refusal::UnknownMeeting);
        }
        let (known, unknown): (Vec<Uuid>, Vec<Uuid>) =
            users.iter().partition(|u| index.users.contains_key(u));
        for user in &known {
            self.record(meeting, *user, attended);
        }
        Ok((known.len(), unknown))
    }

    fn record(&self, meeting: Uuid, user: Uuid, attended: bool) {
        let at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        self.records()
            .entry(user)
            .or_default()
            .insert(meeting, Record { attended, at });
    }

    /// The meeting with this id, attendance applied; `None` when unknown.
    pub(crate) fn meeting(&self, tenant: &Tenant, id: Uuid) -> Option<Value> {
        let index = self.index(tenant);
        let mut meeting = index.meetings.get(&id)?.clone();
        self.apply_to_meeting(index, &mut meeting);
        Some(meeting)
    }

    /// A listing page body with attendance applied to every meeting.
    pub(crate) fn apply_to_page(&self, tenant: &Tenant, body: Vec<u8>) -> Vec<u8> {
        let Ok(mut page) = serde_json::from_slice::<Value>(&body) else {
            return body;
        };
        let index = self.index(tenant);
        if let Some(meetings) = page["data"]["Meetings"]["meetings"].as_array_mut() {
            for meeting in meetings {
                self.apply_to_meeting(index, meeting);
            }
        }
        serde_json::to_vec(&page).unwrap_or(body)
    }

    fn apply_to_meeting(&self, index: &Index, meeting: &mut Value) {
        let Some(id) = id_of(meeting) else { return };
        let attended: Vec<Uuid> = self
            .records()
            .iter()
            .filter(|(_, meetings)| meetings.get(&id).is_some_and(|r| r.attended))
            .map(|(user, _)| *user)
            .collect();
        if !meeting["attendees"].is_array() {
            if attended.is_empty() {
                return;
            }
            meeting["attendees"] = json!([]);
        }
        let attendees = meeting["attendees"].as_array_mut().expect("set above");
        for attendee in attendees.iter_mut() {
            *attendee = self.user_view(index, attendee);
        }
        for user in attended {
            if !attendees.iter().any(|a| id_of(a) == Some(user))
                && let Some(found) = index.users.get(&user)
            {
                attendees.push(self.user_view(index, found));
            }
        }
    }

    /// `user` with its `attendedMeetings` reflecting the recorded attendance.
    fn user_view(&self, index: &Index, user: &Value) -> Value {
        let mut user = user.clone();
        let Some(id) = id_of(&user) else { return user };
        let Some(records) = self.records().get(&id).cloned() else {
            return user;
        };
        let mut entries: Vec<Value> = user["attendedMeetings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|entry| {
                entry["meeting"]["id"]
                    .as_str()
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .is_none_or(|m| !records.contains_key(&m))
            })
            .collect();
        for (meeting, record) in records.iter().filter(|(_, r)| r.attended) {
            let nested = index.meetings.get(meeting).map_or_else(
                || json!({ "id": meeting }),
                |m| {
                    json!({
                        "id": m["id"], "title": m["title"], "courseId": m["courseId"],
                        "startDate": m["startDate"], "endDate": m["endDate"],
                    })
                },
            );
            entries.push(json!({ "attendanceDate": record.at, "meeting": nested }));
        }
        user["attendedMeetings"] = Value::Array(entries);
        user
    }
}
