//! OAuth 2.0 client credentials (RFC 6749 §4.4): an access token asked of the scheme's token
//! URL with the client's id and secret, kept until shortly before it expires, and asked again
//! then, or once after a request it signed was refused because the token expired.
//!
//! The exchange itself (the form, the client authentication, reading the token or the error
//! response) is the `oauth2` crate's; what is ours is which HTTP client sends it (the
//! client's own), the cache and when to renew.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use oauth2::basic::BasicClient;
use oauth2::{AuthType, ClientId, ClientSecret, Scope, TokenResponse as _, TokenUrl};
use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};

use crate::error::transport_message;
use crate::secret::Secret;

/// How long a token is assumed to live when the token endpoint does not say (`expires_in` is
/// only recommended by RFC 6749); a refusal that says it expired renews it earlier.
const ASSUMED_LIFETIME: Duration = Duration::from_secs(3600);

/// How long before its announced expiry a token is renewed (as the Azure and Google SDKs do),
/// at most half its lifetime so that short-lived tokens are still used.
const RENEW_AHEAD: Duration = Duration::from_secs(300);

/// The credentials of a client-credentials scheme and the token they were last exchanged for.
#[derive(Clone)]
pub(crate) struct ClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    scopes: &'static [&'static str],
    /// The error codes of a refusal that mean the token expired (or was revoked), read with
    /// the provider's error rules.
    expired: &'static [&'static str],
    /// Shared by the client's clones; an async lock, so that requests sent at once (pages
    /// fetched ahead) wait for one exchange instead of each starting its own.
    cache: Arc<tokio::sync::Mutex<Cache>>,
}

#[derive(Default)]
struct Cache {
    token: Option<Cached>,
    /// Counts the tokens obtained: a renewal forgets the token only if it is still the one
    /// the refused request carried.
    generation: u64,
}

struct Cached {
    token: Secret,
    renew_at: Instant,
}

/// A token to sign one request with, and which one it is.
pub(crate) struct Token {
    pub(crate) bearer: Secret,
    pub(crate) generation: u64,
}

impl Token {
    /// Puts `Authorization: Bearer <token>` on `request` (replacing the last attempt's),
    /// marked sensitive so that `reqwest` and `http` never print it.
    pub(crate) fn sign(&self, request: &mut reqwest::Request) -> Result<(), String> {
        let mut value =
            reqwest::header::HeaderValue::from_str(&format!("Bearer {}", self.bearer.expose()))
                .map_err(|_| "the access token has characters not allowed in a header")?;
        value.set_sensitive(true);
        request
            .headers_mut()
            .insert(reqwest::header::AUTHORIZATION, value);
        Ok(())
    }
}

impl ClientCredentials {
    pub(crate) fn new(
        token_url: String,
        client_id: String,
        client_secret: Secret,
        scopes: &'static [&'static str],
        expired: &'static [&'static str],
    ) -> Self {
        Self {
            token_url,
            client_id,
            client_secret,
            scopes,
            expired,
            cache: Arc::default(),
        }
    }

    pub(crate) fn is_incomplete(&self) -> bool {
        self.client_secret.is_empty() || self.client_id.is_empty()
    }

    /// The token URL with its scheme, host and port replaced by those of `authority` (a URL,
    /// or a bare host name taken as `https://`), as the Azure SDKs read `AZURE_AUTHORITY_HOST`.
    pub(crate) fn with_authority(mut self, authority: &str) -> Result<Self, String> {
        let authority = authority.trim();
        let with_scheme = if authority.contains("://") {
            authority.to_owned()
        } else {
            format!("https://{authority}")
        };
        let bad = || format!("authority host `{authority}` is not an http(s) URL or host name");
        let host = reqwest::Url::parse(&with_scheme).map_err(|_| bad())?;
        if !matches!(host.scheme(), "http" | "https") || host.host_str().is_none() {
            return Err(bad());
        }
        let mut url = reqwest::Url::parse(&self.token_url)
            .map_err(|_| format!("the token URL `{}` is not a URL", self.token_url))?;
        url.set_scheme(host.scheme()).map_err(|()| bad())?;
        url.set_host(host.host_str()).map_err(|_| bad())?;
        url.set_port(host.port()).map_err(|()| bad())?;
        self.token_url = url.into();
        Ok(self)
    }

    /// A token to sign a request with: the cached one while it is fresh, else a new one.
    pub(crate) async fn token(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
    ) -> Result<Token, String> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = &cache.token
            && Instant::now() < cached.renew_at
        {
            return Ok(Token {
                bearer: cached.token.clone(),
                generation: cache.generation,
            });
        }
        cache.token = None;
        let (token, lifetime) = self.exchange(http, timeout).await?;
        let ahead = RENEW_AHEAD.min(lifetime / 2);
        cache.generation += 1;
        cache.token = Some(Cached {
            token: token.clone(),
            renew_at: Instant::now() + lifetime.saturating_sub(ahead),
        });
        tracing::debug!(
            target: "rollcall::auth",
            lifetime_s = lifetime.as_secs(),
            "obtained an access token"
        );
        Ok(Token {
            bearer: token,
            generation: cache.generation,
        })
    }

    /// Forgets the token of `generation` (a request it signed was refused as expired), so that
    /// the next request asks for a new one; a newer token is kept.
    pub(crate) async fn forget(&self, generation: u64) {
        let mut cache = self.cache.lock().await;
        if cache.generation == generation {
            cache.token = None;
        }
    }

    /// Whether a 401 says the token expired or was revoked: RFC 6750's
    /// `WWW-Authenticate: Bearer error="invalid_token"`, or an error code of the scheme's
    /// `renew-on` in the body (read by the provider's error rules, into `code`).
    pub(crate) fn says_expired(&self, headers: &HeaderMap, code: Option<&str>) -> bool {
        let challenge = headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .any(|value| value.contains("invalid_token"));
        challenge || code.is_some_and(|code| self.expired.contains(&code))
    }

    /// Exchanges the client's id and secret for an access token and its lifetime, or says in
    /// one line why the token endpoint gave none (its own error and description, never the
    /// secret).
    async fn exchange(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
    ) -> Result<(Secret, Duration), String> {
        let token_url = TokenUrl::new(self.token_url.clone())
            .map_err(|_| format!("the token URL `{}` is not a URL", self.token_url))?;
        let client = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_client_secret(ClientSecret::new(self.client_secret.expose().to_owned()))
            .set_token_uri(token_url)
            // The form body (`client_secret_post`), which every client-credentials server
            // documents; not every one takes HTTP basic.
            .set_auth_type(AuthType::RequestBody);
        let send = |request: oauth2::HttpRequest| send(http.clone(), request, timeout);
        let answer = client
            .exchange_client_credentials()
            .add_scopes(self.scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .request_async(&send)
            .await;
        match answer {
            Ok(token) => Ok((
                Secret::new(token.access_token().secret().clone()),
                token.expires_in().unwrap_or(ASSUMED_LIFETIME),
            )),
            Err(error) => Err(refusal(&error)),
        }
    }
}

