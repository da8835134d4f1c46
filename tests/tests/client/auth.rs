//! Credentials go out exactly as each provider documents them, the common headers are set, and
//! no secret ever shows in `Debug` output or an error message.

use super::common::*;
use futures::TryStreamExt as _;
use rollcall::ClientInfo as _;
use rollcall::{ErrorKind, worksection, zendesk_sell, zendesk_support};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Mounts `body` for `GET path` and returns the one request the client then sends.
async fn only_request(server: &MockServer) -> wiremock::Request {
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request");
    requests.into_iter().next().unwrap()
}

async fn serve(server: &MockServer, kind: Kind) {
    Mock::given(method("GET"))
        .and(path(kind.path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(kind.last_page(2)))
        .mount(server)
        .await;
}

fn assert_common_headers(request: &wiremock::Request) {
    let user_agent = format!("rollcall/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(request.headers["user-agent"], user_agent.as_str());
    assert_eq!(request.headers["accept"], "application/json");
    assert!(
        !request.headers.contains_key("api-version"),
        "progenitor's api-version header is stripped"
    );
}

#[tokio::test]
async fn sell_sends_a_bearer_token() {
    let server = MockServer::builder().start().await;
    serve(&server, Kind::ZendeskSell).await;
    let users: Vec<_> = sell(&server).all_users().try_collect().await.unwrap();
    assert_eq!(users.len(), 2);
    let request = only_request(&server).await;
    assert_eq!(
        request.headers["authorization"],
        format!("Bearer {SELL_TOKEN}").as_str()
    );
    assert_common_headers(&request);
}

#[tokio::test]
async fn support_api_token_is_basic_auth_of_email_slash_token() {
    let server = MockServer::builder().start().await;
    serve(&server, Kind::ZendeskSupport).await;
    let users: Vec<_> = support(&server).all_users().try_collect().await.unwrap();
    assert_eq!(users.len(), 2);
    let request = only_request(&server).await;
    // base64("admin@acme.example/token:zd-api-token-123"), computed outside Rust.
    assert_eq!(
        request.headers["authorization"],
        "Basic YWRtaW5AYWNtZS5leGFtcGxlL3Rva2VuOnpkLWFwaS10b2tlbi0xMjM="
    );
    assert_common_headers(&request);
}

#[tokio::test]
async fn support_oauth_sends_a_bearer_token() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(Kind::ZendeskSupport.path()))
        .and(header(
            "authorization",
            format!("Bearer {SUPPORT_OAUTH_TOKEN}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(Kind::ZendeskSupport.last_page(1)))
        .expect(1)
        .mount(&server)
        .await;
    let client = zendesk_support::Client::with_oauth_token("acme", SUPPORT_OAUTH_TOKEN)
        .base_url(server.uri())
        .build()
        .unwrap();
    let users: Vec<_> = client.all_users().try_collect().await.unwrap();
    assert_eq!(users.len(), 1);
}

#[tokio::test]
async fn sequence_sends_basic_client_credentials_and_the_api_version() {
    let server = MockServer::builder().start().await;
    serve(&server, Kind::Sequence).await;
    let users: Vec<_> = sequence(&server).all_users().try_collect().await.unwrap();
    assert_eq!(users.len(), 2);
    let request = only_request(&server).await;
    // base64("seq-client-id:seq-client-secret-456"), computed outside Rust.
    assert_eq!(
        request.headers["authorization"],
        "Basic c2VxLWNsaWVudC1pZDpzZXEtY2xpZW50LXNlY3JldC00NTY="
    );
    assert_eq!(request.headers["sequence-version"], "2024-07-30");
    assert_common_headers(&request);
}

#[tokio::test]
async fn sequence_version_set_on_a_request_is_not_overridden() {
    let server = MockServer::builder().start().await;
    serve(&server, Kind::Sequence).await;
    let client = sequence(&server);
    let request = client.list_users().sequence_version("2024-07-30");
    client.call(request.send()).await.unwrap();
    let request = only_request(&server).await;
    let versions: Vec<_> = request.headers.get_all("sequence-version").iter().collect();
    assert_eq!(versions, ["2024-07-30"]);
}

#[tokio::test]
async fn worksection_admin_requests_carry_the_md5_hash_last() {
    let server = MockServer::builder().start().await;
    serve(&server, Kind::Worksection).await;
    let users: Vec<_> = worksection(&server)
        .all_users()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 2);
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), Kind::Worksection.path());
    assert_eq!(
        request.url.query(),
        Some(format!("action=get_users&hash={WORKSECTION_HASH}").as_str())
    );
    assert!(!request.headers.contains_key("authorization"));
    assert_common_headers(&request);
}

