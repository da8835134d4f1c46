//! Sending one request: pacing waits, retries with backoff, `Retry-After`, and what the
//! caller learns about the final response (recorded in the call's [`scope`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use tracing::Instrument as _;

use crate::auth::{Auth, ClientCredentials};
use crate::config::{Config, RetryPolicy};
use crate::error::transport_message;
use crate::pacing::Pacer;
use crate::provider::{ProviderInfo, SlowDown};
use crate::rules::ErrorRules;
use crate::rules::visit;
use crate::scope;
use crate::wire::{parse_retry_after, rate_limit_reset};

/// Whole milliseconds, saturating.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Adds `wait` to `waited` if that stays within `max_wait`; `false` when it would not.
fn spend(waited: &AtomicU64, wait: Duration, max_wait: Option<Duration>) -> bool {
    let wait = millis(wait);
    let max = max_wait.map_or(u64::MAX, millis);
    waited
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |so_far| {
            let total = so_far.saturating_add(wait);
            (total <= max).then_some(total)
        })
        .is_ok()
}

/// Sends `request`, paced by `pacer` and retrying as the configuration allows, and returns the
/// final outcome with its body already read into memory. Every wait counts against the wait
/// budget (the walk's, or this call's own): when it would run out, the call ends there.
pub(crate) async fn execute(
    client: &reqwest::Client,
    request: reqwest::Request,
    config: &Config,
    pacer: &Pacer,
    auth: &Auth,
    provider: &'static ProviderInfo,
    operation: &'static str,
) -> reqwest::Result<reqwest::Response> {
    // The path only: a query can carry a signature (Worksection's `hash`), and headers carry
    // credentials, so neither is ever recorded.
    let span = tracing::debug_span!(
        target: "rollcall::http",
        "request",
        provider = provider.name,
        operation,
        method = %request.method(),
        path = request.url().path(),
    );
    execute_attempts(client, request, config, pacer, auth, provider, operation)
        .instrument(span)
        .await
}

async fn execute_attempts(
    client: &reqwest::Client,
    request: reqwest::Request,
    config: &Config,
    pacer: &Pacer,
    auth: &Auth,
    provider: &'static ProviderInfo,
    operation: &'static str,
) -> reqwest::Result<reqwest::Response> {
    // Credentials whose token is obtained when sent sign each attempt; the provider's error
    // rules read a refusal's code, to tell an expired token.
    let tokens = auth.token_source();
    // One renewal per request: a token refused again is refused for another reason.
    let mut renewed = false;
    let policy = config.retry();
    let waited = scope::wait_budget();
    let exhausted = |waited: &AtomicU64| {
        let so_far = Duration::from_millis(waited.load(Ordering::Relaxed));
        scope::update_exchange(|exchange| {
            exchange.wait_exhausted = Some((so_far, config.max_wait().unwrap_or(Duration::MAX)));
        });
    };
    let mut delays = policy.backoff();
    let mut next = Some(request);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let Some(mut request) = next.take() else {
            unreachable!("a request is kept for every further attempt");
        };
        if !pace(pacer, operation, &waited, config.max_wait()).await {
            exhausted(&waited);
            let outcome = Ok(refused_locally());
            record(&outcome, attempt - 1, operation);
            return outcome;
        }
        let generation = match tokens {
            Some(tokens) => match sign(tokens, client, &mut request, config).await {
                Ok(generation) => Some(generation),
                Err(why) => {
                    tracing::debug!(target: "rollcall::auth", "no access token");
                    scope::update_exchange(|exchange| exchange.token_failure = Some(why));
                    let outcome = Ok(refused_locally());
                    record(&outcome, attempt - 1, operation);
                    return outcome;
                }
            },
            None => None,
        };
        let may_retry = attempt < policy.max_attempts();
        // A spare is also kept for the one renewal of an expired token, which is not a retry.
        let spare = if may_retry || (generation.is_some() && !renewed) {
            request.try_clone()
        } else {
            None
        };
        let outcome = send_buffered(client, request).await;
        if let (Some(tokens), Some(generation), Ok((response, body))) =
            (tokens, generation, &outcome)
            && !renewed
            && spare.is_some()
            && response.status() == StatusCode::UNAUTHORIZED
            && expired(tokens, &provider.errors, response.headers(), body)
        {
            tracing::debug!(target: "rollcall::auth", "the access token expired: renewing it");
            tokens.forget(generation).await;
            renewed = true;
            next = spare;
            continue;
        }
        let slowed = matches!(&outcome, Ok((response, body))
            if slows_down(provider.slow_down, response.status(), response.headers(), body));
        let outcome = outcome.map(|(response, _)| response);
        match &outcome {
            Ok(response) => {
                pacer.observe(response.headers());
                tracing::debug!(
                    target: "rollcall::http",
                    attempt,
                    status = response.status().as_u16(),
                    "response"
                );
            }
            Err(error) => tracing::debug!(
                target: "rollcall::http",
                attempt,
                error = %transport_message(error),
                "no response"
            ),
        }
        let wait = spare
            .as_ref()
            .filter(|_| may_retry)
            .and_then(|_| match &outcome {
                Ok(response) => response_delay(response, slowed, policy, &mut delays),
                Err(error) if is_transient(error) => delays.next(),
                Err(_) => None,
            });
        match wait {
            Some(delay) if spend(&waited, delay, config.max_wait()) => {
                tracing::info!(
                    target: "rollcall::retry",
                    attempt,
                    wait_ms = millis(delay),
                    "retrying after a wait"
                );
                scope::note_retry();
                tokio::time::sleep(delay).await;
                next = spare;
            }
            Some(_) => {
                exhausted(&waited);
                record(&outcome, attempt, operation);
                return outcome;
            }
            None => {
                record(&outcome, attempt, operation);
                return outcome;
            }
        }
    }
}

