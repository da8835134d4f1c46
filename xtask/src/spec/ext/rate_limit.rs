//! `x-rollcall.rate-limit`: the documented rate limit, requests per second, minute or hour.

use serde_json::Value;

use super::value::{check_keys, object_at};
use crate::spec::SpecError;

/// `x-rollcall.rate-limit` as (requests, seconds), when declared.
pub(super) fn read(file: &str, raw: &Value) -> Result<Option<(u32, u64)>, SpecError> {
    let at = "/x-rollcall/rate-limit";
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
