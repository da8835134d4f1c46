//! Client configuration as data: [`RetryPolicy`], [`Config`], the defaults, and the
//! [`ClientOptions`] that code choosing the provider at run time applies to any builder. The
//! builder that fills them in is a layer up, in `builder`.

use std::time::Duration;

use backon::BackoffBuilder as _;

use crate::checkpoint::DEFAULT_CHECKPOINT_MAX_AGE;
use crate::pacing::RateLimit;

/// When and how often a failed request is sent again.
///
/// Every request these clients send is a `GET`, so repeating one is safe. A request is retried
/// when the server answers 408, 429 or a 5xx status other than 501 and 505, or when the
/// connection fails or times out — at most [`max_attempts`](Self::max_attempts) times in all.
/// Between attempts the client waits as long as the server's `Retry-After` header says (in
/// seconds or as an HTTP date, capped at [`max_retry_after`](Self::max_retry_after)), or else an
/// exponentially growing delay from [`min_delay`](Self::min_delay) to
/// [`max_delay`](Self::max_delay), with random jitter of up to the delay itself added when
/// [`jitter`](Self::jitter) is on. The delays come from the [`backon`] crate.
///
/// ```
/// use std::time::Duration;
/// use rollcall_runtime::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .with_max_attempts(6)
///     .with_min_delay(Duration::from_millis(250));
/// assert_eq!(policy.max_attempts(), 6);
/// assert_eq!(RetryPolicy::none().max_attempts(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    min_delay: Duration,
    max_delay: Duration,
    jitter: bool,
    max_retry_after: Duration,
    rate_limited_wait: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts, delays from 500 ms doubling up to 30 s with jitter, `Retry-After` honoured
    /// up to 60 s.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            jitter: true,
            max_retry_after: Duration::from_secs(60),
            rate_limited_wait: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Never retry: every request is sent once.
    pub fn none() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// Sets how many times a request may be sent in all (the first attempt included); `0` is
    /// taken as `1`.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the delay before the first retry; each further retry waits twice as long.
    pub fn with_min_delay(mut self, delay: Duration) -> Self {
        self.min_delay = delay;
        self
    }

    /// Sets the longest delay the exponential backoff grows to.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Turns the random jitter on or off (on by default; off gives exact, repeatable delays).
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets the longest wait a `Retry-After` header can impose; a longer one is cut to this.
    pub fn with_max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// Sets how long a `429 Too Many Requests` without `Retry-After` waits before the retry
    /// (default 10 s, as Zendesk's own client does): backing off by the exponential delays would
    /// only run into the limit again.
    pub fn with_rate_limited_wait(mut self, wait: Duration) -> Self {
        self.rate_limited_wait = wait;
        self
    }

    /// How long a `429` without `Retry-After` waits.
    pub fn rate_limited_wait(&self) -> Duration {
        self.rate_limited_wait
    }

    /// How many times a request may be sent in all.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The delay before the first retry.
    pub fn min_delay(&self) -> Duration {
        self.min_delay
    }

    /// The longest backoff delay.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// Whether random jitter is added to backoff delays.
    pub fn jitter(&self) -> bool {
        self.jitter
    }

    /// The longest wait honoured from a `Retry-After` header.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The backoff delays for one request, one per retry.
    pub(crate) fn backoff(&self) -> impl Iterator<Item = Duration> + use<> {
        let builder = backon::ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay.max(self.min_delay))
            .with_factor(2.0)
            .without_max_times();
        if self.jitter {
            builder.with_jitter().build()
        } else {
            builder.build()
        }
    }
}

/// Everything a client is configured with besides its base URL and credentials; read it with
/// `client.config()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    // Filled in by `ClientBuilder`, a layer up; read by everyone else through the getters.
    pub(crate) retry: RetryPolicy,
    pub(crate) request_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) page_size: Option<u32>,
    pub(crate) max_pages: Option<u64>,
    pub(crate) max_users: Option<u64>,
    pub(crate) user_agent: String,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) max_wait: Option<Duration>,
    pub(crate) page_concurrency: usize,
    pub(crate) checkpoint_max_age: Duration,
    pub(crate) drift: bool,
    pub(crate) drift_enum_values: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            page_size: None,
            max_pages: Some(DEFAULT_MAX_PAGES),
            max_users: None,
            user_agent: format!("rollcall/{}", env!("CARGO_PKG_VERSION")),
            rate_limit: None,
            max_wait: Some(DEFAULT_MAX_WAIT),
            page_concurrency: DEFAULT_PAGE_CONCURRENCY,
            checkpoint_max_age: DEFAULT_CHECKPOINT_MAX_AGE,
            drift: false,
            drift_enum_values: true,
        }
    }
}

