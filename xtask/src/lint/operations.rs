//! `operation-id`, `operation-summary`, `operation-description`, `operation-tag`: what the
//! generated method is called, and what its rustdoc and the reviewer read.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Doc, has_text, operation_name};
use crate::spec::for_each_operation;

pub(super) fn check(doc: &mut Doc<'_>) {
    let raw = doc.raw;
    let declared: Vec<&str> = raw
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("name").and_then(Value::as_str))
        .collect();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for_each_operation(raw, |pointer, path, method, op| {
        let name = operation_name(op, method, path);
        match op.get("operationId").and_then(Value::as_str) {
            None => doc.report(
                "operation-id",
                &pointer,
                format!("operation {name} has no `operationId`"),
            ),
            Some(id) => {
                let at = format!("{pointer}/operationId");
                if !is_snake_case(id) {
                    doc.report(
                        "operation-id",
                        &at,
                        format!("`operationId` `{id}` is not snake_case"),
                    );
                }
                if let Some(first) = seen.get(id) {
                    doc.report(
                        "operation-id",
                        &at,
                        format!("`operationId` `{id}` is already used at #{first}"),
                    );
                } else {
                    seen.insert(id.to_owned(), pointer.clone());
                }
            }
        }
        if !has_text(op, "summary") {
            doc.report(
                "operation-summary",
                &pointer,
                format!("operation {name} has no `summary`"),
            );
        }
        if !has_text(op, "description") {
            doc.report(
                "operation-description",
                &pointer,
                format!("operation {name} has no `description`"),
            );
        }
        let tags: Vec<&Value> = op
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        match tags.as_slice() {
            [] => doc.report(
                "operation-tag",
                &pointer,
                format!("operation {name} has no tag"),
            ),
            [tag] => match tag.as_str() {
                Some(tag) if declared.contains(&tag) => {}
                Some(tag) => doc.report(
                    "operation-tag",
                    &format!("{pointer}/tags/0"),
                    format!("tag `{tag}` is not declared in the top-level `tags`"),
                ),
                None => doc.report(
                    "operation-tag",
                    &format!("{pointer}/tags/0"),
                    "a tag must be a string",
                ),
            },
            more => doc.report(
                "operation-tag",
                &format!("{pointer}/tags"),
                format!(
                    "operation {name} has {} tags; give it exactly one",
                    more.len()
                ),
            ),
        }
    });
}

fn is_snake_case(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !id.contains("__")
        && !id.ends_with('_')
}
