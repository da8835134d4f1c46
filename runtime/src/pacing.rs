//! Staying inside a provider's rate limit instead of running into it: one budget per client,
//! shared by its clones and every walk on it.
//!
//! - A documented limit (the spec's `x-rollcall.rate-limit`, or [`RateLimit`] set on the
//!   builder) is kept as a sliding window on the client: a request goes when fewer than
//!   `requests` went in the last `period` (plus a small margin for the network's jitter). That is
//!   how providers count ("10 a second", "100 a minute"), so it never runs into their limit
//!   and still uses all of it; a token bucket (GCRA, as in the `governor` crate) allows a burst
//!   on top of the rate, which a provider counting requests per window refuses.
//! - A provider that announces its budget in headers (`ratelimit-remaining`/`ratelimit-reset`,
//!   `x-rate-limit-remaining`/`x-rate-limit-reset`, `x-ratelimit-remaining`/`x-ratelimit-reset`;
//!   a reset in seconds to wait or as a Unix time) is used to the last
//!   request of the window and held back once it is spent, until the window resets; requests
//!   sent meanwhile are counted down locally, so concurrent pages cannot overshoot it.
//!
//! Every wait is counted, so that [`Config::max_wait`](crate::Config::max_wait) can end a call or
//! walk that would otherwise wait forever.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderMap;

/// A documented request rate: at most `requests` in any `period`.
///
/// ```
/// use std::time::Duration;
/// use rollcall_runtime::RateLimit;
///
/// let sell = RateLimit::new(10, Duration::from_secs(1));
/// assert_eq!(sell.requests(), 10);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    requests: u32,
    period: Duration,
}

impl RateLimit {
    /// `requests` (at least 1) per `period`.
    pub const fn new(requests: u32, period: Duration) -> Self {
        Self {
            requests: if requests == 0 { 1 } else { requests },
            period,
        }
    }

    /// How many requests a period allows.
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// The period.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// The margin added to the period for the network's jitter: a request that left at the
    /// window's edge must not arrive inside the previous one.
    fn margin(&self) -> Duration {
        (self.period / 20).max(Duration::from_millis(10))
    }
}

/// The units a limit is written in, as providers document them (and specs declare them).
const UNITS: [(&str, Duration); 3] = [
    ("second", Duration::from_secs(1)),
    ("minute", Duration::from_secs(60)),
    ("hour", Duration::from_secs(3600)),
];

/// `N/second`, `N/minute` or `N/hour`, as a configuration file or a command line writes a
/// provider's documented limit.
///
/// ```
/// use std::time::Duration;
/// use rollcall_runtime::RateLimit;
///
/// let support: RateLimit = "700/minute".parse().unwrap();
/// assert_eq!(support, RateLimit::new(700, Duration::from_secs(60)));
/// assert_eq!(support.to_string(), "700/minute");
/// assert!("700 a minute".parse::<RateLimit>().is_err());
/// ```
impl std::str::FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let wrong = || format!("`{text}` is not a rate limit: write N/second, N/minute or N/hour");
        let (requests, unit) = text.trim().split_once('/').ok_or_else(wrong)?;
        let requests: u32 = requests
            .trim()
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(wrong)?;
        let period = UNITS
            .iter()
            .find(|(name, _)| *name == unit.trim())
            .map(|(_, period)| *period)
            .ok_or_else(wrong)?;
        Ok(RateLimit::new(requests, period))
    }
}

impl std::fmt::Display for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match UNITS.iter().find(|(_, period)| *period == self.period) {
            Some((unit, _)) => write!(f, "{}/{unit}", self.requests),
            None => write!(f, "{} per {:?}", self.requests, self.period),
        }
    }
}

/// The wait before `window` has room for a request; `ZERO` when it has, and then the request is
/// counted in it.
fn room(window: &Mutex<Window>) -> Duration {
    let mut window = window.lock().unwrap_or_else(|e| e.into_inner());
    let now = Instant::now();
    let span = window.limit.period + window.limit.margin();
    while window.sent.front().is_some_and(|at| now - *at >= span) {
        window.sent.pop_front();
    }
    if window.sent.len() < window.limit.requests as usize {
        window.sent.push_back(now);
        return Duration::ZERO;
    }
    window
        .sent
        .front()
        .map_or(Duration::ZERO, |oldest| (*oldest + span) - now)
}