/// Signs `request` with the scheme's access token (obtaining it first when there is none, or
/// it is about to expire); returns which token it is, or why there is none.
async fn sign(
    tokens: &ClientCredentials,
    client: &reqwest::Client,
    request: &mut reqwest::Request,
    config: &Config,
) -> Result<u64, String> {
    let token = tokens.token(client, config.request_timeout()).await?;
    token.sign(request)?;
    Ok(token.generation)
}

/// Whether a 401 says the token it carried expired: by its challenge, or by the error code
/// the provider's rules read in its body.
fn expired(
    tokens: &ClientCredentials,
    errors: &ErrorRules,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
) -> bool {
    let code = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|body| errors.read(&body).0);
    tokens.says_expired(headers, code.as_deref())
}

/// Waits until the rate budget lets a request go: room in the documented limit's window
/// (asked again after each wait, since waiting reserves nothing), then what the announced
/// budget calls for. `false` when that would exceed the wait budget.
async fn pace(
    pacer: &Pacer,
    operation: &str,
    waited: &AtomicU64,
    max_wait: Option<Duration>,
) -> bool {
    loop {
        let wait = pacer.bucket_wait(operation);
        if wait.is_zero() {
            break;
        }
        if !pause(waited, wait, max_wait).await {
            return false;
        }
    }
    pause(waited, pacer.announced_wait(), max_wait).await
}

/// A pacing wait, spent from the wait budget (which the walk's report reads), logged and
/// slept; `false` when the budget cannot cover it.
async fn pause(waited: &AtomicU64, wait: Duration, max_wait: Option<Duration>) -> bool {
    if wait.is_zero() {
        return true;
    }
    if !spend(waited, wait, max_wait) {
        return false;
    }
    tracing::debug!(
        target: "rollcall::pacing",
        wait_ms = millis(wait),
        "waiting for the rate budget"
    );
    tokio::time::sleep(wait).await;
    true
}

/// The answer for a request never sent because waiting for it would exceed the wait budget:
/// a bodiless 429, which [`scope::observe`]'s caller turns into the budget error.
fn refused_locally() -> reqwest::Response {
    let mut response = http::Response::new(bytes::Bytes::new());
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    reqwest::Response::from(response)
}

/// Sends `request` and reads the whole body, so that a connection that breaks mid-body is a
/// transport error (and retried) rather than a failure in the generated code.
async fn send_buffered(
    client: &reqwest::Client,
    request: reqwest::Request,
) -> reqwest::Result<(reqwest::Response, bytes::Bytes)> {
    let response = client.execute(request).await?;
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    scope::inspect(status, &headers);
    scope::update_exchange(|exchange| {
        exchange.error_body = (!status.is_success()).then(|| body.clone());
    });
    let mut rebuilt = http::Response::new(body.clone());
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok((reqwest::Response::from(rebuilt), body))
}

/// Whether an answer is one of `rules`' refusals that mean "slow down" (GitHub's 403 with an
/// empty budget, Google's 403 `userRateLimitExceeded`): its status, and the header or the
/// body's value that tells it from a plain refusal.
pub(crate) fn slows_down(
    rules: &[SlowDown],
    status: StatusCode,
    headers: &http::HeaderMap,
    body: &[u8],
) -> bool {
    let mut parsed: Option<Option<serde_json::Value>> = None;
    rules
        .iter()
        .filter(|rule| rule.status == status.as_u16())
        .any(|rule| {
            if !rule.header.is_empty() {
                return headers
                    .get_all(rule.header)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .any(|v| rule.is.contains(&v.trim()));
            }
            let body = parsed.get_or_insert_with(|| serde_json::from_slice(body).ok());
            let mut found = false;
            if let Some(body) = body {
                visit(body, rule.at, None, &mut |value, _| {
                    found |= value.as_str().is_some_and(|v| rule.is.contains(&v));
                });
            }
            found
        })
}

