//! The test kit (`rollcall::testing`), through its public API: the fake of every provider in the
//! registry, alone and with every fault that applies to it, walked by the provider's own client.
//! Nothing here names a provider: a provider added by its spec is covered as it is.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use rollcall::testing::{FakeProvider, FakeStyle, Fault, UNKNOWN_ENUM_VALUE};
use rollcall::{Error, ErrorKind, PagingError, Provider, Stop, WalkReport};
use serde_json::Value;

use crate::common::fast_retry;

/// The page size the walks ask for, so that a few dozen users make several pages.
const PAGE: u32 = 10;

/// Every user a walk of the fake yields, the error that ended it, and its report; fast retries,
/// no client-side pacing.
async fn walk(fake: &FakeProvider) -> (Vec<Value>, Option<Error>, WalkReport) {
    let mut options = fake.options();
    options.retry = Some(fast_retry());
    options.rate_limit = Some(None);
    options.page_size = Some(PAGE);
    let client = fake
        .client_with(options)
        .expect("the fake's variables connect");
    let mut stream = client.all_users_json();
    let report = stream.report();
    let mut users = Vec::new();
    let error = loop {
        match stream.try_next().await {
            Ok(Some(user)) => users.push(user),
            Ok(None) => break None,
            Err(error) => break Some(error),
        }
    };
    drop(stream);
    (users, error, report.get())
}

