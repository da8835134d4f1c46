//! [`Error`]: one error type for every provider and operation, and what it holds. Which error
//! a response *is* is decided a layer up, in `classify`.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

/// Why a call failed, with the provider and the operation it failed in.
///
/// `Display` is one line — provider, operation, HTTP status and the provider's own message —
/// fit for a log line or a CLI's stderr, and never contains a credential:
///
/// ```text
/// zendesk-sell list_users: HTTP 401 Unauthorized: The access token is missing, invalid or revoked. (code unauthorized, request id 5f0c6a3e)
/// worksection get_users: HTTP 200 OK: Action hash is missed or invalid (code 2)
/// zendesk-support list_users: HTTP 503 Service Unavailable: Maintenance (gave up after 4 attempts)
/// ```
///
/// Match on [`kind`](Self::kind) for details; [`status`](Self::status) and
/// [`api`](Self::api) are shortcuts.
#[derive(thiserror::Error)]
#[error("{provider} {operation}: {kind}")]
pub struct Error {
    provider: &'static str,
    operation: &'static str,
    kind: Box<ErrorKind>,
}

impl Error {
    /// An error of `provider` (its kebab-case name) in `operation`.
    pub fn new(provider: &'static str, operation: &'static str, kind: ErrorKind) -> Self {
        Self {
            provider,
            operation,
            kind: Box::new(kind),
        }
    }

    /// The provider the call went to: its kebab-case name, as in its spec file
    /// (`rollcall::Provider::from_str` turns it into the registry's enum).
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// The operation (its `operationId` in the spec, such as `list_users`), or `build` for a
    /// configuration error.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Consumes the error, returning what went wrong.
    pub fn into_kind(self) -> ErrorKind {
        *self.kind
    }

    /// The HTTP status of the final response, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match &*self.kind {
            ErrorKind::Api(api) => Some(api.status),
            ErrorKind::InvalidResponse { status, .. } => *status,
            ErrorKind::Transport { error, .. } => error.status(),
            _ => None,
        }
    }

    /// The provider's error, when the server answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match &*self.kind {
            ErrorKind::Api(api) => Some(api),
            _ => None,
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("provider", &self.provider)
            .field("operation", &self.operation)
            .field("kind", &self.kind)
            .finish()
    }
}

/// What went wrong in a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
// `Api` holds the parsed error body, which Worksection's envelope (with the OAuth `error` and
// `errorDescription` fields) makes larger than the other variants; errors are rare and the
// whole kind is boxed inside `Error` already.
#[allow(clippy::large_enum_variant)]
pub enum ErrorKind {
    /// The server refused the request: an HTTP error status, or (Worksection) an error envelope.
    #[error("{0}")]
    Api(ApiError),
    /// The server answered with something that is not what the operation returns: malformed or
    /// truncated JSON, an HTML page, a wrong content type, or a status the spec does not list.
    #[error("{}{reason}", status.map(|s| format!("HTTP {s}: ")).unwrap_or_default())]
    InvalidResponse {
        /// The HTTP status, when known.
        status: Option<StatusCode>,
        /// What is wrong with the response, in one line.
        reason: String,
    },
    /// No usable response arrived: the connection failed, broke or timed out, on every attempt.
    #[error("{}{}", transport_message(error), attempts_note(*attempts))]
    Transport {
        /// The last error, without the request URL (which can carry a signature).
        error: reqwest::Error,
        /// How many times the request was sent.
        attempts: u32,
    },
    /// A walk over all pages stopped because the server misbehaved or a cap was reached.
    #[error(transparent)]
    Paging(PagingError),
    /// The call or walk would have waited longer than its budget
    /// ([`Config::max_wait`](crate::Config::max_wait)) for the provider's rate limit, a
    /// `Retry-After` or retries: it ends here, before the wait, instead of hanging.
    #[error(
        "gave up before waiting past max_wait ({} s) for the rate limit and retries ({} s waited)",
        max_wait.as_secs(),
        waited.as_secs()
    )]
    WaitBudget {
        /// How long the call or walk had waited.
        waited: Duration,
        /// The budget it would have exceeded.
        max_wait: Duration,
    },
    /// No access token could be obtained to sign the request (OAuth 2.0 client credentials):
    /// the token endpoint refused the client's credentials (its own error and description),
    /// could not be reached, or answered with something else. Nothing was sent to the API.
    #[error("no access token: {0}")]
    Token(String),
    /// A walk cannot continue from the checkpoint it was given: the checkpoint belongs to
    /// another provider, operation, endpoint, filter set or spec, or is too old. Nothing was
    /// requested.
    #[error("cannot resume from the checkpoint: {0}")]
    Resume(String),
    /// The request could not be built from the arguments given.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client could not be built from its configuration.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// Why a walk over all pages stopped early.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PagingError {
    /// The server handed out a cursor the walk has already followed: it would loop forever.
    #[error("page {page} returned the cursor `{cursor}`, which the walk has already followed")]
    RepeatedCursor {
        /// The page (counting from 1) whose answer repeated the cursor.
        page: u64,
        /// The repeated cursor (a page number for page-numbered providers).
        cursor: String,
    },
    /// The server returned a page the walk has already seen (the same users in the same order):
    /// it ignores the page parameter and would loop forever.
    #[error("page {page} repeats the users of an earlier page")]
    RepeatedPage {
        /// The page (counting from 1) that repeated an earlier one.
        page: u64,
    },
    /// The walk requested its maximum number of pages and the server still had more.
    #[error("stopped after {max_pages} pages (the max_pages limit) while the server had more")]
    PageLimit {
        /// The limit that was reached.
        max_pages: u64,
    },
    /// The walk yielded its maximum number of users and the server still had more.
    #[error("stopped after {max_users} users (the max_users limit) while the server had more")]
    UserLimit {
        /// The limit that was reached.
        max_users: u64,
    },
    /// The server named the next page at another origin (scheme, host or port) than the
    /// client's: the walk does not follow it, so no credential is sent there.
    #[error(
        "the next page's link points to {origin}, not to {expected}: refused (nothing was sent \
         there)"
    )]
    ForeignLink {
        /// The origin the link points to.
        origin: String,
        /// The client's origin (its base URL's).
        expected: String,
    },
    /// The server's link to the next page does not carry the parameter the walk pages by.
    #[error("the next page's link ({link}) has no `{param}` to page by")]
    LinkWithoutCursor {
        /// The link, without its query.
        link: String,
        /// The parameter that was expected.
        param: &'static str,
    },
}

