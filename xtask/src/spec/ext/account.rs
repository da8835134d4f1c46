//! `x-rollcall.account`: how a user record reads as an account (pointers into its JSON form and
//! rules for status, kind and privilege), checked against the user schema of the first list.

use serde_json::{Map, Value};

use super::pagination::List;
use super::value::{check_keys, check_pointer, list, object_at, str_at};
use crate::spec::{SpecError, escape};

/// Keys `x-rollcall.account` may hold.
const ACCOUNT_KEYS: &[&str] = &[
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
    "manager",
    "never",
];
/// The values of an account's `status` (the runtime's `Status`, snake_case).
pub const STATUSES: &[&str] = &[
    "active",
    "inactive",
    "suspended",
    "invited",
    "deleted",
    "unknown",
];
/// The values of an account's `kind` (the runtime's `Kind`, snake_case).
pub const KINDS: &[&str] = &["member", "guest", "end_user", "bot"];

/// `x-rollcall.account`: pointers into the user record's JSON form (empty: not mapped).
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// The id.
    pub id: String,
    /// The email address.
    pub email: String,
    /// The display name.
    pub name: String,
    /// Status rules, first match wins; values from [`STATUSES`].
    pub status: Vec<Rule>,
    /// Kind rules, first match wins; values from [`KINDS`].
    pub kind: Vec<Rule>,
    /// Where role names are.
    pub roles: Vec<String>,
    /// Privileged rules, first match wins; values `true` or `false`.
    pub privileged: Vec<Rule>,
    /// Timestamps and the manager.
    pub created_at: String,
    /// When last changed.
    pub updated_at: String,
    /// When last signed in.
    pub last_login_at: String,
    /// The manager's id.
    pub manager: String,
    /// The RFC 3339 instant the provider sends to mean "never" (empty: none).
    pub never: String,
}

impl Default for Account {
    fn default() -> Self {
        Self {
            id: "/id".into(),
            email: "/email".into(),
            name: "/name".into(),
            status: Vec::new(),
            kind: Vec::new(),
            roles: Vec::new(),
            privileged: Vec::new(),
            created_at: String::new(),
            updated_at: String::new(),
            last_login_at: String::new(),
            manager: String::new(),
            never: String::new(),
        }
    }
}

/// One mapping rule: a value and the tests that must all hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The value (a status, a kind, or `true`/`false`).
    pub value: String,
    /// The tests.
    pub all: Vec<Test>,
}

/// One test of a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// The pointer.
    pub at: String,
    /// `Some(flag)` for `present`, else the values of `is`.
    pub present: Option<bool>,
    /// The values `is` accepts (strings, booleans, integers, null).
    pub is: Vec<Value>,
    /// Compare strings without regard to case.
    pub ci: bool,
}

/// `x-rollcall.account`, checked: known keys, pointers whose first step is a property of the
/// user schema (anything else is dropped by the generated type and could never match), known
/// values.
pub(super) fn read(file: &str, raw: &Value, lists: &[List]) -> Result<Account, SpecError> {
    let base = "/x-rollcall/account";
    let Some(map) = object_at(file, raw, base)? else {
        return Ok(Account::default());
    };
    check_keys(file, base, Some(map), ACCOUNT_KEYS)?;
    let user = lists.first().and_then(|list| {
        raw.pointer(&format!(
            "/components/schemas/{}/properties",
            escape(&list.user_schema)
        ))
    });
    let user = user.and_then(Value::as_object);
    let checked = |at: &str, pointer: &str| -> Result<String, SpecError> {
        check_pointer(file, at, pointer)?;
        let first = pointer.split('/').nth(1).unwrap_or_default();
        let first = first.replace("~1", "/").replace("~0", "~");
        if let Some(properties) = user
            && !pointer.is_empty()
            && !properties.contains_key(&first)
        {
            return Err(SpecError::at(
                file,
                at,
                format!("`{first}` is not a property of the user schema"),
            ));
        }
        Ok(pointer.to_owned())
    };
    let pointer = |key: &str, default: &str| -> Result<String, SpecError> {
        let at = format!("{base}/{key}");
        if raw.pointer(&at).is_some_and(Value::is_null) {
            return Ok(String::new());
        }
        match str_at(file, raw, &at)? {
            Some(text) => checked(&at, text),
            None if map.contains_key(key) => Ok(String::new()),
            None => Ok(default.to_owned()),
        }
    };
    let rules = |key: &str, values: &[&str], default: Option<&str>| {
        let at = format!("{base}/{key}");
        let mut out = Vec::new();
        for (i, item) in list(file, &at, raw.pointer(&at))?.iter().enumerate() {
            let here = format!("{at}/{i}");
            let Some(object) = item.as_object() else {
                return Err(SpecError::at(
                    file,
                    &here,
                    "a rule is a mapping: `{value, at, is|present}` or `{value, all: [...]}`",
                ));
            };
            check_keys(
                file,
                &here,
                Some(object),
                &["value", "at", "is", "present", "ci", "all"],
            )?;
            let value = match (object.get("value"), default) {
                (Some(Value::String(v)), _) => v.clone(),
                (Some(Value::Bool(v)), _) => v.to_string(),
                (None, Some(default)) => default.to_owned(),
                _ => {
                    return Err(SpecError::at(
                        file,
                        &here,
                        format!("a rule needs `value` (one of {})", values.join(", ")),
                    ));
                }
            };
            if !values.contains(&value.as_str()) {
                return Err(SpecError::at(
                    file,
                    &format!("{here}/value"),
                    format!("unknown value `{value}` (one of {})", values.join(", ")),
                ));
            }
            let mut all = Vec::new();
            if object.contains_key("at") {
                all.push(test(file, &here, object, &checked)?);
            } else if ["is", "present", "ci"]
                .iter()
                .any(|k| object.contains_key(*k))
            {
                return Err(SpecError::at(
                    file,
                    &here,
                    "`is`, `present` and `ci` need `at`",
                ));
            }
            for (j, item) in list(file, &format!("{here}/all"), object.get("all"))?
                .iter()
                .enumerate()
            {
                let there = format!("{here}/all/{j}");
                let Some(inner) = item.as_object() else {
                    return Err(SpecError::at(
                        file,
                        &there,
                        "a test is `{at, is|present, ci?}`",
                    ));
                };
                check_keys(file, &there, Some(inner), &["at", "is", "present", "ci"])?;
                all.push(test(file, &there, inner, &checked)?);
            }
            out.push(Rule { value, all });
        }
        Ok::<_, SpecError>(out)
    };
    let mut roles = Vec::new();
    let roles_at = format!("{base}/roles");
    for (i, item) in list(file, &roles_at, raw.pointer(&roles_at))?
        .iter()
        .enumerate()
    {
        let here = format!("{roles_at}/{i}");
        let text = item
            .as_str()
            .ok_or_else(|| SpecError::at(file, &here, "expected a JSON pointer"))?;
        roles.push(checked(&here, text)?);
    }
    Ok(Account {
        id: pointer("id", "/id")?,
        email: pointer("email", "/email")?,
        name: pointer("name", "/name")?,
        status: rules("status", STATUSES, None)?,
        kind: rules("kind", KINDS, None)?,
        roles,
        privileged: rules("privileged", &["true", "false"], Some("true"))?,
        created_at: pointer("created_at", "")?,
        updated_at: pointer("updated_at", "")?,
        last_login_at: pointer("last_login_at", "")?,
        manager: pointer("manager", "")?,
        never: never(file, raw, &format!("{base}/never"))?,
    })
}

