//! What a provider is to the runtime: [`ProviderInfo`], generated from its spec.

use std::fmt;

use crate::account_rules::AccountRules;
use crate::drift::DriftSpec;
use crate::pacing::RateLimit;
use crate::rules::ErrorRules;

/// One provider as its spec describes it: generated into the `rollcall` crate as a `static`,
/// the one table its registry entry, `connect`, `env_vars` and fake all read.
#[derive(Debug)]
#[non_exhaustive]
pub struct ProviderInfo {
    /// The kebab-case name: the spec's file stem and the cargo feature (`zendesk-sell`).
    pub name: &'static str,
    /// The spec's `info.title`.
    pub title: &'static str,
    /// The largest page size the provider accepts, if it pages at all.
    pub max_page_size: Option<u32>,
    /// Where the provider's error bodies keep their code, message and request id.
    pub errors: ErrorRules,
    /// Whether a successful answer may come with any `Content-Type` (PHP sends JSON as
    /// `text/html`); otherwise a non-JSON `Content-Type` is refused.
    pub any_content_type: bool,
    /// How a user record reads as an [`Account`](crate::Account) (`x-rollcall.account`).
    pub account: AccountRules,
    /// The documented rate limit clients pace themselves to (`x-rollcall.rate-limit`).
    pub rate_limit: Option<RateLimit>,
    /// Operations with a stricter limit of their own (`x-rollcall-rate-limit`), by operationId:
    /// their requests wait for room in both.
    pub operation_limits: &'static [(&'static str, RateLimit)],
    /// Query parameters that make the list walk return only seat holders, where the provider
    /// filters server-side (`x-rollcall-pagination.seats`; Support's `role[]`): what
    /// [`Users::seats`](crate::Users::seats) sends, set with the list builder's own setters,
    /// stated here for reports.
    pub seats: &'static [(&'static str, &'static str)],
    /// The variables of the server, whatever the way to authenticate: the labels of its host
    /// (`{subdomain}`) or the choice of a named server (a region), then the required parameters
    /// of the walked operations (`org`). Every constructor takes them first.
    pub server: &'static [Var],
    /// The ways to authenticate (the spec's security schemes, in order; the first is the
    /// default), each with the environment variables of its credentials.
    pub schemes: &'static [Scheme],
    /// A fingerprint of the spec the client was generated from (MD5 of the file): a
    /// [`Checkpoint`](crate::Checkpoint) taken with another spec is refused.
    pub spec: &'static str,
    /// What the walked responses look like, for drift reports.
    pub drift: &'static DriftSpec,
    /// Refusals that mean "slow down" without being 429 (`x-rollcall.slow-down`): retried
    /// like a 429.
    pub slow_down: &'static [SlowDown],
}

/// One kind of refusal that means "slow down" without being 429 (`x-rollcall.slow-down`):
/// an answer of `status` whose `header` (lower case), or the value at `at` in its JSON body
/// (`*` for every element), is one of `is`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlowDown {
    /// The HTTP status.
    pub status: u16,
    /// The header that decides, or `""`.
    pub header: &'static str,
    /// The pointer into the body that decides, or `""`.
    pub at: &'static str,
    /// The values that mean "slow down".
    pub is: &'static [&'static str],
}

/// Every field of a [`ProviderInfo`], by name: what generated code fills in
/// ([`ProviderInfo`] itself stays `#[non_exhaustive]`, so that fields can be added).
#[doc(hidden)]
#[derive(Debug)]
pub struct ProviderFields {
    pub name: &'static str,
    pub title: &'static str,
    pub max_page_size: Option<u32>,
    pub errors: ErrorRules,
    pub any_content_type: bool,
    pub account: AccountRules,
    pub rate_limit: Option<RateLimit>,
    pub operation_limits: &'static [(&'static str, RateLimit)],
    pub seats: &'static [(&'static str, &'static str)],
    pub server: &'static [Var],
    pub schemes: &'static [Scheme],
    pub spec: &'static str,
    pub drift: &'static DriftSpec,
    pub slow_down: &'static [SlowDown],
}