/// An error the provider reported.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status. `200 OK` for Worksection's error envelopes, which arrive with it.
    pub status: StatusCode,
    /// The provider's machine-readable code: Sell's `code`, Support's `error` (or the `code`
    /// of its first `errors` entry), Sequence's `type`, Worksection's `status_code`.
    pub code: Option<String>,
    /// The provider's human-readable message, or an excerpt of a plain-text or HTML body.
    pub message: Option<String>,
    /// The request's id for the provider's support: where the spec's `x-rollcall.errors` says
    /// the body keeps it (Sell's `logref`), else the response headers it names
    /// (`request-id-header`), else the `X-Request-Id` header.
    pub request_id: Option<String>,
    /// What the `Retry-After` header asked for, if it was sent.
    pub retry_after: Option<Duration>,
    /// How many times the request was sent (more than 1 when retries were exhausted).
    pub attempts: u32,
    /// The error body as parsed.
    pub body: ErrorBody,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        let mut notes = Vec::new();
        if let Some(code) = &self.code {
            notes.push(format!("code {code}"));
        }
        if let Some(id) = &self.request_id {
            notes.push(format!("request id {id}"));
        }
        if !notes.is_empty() {
            write!(f, " ({})", notes.join(", "))?;
        }
        f.write_str(&attempts_note(self.attempts))
    }
}

/// An error body as the provider sent it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ErrorBody {
    /// A JSON body (the provider's error schema, or any other JSON), as parsed. Read it with
    /// [`ApiError::body_as`] into the provider's generated error type.
    Json(serde_json::Value),
    /// A body that is not JSON: plain text, an HTML page.
    Text {
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// The body's text (an HTML page's title or its text without tags), on one line and
        /// cut to a few hundred characters.
        excerpt: String,
    },
    /// No body at all.
    Empty,
}

impl ApiError {
    /// The JSON error body decoded into `T` (usually the provider's generated error type, such
    /// as `rollcall::zendesk_sell::types::ErrorEnvelope`); `None` for a body that is not JSON
    /// or does not fit `T`.
    pub fn body_as<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        match &self.body {
            ErrorBody::Json(value) => serde_json::from_value(value.clone()).ok(),
            _ => None,
        }
    }
}

/// The note an error ends with when the request was sent more than once.
fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (gave up after {attempts} attempts)")
    } else {
        String::new()
    }
}

/// A transport error on one line: what kind of failure, and its root cause (`reqwest` keeps the
/// useful part, such as "connection refused", at the end of its chain of sources).
pub(crate) fn transport_message(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "connection failed"
    };
    let mut root: &dyn std::error::Error = error;
    while let Some(cause) = root.source() {
        root = cause;
    }
    let cause = root.to_string();
    if cause.is_empty() || cause.contains(kind) {
        kind.to_owned()
    } else {
        format!("{kind}: {cause}")
    }
}
