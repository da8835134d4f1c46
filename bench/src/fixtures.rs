//! Synthetic users in each provider's documented shape (the same fields as the mock tests'
//! fixtures, so a user weighs what a real one does), rendered once into page bodies.

use bytes::Bytes;
use serde_json::{Value, json};

/// The four providers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    Sell,
    Support,
    Sequence,
    Worksection,
}

impl Provider {
    pub const ALL: [Provider; 4] = [
        Provider::Sell,
        Provider::Support,
        Provider::Sequence,
        Provider::Worksection,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Provider::Sell => "zendesk-sell",
            Provider::Support => "zendesk-support",
            Provider::Sequence => "sequence",
            Provider::Worksection => "worksection",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The largest page each API serves (its spec's `maximum`, which is also the clients'
    /// default); Worksection has no paging and answers with every user at once.
    pub fn page_size(self, users: usize) -> usize {
        match self {
            Provider::Worksection => users.max(1),
            _ => 100,
        }
    }

    /// The bodies of every page of a walk over `users` users, in order.
    pub fn pages(self, users: usize) -> Vec<Bytes> {
        let size = self.page_size(users);
        let count = users.div_ceil(size).max(1);
        (0..count)
            .map(|index| {
                let first = index * size + 1;
                let last = ((index + 1) * size).min(users);
                let more = index + 1 < count;
                Bytes::from(serde_json::to_vec(&self.page(index, first, last, more)).expect("json"))
            })
            .collect()
    }

    /// Page `index` (0-based) with users `first..=last`; cursors are `c<next index>`.
    fn page(self, index: usize, first: usize, last: usize, more: bool) -> Value {
        let ids = first as i64..=last as i64;
        let next = format!("c{}", index + 1);
        match self {
            Provider::Sell => {
                let items: Vec<Value> = ids
                    .map(|id| json!({"data": sell_user(id), "meta": {"type": "user"}}))
                    .collect();
                let mut links =
                    json!({"self": format!("https://api.getbase.com/v2/users?page={}", index + 1)});
                if more {
                    links["next_page"] = json!(format!(
                        "https://api.getbase.com/v2/users?page={}",
                        index + 2
                    ));
                }
                json!({"items": items, "meta": {"type": "collection", "count": last + 1 - first, "links": links}})
            }
            Provider::Support => {
                let users: Vec<Value> = ids.map(support_user).collect();
                json!({
                    "users": users,
                    "meta": {"has_more": more, "after_cursor": more.then_some(&next), "before_cursor": "b"},
                    "links": {"next": more.then(|| format!("https://acme.zendesk.com/api/v2/users.json?page%5Bafter%5D={next}")), "prev": null}
                })
            }
            Provider::Sequence => {
                let items: Vec<Value> = ids.map(sequence_user).collect();
                json!({"items": items, "pagination": {"after": more.then_some(&next), "before": null, "totalResultSize": last}})
            }
            Provider::Worksection => {
                let data: Vec<Value> = ids.map(worksection_user).collect();
                json!({"status": "ok", "data": data})
            }
        }
    }
}

fn sell_user(id: i64) -> Value {
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
        "timezone": "UTC",
        "reports_to": null,
        "team_name": "Team",
        "group": null,
        "created_at": "2019-03-04T08:15:00Z",
        "updated_at": "2023-11-20T14:02:41Z",
        "deleted_at": null,
        "zendesk_user_id": 381920455512_i64 + id,
        "identity_type": "person",
        "system_tags": [],
        "detached": false,
        "sell_login_disabled": false
    })
}

fn support_user(id: i64) -> Value {
    json!({
        "id": id,
        "url": format!("https://acme.zendesk.com/api/v2/users/{id}.json"),
        "name": format!("Support User {id}"),
        "email": format!("user{id}@example.org"),
        "created_at": "2014-03-12T08:45:03Z",
        "updated_at": "2024-11-02T16:20:11Z",
        "time_zone": "Copenhagen",
        "iana_time_zone": "Europe/Copenhagen",
        "phone": null,
        "photo": null,
        "locale_id": 1,
        "locale": "en-US",
        "organization_id": null,
        "role": if id % 3 == 0 { "agent" } else { "end-user" },
        "role_type": null,
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
        "default_group_id": null,
        "moderator": false,
        "ticket_restriction": "requested",
        "only_private_comments": false,
        "restricted_agent": false,
        "suspended": false,
        "chat_only": false,
        "report_csv": false,
        "user_fields": {}
    })
}

fn sequence_user(n: i64) -> Value {
    json!({
        "id": format!("00000000-0000-4000-8000-{n:012x}"),
        "email": format!("user{n}@example.com"),
        "sequenceAccountIds": ["83da2ca4-49c7-4d81-9c9a-ba5be11768b0"],
        "state": if n % 5 == 0 { "deleted" } else { "active" },
        "roles": [{"roleName": "readOnlyUser", "permissions": [{"resource": "org.customer", "actions": ["read"]}]}]
    })
}

fn worksection_user(id: i64) -> Value {
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
