//! Staying inside a provider's rate limit instead of running into it: one budget per client,
//! shared by its clones and every walk on it.
//!
//! - A documented limit (the spec's `x-rollcall.rate-limit`, or [`RateLimit`] set on the
//!   builder) is a client-side token bucket ([`governor`]'s GCRA).
//! - A provider that announces its budget in headers (`ratelimit-remaining`/`ratelimit-reset`,
//!   `x-rate-limit-remaining`, `x-ratelimit-remaining`/`x-ratelimit-reset`) is slowed down as the
//!   budget runs low and held back once it is spent, until the window resets.
//!
//! Every wait is counted, so that [`Config::max_wait`](crate::Config::max_wait) can end a call or
//! walk that would otherwise wait forever.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::{Quota, RateLimiter, clock::Clock as _, clock::DefaultClock};
use reqwest::header::HeaderMap;

/// A documented request rate: `requests` per `period`, with bursts of up to `requests`.
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

    fn quota(&self) -> Option<Quota> {
        let burst = NonZeroU32::new(self.requests)?;
        let every = self.period / self.requests;
        Some(Quota::with_period(every)?.allow_burst(burst))
    }
}

type Bucket = RateLimiter<
    governor::state::NotKeyed,
    governor::state::InMemoryState,
    DefaultClock,
    governor::middleware::NoOpMiddleware<<DefaultClock as governor::clock::Clock>::Instant>,
>;

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
    bucket: Option<Arc<Bucket>>,
    announced: Arc<Mutex<Announced>>,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("bucket", &self.bucket.is_some())
            .finish_non_exhaustive()
    }
}

impl Pacer {
    pub(crate) fn new(limit: Option<RateLimit>) -> Self {
        Self {
            bucket: limit
                .and_then(|l| l.quota())
                .map(|q| Arc::new(RateLimiter::direct(q))),
            announced: Arc::default(),
        }
    }

    /// How long to wait before the token bucket has a slot; `ZERO` means the slot is taken.
    /// Call again after waiting: a wait does not reserve the slot.
    pub(crate) fn bucket_wait(&self) -> Duration {
        self.bucket.as_ref().map_or(Duration::ZERO, |bucket| {
            let clock = DefaultClock::default();
            match bucket.check() {
                Ok(()) => Duration::ZERO,
                Err(not_until) => not_until.wait_time_from(clock.now()),
            }
        })
    }

    /// The wait the announced budget calls for: none while plenty is left; spread over the rest
    /// of the window as it runs low (the last tenth); until the reset once it is spent.
    pub(crate) fn announced_wait(&self) -> Duration {
        let mut announced = self.announced.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let Some(reset_at) = announced.reset_at.filter(|at| *at > now) else {
            // No window, or it has reset: nothing is known to be spent.
            return Duration::ZERO;
        };
        let Some(remaining) = announced.remaining else {
            return Duration::ZERO;
        };
        let left = reset_at - now;
        if remaining == 0 {
            // Spent: every request waits for the reset; the first answer after it announces the
            // new window.
            return left;
        }
        announced.remaining = Some(remaining - 1);
        let low = announced.limit.map_or(10, |limit| (limit / 10).max(1));
        if remaining > low {
            Duration::ZERO
        } else {
            left / u32::try_from(remaining).unwrap_or(u32::MAX)
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
        // Seconds to the window's end; without it, assume a minute (Zendesk's window).
        let reset = number(&["ratelimit-reset", "x-ratelimit-reset"])
            .filter(|seconds| *seconds < 24 * 3600)
            .unwrap_or(60);
        let mut announced = self.announced.lock().unwrap_or_else(|e| e.into_inner());
        announced.remaining = Some(remaining);
        announced.limit = limit;
        announced.reset_at = Some(Instant::now() + Duration::from_secs(reset));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn a_bucket_lets_a_burst_through_then_spaces_requests() {
        let pacer = Pacer::new(Some(RateLimit::new(5, Duration::from_secs(1))));
        for _ in 0..5 {
            assert_eq!(pacer.bucket_wait(), Duration::ZERO);
        }
        let wait = pacer.bucket_wait();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(200),
            "{wait:?}"
        );
    }

    #[test]
    fn no_limit_no_wait() {
        let pacer = Pacer::new(None);
        for _ in 0..100 {
            assert_eq!(pacer.bucket_wait(), Duration::ZERO);
            assert_eq!(pacer.announced_wait(), Duration::ZERO);
        }
    }

    #[test]
    fn announced_budget_slows_down_then_holds_until_the_reset() {
        let pacer = Pacer::new(None);
        pacer.observe(&headers(&[
            ("ratelimit-limit", "100"),
            ("ratelimit-remaining", "50"),
            ("ratelimit-reset", "30"),
        ]));
        assert_eq!(pacer.announced_wait(), Duration::ZERO, "plenty left");
        pacer.observe(&headers(&[
            ("ratelimit-limit", "100"),
            ("ratelimit-remaining", "5"),
            ("ratelimit-reset", "30"),
        ]));
        let spread = pacer.announced_wait();
        assert!(
            spread > Duration::from_secs(5) && spread <= Duration::from_secs(6),
            "{spread:?}"
        );
        pacer.observe(&headers(&[
            ("x-rate-limit", "100"),
            ("x-rate-limit-remaining", "0"),
            ("ratelimit-reset", "20"),
        ]));
        let hold = pacer.announced_wait();
        assert!(
            hold > Duration::from_secs(19) && hold <= Duration::from_secs(20),
            "{hold:?}"
        );
        assert!(
            pacer.announced_wait() > Duration::from_secs(19),
            "every request waits for the reset, not only the first"
        );
    }
}