fn id_of(fake: &FakeProvider, user: &Value) -> String {
    let at = fake.spec().walked().expect("a list").id;
    match user.pointer(at) {
        Some(Value::String(id)) => id.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// The providers a fault applies to.
fn applicable(fault: Fault) -> impl Iterator<Item = Provider> {
    Provider::ALL
        .iter()
        .copied()
        .filter(move |p| fault.applies_to(p.fake()))
}

/// How many users a page holds before the last (fewer than asked where pages come short).
fn per_page(fake: &FakeProvider) -> usize {
    fake.spec()
        .walked()
        .expect("a list")
        .per_page(PAGE as usize)
}

/// How many pages a walk of `n` users takes with the provider's paging, the empty page that
/// ends it included where only an empty page can; for a union of walks, every walk's pages.
fn pages(fake: &FakeProvider, n: usize) -> usize {
    fake.spec()
        .shares(n)
        .into_iter()
        .map(|(list, count)| match list.style {
            FakeStyle::None => 1,
            _ => {
                count.div_ceil(list.per_page(PAGE as usize)).max(1)
                    + usize::from(list.ends_on_empty_page())
            }
        })
        .sum()
}

/// How many users a fake must serve for the first walk of its client to list `n` (more than
/// `n` where the account list is the union of several walks, each listing a share).
fn users_for(provider: Provider, n: usize) -> usize {
    let spec = provider.fake();
    (n..)
        .find(|m| spec.shares(*m).first().is_none_or(|(_, count)| *count >= n))
        .unwrap_or(n)
}

/// How a clean walk of the provider's fake stops.
fn clean_stop(fake: &FakeProvider) -> Stop {
    if fake.spec().walked().expect("a list").ends_on_empty_page() {
        Stop::EmptyPage
    } else {
        Stop::LastPage
    }
}

/// Asserts that a walk needing `needed` requests sent them: exactly, one after the other
/// (cursors, one response); up to `page_concurrency - 1` more for numbered pages and offsets,
/// requested ahead and dropped unread past the last.
fn assert_requests(fake: &FakeProvider, sent: usize, needed: usize, what: &str) {
    match fake.spec().walked().expect("a list").style {
        FakeStyle::Page | FakeStyle::Offset => assert!(
            (needed..needed + rollcall::DEFAULT_PAGE_CONCURRENCY).contains(&sent),
            "{what}: {sent} requests for {needed}"
        ),
        _ => assert_eq!(sent, needed, "{what}"),
    }
}

/// The error names the provider and the list operation.
fn assert_names(fake: &FakeProvider, error: &Error) {
    let spec = fake.spec();
    assert_eq!(error.provider(), spec.name(), "{error}");
    assert_eq!(
        error.operation(),
        spec.walked().expect("a list").operation,
        "{error}"
    );
    let line = error.to_string();
    assert!(line.starts_with(spec.name()), "{line}");
}

#[tokio::test]
async fn every_provider_serves_distinct_users_in_its_own_pages() {
    for provider in Provider::ALL.iter().copied() {
        let fake = FakeProvider::start(provider).users(25).await;
        let (users, error, report) = walk(&fake).await;
        assert!(error.is_none(), "{provider}: {error:?}");
        assert_eq!(users.len(), 25, "{provider}");
        let ids: BTreeSet<String> = users.iter().map(|u| id_of(&fake, u)).collect();
        assert_eq!(ids.len(), 25, "{provider}: ids are distinct");
        let account = &provider.info().account;
        let emails: BTreeSet<String> = users
            .iter()
            .filter_map(|u| u.pointer(account.email))
            .map(Value::to_string)
            .collect();
        assert!(
            emails.is_empty() || emails.len() == 25,
            "{provider}: emails"
        );
        let requests = fake.requests().await;
        assert_requests(
            &fake,
            requests.len(),
            pages(&fake, 25),
            &format!("{provider}: one request a page"),
        );
        assert_eq!(report.stop, Some(clean_stop(&fake)), "{provider}");
        // Every fixed parameter of the spec was sent.
        for (name, value) in fake.spec().walked().expect("a list").fixed {
            assert_eq!(
                requests[0].query(name).as_deref(),
                Some(*value),
                "{provider}"
            );
        }
    }
}

#[tokio::test]
async fn ids_keep_the_json_type_of_the_sample() {
    for provider in Provider::ALL.iter().copied() {
        let spec = provider.fake();
        let list = spec.walked().expect("a list");
        let item: Value = serde_json::from_str(list.item).expect("sample JSON");
        let user = list
            .record
            .map_or(&item, |r| item.pointer(r).expect("record"));
        let Some(sample) = user.pointer(list.id) else {
            continue;
        };
        let fake = FakeProvider::start(provider).users(3).await;
        let (users, _, _) = walk(&fake).await;
        for user in &users {
            let id = user.pointer(list.id).expect("an id");
            assert_eq!(id.is_string(), sample.is_string(), "{provider}: {id}");
        }
    }
}

#[tokio::test]
async fn wrong_credentials_are_refused_in_the_providers_shape() {
    for provider in Provider::ALL.iter().copied() {
        let fake = FakeProvider::start(provider).users(3).await;
        let hosts = provider.fake().hosts();
        // Where the token is asked for is not a credential.
        let authority: Vec<&str> = provider
            .info()
            .schemes
            .iter()
            .flat_map(|s| s.vars)
            .filter(|v| v.role == rollcall::Role::Authority)
            .map(|v| v.name)
            .collect();
        let wrong = |name: &str| {
            fake.env().get(name).map(|value| {
                if hosts.contains(&name) || authority.contains(&name) {
                    value.clone()
                } else {
                    format!("{value}-wrong")
                }
            })
        };
        let client = provider
            .connect(&wrong, &fake.options())
            .expect("variables are set");
        let error = client
            .all_users_json()
            .try_collect::<Vec<_>>()
            .await
            .expect_err("refused");
        assert_names(&fake, &error);
        // A scheme with a token URL is refused there, before the API is asked.
        if !fake.token_requests().await.is_empty() {
            assert!(matches!(error.kind(), ErrorKind::Token(_)), "{error}");
            assert!(fake.requests().await.is_empty(), "{provider}");
            continue;
        }
        let expected = match &provider.fake().envelope {
            Some(_) => 200,
            None => provider.fake().auth_error.status,
        };
        assert_eq!(
            error.status().map(|s| s.as_u16()),
            Some(expected),
            "{provider}: {error}"
        );
        // The fake sends a request id where the spec says the provider does.
        if !provider.info().errors.request_id_header.is_empty() {
            let id = error.api().and_then(|api| api.request_id.as_deref());
            assert!(id.is_some(), "{provider}: {error}");
        }
    }
}

#[tokio::test]
async fn rate_limited_once_is_retried_and_every_user_arrives() {
    // A refusal that means "slow down" without being 429 (a 403 with an empty budget, or
    // with a rate-limit reason) is waited out as a 429 without `Retry-After` is.
    for fault in [
        Fault::RateLimitedOnce,
        Fault::RateLimitedOnceWithoutRetryAfter,
        Fault::SlowDownOnce,
    ] {
        for provider in applicable(fault) {
            let fake = FakeProvider::start(provider).users(15).fault(fault).await;
            let started = Instant::now();
            let (users, error, report) = walk(&fake).await;
            let waited = started.elapsed();
            assert!(error.is_none(), "{provider} {fault}: {error:?}");
            // The fake asks for 1 s, which the test policy caps; without `Retry-After` the
            // client waits its own rate-limited wait. Either is far above the 1-4 ms backoff,
            // so waiting that long shows the header (or its absence) was read.
            let policy = fast_retry();
            let least = match fault {
                Fault::RateLimitedOnce => policy.max_retry_after(),
                _ => policy.rate_limited_wait(),
            };
            assert!(
                waited >= least && waited < Duration::from_secs(5),
                "{provider} {fault}: waited {waited:?}"
            );
            assert_eq!(users.len(), 15, "{provider} {fault}");
            assert_eq!(report.retries, 1, "{provider} {fault}");
            let requests = fake.requests().await;
            assert_requests(
                &fake,
                requests.len(),
                pages(&fake, 15) + 1,
                &format!("{provider} {fault}"),
            );
            assert_eq!(requests[0].url, requests[1].url, "the same request again");
        }
    }
}

#[tokio::test]
async fn server_errors_end_the_walk_with_a_typed_error_after_retries() {
    for provider in applicable(Fault::ServerError) {
        let fake = FakeProvider::start(provider)
            .users(5)
            .fault(Fault::ServerError)
            .await;
        let (users, error, _) = walk(&fake).await;
        assert!(users.is_empty(), "{provider}");
        let error = error.expect("an error");
        assert_names(&fake, &error);
        assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error}");
        assert!(
            error
                .to_string()
                .contains("503 Service Temporarily Unavailable"),
            "the HTML page's title: {error}"
        );
        // Retried up to the policy's last attempt, one request each, and the line says so.
        let attempts = fast_retry().max_attempts();
        assert!(attempts > 1);
        assert_eq!(
            error.api().map(|api| api.attempts),
            Some(attempts),
            "{error}"
        );
        assert_eq!(fake.requests().await.len(), attempts as usize, "{provider}");
        assert!(
            error
                .to_string()
                .ends_with(&format!("(gave up after {attempts} attempts)")),
            "{error}"
        );
    }
}

#[tokio::test]
async fn truncated_json_is_an_invalid_response() {
    for provider in applicable(Fault::TruncatedJson) {
        let fake = FakeProvider::start(provider)
            .users(5)
            .fault(Fault::TruncatedJson)
            .await;
        let (users, error, _) = walk(&fake).await;
        assert!(users.is_empty(), "{provider}");
        let error = error.expect("an error");
        assert_names(&fake, &error);
        match error.kind() {
            ErrorKind::InvalidResponse { status, reason } => {
                assert_eq!(status.map(|s| s.as_u16()), Some(200), "{provider}: {error}");
                assert!(
                    reason.starts_with("truncated JSON: EOF while parsing"),
                    "{provider}: {reason}"
                );
            }
            other => panic!("{provider}: expected an invalid response, got {other:?}"),
        }
        assert!(!error.to_string().contains('\n'), "one line: {error}");
    }
}

#[tokio::test]
async fn an_empty_page_after_the_last_full_one_ends_the_walk_with_every_user() {
    for provider in applicable(Fault::EmptyPageAfterLastFullOne) {
        let fake = FakeProvider::start(provider)
            .users(2 * PAGE as usize)
            .fault(Fault::EmptyPageAfterLastFullOne)
            .await;
        let (users, error, report) = walk(&fake).await;
        assert!(error.is_none(), "{provider}: {error:?}");
        assert_eq!(users.len(), 2 * PAGE as usize, "{provider}");
        assert_eq!(report.stop, Some(Stop::EmptyPage), "{provider}");
        // Every page the walk takes, and the empty one after the last (already counted where
        // only an empty page ends a walk).
        // Every walk of a union ends with its own empty page.
        let needed = pages(&fake, 2 * PAGE as usize)
            + fake
                .spec()
                .shares(2 * PAGE as usize)
                .iter()
                .filter(|(list, _)| !list.ends_on_empty_page())
                .count();
        assert_requests(
            &fake,
            fake.requests().await.len(),
            needed,
            &format!("{provider}: the pages with users, then an empty one"),
        );
    }
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_walk_with_a_paging_error() {
    for provider in applicable(Fault::RepeatedCursor) {
        let fake = FakeProvider::start(provider)
            .users(users_for(provider, 25))
            .fault(Fault::RepeatedCursor)
            .await;
        let (users, error, _) = walk(&fake).await;
        let error = error.expect("an error");
        assert_names(&fake, &error);
        assert!(
            matches!(
                error.kind(),
                ErrorKind::Paging(PagingError::RepeatedCursor { page: 2, .. })
            ),
            "{provider}: {error}"
        );
        assert_eq!(
            users.len(),
            2 * per_page(&fake),
            "{provider}: the pages before"
        );
    }
}

#[tokio::test]
async fn a_repeated_page_ends_the_walk_with_a_paging_error() {
    for provider in applicable(Fault::RepeatedPage) {
        let fake = FakeProvider::start(provider)
            .users(25)
            .fault(Fault::RepeatedPage)
            .await;
        let (users, error, _) = walk(&fake).await;
        let error = error.expect("an error");
        assert_names(&fake, &error);
        assert!(
            matches!(
                error.kind(),
                ErrorKind::Paging(PagingError::RepeatedPage { page: 2 })
            ),
            "{provider}: {error}"
        );
        assert_eq!(users.len(), per_page(&fake), "{provider}: the first page");
    }
}

#[tokio::test]
async fn an_auth_error_is_a_typed_error_with_the_providers_message() {
    for provider in applicable(Fault::AuthError) {
        let fake = FakeProvider::start(provider)
            .users(5)
            .fault(Fault::AuthError)
            .await;
        let (users, error, _) = walk(&fake).await;
        assert!(users.is_empty(), "{provider}");
        let error = error.expect("an error");
        assert_names(&fake, &error);
        let api = error.api().expect("an API error");
        let spec = provider.fake();
        match &spec.envelope {
            Some(envelope) => {
                assert_eq!(api.status.as_u16(), 200, "{error}");
                let body: Value = serde_json::from_str(envelope.error).expect("JSON");
                let message = body.to_string();
                assert!(
                    api.message.as_deref().is_some_and(|m| message.contains(m)),
                    "{provider}: {error}"
                );
            }
            None => {
                assert_eq!(api.status.as_u16(), spec.auth_error.status, "{error}");
                if !spec.auth_error.body.is_empty() {
                    let message = api.message.as_deref().unwrap_or_default();
                    assert!(
                        !message.is_empty() && spec.auth_error.body.contains(message),
                        "{provider}: the provider's own message in {error}"
                    );
                }
            }
        }
        // A refused access token is renewed once (it may have expired), then the refusal
        // stands; any other credential is not retried.
        let renewals = usize::from(!fake.token_requests().await.is_empty());
        assert_eq!(
            fake.requests().await.len(),
            1 + renewals,
            "{provider}: not retried"
        );
        assert_eq!(
            fake.token_requests().await.len(),
            2 * renewals,
            "{provider}"
        );
    }
}

#[tokio::test]
async fn an_error_inside_http_200_is_a_typed_error() {
    for provider in applicable(Fault::ErrorInHttp200) {
        let fake = FakeProvider::start(provider)
            .users(5)
            .fault(Fault::ErrorInHttp200)
            .await;
        let (users, error, _) = walk(&fake).await;
        assert!(users.is_empty(), "{provider}");
        let error = error.expect("an error");
        assert_names(&fake, &error);
        assert_eq!(error.status().map(|s| s.as_u16()), Some(200), "{error}");
        assert!(error.api().is_some(), "{provider}: {error}");
    }
}

#[tokio::test]
async fn an_unknown_enum_value_is_kept() {
    for provider in applicable(Fault::UnknownEnumValue) {
        let fake = FakeProvider::start(provider)
            .users(5)
            .fault(Fault::UnknownEnumValue)
            .await;
        let (users, error, _) = walk(&fake).await;
        assert!(error.is_none(), "{provider}: {error:?}");
        assert_eq!(users.len(), 5, "{provider}");
        let at = provider.fake().user.open_enums[0];
        assert_eq!(
            users[0].pointer(at),
            Some(&Value::from(UNKNOWN_ENUM_VALUE)),
            "{provider}"
        );
        assert_ne!(users[1].pointer(at), Some(&Value::from(UNKNOWN_ENUM_VALUE)));
    }
}

#[tokio::test]
async fn a_user_with_only_required_fields_decodes() {
    for provider in applicable(Fault::NullOptionalFields) {
        let fake = FakeProvider::start(provider)
            .users(5)
            .fault(Fault::NullOptionalFields)
            .await;
        let (users, error, _) = walk(&fake).await;
        assert!(error.is_none(), "{provider}: {error:?}");
        assert_eq!(users.len(), 5, "{provider}");
        let required = provider.fake().user.required;
        let first = users[0].as_object().expect("an object");
        for (key, value) in first {
            // The facts a union of walks adds are the walk's, not the record's.
            assert!(
                required.contains(&key.as_str()) || value.is_null() || key == rollcall::FACTS_KEY,
                "{provider}: optional `{key}` is {value}"
            );
        }
        for key in required {
            assert!(first.contains_key(*key), "{provider}: `{key}` is kept");
        }
    }
}

#[tokio::test]
async fn slow_answers_are_waited_for_or_time_out() {
    let delay = Duration::from_millis(150);
    for provider in applicable(Fault::Slow(delay)) {
        let fake = FakeProvider::start(provider)
            .users(5)
            .fault(Fault::Slow(delay))
            .await;
        let started = Instant::now();
        let (users, error, _) = walk(&fake).await;
        assert!(error.is_none(), "{provider}: {error:?}");
        assert_eq!(users.len(), 5, "{provider}");
        assert!(started.elapsed() >= delay, "{provider}");

        let mut options = fake.options();
        options.request_timeout = Some(Duration::from_millis(20));
        options.retry = Some(rollcall::RetryPolicy::none());
        let client = fake.client_with(options).expect("connects");
        let error = client
            .all_users_json()
            .try_collect::<Vec<_>>()
            .await
            .expect_err("times out");
        assert_names(&fake, &error);
        assert!(
            matches!(error.kind(), ErrorKind::Transport { .. }),
            "{provider}: {error}"
        );
    }
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_refused_and_nothing_is_sent_there() {
    for provider in applicable(Fault::ForeignNextLink) {
        let fake = FakeProvider::start(provider)
            .users(users_for(provider, 25))
            .fault(Fault::ForeignNextLink)
            .await;
        let (users, error, report) = walk(&fake).await;
        let error = error.expect("an error");
        assert_names(&fake, &error);
        assert!(
            matches!(
                error.kind(),
                ErrorKind::Paging(PagingError::ForeignLink { .. })
            ),
            "{provider}: {error}"
        );
        assert!(
            error.to_string().contains("rollcall-foreign.invalid"),
            "{error}"
        );
        assert_eq!(users.len(), per_page(&fake), "{provider}: the first page");
        assert_eq!(report.stop, Some(Stop::Error), "{provider}");
        // One request, to the fake; the link's host does not resolve, so a request sent there
        // would have ended the walk with a transport error instead.
        assert_eq!(fake.requests().await.len(), 1, "{provider}");
    }
}

#[test]
fn fault_names_are_kebab_case_and_read_back() {
    for fault in Fault::ALL {
        let name = fault.to_string();
        assert_eq!(name, name.to_ascii_lowercase(), "{name}");
        assert!(!name.contains('_') && !name.contains(' '), "{name}");
        assert_eq!(name.parse::<Fault>(), Ok(*fault));
    }
    assert_eq!(
        "slow=2s".parse::<Fault>(),
        Ok(Fault::Slow(Duration::from_secs(2)))
    );
    assert!("sometimes".parse::<Fault>().is_err());
}

#[test]
fn every_fault_applies_to_some_provider() {
    for fault in Fault::ALL {
        assert!(
            applicable(*fault).next().is_some(),
            "{fault} is exercised by no provider"
        );
    }
}

/// A provider whose account list is the union of several walks (`x-rollcall.walks`): each user
/// of the fake arrives once, with the facts of the first walk that lists it (the fake's share
/// of users per walk, `FakeSpec::serves`), and the client's `max_users` caps the union.
#[tokio::test]
async fn a_union_of_walks_yields_each_user_once_with_its_facts() {
    let unions: Vec<Provider> = Provider::ALL
        .iter()
        .copied()
        .filter(|p| !p.fake().walks.is_empty())
        .collect();
    assert!(!unions.is_empty(), "no spec declares x-rollcall.walks");
    for provider in unions {
        let n = 25;
        let fake = FakeProvider::start(provider).users(n).await;
        let spec = fake.spec();
        let (users, error, report) = walk(&fake).await;
        assert!(error.is_none(), "{provider}: {error:?}");
        let ids: Vec<String> = users.iter().map(|u| id_of(&fake, u)).collect();
        assert_eq!(
            ids.iter().collect::<BTreeSet<_>>().len(),
            n,
            "{provider}: every user once"
        );
        assert_eq!(report.users, n as u64, "{provider}");
        assert_eq!(report.stop, Some(Stop::LastPage), "{provider}");
        assert!(report.is_complete(), "{provider}");
        let numbers = fake.user_ids();
        for user in &users {
            let id = id_of(&fake, user);
            let number = numbers.iter().position(|i| *i == id).expect("a fake user") + 1;
            let first = spec
                .walks
                .iter()
                .find(|walk| {
                    let list = spec
                        .lists
                        .iter()
                        .find(|l| l.operation == walk.operation)
                        .expect("a walked list");
                    let query: Vec<(String, String)> = walk
                        .send
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                        .collect();
                    spec.serves(list, number, &query)
                })
                .expect("a walk lists every user");
            let account = rollcall::Account::from_user(provider.info(), user.clone());
            assert_eq!(
                account.privileged, first.facts.privileged,
                "{provider}: user {number}"
            );
            if let Some(kind) = first.facts.kind {
                assert_eq!(account.kind, kind, "{provider}: user {number}");
            }
        }

        // The client's max_users caps the union, not only each walk: a cap that no walk
        // reaches alone (the largest walk's share) still ends the union.
        let cap = spec
            .shares(n)
            .iter()
            .map(|(_, count)| *count as u64)
            .max()
            .expect("walks");
        assert!(cap < n as u64, "{provider}");
        let mut options = fake.options();
        options.retry = Some(fast_retry());
        options.max_users = Some(cap);
        let client = fake.client_with(options).expect("connects");
        let mut stream = client.all_users_json();
        let report = stream.report();
        let mut got = 0;
        let error = loop {
            match stream.try_next().await {
                Ok(Some(_)) => got += 1,
                Ok(None) => panic!("{provider}: the cap ends the walk with an error"),
                Err(error) => break error,
            }
        };
        assert_eq!(got, cap, "{provider}");
        assert!(
            matches!(
                error.kind(),
                ErrorKind::Paging(PagingError::UserLimit { max_users }) if *max_users == cap
            ),
            "{provider}: {error}"
        );
        assert_eq!(report.get().users, cap, "{provider}");
        assert_eq!(report.get().stop, Some(Stop::MaxUsers), "{provider}");
    }
}
