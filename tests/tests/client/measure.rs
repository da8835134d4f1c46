//! Not a test: measures a 10,000-user walk against a loopback mock. Ignored by default; run it
//! with
//!
//! ```sh
//! cargo test -p rollcall-tests --release --test client -- --ignored --nocapture measure::
//! ```
//!
//! It prints, per provider, the requests made, the wall time and the peak resident memory of
//! this process (mock server included). To measure the client alone, keep the mock running and
//! walk it from the example in another process:
//!
//! ```sh
//! ROLLCALL_MEASURE_SERVE_SECS=120 cargo test -p rollcall-tests --release --test client \
//!     -- --ignored --nocapture serve   # prints the mock's URLs
//! ZENDESK_SELL_TOKEN=x /usr/bin/time -v target/release/examples/list_users \
//!     --provider zendesk-sell --base-url <sell URL> > /dev/null
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::common::*;
use futures::TryStreamExt as _;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const USERS: i64 = 10_000;
const PAGE: i64 = 100;

/// Peak resident set size of this process so far, in KiB (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A mock with `USERS` Sell users and `USERS` Support users, every page rendered in advance;
/// returns it with a counter of the requests it answered.
async fn mock() -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::builder()
        .disable_request_recording()
        .start()
        .await;
    let count = Arc::new(AtomicUsize::new(0));
    let pages = USERS / PAGE;

    let sell: Arc<Vec<Vec<u8>>> = Arc::new(
        (1..=pages)
            .map(|p| {
                let next = (p < pages).then_some(p as u64 + 1);
                serde_json::to_vec(&sell_page((p - 1) * PAGE + 1, p * PAGE, next)).unwrap()
            })
            .collect(),
    );
    let counter = count.clone();
    Mock::given(method("GET"))
        .and(path(Kind::ZendeskSell.path()))
        .respond_with(move |request: &Request| {
            counter.fetch_add(1, Ordering::Relaxed);
            let page: usize = query(request, "page").unwrap().parse().unwrap();
            ResponseTemplate::new(200).set_body_raw(sell[page - 1].clone(), "application/json")
        })
        .mount(&server)
        .await;

    let support: Arc<Vec<Vec<u8>>> = Arc::new(
        (1..=pages)
            .map(|p| {
                let last = p == pages;
                let cursor = format!("c{p}");
                let body = support_page(
                    (p - 1) * PAGE + 1,
                    p * PAGE,
                    Some(!last),
                    (!last).then_some(cursor.as_str()),
                    !last,
                );
                serde_json::to_vec(&body).unwrap()
            })
            .collect(),
    );
    let counter = count.clone();
    Mock::given(method("GET"))
        .and(path(Kind::ZendeskSupport.path()))
        .respond_with(move |request: &Request| {
            counter.fetch_add(1, Ordering::Relaxed);
            let index = query(request, "page[after]")
                .map_or(0, |c| c.trim_start_matches('c').parse::<usize>().unwrap());
            ResponseTemplate::new(200).set_body_raw(support[index].clone(), "application/json")
        })
        .mount(&server)
        .await;
    (server, count)
}

#[tokio::test]
#[ignore = "a measurement, not a test"]
async fn walk_10000_users() {
    let (server, count) = mock().await;
    let before = peak_rss_kib();
    println!("peak RSS with the mock ready: {before:?} KiB");

    let started = Instant::now();
    let client = sell(&server);
    let mut users = client.all_users();
    let mut n = 0;
    while let Some(user) = users.try_next().await.unwrap() {
        n += 1;
        std::hint::black_box(user);
    }
    let elapsed = started.elapsed();
    let requests = count.swap(0, Ordering::Relaxed);
    println!(
        "zendesk-sell:    {n} users, {requests} requests, {elapsed:?}, peak RSS {:?} KiB",
        peak_rss_kib()
    );
    assert_eq!(n, USERS);

    let started = Instant::now();
    let client = support(&server);
    let mut users = client.all_users();
    let mut n = 0;
    while let Some(user) = users.try_next().await.unwrap() {
        n += 1;
        std::hint::black_box(user);
    }
    let elapsed = started.elapsed();
    let requests = count.swap(0, Ordering::Relaxed);
    println!(
        "zendesk-support: {n} users, {requests} requests, {elapsed:?}, peak RSS {:?} KiB",
        peak_rss_kib()
    );
    assert_eq!(n, USERS);
}

#[tokio::test]
#[ignore = "serves the measurement mock for another process"]
async fn serve() {
    let seconds = std::env::var("ROLLCALL_MEASURE_SERVE_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .expect("set ROLLCALL_MEASURE_SERVE_SECS to keep the mock running that long");
    let (server, count) = mock().await;
    println!("zendesk-sell:    {}", server.uri());
    println!("zendesk-support: {}", server.uri());
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let answered = count.load(Ordering::Relaxed);
    println!("answered {answered} requests");
    // A serve that no walk reached measured nothing: say so rather than pass.
    assert!(answered > 0, "no request reached the mock in {seconds} s");
}
