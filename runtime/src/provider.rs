//! What a provider is to the runtime ([`ProviderInfo`], generated from its spec) and the traits
//! every generated client implements, so that code generic over them works for every provider.

use std::fmt;

use crate::{AccountRules, ErrorRules, UserStream};

/// One provider as its spec describes it: generated into the `rollcall` crate as a `static`.
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
}

impl ProviderInfo {
    /// A provider description; generated code builds these.
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        title: &'static str,
        max_page_size: Option<u32>,
        errors: ErrorRules,
        any_content_type: bool,
        account: AccountRules,
    ) -> Self {
        Self {
            name,
            title,
            max_page_size,
            errors,
            any_content_type,
            account,
            rate_limit: None,
            seats: &[],
        }
    }

    /// The same, with the documented rate limit.
    #[doc(hidden)]
    pub const fn with_rate_limit(mut self, rate_limit: Option<crate::RateLimit>) -> Self {
        self.rate_limit = rate_limit;
        self
    }

    /// The same, with the query parameters that list only seat holders.
    #[doc(hidden)]
    pub const fn with_seats(mut self, seats: &'static [(&'static str, &'static str)]) -> Self {
        self.seats = seats;
        self
    }
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
