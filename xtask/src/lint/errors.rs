//! `error-responses` and `retry-after`: every operation types its errors the one way
//! progenitor can generate (one all-optional schema for every error status), and rate limits
//! tell the retrying client how long to wait.

use serde_json::Value;

use super::{Doc, operation_name, ref_or};
use crate::spec::{escape, for_each_operation, resolve};

pub(super) fn check(doc: &mut Doc<'_>) {
    let raw = doc.raw;
    let mut checked_429: Vec<String> = Vec::new();
    let mut checked_schemas: Vec<String> = Vec::new();
    for_each_operation(raw, |pointer, path, method, op| {
        let name = operation_name(op, method, path);
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            return;
        };
        let at = format!("{pointer}/responses");
        for status in ["429", "4XX", "5XX"] {
            if !responses.contains_key(status) {
                doc.report(
                    "error-responses",
                    &at,
                    format!("operation {name} does not declare `{status}`"),
                );
            }
        }
        let mut first: Option<(&str, &Value, String)> = None;
        for (status, response) in responses {
            if status.starts_with('2') || status.starts_with('1') || status.starts_with('3') {
                continue;
            }
            let response_at = format!("{at}/{}", escape(status));
            let resolved = resolve(raw, response);
            let schema = resolved
                .get("content")
                .and_then(|c| c.get("application/json"))
                .and_then(|m| m.get("schema"));
            let Some(schema) = schema else {
                doc.report(
                    "error-responses",
                    &response_at,
                    format!("error response `{status}` has no `application/json` schema"),
                );
                continue;
            };
            match &first {
                None => {
                    let schema_at = ref_or(
                        raw,
                        schema,
                        format!("{response_at}/content/application~1json/schema"),
                    );
                    first = Some((status.as_str(), resolve(raw, schema), schema_at));
                }
                Some((first_status, first_schema, _)) => {
                    if resolve(raw, schema) != *first_schema {
                        doc.report(
                            "error-responses",
                            &response_at,
                            format!(
                                "error response `{status}` has another schema than `{first_status}`: \
                                 every error status of an operation shares one"
                            ),
                        );
                    }
                }
            }
            if status == "429" {
                let where_ = ref_or(raw, response, response_at.clone());
                if !checked_429.contains(&where_) {
                    checked_429.push(where_.clone());
                    let headers = resolved.get("headers").and_then(Value::as_object);
                    let has = headers
                        .into_iter()
                        .flatten()
                        .any(|(h, _)| h.eq_ignore_ascii_case("retry-after"));
                    if !has {
                        doc.report(
                            "retry-after",
                            &where_,
                            "`429` response declares no `Retry-After` header",
                        );
                    }
                }
            }
        }
        // An envelope shared with the success body (Worksection's) may require the field that
        // tells success from failure: every answer of that provider carries it.
        let shared_envelope = |schema: &Value| super::success_schema(raw, op) == Some(schema);
        if let Some((_, schema, schema_at)) = first.filter(|(_, s, _)| !shared_envelope(s))
            && !checked_schemas.contains(&schema_at)
        {
            checked_schemas.push(schema_at.clone());
            let required = schema.get("required").and_then(Value::as_array);
            if let Some(required) = required.filter(|r| !r.is_empty()) {
                let names: Vec<String> = required
                    .iter()
                    .map(|r| format!("`{}`", r.as_str().unwrap_or("?")))
                    .collect();
                doc.report(
                        "error-responses",
                        &format!("{schema_at}/required"),
                        format!(
                            "the error schema requires {}: every field of an error body must be optional \
                             so that every error shape parses",
                            names.join(", ")
                        ),
                    );
            }
        }
    });
}
