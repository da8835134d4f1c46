//! Shared by the client tests: credentials, fast retry settings, the recorded shapes of real
//! providers (`rollcall_tests::fixtures`, re-exported), and a harness that runs the same
//! scenario against every provider of the registry.
#![allow(dead_code)]

use std::time::Duration;

use futures::TryStreamExt as _;
use rollcall::testing::FakeList;
use rollcall::{Error, RetryPolicy, sequence, worksection, zendesk_sell, zendesk_support};
pub use rollcall_tests::fixtures::*;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const SELL_TOKEN: &str = "sell-token-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
pub const SUPPORT_EMAIL: &str = "admin@acme.example";
pub const SUPPORT_TOKEN: &str = "zd-api-token-123";
pub const SUPPORT_OAUTH_TOKEN: &str = "zd-oauth-token-abc";
pub const SEQUENCE_ID: &str = "seq-client-id";
pub const SEQUENCE_SECRET: &str = "seq-client-secret-456";
pub const WORKSECTION_KEY: &str = "ws-admin-key-789";
pub const WORKSECTION_OAUTH_TOKEN: &str = "ws-oauth-token-xyz";
/// `md5("action=get_users" + WORKSECTION_KEY)`, computed outside Rust.
pub const WORKSECTION_HASH: &str = "5bf6891c39a8215448a80e08c3a65618";

pub fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// Retries in milliseconds, so that tests stay fast; `Retry-After` capped at 50 ms, a 429
/// without it waits 20 ms.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_min_delay(ms(1))
        .with_max_delay(ms(4))
        .with_max_retry_after(ms(50))
        .with_rate_limited_wait(ms(20))
}

pub fn sell(server: &MockServer) -> zendesk_sell::Client {
    zendesk_sell::Client::with_token(SELL_TOKEN)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .expect("valid configuration")
}

pub fn support(server: &MockServer) -> zendesk_support::Client {
    zendesk_support::Client::with_api_token("acme", SUPPORT_EMAIL, SUPPORT_TOKEN)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .expect("valid configuration")
}

pub fn sequence(server: &MockServer) -> sequence::Client {
    sequence::Client::with_credentials(sequence::Region::Production, SEQUENCE_ID, SEQUENCE_SECRET)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .expect("valid configuration")
}

pub fn worksection(server: &MockServer) -> worksection::Client {
    worksection::Client::with_admin_key("acme", WORKSECTION_KEY)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .expect("valid configuration")
}

pub fn worksection_oauth(server: &MockServer) -> worksection::Client {
    worksection::Client::with_oauth_token("acme", WORKSECTION_OAUTH_TOKEN)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .expect("valid configuration")
}

/// The value of query parameter `name` in a received request, decoded.
pub fn query(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

// --- One scenario, every provider ---------------------------------------------------------

/// A provider of the registry (`rollcall::Provider`), for scenarios that every one of them must
/// pass; [`Fixtures`] gives what these tests need of each, all read from its spec through the
/// registry (`fake()`), so a provider added by its spec is covered as it is.
pub type Kind = rollcall::Provider;

/// The variables `Provider::connect` reads, for `kind`: a value for every host variable and
/// every credential of every scheme (the kit's own, `FakeSpec::env`), and a scheme's authority
/// host pointed at [`token_server`], so that a provider with a token URL gets its token there
/// and the test's own server sees only the API's requests.
pub fn test_env(kind: Kind) -> impl Fn(&str) -> Option<String> {
    let mut env = kind.fake().env();
    for scheme in kind.info().schemes {
        for var in scheme.vars {
            if var.role == rollcall::Role::Authority {
                env.insert(var.name.to_owned(), token_server().to_owned());
            }
        }
    }
    move |name: &str| env.get(name).cloned()
}

/// A token URL for every test of the binary: a server of its own thread and runtime (each
/// test's runtime ends with the test) that hands out an access token to any request.
pub fn token_server() -> &'static str {
    static URI: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URI.get_or_init(|| {
        let (sent, uri) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let server = MockServer::builder().start().await;
                Mock::given(method("POST"))
                    .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "access_token": "test-access-token",
                    })))
                    .mount(&server)
                    .await;
                sent.send(server.uri()).expect("the test waits");
                std::future::pending::<()>().await;
            });
        });
        uri.recv().expect("the token server starts")
    })
}

/// For a list that only an empty page ends (pages come short, and nothing says which is the
/// last): mounts on `server`, ahead of its other mocks, the empty page that answers the request
/// after a first page of the default size. Returns how many more requests a walk of one page
/// sends because of it (1, or 0 for every other list).
pub async fn mount_empty_end(kind: Kind, server: &MockServer) -> usize {
    let list = kind.list();
    let (true, Some(param)) = (list.ends_on_empty_page(), list.offset_param) else {
        return 0;
    };
    let size = list.max_size.unwrap_or(100);
    let empty: Value = serde_json::from_str(list.page).expect("the sample page is JSON");
    Mock::given(method("GET"))
        .and(path(kind.path()))
        .and(query_param(param, size.to_string()))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty))
        .with_priority(1)
        .mount(server)
        .await;
    1
}

