//! Pacing: a client stays inside the provider's rate limit instead of running into it — the
//! budget its headers announce, the limit its spec documents — and every wait counts toward a
//! budget that ends a call or walk instead of letting it hang.
//!
//! These assert *lower* bounds on the gaps between requests the server saw (a request must not
//! come before the budget allows it), never an upper bound on how fast something ran.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::common::*;
use futures::TryStreamExt as _;
use rollcall::{ErrorKind, RateLimit, RetryPolicy};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// When each request reached the server.
#[derive(Clone, Default)]
struct Arrivals(Arc<Mutex<Vec<Instant>>>);

impl Arrivals {
    fn note(&self) -> usize {
        let mut times = self.0.lock().unwrap();
        times.push(Instant::now());
        times.len()
    }

    fn gaps(&self) -> Vec<Duration> {
        let times = self.0.lock().unwrap();
        times.windows(2).map(|w| w[1] - w[0]).collect()
    }
}

/// A Support server with `pages` pages of 2 users whose answers say the budget is spent until
/// the window resets in `reset` seconds.
async fn support_spending_its_budget(pages: i64, reset: u64) -> (MockServer, Arrivals) {
    let server = MockServer::builder().start().await;
    let arrivals = Arrivals::default();
    let seen = arrivals.clone();
    Mock::given(method("GET"))
        .respond_with(move |request: &Request| {
            let n = seen.note() as i64;
            let after = query(request, "page[after]");
            assert_eq!(after.map(|a| a.parse::<i64>().unwrap()).unwrap_or(0), n - 1);
            let last = n == pages;
            let cursor = (n).to_string();
            let body = support_page(2 * n - 1, 2 * n, Some(!last), Some(&cursor), !last);
            ResponseTemplate::new(200)
                .set_body_json(body)
                .insert_header("ratelimit-limit", "700")
                .insert_header("ratelimit-remaining", "0")
                .insert_header("ratelimit-reset", reset.to_string().as_str())
        })
        .mount(&server)
        .await;
    (server, arrivals)
}

#[tokio::test]
async fn no_request_goes_out_while_the_announced_budget_is_spent() {
    let (server, arrivals) = support_spending_its_budget(3, 1).await;
    let client = support(&server);
    let walk = client.all_users();
    let report = walk.report();
    let users: Vec<_> = walk.try_collect().await.unwrap();
    assert_eq!(users.len(), 6);
    let report = report.get();
    assert_eq!(report.retries, 0, "waiting for the budget is not a retry");
    assert!(
        report.waited_ms >= 1800,
        "the report counts both waits: {report:?}"
    );
    let gaps = arrivals.gaps();
    assert_eq!(gaps.len(), 2);
    for gap in gaps {
        assert!(
            gap >= Duration::from_millis(900),
            "a request came {gap:?} after the budget was announced spent for 1 s"
        );
    }
}

#[tokio::test]
async fn the_wait_budget_ends_a_walk_with_a_typed_error() {
    let (server, arrivals) = support_spending_its_budget(5, 1).await;
    let client = rollcall::zendesk_support::Client::with_api_token("acme", SUPPORT_EMAIL, "t")
        .base_url(server.uri())
        .retry(fast_retry())
        .max_wait(Duration::from_millis(1500))
        .build()
        .unwrap();
    let mut users = client.all_users();
    let mut seen = 0;
    let error = loop {
        match users.try_next().await {
            Ok(Some(_)) => seen += 1,
            Ok(None) => panic!("the walk finished although it had to wait 4 s"),
            Err(error) => break error,
        }
    };
    // One wait of about a second fits the budget of 1.5 s, the second does not.
    assert_eq!(
        seen, 4,
        "the users of the pages fetched before the budget ran out"
    );
    assert_eq!(arrivals.gaps().len(), 1);
    assert!(
        matches!(error.kind(), ErrorKind::WaitBudget { .. }),
        "{error:?}"
    );
    assert_eq!(error.operation(), "list_users");
    let text = error.to_string();
    assert!(
        text.starts_with("zendesk-support list_users: gave up before waiting past max_wait"),
        "{text}"
    );
}

#[tokio::test]
async fn a_429_without_retry_after_waits_the_rate_limited_wait() {
    assert_eq!(
        RetryPolicy::default().rate_limited_wait(),
        Duration::from_secs(10),
        "the documented default"
    );
    let server = MockServer::builder().start().await;
    let arrivals = Arrivals::default();
    let seen = arrivals.clone();
    Mock::given(method("GET"))
        .respond_with(move |_: &Request| {
            if seen.note() == 1 {
                ResponseTemplate::new(429).set_body_string("Too many requests")
            } else {
                ResponseTemplate::new(200).set_body_json(sell_page(1, 3, None))
            }
        })
        .mount(&server)
        .await;
    let client = rollcall::zendesk_sell::Client::with_token(SELL_TOKEN)
        .base_url(server.uri())
        .retry(fast_retry().with_rate_limited_wait(ms(400)))
        .build()
        .unwrap();
    let users: Vec<_> = client.all_users().try_collect().await.unwrap();
    assert_eq!(users.len(), 3);
    let gaps = arrivals.gaps();
    assert_eq!(gaps.len(), 1);
    assert!(gaps[0] >= ms(400), "retried after {:?}", gaps[0]);
}

#[tokio::test]
async fn a_retry_after_beyond_the_wait_budget_ends_the_call_at_once() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "30"))
        .mount(&server)
        .await;
    let client = rollcall::zendesk_sell::Client::with_token(SELL_TOKEN)
        .base_url(server.uri())
        .max_wait(Duration::from_secs(5))
        .build()
        .unwrap();
    let error = client
        .all_users()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::WaitBudget { waited, max_wait }
            if *waited == Duration::ZERO && *max_wait == Duration::from_secs(5)),
        "{error:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_documented_limit_spaces_requests_and_clones_share_it() {
    let server = MockServer::builder().start().await;
    let arrivals = Arrivals::default();
    let seen = arrivals.clone();
    Mock::given(method("GET"))
        .respond_with(move |_: &Request| {
            seen.note();
            ResponseTemplate::new(200).set_body_json(sell_page(1, 1, None))
        })
        .mount(&server)
        .await;
    // 4 a second, bursts of 4: of 8 walks (one request each), the last 4 wait 250 ms apiece.
    let client = rollcall::zendesk_sell::Client::with_token(SELL_TOKEN)
        .base_url(server.uri())
        .rate_limit(RateLimit::new(4, Duration::from_secs(1)))
        .build()
        .unwrap();
    assert_eq!(
        rollcall::zendesk_sell::Client::with_token("t")
            .build()
            .unwrap()
            .config()
            .rate_limit(),
        Some(RateLimit::new(10, Duration::from_secs(1))),
        "Sell's documented limit comes from its spec"
    );
    for _ in 0..4 {
        let users: Vec<_> = client.all_users().try_collect().await.unwrap();
        assert_eq!(users.len(), 1);
        let clone = client.clone();
        let users: Vec<_> = clone.all_users().try_collect().await.unwrap();
        assert_eq!(users.len(), 1);
    }
    let times = arrivals.0.lock().unwrap().clone();
    assert_eq!(times.len(), 8);
    assert!(
        times[7] - times[3] >= ms(900),
        "4 requests past the burst took {:?}",
        times[7] - times[3]
    );
}
