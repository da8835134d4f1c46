//! Default headers: header parameters whose schema has a string `default`, which the client
//! sends with every request unless the caller sets them.

use serde_json::Value;

use crate::spec::{for_each_operation, resolve};

/// Header parameters of any operation whose schema has a string `default`.
pub(super) fn default_headers(raw: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for_each_operation(raw, |_, _, _, op| {
        for param in op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let param = resolve(raw, param);
            if param.get("in").and_then(Value::as_str) != Some("header") {
                continue;
            }
            let name = param.get("name").and_then(Value::as_str).unwrap_or("");
            let default = resolve(raw, param.get("schema").unwrap_or(&Value::Null))
                .get("default")
                .and_then(Value::as_str);
            if let Some(default) = default
                && !out.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                out.push((name.to_ascii_lowercase(), default.to_owned()));
            }
        }
    });
    out
}
