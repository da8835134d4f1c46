//! Walking every page of a list: the loop shared by the providers' `all_users` streams.
//!
//! A provider supplies one function that fetches the page after a cursor and says which cursor
//! comes next (or that the walk is over). This module turns it into a stream that holds at most
//! one page in memory, stops on an empty page, refuses a cursor or a page it has already seen,
//! and honours the `max_pages` and `max_users` caps.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, DefaultHasher, Hash, Hasher, RandomState};

use futures::StreamExt as _;
use futures::stream::{self, BoxStream};

use super::{Config, Error, ErrorKind, PagingError, Provider};

/// The users of a provider, one by one, as the all-users walks yield them.
///
/// A boxed [`futures::Stream`]: use it with [`futures::TryStreamExt`] (`try_next`,
/// `try_collect`, ...). After an `Err` the stream ends.
pub type UserStream<'a, T> = BoxStream<'a, Result<T, Error>>;

/// One page as a provider's fetch function reports it.
pub(crate) struct Page<T, C> {
    /// The records of the page.
    pub(crate) items: Vec<T>,
    /// The cursor of the next page, or `None` when the server says this is the last.
    pub(crate) next: Option<C>,
    /// A hash of the records' ids: two pages with the same one are the same page.
    pub(crate) fingerprint: u64,
}

impl<T, C> Page<T, C> {
    /// A page whose fingerprint is computed from the records' ids.
    pub(crate) fn new<K: Hash>(items: Vec<T>, next: Option<C>, id: impl Fn(&T) -> K) -> Self {
        let mut hasher = DefaultHasher::new();
        for item in &items {
            id(item).hash(&mut hasher);
        }
        Self {
            fingerprint: hasher.finish(),
            items,
            next,
        }
    }
}

/// Walks every page, starting at `first`, with `fetch`.
pub(crate) fn walk<'a, T, C, F, Fut>(
    provider: Provider,
    operation: &'static str,
    config: &Config,
    first: Option<C>,
    fetch: F,
) -> UserStream<'a, T>
where
    T: Send + 'a,
    C: Clone + Hash + fmt::Display + Send + 'a,
    F: FnMut(Option<C>) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T, C>, Error>> + Send + 'a,
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
    stream::unfold(walk, Walk::step)
        .flat_map(stream::iter)
        .boxed()
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
    async fn step<T, Fut>(mut self) -> Option<(Vec<Result<T, Error>>, Self)>
    where
        F: FnMut(Option<C>) -> Fut,
        Fut: Future<Output = Result<Page<T, C>, Error>>,
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
                return Some((vec![Err(error)], self));
            }
        };
        self.pages += 1;
        if page.items.is_empty() {
            self.finished = true;
            return Some((Vec::new(), self));
        }
        if !self.seen_pages.insert(page.fingerprint) {
            let page = self.pages;
            return Some(self.stop(Vec::new(), PagingError::RepeatedPage { page }));
        }
        let mut out = Vec::with_capacity(page.items.len() + 1);
        let mut more_users = false;
        for item in page.items {
            if self.max_users.is_some_and(|max| self.users >= max) {
                more_users = true;
                break;
            }
            self.users += 1;
            out.push(Ok(item));
        }
        if let Some(max_users) = self.max_users
            && self.users >= max_users
            && (more_users || page.next.is_some())
        {
            return Some(self.stop(out, PagingError::UserLimit { max_users }));
        }
        match page.next {
            None => self.finished = true,
            Some(next) => {
                if !self.seen_cursors.insert(self.state.hash_one(&next)) {
                    let error = PagingError::RepeatedCursor {
                        page: self.pages,
                        cursor: next.to_string(),
                    };
                    return Some(self.stop(out, error));
                }
                self.cursor = Some(next);
            }
        }
        Some((out, self))
    }

    /// Ends the walk after `out` with `error`.
    fn stop<T>(
        mut self,
        mut out: Vec<Result<T, Error>>,
        error: PagingError,
    ) -> (Vec<Result<T, Error>>, Self) {
        self.finished = true;
        out.push(Err(Error::new(
            self.provider,
            self.operation,
            ErrorKind::Paging(error),
        )));
        (out, self)
    }
}
