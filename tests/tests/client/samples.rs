//! Response values made the way a crate that depends on rollcall must make them, now that the
//! types a client receives are `#[non_exhaustive]` (this test crate is outside `rollcall`, so
//! the attribute applies here as it does downstream): from the spec's sample with the fields a
//! test names laid over it (`rollcall::testing::sample`), or from JSON.

use rollcall::testing::sample;
use rollcall::{Account, Provider, sequence, worksection, zendesk_sell, zendesk_support};
use serde_json::json;

#[test]
fn a_sample_user_is_the_spec_sample_with_the_named_fields() {
    use zendesk_sell::types::{User, UserRole, UserStatus};
    let user: User = sample(json!({"name": "Ann", "status": "inactive", "role": "admin"}));
    assert_eq!(user.name, "Ann");
    assert_eq!(user.status, Some(UserStatus::Inactive));
    assert_eq!(user.role, Some(UserRole::Admin));
    // Every other field is the sample user the fake serves, from the spec's example.
    let fake = Provider::ZendeskSell.fake().lists[0].sample_user();
    let spec: User = serde_json::from_value(fake).unwrap();
    assert_eq!((user.id, &user.email), (spec.id, &spec.email));
    assert_eq!(user.created_at, spec.created_at);
    assert_ne!(
        user.name, spec.name,
        "the overlay replaced the sample's name"
    );

    // What a test of an access review would do with it.
    let value = serde_json::to_value(&user).unwrap();
    let account = Account::from_user(Provider::ZendeskSell.info(), value);
    assert!(account.privileged);
    assert_eq!(account.name.as_deref(), Some("Ann"));
}

#[test]
fn every_list_has_a_sample_page_holding_its_sample_user() {
    let page: zendesk_sell::types::UserList = sample(json!({}));
    assert_eq!(page.items.len(), 1);
    let record: zendesk_sell::types::UserItem = sample(json!({"data": {"id": 42}}));
    assert_eq!(record.data.id, 42);
    assert_eq!(record.data.name, page.items[0].data.name);

    let page: zendesk_support::types::UserList = sample(json!({"count": 1}));
    assert_eq!((page.users.len(), page.count), (1, Some(1)));
    let page: sequence::types::UserList = sample(json!({}));
    assert_eq!(page.items.len(), 1);
    let envelope: worksection::types::Envelope = sample(json!({}));
    assert_eq!(envelope.data.len(), 1);
    let user: worksection::types::User = sample(json!({"id": "3993", "email": null}));
    assert_eq!(user.id, worksection::types::UserId::String("3993".into()));
    assert_eq!(user.email, None);
}

#[test]
#[should_panic(expected = "the overlay sets `/emial`, which the type does not have")]
fn a_misspelt_field_is_named_rather_than_ignored() {
    let _: sequence::types::User = sample(json!({"emial": "ann@example.com"}));
}

#[test]
fn json_with_the_required_fields_reads_as_a_response_type() {
    let user: zendesk_support::types::User =
        serde_json::from_value(json!({"id": 7, "name": "Ann"})).unwrap();
    assert_eq!((user.id, user.name.as_str(), user.email), (7, "Ann", None));
    // The error types require nothing, so any shape of error body reads.
    let error: zendesk_support::types::ErrorBody = serde_json::from_value(json!({})).unwrap();
    assert!(error.error.is_none() && error.errors.is_empty());
}
