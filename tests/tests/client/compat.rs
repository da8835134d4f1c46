//! Forward compatibility through the clients: unknown fields are ignored, unknown enum values
//! are kept and visible, `null` and `""` parse where the docs show values, and the shapes real
//! servers send (numbers as strings, PHP's `[]` for an empty map, capitalised roles) parse.

use super::common::*;
use futures::TryStreamExt as _;
use rollcall::{sequence, worksection, zendesk_sell, zendesk_support};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serving(body: serde_json::Value) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn sell_keeps_unknown_values_and_accepts_nulls() {
    let mut unknown = sell_user(3);
    unknown["status"] = json!("suspended");
    unknown["role"] = json!("owner");
    unknown["identity_type"] = json!("bot");
    unknown["a_field_added_next_year"] = json!({"nested": [1, 2, 3]});
    let mut page = sell_page(1, 2, None);
    page["items"]
        .as_array_mut()
        .unwrap()
        .push(json!({"data": unknown, "meta": {"type": "user", "version": 2}}));
    page["items"][0]["data"]["email"] = json!("");
    page["items"][0]["data"]["deleted_at"] = json!(null);
    page["unexpected_top_level"] = json!(true);
    let server = serving(page).await;
    let users: Vec<_> = sell(&server).all_users().try_collect().await.unwrap();
    assert_eq!(users.len(), 3);
    assert_eq!(users[0].email.as_deref(), Some(""));
    assert_eq!(users[0].deleted_at, None);
    assert_eq!(users[0].phone_number, None);
    use zendesk_sell::types::{IdentityType, UserRole, UserStatus, UserZendeskUserId};
    assert!(matches!(
        users[0].zendesk_user_id,
        Some(UserZendeskUserId::String(_))
    ));
    assert!(matches!(
        users[1].zendesk_user_id,
        Some(UserZendeskUserId::Number(_))
    ));
    assert_eq!(users[2].status, Some(UserStatus::Other("suspended".into())));
    assert_eq!(users[2].role, Some(UserRole::Other("owner".into())));
    assert_eq!(
        users[2].identity_type,
        Some(IdentityType::Other("bot".into()))
    );
    assert_eq!(users[1].status, Some(UserStatus::Active));
    assert_eq!(users[2].status.as_ref().unwrap().to_string(), "suspended");
}