/// `never`: a timestamp that means "never", checked to be RFC 3339 (the runtime compares it
/// with each timestamp as an instant, and an unreadable one would silently match nothing).
fn never(file: &str, raw: &Value, at: &str) -> Result<String, SpecError> {
    let Some(text) = str_at(file, raw, at)? else {
        return Ok(String::new());
    };
    if !is_rfc3339(text) {
        return Err(SpecError::at(
            file,
            at,
            format!("`{text}` is not an RFC 3339 timestamp (`1970-01-01T00:00:00Z`)"),
        ));
    }
    Ok(text.to_owned())
}

/// Whether `text` has RFC 3339's shape: `YYYY-MM-DDTHH:MM:SS`, optional fraction, `Z` or an
/// offset `±HH:MM` (the ranges of each number are the runtime's parser's to judge).
fn is_rfc3339(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    let at = |i: usize, c: &[u8]| bytes.get(i).is_some_and(|b| c.contains(b));
    if !(digits(0..4)
        && at(4, b"-")
        && digits(5..7)
        && at(7, b"-")
        && digits(8..10)
        && at(10, b"Tt")
        && digits(11..13)
        && at(13, b":")
        && digits(14..16)
        && at(16, b":")
        && digits(17..19))
    {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        if end == 0 {
            return false;
        }
        rest = &fraction[end..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit()),
        _ => false,
    }
}

/// One test: `{at, is: value | [values], ci?}` or `{at, present: bool}`.
fn test(
    file: &str,
    here: &str,
    object: &Map<String, Value>,
    checked: &dyn Fn(&str, &str) -> Result<String, SpecError>,
) -> Result<Test, SpecError> {
    let at = match object.get("at") {
        Some(Value::String(at)) => checked(&format!("{here}/at"), at)?,
        _ => {
            return Err(SpecError::at(
                file,
                here,
                "a test needs `at` (a JSON pointer)",
            ));
        }
    };
    let ci = match object.get("ci") {
        None => false,
        Some(Value::Bool(flag)) => *flag,
        Some(_) => {
            return Err(SpecError::at(
                file,
                &format!("{here}/ci"),
                "expected true or false",
            ));
        }
    };
    match (object.get("is"), object.get("present")) {
        (Some(is), None) => {
            let values = match is {
                Value::Array(values) => values.clone(),
                one => vec![one.clone()],
            };
            for (k, value) in values.iter().enumerate() {
                let ok = match value {
                    Value::String(_) | Value::Bool(_) | Value::Null => true,
                    Value::Number(n) => n.as_i64().is_some(),
                    _ => false,
                };
                if !ok || values.is_empty() {
                    return Err(SpecError::at(
                        file,
                        &format!("{here}/is/{k}"),
                        "`is` compares with strings, booleans, integers or null",
                    ));
                }
            }
            if values.is_empty() {
                return Err(SpecError::at(
                    file,
                    &format!("{here}/is"),
                    "`is` lists no value",
                ));
            }
            Ok(Test {
                at,
                present: None,
                is: values,
                ci,
            })
        }
        (None, Some(Value::Bool(present))) => Ok(Test {
            at,
            present: Some(*present),
            is: Vec::new(),
            ci,
        }),
        (None, Some(_)) => Err(SpecError::at(
            file,
            &format!("{here}/present"),
            "expected true or false",
        )),
        _ => Err(SpecError::at(
            file,
            here,
            "a test has exactly one of `is` and `present`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::is_rfc3339;

    #[test]
    fn never_is_an_rfc3339_timestamp() {
        for ok in [
            "1970-01-01T00:00:00.000Z",
            "1970-01-01T00:00:00Z",
            "2024-02-03T04:05:06+01:00",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "1970-01-01",
            "1970-01-01 00:00:00Z",
            "1970-01-01T00:00:00",
            "1970-01-01T00:00:00.Z",
            "never",
            "0",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }
}
