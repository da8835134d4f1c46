//! Resumable walks, through the public API and the test kit's fakes: a walk interrupted at every
//! page boundary and resumed (from its checkpoint written as JSON and read back, with another
//! page concurrency) yields every user of the fake exactly once; checkpoints of another walk,
//! too old or edited are refused before anything is requested. Nothing here names a provider.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::TryStreamExt as _;
use rollcall::testing::FakeProvider;
use rollcall::{AnyClient, Checkpoint, ClientOptions, ErrorKind, Position, Provider, Stop};
use serde_json::Value;

/// The providers whose walks can be resumed: all but those whose account list is the union of
/// several walks (`x-rollcall.walks`), which cannot be (see `a_union_of_walks_has_no_checkpoint`).
fn resumable() -> impl Iterator<Item = Provider> {
    Provider::ALL
        .iter()
        .copied()
        .filter(|p| p.fake().walks.is_empty())
}

use crate::common::fast_retry;

const PAGE: u32 = 10;
const USERS: usize = 25;

fn options(fake: &FakeProvider, concurrency: usize) -> ClientOptions {
    let mut options = fake.options();
    options.retry = Some(fast_retry());
    options.rate_limit = Some(None);
    options.page_size = Some(PAGE);
    options.page_concurrency = Some(concurrency);
    options
}

fn client(fake: &FakeProvider, concurrency: usize) -> Box<dyn AnyClient> {
    fake.client_with(options(fake, concurrency))
        .expect("the fake's variables connect")
}

fn id_of(fake: &FakeProvider, user: &Value) -> String {
    let at = fake.spec().walked().expect("a list").id;
    match user.pointer(at) {
        Some(Value::String(id)) => id.clone(),
        Some(other) => other.to_string(),
        None => panic!("a user without an id: {user}"),
    }
}

/// Reads users until the walk's checkpoint covers `pages` pages (or the walk ends); returns
/// them with that checkpoint, written to JSON and read back as a resuming process would.
async fn interrupted(client: &dyn AnyClient, pages: u64) -> (Vec<Value>, Checkpoint, Option<u64>) {
    let mut stream = client.all_users_json();
    let mut users = Vec::new();
    while stream.checkpointed_pages() != Some(pages) {
        match stream.try_next().await.expect("the fake serves every page") {
            Some(user) => users.push(user),
            None => break,
        }
    }
    let checkpoint = stream.checkpoint().expect("a walk has checkpoints");
    let text = serde_json::to_string(&checkpoint).unwrap();
    let back: Checkpoint = serde_json::from_str(&text).expect("a checkpoint reads back");
    assert_eq!(back, checkpoint);
    (users, back, stream.checkpointed_pages())
}

#[tokio::test]
async fn every_provider_resumes_at_every_page_boundary_without_loss_or_duplicate() {
    for provider in resumable() {
        let fake = FakeProvider::start(provider).users(USERS).await;
        let total_pages = {
            let (users, _, pages) = interrupted(&*client(&fake, 4), u64::MAX).await;
            assert_eq!(users.len(), USERS, "{provider}");
            pages.unwrap()
        };
        for boundary in 0..=total_pages {
            let what = format!("{provider}, interrupted after page {boundary}");
            let (before, checkpoint, _) = interrupted(&*client(&fake, 4), boundary).await;
            assert_eq!(checkpoint.pages, boundary, "{what}");
            assert_eq!(checkpoint.users, before.len() as u64, "{what}");
            assert_eq!(checkpoint.provider, provider.name(), "{what}");
            // Another process, another page concurrency.
            let resumed = client(&fake, 1 + boundary as usize % 2);
            let stream = resumed
                .resume_users_json(&checkpoint)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let report = stream.report();
            let after: Vec<Value> = stream.try_collect().await.unwrap();
            let report = report.get();
            let mut seen = BTreeMap::new();
            for user in before.iter().chain(&after) {
                *seen.entry(id_of(&fake, user)).or_insert(0) += 1;
            }
            assert_eq!(seen.len(), USERS, "{what}: every user");
            assert!(seen.values().all(|&n| n == 1), "{what}: once each");
            assert_eq!(report.users, USERS as u64, "{what}: counts go on");
            assert!(report.is_complete(), "{what}: {report:?}");
            let from = report.resumed_from.as_ref().expect("the report says so");
            assert_eq!(from.pages, boundary, "{what}");
            assert_eq!(from.next, checkpoint.next, "{what}");
            if boundary == total_pages {
                assert_eq!(checkpoint.next, Position::End, "{what}");
                assert!(after.is_empty(), "{what}");
                assert_eq!(report.stop, Some(Stop::LastPage), "{what}");
            }
        }
    }
}

#[tokio::test]
async fn a_checkpoint_never_covers_a_page_being_read() {
    for provider in resumable() {
        let fake = FakeProvider::start(provider).users(USERS).await;
        let client = client(&fake, 4);
        let mut stream = client.all_users_json();
        // Three users into the first page: the checkpoint is still at the start.
        for _ in 0..3 {
            stream.try_next().await.unwrap().expect("a user");
        }
        let checkpoint = stream.checkpoint().unwrap();
        assert_eq!(checkpoint.users, 0, "{provider}");
        assert!(
            matches!(
                checkpoint.next,
                Position::Start | Position::Page(_) | Position::Offset(0)
            ),
            "{provider}: {:?}",
            checkpoint.next
        );
        assert_eq!(checkpoint.pages, 0, "{provider}");
    }
}

