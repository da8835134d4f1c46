//! Walking every page of a list: the loop shared by the providers' `all_users` streams.
//!
//! A provider supplies one function that fetches the page after a cursor and says which cursor
//! comes next (or that the walk is over). This module turns it into a stream that holds at most
//! one page in memory, stops on an empty page, refuses a cursor or a page it has already seen,
//! and honours the `max_pages` and `max_users` caps.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, DefaultHasher, Hash, Hasher as _, RandomState};

use futures::StreamExt as _;
use futures::stream::{self, BoxStream};

use super::{Config, Error, ErrorKind, PagingError, Provider};

/// The users of a provider, one by one, as the all-users walks yield them.
///
/// A boxed [`futures::Stream`]: use it with [`futures::TryStreamExt`] (`try_next`,
/// `try_collect`, ...). After an `Err` the stream ends.
pub type UserStream<'a, T> = BoxStream<'a, Result<T, Error>>;

/// One page as a provider's fetch function reports it.
pub(crate) struct Page<R, C> {
    /// The records of the page, as decoded (turned into users only as they are yielded).
    pub(crate) items: Vec<R>,
    /// The cursor of the next page, or `None` when the server says this is the last.
    pub(crate) next: Option<C>,
    /// A hash of the records' ids: two pages with the same one are the same page.
    pub(crate) fingerprint: u64,
}

impl<R, C> Page<R, C> {
    /// A page whose fingerprint is computed from the records' ids, which `id` feeds to the
    /// hasher (by reference, so that no id is copied or formatted).
    pub(crate) fn new(items: Vec<R>, next: Option<C>, id: impl Fn(&R, &mut DefaultHasher)) -> Self {
        let mut hasher = DefaultHasher::new();
        for item in &items {
            id(item, &mut hasher);
        }
        Self {
            fingerprint: hasher.finish(),
            items,
            next,
        }
    }
}

/// Walks every page, starting at `first`, with `fetch`; `user` turns each record of a page
/// into the user the stream yields, as it is yielded.
pub(crate) fn walk<'a, R, T, C, F, Fut, U>(
    provider: Provider,
    operation: &'static str,
    config: &Config,
    first: Option<C>,
    fetch: F,
    user: U,
) -> UserStream<'a, T>
where
    R: Send + 'a,
    T: Send + 'a,
    U: Fn(R) -> T + Clone + Send + 'a,
    C: Clone + Hash + fmt::Display + Send + 'a,
    F: FnMut(Option<C>) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<R, C>, Error>> + Send + 'a,
{
    let state = RandomState::new();
    let mut seen_cursors = HashSet::new();
    if let Some(cursor) = &first {
        seen_cursors.insert(state.hash_one(cursor));
    }
    let walk = Walk {
        provider,
        operation,
        fetch,
        cursor: first,
        max_pages: config.max_pages(),
        max_users: config.max_users(),
        pages: 0,
        users: 0,
        state,
        seen_cursors,
        seen_pages: HashSet::new(),
        finished: false,
    };
    // Each page's records move straight from the decoded page to the reader: no second
    // vector, so a user is copied once on its way out, as in a hand-written loop.
    stream::unfold(walk, Walk::step)
        .flat_map(move |batch| {
            let user = user.clone();
            stream::iter(batch.map(move |item| item.map(&user)))
        })
        .boxed()
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

struct Walk<C, F> {
    provider: Provider,
    operation: &'static str,
    fetch: F,
    cursor: Option<C>,
    max_pages: Option<u64>,
    max_users: Option<u64>,
    pages: u64,
    users: u64,
    state: RandomState,
    seen_cursors: HashSet<u64>,
    seen_pages: HashSet<u64>,
    finished: bool,
}

impl<C, F> Walk<C, F>
where
    C: Clone + Hash + fmt::Display,
{
    /// Fetches the next page; yields its records (and an error when the walk must stop early).
    async fn step<R, Fut>(mut self) -> Option<(Batch<R>, Self)>
    where
        F: FnMut(Option<C>) -> Fut,
        Fut: Future<Output = Result<Page<R, C>, Error>>,
    {
        if self.finished {
            return None;
        }
        if let Some(max_pages) = self.max_pages
            && self.pages >= max_pages
        {
            return Some(self.stop(Vec::new(), PagingError::PageLimit { max_pages }));
        }
        let page = match (self.fetch)(self.cursor.clone()).await {
            Ok(page) => page,
            Err(error) => {
                self.finished = true;
                return Some((Batch::new(Vec::new(), Some(error)), self));
            }
        };
        self.pages += 1;
        if page.items.is_empty() {
            self.finished = true;
            return Some((Batch::new(Vec::new(), None), self));
        }
        if !self.seen_pages.insert(page.fingerprint) {
            let page = self.pages;
            return Some(self.stop(Vec::new(), PagingError::RepeatedPage { page }));
        }
        let mut records = page.items;
        let mut more_users = false;
        if let Some(max_users) = self.max_users {
            let room = usize::try_from(max_users.saturating_sub(self.users)).unwrap_or(usize::MAX);
            more_users = records.len() > room;
            records.truncate(room);
        }
        self.users += records.len() as u64;
        if let Some(max_users) = self.max_users
            && self.users >= max_users
            && (more_users || page.next.is_some())
        {
            return Some(self.stop(records, PagingError::UserLimit { max_users }));
        }
        match page.next {
            None => self.finished = true,
            Some(next) => {
                if !self.seen_cursors.insert(self.state.hash_one(&next)) {
                    let error = PagingError::RepeatedCursor {
                        page: self.pages,
                        cursor: next.to_string(),
                    };
                    return Some(self.stop(records, error));
                }
                self.cursor = Some(next);
            }
        }
        Some((Batch::new(records, None), self))
    }

    /// Ends the walk after `records` with `error`.
    fn stop<R>(mut self, records: Vec<R>, error: PagingError) -> (Batch<R>, Self) {
        self.finished = true;
        let error = Error::new(self.provider, self.operation, ErrorKind::Paging(error));
        (Batch::new(records, Some(error)), self)
    }
}
