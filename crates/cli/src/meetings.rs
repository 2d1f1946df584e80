//! `ti meetings list` and `ti meetings get`.

use std::io::{IsTerminal, Write};

use clap::Args;
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use thoughtindustries::{Error, Page};
use uuid::Uuid;

use crate::connection::ConnectionArgs;
use crate::exit::{API_STATUS, CONTRACT, Failure};
use crate::output::{Format, MeetingWriter};

/// Flags of `ti meetings list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only meetings of this course.
    #[arg(long, value_name = "UUID")]
    pub course_id: Option<Uuid>,

    /// The page to print (1-based).
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..), conflicts_with = "all")]
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
    #[arg(value_name = "UUID")]
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
    /// One aligned row, as `ti meetings list` prints.
    Table,
    /// The meeting as pretty-printed JSON.
    Json,
}

/// Runs `ti meetings get`.
pub async fn get(args: GetArgs) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let connection = args.connection.connect().await?;
    let Some(meeting) = connection.client.get_meeting(args.id).await? else {
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
    let mut out = stdout.lock();
    match format {
        GetFormat::Table => {
            let mut writer = MeetingWriter::new(Format::Table, &mut out)?;
            writer.write(&meeting)?;
            writer.finish()?;
        }
        GetFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &meeting).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Runs `ti meetings list`.
pub async fn list(args: ListArgs) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let format = args.format.unwrap_or(if stdout.is_terminal() {
        Format::Table
    } else {
        Format::Ndjson
    });
    let connection = args.connection.connect().await?;
    let mut request = connection.client.list_meetings();
    if let Some(course) = args.course_id {
        request = request.course_id(course);
    }
    let mut out = MeetingWriter::new(format, std::io::BufWriter::new(stdout.lock()))?;
    let mut odd = 0u64;
    let mut note = None;
    if args.all {
        let mut pages = request.pages();
        let progress = Progress::new();
        while let Some(page) = pages.next().await {
            let page = page.inspect_err(|_| progress.abandon())?;
            progress.page(&page);
            odd += write_page(&mut out, page)?;
        }
        progress.finish();
    } else {
        let page = request.page(args.page).send().await?;
        let (number, more) = (page.number, page.has_more());
        let total = page.page_info.as_ref().and_then(|i| i.total);
        odd += write_page(&mut out, page)?;
        if more {
            let total = total
                .map(|t| format!(" of {t} meetings"))
                .unwrap_or_default();
            note = Some(format!(
                "ti: page {number}{total}; more pages exist: use --page {} or --all",
                number + 1
            ));
        }
    }
    out.finish()?;
    if let Some(note) = note {
        eprintln!("{note}");
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

/// Writes a page's meetings; reports each record that did not decode on stderr and counts them.
fn write_page<W: Write>(out: &mut MeetingWriter<W>, page: Page) -> Result<u64, Failure> {
    let mut odd = 0;
    for record in page.into_records() {
        match record {
            Ok(meeting) => out.write(&meeting)?,
            Err(error @ Error::Record(_)) => {
                odd += 1;
                eprintln!("ti: warning: {error}");
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(odd)
}

/// A progress bar on stderr while listing every page, only when stderr is a terminal.
struct Progress(Option<ProgressBar>);

impl Progress {
    fn new() -> Self {
        if !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos}/{len} meetings, page {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        Self(Some(bar))
    }

    fn page(&self, page: &Page) {
        if let Some(bar) = &self.0 {
            if let Some(total) = page.page_info.as_ref().and_then(|i| i.total) {
                bar.set_length(u64::try_from(total).unwrap_or(0));
            }
            bar.inc(page.len() as u64);
            bar.set_message(page.number.to_string());
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }

    fn abandon(&self) {
        if let Some(bar) = &self.0 {
            bar.abandon();
        }
    }
}
