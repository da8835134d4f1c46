//! `x-rollcall.walks` (one account list from several list walks, each adding facts) and
//! `x-rollcall.slow-down` (refusals that mean "slow down" without being 429).

use serde_json::Value;

use super::account::KINDS;
use super::pagination::List;
use super::value::{check_keys, check_pointer, list};
use crate::spec::SpecError;

/// Keys one entry of `x-rollcall.walks` may hold.
const WALK_KEYS: &[&str] = &["operation", "send", "kind", "privileged"];
/// Keys one entry of `x-rollcall.slow-down` may hold.
const SLOW_DOWN_KEYS: &[&str] = &["status", "header", "at", "is"];

/// One walk of a provider whose account list is the union of several.
#[derive(Debug, Clone, PartialEq)]
pub struct Walk {
    /// The list operation walked.
    pub operation: String,
    /// Query parameters the walk sends (name, value as text), on top of the list's own.
    pub send: Vec<(String, String)>,
    /// The kind every user this walk lists has (from `KINDS`), unless the account rules say
    /// otherwise.
    pub kind: Option<String>,
    /// Whether every user this walk lists is privileged.
    pub privileged: bool,
}

/// One kind of refusal that means "slow down": a status and a header's value, or a status and
/// a value at a pointer of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlowDown {
    /// The HTTP status.
    pub status: u16,
    /// The header whose value decides (lower case), or empty.
    pub header: String,
    /// The pointer into the error body whose value decides (`*` for every element), or empty.
    pub at: String,
    /// The values that mean "slow down".
    pub is: Vec<String>,
}

/// Reads `x-rollcall.walks`, checking each against the list operations.
pub(super) fn walks(file: &str, raw: &Value, lists: &[List]) -> Result<Vec<Walk>, SpecError> {
    let base = "/x-rollcall/walks";
    let mut out = Vec::new();
    for (i, entry) in list(file, base, raw.pointer(base))?.iter().enumerate() {
        let at = format!("{base}/{i}");
        let Value::Object(map) = entry else {
            return Err(SpecError::at(file, &at, "expected a mapping"));
        };
        check_keys(file, &at, Some(map), WALK_KEYS)?;
        let operation = map
            .get("operation")
            .and_then(Value::as_str)
            .ok_or_else(|| SpecError::at(file, &at, "a walk names its `operation`"))?;
        let Some(walked) = lists.iter().find(|l| l.operation == operation) else {
            return Err(SpecError::at(
                file,
                &format!("{at}/operation"),
                format!("`{operation}` is not a list operation (one with x-rollcall-pagination)"),
            ));
        };
        let mut send = Vec::new();
        match map.get("send") {
            None => {}
            Some(Value::Object(params)) => {
                for (name, value) in params {
                    let text = match value {
                        Value::String(s) => s.clone(),
                        Value::Bool(_) | Value::Number(_) => value.to_string(),
                        _ => {
                            return Err(SpecError::at(
                                file,
                                &format!("{at}/send/{name}"),
                                "expected a string, a number or a boolean",
                            ));
                        }
                    };
                    send.push((name.clone(), text));
                }
            }
            Some(_) => {
                return Err(SpecError::at(
                    file,
                    &format!("{at}/send"),
                    "expected a mapping",
                ));
            }
        }
        let kind = match map.get("kind") {
            None => None,
            Some(Value::String(kind)) if KINDS.contains(&kind.as_str()) => Some(kind.clone()),
            Some(_) => {
                return Err(SpecError::at(
                    file,
                    &format!("{at}/kind"),
                    format!("expected one of {}", KINDS.join(", ")),
                ));
            }
        };
        let privileged = match map.get("privileged") {
            None => false,
            Some(Value::Bool(flag)) => *flag,
            Some(_) => {
                return Err(SpecError::at(
                    file,
                    &format!("{at}/privileged"),
                    "expected true or false",
                ));
            }
        };
        if walked.record.is_some() {
            return Err(SpecError::at(
                file,
                &format!("{at}/operation"),
                format!(
                    "`{operation}` wraps its users in records (`record`), which a union of walks cannot merge"
                ),
            ));
        }
        out.push(Walk {
            operation: operation.to_owned(),
            send,
            kind,
            privileged,
        });
    }
    if out.len() == 1 {
        return Err(SpecError::at(
            file,
            base,
            "one walk is the list's own `all_users`: name two or more, or none",
        ));
    }
    if let Some(first) = out.first() {
        let user = lists
            .iter()
            .find(|l| l.operation == first.operation)
            .map(|l| l.user_schema.clone());
        for (i, walk) in out.iter().enumerate() {
            let other = lists
                .iter()
                .find(|l| l.operation == walk.operation)
                .map(|l| l.user_schema.clone());
            if other != user {
                return Err(SpecError::at(
                    file,
                    &format!("{base}/{i}/operation"),
                    format!(
                        "`{}` lists `{}`, the first walk `{}`: every walk must list one user schema",
                        walk.operation,
                        other.unwrap_or_default(),
                        user.clone().unwrap_or_default()
                    ),
                ));
            }
        }
        // A user is yielded at its first sighting, so a walk that narrows an operation (sends
        // a filter) must come before the walk of the same operation without it: otherwise its
        // facts would arrive after the user was yielded.
        for (i, walk) in out.iter().enumerate() {
            if !walk.send.is_empty()
                && out[..i]
                    .iter()
                    .any(|w| w.operation == walk.operation && w.send.is_empty())
            {
                return Err(SpecError::at(
                    file,
                    &format!("{base}/{i}"),
                    format!(
                        "this walk narrows `{}`, which an earlier walk lists whole: put the \
                         narrower walk first so that its facts reach the users it lists",
                        walk.operation
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// Reads `x-rollcall.slow-down`.
pub(super) fn slow_down(file: &str, raw: &Value) -> Result<Vec<SlowDown>, SpecError> {
    let base = "/x-rollcall/slow-down";
    let mut out = Vec::new();
    for (i, entry) in list(file, base, raw.pointer(base))?.iter().enumerate() {
        let at = format!("{base}/{i}");
        let Value::Object(map) = entry else {
            return Err(SpecError::at(file, &at, "expected a mapping"));
        };
        check_keys(file, &at, Some(map), SLOW_DOWN_KEYS)?;
        let status = map
            .get("status")
            .and_then(Value::as_u64)
            .filter(|s| (400..600).contains(s) && *s != 429)
            .ok_or_else(|| {
                SpecError::at(
                    file,
                    &format!("{at}/status"),
                    "expected an error status other than 429 (429 always means slow down)",
                )
            })?;
        let header = map
            .get("header")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let pointer = map.get("at").and_then(Value::as_str).unwrap_or_default();
        if header.is_empty() == pointer.is_empty() {
            return Err(SpecError::at(
                file,
                &at,
                "a slow-down refusal is told by exactly one of `header` or `at`",
            ));
        }
        if !pointer.is_empty() {
            check_pointer(file, &format!("{at}/at"), pointer)?;
        }
        let is: Vec<String> = match map.get("is") {
            Some(Value::String(one)) => vec![one.clone()],
            Some(Value::Array(values)) if !values.is_empty() => values
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or_else(|| SpecError::at(file, &format!("{at}/is"), "expected strings"))?,
            _ => {
                return Err(SpecError::at(
                    file,
                    &format!("{at}/is"),
                    "expected the value (or list of values) that means slow down",
                ));
            }
        };
        out.push(SlowDown {
            status: u16::try_from(status).unwrap_or_default(),
            header: header.to_ascii_lowercase(),
            at: pointer.to_owned(),
            is,
        });
    }
    Ok(out)
}
