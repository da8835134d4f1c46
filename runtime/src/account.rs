//! [`Account`]: one provider's user record read as "an account", the way identity-governance
//! tools (SCIM 2.0, Baton, Lumos) see one: who, status, human or not, roles, privileged, when.
//!
//! How a provider's record maps is data ([`AccountRules`]) generated from the spec's
//! `x-rollcall.account`, evaluated here on the record's JSON form with the same pointers (and
//! `*` wildcards) as the error rules. Nothing in the mapping can fail: a value the rules do not
//! expect gives `unknown`, `null` or `false`, never an error.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::ProviderInfo;
use crate::rules::visit;

/// How a provider's user record becomes an [`Account`] (`x-rollcall.account` in its spec).
/// Every pointer is RFC 6901 into the user's JSON form, with `*` for every element; an empty
/// pointer means "not mapped".
#[derive(Debug, Clone, Copy)]
pub struct AccountRules {
    /// The user's id (a string or number).
    pub id: &'static str,
    /// The email address.
    pub email: &'static str,
    /// The display name.
    pub name: &'static str,
    /// The status: the first rule that matches wins; none matching gives `unknown`.
    pub status: &'static [Rule<Status>],
    /// The kind: the first rule that matches wins; none matching gives `member`.
    pub kind: &'static [Rule<Kind>],
    /// Where role names are: every string found, in order, without repeats.
    pub roles: &'static [&'static str],
    /// Whether the account is privileged: the first rule that matches wins (a spec's rule gives
    /// `true` unless it says otherwise); none matching gives `false`.
    pub privileged: &'static [Rule<bool>],
    /// When the account was created (RFC 3339; anything else reads as unknown).
    pub created_at: &'static str,
    /// When it was last changed.
    pub updated_at: &'static str,
    /// When its owner last signed in.
    pub last_login_at: &'static str,
    /// The id of the user's manager (SCIM's enterprise `manager`).
    pub manager: &'static str,
}

impl AccountRules {
    /// The mapping of a spec without `x-rollcall.account`: `/id`, `/email` and `/name`, status
    /// `unknown`, kind `member`, no roles.
    pub const DEFAULT: AccountRules = AccountRules {
        id: "/id",
        email: "/email",
        name: "/name",
        status: &[],
        kind: &[],
        roles: &[],
        privileged: &[],
        created_at: "",
        updated_at: "",
        last_login_at: "",
        manager: "",
    };
}

impl Default for AccountRules {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A value that applies when every test matches.
#[derive(Debug, Clone, Copy)]
pub struct Rule<V: 'static> {
    /// What the rule gives.
    pub value: V,
    /// The tests, all of which must match (none: always matches).
    pub all: &'static [Test],
}

/// One test on a user record.
#[derive(Debug, Clone, Copy)]
pub struct Test {
    /// A pointer; with `*`, the test matches when any value reached matches.
    pub at: &'static str,
    /// What must hold there.
    pub check: Check,
    /// Whether strings compare without regard to case.
    pub ci: bool,
}

/// What a [`Test`] checks.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// The value is there and not `null` (`true`), or missing or `null` (`false`).
    Present(bool),
    /// The value equals one of these.
    Is(&'static [Literal]),
}

/// A value in a spec's test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Literal {
    /// A string.
    Str(&'static str),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// `null`.
    Null,
}

/// Whether an account can be used: `active`, `inactive`, `suspended`, `invited`, `deleted` or
/// `unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Can sign in and use the account.
    Active,
    /// Switched off, but not deleted.
    Inactive,
    /// Blocked by an administrator.
    Suspended,
    /// Invited, has not joined yet.
    Invited,
    /// Deleted (providers that still list deleted users).
    Deleted,
    /// The provider does not say, or says something the mapping does not know.
    Unknown,
}

/// What holds the account: `member`, `guest`, `end_user` or `bot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A person holding a seat.
    Member,
    /// A limited or external person.
    Guest,
    /// A customer without a seat.
    EndUser,
    /// An integration or service account.
    Bot,
}

impl Status {
    /// The snake_case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
            Status::Suspended => "suspended",
            Status::Invited => "invited",
            Status::Deleted => "deleted",
            Status::Unknown => "unknown",
        }
    }
}

