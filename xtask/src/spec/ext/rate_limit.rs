//! `x-rollcall.rate-limit` (the documented rate limit of the whole API) and
//! `x-rollcall-rate-limit` on an operation (a stricter limit of its own): requests per second,
//! minute or hour.

use serde_json::Value;

use super::value::{check_keys, object_at};
use crate::spec::{SpecError, for_each_operation};

/// `x-rollcall.rate-limit` as (requests, seconds), when declared.
pub(super) fn read(file: &str, raw: &Value) -> Result<Option<(u32, u64)>, SpecError> {
    read_at(file, raw, "/x-rollcall/rate-limit")
}

/// Every operation's own `x-rollcall-rate-limit`, as (operationId, requests, seconds).
pub(super) fn operations(file: &str, raw: &Value) -> Result<Vec<(String, u32, u64)>, SpecError> {
    let mut found = Vec::new();
    for_each_operation(raw, |at, _, _, op| {
        if op.get("x-rollcall-rate-limit").is_some() {
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            found.push((format!("{at}/x-rollcall-rate-limit"), id.to_owned()));
        }
    });
    let mut limits = Vec::new();
    for (at, id) in found {
        if let Some((requests, seconds)) = read_at(file, raw, &at)? {
            limits.push((id, requests, seconds));
        }
    }
    Ok(limits)
}

/// The rate limit written at `at`, as (requests, seconds).
fn read_at(file: &str, raw: &Value, at: &str) -> Result<Option<(u32, u64)>, SpecError> {
    let Some(limit) = object_at(file, raw, at)? else {
        return Ok(None);
    };
    check_keys(file, at, Some(limit), &["requests", "per"])?;
    let requests = limit
        .get("requests")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| SpecError::at(file, at, "`requests` is a positive integer"))?;
    let per = match limit.get("per").and_then(Value::as_str) {
        Some("second") => 1,
        Some("minute") => 60,
        Some("hour") => 3600,
        _ => {
            return Err(SpecError::at(
                file,
                &format!("{at}/per"),
                "`per` is second, minute or hour",
            ));
        }
    };
    Ok(Some((requests, per)))
}
