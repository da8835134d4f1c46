//! What a provider is to the runtime ([`ProviderInfo`], generated from its spec) and the traits
//! every generated client implements, so that code generic over them works for every provider.

use std::fmt;

use crate::{AccountRules, ErrorRules, UserStream};

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
    pub rate_limit: Option<crate::RateLimit>,
    /// Query parameters that make the list walk return only seat holders, where the provider
    /// filters server-side (`x-rollcall-pagination.seats`; Support's `role[]`).
    pub seats: &'static [(&'static str, &'static str)],
    /// The ways to authenticate (the spec's security schemes, in order; the first is the
    /// default), each with the environment variables a client is built from at run time.
    pub schemes: &'static [Scheme],
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
    pub rate_limit: Option<crate::RateLimit>,
    pub seats: &'static [(&'static str, &'static str)],
    pub schemes: &'static [Scheme],
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
            seats,
            schemes,
        } = fields;
        Self {
            name,
            title,
            max_page_size,
            errors,
            any_content_type,
            account,
            rate_limit,
            seats,
            schemes,
        }
    }

    /// For each way to authenticate, in order, the environment variables a client is built
    /// from: server variables first, the secret last.
    pub fn env_vars(&self) -> Vec<&'static [&'static str]> {
        self.schemes.iter().map(|scheme| scheme.vars).collect()
    }

    /// The environment variables that name the server's host (`ZENDESK_SUPPORT_SUBDOMAIN`),
    /// whichever way a client authenticates.
    pub fn host_vars(&self) -> Vec<&'static str> {
        let mut hosts: Vec<&'static str> = Vec::new();
        for scheme in self.schemes {
            for (var, arg) in scheme.vars.iter().zip(scheme.args) {
                if arg.role == Role::Host && !hosts.contains(var) {
                    hosts.push(var);
                }
            }
        }
        hosts
    }
}

/// One way to authenticate: a security scheme of the spec, the constructor made for it and
/// the environment variables of that constructor's arguments.
#[derive(Debug)]
pub struct Scheme {
    /// The scheme's key in the spec's `components.securitySchemes`.
    pub key: &'static str,
    /// The generated constructor (`with_api_token`).
    pub constructor: &'static str,
    /// What a request sends to prove who it is.
    pub sends: Sends,
    /// The environment variables, one per argument of [`args`](Self::args), in the same order.
    pub vars: &'static [&'static str],
    /// The constructor's arguments: server variables first, the secret last.
    pub args: &'static [Arg],
}

/// One argument of a generated constructor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arg {
    /// Its name (`subdomain`, `email`, `token`).
    pub name: &'static str,
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
    /// The secret in a query parameter.
    Query(&'static str),
    /// The `query-md5` signature in a query parameter.
    QueryMd5(&'static str),
}

impl fmt::Display for ProviderInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A successful response body that may still be a refusal: providers whose spec declares an
/// error envelope (`x-rollcall.envelope`) send errors with HTTP 200, decided by one field.
/// Codegen implements this for every response type; it is a no-op for most.
pub trait Checked {
    /// The body as JSON when it is an error envelope, `None` when it is a real success.
    fn refusal(&self) -> Option<serde_json::Value> {
        None
    }
}

impl Checked for () {}
impl Checked for serde_json::Value {}

/// A client that can list every user of its account: implemented by every generated `Client`.
///
/// Write a function once, generic over it, and it works for every provider, present and
/// future:
///
/// ```
/// use futures::TryStreamExt as _;
/// use rollcall_runtime::{Error, Users};
///
/// async fn count<C: Users>(client: &C) -> Result<usize, Error> {
///     let users: Vec<C::User> = client.all_users().try_collect().await?;
///     Ok(users.len())
/// }
/// ```
pub trait Users {
    /// The provider's own user record.
    type User: serde::Serialize + fmt::Debug + Clone + Send + Sync + 'static;

    /// The provider this client talks to.
    fn provider(&self) -> &'static ProviderInfo;

    /// Every user of the account, walking every page the provider's own way.
    fn all_users(&self) -> UserStream<'_, Self::User>;
}

/// A client of any provider behind one object type: what a registry lookup returns when the
/// provider is chosen at run time (the CLI, a test that iterates every provider).
pub trait AnyClient: fmt::Debug + Send + Sync {
    /// The provider this client talks to.
    fn provider(&self) -> &'static ProviderInfo;

    /// Every user of the account, each as the provider's own record in JSON.
    fn all_users_json(&self) -> UserStream<'_, serde_json::Value>;

    /// The users that hold a seat, filtered by the provider where its spec says how
    /// (`x-rollcall-pagination.seats`); `None` when it cannot filter, and the caller filters.
    fn seats_json(&self) -> Option<UserStream<'_, serde_json::Value>> {
        let seats = self.provider().seats;
        (!seats.is_empty()).then(|| crate::paging::with_query(self.all_users_json(), seats))
    }
}

impl<C> AnyClient for C
where
    C: Users + fmt::Debug + Send + Sync,
{
    fn provider(&self) -> &'static ProviderInfo {
        Users::provider(self)
    }

    fn all_users_json(&self) -> UserStream<'_, serde_json::Value> {
        let provider = Users::provider(self);
        self.all_users().map_users(move |user| {
            user.and_then(|user| {
                serde_json::to_value(&user).map_err(|e| {
                    crate::Error::new(
                        provider.name,
                        "all_users",
                        crate::ErrorKind::InvalidResponse {
                            status: None,
                            reason: format!("a user does not serialize to JSON: {e}"),
                        },
                    )
                })
            })
        })
    }
}
