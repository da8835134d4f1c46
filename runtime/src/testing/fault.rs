//! The ways a fake can misbehave, each in the provider's real shape.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::{FakeSpec, FakeStyle};

/// One way a fake provider misbehaves. Names are kebab-case (`rate-limited-once`, `slow=250ms`)
/// for `FromStr` and `Display`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// The first request is answered 429 with `Retry-After: 1` and the provider's 429 body; a
    /// client retries and gets every user.
    RateLimitedOnce,
    /// The first request is answered 429 without `Retry-After`; a client waits its own delay.
    RateLimitedOnceWithoutRetryAfter,
    /// Every request is answered 503 with an HTML page (a proxy in front of the API).
    ServerError,
    /// The first page's JSON is cut off halfway.
    TruncatedJson,
    /// The last page that holds users says another follows, and the next one is empty (Zendesk
    /// Support when the total is a multiple of the page size). Lists that page only.
    EmptyPageAfterLastFullOne,
    /// The second page hands out the cursor it was asked with again. Cursor lists only; needs
    /// more users than fit on one page.
    RepeatedCursor,
    /// The server ignores the page number (or offset): every page is the first. Numbered and
    /// offset lists only; needs more users than fit on one page.
    RepeatedPage,
    /// Every request is refused as the provider refuses wrong credentials.
    AuthError,
    /// Every request is answered with the provider's error envelope in HTTP 200. Providers
    /// with an envelope only.
    ErrorInHttp200,
    /// The first user carries a value of an open enum that the spec does not list. Providers
    /// whose user has an open enum only.
    UnknownEnumValue,
    /// The first user has every optional field null (where the spec allows null) or missing.
    NullOptionalFields,
    /// Every answer is delayed by this long.
    Slow(Duration),
    /// Drift: the first user carries a property its schema does not declare
    /// ([`PLANTED_PROPERTY`]).
    UndeclaredProperty,
    /// Drift: the first user lacks a required property (not its id). Providers whose user
    /// requires one only.
    MissingRequired,
    /// Drift: the first user has `null` in a property that is neither required nor nullable.
    UnexpectedNull,
    /// Drift: the first user has a number in a plain string property.
    WrongType,
    /// Drift: the first user's first `date-time` property is not a date.
    BadFormat,
    /// Drift: every page is answered with HTTP 203, which no operation declares.
    UndeclaredStatus,
    /// Drift: every page comes as `text/json`, a content type no operation declares.
    /// Providers whose spec names the content type (not `any-content-type`) only.
    UndeclaredContentType,
    /// Drift: every page carries `x-ratelimit-remaining`, a header the operation does not
    /// declare.
    UndeclaredHeader,
    /// The first page's `Link` header names the next page on another origin; a client refuses
    /// it and sends nothing there. Lists that page by the `Link` header only; needs more users
    /// than fit on one page.
    ForeignNextLink,
    /// The first access token the fake hands out is refused as expired after one request; a
    /// client asks for a new one and gets every user. Schemes with a token URL only.
    TokenExpiresMidWalk,
    /// The token URL refuses the client's credentials as the provider does (its
    /// `token-refusal`). Schemes with a token URL only.
    TokenRefused,
    /// The first request is refused with the provider's refusal that means "slow down"
    /// without being 429 (`x-rollcall.slow-down`: GitHub's 403 with an empty budget); a client
    /// waits and retries, and gets every user. Providers that declare one only.
    SlowDownOnce,
}

/// The property [`Fault::UndeclaredProperty`] adds.
pub const PLANTED_PROPERTY: &str = "rollcall_fake_planted";

/// The value [`Fault::UnknownEnumValue`] puts in an open enum.
pub const UNKNOWN_ENUM_VALUE: &str = "rollcall-fake-unknown";

