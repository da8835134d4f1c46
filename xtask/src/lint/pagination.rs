//! `pagination`: every list operation says how it pages in `x-rollcall-pagination`, and what it
//! says names real parameters and real places in the response, since the stream helpers follow
//! it blindly.

use serde_json::Value;

use super::{Doc, operation_name, parameters, success_schema, unwrap};
use crate::spec::ext::pagination::{BODY_POINTERS, EXTENSION, PARAMETERS, StyleValue, Syntax};
use crate::spec::for_each_operation;

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
        let Some(syntax) = Syntax::read(at.clone(), ext) else {
            doc.report("pagination", &at, "must be a mapping");
            return;
        };
        for key in syntax.unknown_keys() {
            doc.report(
                "pagination",
                &format!("{at}/{key}"),
                format!("unknown key `{key}`"),
            );
        }
        let StyleValue::Known(style) = syntax.style else {
            doc.report(
                "pagination",
                &at,
                "`style` must be `page`, `cursor`, `offset`, `link` or `none`",
            );
            return;
        };
        let style = style.name();
        for key in syntax.missing_keys() {
            doc.report("pagination", &at, format!("style `{style}` needs `{key}`"));
        }
        for key in syntax.misplaced_keys() {
            doc.report(
                "pagination",
                &format!("{at}/{key}"),
                format!("`{key}` does not apply to style `{style}`"),
            );
        }
        let query: Vec<(String, &Value)> = parameters(raw, path, op, &pointer)
            .into_iter()
            .filter(|(_, p)| p.get("in").and_then(Value::as_str) == Some("query"))
            .filter_map(|(_, p)| Some((p.get("name")?.as_str()?.to_owned(), p)))
            .collect();
        for key in PARAMETERS {
            let Some(value) = syntax.text(key) else {
                continue;
            };
            let found = value.ok().and_then(|n| query.iter().find(|(q, _)| q == n));
            if found.is_none() {
                doc.report(
                    "pagination",
                    &format!("{at}/{key}"),
                    format!(
                        "`{key}` `{}` is not a query parameter of {name}",
                        value.unwrap_or("?")
                    ),
                );
            }
        }
        if let Some(max) = syntax.max_size() {
            match max {
                None => doc.report(
                    "pagination",
                    &format!("{at}/max-size"),
                    "`max-size` must be a positive integer",
                ),
                Some(max) => {
                    let limit = syntax
                        .text("size-param")
                        .and_then(Result::ok)
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
        if let Some(None) = syntax.short_page_ends() {
            doc.report(
                "pagination",
                &format!("{at}/short-page-ends"),
                "`short-page-ends` must be true or false",
            );
        }
        if let Some(None) = syntax.stop_on_empty() {
            doc.report(
                "pagination",
                &format!("{at}/stop-on-empty"),
                "`stop-on-empty` must be true or false",
            );
        }
        check_pointers(doc, &syntax, body);
    });
}

/// `items`, `next-cursor`, `has-more`, `next-link` and `total` must point at a field of the right type
/// in the success body.
fn check_pointers(doc: &mut Doc<'_>, syntax: &Syntax<'_>, body: Option<&Value>) {
    let raw = doc.raw;
    let at = &syntax.at;
    for &(key, kind) in BODY_POINTERS {
        let Some(value) = syntax.text(key) else {
            continue;
        };
        // `items: ''` is the whole body: a list answered as a bare JSON array.
        let whole = |p: &&str| key == "items" && p.is_empty();
        let Some(pointer) = value.ok().filter(|p| p.starts_with('/') || whole(p)) else {
            doc.report(
                "pagination",
                &format!("{at}/{key}"),
                format!(
                    "`{key}` must be a JSON pointer into the response body, like `/items` (`''` \
                     for `items`: the body is the array)"
                ),
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
