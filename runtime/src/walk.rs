//! The walk: the one state machine under every generated all-pages walk.
//!
//! A list operation's walk (`list::walk_list`, over the `List` trait codegen implements from
//! its `x-rollcall-pagination`) is one function that fetches the page after a cursor (a page
//! number, an opaque cursor, or nothing) and reads from the page what it says about the next
//! one ([`Page`], [`Signals`](crate::page::Signals)). [`walk`] turns it into a stream that
//! holds the page being read and the pages fetched ahead (see [`walk`]), stops on an empty page,
//! refuses a cursor or a page it has already seen, drops a user whose id it has already
//! yielded (on one of the last 32 pages: memory stays flat), and honours the `max_pages` and
//! `max_users` caps. Every walk keeps a [`WalkReport`](crate::WalkReport) of what it did.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hash, RandomState};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::task::{Context, Poll};

use futures::stream::FuturesOrdered;
use futures::{Stream, StreamExt as _};

use crate::checkpoint::{AtPosition, Position, ResumedFrom};
use crate::config::Config;
use crate::dedupe::RecentIds;
use crate::error::{Error, ErrorKind, PagingError};
use crate::page::{Page, Successor};
use crate::provider::ProviderInfo;
use crate::scope;
use crate::stream::{Mark, Marks, Report, Stop, UserStream};

/// What a resumed walk had done before its checkpoint (whose position, `from.next`, is the
/// walk's `first`).
pub(crate) struct Resume {
    pub(crate) pages: u64,
    pub(crate) users: u64,
    pub(crate) duplicates: u64,
    pub(crate) window: Vec<Vec<u64>>,
    pub(crate) from: ResumedFrom,
}

/// Walks every page, starting at `first`, with `fetch`; `user` turns each record of a page
/// into the user the stream yields, as it is yielded.
///
/// With a `successor` (page numbers), up to [`Config::page_concurrency`] pages are requested
/// ahead, concurrently, and their records still come out in order, one page at a time; pages
/// fetched past the last one are dropped unread. Without one (cursors), the next page is
/// requested as soon as the current one names it, while its records are being read.
///
/// After each page whose users were all yielded, the walk publishes where it stands to `marks`
/// (what [`UserStream::checkpoint`] reads); with `resume`, it starts from a checkpoint's
/// counts and de-duplication window, at `first`. Without `dedupe`, a user sent again is yielded
/// again (an incremental export sends a user changed twice twice, the later record newer).
#[allow(clippy::too_many_arguments)] // one private caller, `list::walk_list`
pub(crate) fn walk<'a, R, T, C, F, Fut, U>(
    provider: &'static ProviderInfo,
    operation: &'static str,
    config: &Config,
    first: Option<C>,
    successor: Option<Successor<C>>,
    fetch: F,
    user: U,
    marks: Arc<Marks>,
    resume: Option<Resume>,
    dedupe: bool,
) -> UserStream<'a, T>
where
    R: Send + 'a,
    T: Send + 'a,
    U: Fn(R) -> T + Clone + Send + 'a,
    C: Clone + Hash + PartialEq + fmt::Display + AtPosition + Send + 'a,
    F: FnMut(Option<C>) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<R, C>, Error>> + Send + 'a,
{
    let mut fetch = fetch;
    let state = RandomState::new();
    let mut seen_cursors = HashSet::new();
    if let Some(cursor) = &first {
        seen_cursors.insert(state.hash_one(cursor));
    }
    let report = Report::default();
    let ahead = if successor.is_some() {
        config.page_concurrency().max(1)
    } else {
        1
    };
    let (pages, users, duplicates, seen_ids, done) = match &resume {
        Some(r) => (
            r.pages,
            r.users,
            r.duplicates,
            RecentIds::from_window(&r.window),
            // Taken after the last page: nothing is left to read.
            r.from.next == Position::End,
        ),
        None => (0, 0, 0, RecentIds::default(), false),
    };
    let start = match (&first, done) {
        (_, true) => Position::End,
        (Some(cursor), false) => cursor.position(),
        (None, false) => Position::Start,
    };
    marks.publish(Mark {
        next: start,
        pages,
        users,
        duplicates,
        window: seen_ids.window(),
    });
    report.update(|r| {
        r.pages = pages;
        r.users = users;
        r.duplicates = duplicates;
        if done {
            r.stop = Some(Stop::LastPage);
        }
        r.resumed_from = resume.map(|r| r.from);
    });
    let walk = Walk {
        report: report.clone(),
        seen_ids,
        marks: marks.clone(),
        provider,
        operation,
        fetch: Box::new(move |cursor| Box::pin(fetch(cursor)) as Fetching<'a, R, C>),
        launch: (!done).then_some(first),
        successor,
        ahead,
        inflight: FuturesOrdered::new(),
        ready: VecDeque::new(),
        launched: pages,
        batch: None,
        polls: 0,
        max_pages: config.max_pages(),
        max_users: config.max_users(),
        pages,
        users,
        duplicates,
        state,
        seen_cursors,
        seen_pages: HashSet::new(),
        finished: done,
        waited: Arc::default(),
        dedupe,
    };
    // Each page's records move straight from the decoded page to the reader: no second
    // vector, so a user is copied once on its way out, as in a hand-written loop.
    let inner = walk.map(move |item| item.map(&user)).boxed();
    UserStream::new(inner, report).with_marks(marks)
}

/// What one step of the walk yields: records of a page in order, then the error that ended
/// the walk, if one did.
struct Batch<R> {
    records: std::vec::IntoIter<R>,
    error: Option<Error>,
    /// Where the walk stands once every record is handed out: `None` when the page does not
    /// end cleanly (an error follows, or a cap cut it), so no checkpoint covers it.
    next: Option<Position>,
}

impl<R> Iterator for Batch<R> {
    type Item = Result<R, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.records.next() {
            Some(record) => Some(Ok(record)),
            None => self.error.take().map(Err),
        }
    }
}

