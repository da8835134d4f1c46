//! [`Account`]: one provider's user record read as "an account", the way identity-governance
//! tools (SCIM 2.0, Baton, Lumos) see one: who, status, human or not, roles, privileged, when.
//!
//! How a provider's record maps is data ([`AccountRules`]) generated from the spec's
//! `x-rollcall.account`, evaluated here on the record's JSON form with the same pointers (and
//! `*` wildcards) as the error rules. Nothing in the mapping can fail: a value the rules do not
//! expect gives `unknown`, `null` or `false`, never an error.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::account_rules::Facts;
pub use crate::account_rules::{AccountRules, Check, Kind, Literal, Rule, Status, Test};
use crate::provider::ProviderInfo;
use crate::rules::visit;

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
    ///
    /// A user of a union of walks ([`Walked`](crate::Walked)) carries its walk's facts: its
    /// kind where the rules give none but the default `member`, and privileged where the rules
    /// do not already say so.
    pub fn from_user(provider: &ProviderInfo, mut user: Value) -> Self {
        let facts = Facts::take(&mut user).unwrap_or_default();
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
            .map_or(facts.kind.unwrap_or(Kind::Member), |rule| rule.value);
        let privileged = facts.privileged
            || rules
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
            created_at: timestamp(at(&user, rules.created_at), rules.never),
            updated_at: timestamp(at(&user, rules.updated_at), rules.never),
            last_login_at: timestamp(at(&user, rules.last_login_at), rules.never),
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

/// An RFC 3339 timestamp, as sent; anything else is unknown, and so is the instant `never`
/// stands for (compared as instants: the generated type may write it with another precision
/// or offset than the provider sent).
fn timestamp(value: Option<&Value>, never: &str) -> Option<String> {
    let text = value?.as_str()?.trim();
    let instant = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    let is_never = chrono::DateTime::parse_from_rfc3339(never).is_ok_and(|never| never == instant);
    (!is_never).then(|| text.to_owned())
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
    use crate::rules::ErrorRules;

    static RULES: ProviderInfo = ProviderInfo::from_fields(crate::provider::ProviderFields {
        name: "test",
        title: "Test",
        max_page_size: None,
        errors: ErrorRules {
            code: &[],
            message: &[],
            request_id: &[],
            request_id_header: &[],
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
        server: &[],
        schemes: &[],
        spec: "",
        drift: &crate::drift::DriftSpec::EMPTY,
        slow_down: &[],
        operation_limits: &[],
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
    fn a_never_sentinel_reads_as_null_at_any_precision() {
        static NEVER: ProviderInfo = ProviderInfo::from_fields(crate::provider::ProviderFields {
            name: "test",
            title: "Test",
            max_page_size: None,
            errors: ErrorRules {
                code: &[],
                message: &[],
                request_id: &[],
                request_id_header: &[],
            },
            any_content_type: false,
            account: AccountRules {
                last_login_at: "/last",
                created_at: "/created_at",
                never: "1970-01-01T00:00:00.000Z",
                ..AccountRules::DEFAULT
            },
            rate_limit: None,
            operation_limits: &[],
            seats: &[],
            server: &[],
            schemes: &[],
            spec: "",
            drift: &crate::drift::DriftSpec::EMPTY,
            slow_down: &[],
        });
        for sentinel in [
            "1970-01-01T00:00:00.000Z",
            "1970-01-01T00:00:00Z",
            "1970-01-01T01:00:00+01:00",
        ] {
            let account = Account::from_user(&NEVER, json!({"last": sentinel}));
            assert_eq!(account.last_login_at, None, "{sentinel}");
        }
        let account = Account::from_user(
            &NEVER,
            json!({"last": "1970-01-01T00:00:01Z", "created_at": "2020-01-01T00:00:00Z"}),
        );
        assert_eq!(
            account.last_login_at.as_deref(),
            Some("1970-01-01T00:00:01Z")
        );
        assert_eq!(account.created_at.as_deref(), Some("2020-01-01T00:00:00Z"));
        // Without a sentinel the epoch is a time like any other.
        let account = Account::from_user(&RULES, json!({"created_at": "1970-01-01T00:00:00Z"}));
        assert_eq!(account.created_at.as_deref(), Some("1970-01-01T00:00:00Z"));
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
