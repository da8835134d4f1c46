//! What changed between two pictures of an account: which accounts joined, which left, and
//! which changed in a field an access review watches. `rollcall compare` and `rollcall changes`
//! print these; a sync can apply them.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::account::Account;

/// The account fields whose change is a [`Change::Changed`], in the order they are reported.
pub const WATCHED: [&str; 5] = ["status", "roles", "privileged", "kind", "email"];

/// One difference between two pictures of an account.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Change {
    /// An account that is only in the newer picture.
    Joined(Account),
    /// An account that is only in the older picture.
    Left(Account),
    /// An account in both whose watched fields differ.
    Changed {
        /// The account as it was.
        before: Box<Account>,
        /// The account as it is.
        after: Box<Account>,
        /// The watched fields that differ, in [`WATCHED`] order.
        fields: Vec<&'static str>,
    },
}

impl Change {
    /// The change as one JSON object, the line `rollcall compare` prints: `{"change":
    /// "joined"|"left", ..the account}`, or `{"change": "changed", "provider", "id", and per
    /// field {"before", "after"}}`.
    pub fn to_json(&self) -> Value {
        match self {
            Change::Joined(account) => whole("joined", account),
            Change::Left(account) => whole("left", account),
            Change::Changed {
                before,
                after,
                fields,
            } => {
                let (old, new) = (json_of(before), json_of(after));
                let mut line = Map::new();
                line.insert("change".into(), json!("changed"));
                line.insert("provider".into(), json!(after.provider));
                line.insert("id".into(), json!(after.id));
                for field in fields {
                    line.insert(
                        (*field).into(),
                        json!({"before": old[*field], "after": new[*field]}),
                    );
                }
                Value::Object(line)
            }
        }
    }
}

/// The changes from `before` to `after`, ordered by provider and id. Accounts are matched by
/// (provider, id); a later account with the same key wins within a picture. Roles are compared
/// as sets.
///
/// ```
/// use rollcall_runtime::changes::{Change, compare};
/// # fn demo(last_week: Vec<rollcall_runtime::Account>, today: Vec<rollcall_runtime::Account>) {
/// for change in compare(last_week, today) {
///     if let Change::Left(account) = &change {
///         println!("{} left {}", account.id, account.provider);
///     }
/// }
/// # }
/// ```
pub fn compare(
    before: impl IntoIterator<Item = Account>,
    after: impl IntoIterator<Item = Account>,
) -> Vec<Change> {
    let key = |account: &Account| (account.provider.clone(), account.id.clone());
    let before: BTreeMap<_, _> = before.into_iter().map(|a| (key(&a), a)).collect();
    let mut after: BTreeMap<_, _> = after.into_iter().map(|a| (key(&a), a)).collect();
    let mut changes = Vec::new();
    let mut keys: Vec<_> = before.keys().chain(after.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    let mut before = before;
    for key in keys {
        match (before.remove(&key), after.remove(&key)) {
            (None, Some(account)) => changes.push(Change::Joined(account)),
            (Some(account), None) => changes.push(Change::Left(account)),
            (Some(old), Some(new)) => {
                let fields = differing(&old, &new);
                if !fields.is_empty() {
                    changes.push(Change::Changed {
                        before: Box::new(old),
                        after: Box::new(new),
                        fields,
                    });
                }
            }
            (None, None) => {}
        }
    }
    changes
}

/// The watched fields in which `old` and `new` differ.
fn differing(old: &Account, new: &Account) -> Vec<&'static str> {
    let (old_json, new_json) = (json_of(old), json_of(new));
    WATCHED
        .into_iter()
        .filter(|field| {
            if *field == "roles" {
                // The same roles in another order are no change.
                let (mut a, mut b) = (old.roles.clone(), new.roles.clone());
                a.sort();
                b.sort();
                a != b
            } else {
                old_json[*field] != new_json[*field]
            }
        })
        .collect()
}

fn json_of(account: &Account) -> Value {
    serde_json::to_value(account).unwrap_or_default()
}

/// A joined or left account: the change, then the account's own fields.
fn whole(change: &str, account: &Account) -> Value {
    let mut line = Map::new();
    line.insert("change".into(), json!(change));
    if let Value::Object(fields) = json_of(account) {
        line.extend(fields);
    }
    Value::Object(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, status: &str, roles: &[&str]) -> Account {
        serde_json::from_value(json!({
            "provider": "acme", "id": id, "email": format!("{id}@example.com"), "name": id,
            "status": status, "kind": "member", "roles": roles, "privileged": false,
            "created_at": null, "updated_at": null, "last_login_at": null, "raw": {}
        }))
        .unwrap()
    }

    #[test]
    fn joined_left_and_changed_in_key_order() {
        let before = vec![
            account("1", "active", &["a", "b"]),
            account("2", "active", &[]),
            account("3", "active", &[]),
        ];
        let after = vec![
            account("3", "suspended", &[]),
            account("1", "active", &["b", "a"]),
            account("4", "active", &[]),
        ];
        let changes = compare(before, after);
        let lines: Vec<Value> = changes.iter().map(Change::to_json).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0]["change"], "left");
        assert_eq!(lines[0]["id"], "2");
        assert_eq!(lines[1]["change"], "changed");
        assert_eq!(lines[1]["id"], "3");
        assert_eq!(
            lines[1]["status"],
            json!({"before": "active", "after": "suspended"})
        );
        assert!(lines[1].get("roles").is_none());
        assert_eq!(lines[2]["change"], "joined");
        assert_eq!(lines[2]["email"], "4@example.com");
        assert!(compare(changes_free(), changes_free()).is_empty());
    }

    fn changes_free() -> Vec<Account> {
        vec![account("1", "active", &["x"])]
    }
}
