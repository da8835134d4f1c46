//! [`Error`]: one error type for every provider and operation.

use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};

use crate::ProviderInfo;
use crate::retry::{self, Exchange};

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
    /// `Retry-After` or retries: it ends here instead of hanging.
    #[error(
        "gave up after waiting {} s for the rate limit and retries (max_wait is {} s)",
        waited.as_secs(),
        max_wait.as_secs()
    )]
    WaitBudget {
        /// How long the call or walk had waited.
        waited: Duration,
        /// The budget it would have exceeded.
        max_wait: Duration,
    },
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
    /// The request's id for the provider's support: Sell's `logref`, else the `X-Request-Id`
    /// (or `X-Zendesk-Request-Id`) header.
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

/// The longest excerpt of a non-JSON body kept in an error.
const EXCERPT_CHARS: usize = 200;

/// Turns the outcome of a generated `send()` into the crate's result.
///
/// The typed error body progenitor decoded is not used: the raw body, kept by the retry layer,
/// is read as JSON with the provider's [`ErrorRules`](crate::ErrorRules), so that a body of any
/// shape still shows the provider's own message.
pub(crate) async fn check<T, E>(
    provider: &'static ProviderInfo,
    operation: &'static str,
    outcome: Result<ResponseValue<T>, progenitor_client::Error<E>>,
    exchange: Exchange,
) -> Result<ResponseValue<T>, Error> {
    use progenitor_client::Error as P;
    let fail = |kind| Error::new(provider.name, operation, kind);
    let attempts = exchange.attempts.max(1);
    match outcome {
        Ok(value) => {
            let content_type = content_type(value.headers());
            if !provider.any_content_type && content_type.as_deref().is_some_and(|ct| !is_json(ct))
            {
                return Err(fail(ErrorKind::InvalidResponse {
                    status: Some(value.status()),
                    reason: format!(
                        "expected a JSON body, got Content-Type `{}`",
                        content_type.unwrap_or_default()
                    ),
                }));
            }
            Ok(value)
        }
        Err(P::ErrorResponse(value)) => {
            let (status, headers) = (value.status(), value.headers().clone());
            let bytes = exchange.error_body.unwrap_or_default();
            Err(fail(ErrorKind::Api(body_error(
                provider, status, &headers, attempts, &bytes,
            ))))
        }
        Err(P::InvalidResponsePayload(bytes, parse)) => {
            let status = exchange.status;
            let headers = &exchange.headers;
            match status {
                Some(status) if !status.is_success() => Err(fail(ErrorKind::Api(body_error(
                    provider, status, headers, attempts, &bytes,
                )))),
                _ => Err(fail(ErrorKind::InvalidResponse {
                    status,
                    reason: unparsed_reason(headers, &bytes, &parse),
                })),
            }
        }
        Err(P::UnexpectedResponse(response)) => {
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response.bytes().await.unwrap_or_default();
            if status.is_client_error() || status.is_server_error() {
                Err(fail(ErrorKind::Api(body_error(
                    provider, status, &headers, attempts, &bytes,
                ))))
            } else {
                Err(fail(ErrorKind::InvalidResponse {
                    status: Some(status),
                    reason: format!("status {status} is not one the operation returns"),
                }))
            }
        }
        Err(
            P::CommunicationError(error) | P::ResponseBodyError(error) | P::InvalidUpgrade(error),
        ) => Err(fail(ErrorKind::Transport {
            error: error.without_url(),
            attempts,
        })),
        Err(P::InvalidRequest(message) | P::Custom(message)) => {
            Err(fail(ErrorKind::InvalidRequest(message)))
        }
    }
}

/// The error for an error envelope that arrived with a success status.
pub(crate) fn refused(
    provider: &'static ProviderInfo,
    operation: &'static str,
    status: StatusCode,
    headers: &HeaderMap,
    attempts: u32,
    body: serde_json::Value,
) -> Error {
    let api = json_api_error(provider, status, headers, attempts.max(1), body, None);
    Error::new(provider.name, operation, ErrorKind::Api(api))
}

/// An [`ApiError`] from an error status and its raw body, whatever it holds.
fn body_error(
    provider: &'static ProviderInfo,
    status: StatusCode,
    headers: &HeaderMap,
    attempts: u32,
    bytes: &Bytes,
) -> ApiError {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => json_api_error(provider, status, headers, attempts, value, Some(bytes)),
        Err(_) => unparsed_api_error(status, headers, attempts, bytes),
    }
}

/// An [`ApiError`] from a JSON error body, read with the provider's rules; a body in which
/// they find nothing is shown as an excerpt of itself.
fn json_api_error(
    provider: &'static ProviderInfo,
    status: StatusCode,
    headers: &HeaderMap,
    attempts: u32,
    body: serde_json::Value,
    raw: Option<&Bytes>,
) -> ApiError {
    let (code, mut message, request_id) = provider.errors.read(&body);
    if code.is_none() && message.is_none() {
        message = match raw {
            Some(raw) => Some(excerpt(raw)),
            None => serde_json::to_vec(&body).ok().map(|raw| excerpt(&raw)),
        };
    }
    api_error(
        status,
        headers,
        attempts,
        code,
        message,
        request_id,
        ErrorBody::Json(body),
    )
}

