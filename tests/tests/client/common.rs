//! Shared by the `client_*` tests: credentials, fast retry settings, fixtures written from
//! `/specs` and the providers' documented shapes, and a harness that runs the same scenario
//! against every provider.
#![allow(dead_code)]

use std::time::Duration;

use futures::TryStreamExt as _;
use rollcall::{Error, RetryPolicy, sequence, worksection, zendesk_sell, zendesk_support};
use serde_json::{Value, json};
use wiremock::{MockServer, Request};

pub const SELL_TOKEN: &str = "sell-token-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
pub const SUPPORT_EMAIL: &str = "admin@acme.example";
pub const SUPPORT_TOKEN: &str = "zd-api-token-123";
pub const SUPPORT_OAUTH_TOKEN: &str = "zd-oauth-token-abc";
pub const SEQUENCE_ID: &str = "seq-client-id";
pub const SEQUENCE_SECRET: &str = "seq-client-secret-456";
pub const WORKSECTION_KEY: &str = "ws-admin-key-789";
pub const WORKSECTION_OAUTH_TOKEN: &str = "ws-oauth-token-xyz";
/// `md5("action=get_users" + WORKSECTION_KEY)`, computed outside Rust.
pub const WORKSECTION_HASH: &str = "5bf6891c39a8215448a80e08c3a65618";

pub fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// Retries in milliseconds, so that tests stay fast; `Retry-After` capped at 50 ms, a 429
/// without it waits 20 ms.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_min_delay(ms(1))
        .with_max_delay(ms(4))
        .with_max_retry_after(ms(50))
        .with_rate_limited_wait(ms(20))
}

pub fn sell(server: &MockServer) -> zendesk_sell::Client {
    zendesk_sell::Client::with_token(SELL_TOKEN)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .expect("valid configuration")
}

pub fn support(server: &MockServer) -> zendesk_support::Client {
    zendesk_support::Client::with_api_token("acme", SUPPORT_EMAIL, SUPPORT_TOKEN)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .expect("valid configuration")
}

pub fn sequence(server: &MockServer) -> sequence::Client {
    sequence::Client::with_credentials(sequence::Region::Production, SEQUENCE_ID, SEQUENCE_SECRET)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .expect("valid configuration")
}

pub fn worksection(server: &MockServer) -> worksection::Client {
    worksection::Client::with_admin_key("acme", WORKSECTION_KEY)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .expect("valid configuration")
}

pub fn worksection_oauth(server: &MockServer) -> worksection::Client {
    worksection::Client::with_oauth_token("acme", WORKSECTION_OAUTH_TOKEN)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .expect("valid configuration")
}

/// The value of query parameter `name` in a received request, decoded.
pub fn query(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

// --- Fixtures -----------------------------------------------------------------------------

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
    let items: Vec<Value> = (first..=last)
        .map(|id| json!({"data": sell_user(id), "meta": {"type": "user"}}))
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

pub fn worksection_envelope(first: i64, last: i64) -> Value {
    let data: Vec<Value> = (first..=last).map(worksection_user).collect();
    json!({"status": "ok", "data": data})
}

// --- One scenario, every provider ---------------------------------------------------------

/// A provider of the registry (`rollcall::Provider`), for scenarios that every one of them must
/// pass; [`Fixtures`] gives what these tests keep for each.
pub type Kind = rollcall::Provider;

/// The providers of the registry that this module keeps page fixtures for (a provider added by
/// its spec is covered by the registry-driven snapshot tests until it gets some here).
pub fn with_fixtures() -> impl Iterator<Item = Kind> {
    Kind::ALL
        .iter()
        .copied()
        .filter(|kind| list_path(kind.name()).is_some())
}

/// The path of a provider's list operation, for the providers with fixtures here.
fn list_path(provider: &str) -> Option<&'static str> {
    Some(match provider {
        "zendesk-sell" => "/v2/users",
        "zendesk-support" => "/api/v2/users",
        "sequence" => "/users",
        "worksection" => "/api/admin/v2/",
        _ => return None,
    })
}

/// The variables `Provider::connect` reads, with this module's fake credentials (and a fake
/// value for any other provider's).
pub fn test_env(name: &str) -> Option<String> {
    let value = match name {
        "ZENDESK_SELL_TOKEN" => SELL_TOKEN,
        "ZENDESK_SUPPORT_SUBDOMAIN" | "WORKSECTION_ACCOUNT" => "acme",
        "ZENDESK_SUPPORT_EMAIL" => SUPPORT_EMAIL,
        "ZENDESK_SUPPORT_TOKEN" => SUPPORT_TOKEN,
        "SEQUENCE_CLIENT_ID" => SEQUENCE_ID,
        "SEQUENCE_CLIENT_SECRET" => SEQUENCE_SECRET,
        "WORKSECTION_API_KEY" => WORKSECTION_KEY,
        other => {
            return Some(format!(
                "fake-{}",
                other.to_ascii_lowercase().replace('_', "-")
            ));
        }
    };
    Some(value.to_owned())
}

/// Fixtures keyed by the registry's providers.
pub trait Fixtures: Copy {
    /// The path of the list operation.
    fn path(self) -> &'static str;
    /// The operation id of the list operation.
    fn operation(self) -> &'static str;
    /// A complete, last page with users `1..=n`.
    fn last_page(self, n: i64) -> Value;
    /// Walks every user with the default test client; returns their ids as text.
    async fn all_ids(self, server: &MockServer) -> Result<Vec<String>, Error>;
    /// Walks every user with a client using `retry`; returns their ids as text.
    async fn all_ids_with(
        self,
        server: &MockServer,
        retry: RetryPolicy,
    ) -> Result<Vec<String>, Error>;
    /// Walks every user of the server at `uri` with a client using `retry`.
    async fn all_ids_at(self, uri: &str, retry: RetryPolicy) -> Result<Vec<String>, Error>;
}

impl Fixtures for Kind {
    fn path(self) -> &'static str {
        list_path(self.name()).unwrap_or_else(|| panic!("no fixture for {self}"))
    }

    fn operation(self) -> &'static str {
        match self.name() {
            "worksection" => "get_users",
            _ => "list_users",
        }
    }

    fn last_page(self, n: i64) -> Value {
        match self.name() {
            "zendesk-sell" => sell_page(1, n, None),
            "zendesk-support" => support_page(1, n, Some(false), None, false),
            "sequence" => sequence_page(1, n, Some(None)),
            "worksection" => worksection_envelope(1, n),
            other => panic!("no fixture for {other}"),
        }
    }

    async fn all_ids(self, server: &MockServer) -> Result<Vec<String>, Error> {
        self.all_ids_with(server, fast_retry()).await
    }

    async fn all_ids_with(
        self,
        server: &MockServer,
        retry: RetryPolicy,
    ) -> Result<Vec<String>, Error> {
        self.all_ids_at(&server.uri(), retry).await
    }

    async fn all_ids_at(self, uri: &str, retry: RetryPolicy) -> Result<Vec<String>, Error> {
        let mut options = rollcall::ClientOptions::default();
        options.base_url = Some(uri.to_owned());
        options.retry = Some(retry);
        let client = self.connect(&test_env, &options)?;
        let users: Vec<Value> = client.all_users_json().try_collect().await?;
        Ok(users
            .iter()
            .map(|user| match &user["id"] {
                Value::String(id) => id.clone(),
                other => other.to_string(),
            })
            .collect())
    }
}
