//! How a request proves who sends it: a header, a query parameter, a named signature plugin,
//! or an OAuth 2.0 access token obtained with client credentials — whichever the spec's
//! `securitySchemes` (and `x-rollcall-auth`) declare.

use std::fmt;

use base64::Engine as _;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

use crate::secret::Secret;

mod client_credentials;
mod query_md5;

pub(crate) use client_credentials::ClientCredentials;

pub use query_md5::hash as query_md5_hash;

/// The credentials of one client, and the name of the spec's security scheme they are for.
/// Built by the generated constructors.
#[derive(Clone)]
pub struct Auth {
    scheme: &'static str,
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Bearer(Secret),
    Basic {
        user: String,
        password: Secret,
    },
    Header {
        name: HeaderName,
        prefix: &'static str,
        value: Secret,
    },
    Query {
        name: &'static str,
        value: Secret,
    },
    Plugin {
        plugin: Plugin,
        key: Secret,
    },
    /// Signed when sent (the token may have to be fetched first): see [`Auth::token_source`].
    ClientCredentials(ClientCredentials),
}

/// A way of signing requests that standard OpenAPI cannot describe, named in a spec's
/// `x-rollcall-auth: {plugin: <name>}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Plugin {
    /// `query-md5`: puts `action` first, drops any old signature parameter, and appends
    /// `<parameter>=md5(<query as sent> + <key>)` last (Worksection's admin API).
    QueryMd5 {
        /// The query parameter that carries the signature (the security scheme's `name`).
        parameter: &'static str,
    },
}

impl Plugin {
    /// Every plugin name a spec may use.
    pub const NAMES: &'static [&'static str] = &["query-md5"];
}

impl Auth {
    /// `Authorization: Bearer <token>`.
    pub fn bearer(scheme: &'static str, token: Secret) -> Self {
        Self::of(scheme, Kind::Bearer(token))
    }

    /// `Authorization: Basic base64(<user>:<password>)`.
    pub fn basic(scheme: &'static str, user: String, password: Secret) -> Self {
        Self::of(scheme, Kind::Basic { user, password })
    }

    /// An API key in the header `name`.
    pub fn header(scheme: &'static str, name: &'static str, value: Secret) -> Self {
        Self::prefixed_header(scheme, name, "", value)
    }

    /// An API key in the header `name`, after the text `prefix` (`Token token=`, `SSWS `).
    pub fn prefixed_header(
        scheme: &'static str,
        name: &'static str,
        prefix: &'static str,
        value: Secret,
    ) -> Self {
        Self::of(
            scheme,
            Kind::Header {
                name: HeaderName::from_static(name),
                prefix,
                value,
            },
        )
    }

    /// An API key in the query parameter `name`.
    pub fn query(scheme: &'static str, name: &'static str, value: Secret) -> Self {
        Self::of(scheme, Kind::Query { name, value })
    }

    /// A signature computed by `plugin` with `key`.
    pub fn plugin(scheme: &'static str, plugin: Plugin, key: Secret) -> Self {
        Self::of(scheme, Kind::Plugin { plugin, key })
    }

