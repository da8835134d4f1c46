//! `description`: parameters, headers, component schemas and properties say what they are,
//! since their descriptions become the rustdoc of the generated setters, types and fields.

use serde_json::Value;

use super::{Doc, has_text, parameters};
use crate::spec::{escape, for_each_operation};
use crate::usage::{Edge, children, schema_roots, walk};

pub(super) fn check(doc: &mut Doc<'_>) {
    let raw = doc.raw;
    let mut seen: Vec<String> = Vec::new();
    for_each_operation(raw, |pointer, path, _, op| {
        for (at, param) in parameters(raw, path, op, &pointer) {
            if seen.contains(&at) {
                continue;
            }
            seen.push(at.clone());
            if !has_text(param, "description") {
                let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
                doc.report(
                    "description",
                    &at,
                    format!("parameter `{name}` has no `description`"),
                );
            }
        }
    });
    for_each_header(raw, |at, name, header| {
        if !has_text(header, "description") {
            doc.report(
                "description",
                &at,
                format!("header `{name}` has no `description`"),
            );
        }
    });
    for root in schema_roots(raw) {
        if let Some(name) = root.pointer.strip_prefix("/components/schemas/")
            && !has_text(root.node, "description")
            && root.node.get("$ref").is_none()
        {
            doc.report(
                "description",
                &root.pointer,
                format!("schema `{name}` has no `description`"),
            );
        }
        walk(root.node, &root.pointer, &mut |pointer, node| {
            for (edge, child) in children(node) {
                let Edge::Property(name) = edge else { continue };
                // A bare `$ref` cannot carry a description in OpenAPI 3.0: its target's counts.
                let bare_ref =
                    child.as_object().is_some_and(|m| m.len() == 1) && child.get("$ref").is_some();
                if !bare_ref && !has_text(child, "description") {
                    doc.report(
                        "description",
                        &format!("{pointer}/properties/{}", escape(&name)),
                        format!("property `{name}` has no `description`"),
                    );
                }
            }
        });
    }
}

/// Every response header where it is written (inline, or once in `components/responses`).
fn for_each_header(raw: &Value, mut f: impl FnMut(String, &str, &Value)) {
    let mut visit = |pointer: String, response: &Value| {
        if let Some(headers) = response.get("headers").and_then(Value::as_object) {
            for (name, header) in headers {
                let header = crate::spec::resolve(raw, header);
                f(format!("{pointer}/headers/{}", escape(name)), name, header);
            }
        }
    };
    for_each_operation(raw, |pointer, _, _, op| {
        if let Some(responses) = op.get("responses").and_then(Value::as_object) {
            for (status, response) in responses {
                if response.get("$ref").is_none() {
                    visit(format!("{pointer}/responses/{}", escape(status)), response);
                }
            }
        }
    });
    if let Some(responses) = raw
        .pointer("/components/responses")
        .and_then(Value::as_object)
    {
        for (name, response) in responses {
            visit(format!("/components/responses/{}", escape(name)), response);
        }
    }
}