impl Fault {
    /// Every fault with its name (`Slow` as one second).
    pub const ALL: &'static [Fault] = &[
        Fault::RateLimitedOnce,
        Fault::RateLimitedOnceWithoutRetryAfter,
        Fault::ServerError,
        Fault::TruncatedJson,
        Fault::EmptyPageAfterLastFullOne,
        Fault::RepeatedCursor,
        Fault::RepeatedPage,
        Fault::AuthError,
        Fault::ErrorInHttp200,
        Fault::UnknownEnumValue,
        Fault::NullOptionalFields,
        Fault::Slow(Duration::from_secs(1)),
        Fault::UndeclaredProperty,
        Fault::MissingRequired,
        Fault::UnexpectedNull,
        Fault::WrongType,
        Fault::BadFormat,
        Fault::UndeclaredStatus,
        Fault::UndeclaredContentType,
        Fault::UndeclaredHeader,
        Fault::ForeignNextLink,
        Fault::TokenExpiresMidWalk,
        Fault::TokenRefused,
        Fault::SlowDownOnce,
    ];

    /// The kebab-case name, without the duration of `slow`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::RateLimitedOnce => "rate-limited-once",
            Fault::RateLimitedOnceWithoutRetryAfter => "rate-limited-once-without-retry-after",
            Fault::ServerError => "server-error",
            Fault::TruncatedJson => "truncated-json",
            Fault::EmptyPageAfterLastFullOne => "empty-page-after-last-full-one",
            Fault::RepeatedCursor => "repeated-cursor",
            Fault::RepeatedPage => "repeated-page",
            Fault::AuthError => "auth-error",
            Fault::ErrorInHttp200 => "error-in-http-200",
            Fault::UnknownEnumValue => "unknown-enum-value",
            Fault::NullOptionalFields => "null-optional-fields",
            Fault::Slow(_) => "slow",
            Fault::UndeclaredProperty => "undeclared-property",
            Fault::MissingRequired => "missing-required",
            Fault::UnexpectedNull => "unexpected-null",
            Fault::WrongType => "wrong-type",
            Fault::BadFormat => "bad-format",
            Fault::UndeclaredStatus => "undeclared-status",
            Fault::UndeclaredContentType => "undeclared-content-type",
            Fault::UndeclaredHeader => "undeclared-header",
            Fault::ForeignNextLink => "foreign-next-link",
            Fault::TokenExpiresMidWalk => "token-expires-mid-walk",
            Fault::TokenRefused => "token-refused",
            Fault::SlowDownOnce => "slow-down-once",
        }
    }

    /// The required property [`Fault::MissingRequired`] removes: the first that is not the
    /// id the walk reads.
    pub fn required_to_remove(spec: &FakeSpec) -> Option<&'static str> {
        let id = spec.walked().map_or("", |l| l.id.trim_start_matches('/'));
        spec.user.required.iter().copied().find(|name| *name != id)
    }

    /// Whether the fault can happen with this provider's default client (its first security
    /// scheme's list operation).
    pub fn applies_to(self, spec: &FakeSpec) -> bool {
        let style = spec.walked().map(|l| l.style);
        match self {
            Fault::EmptyPageAfterLastFullOne => matches!(
                style,
                Some(FakeStyle::Page | FakeStyle::Cursor | FakeStyle::Offset | FakeStyle::Link)
            ),
            Fault::RepeatedCursor => matches!(style, Some(FakeStyle::Cursor | FakeStyle::Link)),
            Fault::ForeignNextLink => style == Some(FakeStyle::Link),
            Fault::RepeatedPage => matches!(style, Some(FakeStyle::Page | FakeStyle::Offset)),
            Fault::ErrorInHttp200 => spec.envelope.is_some(),
            Fault::TokenExpiresMidWalk | Fault::TokenRefused => spec
                .provider
                .schemes
                .first()
                .is_some_and(|s| matches!(s.sends, crate::Sends::ClientCredentials { .. })),
            Fault::SlowDownOnce => spec.slow_down.is_some(),
            Fault::UnknownEnumValue => !spec.user.open_enums.is_empty(),
            Fault::MissingRequired => Fault::required_to_remove(spec).is_some(),
            Fault::UnexpectedNull => !spec.user.strict.is_empty(),
            Fault::WrongType => !spec.user.strings.is_empty(),
            Fault::BadFormat => !spec.user.timestamps.is_empty(),
            // A provider that may answer with any content type declares none to miss.
            Fault::UndeclaredContentType => !spec.provider.any_content_type,
            Fault::UndeclaredHeader => spec.walked().is_some_and(|list| {
                spec.provider
                    .drift
                    .operations
                    .iter()
                    .find(|op| op.operation == list.operation)
                    .is_none_or(|op| !op.headers.contains(&"x-ratelimit-remaining"))
            }),
            _ => true,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Slow(delay) => write!(f, "slow={}ms", delay.as_millis()),
            other => f.write_str(other.name()),
        }
    }
}

impl FromStr for Fault {
    type Err = String;

    /// A fault by its kebab-case name; `slow` takes an optional delay: `slow=250ms`, `slow=2s`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim().to_ascii_lowercase().replace('_', "-");
        if let Some(delay) = text.strip_prefix("slow=") {
            let delay = match delay.strip_suffix("ms") {
                Some(ms) => ms.parse().map(Duration::from_millis),
                None => delay
                    .strip_suffix('s')
                    .unwrap_or(delay)
                    .parse()
                    .map(Duration::from_secs),
            };
            return delay
                .map(Fault::Slow)
                .map_err(|_| format!("`{text}`: write the delay as `slow=250ms` or `slow=2s`"));
        }
        Fault::ALL
            .iter()
            .copied()
            .find(|f| f.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
                format!("unknown fault `{text}` (known: {})", names.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for fault in Fault::ALL {
            assert_eq!(fault.to_string().parse::<Fault>(), Ok(*fault));
        }
        assert_eq!(
            "slow=250ms".parse::<Fault>(),
            Ok(Fault::Slow(Duration::from_millis(250)))
        );
        assert_eq!("Auth_Error".parse::<Fault>(), Ok(Fault::AuthError));
        assert!("flaky".parse::<Fault>().unwrap_err().contains("known: "));
    }
}
