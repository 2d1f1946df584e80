//! Listing meetings: one page, or every page as a stream.
//!
//! After page 1, when `pageInfo` tells how many pages exist (`total` and `perPage`), the remaining
//! pages are fetched `concurrency` at a time and yielded strictly in page order; when it does not,
//! pages are fetched one after another with one page of prefetch. Either way at most
//! `concurrency` pages are in flight or buffered, so memory stays flat however long the listing.
//! A page that is empty or says there is no more ends the listing, a page whose
//! records repeat the previous page's ends it with [`Error::RepeatedPage`], and a page whose
//! records were all rejected ends it with [`Error::RejectedPage`] unless the page is known to be
//! the last or a later page is announced.
//!
//! The streams of meetings yield page-level failures as `Err` (and end after one); a record that
//! does not decode is never an `Err` item: it is reported beside the meetings
//! ([`MeetingStream::rejected`], [`ListMeetings::on_rejected`]), so that `?` on the stream cannot
//! lose the rest of the listing because of one record.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use futures_util::stream::{BoxStream, FuturesOrdered, Stream, StreamExt};
use thoughtindustries_models::Meeting;
use uuid::Uuid;

use crate::errors::RejectedPageError;
use crate::page::Next;
use crate::{BlankedField, Client, Error, Page, RejectedRecord, RepeatedPageError, TransportKind};

/// Called with each field left empty because it did not decode; see [`ListMeetings::on_warning`].
type OnWarning = Arc<dyn Fn(&BlankedField) + Send + Sync>;
/// Called with each record skipped because it did not decode; see [`ListMeetings::on_rejected`].
type OnRejected = Arc<dyn Fn(&RejectedRecord) + Send + Sync>;

/// A request for meetings, built by [`Client::list_meetings`].
///
/// ```no_run
/// # async fn run(client: thoughtindustries::Client, course: thoughtindustries::Uuid) -> Result<(), thoughtindustries::Error> {
/// // One page.
/// let page = client.list_meetings().course_id(course).page(2).send().await?;
/// println!("page 2 has {} meetings, more: {}", page.meetings.len(), page.has_more());
///
/// // Every meeting of the course. `?` ends the loop only on a failure of the listing itself (a
/// // page that could not be fetched); a record that does not decode is skipped and reported.
/// let mut meetings = client.list_meetings().course_id(course).meetings();
/// while let Some(meeting) = meetings.try_next().await? {
///     println!("{} {:?}", meeting.start_date, meeting.title);
/// }
/// for skipped in meetings.rejected() {
///     eprintln!("skipped: {skipped}");
/// }
/// # Ok(()) }
/// ```
///
/// # Records that do not decode
///
/// A record that does not match the contract even with fields left empty (its own `id` is not a
/// UUID, say) is skipped, never an `Err` item of a stream: one odd record must not end the
/// natural `while let Some(m) = stream.try_next().await?` loop and lose the rest of the
/// tenant's meetings. Skipped records reach the caller as values: the stream keeps a report of
/// them ([`MeetingStream::rejected`], to read during or after the loop, as a batch job does) and
/// [`on_rejected`](Self::on_rejected) calls a function with each as its page arrives (as a
/// service that logs does). A page whose records were *all* rejected, where the listing would
/// otherwise go on, ends it with [`Error::RejectedPage`]: a change that breaks every record is
/// an error, not an empty tenant.
///
/// # Warnings: fields left empty
///
/// A meeting is delivered even when one of its fields does not match the contract (an attendee's
/// `balance: "12.50"` where a number is expected): that field is left empty (`None`) and reported
/// as a [`BlankedField`] with its JSON path. [`Page::blanked`] lists them for a page; a
/// [`meetings`](Self::meetings) stream does not show them unless asked:
/// [`on_warning`](Self::on_warning) calls a function with each, and
/// [`meetings_with_warnings`](Self::meetings_with_warnings) yields each meeting with its own.
#[derive(Clone)]
#[must_use]
pub struct ListMeetings {
    client: Client,
    course_id: Option<Uuid>,
    page: u64,
    concurrency: usize,
    on_warning: Option<OnWarning>,
    on_rejected: Option<OnRejected>,
}

impl std::fmt::Debug for ListMeetings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListMeetings")
            .field("client", &self.client)
            .field("course_id", &self.course_id)
            .field("page", &self.page)
            .field("concurrency", &self.concurrency)
            .field("on_warning", &self.on_warning.is_some())
            .field("on_rejected", &self.on_rejected.is_some())
            .finish()
    }
}

