//! Per-call ambient state: the one module that owns every task-local of the runtime.
//!
//! Why ambient, not arguments: progenitor owns each operation's `send()`. Between the
//! generated builder and the wire, our code only runs in progenitor's `ClientHooks` (`pre` and
//! `exec`), which receive the request and the operation's name and nothing else. What a call
//! needs to carry past `send()` — what its final response looked like, the wait budget of the
//! walk it belongs to, the retries of the page being fetched — therefore rides along as a
//! `tokio` task-local set around the `send()` future and read inside the hooks (or, for a
//! walk's page with drift checks on, in `client::call_page`, which sends it itself). (What a walk
//! sends is not among them: filters, page sizes and cursors are set with the generated
//! builder's own setters.) Each piece is set by exactly one
//! function here and read or written only through the functions here, so the ambient state of
//! a call is all in one place.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::drift::Drift;

/// What the hooks saw of one call: the final response's status and headers and how many
/// attempts it took. The generated code drops the response when its body does not parse, so
/// the hand-written layer reads these here to name the status in its error.
#[derive(Debug, Default, Clone)]
pub(crate) struct Exchange {
    pub(crate) status: Option<StatusCode>,
    pub(crate) headers: HeaderMap,
    pub(crate) attempts: u32,
    /// The operation id of the call, once it reached the network.
    pub(crate) operation: Option<&'static str>,
    /// The body of the final response when its status is not a success (cheap to keep: the
    /// generated code reads the same buffer).
    pub(crate) error_body: Option<bytes::Bytes>,
    /// Set when the wait budget ran out: how long had been waited, and the budget.
    pub(crate) wait_exhausted: Option<(Duration, Duration)>,
    /// Set when no access token could be obtained to sign the request: why, in one line.
    pub(crate) token_failure: Option<String>,
}

tokio::task_local! {
    /// What the hooks saw of the call being observed ([`observe`]).
    static EXCHANGE: RefCell<Exchange>;
    /// Milliseconds waited by every call of the current walk: one budget for the whole walk.
    static WAITED: Arc<AtomicU64>;
    /// Retries of the page being fetched, counted by the retry loop.
    static PAGE_RETRIES: Cell<u64>;
    /// Set while a request is built only to be read ([`dry_run`], [`capture`]): the request
    /// as built, before it is signed.
    static DRY_RUN: RefCell<Option<reqwest::Request>>;
    /// The drift checks of the page being fetched ([`with_page_check`]).
    static PAGE_CHECK: PageCheck;
}

/// What checks one page of a walk against the spec: the walk's drift, the page's number and
/// its operation.
#[derive(Clone)]
pub(crate) struct PageCheck {
    pub(crate) drift: Arc<Drift>,
    pub(crate) page: u64,
    pub(crate) operation: &'static str,
}

/// Runs `call` (a page fetch) with `check` seeing every response received inside it, and
/// decoding its page ([`crate::client::call_page`]).
pub(crate) async fn with_page_check<F: Future>(check: PageCheck, call: F) -> F::Output {
    PAGE_CHECK.scope(check, call).await
}

/// The drift checks of the page being fetched, if its walk has them.
pub(crate) fn page_check() -> Option<PageCheck> {
    PAGE_CHECK.try_with(PageCheck::clone).ok()
}

/// Shows a response's status and headers to the drift checks of the page, if it has them.
pub(crate) fn inspect(status: StatusCode, headers: &HeaderMap) {
    let _ = PAGE_CHECK.try_with(|check| {
        check
            .drift
            .observe(check.operation, check.page, status.as_u16(), headers)
    });
}

/// Builds the request `call` (a generated `send()` future) would send, without sending it, and
/// returns its URL without the query, and the query's pairs; `None` when the request could not
/// be built. The hooks' `pre` stops the call ([`dry_run_stop`]) before the request is signed or
/// paced, so nothing reaches the network and no credential is read.
pub(crate) fn dry_run<F: Future>(call: F) -> Option<(String, Vec<(String, String)>)> {
    let (request, _) = capture(call);
    let url = request?.url().clone();
    let pairs = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut endpoint = url;
    endpoint.set_query(None);
    endpoint.set_fragment(None);
    let _ = endpoint.set_username("");
    let _ = endpoint.set_password(None);
    Some((endpoint.to_string(), pairs))
}

/// Builds the request `call` (a generated `send()` future) would send, stopped in the `pre`
/// hook before it is signed: the request, or `None` and what the call returned when it could
/// not be built.
pub(crate) fn capture<F: Future>(call: F) -> (Option<reqwest::Request>, Option<F::Output>) {
    use futures::FutureExt as _;
    DRY_RUN.sync_scope(RefCell::new(None), || {
        // Building a request awaits nothing: one poll reaches the `pre` hook.
        let output = call.now_or_never();
        let request = DRY_RUN.with(|request| request.take());
        (request, output)
    })
}

/// Inside [`dry_run`] or [`capture`]: keeps a copy of `request` and returns `true`, and the
/// hook stops the call there.
pub(crate) fn dry_run_stop(request: &reqwest::Request) -> bool {
    DRY_RUN
        .try_with(|slot| *slot.borrow_mut() = request.try_clone())
        .is_ok()
}

/// Runs `call` (a generated `send()` future) and returns its output with what the hooks saw.
pub(crate) async fn observe<F: Future>(call: F) -> (F::Output, Exchange) {
    EXCHANGE
        .scope(RefCell::new(Exchange::default()), async move {
            let output = call.await;
            let exchange = EXCHANGE.with(|e| e.take());
            (output, exchange)
        })
        .await
}

/// Changes what the hooks saw of the call being observed, if one is.
pub(crate) fn update_exchange(f: impl FnOnce(&mut Exchange)) {
    let _ = EXCHANGE.try_with(|exchange| f(&mut exchange.borrow_mut()));
}

/// Runs `call` with `waited` as the wait budget of every request inside it (a walk's fetches).
pub(crate) async fn with_wait_budget<F: Future>(waited: Arc<AtomicU64>, call: F) -> F::Output {
    WAITED.scope(waited, call).await
}

/// The wait budget of the walk this request belongs to, or a fresh one of its own.
pub(crate) fn wait_budget() -> Arc<AtomicU64> {
    WAITED
        .try_with(Arc::clone)
        .unwrap_or_else(|_| Arc::new(AtomicU64::new(0)))
}

/// Runs `fetch` (one page's request) and returns its output with the retries it took.
pub(crate) async fn count_retries<F: Future>(fetch: F) -> (F::Output, u64) {
    PAGE_RETRIES
        .scope(Cell::new(0), async move {
            let output = fetch.await;
            (output, PAGE_RETRIES.with(Cell::get))
        })
        .await
}

/// Counts one retry for the walk fetching this page, if any.
pub(crate) fn note_retry() {
    let _ = PAGE_RETRIES.try_with(|retries| retries.set(retries.get() + 1));
}
