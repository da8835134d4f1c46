//! Walking every page of a list: the one paginator under every generated all-pages walk.
//!
//! Codegen turns a list operation's `x-rollcall-pagination` into one function that fetches the
//! page after a cursor (a page number, an opaque cursor, or nothing) and reads from the page
//! what it says about the next one ([`Signals`]). This module turns it into a stream that holds
//! at most one page in memory, stops on an empty page, refuses a cursor or a page it has
//! already seen, drops a user whose id it has already yielded (on one of the last 32 pages:
//! memory stays flat), and honours the `max_pages`
//! and `max_users` caps. Every walk keeps a [`WalkReport`] of what it did.

use std::cell::Cell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher, Hash, Hasher as _, RandomState};
use std::pin::Pin;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::stream::{BoxStream, FuturesOrdered};
use futures::{Stream, StreamExt as _};

use crate::{Config, Error, ErrorKind, PagingError, ProviderInfo};

/// The users of a provider, one by one, as the all-users walks yield them.
///
/// A [`futures::Stream`]: use it with [`futures::TryStreamExt`] (`try_next`, `try_collect`,
/// ...). After an `Err` the stream ends. [`report`](Self::report) gives a handle on what the
/// walk did, readable while and after the stream is consumed:
///
/// ```
/// # async fn run<C: rollcall_runtime::Users>(client: &C) -> Result<(), rollcall_runtime::Error> {
/// use futures::TryStreamExt as _;
/// let users = client.all_users();
/// let report = users.report();
/// let all: Vec<C::User> = users.try_collect().await?;
/// let report = report.get();
/// assert_eq!(report.users, all.len() as u64);
/// println!("{} pages, stopped: {:?}", report.pages, report.stop);
/// # Ok(()) }
/// ```
pub struct UserStream<'a, T> {
    inner: BoxStream<'a, Result<T, Error>>,
    report: Report,
}

impl<'a, T> UserStream<'a, T> {
    /// A stream of users with the report of the walk that yields them.
    pub fn new(inner: BoxStream<'a, Result<T, Error>>, report: Report) -> Self {
        Self { inner, report }
    }

    /// A handle on the walk's report; it stays valid after the stream is consumed or dropped.
    pub fn report(&self) -> Report {
        self.report.clone()
    }

    /// The same walk, each user turned by `f` (the report is kept).
    pub fn map_users<U>(
        self,
        f: impl FnMut(Result<T, Error>) -> Result<U, Error> + Send + 'a,
    ) -> UserStream<'a, U>
    where
        T: 'a,
    {
        UserStream {
            inner: self.inner.map(f).boxed(),
            report: self.report,
        }
    }
}

impl<T> Stream for UserStream<'_, T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> fmt::Debug for UserStream<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserStream")
            .field("report", &self.report.get())
            .finish_non_exhaustive()
    }
}

/// What one all-pages walk did, as far as it got. Its JSON form has exactly these fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct WalkReport {
    /// Pages received.
    pub pages: u64,
    /// Users yielded (duplicates left out).
    pub users: u64,
    /// Users dropped because a user with the same id was already yielded (on the same page or
    /// one of the 32 before it).
    pub duplicates: u64,
    /// Requests sent again after a 408, 429, 5xx or a broken connection.
    pub retries: u64,
    /// Milliseconds spent waiting: for the rate budget, a `Retry-After` or a backoff (waits of
    /// requests in flight at once add up).
    pub waited_ms: u64,
    /// The number of users the server said it has, where it says (the spec's `total`).
    pub declared_total: Option<u64>,
    /// Why the walk ended; `None` while it goes on (or when its reader stopped first).
    pub stop: Option<Stop>,
}

impl WalkReport {
    /// Whether the server declared a total that differs from the users yielded by a walk that
    /// ran to its end (duplicates count as yielded: the server did send them).
    pub fn total_disagrees(&self) -> bool {
        matches!(self.stop, Some(Stop::LastPage | Stop::EmptyPage))
            && self
                .declared_total
                .is_some_and(|total| total != self.users + self.duplicates)
    }
}

