//! Client configuration: [`ClientBuilder`], [`RetryPolicy`] and [`Config`].

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use backon::BackoffBuilder as _;
use reqwest::header::{HeaderName, HeaderValue};

use crate::{Auth, Error, ErrorKind, ProviderInfo, RateLimit, Runtime};

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
    retry: RetryPolicy,
    request_timeout: Duration,
    connect_timeout: Duration,
    page_size: Option<u32>,
    max_pages: Option<u64>,
    max_users: Option<u64>,
    user_agent: String,
    rate_limit: Option<RateLimit>,
    max_wait: Option<Duration>,
    page_concurrency: usize,
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
        }
    }
}

/// The default cap on the time one call or walk may spend waiting (rate-limit pacing,
/// `Retry-After`, backoff) before it ends with [`ErrorKind::WaitBudget`].
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
    /// with [`ErrorKind::WaitBudget`]; `None` means no limit.
    pub fn max_wait(&self) -> Option<Duration> {
        self.max_wait
    }
}

/// A generated client that [`ClientBuilder`] can build. Implemented by every provider's
/// generated `Client`.
pub trait GeneratedClient: Sized {
    /// The provider this client talks to.
    const PROVIDER: &'static ProviderInfo;

    #[doc(hidden)]
    fn from_parts(base_url: &str, http: reqwest::Client, runtime: Runtime) -> Self;
}

/// Configures and builds a provider's `Client`.
///
/// Each provider's generated auth constructor returns one (for example
/// `rollcall::zendesk_sell::Client::with_token`); change what you need and call
/// [`build`](Self::build):
///
/// ```text
/// let client = rollcall::zendesk_sell::Client::with_token("token")
///     .base_url("http://127.0.0.1:8080")
///     .retry(RetryPolicy::default().with_max_attempts(3))
///     .request_timeout(Duration::from_secs(10))
///     .page_size(50)
///     .max_users(10_000)
///     .build()?;
/// ```
pub struct ClientBuilder<C> {
    base_url: String,
    auth: Auth,
    headers: Vec<(HeaderName, HeaderValue)>,
    config: Config,
    http: Option<reqwest::Client>,
    problem: Option<String>,
    client: PhantomData<fn() -> C>,
}

impl<C: GeneratedClient> ClientBuilder<C> {
    #[doc(hidden)]
    pub fn new(base_url: String, auth: Auth) -> Self {
        let config = Config {
            rate_limit: C::PROVIDER.rate_limit,
            ..Config::default()
        };
        Self {
            base_url,
            auth,
            headers: Vec::new(),
            config,
            http: None,
            problem: None,
            client: PhantomData,
        }
    }

    /// Records a problem found by a constructor (an invalid subdomain, say); `build` reports it.
    #[doc(hidden)]
    pub fn problem(mut self, problem: Option<String>) -> Self {
        if self.problem.is_none() {
            self.problem = problem;
        }
        self
    }

