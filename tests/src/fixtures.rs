//! Recorded shapes of real providers: users and pages as each provider's servers really send
//! them (nulls, empty strings, fields the docs do not list, ids whose JSON type varies), in one
//! place for the client tests, the CLI's process tests and the benchmark walks.
//!
//! Everything a test needs to know of *every* provider comes from the registry
//! (`rollcall::Provider::ALL`, `info()`, `fake()`); what lives here are the quirks of one
//! provider, which a test that names that provider checks. The benchmark includes this file by
//! path (it has no dependency on this crate), so it uses nothing but `serde_json`.

use serde_json::{Value, json};

/// A Sell user as real servers send it: nulls, an empty e-mail, fields the docs do not list.
pub fn sell_user(id: i64) -> Value {
    json!({
        "id": id,
        "name": format!("Sell User {id}"),
        "email": if id % 7 == 0 { String::new() } else { format!("user{id}@example.com") },
        "status": if id % 2 == 0 { "active" } else { "inactive" },
        "invited": true,
        "confirmed": true,
        "role": "user",
        "roles": [],
        "phone_number": null,
        "timezone": null,
        "reports_to": null,
        "team_name": "Team",
        "group": null,
        "created_at": "2019-03-04T08:15:00Z",
        "updated_at": "2023-11-20T14:02:41Z",
        "deleted_at": null,
        "zendesk_user_id": if id % 2 == 0 { json!(381920455512_i64 + id) } else { json!((381920455512_i64 + id).to_string()) },
        "identity_type": "person",
        "system_tags": [],
        "detached": false,
        "sell_login_disabled": false
    })
}

/// One Sell list page of users `first..=last`, with a `next_page` link when `next` is set.
pub fn sell_page(first: i64, last: i64, next: Option<u64>) -> Value {
    sell_page_of((first..=last).map(sell_user).collect(), next)
}

/// One Sell list page of `users`, each wrapped in Sell's `{data, meta}` record, with a
/// `next_page` link when `next` is set.
pub fn sell_page_of(users: Vec<Value>, next: Option<u64>) -> Value {
    let items: Vec<Value> = users
        .into_iter()
        .map(|user| json!({"data": user, "meta": {"type": "user"}}))
        .collect();
    let mut links = json!({"self": "https://api.getbase.com/v2/users"});
    if let Some(next) = next {
        links["next_page"] = json!(format!("https://api.getbase.com/v2/users?page={next}"));
    }
    json!({"items": items, "meta": {"type": "collection", "count": items.len(), "links": links}})
}

/// A Zendesk Support user with the six fields real servers leave out missing and nulls.
pub fn support_user(id: i64) -> Value {
    json!({
        "id": id,
        "url": format!("https://acme.zendesk.com/api/v2/users/{id}.json"),
        "name": format!("Support User {id}"),
        "email": format!("user{id}@example.org"),
        "created_at": "2014-03-12T08:45:03Z",
        "updated_at": "2024-11-02T16:20:11Z",
        "time_zone": "Copenhagen",
        "phone": null,
        "photo": null,
        "locale_id": 1,
        "locale": "en-US",
        "organization_id": null,
        "role": if id % 3 == 0 { "agent" } else { "end-user" },
        "verified": true,
        "external_id": null,
        "tags": [],
        "alias": null,
        "active": true,
        "shared": false,
        "shared_agent": false,
        "last_login_at": null,
        "two_factor_auth_enabled": null,
        "signature": null,
        "details": null,
        "notes": null,
        "custom_role_id": null,
        "moderator": false,
        "ticket_restriction": "requested",
        "only_private_comments": false,
        "restricted_agent": false,
        "suspended": false,
        "chat_only": false,
        "user_fields": {}
    })
}

/// One Support cursor page of users `first..=last`.
pub fn support_page(
    first: i64,
    last: i64,
    has_more: Option<bool>,
    after: Option<&str>,
    next_link: bool,
) -> Value {
    let users: Vec<Value> = (first..=last).map(support_user).collect();
    let mut meta = json!({"after_cursor": after, "before_cursor": "b"});
    if let Some(has_more) = has_more {
        meta["has_more"] = json!(has_more);
    }
    let next = next_link.then(|| {
        format!(
            "https://acme.zendesk.com/api/v2/users.json?page%5Bafter%5D={}&page%5Bsize%5D=100",
            after.unwrap_or("")
        )
    });
    json!({"users": users, "meta": meta, "links": {"next": next, "prev": null}})
}

/// A Sequence user whose UUID encodes `n`.
pub fn sequence_user(n: i64) -> Value {
    json!({
        "id": sequence_uuid(n),
        "email": format!("user{n}@example.com"),
        "sequenceAccountIds": ["83da2ca4-49c7-4d81-9c9a-ba5be11768b0"],
        "state": if n % 5 == 0 { "deleted" } else { "active" },
        "roles": [{"roleName": "readOnlyUser", "permissions": [{"resource": "org.customer", "actions": ["read"]}]}]
    })
}

/// The UUID of Sequence user `n` (real ids are UUIDs, though the schema says only string).
pub fn sequence_uuid(n: i64) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

/// One Sequence page of users `first..=last`; `after` is the `pagination` object's `after`
/// (`Some(None)` sends `null`, `None` leaves it out).
pub fn sequence_page(first: i64, last: i64, after: Option<Option<&str>>) -> Value {
    let items: Vec<Value> = (first..=last).map(sequence_user).collect();
    let mut pagination = json!({"before": null, "totalResultSize": 2500});
    if let Some(after) = after {
        pagination["after"] = json!(after);
    }
    json!({"items": items, "pagination": pagination})
}

/// A Worksection user as the admin API sends it: a string id, a capitalised role.
pub fn worksection_user(id: i64) -> Value {
    json!({
        "id": id.to_string(),
        "first_name": "Anna",
        "last_name": format!("User{id}"),
        "name": format!("Anna User{id}"),
        "title": "",
        "url": format!("/user/{id}/"),
        "services": {"chats": [], "socials": {}},
        "date_added": "2021-02-15 09:42",
        "rate": 60,
        "avatar": "https://acme.worksection.com/images/avatar/none.png",
        "group": "Head office",
        "department": "",
        "role": if id == 1 { "Owner" } else { "User" },
        "email": format!("user{id}@example.com")
    })
}

/// Worksection's success envelope holding users `first..=last`, all in one body.
pub fn worksection_envelope(first: i64, last: i64) -> Value {
    let data: Vec<Value> = (first..=last).map(worksection_user).collect();
    json!({"status": "ok", "data": data})
}
