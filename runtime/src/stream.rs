//! What a walk over all pages gives its reader: the [`UserStream`] of users and the
//! [`WalkReport`] of what the walk did and why it [`Stop`]ped.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::stream::BoxStream;
use futures::{Stream, StreamExt as _};

use crate::error::Error;

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
    /// Whether the walk got every user: it ended at the provider's last page (the server said
    /// so, or a page came back empty where the spec stops on one) — not at `max_pages`,
    /// `max_users`, an error or a wait budget, nor while it was still going — and the total
    /// the server declared, where it declares one, agrees with what the walk yielded. A
    /// consumer that replaces its picture of an account with an export needs exactly this.
    ///
    /// ```
    /// use rollcall_runtime::{Stop, WalkReport};
    ///
    /// let mut report = WalkReport::default();
    /// report.users = 250;
    /// report.stop = Some(Stop::LastPage);
    /// assert!(report.is_complete());
    /// report.declared_total = Some(251);
    /// assert!(!report.is_complete());
    /// report.declared_total = None;
    /// report.stop = Some(Stop::MaxPages);
    /// assert!(!report.is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        matches!(self.stop, Some(Stop::LastPage | Stop::EmptyPage)) && !self.total_disagrees()
    }

    /// Why [`is_complete`](Self::is_complete) is false, in a few words; `None` when it is true.
    pub fn incomplete_because(&self) -> Option<String> {
        match self.stop {
            _ if self.is_complete() => None,
            None => Some("the walk did not reach its end".to_owned()),
            Some(Stop::MaxPages) => Some(format!(
                "it stopped at max_pages after {} page(s)",
                self.pages
            )),
            Some(Stop::MaxUsers) => Some(format!(
                "it stopped at max_users after {} user(s)",
                self.users
            )),
            Some(Stop::Error) => Some(format!(
                "it ended with an error after {} page(s)",
                self.pages
            )),
            Some(Stop::LastPage | Stop::EmptyPage) => Some(format!(
                "the provider declared {} users but the walk yielded {}",
                self.declared_total.unwrap_or_default(),
                self.users + self.duplicates
            )),
        }
    }

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

    /// Changes the report (the walk does, as it goes).
    pub(crate) fn update(&self, f: impl FnOnce(&mut WalkReport)) {
        if let Ok(mut report) = self.0.lock() {
            f(&mut report);
        }
    }
}