/// The default cap on the time one call or walk may spend waiting (rate-limit pacing,
/// `Retry-After`, backoff) before it ends with
/// [`ErrorKind::WaitBudget`](crate::ErrorKind::WaitBudget).
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(15 * 60);

/// How many pages of a numbered walk are requested at once by default: enough to keep a
/// provider's rate limit busy at a few hundred milliseconds of latency, few enough that a walk
/// asks for at most three pages past the last one.
pub const DEFAULT_PAGE_CONCURRENCY: usize = 4;

/// The default cap on pages in one walk: ten million users at 100 a page.
pub const DEFAULT_MAX_PAGES: u64 = 100_000;

impl Config {
    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// How long one attempt may take, from sending the request to the end of the body.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// How long establishing a connection may take.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The page size asked for when walking all users; `None` means the provider's largest.
    pub fn page_size(&self) -> Option<u32> {
        self.page_size
    }

    /// The most pages one walk requests before it ends with
    /// [`PagingError::PageLimit`](crate::PagingError::PageLimit); `None` means no limit.
    pub fn max_pages(&self) -> Option<u64> {
        self.max_pages
    }

    /// The most users one walk yields before it ends with
    /// [`PagingError::UserLimit`](crate::PagingError::UserLimit); `None` means no limit.
    pub fn max_users(&self) -> Option<u64> {
        self.max_users
    }

    /// The `User-Agent` sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The client-side rate limit requests are paced to (the spec's documented limit unless
    /// the builder changed it); `None` paces only by what the provider's headers announce.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.rate_limit
    }

    /// How many pages a walk over numbered pages requests at once (cursor walks request the
    /// next page as soon as it is named, one at a time).
    pub fn page_concurrency(&self) -> usize {
        self.page_concurrency
    }

    /// The most time one call, or one walk over all pages, may spend waiting before it ends
    /// with [`ErrorKind::WaitBudget`](crate::ErrorKind::WaitBudget); `None` means no limit.
    pub fn max_wait(&self) -> Option<Duration> {
        self.max_wait
    }

    /// How old a [`Checkpoint`](crate::Checkpoint) may be for a walk to resume from it.
    pub fn checkpoint_max_age(&self) -> Duration {
        self.checkpoint_max_age
    }

    /// Whether walks check every response against the spec
    /// ([`UserStream::drift`](crate::UserStream::drift)).
    pub fn drift(&self) -> bool {
        self.drift
    }

    /// Whether drift findings of open enums keep the values the spec does not list (default
    /// true: `cargo xtask drift` needs them to add them).
    pub fn drift_enum_values(&self) -> bool {
        self.drift_enum_values
    }
}

/// Settings to apply to any provider's [`ClientBuilder`](crate::ClientBuilder) at once, for
/// code that picks the provider at run time (`rollcall::Provider::connect`, the CLI). Unset
/// fields keep the builder's defaults.
///
/// ```
/// let mut options = rollcall_runtime::ClientOptions::default();
/// options.base_url = Some("http://127.0.0.1:8080".to_owned());
/// options.max_pages = Some(10);
/// assert_eq!(options.max_users, None);
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ClientOptions {
    /// Replaces the provider's host (a mock, a proxy).
    pub base_url: Option<String>,
    /// Replaces the retry policy.
    pub retry: Option<RetryPolicy>,
    /// The page size of walks.
    pub page_size: Option<u32>,
    /// The most pages a walk requests.
    pub max_pages: Option<u64>,
    /// The most users a walk yields.
    pub max_users: Option<u64>,
    /// How long one attempt may take.
    pub request_timeout: Option<Duration>,
    /// Replaces the client-side rate limit: `Some(None)` turns it off.
    pub rate_limit: Option<Option<RateLimit>>,
    /// Replaces the wait budget: `Some(None)` removes it.
    pub max_wait: Option<Option<Duration>>,
    /// How many pages a numbered walk requests at once.
    pub page_concurrency: Option<usize>,
    /// How old a checkpoint may be for a walk to resume from it.
    pub checkpoint_max_age: Option<Duration>,
    /// Check every response of a walk against the spec.
    pub drift: Option<bool>,
    /// Keep the unlisted values of open enums in drift findings.
    pub drift_enum_values: Option<bool>,
}