/// Stores the final outcome where [`scope::observe`] finds it, if a call is being observed.
fn record(outcome: &reqwest::Result<reqwest::Response>, attempts: u32, operation: &'static str) {
    scope::update_exchange(|exchange| {
        exchange.attempts = attempts;
        exchange.operation = Some(operation);
        match outcome {
            Ok(response) => {
                exchange.status = Some(response.status());
                exchange.headers = response.headers().clone();
            }
            Err(error) => exchange.status = error.status(),
        }
    });
}

/// How long to wait before retrying after `response`, or `None` if it is final.
///
/// A refusal that means "slow down" (`slowed`) is answered as a 429 is.
fn response_delay(
    response: &reqwest::Response,
    slowed: bool,
    policy: &RetryPolicy,
    delays: &mut impl Iterator<Item = Duration>,
) -> Option<Duration> {
    let status = if slowed {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        response.status()
    };
    if !is_retryable_status(status) {
        return None;
    }
    let told = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| parse_retry_after(value, SystemTime::now()));
    // Without `Retry-After`, a 429 may still say when its window resets (Okta's
    // `X-Rate-Limit-Reset`, a Unix time): wait exactly that long.
    let told = told.or_else(|| {
        (status == StatusCode::TOO_MANY_REQUESTS)
            .then(|| rate_limit_reset(response.headers(), SystemTime::now()))
            .flatten()
            .filter(|wait| !wait.is_zero())
    });
    match told {
        Some(wait) => Some(wait.min(policy.max_retry_after())),
        // A rate limit without a word on how long: the documented wait, not a quick backoff
        // that would only run into it again.
        None if status == StatusCode::TOO_MANY_REQUESTS => Some(policy.rate_limited_wait()),
        None => delays.next(),
    }
}

/// 408, 429 and the 5xx statuses that can go away by themselves.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || (status.is_server_error()
            && status != StatusCode::NOT_IMPLEMENTED
            && status != StatusCode::HTTP_VERSION_NOT_SUPPORTED)
}

/// Connection failures, timeouts and broken bodies; not redirect loops or invalid requests.
fn is_transient(error: &reqwest::Error) -> bool {
    !error.is_builder()
        && !error.is_redirect()
        && (error.is_connect() || error.is_timeout() || error.is_request() || error.is_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_down_refusals_are_told_by_their_status_and_header_or_body() {
        const RULES: &[SlowDown] = &[
            SlowDown {
                status: 403,
                header: "x-ratelimit-remaining",
                at: "",
                is: &["0"],
            },
            SlowDown {
                status: 403,
                header: "",
                at: "/error/errors/*/reason",
                is: &["userRateLimitExceeded", "rateLimitExceeded"],
            },
        ];
        let forbidden = StatusCode::FORBIDDEN;
        let mut empty = http::HeaderMap::new();
        empty.insert("x-ratelimit-remaining", "0".parse().unwrap());
        assert!(slows_down(RULES, forbidden, &empty, b"{}"));
        assert!(!slows_down(RULES, StatusCode::NOT_FOUND, &empty, b"{}"));
        let mut left = http::HeaderMap::new();
        left.insert("x-ratelimit-remaining", "4999".parse().unwrap());
        assert!(!slows_down(RULES, forbidden, &left, b"not json"));
        let reason =
            |r: &str| format!(r#"{{"error":{{"errors":[{{"reason":"x"}},{{"reason":"{r}"}}]}}}}"#);
        let none = http::HeaderMap::new();
        assert!(slows_down(
            RULES,
            forbidden,
            &none,
            reason("rateLimitExceeded").as_bytes()
        ));
        assert!(!slows_down(
            RULES,
            forbidden,
            &none,
            reason("forbidden").as_bytes()
        ));
        assert!(!slows_down(&[], forbidden, &empty, b"{}"));
    }

    #[test]
    fn retryable_statuses() {
        for code in [408, 429, 500, 502, 503, 504, 599] {
            assert!(
                is_retryable_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
        for code in [200, 400, 401, 403, 404, 422, 501, 505] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
    }

    #[test]
    fn backoff_grows_and_stays_under_the_cap() {
        let policy = RetryPolicy::default()
            .with_min_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_millis(400))
            .with_jitter(false);
        // backon multiplies by an `f32` factor: compare whole milliseconds.
        let millis: Vec<u128> = policy.backoff().take(5).map(|d| d.as_millis()).collect();
        assert_eq!(millis, [100, 200, 400, 400, 400]);
        let jittered = RetryPolicy::default()
            .with_min_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_millis(400));
        for (delay, base) in jittered.backoff().zip(millis) {
            let delay = delay.as_millis();
            assert!(delay >= base && delay <= base * 2 + 1, "{delay} vs {base}");
        }
    }
}