/// Sends the token request with the client's `reqwest::Client`.
async fn send(
    http: reqwest::Client,
    request: oauth2::HttpRequest,
    timeout: Duration,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let mut request = reqwest::Request::try_from(request.map(reqwest::Body::from))?;
    *request.timeout_mut() = Some(timeout);
    let response = http.execute(request).await?;
    let mut answer = http::Response::builder().status(response.status());
    if let Some(headers) = answer.headers_mut() {
        *headers = response.headers().clone();
    }
    let body = response.bytes().await?;
    Ok(answer
        .body(body.to_vec())
        .unwrap_or_else(|_| http::Response::new(Vec::new())))
}

type ExchangeError = oauth2::RequestTokenError<reqwest::Error, oauth2::basic::BasicErrorResponse>;

/// One line for a failed exchange. A token endpoint's description may run over several lines
/// (Microsoft's add trace and correlation ids): only its first is kept.
fn refusal(error: &ExchangeError) -> String {
    match error {
        oauth2::RequestTokenError::ServerResponse(response) => {
            let code = response.error().to_string();
            match response.error_description().and_then(|d| d.lines().next()) {
                Some(description) if !description.trim().is_empty() => format!(
                    "the token endpoint refused the client credentials: {} (code {code})",
                    description.trim()
                ),
                _ => format!("the token endpoint refused the client credentials (code {code})"),
            }
        }
        oauth2::RequestTokenError::Request(error) => {
            format!("the token endpoint: {}", transport_message(error))
        }
        // The body is not read into the message: it could hold a token.
        oauth2::RequestTokenError::Parse(..) => {
            "the token endpoint's answer is neither a token nor an OAuth error".to_owned()
        }
        oauth2::RequestTokenError::Other(what) => {
            format!(
                "the token endpoint's answer is not usable: {}",
                what.lines().next().unwrap_or_default()
            )
        }
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials() -> ClientCredentials {
        ClientCredentials::new(
            "https://login.example.com/tenant-1/oauth2/token".to_owned(),
            "client-1".to_owned(),
            Secret::from("s3cret"),
            &["https://api.example.com/.default"],
            &["TokenExpired"],
        )
    }

    #[test]
    fn the_authority_replaces_the_token_urls_origin_only() {
        let moved = credentials()
            .with_authority("http://127.0.0.1:8080")
            .unwrap();
        assert_eq!(
            moved.token_url,
            "http://127.0.0.1:8080/tenant-1/oauth2/token"
        );
        let bare = credentials().with_authority("login.example.us").unwrap();
        assert_eq!(
            bare.token_url,
            "https://login.example.us/tenant-1/oauth2/token"
        );
        assert!(credentials().with_authority("ftp://x").is_err());
        assert!(!format!("{moved:?}").contains("s3cret"));
    }

    #[test]
    fn a_refusal_says_it_expired_by_challenge_or_code() {
        let credentials = credentials();
        let mut headers = HeaderMap::new();
        assert!(!credentials.says_expired(&headers, None));
        assert!(!credentials.says_expired(&headers, Some("Forbidden")));
        assert!(credentials.says_expired(&headers, Some("TokenExpired")));
        headers.insert(
            WWW_AUTHENTICATE,
            "Bearer error=\"invalid_token\", error_description=\"expired\""
                .parse()
                .unwrap(),
        );
        assert!(credentials.says_expired(&headers, None));
    }

    #[tokio::test]
    async fn a_cached_token_is_renewed_ahead_of_its_expiry() {
        let credentials = credentials();
        let mut cache = credentials.cache.lock().await;
        cache.generation = 1;
        cache.token = Some(Cached {
            token: Secret::from("t1"),
            renew_at: Instant::now() + Duration::from_secs(60),
        });
        drop(cache);
        let http = reqwest::Client::new();
        let token = credentials
            .token(&http, Duration::from_secs(1))
            .await
            .unwrap();
        assert_eq!((token.bearer.expose(), token.generation), ("t1", 1));
        credentials.forget(0).await;
        assert!(
            credentials.cache.lock().await.token.is_some(),
            "a newer token stays"
        );
        credentials.forget(1).await;
        assert!(credentials.cache.lock().await.token.is_none());
    }
}
