//! Reading the wire: small, pure readers of HTTP response headers and bodies that both the
//! retry loop and the error classification need (`Retry-After`, the content type, whether a
//! body is an HTML page, the request id a provider's support asks for).

use std::time::{Duration, SystemTime};

use reqwest::header::{CONTENT_TYPE, HeaderMap};

/// Reads a `Retry-After` value: whole seconds (`120`) or an HTTP date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`), relative to `now`. A date in the past means "now".
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Reads a rate-limit window's reset (`ratelimit-reset`, `x-rate-limit-reset`,
/// `x-ratelimit-reset`) as the time left until it, relative to `now`: providers send either
/// seconds to wait (Zendesk's `ratelimit-reset: 30`) or the Unix time of the reset (GitHub's
/// and Okta's `1735689600`). A number past 1,000,000,000 (September 2001) cannot be a wait in
/// seconds a provider means, so it is read as a time; one in the past means "now". The wait
/// is computed from the exact time left, not rounded up to a whole second.
pub(crate) fn rate_limit_reset(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    const EPOCH_FLOOR: u64 = 1_000_000_000;
    let value = ["ratelimit-reset", "x-rate-limit-reset", "x-ratelimit-reset"]
        .iter()
        .find_map(|name| {
            headers
                .get(*name)?
                .to_str()
                .ok()?
                .split([',', ';'])
                .next()?
                .trim()
                .parse::<u64>()
                .ok()
        })?;
    if value < EPOCH_FLOOR {
        return Some(Duration::from_secs(value));
    }
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(value);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The URL of the next page named by the `Link` headers (RFC 8288: `<url>; rel="next"`, the
/// relation possibly among others, in any of several `Link` headers or comma-separated links).
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(split_links)
        .find_map(|(url, params)| {
            params
                .split(';')
                .filter_map(|param| param.split_once('='))
                .filter(|(name, _)| name.trim().eq_ignore_ascii_case("rel"))
                .any(|(_, rel)| {
                    rel.trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|rel| rel.eq_ignore_ascii_case("next"))
                })
                .then(|| url.to_owned())
        })
}

/// The links of one `Link` header value: each `<url>` with the parameters after it. Commas
/// inside `<...>` belong to the URL.
fn split_links(value: &str) -> Vec<(&str, &str)> {
    let mut links = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|i| open + i) else {
            break;
        };
        let url = &rest[open + 1..close];
        let after = &rest[close + 1..];
        let end = after
            .find('<')
            .map_or(after.len(), |next| after[..next].rfind(',').unwrap_or(next));
        links.push((url.trim(), after[..end].trim_start_matches(';').trim()));
        rest = &after[end..];
    }
    links
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

/// Whether a body starts like an HTML page (a proxy's or a login page) rather than data.
pub(crate) fn looks_like_html(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let text = text.trim_start();
    text.starts_with("<!doctype html") || text.starts_with("<html") || text.contains("<body")
}

/// The request id a server sent in its headers: the first of `names` (the provider's own, from
/// its spec), else `X-Request-Id`.
pub(crate) fn header_request_id(headers: &HeaderMap, names: &[&str]) -> Option<String> {
    names
        .iter()
        .chain(&["x-request-id"])
        .filter_map(|name| headers.get(*name)?.to_str().ok())
        .map(str::trim)
        .find(|id| !id.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds() {
        let now = SystemTime::now();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn retry_after_as_http_date() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_garbage_is_ignored() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("1.5", now), None);
    }

    #[test]
    fn a_reset_is_seconds_to_wait_or_a_unix_time() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_250);
        let of = |name: &str, value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
            rate_limit_reset(&headers, now)
        };
        assert_eq!(of("ratelimit-reset", "30"), Some(Duration::from_secs(30)));
        // A Unix time: the exact time left, not a second more.
        assert_eq!(
            of("x-rate-limit-reset", "1700000010"),
            Some(Duration::from_millis(9_750))
        );
        assert_eq!(of("x-ratelimit-reset", "1700000000"), Some(Duration::ZERO));
        assert_eq!(of("x-ratelimit-reset", "soon"), None);
        assert_eq!(rate_limit_reset(&HeaderMap::new(), now), None);
    }

    #[test]
    fn the_next_link_is_read_from_any_link_header() {
        let mut headers = HeaderMap::new();
        headers.append(
            reqwest::header::LINK,
            "<https://people.example.com/api/v1/users?limit=200>; rel=\"self\""
                .parse()
                .unwrap(),
        );
        headers.append(
            reqwest::header::LINK,
            "<https://people.example.com/api/v1/users?after=00u1&limit=200>; rel=\"next\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://people.example.com/api/v1/users?after=00u1&limit=200")
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::LINK,
            "<https://api.example.com/x?page=2&a=1,2>; rel=\"next\", \
             <https://api.example.com/x?page=9>; rel=\"last\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://api.example.com/x?page=2&a=1,2")
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::LINK,
            "<https://api.example.com/x?page=1>; rel=\"prev first\""
                .parse()
                .unwrap(),
        );
        assert_eq!(next_link(&headers), None);
        headers.insert(
            reqwest::header::LINK,
            "<https://api.example.com/x?page=3>; title=\"n\"; REL=\"last next\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://api.example.com/x?page=3")
        );
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