impl<R> Batch<R> {
    fn new(records: Vec<R>, error: Option<Error>) -> Self {
        Self {
            records: records.into_iter(),
            error,
            next: None,
        }
    }

    /// A page that ends cleanly, after which the walk continues at `next`.
    fn clean(records: Vec<R>, next: Position) -> Self {
        Self {
            next: Some(next),
            ..Self::new(records, None)
        }
    }
}

/// How many records are handed out between two polls of the requests in flight.
const POLL_EVERY: u32 = 16;

/// A page being fetched.
type Fetching<'a, R, C> = Pin<Box<dyn Future<Output = Result<Page<R, C>, Error>> + Send + 'a>>;

/// A fetched page, with the cursor it was fetched for and the retries and waits it took.
type Fetched<R, C> = (Option<C>, Result<Page<R, C>, Error>, u64);

type InFlight<'a, R, C> = Pin<Box<dyn Future<Output = Fetched<R, C>> + Send + 'a>>;

struct Walk<'a, R, C> {
    report: Report,
    /// A hash of every id yielded, to drop a user a server sends twice.
    seen_ids: RecentIds,
    /// Where checkpoints are published.
    marks: Arc<Marks>,
    provider: &'static ProviderInfo,
    operation: &'static str,
    fetch: Box<dyn FnMut(Option<C>) -> Fetching<'a, R, C> + Send + 'a>,
    /// The cursor of the next page to request, when known (`Some(None)`: the first page).
    launch: Option<Option<C>>,
    successor: Option<Successor<C>>,
    /// How many pages may be in flight at once.
    ahead: usize,
    /// Pages requested, in order.
    inflight: FuturesOrdered<InFlight<'a, R, C>>,
    /// Pages that arrived while the reader was still on an earlier one, in order.
    ready: VecDeque<Fetched<R, C>>,
    /// Pages requested so far, for the `max_pages` cap.
    launched: u64,
    /// The records being handed out.
    batch: Option<Batch<R>>,
    /// Records handed out, to poll the requests in flight every [`POLL_EVERY`].
    polls: u32,
    max_pages: Option<u64>,
    max_users: Option<u64>,
    pages: u64,
    users: u64,
    duplicates: u64,
    state: RandomState,
    seen_cursors: HashSet<u64>,
    seen_pages: HashSet<u64>,
    finished: bool,
    /// Milliseconds waited so far by the walk's calls: one wait budget for the whole walk.
    waited: Arc<AtomicU64>,
    /// Whether a user already yielded is dropped.
    dedupe: bool,
}