/// Why a walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// The server said this page was the last.
    LastPage,
    /// A page came back empty.
    EmptyPage,
    /// The `max_pages` cap was reached.
    MaxPages,
    /// The `max_users` cap was reached.
    MaxUsers,
    /// A request failed, or the server repeated a page or a cursor.
    Error,
}

/// A shared handle on a walk's [`WalkReport`].
#[derive(Clone, Debug, Default)]
pub struct Report(Arc<Mutex<WalkReport>>);

impl Report {
    /// The report as it stands.
    pub fn get(&self) -> WalkReport {
        self.0.lock().map(|r| r.clone()).unwrap_or_default()
    }

    fn update(&self, f: impl FnOnce(&mut WalkReport)) {
        if let Ok(mut report) = self.0.lock() {
            f(&mut report);
        }
    }
}

tokio::task_local! {
    /// Retries of the page being fetched, counted by the retry loop.
    static PAGE_RETRIES: Cell<u64>;
    /// Query parameters every request of the walk being polled carries in addition.
    static EXTRA_QUERY: &'static [(&'static str, &'static str)];
}

/// The same walk, each of its requests carrying `pairs` in its query as well (a server-side
/// filter the generated builder has no typed setter call for).
pub fn with_query<'a, T: 'a>(
    users: UserStream<'a, T>,
    pairs: &'static [(&'static str, &'static str)],
) -> UserStream<'a, T> {
    struct Scoped<'a, T> {
        inner: BoxStream<'a, Result<T, Error>>,
        pairs: &'static [(&'static str, &'static str)],
    }
    impl<T> Stream for Scoped<'_, T> {
        type Item = Result<T, Error>;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            let pairs = self.pairs;
            // The requests are built while the walk is polled: set the pairs for each poll.
            EXTRA_QUERY.sync_scope(pairs, || self.inner.poll_next_unpin(cx))
        }
    }
    let report = users.report();
    UserStream::new(
        Scoped {
            inner: users.inner,
            pairs,
        }
        .boxed(),
        report,
    )
}

/// Appends the query parameters of [`with_query`], if the request is built inside one.
pub(crate) fn extra_query(url: &mut reqwest::Url) {
    let _ = EXTRA_QUERY.try_with(|pairs| {
        if !pairs.is_empty() {
            let mut query = url.query_pairs_mut();
            for (name, value) in *pairs {
                query.append_pair(name, value);
            }
        }
    });
}

/// Counts one retry after waiting `delay`, for the walk fetching this page, if any.
pub(crate) fn note_retry() {
    let _ = PAGE_RETRIES.try_with(|retries| retries.set(retries.get() + 1));
}

/// One page as a generated fetch function reports it.
pub struct Page<R, C> {
    /// The records of the page, as decoded (turned into users only as they are yielded).
    items: Vec<R>,
    /// The cursor of the next page, or `None` when the server says this is the last.
    next: Option<C>,
    /// A hash of each record's id, in order.
    ids: Vec<u64>,
    /// A hash of the records' ids: two pages with the same one are the same page.
    fingerprint: u64,
    /// The total number of users the server declares, if it does.
    total: Option<u64>,
}

/// What a page says about whether another follows, read at the pointers its spec declares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Signals {
    /// The `has-more` flag; `None` when not declared or not sent.
    pub has_more: Option<bool>,
    /// The `next-link`: `Some(true)` when present, `Some(false)` when its parent object is
    /// there but the link is null or missing, `None` when not declared or the parent is missing
    /// (a page without the envelope cannot say).
    pub link: Option<bool>,
    /// Whether the page holds as many records as were asked for.
    pub full: bool,
}

impl Signals {
    /// Whether another page follows when nothing else (a cursor) decides: an explicit
    /// `has-more: false` or a missing next link ends the walk; an explicit `true` or a present
    /// link continues it; with neither, a full page continues and a short one ends it.
    pub fn more(&self) -> bool {
        match (self.has_more, self.link) {
            (Some(false), _) | (_, Some(false)) => false,
            (Some(true), _) | (_, Some(true)) => true,
            (None, None) => self.full,
        }
    }
}

