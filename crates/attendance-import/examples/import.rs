//! The README's library example (`ti attendance import` without the CLI), run against the mock's
//! sample meeting with the repository's sample Zoom report, written to a temporary directory:
//! `cargo run -p thoughtindustries-attendance-import --example import`.
//!
//! A tidy test keeps the `import` function below identical to the README's block.

use thoughtindustries::{Attendance, Client};
use thoughtindustries_attendance_import::{Decision, Options, Roster, Rule, plan, read_report};

async fn import(client: &Client, meeting: uuid::Uuid) -> Result<(), Box<dyn std::error::Error>> {
    let report = read_report(std::fs::File::open("zoom-participants.csv")?)?;
    let detail = client
        .get_meeting(meeting)
        .await?
        .ok_or("no such meeting")?;
    let options = Options::new(Rule::MinPercent(75.0)).mark_absent(true);
    let plan = plan(&report.people, &Roster::from_meeting(&detail), &options)?;
    for row in plan
        .rows
        .iter()
        .filter(|r| r.decision == Decision::NotRegistered)
    {
        eprintln!("not registered: {:?}", row.email);
    }
    client
        .bulk_update_meeting_attendance(meeting, Attendance::Attended, plan.attended())
        .send()
        .await?;
    client
        .bulk_update_meeting_attendance(meeting, Attendance::Absent, plan.absent())
        .send()
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use thoughtindustries::ApiKey;
    use thoughtindustries_mock::{DEMO_TOKEN, MockConfig, MockServer, SAMPLE_MEETING_ID};

    let server = MockServer::start(MockConfig::default()).await?;
    let client = Client::builder()
        .base_url(&server.base_url())
        .api_key(ApiKey::new(DEMO_TOKEN))
        .build()?;
    // The example reads `zoom-participants.csv` from the working directory: a temporary one.
    let dir = std::env::temp_dir().join(format!("ti-import-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("zoom-participants.csv"), SAMPLE_REPORT)?;
    std::env::set_current_dir(&dir)?;
    import(&client, SAMPLE_MEETING_ID).await?;
    let meeting = client
        .get_meeting(SAMPLE_MEETING_ID)
        .await?
        .ok_or("no sample meeting")?;
    println!(
        "{} attendee(s) of the sample meeting",
        meeting.attendees.map_or(0, |a| a.len())
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// The sample Zoom report of `examples/reports/` (a copy: a package reads only its own files).
const SAMPLE_REPORT: &str = include_str!("../tests/fixtures/zoom-meeting-data.csv");