// Nothing of a walk is pinned in place: requests in flight are boxed futures.
impl<R, C> Unpin for Walk<'_, R, C> {}

impl<'a, R, C> Stream for Walk<'a, R, C>
where
    R: Send + 'a,
    C: Clone + Hash + PartialEq + fmt::Display + AtPosition + Send + 'a,
{
    type Item = Result<R, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            this.fill();
            // Drive the requests in flight while records of an earlier page are read: every
            // few records (each poll costs more than handing out a record), and always between
            // pages.
            this.polls = this.polls.wrapping_add(1);
            if this.batch.is_none() || this.polls.is_multiple_of(POLL_EVERY) {
                while let Poll::Ready(Some(fetched)) = this.inflight.poll_next_unpin(cx) {
                    this.ready.push_back(fetched);
                }
            }
            if let Some(batch) = &mut this.batch {
                if let Some(item) = batch.next() {
                    // The page's last record is handed out: the checkpoint moves past the
                    // page before its reader sees that record, so that a reader who saves a
                    // checkpoint after writing each user never saves one that misses a user.
                    if batch.records.len() == 0
                        && let Some(next) = batch.next.take()
                    {
                        this.mark(next);
                    }
                    return Poll::Ready(Some(item));
                }
                if let Some(next) = batch.next.take() {
                    this.mark(next);
                }
                this.batch = None;
                continue;
            }
            if this.finished {
                return Poll::Ready(None);
            }
            if let Some(fetched) = this.ready.pop_front() {
                let batch = this.process(fetched);
                this.batch = Some(batch);
                continue;
            }
            if this.inflight.is_empty() {
                // A next page exists, but the cap forbids requesting it.
                let max_pages = this.max_pages.unwrap_or(this.pages);
                this.batch = Some(this.stop(Vec::new(), PagingError::PageLimit { max_pages }));
                continue;
            }
            return Poll::Pending;
        }
    }
}