/// Feeds a record's id to `hasher` by its JSON form, whatever its Rust type (a string, a
/// number, an untagged union of both): no id is copied or formatted into a `String`.
pub fn hash_id<T: serde::Serialize + ?Sized>(id: &T, hasher: &mut DefaultHasher) {
    struct Feed<'h>(&'h mut DefaultHasher);
    impl std::io::Write for Feed<'_> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.write(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    // Serializing an id into a hasher cannot fail: the writer never does.
    let _ = serde_json::to_writer(Feed(hasher), id);
}

impl<R, C> Page<R, C> {
    /// A page whose fingerprint is computed from the records' ids, which `id` feeds to the
    /// hasher (by reference, so that no id is copied or formatted).
    pub fn new(items: Vec<R>, next: Option<C>, id: impl Fn(&R, &mut DefaultHasher)) -> Self {
        let mut page = DefaultHasher::new();
        let ids: Vec<u64> = items
            .iter()
            .map(|item| {
                let mut hasher = DefaultHasher::new();
                id(item, &mut hasher);
                let hash = hasher.finish();
                page.write_u64(hash);
                hash
            })
            .collect();
        Self {
            fingerprint: page.finish(),
            ids,
            items,
            next,
            total: None,
        }
    }

    /// The total number of users the server declares on this page (the spec's `total`).
    pub fn with_total(mut self, total: Option<u64>) -> Self {
        self.total = total;
        self
    }
}

/// How the next page's cursor follows from the current one when the walk can tell before the
/// page arrives (page numbers: `n + 1`), so that pages can be fetched ahead.
pub type Successor<C> = fn(&C) -> C;

/// Walks every page, starting at `first`, with `fetch`; `user` turns each record of a page
/// into the user the stream yields, as it is yielded.
///
/// With a `successor` (page numbers), up to [`Config::page_concurrency`] pages are requested
/// ahead, concurrently, and their records still come out in order, one page at a time; pages
/// fetched past the last one are dropped unread. Without one (cursors), the next page is
/// requested as soon as the current one names it, while its records are being read.
pub fn walk<'a, R, T, C, F, Fut, U>(
    provider: &'static ProviderInfo,
    operation: &'static str,
    config: &Config,
    first: Option<C>,
    successor: Option<Successor<C>>,
    fetch: F,
    user: U,
) -> UserStream<'a, T>
where
    R: Send + 'a,
    T: Send + 'a,
    U: Fn(R) -> T + Clone + Send + 'a,
    C: Clone + Hash + PartialEq + fmt::Display + Send + 'a,
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
    let walk = Walk {
        report: report.clone(),
        seen_ids: RecentIds::default(),
        provider,
        operation,
        fetch: Box::new(move |cursor| Box::pin(fetch(cursor)) as Fetching<'a, R, C>),
        launch: Some(first),
        successor,
        ahead,
        inflight: FuturesOrdered::new(),
        ready: VecDeque::new(),
        launched: 0,
        batch: None,
        polls: 0,
        max_pages: config.max_pages(),
        max_users: config.max_users(),
        pages: 0,
        users: 0,
        state,
        seen_cursors,
        seen_pages: HashSet::new(),
        finished: false,
        waited: Arc::default(),
    };
    // Each page's records move straight from the decoded page to the reader: no second
    // vector, so a user is copied once on its way out, as in a hand-written loop.
    let inner = walk.map(move |item| item.map(&user)).boxed();
    UserStream::new(inner, report)
}

/// What one step of the walk yields: records of a page in order, then the error that ended
/// the walk, if one did.
struct Batch<R> {
    records: std::vec::IntoIter<R>,
    error: Option<Error>,
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
        }
    }
}

/// How many pages back a user's id is remembered to drop it as a duplicate: enough for the
/// shifts of offset pagination (a user moving across a page boundary while the walk runs),
/// while memory stays flat however many users an account has.
const DUPLICATE_WINDOW: usize = 32;

/// The ids (hashes) of the users of the last [`DUPLICATE_WINDOW`] pages.
#[derive(Default)]
struct RecentIds {
    /// How many of the remembered pages hold each id.
    counts: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
    /// Each remembered page's ids, oldest first; the last is the page being read.
    pages: VecDeque<Vec<u64>>,
    current: Vec<u64>,
}

