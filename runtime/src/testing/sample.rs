//! Response values for tests that keep compiling when the spec grows.
//!
//! The generated types a client receives are `#[non_exhaustive]`, so that a property a provider
//! adds is a minor release: code outside the `rollcall` crate cannot write them as struct
//! literals. [`sample`] builds one from the spec's own sample (the page and user the fake
//! serves) with the fields a test cares about laid over it, so the test names only those.
//!
//! Any generated type can also be read from JSON that has its required fields
//! (`serde_json::from_value(json!({...}))`); the error types require none.

use std::any::type_name;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A generated type with a sample value from its provider's spec: implemented by codegen for
/// each list operation's page, record and user types, from the sample the fake serves
/// ([`FakeList::page`](super::FakeList::page) and [`FakeList::item`](super::FakeList::item)).
pub trait Sample: DeserializeOwned + Serialize {
    /// The spec's sample of this type as JSON: every required field has a value.
    fn sample_json() -> Value;
}

/// A `T` from its spec's sample with `overlay`'s members laid over it: an object's members
/// replace the sample's one by one, nested objects are merged the same way, and anything else
/// (a string, a number, an array, `null`) replaces the sample's value whole.
///
/// ```
/// # #[derive(serde::Deserialize, serde::Serialize)]
/// # struct User { id: i64, name: String, email: Option<String> }
/// # impl rollcall_runtime::testing::Sample for User {
/// #     fn sample_json() -> serde_json::Value { serde_json::json!({"id": 2, "name": "Mark"}) }
/// # }
/// use rollcall_runtime::testing::sample;
/// use serde_json::json;
///
/// // `rollcall::testing::sample::<rollcall::zendesk_sell::types::User>(..)` in a test of yours.
/// let user: User = sample(json!({"email": "ann@example.com"}));
/// assert_eq!(user.email.as_deref(), Some("ann@example.com"));
/// assert_eq!(user.name, "Mark"); // from the spec's sample
/// ```
///
/// # Panics
///
/// When the result does not read as `T` (a value of the wrong type), or when `overlay` sets a
/// member `T` does not have (a typo would otherwise leave the sample's value in place): the
/// message names the type and the member.
#[track_caller]
pub fn sample<T: Sample>(overlay: Value) -> T {
    let name = type_name::<T>().replace("::generated::", "::");
    let mut value = T::sample_json();
    merge(&mut value, overlay.clone());
    // Matches rather than closures, so that `track_caller` names the test's line.
    let typed: T = match serde_json::from_value(value) {
        Ok(typed) => typed,
        Err(e) => panic!("sample::<{name}>: the overlaid sample does not read: {e}"),
    };
    let written = match serde_json::to_value(&typed) {
        Ok(written) => written,
        Err(e) => panic!("sample::<{name}>: cannot serialize: {e}"),
    };
    if let Some(path) = unread(&overlay, &written, "") {
        panic!(
            "sample::<{name}>: the overlay sets `{path}`, which the type does not have (a typo, or \
             a member of another type?)"
        );
    }
    typed
}

/// Lays `overlay` over `value`: objects member by member, recursively; anything else whole.
fn merge(value: &mut Value, overlay: Value) {
    match (value, overlay) {
        (Value::Object(value), Value::Object(overlay)) => {
            for (key, new) in overlay {
                match value.get_mut(&key) {
                    Some(old) => merge(old, new),
                    None => {
                        value.insert(key, new);
                    }
                }
            }
        }
        (value, overlay) => *value = overlay,
    }
}

/// The JSON pointer of the first member `overlay` sets that `written` (the typed value written
/// back) does not have. A member set to `null`, `[]` or `{}` may be left out of what a generated
/// type writes, so it is not looked for.
fn unread(overlay: &Value, written: &Value, at: &str) -> Option<String> {
    let Value::Object(overlay) = overlay else {
        return None;
    };
    for (key, set) in overlay {
        let path = format!("{at}/{key}");
        let empty = match set {
            Value::Null => true,
            Value::Array(items) => items.is_empty(),
            Value::Object(members) => members.is_empty(),
            _ => false,
        };
        match written.get(key) {
            Some(found) => {
                if let Some(missing) = unread(set, found, &path) {
                    return Some(missing);
                }
            }
            None if empty => {}
            None => return Some(path),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct Group {
        id: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct User {
        id: i64,
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        email: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        group: Option<Group>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tags: Vec<String>,
    }

    impl Sample for User {
        fn sample_json() -> Value {
            json!({"id": 2, "name": "Mark", "group": {"id": 1, "name": "Closers"}, "tags": ["a"]})
        }
    }

    #[test]
    fn the_overlay_replaces_what_it_names_and_merges_objects() {
        let user: User = sample(json!({"email": "ann@example.com", "group": {"id": 7}}));
        assert_eq!(
            user,
            User {
                id: 2,
                name: "Mark".into(),
                email: Some("ann@example.com".into()),
                group: Some(Group {
                    id: 7,
                    name: Some("Closers".into())
                }),
                tags: vec!["a".into()],
            }
        );
        // `null` and `[]` replace whole, and are not taken for typos.
        let user: User = sample(json!({"group": null, "tags": []}));
        assert_eq!((user.group, user.tags), (None, Vec::<String>::new()));
        assert_eq!(sample::<User>(json!({})).name, "Mark");
    }

    #[test]
    #[should_panic(expected = "the overlay sets `/group/nmae`, which the type does not have")]
    fn a_misspelt_member_is_named() {
        let _: User = sample(json!({"group": {"nmae": "Openers"}}));
    }

    #[test]
    #[should_panic(expected = "the overlaid sample does not read: invalid type: string \"two\"")]
    fn a_value_of_the_wrong_type_is_named() {
        let _: User = sample(json!({"id": "two"}));
    }
}