impl<'a, R, C> Walk<'a, R, C>
where
    R: Send + 'a,
    C: Clone + Hash + PartialEq + fmt::Display + AtPosition + Send + 'a,
{
    /// Publishes where the walk stands after the page just handed out.
    fn mark(&self, next: Position) {
        self.marks.publish(Mark {
            next,
            pages: self.pages,
            users: self.users,
            duplicates: self.duplicates,
            window: self.seen_ids.window(),
        });
    }

    /// Requests pages until `ahead` are in flight, as far as their cursors are known and the
    /// `max_pages` cap allows.
    fn fill(&mut self) {
        // One request until a page has said that another follows: an account of one page
        // costs one request, not `ahead`.
        let ahead = if self.pages == 0 { 1 } else { self.ahead };
        while !self.finished
            && self.inflight.len() < ahead
            && self.max_pages.is_none_or(|max| self.launched < max)
        {
            let Some(cursor) = self.launch.take() else {
                return;
            };
            self.launch = match (&cursor, self.successor) {
                (Some(c), Some(next)) => Some(Some(next(c))),
                _ => None,
            };
            self.launched += 1;
            let request =
                scope::with_wait_budget(self.waited.clone(), (self.fetch)(cursor.clone()));
            let request: Fetching<'a, R, C> = match &self.marks.drift {
                Some(drift) => {
                    let check = scope::PageCheck {
                        drift: drift.clone(),
                        page: self.launched,
                        operation: self.operation,
                    };
                    Box::pin(scope::with_page_check(check, request))
                }
                None => Box::pin(request),
            };
            self.inflight.push_back(Box::pin(async move {
                let (page, retries) = scope::count_retries(request).await;
                (cursor, page, retries)
            }));
        }
    }

    /// Checks a page that arrived in turn; returns its records (and an error when the walk must
    /// stop early).
    fn process(&mut self, (cursor, page, retries): Fetched<R, C>) -> Batch<R> {
        // Every wait of the walk (pacing, Retry-After, backoff) is spent from its wait budget,
        // so the budget's count is the report's.
        let waited_ms = self.waited.load(std::sync::atomic::Ordering::Relaxed);
        self.report.update(|r| {
            r.retries += retries;
            r.waited_ms = waited_ms;
        });
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                self.finish();
                self.report.update(|r| r.stop = Some(Stop::Error));
                return Batch::new(Vec::new(), Some(error));
            }
        };
        self.pages += 1;
        let pages = self.pages;
        self.report.update(|r| {
            r.pages = pages;
            if page.total.is_some() {
                r.declared_total = page.total;
            }
        });
        if page.items.is_empty() {
            self.finish();
            self.report.update(|r| r.stop = Some(Stop::EmptyPage));
            return Batch::clean(Vec::new(), Position::End);
        }
        if !self.seen_pages.insert(page.fingerprint) {
            let page = self.pages;
            return self.stop(Vec::new(), PagingError::RepeatedPage { page });
        }
        // A user already yielded (the same id on an earlier page or twice on this one) is dropped.
        let received = page.items.len();
        let mut records = Vec::with_capacity(received);
        let mut duplicates = 0;
        for (record, id) in page.items.into_iter().zip(page.ids) {
            if self.seen_ids.insert(id) || !self.dedupe {
                records.push(record);
            } else {
                duplicates += 1;
            }
        }
        self.seen_ids.close_page();
        let mut more_users = false;
        if let Some(max_users) = self.max_users {
            let room = usize::try_from(max_users.saturating_sub(self.users)).unwrap_or(usize::MAX);
            more_users = records.len() > room;
            records.truncate(room);
        }
        self.users += records.len() as u64;
        self.duplicates += duplicates;
        let (users, duplicates) = (self.users, self.duplicates);
        self.report.update(|r| {
            r.users = users;
            r.duplicates = duplicates;
        });
        tracing::debug!(
            target: "rollcall::paging",
            provider = self.provider.name,
            operation = self.operation,
            page = self.pages,
            records = received,
            duplicates,
            users = self.users,
            last = page.next.is_none(),
            "page"
        );
        if let Some(max_users) = self.max_users
            && self.users >= max_users
            && (more_users || page.next.is_some())
        {
            return self.stop(records, PagingError::UserLimit { max_users });
        }
        if let Some(error) = page.fault {
            return self.stop(records, error);
        }
        let after = match &page.next {
            None => Position::End,
            Some(next) => next.position(),
        };
        match page.next {
            None => {
                self.finish();
                self.report.update(|r| r.stop = Some(Stop::LastPage));
            }
            Some(next) => {
                if !self.seen_cursors.insert(self.state.hash_one(&next)) {
                    let error = PagingError::RepeatedCursor {
                        page: self.pages,
                        cursor: next.to_string(),
                    };
                    return self.stop(records, error);
                }
                // Pages requested ahead are for the cursors the successor predicted from this
                // one; when the server names another, they are dropped and the walk follows
                // the server.
                let predicted = match (&cursor, self.successor) {
                    (Some(cursor), Some(successor)) => Some(successor(cursor)),
                    _ => None,
                };
                if predicted.as_ref() != Some(&next) {
                    self.inflight = FuturesOrdered::new();
                    self.ready.clear();
                    self.launched = self.pages;
                    self.launch = Some(Some(next));
                } else if self.inflight.is_empty() && self.ready.is_empty() {
                    self.launch = Some(Some(next));
                }
            }
        }
        Batch::clean(records, after)
    }

    /// Ends the walk: nothing more is requested, and pages in flight are dropped.
    fn finish(&mut self) {
        self.finished = true;
        self.launch = None;
        self.inflight = FuturesOrdered::new();
        self.ready.clear();
    }

    /// Ends the walk after `records` with `error`.
    fn stop(&mut self, records: Vec<R>, error: PagingError) -> Batch<R> {
        self.finish();
        tracing::debug!(
            target: "rollcall::paging",
            provider = self.provider.name,
            operation = self.operation,
            reason = %error,
            "walk stopped"
        );
        let stop = match error {
            PagingError::PageLimit { .. } => Stop::MaxPages,
            PagingError::UserLimit { .. } => Stop::MaxUsers,
            _ => Stop::Error,
        };
        self.report.update(|r| r.stop = Some(stop));
        let error = Error::new(self.provider.name, self.operation, ErrorKind::Paging(error));
        Batch::new(records, Some(error))
    }
}
