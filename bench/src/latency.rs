//! Walks under real rate limits: loopback servers that answer after a fixed latency and
//! enforce a provider's documented limit the way the provider does, walked by rollcall and by a
//! sequential hand-written loop in the same run.
//!
//! - Sell: 10 requests a second per token, no rate-limit headers, 429 (with a body that is not
//!   the error envelope, and no `Retry-After`) beyond it.
//! - Support: a fixed window whose budget every answer announces (`ratelimit-limit`,
//!   `ratelimit-remaining`, `ratelimit-reset`), 429 with `Retry-After` beyond it.
//!
//! Rows: wall time, requests, 429s received, and each walker's time over the bound the limit
//! itself sets (the least time any client could take).

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::TryStreamExt as _;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use rollcall::Provider;

use crate::fixtures;
use crate::row::{Row, median};

/// How a server limits: a sliding second (Sell) or an announced fixed window (Support).
#[derive(Clone, Copy)]
enum Limit {
    PerSecond(usize),
    Window { requests: usize, seconds: u64 },
}

/// What one server saw.
#[derive(Default)]
struct Counts {
    requests: AtomicUsize,
    refused: AtomicUsize,
}

struct State {
    provider: Provider,
    pages: Vec<Bytes>,
    latency: Duration,
    limit: Limit,
    /// Arrival times of the requests served (sliding window) or of the current window's.
    recent: Mutex<(Instant, Vec<Instant>)>,
    counts: Counts,
}

/// Starts a limiting server on its own thread; returns its URL and state.
fn start(state: Arc<State>) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback");
            tx.send(format!(
                "http://{}",
                listener.local_addr().expect("address")
            ))
            .expect("parent waits");
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let state = state.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(answer(&state, &request).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    rx.recv().expect("server thread starts")
}

async fn answer(state: &State, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    state.counts.requests.fetch_add(1, Ordering::Relaxed);
    // The limit is judged when the request arrives, as a provider's edge does.
    let verdict = admit(state);
    tokio::time::sleep(state.latency).await;
    let mut response = Response::builder().header("content-type", "application/json");
    match verdict {
        Verdict::Refused { retry_after } => {
            state.counts.refused.fetch_add(1, Ordering::Relaxed);
            if let Some(seconds) = retry_after {
                response = response.header("retry-after", seconds.to_string());
            }
            return response
                .status(StatusCode::TOO_MANY_REQUESTS)
                .body(Full::new(Bytes::from_static(
                    b"{\"error\": \"rate limit exceeded\"}",
                )))
                .expect("static response");
        }
        Verdict::Served { headers } => {
            for (name, value) in headers {
                response = response.header(name, value);
            }
        }
    }
    let body = page_for(state, request);
    match body {
        Some(body) => response.body(Full::new(body)).expect("static response"),
        None => response
            .status(StatusCode::NOT_FOUND)
            .body(Full::new(Bytes::new()))
            .expect("static response"),
    }
}

enum Verdict {
    Served {
        headers: Vec<(&'static str, String)>,
    },
    Refused {
        retry_after: Option<u64>,
    },
}

fn admit(state: &State) -> Verdict {
    let now = Instant::now();
    let mut recent = state.recent.lock().expect("not poisoned");
    match state.limit {
        Limit::PerSecond(per_second) => {
            recent.1.retain(|at| now - *at < Duration::from_secs(1));
            if recent.1.len() >= per_second {
                return Verdict::Refused { retry_after: None };
            }
            recent.1.push(now);
            Verdict::Served {
                headers: Vec::new(),
            }
        }
        Limit::Window { requests, seconds } => {
            let window = Duration::from_secs(seconds);
            if now - recent.0 >= window {
                let elapsed = now - recent.0;
                let windows = elapsed.as_secs() / seconds;
                recent.0 += window * u32::try_from(windows).unwrap_or(u32::MAX);
                recent.1.clear();
            }
            let reset = (recent.0 + window)
                .saturating_duration_since(now)
                .as_secs_f64()
                .ceil() as u64;
            if recent.1.len() >= requests {
                return Verdict::Refused {
                    retry_after: Some(reset.max(1)),
                };
            }
            recent.1.push(now);
            Verdict::Served {
                headers: vec![
                    ("ratelimit-limit", requests.to_string()),
                    (
                        "ratelimit-remaining",
                        (requests - recent.1.len()).to_string(),
                    ),
                    ("ratelimit-reset", reset.to_string()),
                ],
            }
        }
    }
}

/// The page a request asks for (Sell by `page`, Support by its `c<N>` cursor).
fn page_for(state: &State, request: &Request<Incoming>) -> Option<Bytes> {
    let query = request.uri().query().unwrap_or("");
    let param = |name: &str| {
        query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            let key = key.replace("%5B", "[").replace("%5D", "]");
            (key == name).then(|| value.to_owned())
        })
    };
    let index = match state.provider {
        Provider::ZendeskSell => param("page")?.parse::<usize>().ok()?.checked_sub(1)?,
        _ => param("page[after]").map_or(Some(0), |c| c.strip_prefix('c')?.parse().ok())?,
    };
    state.pages.get(index).cloned()
}