crate::overrides::overridable!(ListMeetings);

impl ListMeetings {
    pub(crate) fn new(client: Client, concurrency: usize) -> Self {
        Self {
            client,
            course_id: None,
            page: 1,
            concurrency,
            on_warning: None,
            on_rejected: None,
        }
    }

    /// Calls `report` with every record skipped because it did not decode ([`RejectedRecord`]:
    /// page, position, id, JSON path, what was wrong, the record as received), as each page
    /// arrives, before its meetings are yielded. Applies to [`send`](Self::send),
    /// [`pages`](Self::pages) and the streams of meetings, which also keep them
    /// ([`MeetingStream::rejected`]).
    ///
    /// ```no_run
    /// # async fn run(client: thoughtindustries::Client) -> Result<(), thoughtindustries::Error> {
    /// let mut meetings = client
    ///     .list_meetings()
    ///     .on_rejected(|skipped| eprintln!("warning: {skipped}"))
    ///     .meetings();
    /// while let Some(meeting) = meetings.try_next().await? {
    ///     println!("{}", meeting.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn on_rejected(mut self, report: impl Fn(&RejectedRecord) + Send + Sync + 'static) -> Self {
        self.on_rejected = Some(Arc::new(report));
        self
    }

    /// Calls `warn` with every field of a delivered meeting that did not decode and was left empty
    /// ([`BlankedField`]: page, meeting, JSON path, what was wrong), as each page arrives, before
    /// its meetings are yielded. Applies to [`send`](Self::send), [`pages`](Self::pages),
    /// [`meetings`](Self::meetings) and [`meetings_with_warnings`](Self::meetings_with_warnings).
    ///
    /// ```no_run
    /// # async fn run(client: thoughtindustries::Client) -> Result<(), thoughtindustries::Error> {
    /// let mut meetings = client
    ///     .list_meetings()
    ///     .on_warning(|blanked| eprintln!("warning: {blanked}"))
    ///     .meetings();
    /// while let Some(meeting) = meetings.try_next().await? {
    ///     println!("{}", meeting.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn on_warning(mut self, warn: impl Fn(&BlankedField) + Send + Sync + 'static) -> Self {
        self.on_warning = Some(Arc::new(warn));
        self
    }

    /// Only meetings of this course.
    pub fn course_id(mut self, course_id: Uuid) -> Self {
        self.course_id = Some(course_id);
        self
    }

    /// The page to fetch with [`send`](Self::send), or the first page of a stream (default 1).
    pub fn page(mut self, page: u64) -> Self {
        self.page = page;
        self
    }

    /// Pages fetched at once by [`pages`](Self::pages) (default: the client's; at least 1).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Fetches one page.
    pub async fn send(self) -> Result<Page, Error> {
        check_page(self.page)?;
        let page = self.client.fetch_page(self.page, self.course_id).await?;
        warn(self.on_warning.as_ref(), self.on_rejected.as_ref(), &page);
        Ok(page)
    }

    /// Every page from [`page`](Self::page) on, in order, each with its rejected records
    /// ([`Page::rejected`]). After an error the stream ends; a page whose records were all
    /// rejected is yielded, then [`Error::RejectedPage`] when the listing would have gone on.
    pub fn pages(self) -> BoxStream<'static, Result<Page, Error>> {
        let (on_warning, on_rejected) = (self.on_warning.clone(), self.on_rejected.clone());
        self.fetch_pages()
            .inspect(move |page| {
                if let Ok(page) = page {
                    warn(on_warning.as_ref(), on_rejected.as_ref(), page);
                }
            })
            .boxed()
    }

    fn fetch_pages(self) -> BoxStream<'static, Result<Page, Error>> {
        let state = Pager {
            first: self.page,
            next: self.page,
            plan_end: None,
            window: 1,
            concurrency: self.concurrency,
            in_flight: FuturesOrdered::new(),
            pending_error: check_page(self.page).err(),
            finished: false,
            previous: None,
            client: self.client,
            course_id: self.course_id,
        };
        futures_util::stream::unfold(state, Pager::next_page).boxed()
    }

    /// Every meeting from [`page`](Self::page) on, in order. The stream yields `Err` only for a
    /// failure of the listing itself (a page that could not be fetched or read, a repeated page,
    /// a page whose records were all rejected), and ends after it. A record that did not decode
    /// is skipped and kept in the stream's report ([`MeetingStream::rejected`]; see
    /// [Records that do not decode](Self#records-that-do-not-decode)).
    ///
    /// **A meeting may arrive with fields left empty** because they did not decode (see
    /// [Warnings](Self#warnings-fields-left-empty)): this stream does not say which unless
    /// [`on_warning`](Self::on_warning) is set; [`meetings_with_warnings`](Self::meetings_with_warnings)
    /// yields each meeting with its own.
    pub fn meetings(self) -> MeetingStream<Meeting> {
        MeetingStream::new(self.pages(), |page| page.meetings)
    }

    /// Every meeting like [`meetings`](Self::meetings), each with the fields of it that did not
    /// decode and were left empty (empty for a meeting that decoded whole).
    ///
    /// ```no_run
    /// # async fn run(client: thoughtindustries::Client) -> Result<(), thoughtindustries::Error> {
    /// let mut meetings = client.list_meetings().meetings_with_warnings();
    /// while let Some((meeting, warnings)) = meetings.try_next().await? {
    ///     for blanked in &warnings {
    ///         eprintln!("meeting {}: `{}` left empty: {}", meeting.id, blanked.path, blanked.message);
    ///     }
    /// }
    /// for skipped in meetings.rejected() {
    ///     eprintln!("{skipped}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn meetings_with_warnings(self) -> MeetingStream<(Meeting, Vec<BlankedField>)> {
        MeetingStream::new(self.pages(), |page| {
            page.into_meetings_with_warnings().collect()
        })
    }
}

