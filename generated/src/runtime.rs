//! State and request hooks shared by every generated client.
//!
//! progenitor lets each generated `Client` carry one value of a type we choose (its *inner*
//! value) and calls our `ClientHooks` around every request. [`Runtime`] is that value.

use std::fmt;

/// What every generated client carries besides its base URL and `reqwest::Client`.
#[derive(Clone)]
pub struct Runtime {
    provider: &'static str,
    user_agent: String,
}

impl Runtime {
    /// A runtime for `provider` (its kebab-case name, used in errors and logs).
    pub fn new(provider: &'static str) -> Self {
        Self {
            provider,
            user_agent: format!("rollcall/{}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// The provider's kebab-case name.
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// The `User-Agent` sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Sets headers every provider expects on every request.
    pub(crate) fn prepare(&self, request: &mut reqwest::Request) {
        let headers = request.headers_mut();
        // progenitor stamps `api-version: <info.version>` on every request; no provider reads
        // it, and Sequence selects versions through its own `Sequence-Version` header.
        headers.remove("api-version");
        if let Ok(value) = reqwest::header::HeaderValue::from_str(&self.user_agent) {
            headers.insert(reqwest::header::USER_AGENT, value);
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("provider", &self.provider)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// Implements progenitor's `ClientHooks` for a generated `Client`, routing every request
/// through [`Runtime`].
macro_rules! client_hooks {
    ($client:ty) => {
        impl progenitor_client::ClientHooks<$crate::runtime::Runtime> for $client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), progenitor_client::Error<E>> {
                use progenitor_client::ClientInfo as _;
                self.inner().prepare(request);
                Ok(())
            }
        }
    };
}
pub(crate) use client_hooks;
