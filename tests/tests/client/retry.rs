//! Retries: 429 with `Retry-After` (seconds or an HTTP date, capped), 5xx and broken
//! connections with backoff, bounded attempts, no retry of a client error, per-attempt timeout.

use std::time::{Duration, Instant, SystemTime};

use super::common::*;
use rollcall::{ErrorKind, RetryPolicy};
use serde_json::json;
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpListener;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Mounts `failure` for the first `times` requests to the provider's list path, then a page
/// with three users.
async fn fail_then_succeed(kind: Kind, failure: ResponseTemplate, times: u64) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(kind.path()))
        .respond_with(failure)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(&server)
        .await;
    // Every walk of a union of several answers the same users.
    for walked in kind.walked_paths() {
        Mock::given(method("GET"))
            .and(path(walked))
            .respond_with(ResponseTemplate::new(200).set_body_json(kind.last_page(3)))
            .with_priority(2)
            .mount(&server)
            .await;
    }
    mount_empty_end(kind, &server).await;
    server
}

/// How many walks a default client's `all_users` runs (one, or each of a union's).
fn walks(kind: Kind) -> usize {
    kind.fake().walks.len().max(1)
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

/// A walk that needed `needed` requests sent them; a list that only an empty page ends may
/// have requested up to `page_concurrency - 1` pages past it, dropped unread.
fn assert_requests(kind: Kind, sent: usize, needed: usize) {
    let ahead = if kind.list().ends_on_empty_page() {
        rollcall::DEFAULT_PAGE_CONCURRENCY
    } else {
        1
    };
    assert!(
        (needed..needed + ahead).contains(&sent),
        "{kind:?}: {sent} requests for {needed}"
    );
}

#[tokio::test]
async fn every_provider_retries_503_three_times_then_succeeds() {
    for kind in Kind::ALL.iter().copied() {
        let server = fail_then_succeed(kind, ResponseTemplate::new(503), 3).await;
        let ids = kind.all_ids(&server).await.unwrap();
        assert_eq!(ids.len(), 3, "{kind:?}");
        let end = usize::from(kind.list().ends_on_empty_page());
        assert_requests(kind, requests(&server).await, 4 + end + walks(kind) - 1);
    }
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured_in_full_under_the_cap() {
    let limited = ResponseTemplate::new(429).insert_header("retry-after", "1");
    let server = fail_then_succeed(Kind::ZendeskSell, limited, 1).await;
    let policy = fast_retry().with_max_retry_after(Duration::from_secs(5));
    let started = Instant::now();
    let ids = Kind::ZendeskSell
        .all_ids_with(&server, policy)
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let at = SystemTime::now() + Duration::from_secs(30);
    let limited = ResponseTemplate::new(429)
        .insert_header("retry-after", httpdate::fmt_http_date(at).as_str());
    let server = fail_then_succeed(Kind::ZendeskSupport, limited, 1).await;
    let started = Instant::now();
    let ids = Kind::ZendeskSupport.all_ids(&server).await.unwrap();
    assert_eq!(ids.len(), 3);
    // Thirty seconds away, capped at 50 ms by the test policy.
    assert!(started.elapsed() >= ms(50));
}

#[tokio::test]
async fn a_client_error_is_not_retried() {
    for kind in Kind::ALL.iter().copied() {
        let server = MockServer::builder().start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({})))
            .mount(&server)
            .await;
        let error = kind.all_ids(&server).await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(400), "{kind:?}");
        assert_eq!(requests(&server).await, 1, "{kind:?}");
    }
}

#[tokio::test]
async fn a_429_without_retry_after_waits_for_the_announced_reset_time() {
    // Okta's and GitHub's form: the Unix time the window resets, no `Retry-After`.
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap();
    let reset = now.as_secs() + 2;
    let left = Duration::from_secs(reset) - now;
    let limited = ResponseTemplate::new(429).insert_header("x-rate-limit-reset", reset.to_string());
    let server = fail_then_succeed(Kind::ZendeskSell, limited, 1).await;
    let policy = fast_retry().with_max_retry_after(Duration::from_secs(5));
    let started = Instant::now();
    let ids = Kind::ZendeskSell
        .all_ids_with(&server, policy)
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    let waited = started.elapsed();
    // The time left to the reset, not the 20 ms a 429 without a word waits here, nor a second
    // more for rounding.
    assert!(waited + ms(50) >= left, "{waited:?} for {left:?}");
    assert!(waited < left + ms(900), "{waited:?} for {left:?}");
}

#[tokio::test]
async fn no_retries_with_the_none_policy() {
    let server = fail_then_succeed(Kind::Sequence, ResponseTemplate::new(502), 1).await;
    let error = Kind::Sequence
        .all_ids_with(&server, RetryPolicy::none())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(requests(&server).await, 1);
}

/// A loopback server that accepts `drops` connections and closes them at once, then forwards
/// every later connection to `target`. Returns its address and a counter of connections.
async fn flaky_proxy(
    target: std::net::SocketAddr,
    drops: usize,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                return;
            };
            let n = counter.fetch_add(1, Ordering::SeqCst);
            if n < drops {
                let _ = inbound.shutdown().await;
                drop(inbound);
                continue;
            }
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (address, seen)
}

