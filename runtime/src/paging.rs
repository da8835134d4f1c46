//! Walking every page of a list: the one paginator under every generated all-pages walk.
//!
//! Codegen turns a list operation's `x-rollcall-pagination` into one function that fetches the
//! page after a cursor (a page number, an opaque cursor, or nothing) and reads from the page
//! what it says about the next one ([`Signals`]). This module turns it into a stream that holds
//! at most one page in memory, stops on an empty page, refuses a cursor or a page it has
//! already seen, and honours the `max_pages` and `max_users` caps.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, DefaultHasher, Hash, Hasher as _, RandomState};

use futures::StreamExt as _;
use futures::stream::{self, BoxStream};

use crate::{Config, Error, ErrorKind, PagingError, ProviderInfo};

/// The users of a provider, one by one, as the all-users walks yield them.
///
/// A boxed [`futures::Stream`]: use it with [`futures::TryStreamExt`] (`try_next`,
/// `try_collect`, ...). After an `Err` the stream ends.
pub type UserStream<'a, T> = BoxStream<'a, Result<T, Error>>;

/// One page as a generated fetch function reports it.
pub struct Page<R, C> {
    /// The records of the page, as decoded (turned into users only as they are yielded).
    items: Vec<R>,
    /// The cursor of the next page, or `None` when the server says this is the last.
    next: Option<C>,
    /// A hash of the records' ids: two pages with the same one are the same page.
    fingerprint: u64,
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
pub fn walk<'a, R, T, C, F, Fut, U>(
    provider: &'static ProviderInfo,
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
        waited: std::sync::Arc::default(),
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
    provider: &'static ProviderInfo,
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
    /// Milliseconds waited so far by the walk's calls: one wait budget for the whole walk.
    waited: std::sync::Arc<std::sync::atomic::AtomicU64>,
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
        let fetch = (self.fetch)(self.cursor.clone());
        let page = match crate::retry::with_wait_budget(self.waited.clone(), fetch).await {
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
        let error = Error::new(self.provider.name, self.operation, ErrorKind::Paging(error));
        (Batch::new(records, Some(error)), self)
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
}