    /// Adds a header sent with every request unless the request already carries it.
    #[doc(hidden)]
    pub fn default_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
        self
    }

    /// Sends requests to `url` (scheme, host, port and any path prefix) instead of the
    /// provider's own host: a mock server, a proxy, or a regional host. A trailing `/` is
    /// ignored.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sets the retry policy (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.config.retry = policy;
        self
    }

    /// Sets how long one attempt may take, body included (default 30 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.config.request_timeout = timeout;
        self
    }

    /// Sets how long connecting may take (default 10 s). Ignored with
    /// [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// Sets how many users one page request asks for when walking all users (default: the
    /// provider's largest, 100). `build` refuses a size the provider does not accept.
    pub fn page_size(mut self, size: u32) -> Self {
        self.config.page_size = Some(size);
        self
    }

    /// Caps the pages one walk may request (default [`DEFAULT_MAX_PAGES`]); `None` removes the
    /// cap. A walk that would need more pages ends with
    /// [`PagingError::PageLimit`](crate::PagingError::PageLimit).
    pub fn max_pages(mut self, pages: impl Into<Option<u64>>) -> Self {
        self.config.max_pages = pages.into();
        self
    }

    /// Caps the users one walk may yield (default: none). A walk with more users yields the
    /// first `users` and then ends with
    /// [`PagingError::UserLimit`](crate::PagingError::UserLimit).
    pub fn max_users(mut self, users: impl Into<Option<u64>>) -> Self {
        self.config.max_users = users.into();
        self
    }

    /// Paces requests to `limit` (default: the limit the provider's spec documents, if any);
    /// `None` turns the client-side limit off, leaving only the pacing by the provider's
    /// rate-limit headers. Clones of the client share one budget.
    pub fn rate_limit(mut self, limit: impl Into<Option<RateLimit>>) -> Self {
        self.config.rate_limit = limit.into();
        self
    }

    /// Sets how many pages a walk over numbered pages requests at once (default
    /// [`DEFAULT_PAGE_CONCURRENCY`]; `1` fetches one page after the other). Records still come
    /// out in order and the stop rules are the same; pages fetched past the last are dropped.
    pub fn page_concurrency(mut self, pages: usize) -> Self {
        self.config.page_concurrency = pages.max(1);
        self
    }

    /// Caps the time one call or walk may spend waiting (default [`DEFAULT_MAX_WAIT`]); `None`
    /// removes the cap.
    pub fn max_wait(mut self, wait: impl Into<Option<Duration>>) -> Self {
        self.config.max_wait = wait.into();
        self
    }

    /// Replaces the `User-Agent` (default `rollcall/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.config.user_agent = user_agent.into();
        self
    }

    /// Uses this `reqwest::Client` (for a proxy, extra root certificates, ...) instead of one
    /// built from the timeouts above. The per-request timeout still applies.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] for an empty credential, a base URL that is not `http(s)://...`,
    /// a page size the provider does not accept, a `User-Agent` that is not a valid header
    /// value, or a TLS backend that cannot start.
    pub fn build(self) -> Result<C, Error> {
        let fail =
            |message: String| Error::new(C::PROVIDER.name, "build", ErrorKind::Config(message));
        if let Some(problem) = self.problem {
            return Err(fail(problem));
        }
        if self.auth.is_incomplete() {
            return Err(fail("a credential is empty".to_owned()));
        }
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        match reqwest::Url::parse(&base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
            _ => {
                return Err(fail(format!(
                    "base URL `{base_url}` is not an absolute http(s) URL"
                )));
            }
        }
        if let (Some(size), Some(max)) = (self.config.page_size, C::PROVIDER.max_page_size)
            && !(1..=max).contains(&size)
        {
            return Err(fail(format!("page size {size} is outside 1..={max}")));
        }
        if self.config.max_pages == Some(0) {
            return Err(fail("max_pages must be at least 1".to_owned()));
        }
        let user_agent = HeaderValue::from_str(&self.config.user_agent)
            .map_err(|_| fail("the User-Agent is not a valid header value".to_owned()))?;
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.config.connect_timeout)
                .build()
                .map_err(|e| fail(format!("cannot create the HTTP client: {e}")))?,
        };
        let runtime = Runtime::new(
            C::PROVIDER,
            self.auth,
            user_agent,
            self.headers,
            self.config,
        );
        Ok(C::from_parts(&base_url, http, runtime))
    }
}

impl<C: GeneratedClient> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("provider", &C::PROVIDER.name)
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// `None` when `value` can be the first label of a host name (`acme` in `acme.zendesk.com`),
/// else why not; `what` names it in the message.
pub fn host_label_problem(what: &str, value: &str) -> Option<String> {
    let valid = !value.is_empty()
        && value.len() <= 63
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    (!valid).then(|| format!("{what} `{value}` is not a valid host name label"))
}

/// `None` when `value` can go into a basic-auth user name (non-empty, no `:`), else why not;
/// `what` names it in the message.
pub fn template_problem(what: &str, value: &str) -> Option<String> {
    (value.trim().is_empty() || value.contains(':'))
        .then(|| format!("{what} `{value}` is empty or contains `:`"))
}

/// Settings to apply to any provider's [`ClientBuilder`] at once, for code that picks the
/// provider at run time (`rollcall::Provider::connect`, the CLI). Unset fields keep the
/// builder's defaults.
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
}

impl<C: GeneratedClient> ClientBuilder<C> {
    /// Applies every field of `options` that is set.
    pub fn options(mut self, options: &ClientOptions) -> Self {
        if let Some(url) = &options.base_url {
            self = self.base_url(url.clone());
        }
        if let Some(retry) = &options.retry {
            self = self.retry(retry.clone());
        }
        if let Some(size) = options.page_size {
            self = self.page_size(size);
        }
        if let Some(pages) = options.max_pages {
            self = self.max_pages(pages);
        }
        if let Some(users) = options.max_users {
            self = self.max_users(users);
        }
        if let Some(timeout) = options.request_timeout {
            self = self.request_timeout(timeout);
        }
        if let Some(limit) = options.rate_limit {
            self = self.rate_limit(limit);
        }
        if let Some(wait) = options.max_wait {
            self = self.max_wait(wait);
        }
        if let Some(pages) = options.page_concurrency {
            self = self.page_concurrency(pages);
        }
        self
    }
}
