//! Incremental exports: the users that changed since a time or since the previous export,
//! where a provider's spec declares an export for it (`x-rollcall-pagination.incremental`).
//!
//! An incremental export is a cursor walk with two differences, both generic: the first
//! request of a first export carries a start time instead of a cursor (and later requests carry
//! only the cursor), and the cursor the last page hands out is kept — it is where the next
//! export starts, so that it reads only what changed after this one ([`ChangeStream::cursor`]).
//! A user changed twice during an export is sent twice; both are yielded, the later newer.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt as _};

use crate::error::Error;
use crate::list::{List, page, prepare, signals};
use crate::provider::ProviderInfo;
use crate::stream::{Report, UserStream};
use crate::walk::walk;

/// Where an incremental export starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Since {
    /// Everything changed at or after this time (a first export).
    Time(DateTime<Utc>),
    /// Everything changed after the export that handed out this cursor.
    Cursor(String),
}

/// An incremental export operation's request builder: a [`List`] that pages by cursor and can
/// start at a time; implemented by codegen for the operation a spec marks `incremental`.
pub trait Incremental<'a>: List<'a> {
    /// The same request starting at `epoch_seconds`.
    fn with_start_time(self, epoch_seconds: i64) -> Self;
}

/// The users an incremental export yields, in the order they changed, and the cursor the next
/// export starts from.
///
/// ```
/// # async fn run<C: rollcall_runtime::Users>(client: &C) -> Result<(), rollcall_runtime::Error> {
/// use futures::TryStreamExt as _;
/// use rollcall_runtime::Since;
///
/// let week_ago = chrono::Utc::now() - chrono::Duration::days(7);
/// if let Some(changes) = client.changed_users(Since::Time(week_ago)) {
///     let report = changes.report();
///     let cursor = changes.cursor();
///     let changed: Vec<C::User> = changes.try_collect().await?;
///     if report.get().is_complete() {
///         // Keep `cursor.get()` for the next run: `Since::Cursor(..)`.
///         println!("{} changed; next time from {:?}", changed.len(), cursor.get());
///     }
/// }
/// # Ok(()) }
/// ```
pub struct ChangeStream<'a, T> {
    users: UserStream<'a, T>,
    cursor: NextCursor,
}

/// A handle on the cursor an export's pages handed out: after the export ended complete, where
/// the next one starts. Readable after the stream is consumed or dropped.
#[derive(Clone, Debug, Default)]
pub struct NextCursor(Arc<Mutex<Option<String>>>);

impl NextCursor {
    /// The cursor the latest page fetched handed out (`None` before any page).
    pub fn get(&self) -> Option<String> {
        match self.0.lock() {
            Ok(cursor) => cursor.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set(&self, cursor: String) {
        match self.0.lock() {
            Ok(mut slot) => *slot = Some(cursor),
            Err(poisoned) => *poisoned.into_inner() = Some(cursor),
        }
    }
}

impl<'a, T> ChangeStream<'a, T> {
    /// A handle on the walk's report: [`WalkReport::is_complete`](crate::WalkReport::is_complete)
    /// says whether the export reached the present.
    pub fn report(&self) -> Report {
        self.users.report()
    }

    /// A handle on the cursor the next export starts from (final once the stream has ended).
    pub fn cursor(&self) -> NextCursor {
        self.cursor.clone()
    }

    /// The same export, each user turned by `f`.
    pub fn map_users<U>(
        self,
        f: impl FnMut(Result<T, Error>) -> Result<U, Error> + Send + 'a,
    ) -> ChangeStream<'a, U>
    where
        T: 'a,
    {
        ChangeStream {
            users: self.users.map_users(f),
            cursor: self.cursor,
        }
    }
}

impl<T> Stream for ChangeStream<'_, T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.users.poll_next_unpin(cx)
    }
}

impl<T> fmt::Debug for ChangeStream<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChangeStream")
            .field("users", &self.users)
            .field("cursor", &self.cursor.get())
            .finish()
    }
}

/// The users `request`'s incremental export yields since `since`.
pub fn walk_changes<'a, L: Incremental<'a>>(
    provider: &'static ProviderInfo,
    request: L,
    since: Since,
) -> ChangeStream<'a, L::User> {
    let (request, marks) = prepare(provider, request);
    let config = request.config().clone();
    let signals = signals::<L>(&config);
    let cursor = NextCursor::default();
    let slot = cursor.clone();
    let fetch = move |at: Option<String>| {
        let request = request.clone();
        // The first request starts at the time or the previous export's cursor; every later
        // one carries only the cursor the page before handed out.
        let request = match (at, &since) {
            (Some(cursor), _) => request.with_cursor(cursor),
            (None, Since::Cursor(cursor)) => request.with_cursor(cursor.clone()),
            (None, Since::Time(time)) => request.with_start_time(time.timestamp()),
        };
        let fetching = request.fetch();
        let slot = slot.clone();
        async move {
            let body = fetching.await?;
            let handed = L::next_cursor(&body).filter(|c| !c.is_empty());
            if let Some(handed) = &handed {
                slot.set(handed.clone());
            }
            let next = handed.filter(|_| signals(&body).more());
            Ok(page::<L, _>(body, next))
        }
    };
    let users = walk(
        provider,
        L::OPERATION,
        &config,
        None,
        None,
        fetch,
        L::user,
        marks,
        None,
        false,
    );
    ChangeStream { users, cursor }
}
