//! Worksection: the admin-key and OAuth constructors, the admin request hash and typed errors
//! (also for error envelopes that arrive with HTTP 200).

use std::fmt::Write as _;
use std::future::Future;

use md5::{Digest as _, Md5};
use progenitor_client::ResponseValue;

use super::{Client, types};
use crate::runtime::{self, Auth, ClientBuilder, Error, ErrorBody, Provider, Secret};

runtime::generated_client!(Client, Provider::Worksection, None);

impl Client {
    /// A client for `https://{account}.worksection.com` that signs every request with the
    /// account's admin API key: the `hash` parameter ([`admin_hash`]) is appended last to the
    /// query string. Lists users with the admin API (`/api/admin/v2/`).
    ///
    /// ```
    /// let client = rollcall::worksection::Client::with_admin_key("acme", "api-key").build()?;
    /// # Ok::<(), rollcall::Error>(())
    /// ```
    pub fn with_admin_key(account: &str, api_key: impl Into<Secret>) -> ClientBuilder<Client> {
        let auth = Auth::QuerySignature {
            key: api_key.into(),
            sign: sign_admin_query,
        };
        Self::for_account(account, auth)
    }

    /// A client for `https://{account}.worksection.com` that sends `Authorization: Bearer
    /// <token>` with an OAuth 2.0 access token (valid for 24 hours). Lists users with the OAuth
    /// API (`/api/oauth2`), which does not return `date_added`.
    pub fn with_oauth_token(account: &str, token: impl Into<Secret>) -> ClientBuilder<Client> {
        Self::for_account(account, Auth::Bearer(token.into()))
    }

    fn for_account(account: &str, auth: Auth) -> ClientBuilder<Client> {
        ClientBuilder::new(format!("https://{account}.worksection.com"), auth)
            .problem(runtime::host_label_problem("account", account))
    }

    /// Whether this client uses an OAuth token (and so the `/api/oauth2` operations).
    pub(crate) fn uses_oauth(&self) -> bool {
        use progenitor_client::ClientInfo as _;
        self.inner().auth().is_bearer()
    }

    /// Runs a request built with the generated API and returns its envelope when `status` is
    /// `ok`. An envelope with any other `status` is an [`Error`] carrying its `status_code`
    /// and `message`, whether it came with HTTP 200 (as Worksection sends them) or an HTTP
    /// error status.
    ///
    /// ```no_run
    /// # async fn run(client: rollcall::worksection::Client) -> Result<(), rollcall::Error> {
    /// let envelope = client.call(client.get_users().action("get_users").send()).await?;
    /// println!("{} users", envelope.data.len());
    /// # Ok(()) }
    /// ```
    pub async fn call<F>(&self, send: F) -> Result<ResponseValue<types::Envelope>, Error>
    where
        F: Future<
            Output = Result<
                ResponseValue<types::Envelope>,
                progenitor_client::Error<types::Envelope>,
            >,
        >,
    {
        let (outcome, exchange) = runtime::observe(send).await;
        let operation = exchange.operation.unwrap_or("request");
        let attempts = exchange.attempts;
        // Worksection is PHP, whose default Content-Type is text/html: the body decides.
        let value =
            runtime::check(Provider::Worksection, operation, outcome, exchange, false).await?;
        // Only `status: ok` is a success: the OAuth endpoints' `{"error", "errorDescription"}`
        // answers carry no `status` at all.
        if value.status == Some(types::EnvelopeStatus::Ok) {
            return Ok(value);
        }
        let (status, headers) = (value.status(), value.headers().clone());
        Err(runtime::refused(
            Provider::Worksection,
            operation,
            status,
            &headers,
            attempts,
            value.into_inner(),
        ))
    }
}

/// The `hash` of an admin API request: the lowercase hex MD5 of `query` (the query string
/// exactly as sent, `action` first, without `hash`) followed by the admin API key.
///
/// ```
/// // The example from Worksection's documentation.
/// let hash = rollcall::worksection::admin_hash(
///     "action=get_tasks&id_project=26",
///     "7776461cd931e7b1c8e9632ff8e979ce",
/// );
/// assert_eq!(hash, "ec3ab2c28f21b4a07424f8ed688d6644");
/// ```
pub fn admin_hash(query: &str, api_key: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(query.as_bytes());
    md5.update(api_key.as_bytes());
    let mut hex = String::with_capacity(32);
    for byte in md5.finalize() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Puts `action` first, drops any `hash`, and appends `hash=<admin_hash>` as the last
/// parameter — computed over the query string exactly as it will be sent.
fn sign_admin_query(url: &mut reqwest::Url, api_key: &str) {
    let query = url.query().unwrap_or("").to_owned();
    let pairs = query
        .split('&')
        .filter(|pair| !pair.is_empty() && *pair != "hash" && !pair.starts_with("hash="));
    let (action, rest): (Vec<&str>, Vec<&str>) =
        pairs.partition(|pair| *pair == "action" || pair.starts_with("action="));
    let unsigned = action.into_iter().chain(rest).collect::<Vec<_>>().join("&");
    url.set_query((!unsigned.is_empty()).then_some(unsigned.as_str()));
    let sent = url.query().unwrap_or("").to_owned();
    let hash = admin_hash(&sent, api_key);
    let signed = if sent.is_empty() {
        format!("hash={hash}")
    } else {
        format!("{sent}&hash={hash}")
    };
    url.set_query(Some(&signed));
}

impl runtime::SealedProviderError for types::Envelope {}

impl runtime::ProviderError for types::Envelope {
    fn code(&self) -> Option<String> {
        self.status_code.map(|code| code.to_string())
    }

    fn message(&self) -> Option<String> {
        match (&self.message, &self.message_details) {
            (Some(message), Some(details)) if !details.trim().is_empty() => {
                Some(format!("{message}: {details}"))
            }
            (Some(message), _) => Some(message.clone()),
            (None, details) => details.clone(),
        }
    }

    fn into_body(self) -> ErrorBody {
        ErrorBody::Worksection(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(url: &str) -> String {
        let mut url = reqwest::Url::parse(url).unwrap();
        sign_admin_query(&mut url, "7776461cd931e7b1c8e9632ff8e979ce");
        url.query().unwrap().to_owned()
    }

    #[test]
    fn documented_test_vector() {
        assert_eq!(
            signed("https://x.worksection.com/api/admin/v2/?action=get_tasks&id_project=26"),
            "action=get_tasks&id_project=26&hash=ec3ab2c28f21b4a07424f8ed688d6644"
        );
    }

    #[test]
    fn action_goes_first_and_an_old_hash_is_replaced() {
        assert_eq!(
            signed("https://x.worksection.com/api/admin/v2/?id_project=26&hash=0&action=get_tasks"),
            "action=get_tasks&id_project=26&hash=ec3ab2c28f21b4a07424f8ed688d6644"
        );
    }
}
