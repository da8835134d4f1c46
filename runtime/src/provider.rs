//! What a provider is to the runtime: [`ProviderInfo`], generated from its spec.

use std::fmt;

use crate::account_rules::AccountRules;
use crate::pacing::RateLimit;
use crate::rules::ErrorRules;

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
    pub rate_limit: Option<RateLimit>,
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
    pub const fn with_rate_limit(mut self, rate_limit: Option<RateLimit>) -> Self {
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
