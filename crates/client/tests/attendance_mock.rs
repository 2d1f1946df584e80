//! The attendance operations end to end against the stateful mock: what either POST records shows
//! in the meeting detail and the listing; unknown meetings and users behave as the vendor's do.

use futures::TryStreamExt;
use thoughtindustries::{ApiKey, Attendance, Client, Meeting};
use thoughtindustries_mock::{DEMO_TOKEN, MockConfig, MockServer, SyntheticOptions, Tenant};
use uuid::Uuid;

async fn start() -> (MockServer, Client) {
    let server = MockServer::start(MockConfig {
        tenant: Tenant::synthetic(SyntheticOptions {
            seed: 3,
            courses: 2,
            meetings: 30,
        }),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .build()
        .unwrap();
    (server, client)
}

/// A meeting with at least two attendees, and those attendees' ids.
async fn meeting_with_attendees(client: &Client) -> (Meeting, Vec<Uuid>) {
    let meetings: Vec<Meeting> = client
        .list_meetings()
        .meetings()
        .try_collect()
        .await
        .unwrap();
    meetings
        .into_iter()
        .find_map(|m| {
            let ids: Vec<Uuid> = m.attendees.iter().flatten().filter_map(|u| u.id).collect();
            (ids.len() >= 2).then_some((m, ids))
        })
        .expect("the synthetic tenant has meetings with attendees")
}

fn attended(meeting: &Meeting, user: Uuid) -> bool {
    meeting
        .attendees
        .iter()
        .flatten()
        .filter(|u| u.id == Some(user))
        .flat_map(|u| u.attended_meetings.iter().flatten())
        .any(|a| a.meeting.as_ref().and_then(|m| m.id) == Some(meeting.id))
}

#[tokio::test]
async fn single_update_shows_in_detail_and_listing_and_can_be_undone() {
    let (_server, client) = start().await;
    let (meeting, users) = meeting_with_attendees(&client).await;
    let user = client
        .update_meeting_attendance(meeting.id, users[0], Attendance::Attended)
        .course(meeting.course_id)
        .send()
        .await
        .unwrap();
    assert_eq!(user.id, Some(users[0]));
    assert!(
        user.attended_meetings
            .iter()
            .flatten()
            .any(|a| a.meeting.as_ref().and_then(|m| m.id) == Some(meeting.id))
    );

    let detail = client.get_meeting(meeting.id).await.unwrap().unwrap();
    assert!(attended(&detail, users[0]));
    assert!(!attended(&detail, users[1]));
    let listed: Vec<Meeting> = client
        .list_meetings()
        .meetings()
        .try_collect()
        .await
        .unwrap();
    let listed = listed.into_iter().find(|m| m.id == meeting.id).unwrap();
    assert!(attended(&listed, users[0]));

    client
        .update_meeting_attendance(meeting.id, users[0], Attendance::Absent)
        .send()
        .await
        .unwrap();
    let detail = client.get_meeting(meeting.id).await.unwrap().unwrap();
    assert!(!attended(&detail, users[0]));
}

#[tokio::test]
async fn bulk_records_known_users_and_reports_unknown_ones() {
    let (_server, client) = start().await;
    let (meeting, users) = meeting_with_attendees(&client).await;
    let stranger = Uuid::new_v4();
    let result = client
        .bulk_update_meeting_attendance(
            meeting.id,
            Attendance::Attended,
            users.iter().copied().chain([stranger]),
        )
        .chunk_size(1)
        .send()
        .await
        .unwrap();
    assert_eq!(result.updated_record_count, users.len() as u64);
    assert_eq!(result.errors.len(), 1);
    assert_eq!(result.errors[0].id, Some(stranger));
    let detail = client.get_meeting(meeting.id).await.unwrap().unwrap();
    assert!(users.iter().all(|u| attended(&detail, *u)));
}

#[tokio::test]
async fn unknown_meetings_and_users_are_not_found() {
    let (_server, client) = start().await;
    let (meeting, users) = meeting_with_attendees(&client).await;
    let unknown = Uuid::new_v4();
    assert!(client.get_meeting(unknown).await.unwrap().is_none());

    let error = client
        .update_meeting_attendance(meeting.id, unknown, Attendance::Attended)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));

    let error = client
        .bulk_update_meeting_attendance(unknown, Attendance::Attended, users)
        .send()
        .await
        .unwrap_err();
    // No request succeeded and nothing was recorded: the rejection itself.
    assert!(error.is_not_found(), "{error:?}");
}
