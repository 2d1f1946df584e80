//! Recording attendance: the README's "Recording attendance" example, run against the mock.
//!
//! `cargo run -p thoughtindustries --example attendance`

use thoughtindustries::{ApiKey, Attendance, Client, Error, Uuid};
use thoughtindustries_mock::{DEMO_TOKEN, MockConfig, MockServer};

async fn record(client: &Client, meeting: Uuid, present: Vec<Uuid>) -> Result<(), Error> {
    // One user: returns the updated user.
    if let Some(first) = present.first() {
        let user = client
            .update_meeting_attendance(meeting, *first, Attendance::Attended)
            .send()
            .await?;
        println!("recorded {}", user.email.as_deref().unwrap_or("(no email)"));
    }

    // Any number of users: sent 100 per request, 4 requests at a time, results merged.
    let result = client
        .bulk_update_meeting_attendance(meeting, Attendance::Attended, present)
        .send()
        .await;
    match result {
        // Every user given has an outcome, even when some requests failed; a repeated id was
        // sent once.
        Ok(result) => {
            println!("{} updated", result.succeeded().count());
            for (user, reason) in result.failed() {
                println!("not updated: {user} ({reason})");
            }
            let resend: Vec<Uuid> = result.users_to_resend().collect();
            if !resend.is_empty() {
                println!("{} user(s) to re-send", resend.len());
            }
        }
        // No request succeeded: the outcome may be unknown (re-send those users) or the
        // update was refused (nothing recorded).
        Err(e) if e.is_retryable() => {
            let resend: Vec<Uuid> = e.users_to_resend().collect();
            println!("{e}; {} user(s) to re-send", resend.len());
        }
        Err(other) => return Err(other),
    }

    // The detail shows the new state; `None` means no such meeting.
    if let Some(meeting) = client.get_meeting(meeting).await? {
        println!("{} attendee(s)", meeting.attendees.map_or(0, |a| a.len()));
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start(MockConfig::default()).await?;
    let client = Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .build()?;
    let meeting = client
        .list_meetings()
        .meetings()
        .try_next()
        .await?
        .ok_or("the mock has meetings")?;
    let present = meeting
        .attendees
        .iter()
        .flatten()
        .filter_map(|u| u.id)
        .collect();
    record(&client, meeting.id, present).await?;
    Ok(())
}