#[tokio::test]
async fn worksection_oauth_uses_the_oauth_path_and_a_bearer_token() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/api/oauth2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(worksection_envelope(1, 3)))
        .mount(&server)
        .await;
    let users: Vec<_> = worksection_oauth(&server)
        .all_users()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 3);
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), Some("action=get_users"));
    assert_eq!(
        request.headers["authorization"],
        format!("Bearer {WORKSECTION_OAUTH_TOKEN}").as_str()
    );
}

#[test]
fn worksection_hash_matches_the_documented_test_vector() {
    assert_eq!(
        rollcall::query_md5_hash(
            "action=get_tasks&id_project=26",
            "7776461cd931e7b1c8e9632ff8e979ce"
        ),
        "ec3ab2c28f21b4a07424f8ed688d6644"
    );
    assert_eq!(
        rollcall::query_md5_hash("action=get_users", WORKSECTION_KEY),
        WORKSECTION_HASH
    );
}

#[test]
fn constructors_point_at_the_providers_hosts() {
    let sell = zendesk_sell::Client::with_token("t").build().unwrap();
    assert_eq!(sell.baseurl(), "https://api.getbase.com");
    let support = zendesk_support::Client::with_oauth_token("acme", "t")
        .build()
        .unwrap();
    assert_eq!(support.baseurl(), "https://acme.zendesk.com");
    let sandbox = rollcall::sequence::Client::with_credentials(
        rollcall::sequence::Region::Sandbox,
        "id",
        "secret",
    )
    .build()
    .unwrap();
    assert_eq!(sandbox.baseurl(), "https://sandbox.sequencehq.com/api");
    let production = rollcall::sequence::Client::with_credentials(
        rollcall::sequence::Region::Production,
        "id",
        "secret",
    )
    .build()
    .unwrap();
    assert_eq!(production.baseurl(), "https://eu.sequencehq.com/api");
    let ws = worksection::Client::with_admin_key("acme", "k")
        .build()
        .unwrap();
    assert_eq!(ws.baseurl(), "https://acme.worksection.com");
    let overridden = zendesk_sell::Client::with_token("t")
        .base_url("http://127.0.0.1:9/prefix/")
        .build()
        .unwrap();
    assert_eq!(overridden.baseurl(), "http://127.0.0.1:9/prefix");
}

