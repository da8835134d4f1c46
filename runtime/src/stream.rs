//! What a walk over all pages gives its reader: the [`UserStream`] of users and the
//! [`WalkReport`] of what the walk did and why it [`Stop`]ped.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::stream::BoxStream;
use futures::{Stream, StreamExt as _};

use crate::checkpoint::{CHECKPOINT_FORMAT, Checkpoint, Position, ResumedFrom};
use crate::drift::{Drift, DriftReport};
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
    marks: Option<Arc<Marks>>,
    /// The walks a union of several is made of (`x-rollcall.walks`), whose drift it reports.
    parts: Vec<Arc<Marks>>,
}

impl<'a, T> UserStream<'a, T> {
    /// A stream of users with the report of the walk that yields them.
    pub fn new(inner: BoxStream<'a, Result<T, Error>>, report: Report) -> Self {
        Self {
            inner,
            report,
            marks: None,
            parts: Vec::new(),
        }
    }

    /// The facts of the walk's checkpoints (and its drift checks), if it is a walk over pages.
    pub(crate) fn marks(&self) -> Option<Arc<Marks>> {
        self.marks.clone()
    }

    /// The same stream, as the union of the walks whose marks are `parts`.
    pub(crate) fn with_parts(mut self, parts: Vec<Arc<Marks>>) -> Self {
        self.parts = parts;
        self
    }

    /// The same stream, whose walk publishes its checkpoints to `marks`.
    pub(crate) fn with_marks(mut self, marks: Arc<Marks>) -> Self {
        self.marks = Some(marks);
        self
    }

    /// A handle on the walk's report; it stays valid after the stream is consumed or dropped.
    pub fn report(&self) -> Report {
        self.report.clone()
    }

    /// Where the walk stands after the last page whose users were all yielded (before the
    /// first page: at its start), to continue it later with
    /// [`Users::resume_users`](crate::Users::resume_users); `None` for a stream that is not a
    /// walk over pages. Users of a page being read are never covered: a walk resumed from this
    /// checkpoint yields every user this stream has not yielded, and none it has.
    ///
    /// ```
    /// # async fn run<C: rollcall_runtime::Users>(client: &C) -> Result<(), Box<dyn std::error::Error>>
    /// # where C::User: std::fmt::Debug {
    /// use futures::TryStreamExt as _;
    /// let mut users = client.all_users();
    /// while let Some(user) = users.try_next().await? {
    ///     println!("{user:?}");
    ///     if let Some(checkpoint) = users.checkpoint() {
    ///         std::fs::write("walk.checkpoint", serde_json::to_vec(&checkpoint)?)?;
    ///     }
    /// }
    /// // After a crash, elsewhere:
    /// let text = std::fs::read("walk.checkpoint")?;
    /// let rest = client.resume_users(&serde_json::from_slice(&text)?)?;
    /// # let _ = rest; Ok(()) }
    /// ```
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        self.marks.as_ref().map(|marks| marks.checkpoint())
    }

    /// Where the responses the walk read so far differ from the spec, when the client checks
    /// them ([`ClientBuilder::drift`](crate::ClientBuilder::drift)); `None` when it does not.
    /// Findings hold pointers into the spec, kinds, counts and JSON types, never a value.
    ///
    /// ```
    /// # async fn run(client: &dyn rollcall_runtime::AnyClient) -> Result<(), rollcall_runtime::Error> {
    /// use futures::TryStreamExt as _;
    /// let mut users = client.all_users_json();
    /// while users.try_next().await?.is_some() {}
    /// if let Some(drift) = users.drift() {
    ///     for finding in &drift.findings {
    ///         eprintln!("{} {} ({}x)", finding.kind, finding.pointer, finding.count);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn drift(&self) -> Option<DriftReport> {
        if !self.parts.is_empty() {
            return self.merged_drift();
        }
        let marks = self.marks.as_ref()?;
        let drift = marks.drift.as_ref()?;
        Some(drift.report(marks.provider, marks.spec))
    }

    /// The drift of a union of walks: the findings of each, those of one pointer and kind
    /// counted together (the first walk to find one keeps its first page).
    fn merged_drift(&self) -> Option<DriftReport> {
        let mut reports = self.parts.iter().filter_map(|marks| {
            let drift = marks.drift.as_ref()?;
            Some(drift.report(marks.provider, marks.spec))
        });
        let mut merged = reports.next()?;
        for report in reports {
            for finding in report.findings {
                match merged
                    .findings
                    .iter_mut()
                    .find(|f| f.pointer == finding.pointer && f.kind == finding.kind)
                {
                    Some(found) => {
                        found.count += finding.count;
                        for value in finding.values {
                            if !found.values.contains(&value) {
                                found.values.push(value);
                            }
                        }
                    }
                    None => merged.findings.push(finding),
                }
            }
        }
        Some(merged)
    }

    /// How many pages the latest [`checkpoint`](Self::checkpoint) covers: it changes exactly
    /// when a new checkpoint can be taken, so that a writer saves one per page, not per user.
    pub fn checkpointed_pages(&self) -> Option<u64> {
        self.marks.as_ref().map(|marks| marks.latest().pages)
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
            marks: self.marks,
            parts: self.parts,
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
    /// The checkpoint this walk continued from, if it was resumed (its counts are included
    /// in `pages`, `users` and `duplicates`).
    pub resumed_from: Option<ResumedFrom>,
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

/// Where a walk stood after a page whose users were all yielded.
#[derive(Clone, Debug)]
pub(crate) struct Mark {
    pub(crate) next: Position,
    pub(crate) pages: u64,
    pub(crate) users: u64,
    pub(crate) duplicates: u64,
    /// The de-duplication window's pages (shared with the walk, so that a mark is cheap).
    pub(crate) window: Vec<Arc<[u64]>>,
}

/// What a walk's checkpoints are made of: the facts fixed for the walk, and its latest mark.
#[derive(Debug)]
pub(crate) struct Marks {
    pub(crate) provider: &'static str,
    pub(crate) operation: &'static str,
    pub(crate) spec: &'static str,
    pub(crate) endpoint: String,
    pub(crate) filters: Vec<(String, String)>,
    pub(crate) id_hash: u64,
    pub(crate) latest: Mutex<Mark>,
    /// The walk's drift checks, when the client asked for them.
    pub(crate) drift: Option<Arc<Drift>>,
}

impl Marks {
    /// The latest mark.
    pub(crate) fn latest(&self) -> Mark {
        match self.latest.lock() {
            Ok(mark) => mark.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Makes `mark` the latest.
    pub(crate) fn publish(&self, mark: Mark) {
        match self.latest.lock() {
            Ok(mut latest) => *latest = mark,
            Err(poisoned) => *poisoned.into_inner() = mark,
        }
    }

    fn checkpoint(&self) -> Checkpoint {
        let mark = self.latest();
        Checkpoint {
            format: CHECKPOINT_FORMAT,
            provider: self.provider.to_owned(),
            operation: self.operation.to_owned(),
            endpoint: self.endpoint.clone(),
            filters: self.filters.clone(),
            spec: self.spec.to_owned(),
            next: mark.next,
            pages: mark.pages,
            users: mark.users,
            duplicates: mark.duplicates,
            recent_ids: mark.window.iter().map(|page| page.to_vec()).collect(),
            id_hash: self.id_hash,
            taken_at: chrono::Utc::now(),
        }
    }
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
