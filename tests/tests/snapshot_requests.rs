//! The exact requests the generated clients send, captured by a real HTTP server on loopback.
//!
//! Each test starts a wiremock server that answers any request with a minimal valid body, makes
//! one representative call through the generated client, checks that the call succeeded, and
//! snapshots what the server received: method, path, the raw query string (as encoded on the
//! wire), the decoded query parameters in order, and every header. The loopback port and the crate
//! version in `User-Agent` change from run to run or release to release and are redacted.
//!
//! Clients are built with the providers' own constructors and fake credentials, so each snapshot
//! also shows how the credentials travel (`Authorization` header or Worksection's query hash) and
//! which default headers the hand-written layer adds.

use std::fmt::Debug;
use std::future::Future;

use serde::Serialize;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// What the server saw of one request.
#[derive(Serialize)]
struct Captured {
    method: String,
    path: String,
    /// The query string exactly as sent (percent-encoding included), or `~` when there is none.
    query: Option<String>,
    /// The query parameters decoded, in order, as `name=value`.
    params: Vec<String>,
    /// Header names (lower-case) and values; repeated headers joined with `, `.
    headers: std::collections::BTreeMap<String, String>,
    /// The body as text, when there is one.
    body: Option<String>,
}

/// Starts a server answering `200` with `body`, runs `call` against its base URL, and returns
/// the one request the server received.
async fn capture<F, Fut, T, E>(body: Value, call: F) -> Captured
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Debug,
{
    let server = MockServer::builder().start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    if let Err(error) = call(server.uri()).await {
        panic!("the call failed against a server answering a valid body: {error:?}");
    }
    let mut requests = server
        .received_requests()
        .await
        .expect("request recording is on");
    assert_eq!(requests.len(), 1, "one call sends one request");
    describe(requests.remove(0))
}

/// What the server saw of `request`.
fn describe(request: wiremock::Request) -> Captured {
    let mut headers = std::collections::BTreeMap::new();
    for name in request.headers.keys() {
        let values: Vec<String> = request
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        headers.insert(name.as_str().to_owned(), values.join(", "));
    }
    Captured {
        method: request.method.to_string(),
        path: request.url.path().to_owned(),
        query: request.url.query().map(str::to_owned),
        params: request
            .url
            .query_pairs()
            .map(|(name, value)| format!("{name}={value}"))
            .collect(),
        headers,
        body: (!request.body.is_empty())
            .then(|| String::from_utf8_lossy(&request.body).into_owned()),
    }
}

/// Asserts a captured request, redacting the loopback port and the crate version.
macro_rules! assert_request {
    ($name:expr, $captured:expr) => {
        insta::assert_yaml_snapshot!($name, $captured, {
            ".headers.host" => insta::dynamic_redaction(|value, _| {
                let host = value.as_str().unwrap_or_default().to_owned();
                assert!(host.starts_with("127.0.0.1:"), "request went to {host}, not loopback");
                "127.0.0.1:[port]"
            }),
            ".headers[\"user-agent\"]" => insta::dynamic_redaction(|value, _| {
                let agent = value.as_str().unwrap_or_default().to_owned();
                assert!(agent.starts_with("rollcall/"), "unexpected User-Agent {agent}");
                "rollcall/[version]"
            }),
        });
    };
}

#[tokio::test]
async fn zendesk_sell_list_users() {
    use rollcall::zendesk_sell::{Client, types};
    let captured = capture(json!({ "items": [] }), |uri| async move {
        let client = Client::with_token("fake-sell-token")
            .base_url(uri)
            .build()
            .expect("a valid client");
        client
            .list_users()
            .sort_by(types::ListUsersSortBy::NameDesc)
            .ids("1,2,3")
            .role(types::ListUsersRole::Admin)
            .status(types::ListUsersStatus::Active)
            .per_page(100u64)
            .page(2u64)
            .send()
            .await
    })
    .await;
    assert_request!("zendesk_sell-list_users", captured);
}

#[tokio::test]
async fn zendesk_sell_get_user() {
    use rollcall::zendesk_sell::Client;
    let body = json!({ "data": { "id": 42, "name": "Ada Lovelace" }, "meta": { "type": "user" } });
    let captured = capture(body, |uri| async move {
        let client = Client::with_token("fake-sell-token")
            .base_url(uri)
            .build()
            .expect("a valid client");
        client.get_user().id(42).send().await
    })
    .await;
    assert_request!("zendesk_sell-get_user", captured);
}

#[tokio::test]
async fn zendesk_sell_get_self_user() {
    use rollcall::zendesk_sell::Client;
    let body = json!({ "data": { "id": 7, "name": "Token Owner" } });
    let captured = capture(body, |uri| async move {
        let client = Client::with_token("fake-sell-token")
            .base_url(uri)
            .build()
            .expect("a valid client");
        client.get_self_user().send().await
    })
    .await;
    assert_request!("zendesk_sell-get_self_user", captured);
}

