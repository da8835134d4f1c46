//! Changes since last time, through the public API and the test kit's fakes: for a provider
//! whose spec declares an incremental export, `changed_users` yields exactly the users added,
//! changed and removed since the previous export's cursor; for every provider, comparing two
//! complete walks (`changes::compare`) finds the same. Nothing here names a provider.

use std::collections::BTreeSet;

use futures::TryStreamExt as _;
use rollcall::account::Status;
use rollcall::changes::{Change, compare};
use rollcall::testing::FakeProvider;
use rollcall::{Account, AnyClient, Provider, Since};
use serde_json::Value;

use crate::common::fast_retry;

const USERS: usize = 25;

fn client(fake: &FakeProvider) -> Box<dyn AnyClient> {
    let mut options = fake.options();
    options.retry = Some(fast_retry());
    options.rate_limit = Some(None);
    options.page_size = Some(10);
    fake.client_with(options).unwrap()
}

fn accounts(provider: Provider, users: Vec<Value>) -> Vec<Account> {
    users
        .into_iter()
        .map(|user| Account::from_user(provider.info(), user))
        .collect()
}

/// Changes the name (where the provider has one), adds two users and removes one; returns the
/// ids of the changed, added and removed users.
fn move_the_account(fake: &FakeProvider, provider: Provider) -> (String, Vec<String>, String) {
    let ids = fake.user_ids();
    let (changed, removed) = (ids[1].clone(), ids[2].clone());
    let email = provider.info().account.email;
    assert!(fake.update_user(&changed, |user| {
        // The email may be missing from the record (GitHub shows members without one).
        if let Some(field) = with_field(user, email) {
            *field = "renamed@example.com".into();
        }
    }));
    let added = fake.add_users(2);
    assert!(fake.remove_user(&removed));
    assert!(!fake.remove_user("no such user"));
    (changed, added, removed)
}

#[tokio::test]
async fn an_incremental_export_yields_what_changed_since_its_cursor() {
    let incremental: Vec<Provider> = Provider::ALL
        .iter()
        .copied()
        .filter(|p| p.fake().incremental.is_some())
        .collect();
    assert!(
        !incremental.is_empty(),
        "no spec declares an incremental export"
    );
    for provider in incremental {
        let fake = FakeProvider::start(provider).users(USERS).await;
        let client = client(&fake);
        let hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);

        // A first export from a time: every user, over several pages, complete.
        let first = client
            .changed_users_json(Since::Time(hour_ago))
            .expect("an incremental export");
        let (report, cursor) = (first.report(), first.cursor());
        let everyone: Vec<Value> = first.try_collect().await.unwrap();
        assert_eq!(everyone.len(), USERS, "{provider}");
        let report = report.get();
        assert!(report.is_complete(), "{provider}: {report:?}");
        assert_eq!(report.pages, 3, "{provider}: 25 users at 10 a page");
        let cursor = cursor.get().expect("the last page keeps its cursor");

        // The first request carries the start time, every later one only the cursor.
        let list = fake.spec().incremental.as_ref().unwrap();
        let (start, cursor_param) = (list.start_param.unwrap(), list.cursor_param.unwrap());
        let requests = fake.requests().await;
        assert_eq!(
            requests[0].query(start),
            Some(hour_ago.timestamp().to_string())
        );
        assert_eq!(requests[0].query(cursor_param), None);
        for later in &requests[1..] {
            assert_eq!(later.query(start), None, "{provider}");
            assert!(later.query(cursor_param).is_some(), "{provider}");
        }

        // Nothing changed: nothing yielded, the same cursor.
        let again = client
            .changed_users_json(Since::Cursor(cursor.clone()))
            .unwrap();
        let (report, same) = (again.report(), again.cursor());
        let nothing: Vec<Value> = again.try_collect().await.unwrap();
        assert!(nothing.is_empty(), "{provider}: {nothing:?}");
        assert!(report.get().is_complete());
        assert_eq!(same.get(), Some(cursor.clone()));

        // Changed, added and removed: exactly those, the removed one as deleted.
        let (changed, added, removed) = move_the_account(&fake, provider);
        let since = client.changed_users_json(Since::Cursor(cursor)).unwrap();
        let next = since.cursor();
        let moved = accounts(provider, since.try_collect().await.unwrap());
        let ids: BTreeSet<&str> = moved.iter().map(|a| a.id.as_str()).collect();
        let expected: BTreeSet<&str> = [changed.as_str(), removed.as_str()]
            .into_iter()
            .chain(added.iter().map(String::as_str))
            .collect();
        assert_eq!(ids, expected, "{provider}");
        let gone = moved.iter().find(|a| a.id == removed).unwrap();
        assert_eq!(gone.status, Status::Deleted, "{provider}: {gone:?}");

        // And from that export's cursor, nothing again.
        let after = client
            .changed_users_json(Since::Cursor(next.get().unwrap()))
            .unwrap();
        assert!(after.try_collect::<Vec<_>>().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn comparing_two_complete_walks_finds_what_changed_for_every_provider() {
    for provider in Provider::ALL.iter().copied() {
        let fake = FakeProvider::start(provider).users(USERS).await;
        let client = client(&fake);
        let before = accounts(
            provider,
            client.all_users_json().try_collect().await.unwrap(),
        );
        assert!(
            compare(before.clone(), before.clone()).is_empty(),
            "{provider}"
        );
        let (changed, added, removed) = move_the_account(&fake, provider);
        let after = accounts(
            provider,
            client.all_users_json().try_collect().await.unwrap(),
        );
        let changes = compare(before, after);
        let mut joined = Vec::new();
        for change in &changes {
            match change {
                Change::Joined(account) => joined.push(account.id.clone()),
                Change::Left(account) => assert_eq!(account.id, removed, "{provider}"),
                Change::Changed { after, fields, .. } => {
                    assert_eq!(after.id, changed, "{provider}");
                    assert_eq!(fields, &["email"], "{provider}");
                }
                other => panic!("{provider}: {other:?}"),
            }
        }
        joined.sort();
        let mut added = added;
        added.sort();
        assert_eq!(joined, added, "{provider}");
        // An account without an email field changes nothing a review watches.
        let has_email = !provider.info().account.email.is_empty();
        assert_eq!(
            changes.len(),
            if has_email { 4 } else { 3 },
            "{provider}: {changes:?}"
        );
    }
}

/// The field at `pointer` in `user`, added as `null` when its parent is there but it is not.
fn with_field<'v>(user: &'v mut Value, pointer: &str) -> Option<&'v mut Value> {
    if user.pointer(pointer).is_none()
        && let Some((parent, key)) = pointer.rsplit_once('/')
        && let Some(Value::Object(parent)) = user.pointer_mut(parent)
    {
        parent.insert(key.replace("~1", "/").replace("~0", "~"), Value::Null);
    }
    user.pointer_mut(pointer)
}
