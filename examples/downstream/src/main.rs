use thoughtindustries::{ApiKey, Client};

#[tokio::main]
async fn main() -> Result<(), thoughtindustries::Error> {
    // A tenant name (https://acme.thoughtindustries.com), or a base URL for a custom domain.
    let builder = match std::env::var("TI_BASE_URL") {
        Ok(url) => Client::builder().base_url(&url),
        Err(_) => Client::builder().tenant("acme"),
    };
    let client = builder
        .api_key(ApiKey::new(std::env::var("TI_API_KEY").unwrap_or_default()))
        .build()?;

    // Every meeting of the tenant: pages fetched 4 at a time, yielded in page order. `?` stops
    // only when the listing itself fails. A field that does not decode is left empty (the
    // meeting is kept): `on_warning` says which. A record that does not decode at all is
    // skipped, never an error that would end the loop: the stream reports it.
    let mut meetings = client
        .list_meetings()
        .on_warning(|blanked| eprintln!("warning: {blanked}"))
        .meetings();
    while let Some(meeting) = meetings.try_next().await? {
        let title = meeting.title.as_deref().unwrap_or("(untitled)");
        println!("{} {} {title}", meeting.id, meeting.start_date);
    }
    for skipped in meetings.rejected() {
        eprintln!("skipped: {skipped}");
    }
    Ok(())
}
