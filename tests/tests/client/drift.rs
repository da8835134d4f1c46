//! Drift reports, through the public API and the test kit's fakes: the clean imitation of every
//! provider reports nothing; each fault that plants a deviation is reported at its pointer with
//! its kind, and no value from a record appears in the report. Nothing here names a provider.

use futures::TryStreamExt as _;
use rollcall::testing::{FakeProvider, Fault, PLANTED_PROPERTY};
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

/// The kind each planting fault must be reported as, and what the finding must have seen.
fn expected(fault: Fault) -> Option<(&'static str, Option<&'static str>)> {
    Some(match fault {
        Fault::UndeclaredProperty => ("undeclared-property", Some("string")),
        Fault::UnknownEnumValue => ("unknown-enum-value", Some("string")),
        Fault::MissingRequired => ("missing-required", None),
        Fault::UnexpectedNull => ("unexpected-null", Some("null")),
        Fault::WrongType => ("type-mismatch", Some("integer")),
        Fault::BadFormat => ("format-mismatch", Some("string")),
        Fault::UndeclaredStatus => ("undeclared-status", Some("203")),
        Fault::UndeclaredContentType => ("undeclared-content-type", Some("text/json")),
        Fault::UndeclaredHeader => ("undeclared-header", Some("x-ratelimit-remaining")),
        _ => return None,
    })
}

#[tokio::test]
async fn every_planted_deviation_is_reported_at_its_pointer_without_values() {
    let mut planted = 0;
    for provider in Provider::ALL.iter().copied() {
        for fault in Fault::ALL.iter().copied() {
            let Some((kind, seen)) = expected(fault) else {
                continue;
            };
            if !fault.applies_to(provider.fake()) {
                continue;
            }
            planted += 1;
            let what = format!("{provider} with {fault}");
            let fake = FakeProvider::start(provider).users(25).fault(fault).await;
            let (_, report) = walk(&fake).await;
            let finding = report
                .findings
                .iter()
                .find(|f| f.kind.name() == kind)
                .unwrap_or_else(|| panic!("{what}: no {kind} in {:#?}", report.findings));
            if let Some(seen) = seen {
                assert_eq!(finding.seen, seen, "{what}");
            }
            assert_eq!(finding.first_page, 1, "{what}");
            match fault {
                Fault::UndeclaredProperty => assert!(
                    finding
                        .pointer
                        .ends_with(&format!("/properties/{PLANTED_PROPERTY}")),
                    "{what}: {}",
                    finding.pointer
                ),
                Fault::MissingRequired => {
                    assert!(finding.pointer.ends_with("/required"), "{what}");
                    assert_eq!(
                        Some(finding.seen.as_str()),
                        Fault::required_to_remove(provider.fake()),
                        "{what}"
                    );
                }
                Fault::UndeclaredStatus
                | Fault::UndeclaredContentType
                | Fault::UndeclaredHeader => {
                    assert!(finding.pointer.starts_with("/paths/"), "{what}");
                }
                _ => assert!(
                    finding.pointer.starts_with("/components/schemas/"),
                    "{what}"
                ),
            }
            // Pointers and types only: nothing a record holds but the unlisted value of an open
            // enum, which the spec edit needs.
            let text = serde_json::to_string(&report).unwrap();
            for value in [
                "user1@example.com",
                "Fake User 1",
                "\"planted\"",
                "not a date",
            ] {
                assert!(!text.contains(value), "{what}: {value} in {text}");
            }
            if fault == Fault::UnknownEnumValue {
                assert_eq!(
                    finding.values,
                    [rollcall::testing::UNKNOWN_ENUM_VALUE],
                    "{what}"
                );
            } else {
                assert!(
                    !text.contains(rollcall::testing::UNKNOWN_ENUM_VALUE),
                    "{what}: {text}"
                );
            }
        }
    }
    assert!(planted >= 9, "only {planted} deviations planted");
}
