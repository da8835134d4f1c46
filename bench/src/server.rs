//! The loopback mock: pre-rendered pages behind a bare hyper HTTP/1.1 server, so that serving a
//! page is a lookup and a copy of `Bytes`, not JSON work charged to the walk.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use rollcall::Provider;

use crate::fixtures;

/// Serves `provider`'s pages for `users` users on 127.0.0.1 from a background thread; returns
/// the base URL. The thread lives as long as the process (the parent of the walks).
pub fn start(provider: Provider, users: usize) -> Result<String, String> {
    let pages = Arc::new(
        fixtures::pages(provider, users)
            .ok_or_else(|| format!("no recorded shape of {provider} to serve"))?,
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback");
            let addr = listener.local_addr().expect("local address");
            tx.send(format!("http://{addr}")).expect("parent waits");
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let pages = pages.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let response = answer(provider, &pages, &request);
                        async move { Ok::<_, Infallible>(response) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    Ok(rx.recv().expect("server thread starts"))
}

/// `serve PROVIDER N`: the mock alone, in the foreground, until the process is killed.
pub fn serve(args: &[String]) -> Result<(), String> {
    let [provider, users] = args else {
        return Err("usage: rollcall-bench serve PROVIDER N".to_owned());
    };
    let provider = fixtures::parse(provider)?;
    let users = users.parse().map_err(|_| "N must be a number")?;
    println!("{}", start(provider, users)?);
    loop {
        std::thread::park();
    }
}

/// The page a request asks for: Sell by `page` (1-based), Support and Sequence by the `c<N>`
/// cursor the previous page handed out, Worksection always its single body.
fn answer(
    provider: Provider,
    pages: &[Bytes],
    request: &Request<Incoming>,
) -> Response<Full<Bytes>> {
    let query = request.uri().query().unwrap_or("");
    let param = |name: &str| {
        query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            let key = key.replace("%5B", "[").replace("%5D", "]");
            (key == name).then(|| value.to_owned())
        })
    };
    let cursor = |name: &str| {
        param(name).map_or(Some(0), |c| {
            c.strip_prefix('c').and_then(|n| n.parse().ok())
        })
    };
    let index = match provider {
        Provider::ZendeskSell => {
            param("page").and_then(|p| p.parse::<usize>().ok()?.checked_sub(1))
        }
        Provider::ZendeskSupport => cursor("page[after]"),
        Provider::Sequence => cursor("after"),
        _ => Some(0),
    };
    match index.and_then(|i| pages.get(i)) {
        Some(body) => Response::builder()
            .header("content-type", "application/json")
            .body(Full::new(body.clone()))
            .expect("static response"),
        None => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Full::new(Bytes::new()))
            .expect("static response"),
    }
}
