//! `example-valid`: every example validates against its schema, as the generated client would
//! parse it. The examples are the specs' evidence of what real servers send; one that does not
//! validate means the schema or the example is wrong.

use serde_json::Value;

use super::{Doc, parameters};
use crate::json_schema::ExampleChecker;
use crate::spec::{escape, for_each_operation, resolve};
use crate::usage::{schema_roots, walk};

pub(super) fn check(doc: &mut Doc<'_>) {
    let raw = doc.raw;
    let checker = ExampleChecker::new(raw);
    // (pointer of the holder, holder): media types, parameters and headers, each where written.
    let mut holders: Vec<(String, &Value)> = Vec::new();
    let mut seen_params: Vec<String> = Vec::new();
    for_each_operation(raw, |pointer, path, _, op| {
        for (at, param) in parameters(raw, path, op, &pointer) {
            if !seen_params.contains(&at) {
                seen_params.push(at.clone());
                holders.push((at, param));
            }
        }
        if let Some(body) = op.get("requestBody").filter(|b| b.get("$ref").is_none()) {
            media_types(&format!("{pointer}/requestBody"), body, &mut holders);
        }
        if let Some(responses) = op.get("responses").and_then(Value::as_object) {
            for (status, response) in responses {
                if response.get("$ref").is_none() {
                    let at = format!("{pointer}/responses/{}", escape(status));
                    response_parts(&at, response, &mut holders);
                }
            }
        }
    });
    let section = |name: &str| {
        raw.pointer(&format!("/components/{name}"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
    };
    for (name, response) in section("responses") {
        let at = format!("/components/responses/{}", escape(name));
        response_parts(&at, response, &mut holders);
    }
    for (name, body) in section("requestBodies") {
        media_types(
            &format!("/components/requestBodies/{}", escape(name)),
            body,
            &mut holders,
        );
    }
    for (at, holder) in holders {
        let Some(schema) = holder.get("schema") else {
            continue;
        };
        if let Some(example) = holder.get("example")
            && let Err(problem) = checker.check(schema, example)
        {
            doc.report(
                "example-valid",
                &format!("{at}/example"),
                format!("`example` does not match its schema {problem}"),
            );
        }
        let examples = holder.get("examples").and_then(Value::as_object);
        for (name, example) in examples.into_iter().flatten() {
            let target = example.get("$ref").and_then(Value::as_str);
            let Some(value) = resolve(raw, example).get("value") else {
                // `externalValue` examples live elsewhere.
                continue;
            };
            if let Err(problem) = checker.check(schema, value) {
                let from = target.map_or(String::new(), |t| format!(" (`{t}`)"));
                doc.report(
                    "example-valid",
                    &format!("{at}/examples/{}", escape(name)),
                    format!("example `{name}`{from} does not match its schema {problem}"),
                );
            }
        }
    }
    for root in schema_roots(raw) {
        walk(root.node, &root.pointer, &mut |pointer, node| {
            if let Some(example) = node.get("example")
                && let Err(problem) = checker.check(node, example)
            {
                doc.report(
                    "example-valid",
                    &format!("{pointer}/example"),
                    format!("`example` does not match its schema {problem}"),
                );
            }
        });
    }
}

fn response_parts<'a>(pointer: &str, response: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    media_types(pointer, response, out);
    if let Some(headers) = response.get("headers").and_then(Value::as_object) {
        for (name, header) in headers {
            if header.get("$ref").is_none() {
                out.push((format!("{pointer}/headers/{}", escape(name)), header));
            }
        }
    }
}

fn media_types<'a>(pointer: &str, holder: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    if let Some(content) = holder.get("content").and_then(Value::as_object) {
        for (media, body) in content {
            out.push((format!("{pointer}/content/{}", escape(media)), body));
        }
    }
}
