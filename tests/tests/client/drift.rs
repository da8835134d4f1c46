//! Drift reports, through the public API and the test kit's fakes: the clean imitation of every
//! provider reports nothing; each fault that plants a deviation is reported at its pointer with
//! its kind, and no value from a record appears in the report. Nothing here names a provider.

use futures::TryStreamExt as _;
use rollcall::testing::{FakeProvider, Fault};
use rollcall::{AnyClient, DriftReport, Provider};
use serde_json::Value;

use crate::common::fast_retry;

fn client(fake: &FakeProvider) -> Box<dyn AnyClient> {
    let mut options = fake.options();
    options.retry = Some(fast_retry());
    options.rate_limit = Some(None);
    options.page_size = Some(10);
    options.drift = Some(true);
    fake.client_with(options).unwrap()
}

/// Walks the fake to its end (or first error) and returns the users and the drift report.
async fn walk(fake: &FakeProvider) -> (Vec<Value>, DriftReport) {
    let client = client(fake);
    let mut stream = client.all_users_json();
    let mut users = Vec::new();
    while let Ok(Some(user)) = stream.try_next().await {
        users.push(user);
    }
    let report = stream.drift().expect("drift was asked for");
    (users, report)
}

#[tokio::test]
async fn the_clean_imitation_of_every_provider_reports_nothing() {
    for provider in Provider::ALL.iter().copied() {
        let fake = FakeProvider::start(provider).users(25).await;
        let (users, report) = walk(&fake).await;
        assert_eq!(users.len(), 25, "{provider}");
        assert_eq!(report.provider, provider.name());
        assert!(
            report.findings.is_empty(),
            "{provider}: {:#?}",
            report.findings
        );
    }
}

#[tokio::test]
async fn drift_is_off_by_default() {
    let provider = Provider::ALL[0];
    let fake = FakeProvider::start(provider).users(3).await;
    let client = fake.client();
    let stream = client.all_users_json();
    assert!(stream.drift().is_none());
}
