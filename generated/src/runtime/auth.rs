//! How a request proves who sends it: the `Authorization` header or a query signature.

use std::fmt;

use base64::Engine as _;
use reqwest::header::{AUTHORIZATION, HeaderValue};

use super::Secret;

/// Rewrites a request URL so that it carries a signature made with `key`.
pub(crate) type SignQuery = fn(url: &mut reqwest::Url, key: &str);

/// The credentials of one client. Built by the providers' constructors.
#[derive(Clone)]
pub(crate) enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Authorization: Basic base64(<user>:<password>)`.
    Basic { user: String, password: Secret },
    /// A signature in the query string, computed by `sign` when every other parameter is in place.
    QuerySignature { key: Secret, sign: SignQuery },
}

impl Auth {
    /// Adds the credentials to `request`; the `Authorization` header is marked sensitive so that
    /// `reqwest` and `http` never print it.
    pub(crate) fn apply(&self, request: &mut reqwest::Request) -> Result<(), String> {
        let header = match self {
            Auth::Bearer(token) => format!("Bearer {}", token.expose()),
            Auth::Basic { user, password } => {
                let pair = format!("{user}:{}", password.expose());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
            Auth::QuerySignature { key, sign } => {
                sign(request.url_mut(), key.expose());
                return Ok(());
            }
        };
        let mut value = HeaderValue::from_str(&header)
            .map_err(|_| "the credentials contain characters not allowed in a header".to_owned())?;
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
        Ok(())
    }

    /// Whether the credentials are a bearer token (as opposed to a key or a password).
    pub(crate) fn is_bearer(&self) -> bool {
        matches!(self, Auth::Bearer(_))
    }

    /// Whether a credential needed to sign requests is empty.
    pub(crate) fn is_incomplete(&self) -> bool {
        match self {
            Auth::Bearer(secret)
            | Auth::Basic {
                password: secret, ..
            }
            | Auth::QuerySignature { key: secret, .. } => secret.is_empty(),
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Bearer(token) => f.debug_tuple("Bearer").field(token).finish(),
            Auth::Basic { user, password } => f
                .debug_struct("Basic")
                .field("user", user)
                .field("password", password)
                .finish(),
            Auth::QuerySignature { key, .. } => {
                f.debug_struct("QuerySignature").field("key", key).finish()
            }
        }
    }
}
