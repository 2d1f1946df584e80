//! A first program with the SDK: no dependency but `thoughtindustries`, `futures` and `tokio`.
//! Every type it names from `uuid`, `chrono` or `http` comes from the SDK's re-exports.

use std::time::Duration;

use futures::TryStreamExt;
use thoughtindustries::{
    ApiKey, Attendance, Client, DateTime, Error, Meeting, StatusCode, Utc, Uuid,
};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let builder = match std::env::var("TI_BASE_URL") {
        Ok(url) => Client::builder().base_url(&url),
        Err(_) => Client::builder().tenant("acme"),
    };
    let client = builder
        .api_key(ApiKey::new(std::env::var("TI_API_KEY").unwrap_or_default()))
        .concurrency(4)
        .build()?;

    // 1. One course's meetings, pages fetched concurrently and yielded in order. A field that
    //    did not decode is left empty and said, never silently; a record that did not decode
    //    is skipped and reported by the stream, never an error that ends the listing.
    let first_page = client.list_meetings().send().await?;
    let Some(course) = first_page.meetings.first().map(|m| m.course_id) else {
        println!("the tenant has no meetings");
        return Ok(());
    };
    let mut listing = client
        .list_meetings()
        .course_id(course)
        .on_warning(|blanked| eprintln!("warning: {blanked}"))
        .meetings();
    let meetings: Vec<Meeting> = (&mut listing).try_collect().await?;
    for skipped in listing.rejected() {
        eprintln!("skipped: {skipped}");
    }
    let earliest: Option<DateTime<Utc>> = meetings.iter().map(|m| m.start_date).min();
    println!(
        "course {course}: {} meeting(s), the first on {}",
        meetings.len(),
        earliest.map_or("-".into(), |at| at.to_rfc3339())
    );

    // 2. One meeting's detail (not found is `Ok(None)`, not an error), decoded as the listing
    //    decodes: an odd field is left empty and said.
    let Some(meeting) = meetings.first() else {
        return Ok(());
    };
    let detail = client
        .get_meeting(meeting.id)
        .on_warning(|blanked| eprintln!("warning: {blanked}"))
        .await?
        .expect("a listed meeting exists");
    let attendees: Vec<Uuid> = detail
        .attendees
        .iter()
        .flatten()
        .filter_map(|user| user.id)
        .collect();
    println!(
        "meeting {}: {:?}, {} attendee(s)",
        detail.id,
        detail.title.as_deref().unwrap_or("(untitled)"),
        attendees.len()
    );
    let missing = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0001);
    assert!(client.get_meeting(missing).await?.is_none());

    // 3. A bulk attendance: every user given gets an outcome, even when some requests fail (then
    //    `users_to_resend` names them); a repeated id is sent once.
    let stranger = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0002);
    let mut users = attendees.clone();
    users.extend([stranger, stranger]);
    match client
        .bulk_update_meeting_attendance(detail.id, Attendance::Attended, users)
        .send()
        .await
    {
        Ok(result) => {
            println!(
                "bulk: {} succeeded, {} failed, {} duplicate(s)",
                result.succeeded().count(),
                result.failed().count(),
                result.duplicates().len()
            );
            for (user, reason) in result.failed() {
                println!("  not recorded: {user}: {reason}");
            }
            let again: Vec<Uuid> = result.users_to_resend().collect();
            if !again.is_empty() {
                println!("  {} user(s) to send again", again.len());
            }
        }
        Err(e) if e.is_retryable() => {
            let again: Vec<Uuid> = e.users_to_resend().collect();
            println!("bulk failed ({e}); {} user(s) to send again", again.len());
        }
        Err(e) => return Err(e),
    }

    // 4. Errors matched by predicate, not by variant and status code.
    let single = client
        .update_meeting_attendance(detail.id, stranger, Attendance::Attended)
        .send()
        .await;
    match single {
        Ok(user) => println!("recorded {:?}", user.id),
        Err(e) if e.is_not_found() => {
            assert_eq!(e.status(), Some(StatusCode::NOT_FOUND));
            println!("single: user {stranger} not found ({e})");
        }
        Err(e) if e.is_rate_limited() => {
            let wait = e.retry_after().unwrap_or(Duration::from_secs(60));
            println!("single: throttled, try again in {}s", wait.as_secs());
        }
        Err(e) if e.is_retryable() => {
            let again: Vec<Uuid> = e.users_to_resend().collect();
            println!("single: transient failure ({e}); send {again:?} again");
        }
        Err(e) => return Err(e),
    }
    println!("newcomer: done");
    Ok(())
}