#[tokio::test]
async fn every_provider_retries_broken_connections() {
    use std::sync::atomic::Ordering;
    for kind in Kind::ALL.iter().copied() {
        let server = MockServer::builder().start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(kind.last_page(3)))
            .with_priority(2)
            .mount(&server)
            .await;
        let end = mount_empty_end(kind, &server).await;
        let (proxy, connections) = flaky_proxy(*server.address(), 2).await;
        let proxied = MockServerAt(format!("http://{proxy}"));
        let ids = proxied.all_ids(kind).await.unwrap();
        assert_eq!(ids.len(), 3, "{kind:?}");
        // Two connections broken, then one kept alive for the rest of the walk (more where
        // pages are requested ahead).
        let connections = connections.load(Ordering::SeqCst);
        let ahead = end * rollcall::DEFAULT_PAGE_CONCURRENCY;
        assert!(
            (3..=3 + ahead).contains(&connections),
            "{kind:?}: {connections}"
        );
        assert_requests(kind, requests(&server).await, walks(kind) + end);
    }
}

#[tokio::test]
async fn connection_failures_end_after_the_last_attempt() {
    use std::sync::atomic::Ordering;
    let never = MockServer::builder().start().await;
    let (proxy, connections) = flaky_proxy(*never.address(), usize::MAX).await;
    let error = MockServerAt(format!("http://{proxy}"))
        .all_ids_with(Kind::ZendeskSell, fast_retry().with_max_attempts(3))
        .await
        .unwrap_err();
    assert_eq!(connections.load(Ordering::SeqCst), 3);
    match error.kind() {
        ErrorKind::Transport { attempts, .. } => assert_eq!(*attempts, 3),
        other => panic!("expected a transport error, got {other:?}"),
    }
    let text = error.to_string();
    assert!(
        text.starts_with("zendesk-sell list_users: connection failed: "),
        "{text}"
    );
    assert!(text.ends_with("(gave up after 3 attempts)"), "{text}");
    assert!(!text.contains('\n'));
}

#[tokio::test]
async fn each_attempt_times_out() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(Kind::ZendeskSell.last_page(1))
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&server)
        .await;
    let client = rollcall::zendesk_sell::Client::with_token(SELL_TOKEN)
        .base_url(server.uri())
        .request_timeout(ms(100))
        .retry(fast_retry().with_max_attempts(2))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .call(client.get_self_user().send())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(error.kind(), ErrorKind::Transport { attempts: 2, .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "zendesk-sell get_self_user: timed out (gave up after 2 attempts)"
    );
}

/// A base URL that is not a `MockServer` (a proxy in front of one).
struct MockServerAt(String);

impl MockServerAt {
    async fn all_ids(&self, kind: Kind) -> Result<Vec<String>, rollcall::Error> {
        self.all_ids_with(kind, fast_retry()).await
    }

    async fn all_ids_with(
        &self,
        kind: Kind,
        retry: RetryPolicy,
    ) -> Result<Vec<String>, rollcall::Error> {
        kind.all_ids_at(&self.0, retry).await
    }
}

/// A provider's refusals that mean "slow down" without being 429 (`x-rollcall.slow-down`) are
/// retried as a 429 is; a refusal of the same status that is not one of them is final.
#[tokio::test]
async fn a_declared_slow_down_refusal_is_retried_and_any_other_of_its_status_is_not() {
    let declaring: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|kind| !kind.info().slow_down.is_empty())
        .collect();
    assert!(declaring.len() >= 2, "{declaring:?}");
    for kind in declaring {
        let fake = kind.fake();
        let slow_down = fake
            .slow_down
            .as_ref()
            .expect("the fake serves the refusal");
        let mut refusal = ResponseTemplate::new(slow_down.status)
            .set_body_raw(slow_down.body, "application/json");
        if let Some((name, value)) = slow_down.header {
            refusal = refusal.insert_header(name, value);
        }
        // The window resets a second or so ahead, as the provider announces it.
        if let Some(name) = slow_down.reset {
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            refusal = refusal.insert_header(name, (now + 1).to_string().as_str());
        }
        let server = fail_then_succeed(kind, refusal, 1).await;
        let ids = kind.all_ids(&server).await.unwrap();
        assert_eq!(ids.len(), 3, "{kind:?}");
        let end = usize::from(kind.list().ends_on_empty_page());
        assert_requests(kind, requests(&server).await, 2 + end + walks(kind) - 1);

        // The same status with the provider's plain refusal: one request, its message.
        let plain = ResponseTemplate::new(slow_down.status)
            .set_body_raw(kind.fake().auth_error.body, "application/json");
        let server = fail_then_succeed(kind, plain, 1).await;
        let error = kind.all_ids(&server).await.unwrap_err();
        assert_eq!(
            error.status().map(|s| s.as_u16()),
            Some(slow_down.status),
            "{kind:?}: {error}"
        );
        assert!(!error.to_string().contains('\n'), "{error}");
        assert_eq!(requests(&server).await, 1, "{kind:?}: not retried");
    }
}