#[tokio::test]
async fn zendesk_support_list_users_cursor() {
    use rollcall::zendesk_support::{Client, types};
    let captured = capture(json!({ "users": [] }), |uri| async move {
        let client = Client::with_api_token("example", "agent@example.com", "fake-api-token")
            .base_url(uri)
            .build()
            .expect("a valid client");
        client
            .list_users()
            .role(vec![
                types::ListUsersRoleItem::Agent,
                types::ListUsersRoleItem::Admin,
            ])
            .page_size(100u64)
            .page_after("aCNhZnRlciMxMzk4NDcxNjQz")
            .include_boundary_indicators(true)
            .send()
            .await
    })
    .await;
    assert_request!("zendesk_support-list_users_cursor", captured);
}

#[tokio::test]
async fn zendesk_support_list_users_offset() {
    use rollcall::zendesk_support::Client;
    let captured = capture(json!({ "users": [], "count": 0 }), |uri| async move {
        let client = Client::with_oauth_token("example", "fake-oauth-token")
            .base_url(uri)
            .build()
            .expect("a valid client");
        client
            .list_users()
            .page(3u64)
            .per_page(50u64)
            .sort("-created_at")
            .permission_set(12345)
            .send()
            .await
    })
    .await;
    assert_request!("zendesk_support-list_users_offset", captured);
}

#[tokio::test]
async fn sequence_list_users() {
    use rollcall::sequence::{Client, Region, types};
    let captured = capture(json!({ "items": [] }), |uri| async move {
        let client =
            Client::with_credentials(Region::Sandbox, "fake-client-id", "fake-client-secret")
                .base_url(uri)
                .build()
                .expect("a valid client");
        client
            .list_users()
            .limit(100u64)
            .after(
                "ZTMwOWU5NDgtMDg4ZS00ZDc3LWI2NTQtY2Q4NTQ5OGYxNTU1IzE2NTgyNjA4NTYwMzMwMTMjREVTQw==",
            )
            .sequence_version(types::ListUsersSequenceVersion::X20240730)
            .send()
            .await
    })
    .await;
    assert_request!("sequence-list_users", captured);
}

#[tokio::test]
async fn worksection_get_users() {
    use rollcall::worksection::{Client, types};
    let captured = capture(json!({ "status": "ok", "data": [] }), |uri| async move {
        let client = Client::with_admin_key("example", "fake-admin-api-key")
            .base_url(uri)
            .build()
            .expect("a valid client");
        client
            .get_users()
            .action(types::GetUsersAction::GetUsers)
            .send()
            .await
    })
    .await;
    assert_request!("worksection-get_users", captured);
}

#[tokio::test]
async fn worksection_get_users_oauth2() {
    use rollcall::worksection::{Client, types};
    let captured = capture(json!({ "status": "ok", "data": [] }), |uri| async move {
        let client = Client::with_oauth_token("example", "fake-oauth-token")
            .base_url(uri)
            .build()
            .expect("a valid client");
        client
            .get_users_oauth2()
            .action(types::GetUsersOauth2Action::GetUsers)
            .send()
            .await
    })
    .await;
    assert_request!("worksection-get_users_oauth2", captured);
}

#[tokio::test]
async fn sequence_list_users_default_version() {
    use rollcall::sequence::{Client, Region};
    let captured = capture(json!({ "items": [] }), |uri| async move {
        let client =
            Client::with_credentials(Region::Sandbox, "fake-client-id", "fake-client-secret")
                .base_url(uri)
                .build()
                .expect("a valid client");
        client.list_users().send().await
    })
    .await;
    assert_request!("sequence-list_users_default_version", captured);
}

/// The first request of a walk of every provider in the registry, once per way to
/// authenticate, with fake credentials from the variables `connect` reads: a provider added by
/// its spec gets its snapshots here without a line of test code.
#[tokio::test]
async fn every_provider_and_scheme_through_the_registry() {
    for provider in rollcall::Provider::ALL.iter().copied() {
        for (scheme, vars) in provider.env_vars().iter().enumerate() {
            let server = MockServer::builder().start().await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
                .mount(&server)
                .await;
            // A scheme with a token URL gets its token from a server of its own, so that
            // `server` sees only the API's request.
            let tokens = MockServer::builder().start().await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "token_type": "Bearer", "expires_in": 3600, "access_token": "fake-access-token"
                })))
                .mount(&tokens)
                .await;
            let authority: Vec<&str> = provider.info().schemes[scheme]
                .vars
                .iter()
                .filter(|v| v.role == rollcall::Role::Authority)
                .map(|v| v.name)
                .collect();
            let env = |name: &str| {
                if authority.contains(&name) {
                    return Some(tokens.uri());
                }
                vars.contains(&name)
                    .then(|| format!("fake-{}", name.to_ascii_lowercase().replace('_', "-")))
            };
            let mut options = rollcall::ClientOptions::default();
            options.base_url = Some(server.uri());
            options.retry = Some(rollcall::RetryPolicy::none());
            let client = provider
                .connect(&env, &options)
                .unwrap_or_else(|e| panic!("{provider} scheme {scheme}: {e}"));
            // `{}` is not a page of any provider: the walk ends in an error after one request,
            // which is all this test looks at.
            let mut users = client.all_users_json();
            let _ = futures::StreamExt::next(&mut users).await;
            let requests = server.received_requests().await.expect("recording is on");
            assert_eq!(requests.len(), 1, "{provider} scheme {scheme}");
            let captured = describe(requests.into_iter().next().unwrap());
            assert_request!(format!("registry-{provider}-{scheme}"), captured);
        }
    }
}