    /// `Authorization: Bearer <access token>`, the token obtained from `token_url` with the
    /// client's id and secret for `scopes` (OAuth 2.0 client credentials), kept until shortly
    /// before it expires. A 401 whose error code is one of `expired` (or whose
    /// `WWW-Authenticate` says `invalid_token`) renews it once.
    pub fn client_credentials(
        scheme: &'static str,
        token_url: String,
        client_id: String,
        client_secret: Secret,
        scopes: &'static [&'static str],
        expired: &'static [&'static str],
    ) -> Self {
        Self::of(
            scheme,
            Kind::ClientCredentials(ClientCredentials::new(
                token_url,
                client_id,
                client_secret,
                scopes,
                expired,
            )),
        )
    }

    /// The same credentials with the token URL's scheme, host and port replaced by
    /// `authority`'s; an error for a scheme without a token URL or an authority that is not an
    /// http(s) URL or host name.
    pub(crate) fn with_authority(self, authority: &str) -> Result<Self, String> {
        match self.kind {
            Kind::ClientCredentials(credentials) => Ok(Self::of(
                self.scheme,
                Kind::ClientCredentials(credentials.with_authority(authority)?),
            )),
            _ => Err(format!(
                "an authority host is for a scheme with a token URL, not `{}`",
                self.scheme
            )),
        }
    }

    /// Where the access token comes from, for credentials signed when sent.
    pub(crate) fn token_source(&self) -> Option<&ClientCredentials> {
        match &self.kind {
            Kind::ClientCredentials(credentials) => Some(credentials),
            _ => None,
        }
    }

    fn of(scheme: &'static str, kind: Kind) -> Self {
        Self { scheme, kind }
    }

    /// The name of the spec's security scheme.
    pub fn scheme(&self) -> &'static str {
        self.scheme
    }

    /// Adds the credentials to `request`; a header is marked sensitive so that `reqwest` and
    /// `http` never print it.
    pub(crate) fn apply(&self, request: &mut reqwest::Request) -> Result<(), String> {
        let (name, header) = match &self.kind {
            Kind::Bearer(token) => (AUTHORIZATION, format!("Bearer {}", token.expose())),
            Kind::Basic { user, password } => {
                let pair = format!("{user}:{}", password.expose());
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                (AUTHORIZATION, format!("Basic {encoded}"))
            }
            Kind::Header {
                name,
                prefix,
                value,
            } => (name.clone(), format!("{prefix}{}", value.expose())),
            Kind::Query { name, value } => {
                request
                    .url_mut()
                    .query_pairs_mut()
                    .append_pair(name, value.expose());
                return Ok(());
            }
            Kind::Plugin { plugin, key } => {
                match plugin {
                    Plugin::QueryMd5 { parameter } => {
                        query_md5::sign(request.url_mut(), parameter, key.expose());
                    }
                }
                return Ok(());
            }
            // The token is fetched (or renewed) by the retry loop, per attempt.
            Kind::ClientCredentials(_) => return Ok(()),
        };
        let mut value = HeaderValue::from_str(&header)
            .map_err(|_| "the credentials contain characters not allowed in a header".to_owned())?;
        value.set_sensitive(true);
        request.headers_mut().insert(name, value);
        Ok(())
    }

    /// Whether a credential needed to sign requests is empty.
    pub(crate) fn is_incomplete(&self) -> bool {
        match &self.kind {
            Kind::Bearer(secret)
            | Kind::Basic {
                password: secret, ..
            }
            | Kind::Header { value: secret, .. }
            | Kind::Query { value: secret, .. }
            | Kind::Plugin { key: secret, .. } => secret.is_empty(),
            Kind::ClientCredentials(credentials) => credentials.is_incomplete(),
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Auth");
        out.field("scheme", &self.scheme);
        match &self.kind {
            Kind::Bearer(token) => out.field("bearer", token),
            Kind::Basic { user, password } => out.field("user", user).field("password", password),
            Kind::Header {
                name,
                prefix,
                value,
            } => out
                .field("header", name)
                .field("prefix", prefix)
                .field("value", value),
            Kind::Query { name, value } => out.field("query", name).field("value", value),
            Kind::Plugin { plugin, key } => out.field("plugin", plugin).field("key", key),
            Kind::ClientCredentials(credentials) => out.field("client_credentials", credentials),
        };
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefixed_key_goes_after_its_prefix_and_stays_hidden() {
        let auth = Auth::prefixed_header(
            "apiToken",
            "authorization",
            "Token token=",
            Secret::from("s3cret"),
        );
        let mut request = reqwest::Request::new(
            reqwest::Method::GET,
            "https://api.example.com/users".parse().unwrap(),
        );
        auth.apply(&mut request).unwrap();
        let header = &request.headers()[AUTHORIZATION];
        assert_eq!(header, "Token token=s3cret");
        assert!(header.is_sensitive());
        assert!(!format!("{auth:?}").contains("s3cret"));
        assert!(Auth::prefixed_header("k", "x-key", "Key ", Secret::from("")).is_incomplete());
    }
}