/// A stream of the meetings of a listing ([`ListMeetings::meetings`],
/// [`ListMeetings::meetings_with_warnings`]), in order, with the report of the records it
/// skipped because they did not decode.
///
/// Its items are `Result<T, Error>`: `Err` only for a failure of the listing itself, after which
/// it ends. Loop over it with its own [`try_next`](MeetingStream::try_next) (no other crate
/// needed), or use it as the [`Stream`] it is, with `futures`' `StreamExt` and `TryStreamExt`
/// (`try_collect`, `try_chunks`, ...); it is `Unpin`.
#[must_use = "streams do nothing unless polled"]
pub struct MeetingStream<T = Meeting> {
    pages: BoxStream<'static, Result<Page, Error>>,
    ready: std::vec::IntoIter<T>,
    split: fn(Page) -> Vec<T>,
    rejected: Vec<RejectedRecord>,
}

impl<T> MeetingStream<T> {
    fn new(pages: BoxStream<'static, Result<Page, Error>>, split: fn(Page) -> Vec<T>) -> Self {
        Self {
            pages,
            ready: Vec::new().into_iter(),
            split,
            rejected: Vec::new(),
        }
    }

    /// The records skipped so far because they did not decode, in listing order, each with its
    /// page, position, JSON path and the record as received. Read it after the loop for the
    /// whole listing's (a record's page is reported before any meeting of that page is yielded).
    pub fn rejected(&self) -> &[RejectedRecord] {
        &self.rejected
    }

    /// The report of skipped records, taking it out of the stream.
    pub fn take_rejected(&mut self) -> Vec<RejectedRecord> {
        std::mem::take(&mut self.rejected)
    }

    /// The next meeting: `Ok(None)` at the end of the listing, `Err` when the listing itself
    /// failed (it ends there). The same as `futures`' `TryStreamExt::try_next`, without the
    /// dependency. Dropping the future before it completes loses nothing: the stream keeps its
    /// state (pages in flight included), and the next call goes on from there.
    ///
    /// ```no_run
    /// # async fn run(client: thoughtindustries::Client) -> Result<(), thoughtindustries::Error> {
    /// let mut meetings = client.list_meetings().meetings();
    /// while let Some(meeting) = meetings.try_next().await? {
    ///     println!("{}", meeting.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn try_next(&mut self) -> Result<Option<T>, Error> {
        StreamExt::next(self).await.transpose()
    }
}

// Nothing is ever pinned inside: items are moved out of a `Vec` iterator.
impl<T> Unpin for MeetingStream<T> {}

impl<T> Stream for MeetingStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.ready.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match futures_util::ready!(this.pages.poll_next_unpin(cx)) {
                Some(Ok(page)) => {
                    this.rejected.extend(page.rejected.iter().cloned());
                    this.ready = (this.split)(page).into_iter();
                }
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }
}

impl<T> std::fmt::Debug for MeetingStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeetingStream")
            .field("buffered", &self.ready.len())
            .field("rejected", &self.rejected)
            .finish_non_exhaustive()
    }
}

