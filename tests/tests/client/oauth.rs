//! OAuth 2.0 client credentials, through the fake of every provider whose first way to
//! authenticate has a token URL: the token is asked of the token URL (moved to the fake by the
//! authority host variable), kept while it lives, renewed when it expires or is refused as
//! expired, and the token URL's refusal is one line that never holds the secret. Nothing here
//! names a provider.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::TryStreamExt as _;
use rollcall::testing::FakeAuth as Sends;
use rollcall::testing::{FakeProvider, Fault};
use rollcall::{ClientOptions, Error, ErrorKind, PagingError, Provider, Role};
use serde_json::Value;
use wiremock::MockServer;

use crate::common::fast_retry;

/// Small pages, so that a few dozen users make several.
const PAGE: u32 = 10;

/// The providers whose default client obtains its token with client credentials.
fn with_token_url() -> Vec<Provider> {
    let providers: Vec<Provider> = Provider::ALL
        .iter()
        .copied()
        .filter(|p| {
            p.info()
                .schemes
                .first()
                .is_some_and(|s| matches!(s.sends, Sends::ClientCredentials { .. }))
        })
        .collect();
    assert!(!providers.is_empty(), "some provider has a token URL");
    providers
}

fn options(fake: &FakeProvider) -> ClientOptions {
    let mut options = fake.options();
    options.retry = Some(fast_retry());
    options.rate_limit = Some(None);
    options.page_size = Some(PAGE);
    options
}

/// Every user a walk yields (as JSON) and the error that ended it, with `env` for variables.
async fn walk_with(
    fake: &FakeProvider,
    env: &BTreeMap<String, String>,
) -> (Vec<Value>, Option<Error>) {
    let connect = fake.spec().connect;
    let client = match connect(&|name: &str| env.get(name).cloned(), &options(fake)) {
        Ok(client) => client,
        Err(error) => return (Vec::new(), Some(error)),
    };
    let mut stream = client.all_users_json();
    let mut users = Vec::new();
    let error = loop {
        match stream.try_next().await {
            Ok(Some(user)) => users.push(user),
            Ok(None) => break None,
            Err(error) => break Some(error),
        }
    };
    (users, error)
}

fn ids(fake: &FakeProvider, users: &[Value]) -> BTreeSet<String> {
    let at = fake.spec().walked().expect("a list").id;
    users
        .iter()
        .map(|u| u.pointer(at).map(Value::to_string).unwrap_or_default())
        .collect()
}

/// The variable of the provider's client secret.
fn secret_var(provider: Provider) -> &'static str {
    provider.info().schemes[0]
        .vars
        .iter()
        .find(|v| v.role == Role::Secret)
        .expect("a secret")
        .name
}

#[tokio::test]
async fn one_token_serves_the_whole_walk_and_every_user_comes_once() {
    for provider in with_token_url() {
        let fake = FakeProvider::start(provider).users(25).await;
        let (users, error) = walk_with(&fake, fake.env()).await;
        assert!(error.is_none(), "{provider}: {error:?}");
        assert_eq!(users.len(), 25, "{provider}");
        assert_eq!(ids(&fake, &users).len(), 25, "{provider}: every user once");
        let tokens = fake.token_requests().await;
        assert_eq!(tokens.len(), 1, "{provider}: the token is kept");
        let token = &tokens[0];
        assert_eq!(
            token.form("grant_type").as_deref(),
            Some("client_credentials")
        );
        assert!(token.form("scope").is_some_and(|s| !s.is_empty()));
        assert!(token.form("client_id").is_some_and(|s| !s.is_empty()));
        let pages = fake.requests().await;
        assert_eq!(
            pages.len(),
            3,
            "{provider}: pages of {PAGE} by the next link"
        );
        for page in &pages {
            let auth = page.header("authorization").unwrap_or_default();
            assert!(auth.starts_with("Bearer fake-access-token-"), "{auth}");
        }
        // The next link's position is followed with the request's own parameters.
        let list = fake.spec().walked().expect("a list");
        let cursor = list.cursor_param.expect("a cursor parameter");
        assert!(pages[0].query(cursor).is_none());
        for page in &pages[1..] {
            assert!(page.query(cursor).is_some(), "{provider}: {}", page.url);
            for (name, value) in list.fixed {
                assert_eq!(page.query(name).as_deref(), Some(*value), "{provider}");
            }
        }
    }
}

#[tokio::test]
async fn a_token_refused_as_expired_is_renewed_once_mid_walk() {
    for provider in with_token_url() {
        let fake = FakeProvider::start(provider)
            .users(25)
            .fault(Fault::TokenExpiresMidWalk)
            .await;
        let (users, error) = walk_with(&fake, fake.env()).await;
        assert!(error.is_none(), "{provider}: {error:?}");
        assert_eq!(ids(&fake, &users).len(), 25, "{provider}: every user once");
        assert_eq!(users.len(), 25, "{provider}");
        assert_eq!(
            fake.token_requests().await.len(),
            2,
            "{provider}: one renewal"
        );
        // The second page was refused once, then sent again with the new token.
        let pages = fake.requests().await;
        assert_eq!(pages.len(), 4, "{provider}");
        assert_eq!(
            pages[2].header("authorization"),
            Some("Bearer fake-access-token-2")
        );
    }
}