#[tokio::test]
async fn checkpoints_of_another_walk_or_edited_or_too_old_are_refused() {
    let providers: Vec<Provider> = resumable().collect();
    for (i, provider) in providers.iter().copied().enumerate() {
        let fake = FakeProvider::start(provider).users(USERS).await;
        let client = client(&fake, 4);
        let (_, checkpoint, _) = interrupted(&*client, 1).await;
        let requests = fake.requests().await.len();
        let refused = |checkpoint: &Checkpoint, client: &dyn AnyClient, why: &str| {
            let error = match client.resume_users_json(checkpoint) {
                Ok(_) => panic!("{provider}: a checkpoint with {why} was accepted"),
                Err(error) => error,
            };
            assert!(
                matches!(error.kind(), ErrorKind::Resume(_)),
                "{provider}: {why}: {error}"
            );
            assert_eq!(error.provider(), provider.name(), "{error}");
            error.to_string()
        };

        // Another provider's.
        let other = providers[(i + 1) % providers.len()];
        if other != provider {
            let other_fake = FakeProvider::start(other).users(USERS).await;
            let (_, theirs, _) = interrupted(&*self::client(&other_fake, 4), 1).await;
            let line = refused(&theirs, &*client, "another provider");
            assert!(line.contains(other.name()), "{line}");
        }
        // Another account (another host) of the same provider.
        let elsewhere = FakeProvider::start(provider).users(USERS).await;
        let line = refused(
            &checkpoint,
            &*self::client(&elsewhere, 4),
            "another endpoint",
        );
        assert!(line.contains("taken against"), "{line}");
        // Another spec.
        let mut edited = checkpoint.clone();
        edited.spec = "0123456789abcdef".into();
        let line = refused(&edited, &*client, "another spec");
        assert!(line.contains("spec"), "{line}");
        // Other filters.
        let mut edited = checkpoint.clone();
        edited.filters.push(("role".into(), "admin".into()));
        let line = refused(&edited, &*client, "other filters");
        assert!(line.contains("role=admin"), "{line}");
        // Too old: the default limit is a week, and the client's own limit applies.
        let mut edited = checkpoint.clone();
        edited.taken_at -= chrono::Duration::days(8);
        refused(&edited, &*client, "an age of eight days");
        let mut strict = options(&fake, 4);
        strict.checkpoint_max_age = Some(Duration::from_secs(60));
        let strict = fake.client_with(strict).unwrap();
        let mut edited = checkpoint.clone();
        edited.taken_at -= chrono::Duration::minutes(2);
        refused(&edited, &*strict, "an age past the client's limit");
        // Nothing was requested for any of these.
        assert_eq!(fake.requests().await.len(), requests, "{provider}");

        // Edited on disk: the digest gives it away.
        let text = serde_json::to_string(&checkpoint).unwrap();
        let tampered = text.replacen(
            &format!("\"users\":{}", checkpoint.users),
            &format!("\"users\":{}", checkpoint.users + 1),
            1,
        );
        assert_ne!(tampered, text);
        let error = serde_json::from_str::<Checkpoint>(&tampered).unwrap_err();
        assert!(error.to_string().contains("digest"), "{error}");
        assert!(serde_json::from_str::<Checkpoint>(&text[..text.len() - 9]).is_err());
    }
}

#[tokio::test]
async fn no_credential_appears_in_a_checkpoint() {
    for provider in resumable() {
        let fake = FakeProvider::start(provider).users(USERS).await;
        let (_, checkpoint, _) = interrupted(&*client(&fake, 4), 1).await;
        let text = serde_json::to_string(&checkpoint).unwrap();
        for var in provider.info().schemes.iter().flat_map(|s| s.vars) {
            if var.role != rollcall::Role::Secret {
                continue;
            }
            if let Some(secret) = fake.env().get(var.name) {
                assert!(!text.contains(secret.as_str()), "{provider}: {text}");
            }
        }
    }
}

#[tokio::test]
async fn a_union_of_walks_has_no_checkpoint_and_refuses_to_resume() {
    for provider in Provider::ALL.iter().copied() {
        if provider.fake().walks.is_empty() {
            continue;
        }
        let fake = FakeProvider::start(provider).users(USERS).await;
        let client = client(&fake, 4);
        let mut stream = client.all_users_json();
        stream.try_next().await.unwrap().expect("a user");
        assert!(stream.checkpoint().is_none(), "{provider}");
        let other = resumable().next().expect("a provider that resumes");
        let other_fake = FakeProvider::start(other).users(USERS).await;
        let (_, checkpoint, _) = interrupted(&*self::client(&other_fake, 4), 1).await;
        let requests = fake.requests().await.len();
        let error = client
            .resume_users_json(&checkpoint)
            .expect_err("a union cannot resume");
        assert!(matches!(error.kind(), ErrorKind::Resume(_)), "{error}");
        assert!(!error.to_string().contains('\n'), "{error}");
        assert_eq!(
            fake.requests().await.len(),
            requests,
            "{provider}: nothing sent"
        );
    }
}