/// The requests sent in the last period of a [`RateLimit`].
#[derive(Debug)]
struct Window {
    limit: RateLimit,
    sent: VecDeque<Instant>,
}

impl Window {
    fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            sent: VecDeque::with_capacity(limit.requests as usize),
        }
    }
}

/// What the provider's headers last said about the budget.
#[derive(Debug, Default)]
struct Announced {
    /// Requests left in the window, counted down locally between answers.
    remaining: Option<u64>,
    /// The window's size, when announced.
    limit: Option<u64>,
    /// When the window resets.
    reset_at: Option<Instant>,
}

/// One client's rate budget; clones share it.
#[derive(Clone)]
pub(crate) struct Pacer {
    window: Option<Arc<Mutex<Window>>>,
    /// Operations with a stricter limit of their own (a provider's incremental export), each
    /// with its window: a request of one waits for room in both.
    operations: Arc<[(&'static str, Mutex<Window>)]>,
    announced: Arc<Mutex<Announced>>,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("window", &self.window.is_some())
            .finish_non_exhaustive()
    }
}

impl Pacer {
    /// A pacer for `limit`, and for each operation of `operations` its own limit besides.
    pub(crate) fn with_operations(
        limit: Option<RateLimit>,
        operations: &[(&'static str, RateLimit)],
    ) -> Self {
        Self {
            window: limit.map(|limit| Arc::new(Mutex::new(Window::new(limit)))),
            operations: operations
                .iter()
                .map(|(operation, limit)| (*operation, Mutex::new(Window::new(*limit))))
                .collect(),
            announced: Arc::default(),
        }
    }

    /// How long to wait before the documented limits (the API's, and `operation`'s own) have
    /// room for a request of `operation`; `ZERO` means the request is counted and may go. Call
    /// again after waiting: a wait reserves nothing (but room found in the operation's own
    /// window is kept while the API's is waited for, which only errs on the side of waiting).
    pub(crate) fn bucket_wait(&self, operation: &str) -> Duration {
        if let Some((_, window)) = self.operations.iter().find(|(op, _)| *op == operation) {
            let wait = room(window);
            if !wait.is_zero() {
                return wait;
            }
        }
        match &self.window {
            Some(window) => room(window),
            None => Duration::ZERO,
        }
    }
    /// The wait the announced budget calls for: none while some is left (the request is
    /// counted against it); until the window resets once it is spent.
    pub(crate) fn announced_wait(&self) -> Duration {
        let mut announced = self.announced.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let Some(reset_at) = announced.reset_at.filter(|at| *at > now) else {
            // No window, or it has reset: nothing is known to be spent.
            return Duration::ZERO;
        };
        match announced.remaining {
            // Spent: every request waits for the reset; the first answer after it announces
            // the new window.
            Some(0) => reset_at - now,
            Some(remaining) => {
                announced.remaining = Some(remaining - 1);
                Duration::ZERO
            }
            None => Duration::ZERO,
        }
    }

    /// Reads the budget a response announces.
    pub(crate) fn observe(&self, headers: &HeaderMap) {
        let number = |names: &[&str]| {
            names.iter().find_map(|name| {
                headers
                    .get(*name)?
                    .to_str()
                    .ok()?
                    .split([',', ';'])
                    .next()?
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
        };
        let remaining = number(&[
            "ratelimit-remaining",
            "x-rate-limit-remaining",
            "x-ratelimit-remaining",
        ]);
        let Some(remaining) = remaining else {
            return;
        };
        let limit = number(&["ratelimit-limit", "x-rate-limit", "x-ratelimit-limit"]);
        // The time left in the window (seconds to wait, or the Unix time of the reset);
        // without it, assume a minute (Zendesk's window).
        let reset = crate::wire::rate_limit_reset(headers, SystemTime::now())
            .filter(|left| *left < Duration::from_secs(24 * 3600))
            .unwrap_or(Duration::from_secs(60));
        let mut announced = self.announced.lock().unwrap_or_else(|e| e.into_inner());
        let reset_at = Instant::now() + reset;
        // Within the same window, requests counted down locally may not have reached the
        // server when it answered: keep the lower count. A later reset is a new window.
        let same_window = announced
            .reset_at
            .is_some_and(|at| at + Duration::from_secs(1) >= reset_at);
        announced.remaining = match announced.remaining {
            Some(local) if same_window => Some(local.min(remaining)),
            _ => Some(remaining),
        };
        announced.limit = limit;
        announced.reset_at = Some(reset_at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_and_print_as_providers_write_them() {
        let hourly: RateLimit = " 36000 / hour ".parse().unwrap();
        assert_eq!(hourly, RateLimit::new(36_000, Duration::from_secs(3600)));
        assert_eq!(hourly.to_string(), "36000/hour");
        for wrong in [
            "0/second",
            "10/day",
            "ten/minute",
            "10",
            "/minute",
            "-1/second",
        ] {
            let error = wrong.parse::<RateLimit>().unwrap_err();
            assert!(error.contains(&format!("`{wrong}`")), "{error}");
        }
        let odd = RateLimit::new(3, Duration::from_millis(250));
        assert_eq!(odd.to_string(), "3 per 250ms");
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_window_lets_its_requests_through_then_waits_for_the_oldest() {
        let pacer = Pacer::with_operations(Some(RateLimit::new(5, Duration::from_secs(1))), &[]);
        for _ in 0..5 {
            assert_eq!(pacer.bucket_wait("op"), Duration::ZERO);
        }
        let wait = pacer.bucket_wait("op");
        assert!(
            wait > Duration::from_millis(950) && wait <= Duration::from_millis(1050),
            "the sixth waits for the first to leave the window: {wait:?}"
        );
    }

    #[test]
    fn an_operation_with_a_limit_of_its_own_waits_for_both() {
        let export = RateLimit::new(2, Duration::from_secs(60));
        let pacer = Pacer::with_operations(
            Some(RateLimit::new(5, Duration::from_secs(1))),
            &[("export", export)],
        );
        assert_eq!(pacer.bucket_wait("export"), Duration::ZERO);
        assert_eq!(pacer.bucket_wait("export"), Duration::ZERO);
        let wait = pacer.bucket_wait("export");
        assert!(wait > Duration::from_secs(59), "its own window: {wait:?}");
        // Other operations only count against the API's window, which the export used too.
        for _ in 0..3 {
            assert_eq!(pacer.bucket_wait("list"), Duration::ZERO);
        }
        assert!(pacer.bucket_wait("list") > Duration::ZERO);
    }

    #[test]
    fn no_limit_no_wait() {
        let pacer = Pacer::with_operations(None, &[]);
        for _ in 0..100 {
            assert_eq!(pacer.bucket_wait("op"), Duration::ZERO);
            assert_eq!(pacer.announced_wait(), Duration::ZERO);
        }
    }

    #[test]
    fn announced_budget_is_used_up_then_holds_until_the_reset() {
        let pacer = Pacer::with_operations(None, &[]);
        pacer.observe(&headers(&[
            ("ratelimit-limit", "100"),
            ("ratelimit-remaining", "2"),
            ("ratelimit-reset", "30"),
        ]));
        assert_eq!(pacer.announced_wait(), Duration::ZERO, "two left");
        assert_eq!(pacer.announced_wait(), Duration::ZERO, "one left");
        let hold = pacer.announced_wait();
        assert!(
            hold > Duration::from_secs(29) && hold <= Duration::from_secs(30),
            "counted down to none: {hold:?}"
        );
        // An answer of the same window that has not seen those requests yet says more.
        pacer.observe(&headers(&[
            ("x-rate-limit", "100"),
            ("x-rate-limit-remaining", "1"),
            ("ratelimit-reset", "30"),
        ]));
        assert!(pacer.announced_wait() > Duration::from_secs(29));
        // A new window (a later reset) brings a new budget.
        pacer.observe(&headers(&[
            ("ratelimit-remaining", "50"),
            ("ratelimit-reset", "60"),
        ]));
        assert_eq!(pacer.announced_wait(), Duration::ZERO);
    }
}
