//! Classifying a response: what a generated `send()` returned, with what the hooks saw of the
//! exchange, turned into the crate's result — a success, or the one [`Error`] that says why not
//! (an HTTP error with the provider's own message, a body that does not decode, an error
//! envelope that arrived with a success status).

use std::time::SystemTime;

use bytes::Bytes;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::error::{ApiError, Error, ErrorBody, ErrorKind};
use crate::provider::ProviderInfo;
use crate::scope::Exchange;
use crate::wire::{content_type, header_request_id, is_json, looks_like_html, parse_retry_after};

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
        Err(_) => unparsed_api_error(provider, status, headers, attempts, bytes),
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
    let request_id = request_id
        .filter(|id| !id.trim().is_empty())
        .or_else(|| header_request_id(headers, provider.errors.request_id_header));
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
        request_id,
        retry_after: headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now())),
        attempts,
        body,
    }
}

/// An [`ApiError`] for an error status whose body is not JSON.
fn unparsed_api_error(
    provider: &'static ProviderInfo,
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
    let request_id = header_request_id(headers, provider.errors.request_id_header);
    api_error(status, headers, attempts, None, message, request_id, body)
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
    // A body of the wrong shape fails on its first token (an object where a list is expected)
    // before its syntax is read: a body that is not JSON at all is said so.
    let syntax = match parse.classify() {
        serde_json::error::Category::Data => {
            serde_json::from_slice::<serde::de::IgnoredAny>(bytes).err()
        }
        _ => None,
    };
    let parse = syntax.as_ref().unwrap_or(parse);
    match parse.classify() {
        serde_json::error::Category::Eof => format!("truncated JSON: {parse}"),
        serde_json::error::Category::Data => {
            format!("JSON that does not match the schema: {parse}")
        }
        _ => format!("malformed JSON: {parse}"),
    }
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
}