impl RecentIds {
    /// Remembers `id` for the page being read; `false` when it was already seen.
    fn insert(&mut self, id: u64) -> bool {
        let count = self.counts.entry(id).or_insert(0);
        *count += 1;
        if *count > 1 {
            // Only the first sighting is remembered for the page.
            *count -= 1;
            return false;
        }
        self.current.push(id);
        true
    }

    /// Ends the page being read; forgets the oldest page past the window.
    fn close_page(&mut self) {
        self.pages.push_back(std::mem::take(&mut self.current));
        if self.pages.len() > DUPLICATE_WINDOW
            && let Some(old) = self.pages.pop_front()
        {
            for id in old {
                if let Some(count) = self.counts.get_mut(&id) {
                    *count -= 1;
                    if *count == 0 {
                        self.counts.remove(&id);
                    }
                }
            }
        }
    }
}

/// A hasher for keys that are hashes already: it passes them through.
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
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
    state: RandomState,
    seen_cursors: HashSet<u64>,
    seen_pages: HashSet<u64>,
    finished: bool,
    /// Milliseconds waited so far by the walk's calls: one wait budget for the whole walk.
    waited: Arc<AtomicU64>,
}

// Nothing of a walk is pinned in place: requests in flight are boxed futures.
impl<R, C> Unpin for Walk<'_, R, C> {}

impl<'a, R, C> Stream for Walk<'a, R, C>
where
    R: Send + 'a,
    C: Clone + Hash + PartialEq + fmt::Display + Send + 'a,
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
                    return Poll::Ready(Some(item));
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
    C: Clone + Hash + PartialEq + fmt::Display + Send + 'a,
{
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
                crate::retry::with_wait_budget(self.waited.clone(), (self.fetch)(cursor.clone()));
            self.inflight
                .push_back(Box::pin(PAGE_RETRIES.scope(Cell::new(0), async move {
                    let page = request.await;
                    (cursor, page, PAGE_RETRIES.with(Cell::get))
                })));
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
            return Batch::new(Vec::new(), None);
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
            if self.seen_ids.insert(id) {
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
        let users = self.users;
        self.report.update(|r| {
            r.users = users;
            r.duplicates += duplicates;
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
        Batch::new(records, None)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals() {
        let none = Signals::default();
        assert!(!none.more());
        assert!(Signals { full: true, ..none }.more());
        let full = Signals { full: true, ..none };
        assert!(
            !Signals {
                has_more: Some(false),
                ..full
            }
            .more()
        );
        assert!(
            !Signals {
                link: Some(false),
                ..full
            }
            .more()
        );
        assert!(
            Signals {
                link: Some(true),
                ..none
            }
            .more()
        );
        assert!(
            Signals {
                has_more: Some(true),
                ..none
            }
            .more()
        );
        assert!(
            !Signals {
                has_more: Some(true),
                link: Some(false),
                full: true
            }
            .more()
        );
    }

    #[test]
    fn ids_hash_by_their_json_form() {
        let of = |id: &dyn Fn(&mut DefaultHasher)| {
            let mut hasher = DefaultHasher::new();
            id(&mut hasher);
            hasher.finish()
        };
        assert_eq!(
            of(&|h| hash_id("42", h)),
            of(&|h| hash_id(&"42".to_owned(), h))
        );
        assert_ne!(of(&|h| hash_id("42", h)), of(&|h| hash_id(&42, h)));
        assert_ne!(of(&|h| hash_id(&1, h)), of(&|h| hash_id(&2, h)));
    }

    #[test]
    fn duplicates_are_remembered_for_a_window_of_pages() {
        let mut ids = RecentIds::default();
        assert!(ids.insert(1));
        assert!(!ids.insert(1), "twice on one page");
        ids.close_page();
        assert!(!ids.insert(1), "on the next page");
        for page in 0..DUPLICATE_WINDOW as u64 {
            assert!(ids.insert(100 + page));
            ids.close_page();
        }
        assert!(ids.insert(1), "forgotten past the window");
        assert!(
            ids.counts.len() <= DUPLICATE_WINDOW + 1,
            "memory stays bounded"
        );
    }
}
