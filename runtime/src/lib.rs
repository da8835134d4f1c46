//! The hand-written, provider-agnostic runtime under rollcall's generated clients.
//!
//! Nothing here names a provider: everything a provider *is* — its host, its credentials, how
//! it pages, where its error messages sit — is generated from its spec into the `rollcall`
//! crate as data ([`ProviderInfo`], [`ErrorRules`]) and calls into this crate. Downstream code
//! uses it through `rollcall`, which re-exports the public types.
//!
//! progenitor lets each generated `Client` carry one value of a type we choose (its *inner*
//! value) and calls our `ClientHooks` around every request. [`Runtime`] is that value; the
//! modules below hold one concern each:
//!
//! | module | what |
//! | --- | --- |
//! | `config` | [`ClientBuilder`], [`Config`], [`RetryPolicy`] |
//! | `secret`, `auth` | [`Secret`]; the `Authorization` header or a named signature plugin |
//! | `retry` | sending a request again after 408/429/5xx or a broken connection |
//! | `error`, `rules` | [`Error`] and what it holds; reading the provider's message out of a body |
//! | `paging` | the one loop behind every all-pages walk ([`UserStream`]) |
//! | `decode` | what the generated types call to decode timestamps and open enums quickly |
//! | `account` | [`Account`]: a user record read by the spec's [`AccountRules`], and SCIM |
//! | `provider` | [`ProviderInfo`] and the traits every generated client implements |
//! | `testing` | fake providers for tests (cargo feature `testing`) |

#![warn(missing_docs)]

use std::fmt;

use reqwest::header::{ACCEPT, HeaderName, HeaderValue, USER_AGENT};

pub mod account;
mod auth;
mod config;
mod connect;
pub mod decode;
mod error;
#[doc(hidden)]
pub mod list;
mod pacing;
pub mod paging;
mod provider;
mod retry;
mod rules;
#[doc(hidden)]
pub mod sample;
mod secret;
#[cfg(feature = "testing")]
pub mod testing;

pub use account::{Account, AccountRules};
pub use auth::{Auth, Plugin, query_md5_hash};
pub use config::{
    ClientBuilder, ClientOptions, Config, DEFAULT_MAX_PAGES, DEFAULT_MAX_WAIT,
    DEFAULT_PAGE_CONCURRENCY, GeneratedClient, RetryPolicy,
};
pub use config::{host_label_problem, template_problem};
pub use connect::Vars;
#[doc(hidden)]
pub use connect::{Build, Values, connect};
pub use error::{ApiError, Error, ErrorBody, ErrorKind, PagingError};
pub use pacing::RateLimit;
pub use paging::{Report, Stop, UserStream, WalkReport};
#[doc(hidden)]
pub use provider::ProviderFields;
pub use provider::{AnyClient, Arg, Checked, ProviderInfo, Role, Scheme, Sends, Users};
pub use rules::{ErrorRules, Field, Only, Part};
pub use secret::Secret;

/// What every generated client carries besides its base URL and `reqwest::Client`: the
/// provider, the credentials and the [`Config`]. Built by [`ClientBuilder`].
#[derive(Clone)]
pub struct Runtime {
    provider: &'static ProviderInfo,
    auth: Auth,
    user_agent: HeaderValue,
    headers: Vec<(HeaderName, HeaderValue)>,
    config: Config,
    pacer: pacing::Pacer,
}

impl Runtime {
    pub(crate) fn new(
        provider: &'static ProviderInfo,
        auth: Auth,
        user_agent: HeaderValue,
        headers: Vec<(HeaderName, HeaderValue)>,
        config: Config,
    ) -> Self {
        let pacer = pacing::Pacer::new(config.rate_limit());
        Self {
            provider,
            auth,
            user_agent,
            headers,
            config,
            pacer,
        }
    }

    /// The provider this client talks to.
    pub fn provider(&self) -> &'static ProviderInfo {
        self.provider
    }

    /// The client's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The name of the spec's security scheme this client authenticates with.
    pub fn scheme(&self) -> &'static str {
        self.auth.scheme()
    }

    /// Prepares a request the generated code has built: our headers, the credentials (signing
    /// last, when every parameter is in place) and the per-attempt timeout.
    #[doc(hidden)]
    pub fn prepare(&self, request: &mut reqwest::Request) -> Result<(), String> {
        let headers = request.headers_mut();
        // progenitor stamps `api-version: <info.version>` on every request; no provider reads
        // it, and providers that version their API declare their own header in the spec.
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
        paging::extra_query(request.url_mut());
        self.auth.apply(request)
    }

    /// Sends a prepared request, retrying as the configuration allows.
    #[doc(hidden)]
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        retry::execute(
            client,
            request,
            &self.config,
            &self.pacer,
            self.provider.name,
            operation,
        )
        .await
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("provider", &self.provider.name)
            .field("auth", &self.auth)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Runs a generated `send()` future and turns its outcome into the crate's result: an HTTP
/// error, a body that does not decode, or (for providers with an error envelope) a success
/// status carrying an error, all become one [`Error`] naming the provider and operation.
#[doc(hidden)]
pub async fn call<T, E, F>(
    provider: &'static ProviderInfo,
    send: F,
) -> Result<progenitor_client::ResponseValue<T>, Error>
where
    T: Checked,
    F: std::future::Future<
            Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
        >,
{
    let (outcome, exchange) = retry::observe(send).await;
    let operation = exchange.operation.unwrap_or("request");
    let attempts = exchange.attempts;
    if let Some((waited, max_wait)) = exchange.wait_exhausted {
        return Err(Error::new(
            provider.name,
            operation,
            ErrorKind::WaitBudget { waited, max_wait },
        ));
    }
    let value = error::check(provider, operation, outcome, exchange).await?;
    match value.refusal() {
        None => Ok(value),
        Some(body) => {
            let (status, headers) = (value.status(), value.headers().clone());
            Err(error::refused(
                provider, operation, status, &headers, attempts, body,
            ))
        }
    }
}
