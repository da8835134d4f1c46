//! What every generated client shares: configuration, auth, retries, errors and paging.
//!
//! progenitor lets each generated `Client` carry one value of a type we choose (its *inner*
//! value) and calls our `ClientHooks` around every request. [`Runtime`] is that value; the
//! modules below hold one concern each:
//!
//! | module | what |
//! | --- | --- |
//! | `config` | [`ClientBuilder`], [`Config`], [`RetryPolicy`] |
//! | `secret`, `auth` | [`Secret`]; the `Authorization` header or query signature |
//! | `retry` | sending a request again after 408/429/5xx or a broken connection |
//! | `error` | [`Error`] and what it holds |
//! | `paging` | the loop behind every provider's `all_users` stream ([`UserStream`]) |
//! | `decode` | what the generated types call to decode timestamps and open enums quickly |

// Some shared parts serve only some providers: with a subset of the features they go unused.
#![cfg_attr(
    not(all(
        feature = "zendesk-sell",
        feature = "zendesk-support",
        feature = "sequence",
        feature = "worksection"
    )),
    allow(dead_code, unused_imports, unused_macros)
)]

use std::fmt;

use reqwest::header::{ACCEPT, HeaderName, HeaderValue, USER_AGENT};

mod auth;
mod config;
pub(crate) mod decode;
mod error;
mod paging;
mod retry;
mod secret;

pub(crate) use auth::Auth;
pub(crate) use config::host_label_problem;
pub(crate) use config::sealed::Sealed as SealedClient;
pub use config::{ClientBuilder, Config, DEFAULT_MAX_PAGES, GeneratedClient, RetryPolicy};
pub use error::{ApiError, Error, ErrorBody, ErrorKind, PagingError, ProviderError};
pub(crate) use error::{check, refused, sealed::Sealed as SealedProviderError};
pub use paging::UserStream;
pub(crate) use paging::{Page, walk};
pub(crate) use retry::observe;
pub use secret::Secret;

/// The providers this crate has clients for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// Zendesk Sell.
    ZendeskSell,
    /// Zendesk Support.
    ZendeskSupport,
    /// Sequence.
    Sequence,
    /// Worksection.
    Worksection,
}

impl Provider {
    /// The provider's kebab-case name, as in its spec file and cargo feature.
    pub fn name(self) -> &'static str {
        match self {
            Provider::ZendeskSell => "zendesk-sell",
            Provider::ZendeskSupport => "zendesk-support",
            Provider::Sequence => "sequence",
            Provider::Worksection => "worksection",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What every generated client carries besides its base URL and `reqwest::Client`: the
/// provider, the credentials and the [`Config`]. Built by [`ClientBuilder`].
#[derive(Clone)]
pub struct Runtime {
    provider: Provider,
    auth: Auth,
    user_agent: HeaderValue,
    headers: Vec<(HeaderName, HeaderValue)>,
    config: Config,
}

impl Runtime {
    pub(crate) fn new(
        provider: Provider,
        auth: Auth,
        user_agent: HeaderValue,
        headers: Vec<(HeaderName, HeaderValue)>,
        config: Config,
    ) -> Self {
        Self {
            provider,
            auth,
            user_agent,
            headers,
            config,
        }
    }

    /// The provider this client talks to.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The client's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The credentials.
    pub(crate) fn auth(&self) -> &Auth {
        &self.auth
    }

    /// Prepares a request the generated code has built: our headers, the credentials (signing
    /// last, when every parameter is in place) and the per-attempt timeout.
    pub(crate) fn prepare(&self, request: &mut reqwest::Request) -> Result<(), String> {
        let headers = request.headers_mut();
        // progenitor stamps `api-version: <info.version>` on every request; no provider reads
        // it, and Sequence selects versions through its own `Sequence-Version` header.
        headers.remove("api-version");
        headers.insert(USER_AGENT, self.user_agent.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        for (name, value) in &self.headers {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
        if request.timeout().is_none() {
            *request.timeout_mut() = Some(self.config.request_timeout());
        }
        self.auth.apply(request)
    }

    /// Sends a prepared request, retrying as the configuration allows.
    pub(crate) async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        retry::execute(client, request, self.config.retry(), operation).await
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("provider", &self.provider)
            .field("auth", &self.auth)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Implements progenitor's `ClientHooks` for a generated `Client`, routing every request
/// through [`Runtime`]: `pre` adds headers, credentials and the timeout, `exec` retries.
macro_rules! client_hooks {
    ($client:ty) => {
        impl progenitor_client::ClientHooks<$crate::runtime::Runtime> for $client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), progenitor_client::Error<E>> {
                use progenitor_client::ClientInfo as _;
                self.inner()
                    .prepare(request)
                    .map_err(progenitor_client::Error::InvalidRequest)
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                use progenitor_client::ClientInfo as _;
                self.inner()
                    .execute(self.client(), request, info.operation_id)
                    .await
            }
        }
    };
}
pub(crate) use client_hooks;

/// Implements [`GeneratedClient`] for a provider's generated `Client` and gives it a
/// `config()` accessor.
macro_rules! generated_client {
    ($client:ty, $provider:expr, $max_page_size:expr) => {
        impl $crate::runtime::SealedClient for $client {}

        impl $crate::runtime::GeneratedClient for $client {
            const PROVIDER: $crate::runtime::Provider = $provider;
            const MAX_PAGE_SIZE: Option<u32> = $max_page_size;

            fn from_parts(
                base_url: &str,
                http: reqwest::Client,
                runtime: $crate::runtime::Runtime,
            ) -> Self {
                Self::new_with_client(base_url, http, runtime)
            }
        }

        impl $client {
            /// The client's configuration (retry policy, timeouts, page size, caps).
            pub fn config(&self) -> &$crate::runtime::Config {
                use progenitor_client::ClientInfo as _;
                self.inner().config()
            }
        }
    };
}
pub(crate) use generated_client;

/// Runs a generated `send()` future and turns its outcome into the crate's result.
///
/// `json_only`: refuse a successful answer whose `Content-Type` is not JSON.
pub(crate) async fn call<T, E, F>(
    provider: Provider,
    send: F,
    json_only: bool,
) -> Result<progenitor_client::ResponseValue<T>, Error>
where
    E: ProviderError,
    F: std::future::Future<
            Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
        >,
{
    let (outcome, exchange) = observe(send).await;
    let operation = exchange.operation.unwrap_or("request");
    check(provider, operation, outcome, exchange, json_only).await
}