impl ProviderInfo {
    /// A provider description from its named fields; generated code builds these.
    #[doc(hidden)]
    pub const fn from_fields(fields: ProviderFields) -> Self {
        let ProviderFields {
            name,
            title,
            max_page_size,
            errors,
            any_content_type,
            account,
            rate_limit,
            operation_limits,
            seats,
            server,
            schemes,
            spec,
            drift,
            slow_down,
        } = fields;
        Self {
            name,
            title,
            max_page_size,
            errors,
            any_content_type,
            account,
            rate_limit,
            operation_limits,
            seats,
            server,
            schemes,
            spec,
            drift,
            slow_down,
        }
    }

    /// For each way to authenticate, in order, the environment variables a client is built
    /// from: the server's first, the secret last.
    pub fn env_vars(&self) -> Vec<Vec<&'static str>> {
        self.schemes
            .iter()
            .map(|scheme| {
                self.server
                    .iter()
                    .chain(scheme.vars)
                    .map(|var| var.name)
                    .collect()
            })
            .collect()
    }

    /// The environment variables that name the server's host (`ZENDESK_SUPPORT_SUBDOMAIN`).
    pub fn host_vars(&self) -> Vec<&'static str> {
        self.server
            .iter()
            .filter(|var| var.role == Role::Host)
            .map(|var| var.name)
            .collect()
    }
}

/// One way to authenticate: a security scheme of the spec, the constructor made for it and
/// the environment variables of its credentials.
#[derive(Debug)]
pub struct Scheme {
    /// The scheme's key in the spec's `components.securitySchemes`.
    pub key: &'static str,
    /// The generated constructor (`with_api_token`).
    pub constructor: &'static str,
    /// What a request sends to prove who it is.
    pub sends: Sends,
    /// The credentials the constructor takes after the server's variables, the secret last
    /// but for an optional [`Role::Authority`].
    pub vars: &'static [Var],
}

/// One argument of a generated constructor and the environment variable it is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Var {
    /// The environment variable (`ZENDESK_SUPPORT_EMAIL`).
    pub name: &'static str,
    /// The constructor's argument (`email`).
    pub arg: &'static str,
    /// What it is.
    pub role: Role,
}

/// What a constructor argument is, which decides when its variable must be set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A label of the server's host (`{subdomain}`): required, unless a base URL replaces
    /// the host.
    Host,
    /// One of the spec's named servers (a region): optional, the first server by default.
    Server,
    /// A plain credential, such as the email address a basic user name is made of.
    Plain,
    /// The secret.
    Secret,
    /// Where the scheme's token URL is served instead of its own host (an authority host such
    /// as a national cloud's, or a mock): optional, after the secret.
    Authority,
    /// A required parameter of the walked operations, such as the organization whose members
    /// they list (`org` of `/orgs/{org}/members`): required, whatever the base URL.
    Param,
}

/// How a security scheme proves who sends a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sends {
    /// `Authorization: Bearer <secret>`.
    Bearer,
    /// `Authorization: Basic`, the user name from a template such as `{email}/token`.
    Basic {
        /// The user name template.
        user: &'static str,
    },
    /// The secret in a header.
    Header(&'static str),
    /// The secret in a header after a fixed text (`Authorization: Token token=<secret>`).
    PrefixedHeader {
        /// The header.
        name: &'static str,
        /// The text before the secret.
        prefix: &'static str,
    },
    /// The secret in a query parameter.
    Query(&'static str),
    /// The `query-md5` signature in a query parameter.
    QueryMd5(&'static str),
    /// `Authorization: Bearer <access token>`, the token obtained with OAuth 2.0 client
    /// credentials (the plain arguments fill the token URL's `{placeholders}` and name the
    /// client; the secret is the client secret).
    ClientCredentials {
        /// The token URL as the spec writes it, with `{placeholders}`.
        token_url: &'static str,
        /// The scopes asked for.
        scopes: &'static [&'static str],
    },
}

impl fmt::Display for ProviderInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}
