//! `ti meetings list` and `ti meetings get`.

use std::io::{IsTerminal, Write};

use clap::Args;
use futures::StreamExt;
use thoughtindustries::Page;
use uuid::Uuid;

use crate::connection::ConnectionArgs;
use crate::exit::{API_STATUS, CONTRACT, Failure};
use crate::notices::Notices;
use crate::output::{Format, MeetingWriter};
use crate::progress::{Progress, Screen};

/// Flags of `ti meetings list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only meetings of this course.
    #[arg(long, value_name = "UUID", value_parser = crate::args::uuid)]
    pub course_id: Option<Uuid>,

    /// The page to print (1-based).
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = crate::args::page_number, conflicts_with = "all")]
    pub page: u64,

    /// Every page, in order.
    #[arg(long)]
    pub all: bool,

    /// Output format [default: table on a terminal, ndjson otherwise].
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Flags of `ti meetings get`.
#[derive(Args, Debug)]
pub struct GetArgs {
    /// The meeting's id.
    #[arg(value_name = "UUID", value_parser = crate::args::uuid)]
    pub id: Uuid,

    /// Output format [default: table on a terminal, json otherwise].
    #[arg(long, value_enum)]
    pub format: Option<GetFormat>,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Output formats of `ti meetings get`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum GetFormat {
    /// The meeting's row as `ti meetings list` prints it, then its instructors and one line per
    /// attendee (name, email, id, whether the API records them as attended).
    Table,
    /// The meeting's JSON exactly as the API sent it.
    Json,
}

/// Runs `ti meetings get`.
pub async fn get(args: GetArgs) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let connection = args.connection.connect().await?;
    // A field that does not decode is left empty, as in the listing, and said on stderr.
    let request = connection
        .client
        .get_meeting(args.id)
        .on_warning(|blanked| eprintln!("ti: warning: {blanked}"));
    let Some(meeting) = request.send_raw().await? else {
        return Err(Failure {
            code: API_STATUS,
            message: format!("meeting {} not found", args.id),
        });
    };
    let format = args.format.unwrap_or(if stdout.is_terminal() {
        GetFormat::Table
    } else {
        GetFormat::Json
    });
    let width = stdout.is_terminal().then(terminal_width).flatten();
    let mut out = stdout.lock();
    match format {
        GetFormat::Table => {
            let mut writer = MeetingWriter::new(Format::Table, &mut out, width)?;
            writer.write(&meeting)?;
            writer.finish()?;
            crate::detail::write(&mut out, &meeting.meeting, width)?;
        }
        GetFormat::Json => {
            out.write_all(meeting.raw.get().as_bytes())?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Runs `ti meetings list`. A closed standard output (`ti meetings list | head`) ends the listing
/// quietly, with success.
pub async fn list(args: ListArgs) -> Result<(), Failure> {
    match run(args).await {
        Err(failure) if failure.is_closed_output() => Ok(()),
        other => other,
    }
}

async fn run(args: ListArgs) -> Result<(), Failure> {
    let terminal = std::io::stdout().is_terminal();
    let format = args.format.unwrap_or(if terminal {
        Format::Table
    } else {
        Format::Ndjson
    });
    let connection = args.connection.connect().await?;
    let mut request = connection.client.list_meetings();
    if let Some(course) = args.course_id {
        request = request.course_id(course);
    }
    let width = terminal.then(terminal_width).flatten();
    let progress = Progress::new(args.all);
    let mut out = MeetingWriter::new(format, Screen::new(progress.clone()), width)?;
    let mut notices = Notices::new(format);
    let mut odd = 0u64;
    let summary;
    if args.all {
        let mut pages = request.pages();
        let (mut meetings, mut last) = (0usize, 0u64);
        while let Some(page) = pages.next().await {
            let page = page.inspect_err(|_| progress.clear())?;
            progress.page(&page);
            notices.page(&page);
            meetings += page.len();
            last = page.number;
            odd += write_page(&mut out, &mut notices, page)?;
            out.flush()?;
        }
        progress.clear();
        summary = std::io::stderr()
            .is_terminal()
            .then(|| format!("ti: {meetings} meetings on {last} page(s)"));
    } else {
        let page = request.page(args.page).send().await?;
        notices.page(&page);
        summary = page_note(&page, args.course_id);
        odd += write_page(&mut out, &mut notices, page)?;
    }
    out.finish()?;
    if let Some(summary) = summary {
        eprintln!("{summary}");
    }
    if odd > 0 {
        return Err(Failure {
            code: CONTRACT,
            message: format!(
                "{odd} meeting record(s) did not match the contract and were skipped (see above)"
            ),
        });
    }
    Ok(())
}

/// The line for stderr after one page: where it is in the listing, or that it is past the end.
fn page_note(page: &Page, course: Option<Uuid>) -> Option<String> {
    let info = page.page_info.as_ref();
    let total = info.and_then(|i| i.total).filter(|&t| t > 0);
    if page.is_empty() && page.number > 1 {
        let whose = course.map_or_else(|| "the tenant".to_owned(), |c| format!("course {c}"));
        return Some(match (page.total_pages().filter(|&n| n > 0), total) {
            (Some(pages), Some(total)) => format!(
                "ti: page {} is past the end: {whose} has {pages} page(s) of meetings ({total} \
                 meetings)",
                page.number
            ),
            _ => format!(
                "ti: page {} is empty: {whose} has fewer pages of meetings",
                page.number
            ),
        });
    }
    page.has_more().then(|| {
        let total = total
            .map(|t| format!(" of {t} meetings"))
            .unwrap_or_default();
        format!(
            "ti: page {}{total}; more pages exist: use --page {} or --all",
            page.number,
            page.number + 1
        )
    })
}

/// The terminal's width in columns, when standard output is a terminal that tells.
fn terminal_width() -> Option<u16> {
    comfy_table::Table::new().width()
}

/// Writes a page's meetings; reports each record that did not decode on stderr and counts them.
fn write_page<W: Write>(
    out: &mut MeetingWriter<W>,
    notices: &mut Notices,
    page: Page,
) -> Result<u64, Failure> {
    for field in &page.blanked {
        eprintln!("ti: warning: {field}");
    }
    for record in &page.rejected {
        eprintln!("ti: warning: {}", crate::notices::explain(record));
    }
    let odd = page.rejected.len() as u64;
    for record in page.into_raw_records() {
        notices.meeting(&record.meeting);
        out.write(&record)?;
    }
    Ok(odd)
}