/// An [`ApiError`] from its parts and the response headers.
fn api_error(
    status: StatusCode,
    headers: &HeaderMap,
    attempts: u32,
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    body: ErrorBody,
) -> ApiError {
    // A provider's code or message can hold newlines; the error stays one line.
    ApiError {
        status,
        code: code.as_deref().map(one_line).filter(|c| !c.is_empty()),
        message: message.as_deref().map(one_line).filter(|m| !m.is_empty()),
        request_id: request_id
            .filter(|id| !id.trim().is_empty())
            .or_else(|| header_request_id(headers)),
        retry_after: headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry::parse_retry_after(v, SystemTime::now())),
        attempts,
        body,
    }
}

/// An [`ApiError`] for an error status whose body is not JSON.
fn unparsed_api_error(
    status: StatusCode,
    headers: &HeaderMap,
    attempts: u32,
    bytes: &Bytes,
) -> ApiError {
    let body = if bytes.iter().all(u8::is_ascii_whitespace) {
        ErrorBody::Empty
    } else {
        ErrorBody::Text {
            content_type: content_type(headers),
            excerpt: excerpt(bytes),
        }
    };
    let message = match &body {
        ErrorBody::Text { excerpt, .. } => Some(excerpt.clone()),
        _ => None,
    };
    api_error(status, headers, attempts, None, message, None, body)
}

/// Why a successful answer's body could not be read, in one line.
fn unparsed_reason(headers: &HeaderMap, bytes: &Bytes, parse: &serde_json::Error) -> String {
    let content_type = content_type(headers);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return "the body is empty".to_owned();
    }
    if looks_like_html(bytes) {
        return format!("an HTML page instead of JSON: {}", excerpt(bytes));
    }
    if let Some(ct) = content_type.as_deref().filter(|ct| !is_json(ct)) {
        return format!(
            "expected a JSON body, got Content-Type `{ct}`: {}",
            excerpt(bytes)
        );
    }
    match parse.classify() {
        serde_json::error::Category::Eof => format!("truncated JSON: {parse}"),
        serde_json::error::Category::Data => {
            format!("JSON that does not match the schema: {parse}")
        }
        _ => format!("malformed JSON: {parse}"),
    }
}

/// The `Content-Type` header without parameters, lower-cased.
pub(crate) fn content_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next().unwrap_or("").trim();
    Some(essence.to_ascii_lowercase())
}

/// `application/json`, `text/json` or any `+json` type.
pub(crate) fn is_json(content_type: &str) -> bool {
    content_type == "application/json"
        || content_type == "text/json"
        || content_type.ends_with("+json")
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let text = text.trim_start();
    text.starts_with("<!doctype html") || text.starts_with("<html") || text.contains("<body")
}

/// A short one-line excerpt of a body: an HTML page's `<title>` (or its text without tags), or
/// the text itself.
fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = if looks_like_html(bytes) {
        html_title(&text).unwrap_or_else(|| strip_tags(&text))
    } else {
        text.into_owned()
    };
    let mut line = one_line(&text);
    if line.chars().count() > EXCERPT_CHARS {
        line = line.chars().take(EXCERPT_CHARS).collect::<String>() + "…";
    }
    line
}

/// `text` with every run of whitespace (newlines included) as one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title = html.get(start..end)?.trim();
    (!title.is_empty()).then(|| title.to_owned())
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len().min(4096));
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn header_request_id(headers: &HeaderMap) -> Option<String> {
    ["x-request-id", "x-zendesk-request-id"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
        .map(str::to_owned)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_of_an_html_page_is_its_title() {
        let page = b"<!DOCTYPE html>\n<html><head><title> 502 Bad\n Gateway </title></head><body><h1>502</h1></body></html>";
        assert_eq!(excerpt(page), "502 Bad Gateway");
        let untitled = b"<html><body><h1>Service</h1>\n<p>Unavailable</p></body></html>";
        assert_eq!(excerpt(untitled), "Service Unavailable");
    }

    #[test]
    fn excerpt_is_one_short_line() {
        let long = "word\n".repeat(200);
        let cut = excerpt(long.as_bytes());
        assert!(!cut.contains('\n'));
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn json_content_types() {
        for ct in ["application/json", "text/json", "application/problem+json"] {
            assert!(is_json(ct), "{ct}");
        }
        for ct in ["text/html", "text/plain", "application/xml"] {
            assert!(!is_json(ct), "{ct}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            "Application/JSON; charset=utf-8".parse().unwrap(),
        );
        assert_eq!(content_type(&headers).as_deref(), Some("application/json"));
    }
}
