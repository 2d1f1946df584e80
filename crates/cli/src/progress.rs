//! The progress bar of `ti meetings list --all`, and the stdout writer that keeps the bar's lines
//! out of the output: each page's output is written while the bar is hidden, so a terminal ends
//! with the output and no stale bar lines.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use thoughtindustries::{Page, QuotaWait};

/// The bar on screen, if any, for the quota notices.
static SHOWN: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Shows `bar` until [`forget_bar`]: quota notices are printed above it.
pub fn show_bar(bar: &ProgressBar) {
    *SHOWN.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar.clone());
}

/// The bar is gone: quota notices are plain lines again.
pub fn forget_bar() {
    *SHOWN.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// The pauses worth telling: longer than a second.
const NOTICE_ABOVE: Duration = Duration::from_secs(1);

/// Says on stderr that `ti` waits for the quota (`rate limit: 0 of 120 left, waiting 23 s for
/// the window to reset`): above the progress bar when one is shown, as a plain line otherwise.
pub fn quota_notice(wait: &QuotaWait) {
    if wait.wait <= NOTICE_ABOVE {
        return;
    }
    let line = format!("ti: {wait}");
    match &*SHOWN.lock().unwrap_or_else(|e| e.into_inner()) {
        Some(bar) => bar.println(line),
        None => eprintln!("{line}"),
    }
}

/// A progress bar on stderr while listing every page, only when stderr is a terminal.
#[derive(Clone)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar when `show` and stderr is a terminal; otherwise nothing is drawn.
    pub fn new(show: bool) -> Self {
        if !show || !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos}/{len} meetings, page {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        show_bar(&bar);
        Self(Some(bar))
    }

    /// Counts a page's records.
    pub fn page(&self, page: &Page) {
        if let Some(bar) = &self.0 {
            if let Some(total) = page.page_info.as_ref().and_then(|i| i.total) {
                bar.set_length(u64::try_from(total).unwrap_or(0));
            }
            bar.inc(page.len() as u64);
            bar.set_message(page.number.to_string());
        }
    }

    /// Removes the bar from the terminal.
    pub fn clear(&self) {
        if let Some(bar) = &self.0 {
            forget_bar();
            bar.finish_and_clear();
        }
    }

    /// Runs `f` with the bar hidden.
    fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.0 {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }
}

/// Standard output, buffered until [`Write::flush`], which writes the buffer with the bar hidden.
pub struct Screen {
    buffer: Vec<u8>,
    stdout: std::io::Stdout,
    progress: Progress,
}

impl Screen {
    /// Standard output, drawn around `progress`.
    pub fn new(progress: Progress) -> Self {
        Self {
            buffer: Vec::with_capacity(64 * 1024),
            stdout: std::io::stdout(),
            progress,
        }
    }
}

impl Write for Screen {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let (buffer, stdout) = (&mut self.buffer, &self.stdout);
        self.progress.suspend(|| {
            let mut out = stdout.lock();
            out.write_all(buffer)?;
            buffer.clear();
            out.flush()
        })
    }
}