#[test]
fn bad_configuration_is_refused_at_build() {
    let config_error = |result: Result<(), rollcall::Error>| match result {
        Err(error) => {
            assert!(matches!(error.kind(), ErrorKind::Config(_)), "{error:?}");
            error.to_string()
        }
        Ok(()) => panic!("expected a configuration error"),
    };
    let message = config_error(
        zendesk_support::Client::with_api_token("acme.zendesk.com", "a@b.c", "t")
            .build()
            .map(drop),
    );
    assert_eq!(
        message,
        "zendesk-support build: invalid configuration: subdomain `acme.zendesk.com` is not a valid host name label"
    );
    config_error(
        worksection::Client::with_admin_key("", "k")
            .build()
            .map(drop),
    );
    config_error(zendesk_sell::Client::with_token("").build().map(drop));
    config_error(
        zendesk_sell::Client::with_token("t")
            .base_url("ftp://example.com")
            .build()
            .map(drop),
    );
    config_error(
        zendesk_sell::Client::with_token("t")
            .base_url("not a url")
            .build()
            .map(drop),
    );
    let message = config_error(
        zendesk_sell::Client::with_token("t")
            .page_size(101)
            .build()
            .map(drop),
    );
    assert!(
        message.ends_with("page size 101 is outside 1..=100"),
        "{message}"
    );
    config_error(
        zendesk_sell::Client::with_token("t")
            .page_size(0)
            .build()
            .map(drop),
    );
    config_error(
        zendesk_sell::Client::with_token("t")
            .max_pages(0)
            .build()
            .map(drop),
    );
}

#[test]
fn secrets_never_show_in_debug_output() {
    let secrets = [
        SELL_TOKEN,
        SUPPORT_TOKEN,
        SEQUENCE_SECRET,
        WORKSECTION_KEY,
        WORKSECTION_OAUTH_TOKEN,
    ];
    let dumps = [
        format!("{:?}", zendesk_sell::Client::with_token(SELL_TOKEN)),
        format!(
            "{:?}",
            zendesk_sell::Client::with_token(SELL_TOKEN)
                .build()
                .unwrap()
        ),
        format!(
            "{:?}",
            zendesk_support::Client::with_api_token("acme", SUPPORT_EMAIL, SUPPORT_TOKEN)
                .build()
                .unwrap()
        ),
        format!(
            "{:?}",
            rollcall::sequence::Client::with_credentials(
                rollcall::sequence::Region::Production,
                SEQUENCE_ID,
                SEQUENCE_SECRET
            )
            .build()
            .unwrap()
        ),
        format!(
            "{:?}",
            worksection::Client::with_admin_key("acme", WORKSECTION_KEY)
                .build()
                .unwrap()
        ),
        format!(
            "{:#?}",
            worksection::Client::with_oauth_token("acme", WORKSECTION_OAUTH_TOKEN)
        ),
        format!("{:?}", rollcall::Secret::from(SELL_TOKEN)),
    ];
    for dump in &dumps {
        assert!(dump.contains("[redacted]"), "{dump}");
        for secret in secrets {
            assert!(!dump.contains(secret), "{secret} leaked into {dump}");
        }
    }
}

#[tokio::test]
async fn secrets_never_show_in_error_messages() {
    // An error answer that echoes the request headers back.
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(|request: &wiremock::Request| {
            ResponseTemplate::new(401)
                .insert_header("x-request-id", "req-1")
                .set_body_json(serde_json::json!({"error": "Couldn't authenticate you"}))
                .append_header(
                    "x-echo",
                    request
                        .headers
                        .get("authorization")
                        .map(|v| v.to_str().unwrap().to_owned())
                        .unwrap_or_default()
                        .as_str(),
                )
        })
        .mount(&server)
        .await;
    let error = support(&server)
        .all_users()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let text = format!("{error} {error:?} {error:#?}");
    assert!(!text.contains(SUPPORT_TOKEN), "{text}");
    assert!(
        !text.contains("YWRtaW5A"),
        "the basic credentials leaked: {text}"
    );

    // A transport error for a signed Worksection request: reqwest would name the URL, which
    // holds the hash.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let client = worksection::Client::with_admin_key("acme", WORKSECTION_KEY)
        .base_url(format!("http://{closed}"))
        .retry(rollcall::RetryPolicy::none())
        .build()
        .unwrap();
    let error = client
        .all_users()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Transport { .. }),
        "{error:?}"
    );
    let text = format!("{error} {error:?}");
    for secret in [WORKSECTION_KEY, WORKSECTION_HASH, "hash="] {
        assert!(!text.contains(secret), "{secret} leaked into {text}");
    }
}
