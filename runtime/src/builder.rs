//! Building a client: [`ClientBuilder`], which every provider's generated auth constructor
//! returns, the [`GeneratedClient`] trait it builds, and the checks constructors run on their
//! arguments.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::auth::Auth;
use crate::client::Runtime;
use crate::config::{ClientOptions, Config, RetryPolicy};
use crate::error::{Error, ErrorKind};
use crate::pacing::RateLimit;
use crate::provider::ProviderInfo;

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
    authority: Option<String>,
    params: Vec<(&'static str, String)>,
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
            authority: None,
            params: Vec::new(),
            client: PhantomData,
        }
    }

    /// Keeps the value of a required parameter of the walked operations (`org`), which every
    /// walk of the client sends.
    #[doc(hidden)]
    pub fn param(mut self, name: &'static str, value: &str) -> Self {
        self.params.push((name, value.to_owned()));
        self
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

    /// Asks for access tokens at `host` (`https://login.example.us`, or a bare host name)
    /// instead of the token URL's own scheme, host and port, its path kept: a national cloud's
    /// authority, or a mock. Only for a scheme with a token URL (OAuth 2.0 client
    /// credentials); `build` refuses it otherwise.
    pub fn authority_host(mut self, host: impl Into<String>) -> Self {
        self.authority = Some(host.into());
        self
    }

    /// [`authority_host`](Self::authority_host) when `host` is set (a variable that may be).
    #[doc(hidden)]
    pub fn authority_host_from(self, host: Option<&str>) -> Self {
        match host {
            Some(host) => self.authority_host(host),
            None => self,
        }
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

    /// Caps the pages one walk may request (default
    /// [`DEFAULT_MAX_PAGES`](crate::DEFAULT_MAX_PAGES)); `None` removes the cap. A walk that
    /// would need more pages ends with [`PagingError::PageLimit`](crate::PagingError::PageLimit).
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
    /// [`DEFAULT_PAGE_CONCURRENCY`](crate::DEFAULT_PAGE_CONCURRENCY); `1` fetches one page after
    /// the other). Records still come out in order and the stop rules are the same; pages
    /// fetched past the last are dropped.
    pub fn page_concurrency(mut self, pages: usize) -> Self {
        self.config.page_concurrency = pages.max(1);
        self
    }

    /// How old a [`Checkpoint`](crate::Checkpoint) may be for a walk to resume from it
    /// (default [`DEFAULT_CHECKPOINT_MAX_AGE`](crate::DEFAULT_CHECKPOINT_MAX_AGE), a week).
    pub fn checkpoint_max_age(mut self, age: Duration) -> Self {
        self.config.checkpoint_max_age = age;
        self
    }

    /// Checks every response a walk reads against the spec and keeps what differs
    /// ([`UserStream::drift`](crate::UserStream::drift)); off by default, and then free.
    pub fn drift(mut self, on: bool) -> Self {
        self.config.drift = on;
        self
    }

    /// With [`drift`](Self::drift): whether findings of open enums keep the values the spec
    /// does not list (default true). They are the provider's vocabulary — a status, a role —
    /// that `cargo xtask drift` adds to the spec; a value that does not look like one (longer
    /// than 64 characters, or with an `@`) is never kept. `false` keeps a report free of
    /// anything read from a record.
    pub fn drift_enum_values(mut self, on: bool) -> Self {
        self.config.drift_enum_values = on;
        self
    }

    /// Caps the time one call or walk may spend waiting (default
    /// [`DEFAULT_MAX_WAIT`](crate::DEFAULT_MAX_WAIT)); `None` removes the cap.
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
        let auth = match &self.authority {
            Some(authority) => self.auth.with_authority(authority).map_err(fail)?,
            None => self.auth,
        };
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
        let runtime = Runtime::new(C::PROVIDER, auth, user_agent, self.headers, self.config)
            .with_params(self.params);
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

/// `None` when `value` is a valid host name (`people.example.com`: labels separated by dots, each a
/// valid label), else why not; for a server whose whole host is a variable.
pub fn host_name_problem(what: &str, value: &str) -> Option<String> {
    let valid = !value.is_empty()
        && value.len() <= 253
        && value
            .split('.')
            .all(|label| host_label_problem(what, label).is_none());
    (!valid).then(|| format!("{what} `{value}` is not a valid host name"))
}

/// `None` when `value` can be one segment of a URL's path (a tenant in a token URL:
/// non-empty, no `/`, `?`, `#`, `%` or whitespace), else why not.
pub fn path_segment_problem(what: &str, value: &str) -> Option<String> {
    let valid = !value.is_empty()
        && !value.chars().any(|c| {
            matches!(c, '/' | '?' | '#' | '%' | '\\') || c.is_whitespace() || c.is_control()
        });
    (!valid).then(|| format!("{what} `{value}` cannot be a segment of a URL path"))
}

/// `None` when `value` can be a path parameter the walks send (`org`: not empty, no `/`),
/// else why not; `what` names it in the message.
pub fn param_problem(what: &str, value: &str) -> Option<String> {
    (value.trim().is_empty() || value.contains('/'))
        .then(|| format!("{what} `{value}` is empty or contains `/`"))
}

/// `None` when `value` can go into a basic-auth user name (non-empty, no `:`), else why not;
/// `what` names it in the message.
pub fn template_problem(what: &str, value: &str) -> Option<String> {
    (value.trim().is_empty() || value.contains(':'))
        .then(|| format!("{what} `{value}` is empty or contains `:`"))
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
        if let Some(age) = options.checkpoint_max_age {
            self = self.checkpoint_max_age(age);
        }
        if let Some(on) = options.drift {
            self = self.drift(on);
        }
        if let Some(on) = options.drift_enum_values {
            self = self.drift_enum_values(on);
        }
        self
    }
}