/// One walk's outcome.
struct Outcome {
    seconds: f64,
    users: usize,
    requests: usize,
    refused: usize,
}

fn server(
    provider: Provider,
    users: usize,
    latency: Duration,
    limit: Limit,
) -> (String, Arc<State>) {
    let state = Arc::new(State {
        provider,
        pages: fixtures::pages(provider, users).expect("a recorded shape"),
        latency,
        limit,
        recent: Mutex::new((Instant::now(), Vec::new())),
        counts: Counts::default(),
    });
    (start(state.clone()), state)
}

fn measure(
    state: &State,
    url: &str,
    walk: impl AsyncFnOnce(&str) -> Result<usize, String>,
) -> Result<Outcome, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let before = (
        state.counts.requests.load(Ordering::Relaxed),
        state.counts.refused.load(Ordering::Relaxed),
    );
    let started = Instant::now();
    let users = runtime.block_on(walk(url))?;
    Ok(Outcome {
        seconds: started.elapsed().as_secs_f64(),
        users,
        requests: state.counts.requests.load(Ordering::Relaxed) - before.0,
        refused: state.counts.refused.load(Ordering::Relaxed) - before.1,
    })
}

/// `rollcall-bench latency [--quick]`: the rows.
pub fn all(quick: bool) -> Result<(), String> {
    let (users, latency, runs) = if quick {
        (1_000_usize, Duration::from_millis(100), 1)
    } else {
        (3_000, Duration::from_millis(300), 3)
    };
    // Sell: 10 a second. The bound: the first 10 pages go at once, then 10 a second, and the
    // last page still takes one latency.
    let pages = users.div_ceil(100);
    let sell_bound = (pages.saturating_sub(10) as f64 / 10.0) + latency.as_secs_f64();
    rows(
        "Sell 10/s, no headers",
        Provider::ZendeskSell,
        users,
        latency,
        Limit::PerSecond(10),
        sell_bound,
        runs,
        "target: rollcall ≤ 0.5× the sequential loop, zero 429s",
    )?;
    // Support: a fixed window announced in headers (a smaller one in the quick run, so that
    // its few pages still have to wait for a reset). `ratelimit-reset` is whole seconds, so a
    // client that waits for it can lose up to a second per window: little against Zendesk's
    // minute, much against the quick run's one second.
    let (per_window, seconds) = if quick { (5, 1) } else { (10, 6) };
    let support_bound = cursor_bound(pages, latency, per_window, seconds);
    rows(
        &format!("Support {per_window} per {seconds} s window, in headers"),
        Provider::ZendeskSupport,
        users,
        latency,
        Limit::Window {
            requests: per_window,
            seconds,
        },
        support_bound,
        runs,
        "target: rollcall ≤ 1.25× the window bound, zero 429s",
    )
}

/// The least time a cursor walk (one page after the other: each needs the previous one's
/// cursor) can take under a fixed window of `per_window` requests every `seconds`: pages go
/// back to back until the window's budget is spent, then wait for the next window.
fn cursor_bound(pages: usize, latency: Duration, per_window: usize, seconds: u64) -> f64 {
    let (latency, window) = (latency.as_secs_f64(), seconds as f64);
    let (mut now, mut used, mut window_start) = (0.0_f64, 0, 0.0_f64);
    for _ in 0..pages {
        if now >= window_start + window {
            window_start += window * ((now - window_start) / window).floor();
            used = 0;
        }
        if used == per_window {
            window_start += window;
            now = window_start;
            used = 0;
        }
        used += 1;
        now += latency;
    }
    now
}