impl Kind {
    /// The snake_case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Member => "member",
            Kind::Guest => "guest",
            Kind::EndUser => "end_user",
            Kind::Bot => "bot",
        }
    }

    /// Whether the account takes a seat (`member` or `guest`).
    pub fn is_seat(self) -> bool {
        matches!(self, Kind::Member | Kind::Guest)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fields of an [`Account`]'s JSON form, in their order (also the CSV columns).
pub const FIELDS: [&str; 11] = [
    "provider",
    "id",
    "email",
    "name",
    "status",
    "kind",
    "roles",
    "privileged",
    "created_at",
    "updated_at",
    "last_login_at",
];

/// One account of one provider. Its JSON form (what the `rollcall` CLI prints) has exactly
/// the [`FIELDS`] `provider, id, email, name, status, kind, roles, privileged, created_at,
/// updated_at, last_login_at`; the provider's own record ([`raw`](Self::raw)) and the
/// [`manager`](Self::manager) are kept out of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// The provider's kebab-case name (`zendesk-sell`).
    pub provider: String,
    /// The user's id, as a string whatever the provider's type.
    pub id: String,
    /// The email address; an empty one is `None`.
    pub email: Option<String>,
    /// The display name; an empty one is `None`.
    pub name: Option<String>,
    /// Whether the account can be used.
    pub status: Status,
    /// What holds it.
    pub kind: Kind,
    /// Role names, as the provider spells them.
    pub roles: Vec<String>,
    /// Whether the account can administer the provider's account.
    pub privileged: bool,
    /// When it was created (RFC 3339).
    pub created_at: Option<String>,
    /// When it was last changed (RFC 3339).
    pub updated_at: Option<String>,
    /// When its owner last signed in (RFC 3339).
    pub last_login_at: Option<String>,
    /// The manager's user id, where the provider has one.
    #[serde(skip)]
    pub manager: Option<String>,
    /// The provider's own record, as JSON.
    #[serde(skip)]
    pub raw: Value,
}

impl Account {
    /// Reads `user` (the JSON form of one of `provider`'s user records) with the provider's
    /// [`AccountRules`]. Never fails: what is missing or unexpected reads as unknown.
    pub fn from_user(provider: &ProviderInfo, user: Value) -> Self {
        let rules = &provider.account;
        let status = rules
            .status
            .iter()
            .find(|rule| matches_all(&user, rule.all))
            .map_or(Status::Unknown, |rule| rule.value);
        let kind = rules
            .kind
            .iter()
            .find(|rule| matches_all(&user, rule.all))
            .map_or(Kind::Member, |rule| rule.value);
        let privileged = rules
            .privileged
            .iter()
            .find(|rule| matches_all(&user, rule.all))
            .is_some_and(|rule| rule.value);
        let mut roles: Vec<String> = Vec::new();
        for pointer in rules.roles {
            visit(&user, pointer, None, &mut |value, _| {
                if let Some(role) = text(Some(value))
                    && !roles.contains(&role)
                {
                    roles.push(role);
                }
            });
        }
        Self {
            provider: provider.name.to_owned(),
            id: text(at(&user, rules.id)).unwrap_or_default(),
            email: text(at(&user, rules.email)),
            name: text(at(&user, rules.name)),
            status,
            kind,
            roles,
            privileged,
            created_at: timestamp(at(&user, rules.created_at)),
            updated_at: timestamp(at(&user, rules.updated_at)),
            last_login_at: timestamp(at(&user, rules.last_login_at)),
            manager: text(at(&user, rules.manager)),
            raw: user,
        }
    }

    /// Whether the account can sign in by SCIM's definition: false for `deleted`, `inactive`
    /// and `suspended`, true otherwise.
    pub fn active(&self) -> bool {
        !matches!(
            self.status,
            Status::Deleted | Status::Inactive | Status::Suspended
        )
    }

    /// The account as a SCIM 2.0 User (RFC 7643 §4.1), with the enterprise extension's
    /// `manager` (§4.3) when the provider has one.
    pub fn to_scim(&self) -> Value {
        const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
        const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let mut schemas = vec![json!(CORE)];
        let mut user = Map::new();
        user.insert("id".into(), json!(self.id));
        let user_name = self.email.clone().unwrap_or_else(|| self.id.clone());
        user.insert("userName".into(), json!(user_name));
        if let Some(name) = &self.name {
            user.insert("displayName".into(), json!(name));
        }
        if let Some(email) = &self.email {
            user.insert(
                "emails".into(),
                json!([{"value": email, "type": "work", "primary": true}]),
            );
        }
        user.insert("active".into(), json!(self.active()));
        if !self.roles.is_empty() {
            let roles: Vec<Value> = self.roles.iter().map(|r| json!({"value": r})).collect();
            user.insert("roles".into(), Value::Array(roles));
        }
        let mut meta = Map::new();
        meta.insert("resourceType".into(), json!("User"));
        if let Some(created) = &self.created_at {
            meta.insert("created".into(), json!(created));
        }
        if let Some(modified) = &self.updated_at {
            meta.insert("lastModified".into(), json!(modified));
        }
        user.insert("meta".into(), Value::Object(meta));
        if let Some(manager) = &self.manager {
            schemas.push(json!(ENTERPRISE));
            user.insert(ENTERPRISE.into(), json!({"manager": {"value": manager}}));
        }
        user.insert("schemas".into(), Value::Array(schemas));
        Value::Object(user)
    }
}