#[tokio::test]
async fn support_keeps_unknown_values_and_accepts_nulls_and_missing_fields() {
    let mut page = support_page(1, 2, Some(false), None, false);
    page["users"][0]["role"] = json!("light-agent");
    page["users"][0]["ticket_restriction"] = json!("brand");
    page["users"][0]["a_new_field"] = json!([{"x": 1}]);
    page["users"][1]["ticket_restriction"] = json!(null);
    page["users"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": 3, "name": "Only a name"}));
    page["meta"]["a_new_meta_field"] = json!(1);
    let server = serving(page).await;
    let users: Vec<_> = support(&server).all_users().try_collect().await.unwrap();
    use zendesk_support::types::{TicketRestriction, UserRole};
    assert_eq!(users.len(), 3);
    assert_eq!(users[0].role, Some(UserRole::Other("light-agent".into())));
    assert_eq!(
        users[0].ticket_restriction,
        Some(TicketRestriction::Other("brand".into()))
    );
    assert_eq!(users[1].ticket_restriction, None);
    assert_eq!(users[1].role, Some(UserRole::EndUser));
    assert_eq!(users[0].alias, None);
    assert_eq!(users[2].email, None);
    assert_eq!(users[2].name, "Only a name");
}

#[tokio::test]
async fn sequence_keeps_unknown_states_and_roles() {
    let mut page = sequence_page(1, 2, Some(None));
    page["items"][0]["state"] = json!("suspended");
    page["items"][0]["roles"][0]["roleName"] = json!("billingAdmin");
    page["items"][0]["lastLoginAt"] = json!("2026-01-01T00:00:00Z");
    page["pagination"]["totalResultSize"] = json!(null);
    let server = serving(page).await;
    let users: Vec<_> = sequence(&server).all_users().try_collect().await.unwrap();
    use sequence::types::{RoleName, UserState};
    assert_eq!(users[0].state, UserState::Other("suspended".into()));
    assert_eq!(
        users[0].roles[0].role_name,
        Some(RoleName::Other("billingAdmin".into()))
    );
    assert_eq!(users[1].state, UserState::Active);
}

#[tokio::test]
async fn worksection_real_shapes_parse() {
    let mut body = worksection_envelope(1, 4);
    // Numeric id, string rate, no services at all, social handles as an object.
    body["data"][1]["id"] = json!(4107);
    body["data"][1]["rate"] = json!("45.50");
    body["data"][1]["services"] = json!({"chats": {"Telegram": "@jonas"}, "socials": []});
    body["data"][2].as_object_mut().unwrap().remove("services");
    body["data"][2]["role"] = json!("Account admin");
    body["data"][3]["role"] = json!("Superuser");
    body["data"][3]["brand_new"] = json!({"x": []});
    let server = serving(body).await;
    let users: Vec<_> = worksection(&server)
        .all_users()
        .try_collect()
        .await
        .unwrap();
    use worksection::types::{UserId, UserRate, UserRole};
    assert_eq!(users.len(), 4);
    assert_eq!(users[0].id, UserId::String("1".into()));
    assert_eq!(users[1].id, UserId::Number(4107));
    assert_eq!(users[0].rate, Some(UserRate::Number(60.0)));
    assert_eq!(users[1].rate, Some(UserRate::String("45.50".into())));
    assert_eq!(
        users[0].role,
        Some(UserRole::Owner),
        "roles match regardless of case"
    );
    assert_eq!(users[1].role, Some(UserRole::User));
    assert_eq!(users[2].role, Some(UserRole::AccountAdmin));
    assert_eq!(users[3].role, Some(UserRole::Other("Superuser".into())));
    assert_eq!(users[0].department.as_deref(), Some(""));
    use worksection::types::{ServiceAccounts, Services};
    // The handles of one group (`chats` or `socials`); `[]` for the group or for all services
    // is no handles at all.
    let handles = |services: &Services, chats: bool| -> Vec<(String, Option<String>)> {
        let Services::UserServices(groups) = services else {
            return Vec::new();
        };
        let group = if chats {
            &groups.chats
        } else {
            &groups.socials
        };
        match group.as_ref().expect("the group is present") {
            ServiceAccounts::Accounts(map) => map.clone().into_iter().collect(),
            // `NoAccounts` (PHP's `[]`), or a shape a later spec adds: no handles.
            _ => Vec::new(),
        }
    };
    let services = users[0].services.as_ref().unwrap();
    assert!(handles(services, true).is_empty(), "`[]` is an empty group");
    assert!(
        handles(services, false).is_empty(),
        "`{{}}` is an empty group"
    );
    let services = users[1].services.as_ref().unwrap();
    assert_eq!(
        handles(services, true),
        [("Telegram".to_owned(), Some("@jonas".to_owned()))]
    );
    assert!(users[2].services.is_none());
}

#[tokio::test]
async fn unknown_envelope_status_is_an_error_not_a_success() {
    let server = serving(json!({"status": "maintenance", "message": "Back soon"})).await;
    let error = worksection(&server)
        .all_users()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "worksection get_users: HTTP 200 OK: Back soon"
    );
}

/// Open enums compare, hash and order by their value on the wire, not by where a variant sits
/// in the spec's list: a value the spec adds later (which moves `Other` down the list) changes
/// no comparison, and `Other("active")` built by hand is the same value as `Active`.
#[test]
fn open_enums_compare_by_value() {
    use std::collections::HashSet;
    use zendesk_sell::types::UserStatus;

    assert_eq!(UserStatus::Other("active".into()), UserStatus::Active);
    let set: HashSet<UserStatus> = [UserStatus::Active, UserStatus::Other("active".into())]
        .into_iter()
        .collect();
    assert_eq!(set.len(), 1);
    let mut sorted = [
        UserStatus::Other("suspended".into()),
        UserStatus::Inactive,
        UserStatus::Active,
        UserStatus::Other("archived".into()),
    ];
    sorted.sort();
    let values: Vec<&str> = sorted.iter().map(UserStatus::as_str).collect();
    assert_eq!(values, ["active", "archived", "inactive", "suspended"]);
}