/// `path` with each `{parameter}` replaced by the test environment's value of the variable
/// that fills it.
fn filled(kind: Kind, path: &str) -> String {
    let env = kind.fake().env();
    path.split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => kind
                    .info()
                    .server
                    .iter()
                    .find(|var| var.arg == param)
                    .and_then(|var| env.get(var.name).cloned())
                    .unwrap_or_else(|| segment.to_owned()),
                None => segment.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// Fixtures keyed by the registry's providers.
pub trait Fixtures: Copy {
    /// The list operation a default client walks.
    fn list(self) -> &'static FakeList;
    /// The path of the list operation, its parameters (`{org}`) filled from the test
    /// environment.
    fn path(self) -> String;
    /// The paths of every list a default client walks (more than one where its account list
    /// is the union of several walks), each once.
    fn walked_paths(self) -> Vec<String>;
    /// The operation id of the list operation.
    fn operation(self) -> &'static str;
    /// A complete, last page with users `1..=n`.
    fn last_page(self, n: i64) -> Value;
    /// Walks every user with the default test client; returns their ids as text.
    async fn all_ids(self, server: &MockServer) -> Result<Vec<String>, Error>;
    /// Walks every user with a client using `retry`; returns their ids as text.
    async fn all_ids_with(
        self,
        server: &MockServer,
        retry: RetryPolicy,
    ) -> Result<Vec<String>, Error>;
    /// Walks every user of the server at `uri` with a client using `retry`.
    async fn all_ids_at(self, uri: &str, retry: RetryPolicy) -> Result<Vec<String>, Error>;
}

impl Fixtures for Kind {
    fn list(self) -> &'static FakeList {
        self.fake()
            .walked()
            .unwrap_or_else(|| panic!("{self}: no list operation"))
    }

    fn path(self) -> String {
        filled(self, self.list().path)
    }

    fn walked_paths(self) -> Vec<String> {
        let mut paths: Vec<String> = Vec::new();
        for (list, _) in self.fake().shares(0) {
            let path = filled(self, list.path);
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        paths
    }

    fn operation(self) -> &'static str {
        self.list().operation
    }

    /// Built from the spec's sample page and record, as the kit's fake builds its pages:
    /// distinct ids, and nothing that says another page follows.
    fn last_page(self, n: i64) -> Value {
        let list = self.list();
        let mut page: Value = serde_json::from_str(list.page).expect("the sample page is JSON");
        let item: Value = serde_json::from_str(list.item).expect("the sample record is JSON");
        let records: Vec<Value> = (1..=n)
            .map(|i| {
                let mut record = item.clone();
                let user = match list.record {
                    Some(at) => record.pointer_mut(at).expect("the record holds a user"),
                    None => &mut record,
                };
                if let Some(id) = user.pointer_mut(list.id).filter(|_| !list.id.is_empty()) {
                    *id = match &*id {
                        Value::String(text)
                            if text.len() == 36 && text.matches('-').count() == 4 =>
                        {
                            json!(format!("00000000-0000-4000-8000-{i:012x}"))
                        }
                        Value::String(_) => json!(i.to_string()),
                        _ => json!(i),
                    };
                }
                record
            })
            .collect();
        *page
            .pointer_mut(list.items)
            .expect("the sample page holds the records") = Value::Array(records);
        if let Some(more) = list.has_more.and_then(|at| page.pointer_mut(at)) {
            *more = json!(false);
        }
        if let Some(total) = list.total.and_then(|at| page.pointer_mut(at)) {
            *total = json!(n);
        }
        for (at, nullable) in [
            (list.next_cursor, list.cursor_nullable),
            (list.next_link, list.link_nullable),
        ] {
            let Some((parent, key)) = at.and_then(|at| at.rsplit_once('/')) else {
                continue;
            };
            if let Some(Value::Object(parent)) = page.pointer_mut(parent) {
                if at == list.next_cursor && list.cursor_empty_at_end {
                    parent.insert(key.to_owned(), json!(""));
                } else if nullable {
                    parent.insert(key.to_owned(), Value::Null);
                } else {
                    parent.remove(key);
                }
            }
        }
        page
    }

    async fn all_ids(self, server: &MockServer) -> Result<Vec<String>, Error> {
        self.all_ids_with(server, fast_retry()).await
    }

    async fn all_ids_with(
        self,
        server: &MockServer,
        retry: RetryPolicy,
    ) -> Result<Vec<String>, Error> {
        self.all_ids_at(&server.uri(), retry).await
    }

    async fn all_ids_at(self, uri: &str, retry: RetryPolicy) -> Result<Vec<String>, Error> {
        let mut options = rollcall::ClientOptions::default();
        options.base_url = Some(uri.to_owned());
        options.retry = Some(retry);
        let client = self.connect(&test_env(self), &options)?;
        let users: Vec<Value> = client.all_users_json().try_collect().await?;
        let id = self.list().id;
        Ok(users
            .iter()
            .map(|user| match user.pointer(id) {
                Some(Value::String(id)) => id.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            })
            .collect())
    }
}