#[allow(clippy::too_many_arguments)]
fn rows(
    name: &str,
    provider: Provider,
    users: usize,
    latency: Duration,
    limit: Limit,
    bound: f64,
    runs: usize,
    target: &str,
) -> Result<(), String> {
    let mut ours = Vec::new();
    let mut loops = Vec::new();
    for _ in 0..runs {
        // A fresh server per walk, so that neither inherits the other's spent budget.
        let (url, state) = server(provider, users, latency, limit);
        ours.push(measure(&state, &url, async |url| {
            rollcall_walk(provider, url).await
        })?);
        let (url, state) = server(provider, users, latency, limit);
        loops.push(measure(&state, &url, async |url| {
            sequential(provider, url).await
        })?);
    }
    for outcome in ours.iter().chain(&loops) {
        if outcome.users != users {
            return Err(format!(
                "{name}: a walk yielded {} of {users} users",
                outcome.users
            ));
        }
    }
    let seconds = |o: &[Outcome]| median(&o.iter().map(|o| o.seconds).collect::<Vec<_>>());
    let (ours_s, loop_s) = (seconds(&ours), seconds(&loops));
    let stat = |o: &[Outcome], f: fn(&Outcome) -> usize| o.iter().map(f).max().unwrap_or(0);
    Row {
        section: "Latency",
        case: format!(
            "{name}: {users} users, {} ms latency, wall time",
            latency.as_millis()
        ),
        ours: format!("{ours_s:.2} s"),
        baseline: format!("{loop_s:.2} s (sequential loop)"),
        ratio: format!("{:.2}×", ours_s / loop_s),
        note: target.to_owned(),
    }
    .print();
    Row {
        section: "Latency",
        case: format!("{name}: requests · 429s received"),
        ours: format!(
            "{} · {}",
            stat(&ours, |o| o.requests),
            stat(&ours, |o| o.refused)
        ),
        baseline: format!(
            "{} · {}",
            stat(&loops, |o| o.requests),
            stat(&loops, |o| o.refused)
        ),
        ratio: String::new(),
        note: "most over the runs".to_owned(),
    }
    .print();
    Row {
        section: "Latency",
        case: format!("{name}: time over the rate-limit bound ({bound:.2} s)"),
        ours: format!("{:.2}×", ours_s / bound),
        baseline: format!("{:.2}×", loop_s / bound),
        ratio: String::new(),
        note: "the least time the limit allows".to_owned(),
    }
    .print();
    Ok(())
}

async fn rollcall_walk(provider: Provider, url: &str) -> Result<usize, String> {
    let shown = |e: rollcall::Error| e.to_string();
    match provider {
        Provider::ZendeskSell => {
            let client = rollcall::zendesk_sell::Client::with_token("token")
                .base_url(url)
                .build()
                .map_err(shown)?;
            let users: Vec<_> = client.all_users().try_collect().await.map_err(shown)?;
            Ok(users.len())
        }
        _ => {
            let client = rollcall::zendesk_support::Client::with_oauth_token("acme", "token")
                .base_url(url)
                .build()
                .map_err(shown)?;
            let users: Vec<_> = client.all_users().try_collect().await.map_err(shown)?;
            Ok(users.len())
        }
    }
}

/// The loop an integration writes by hand: one page after the other, following the provider's
/// own stop rule, sleeping on a 429 as long as `Retry-After` says (one second without it).
async fn sequential(provider: Provider, url: &str) -> Result<usize, String> {
    let http = reqwest::Client::new();
    let mut users = 0;
    let mut page = 1;
    let mut cursor: Option<String> = None;
    loop {
        let request = match provider {
            Provider::ZendeskSell => http.get(format!("{url}/v2/users?page={page}&per_page=100")),
            _ => {
                let after = cursor
                    .as_deref()
                    .map(|c| format!("&page%5Bafter%5D={c}"))
                    .unwrap_or_default();
                http.get(format!("{url}/api/v2/users?page%5Bsize%5D=100{after}"))
            }
        };
        let response = request.send().await.map_err(|e| e.to_string())?;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let wait = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                .unwrap_or(1);
            tokio::time::sleep(Duration::from_secs(wait)).await;
            continue;
        }
        let body: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
        match provider {
            Provider::ZendeskSell => {
                let items = body["items"].as_array().map_or(0, Vec::len);
                users += items;
                if items == 0 || body["meta"]["links"]["next_page"].is_null() {
                    return Ok(users);
                }
                page += 1;
            }
            _ => {
                users += body["users"].as_array().map_or(0, Vec::len);
                if body["meta"]["has_more"] != serde_json::Value::Bool(true) {
                    return Ok(users);
                }
                cursor = body["meta"]["after_cursor"].as_str().map(str::to_owned);
            }
        }
    }
}