fn warn(on_warning: Option<&OnWarning>, on_rejected: Option<&OnRejected>, page: &Page) {
    if let Some(warn) = on_warning {
        page.blanked.iter().for_each(|field| warn(field));
    }
    if let Some(report) = on_rejected {
        page.rejected.iter().for_each(|record| report(record));
    }
}

pub(crate) fn check_page(page: u64) -> Result<(), Error> {
    if page == 0 {
        return Err(Error::InvalidRequest("pages are numbered from 1".into()));
    }
    Ok(())
}

struct Pager {
    client: Client,
    course_id: Option<Uuid>,
    first: u64,
    /// The next page to request.
    next: u64,
    /// The last page `pageInfo` announced, once page one told us.
    plan_end: Option<u64>,
    /// How many pages may be in flight or buffered now.
    window: usize,
    concurrency: usize,
    in_flight: FuturesOrdered<BoxFuture<'static, Result<Page, Error>>>,
    /// An error to yield next, then end (an invalid first page, a page of rejected records).
    pending_error: Option<Error>,
    finished: bool,
    /// The previous page's number and fingerprint, to catch a server that ignores `page`.
    previous: Option<(u64, Option<u64>)>,
}

impl Pager {
    async fn next_page(mut self) -> Option<(Result<Page, Error>, Self)> {
        if let Some(error) = self.pending_error.take() {
            self.finished = true;
            return Some((Err(error), self));
        }
        if self.finished {
            return None;
        }
        self.fill();
        let result = self
            .in_flight
            .next()
            .await?
            .and_then(|page| self.not_a_repeat(page));
        match result.as_ref().map(|page| (page, page.next())) {
            Ok((page, Next::More)) => self.plan(page),
            Ok((page, Next::Unknown)) => {
                // Yield the page (its rejected records are reported), then say why it ends.
                self.pending_error = Some(Error::RejectedPage(Box::new(RejectedPageError {
                    page: page.number,
                    rejected: page.rejected.clone(),
                })));
                self.stop();
            }
            Ok((_, Next::End)) | Err(_) => self.stop(),
        }
        Some((result, self))
    }

    /// The end, or an error: drops the pages fetched ahead.
    fn stop(&mut self) {
        self.finished = true;
        self.in_flight = FuturesOrdered::new();
    }

    /// Fails a page whose records repeat the previous page's ([`Page::fingerprint`]), whatever
    /// they decode to: a server that ignores `page` and keeps saying `hasMore` would otherwise be
    /// listed forever.
    fn not_a_repeat(&mut self, page: Page) -> Result<Page, Error> {
        let fingerprint = page.fingerprint();
        if let Some((previous, seen)) = self.previous
            && fingerprint.is_some()
            && seen == fingerprint
        {
            return Err(Error::RepeatedPage(RepeatedPageError {
                page: page.number,
                previous,
            }));
        }
        self.previous = Some((page.number, fingerprint));
        Ok(page)
    }

    /// Decides how far ahead to fetch after `page`.
    fn plan(&mut self, page: &Page) {
        if page.number == self.first {
            self.plan_end = page.total_pages().filter(|&end| end > page.number);
        }
        match self.plan_end {
            Some(end) if self.next <= end => self.window = self.concurrency,
            Some(_) if self.in_flight.is_empty() => {
                // Past the announced end and the server still says more: go on, carefully.
                self.plan_end = None;
                self.window = 2;
            }
            Some(_) => {}
            None => self.window = 2,
        }
    }

    /// Starts requests until the window is full (never past the announced end).
    fn fill(&mut self) {
        while self.in_flight.len() < self.window {
            if self.plan_end.is_some_and(|end| self.next > end) {
                break;
            }
            let client = self.client.clone();
            let (number, course_id) = (self.next, self.course_id);
            // A task of its own, so that the page keeps loading while the reader is busy with the
            // pages before it (a future in `in_flight` only progresses while the stream is polled).
            let task = Fetch(tokio::spawn(async move {
                client.fetch_page(number, course_id).await
            }));
            self.in_flight.push_back(Box::pin(task.finish(number)));
            self.next += 1;
        }
    }
}

/// A page fetched in its own task; dropping it (the stream dropped or ended early) aborts it.
struct Fetch(tokio::task::JoinHandle<Result<Page, Error>>);

impl Fetch {
    async fn finish(mut self, number: u64) -> Result<Page, Error> {
        match (&mut self.0).await {
            Ok(result) => result,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => Err(Error::Transport {
                page: Some(number),
                kind: TransportKind::Other,
                message: format!("the request was cancelled: {error}"),
                source: Some(Box::new(error)),
            }),
        }
    }
}

impl Drop for Fetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}