/// The value at a plain pointer; `None` for an empty (unmapped) pointer.
fn at<'v>(user: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return None;
    }
    let mut found = None;
    visit(user, pointer, None, &mut |value, _| {
        found = found.or(Some(value));
    });
    found
}

/// A non-blank string or a number as text.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// An RFC 3339 timestamp, as sent; anything else is unknown.
fn timestamp(value: Option<&Value>) -> Option<String> {
    let text = value?.as_str()?.trim();
    chrono::DateTime::parse_from_rfc3339(text)
        .is_ok()
        .then(|| text.to_owned())
}

fn matches_all(user: &Value, tests: &[Test]) -> bool {
    tests.iter().all(|test| matches(user, test))
}

fn matches(user: &Value, test: &Test) -> bool {
    match test.check {
        Check::Present(wanted) => {
            let mut present = false;
            visit(user, test.at, None, &mut |value, _| {
                present |= !value.is_null();
            });
            present == wanted
        }
        Check::Is(literals) => {
            let mut hit = false;
            let mut reached = false;
            visit(user, test.at, None, &mut |value, _| {
                reached = true;
                hit |= literals.iter().any(|l| equal(value, l, test.ci));
            });
            // A missing value equals `null`.
            hit || (!reached && literals.contains(&Literal::Null))
        }
    }
}

fn equal(value: &Value, literal: &Literal, ci: bool) -> bool {
    match (value, literal) {
        (Value::String(text), Literal::Str(wanted)) if ci => {
            text.trim().eq_ignore_ascii_case(wanted)
        }
        (Value::String(text), Literal::Str(wanted)) => text == wanted,
        (Value::Bool(flag), Literal::Bool(wanted)) => flag == wanted,
        (Value::Number(number), Literal::Int(wanted)) => number.as_i64() == Some(*wanted),
        // A number sent as a string (`"4"`) still equals the number.
        (Value::String(text), Literal::Int(wanted)) => text.trim().parse() == Ok(*wanted),
        (Value::Null, Literal::Null) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorRules;

    static RULES: ProviderInfo = ProviderInfo::from_fields(crate::provider::ProviderFields {
        name: "test",
        title: "Test",
        max_page_size: None,
        errors: ErrorRules {
            code: &[],
            message: &[],
            request_id: &[],
        },
        any_content_type: false,
        account: AccountRules {
            status: &[
                Rule {
                    value: Status::Deleted,
                    all: &[Test {
                        at: "/deleted_at",
                        check: Check::Present(true),
                        ci: false,
                    }],
                },
                Rule {
                    value: Status::Active,
                    all: &[Test {
                        at: "/state",
                        check: Check::Is(&[Literal::Str("active")]),
                        ci: true,
                    }],
                },
            ],
            roles: &["/role", "/roles/*/name"],
            privileged: &[Rule {
                value: true,
                all: &[Test {
                    at: "/roles/*/name",
                    check: Check::Is(&[Literal::Str("admin")]),
                    ci: false,
                }],
            }],
            created_at: "/created_at",
            ..AccountRules::DEFAULT
        },
        rate_limit: None,
        seats: &[],
        schemes: &[],
    });

    #[test]
    fn rules_read_a_record() {
        let user = json!({"id": 7, "email": "", "name": "Ann", "state": "ACTIVE",
            "role": "user", "roles": [{"name": "admin"}, {"name": "user"}],
            "created_at": "2024-01-02T03:04:05Z"});
        let account = Account::from_user(&RULES, user);
        assert_eq!(account.id, "7");
        assert_eq!(account.email, None);
        assert_eq!(account.status, Status::Active);
        assert_eq!(account.kind, Kind::Member);
        assert_eq!(account.roles, ["user", "admin"]);
        assert!(account.privileged);
        assert_eq!(account.created_at.as_deref(), Some("2024-01-02T03:04:05Z"));
        let deleted = Account::from_user(
            &RULES,
            json!({"id": "x", "deleted_at": "2024", "state": "active", "created_at": "yesterday"}),
        );
        assert_eq!(deleted.status, Status::Deleted);
        assert_eq!(deleted.created_at, None);
        assert!(!deleted.privileged);
        let odd = Account::from_user(&RULES, json!({"deleted_at": null, "state": "paused"}));
        assert_eq!((odd.id.as_str(), odd.status), ("", Status::Unknown));
    }

    #[test]
    fn json_form_has_exactly_the_documented_fields() {
        let account = Account::from_user(&RULES, json!({"id": 1, "secret": "s"}));
        let value = serde_json::to_value(&account).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = [
            "provider",
            "id",
            "email",
            "name",
            "status",
            "kind",
            "roles",
            "privileged",
            "created_at",
            "updated_at",
            "last_login_at",
        ];
        let mut keys = keys;
        keys.sort_unstable();
        expected.sort_unstable();
        assert_eq!(keys, expected);
    }
}