#[tokio::test]
async fn a_token_is_renewed_before_it_expires() {
    for provider in with_token_url() {
        // Tokens of one second are renewed after half of it; pages that take 600 ms each
        // outlive one.
        let fake = FakeProvider::start(provider)
            .users(25)
            .token_lifetime(Duration::from_secs(1))
            .fault(Fault::Slow(Duration::from_millis(600)))
            .await;
        let (users, error) = walk_with(&fake, fake.env()).await;
        assert!(error.is_none(), "{provider}: {error:?}");
        assert_eq!(ids(&fake, &users).len(), 25, "{provider}");
        assert!(
            fake.token_requests().await.len() >= 2,
            "{provider}: renewed ahead"
        );
        assert_eq!(
            fake.requests().await.len(),
            3,
            "{provider}: no request was refused"
        );
    }
}

#[tokio::test]
async fn a_wrong_client_secret_is_one_line_with_the_token_urls_message() {
    for provider in with_token_url() {
        let fake = FakeProvider::start(provider).users(5).await;
        let mut env = fake.env().clone();
        let wrong = "wrong-secret-9f8e7d6c5b4a";
        env.insert(secret_var(provider).to_owned(), wrong.to_owned());
        let (users, error) = walk_with(&fake, &env).await;
        assert!(users.is_empty(), "{provider}");
        let error = error.expect("an error");
        let line = error.to_string();
        assert!(matches!(error.kind(), ErrorKind::Token(_)), "{line}");
        assert!(line.starts_with(provider.name()), "{line}");
        assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
        assert!(!line.contains(wrong), "{line}");
        assert!(!format!("{error:?}").contains(wrong), "{error:?}");
        // The token URL's own description (its first line) and error code.
        let refusal: Value = serde_json::from_str(fake.spec().token_refusal).unwrap_or(Value::Null);
        if let Some(description) = refusal["error_description"].as_str() {
            let first = description.lines().next().unwrap_or_default();
            assert!(line.contains(first), "{line}");
        }
        if let Some(code) = refusal["error"].as_str() {
            assert!(line.contains(&format!("(code {code})")), "{line}");
        }
        assert!(
            fake.requests().await.is_empty(),
            "{provider}: no API request"
        );
        assert_eq!(fake.token_requests().await.len(), 1, "{provider}");
    }
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused_and_the_token_not_sent_there() {
    for provider in with_token_url() {
        let foreign = MockServer::builder().start().await;
        let fake = FakeProvider::start(provider)
            .users(25)
            .fault(Fault::ForeignNextLink)
            .foreign_origin(foreign.uri())
            .await;
        let (users, error) = walk_with(&fake, fake.env()).await;
        let error = error.expect("an error");
        assert!(
            matches!(
                error.kind(),
                ErrorKind::Paging(PagingError::ForeignLink { .. })
            ),
            "{provider}: {error}"
        );
        assert_eq!(
            users.len(),
            PAGE as usize,
            "{provider}: the first page's users"
        );
        let received = foreign.received_requests().await.unwrap_or_default();
        assert!(received.is_empty(), "{provider}: sent to the other host");
        assert_eq!(fake.requests().await.len(), 1, "{provider}");
    }
}

#[tokio::test]
async fn rate_limited_once_is_waited_out_with_the_same_token() {
    for provider in with_token_url() {
        let fake = FakeProvider::start(provider)
            .users(25)
            .fault(Fault::RateLimitedOnce)
            .await;
        let (users, error) = walk_with(&fake, fake.env()).await;
        assert!(error.is_none(), "{provider}: {error:?}");
        assert_eq!(ids(&fake, &users).len(), 25, "{provider}");
        assert_eq!(fake.requests().await.len(), 4, "{provider}: one retry");
        assert_eq!(fake.token_requests().await.len(), 1, "{provider}");
    }
}

#[tokio::test]
async fn a_token_url_moved_to_a_bad_authority_host_is_a_build_error() {
    for provider in with_token_url() {
        let fake = FakeProvider::start(provider).users(1).await;
        let mut env = fake.env().clone();
        for var in provider.info().schemes[0].vars {
            if var.role == Role::Authority {
                env.insert(var.name.to_owned(), "ftp://nowhere".to_owned());
            }
        }
        let (_, error) = walk_with(&fake, &env).await;
        let error = error.expect("an error");
        assert!(matches!(error.kind(), ErrorKind::Config(_)), "{error}");
        assert!(error.to_string().contains("ftp://nowhere"), "{error}");
    }
}
