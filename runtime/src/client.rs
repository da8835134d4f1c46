//! The client's runtime: [`Runtime`], the value every generated `Client` carries and whose
//! hooks prepare and send each request, and [`call`], which runs a generated `send()` and turns
//! its outcome into the crate's result.

use std::fmt;
use std::future::Future;

use progenitor_client::ResponseValue;

use reqwest::header::{ACCEPT, HeaderName, HeaderValue, USER_AGENT};

use crate::auth::Auth;
use crate::classify::{self, Checked};
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::pacing;
use crate::provider::ProviderInfo;
use crate::retry;
use crate::scope;

/// What every generated client carries besides its base URL and `reqwest::Client`: the
/// provider, the credentials and the [`Config`]. Built by
/// [`ClientBuilder`](crate::ClientBuilder).
#[derive(Clone)]
pub struct Runtime {
    provider: &'static ProviderInfo,
    auth: Auth,
    user_agent: HeaderValue,
    headers: Vec<(HeaderName, HeaderValue)>,
    config: Config,
    pacer: pacing::Pacer,
    params: Vec<(&'static str, String)>,
}

impl Runtime {
    pub(crate) fn new(
        provider: &'static ProviderInfo,
        auth: Auth,
        user_agent: HeaderValue,
        headers: Vec<(HeaderName, HeaderValue)>,
        config: Config,
    ) -> Self {
        let pacer = pacing::Pacer::with_operations(config.rate_limit(), provider.operation_limits);
        Self {
            provider,
            auth,
            user_agent,
            headers,
            config,
            pacer,
            params: Vec::new(),
        }
    }

    /// The same runtime, with the values of the walked operations' required parameters.
    pub(crate) fn with_params(mut self, params: Vec<(&'static str, String)>) -> Self {
        self.params = params;
        self
    }

    /// The value the constructor was given for the walked operations' required parameter
    /// `name` (`org`); empty when it was given none.
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, value)| value.as_str())
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
        if scope::dry_run_stop(request) {
            return Err("built to be read, not sent".into());
        }
        let headers = request.headers_mut();
        // progenitor stamps `api-version: <info.version>` on every request; no provider reads
        // it, and providers that version their API declare their own header in the spec.
        headers.remove("api-version");
        headers.insert(USER_AGENT, self.user_agent.clone());
        // progenitor stamps `Accept: application/json`; a provider that versions its API by
        // media type declares an `Accept` header with its own default (a header parameter set
        // on the request builder replaces the stamp and stays).
        let json = HeaderValue::from_static("application/json");
        if headers.get(ACCEPT).is_none_or(|accept| *accept == json) {
            let accept = self
                .headers
                .iter()
                .find(|(name, _)| *name == ACCEPT)
                .map_or(json, |(_, value)| value.clone());
            headers.insert(ACCEPT, accept);
        }
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
            &self.auth,
            self.provider,
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
) -> Result<ResponseValue<T>, Error>
where
    T: Checked,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
{
    let (outcome, exchange) = scope::observe(send).await;
    finish(provider, outcome, exchange).await
}

/// [`call`] for one page of a walk. With drift checks on, the page is sent here rather than
/// by `send()` (whose request is built, then stopped before it is signed) so that its body is
/// decoded here, checked against the spec in the same pass ([`Drift::decode`]); every
/// outcome becomes the same result or error as through [`call`].
///
/// [`Drift::decode`]: crate::drift::Drift
#[doc(hidden)]
pub async fn call_page<T, E, F>(
    provider: &'static ProviderInfo,
    runtime: &Runtime,
    http: &reqwest::Client,
    send: F,
) -> Result<ResponseValue<T>, Error>
where
    T: Checked + serde::de::DeserializeOwned,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
{
    use progenitor_client::Error as P;
    let Some(check) = scope::page_check() else {
        return call(provider, send).await;
    };
    let mut request = match scope::capture(send) {
        (Some(request), _) => request,
        // Not built (a parameter the generated code refuses): its own error, as `call` says it.
        (None, Some(outcome)) => return call(provider, std::future::ready(outcome)).await,
        (None, None) => {
            return Err(Error::new(
                provider.name,
                check.operation,
                ErrorKind::InvalidRequest("the request could not be built".into()),
            ));
        }
    };
    let operation = check.operation;
    let (outcome, exchange) = scope::observe(async move {
        runtime
            .prepare(&mut request)
            .map_err(P::<()>::InvalidRequest)?;
        let response = runtime
            .execute(http, request, operation)
            .await
            .map_err(P::CommunicationError)?;
        let status = response.status();
        if !status.is_success() {
            return Err(P::UnexpectedResponse(response));
        }
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(P::ResponseBodyError)?;
        match check.drift.decode::<T>(operation, check.page, &body) {
            Ok(page) => Ok(ResponseValue::new(page, status, headers)),
            Err(error) => Err(P::InvalidResponsePayload(body, error)),
        }
    })
    .await;
    finish(provider, outcome, exchange).await
}

/// The crate's result for what a call returned and what the hooks saw of it.
async fn finish<T: Checked, E>(
    provider: &'static ProviderInfo,
    outcome: Result<ResponseValue<T>, progenitor_client::Error<E>>,
    exchange: scope::Exchange,
) -> Result<ResponseValue<T>, Error> {
    let operation = exchange.operation.unwrap_or("request");
    let attempts = exchange.attempts;
    if let Some(why) = exchange.token_failure {
        return Err(Error::new(provider.name, operation, ErrorKind::Token(why)));
    }
    if let Some((waited, max_wait)) = exchange.wait_exhausted {
        return Err(Error::new(
            provider.name,
            operation,
            ErrorKind::WaitBudget { waited, max_wait },
        ));
    }
    let value = classify::check(provider, operation, outcome, exchange).await?;
    match value.refusal() {
        None => Ok(value),
        Some(body) => {
            let (status, headers) = (value.status(), value.headers().clone());
            Err(classify::refused(
                provider, operation, status, &headers, attempts, body,
            ))
        }
    }
}
