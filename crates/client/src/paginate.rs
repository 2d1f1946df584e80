//! Listing meetings: one page, or every page as a stream.
//!
//! After page 1, when `pageInfo` tells how many pages exist (`total` and `perPage`), the remaining
//! pages are fetched `concurrency` at a time and yielded strictly in page order; when it does not,
//! pages are fetched one after another with one page of prefetch. Either way at most
//! `concurrency` pages are in flight or buffered, so memory stays flat however long the listing.
//! A page that is empty or says there is no more ends the listing, and a page whose
//! records repeat the previous page's ends it with [`Error::RepeatedPage`].

use futures::future::BoxFuture;
use futures::stream::{BoxStream, FuturesOrdered, StreamExt};
use thoughtindustries_models::Meeting;
use uuid::Uuid;

use crate::{Client, Error, Page, RepeatedPageError, TransportKind};

/// A request for meetings, built by [`Client::list_meetings`].
///
/// ```no_run
/// use futures::StreamExt;
/// # async fn run(client: thoughtindustries::Client, course: uuid::Uuid) -> Result<(), thoughtindustries::Error> {
/// // One page.
/// let page = client.list_meetings().course_id(course).page(2).send().await?;
/// println!("page 2 has {} meetings, more: {}", page.meetings.len(), page.has_more());
///
/// // Every meeting of the course; a record that does not decode arrives as an error in its place.
/// let mut meetings = client.list_meetings().course_id(course).meetings();
/// while let Some(meeting) = meetings.next().await {
///     match meeting {
///         Ok(meeting) => println!("{} {:?}", meeting.start_date, meeting.title),
///         Err(thoughtindustries::Error::Record(odd)) => eprintln!("skipped: {odd}"),
///         Err(other) => return Err(other),
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ListMeetings {
    client: Client,
    course_id: Option<Uuid>,
    page: u64,
    concurrency: usize,
}

impl ListMeetings {
    pub(crate) fn new(client: Client, concurrency: usize) -> Self {
        Self {
            client,
            course_id: None,
            page: 1,
            concurrency,
        }
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
        self.client.fetch_page(self.page, self.course_id).await
    }

    /// Every page from [`page`](Self::page) on, in order. After an error the stream ends.
    pub fn pages(self) -> BoxStream<'static, Result<Page, Error>> {
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
        futures::stream::unfold(state, Pager::next_page).boxed()
    }

    /// Every meeting from [`page`](Self::page) on, in order. A record that did not decode is
    /// yielded as [`Error::Record`] in its place and the stream goes on; any other error ends it.
    pub fn meetings(self) -> BoxStream<'static, Result<Meeting, Error>> {
        self.pages()
            .flat_map(|page| {
                let records: Box<dyn Iterator<Item = Result<Meeting, Error>> + Send> = match page {
                    Ok(page) => Box::new(page.into_records()),
                    Err(error) => Box::new(std::iter::once(Err(error))),
                };
                futures::stream::iter(records)
            })
            .boxed()
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
    /// An error to yield before anything else (an invalid first page).
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
        match &result {
            Ok(page) if page.has_more() => self.plan(page),
            _ => {
                // The end, or an error: drop the pages fetched ahead.
                self.finished = true;
                self.in_flight = FuturesOrdered::new();
            }
        }
        Some((result, self))
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
