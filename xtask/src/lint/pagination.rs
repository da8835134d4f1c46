//! `pagination`: every list operation says how it pages in `x-rollcall-pagination`, and what it
//! says names real parameters and real places in the response, since the stream helpers follow
//! it blindly.

use serde_json::{Map, Value};

use super::{Doc, operation_name, parameters, success_schema, unwrap};
use crate::spec::for_each_operation;

/// The extension's name.
pub const EXTENSION: &str = "x-rollcall-pagination";

use crate::spec::ext::PAGINATION_KEYS as KEYS;

pub(super) fn check(doc: &mut Doc<'_>) {
    let raw = doc.raw;
    for_each_operation(raw, |pointer, path, method, op| {
        let name = operation_name(op, method, path);
        let body = success_schema(raw, op);
        let Some(ext) = op.get(EXTENSION) else {
            if method == "get" && body.is_some_and(|b| is_list(raw, b)) {
                doc.report(
                    "pagination",
                    &pointer,
                    format!("list operation {name} has no `{EXTENSION}`"),
                );
            }
            return;
        };
        let at = format!("{pointer}/{EXTENSION}");
        let Some(ext) = ext.as_object() else {
            doc.report("pagination", &at, "must be a mapping");
            return;
        };
        for key in ext.keys() {
            if !KEYS.contains(&key.as_str()) {
                doc.report(
                    "pagination",
                    &format!("{at}/{key}"),
                    format!("unknown key `{key}`"),
                );
            }
        }
        let style = ext.get("style").and_then(Value::as_str);
        let (required, allowed): (&[&str], &[&str]) = match style {
            Some("page") => (
                &["items", "page-param", "size-param", "max-size"],
                &[
                    "has-more",
                    "next-link",
                    "stop-on-empty",
                    "record",
                    "id",
                    "send",
                    "total",
                    "seats",
                ],
            ),
            Some("cursor") => (
                &[
                    "items",
                    "cursor-param",
                    "next-cursor",
                    "size-param",
                    "max-size",
                ],
                &[
                    "has-more",
                    "next-link",
                    "stop-on-empty",
                    "record",
                    "id",
                    "send",
                    "total",
                    "seats",
                ],
            ),
            Some("none") => (&["items"], &["record", "id", "send", "total", "seats"]),
            _ => {
                doc.report(
                    "pagination",
                    &at,
                    "`style` must be `page`, `cursor` or `none`",
                );
                return;
            }
        };
        let style = style.unwrap_or_default();
        for key in required {
            if !ext.contains_key(*key) {
                doc.report("pagination", &at, format!("style `{style}` needs `{key}`"));
            }
        }
        for key in ext.keys() {
            let key = key.as_str();
            if KEYS.contains(&key)
                && !required.contains(&key)
                && !allowed.contains(&key)
                && key != "style"
            {
                doc.report(
                    "pagination",
                    &format!("{at}/{key}"),
                    format!("`{key}` does not apply to style `{style}`"),
                );
            }
        }
        let query: Vec<(String, &Value)> = parameters(raw, path, op, &pointer)
            .into_iter()
            .filter(|(_, p)| p.get("in").and_then(Value::as_str) == Some("query"))
            .filter_map(|(_, p)| Some((p.get("name")?.as_str()?.to_owned(), p)))
            .collect();
        for key in ["page-param", "size-param", "cursor-param"] {
            let Some(value) = ext.get(key) else { continue };
            let found = value
                .as_str()
                .and_then(|n| query.iter().find(|(q, _)| q == n));
            if found.is_none() {
                doc.report(
                    "pagination",
                    &format!("{at}/{key}"),
                    format!(
                        "`{key}` `{}` is not a query parameter of {name}",
                        value.as_str().unwrap_or("?")
                    ),
                );
            }
        }
        if let Some(max) = ext.get("max-size") {
            match max.as_u64().filter(|m| *m > 0) {
                None => doc.report(
                    "pagination",
                    &format!("{at}/max-size"),
                    "`max-size` must be a positive integer",
                ),
                Some(max) => {
                    let limit = ext
                        .get("size-param")
                        .and_then(Value::as_str)
                        .and_then(|n| query.iter().find(|(q, _)| q == n))
                        .and_then(|(_, p)| p.get("schema"))
                        .map(|s| unwrap(raw, s))
                        .and_then(|s| s.get("maximum"))
                        .and_then(Value::as_u64);
                    if let Some(limit) = limit.filter(|l| max > *l) {
                        doc.report(
                            "pagination",
                            &format!("{at}/max-size"),
                            format!(
                                "`max-size` {max} is above the size parameter's `maximum` {limit}"
                            ),
                        );
                    }
                }
            }
        }
        if let Some(value) = ext.get("stop-on-empty")
            && !value.is_boolean()
        {
            doc.report(
                "pagination",
                &format!("{at}/stop-on-empty"),
                "`stop-on-empty` must be true or false",
            );
        }
        check_pointers(doc, &at, ext, body);
    });
}

/// `items`, `next-cursor`, `has-more`, `next-link` and `total` must point at a field of the right type
/// in the success body.
fn check_pointers(doc: &mut Doc<'_>, at: &str, ext: &Map<String, Value>, body: Option<&Value>) {
    let raw = doc.raw;
    for (key, kind) in [
        ("items", "array"),
        ("next-cursor", "string"),
        ("has-more", "boolean"),
        ("next-link", "string"),
        ("total", "integer"),
    ] {
        let Some(value) = ext.get(key) else { continue };
        let Some(pointer) = value.as_str().filter(|p| p.starts_with('/')) else {
            doc.report(
                "pagination",
                &format!("{at}/{key}"),
                format!("`{key}` must be a JSON pointer into the response body, like `/items`"),
            );
            continue;
        };
        let Some(body) = body else {
            doc.report(
                "pagination",
                &format!("{at}/{key}"),
                "the operation has no JSON success body to point into",
            );
            continue;
        };
        match field(raw, body, pointer) {
            None => doc.report(
                "pagination",
                &format!("{at}/{key}"),
                format!("`{key}` `{pointer}` names no field of the success body"),
            ),
            Some(schema) => {
                let found = schema.get("type").and_then(Value::as_str);
                if found != Some(kind) {
                    doc.report(
                        "pagination",
                        &format!("{at}/{key}"),
                        format!(
                            "`{key}` `{pointer}` is {} in the success body, not {kind}",
                            found.map_or("untyped".to_owned(), |t| t.to_string())
                        ),
                    );
                }
            }
        }
    }
}

/// The schema of the field `pointer` names inside `schema`, through properties only.
fn field<'a>(raw: &'a Value, schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut node = unwrap(raw, schema);
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        node = unwrap(raw, node.get("properties")?.get(&segment)?);
    }
    Some(node)
}

/// A list operation answers with an array, or with an object holding one at the top.
fn is_list(raw: &Value, body: &Value) -> bool {
    let body = unwrap(raw, body);
    let is_array = |s: &Value| s.get("type").and_then(Value::as_str) == Some("array");
    is_array(body)
        || body
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|props| props.values().any(|p| is_array(unwrap(raw, p))))
}
