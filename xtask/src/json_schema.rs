//! OpenAPI 3.0 schemas as JSON Schema 2020-12, so examples are checked by the `jsonschema`
//! crate rather than by a validator of our own.
//!
//! OpenAPI 3.0's schema dialect differs from JSON Schema in a few places this translates:
//! `nullable` (a type union), boolean `exclusiveMinimum`/`exclusiveMaximum` (numbers in
//! 2020-12), keywords beside `$ref` (ignored in 3.0, applied in 2020-12) and refs into
//! `#/components/schemas` (moved under `$defs`). Draft 2020-12 is the target because it knows
//! the `uuid` format; formats are asserted, as the generated client parses them.

use serde_json::{Map, Value};

/// Validates example values against the schemas of one spec.
pub struct ExampleChecker {
    defs: Value,
}

impl ExampleChecker {
    /// Prepares the spec's component schemas once.
    pub fn new(raw: &Value) -> Self {
        let defs = raw
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|schemas| {
                schemas
                    .iter()
                    .map(|(name, schema)| (name.clone(), convert(schema)))
                    .collect::<Map<_, _>>()
            })
            .unwrap_or_default();
        Self {
            defs: Value::Object(defs),
        }
    }

    /// `Ok` when `value` is valid for `schema` (an OpenAPI 3.0 schema node of the same spec);
    /// otherwise the first problem, one line, with its location inside the value.
    pub fn check(&self, schema: &Value, value: &Value) -> Result<(), String> {
        let mut root = match convert(schema) {
            Value::Object(map) => map,
            other => {
                // `true`/`false` schemas cannot carry `$defs`.
                let mut map = Map::new();
                map.insert("allOf".into(), Value::Array(vec![other]));
                map
            }
        };
        root.insert("$defs".into(), self.defs.clone());
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&Value::Object(root))
            .map_err(|e| format!("its schema is not valid JSON Schema: {e}"))?;
        let errors: Vec<_> = validator.iter_errors(value).collect();
        let Some(first) = errors.first() else {
            return Ok(());
        };
        let at = first.instance_path().to_string();
        let at = if at.is_empty() { "/" } else { at.as_str() };
        let more = match errors.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        Err(crate::spec::one_line(&format!("at {at}: {first}{more}")))
    }
}

const DROPPED: &[&str] = &[
    "nullable",
    "discriminator",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// One OpenAPI 3.0 schema node as JSON Schema 2020-12.
pub fn convert(node: &Value) -> Value {
    let Value::Object(map) = node else {
        return node.clone();
    };
    if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
        let target = match reference.strip_prefix("#/components/schemas/") {
            Some(name) => format!("#/$defs/{name}"),
            None => reference.to_owned(),
        };
        return serde_json::json!({ "$ref": target });
    }
    let mut out = Map::new();
    for (key, value) in map {
        if DROPPED.contains(&key.as_str()) || key.starts_with("x-") {
            continue;
        }
        let converted = match key.as_str() {
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), convert(v)))
                    .collect(),
            ),
            "items" | "additionalProperties" | "not" => convert(value),
            "allOf" | "oneOf" | "anyOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(convert)
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(exclusive) = out.get(flag).and_then(Value::as_bool) {
            out.remove(flag);
            if exclusive && let Some(limit) = out.remove(bound) {
                out.insert(flag.into(), limit);
            }
        }
    }
    if map.get("nullable").and_then(Value::as_bool) != Some(true) {
        return Value::Object(out);
    }
    let composed = ["allOf", "oneOf", "anyOf"]
        .iter()
        .any(|k| out.contains_key(*k));
    if composed {
        // `nullable` beside a composition: the value may be null, or else satisfy the rest.
        return serde_json::json!({ "anyOf": [{ "type": "null" }, Value::Object(out)] });
    }
    if let Some(Value::String(kind)) = out.get("type").cloned() {
        out.insert("type".into(), serde_json::json!([kind, "null"]));
    }
    if let Some(Value::Array(values)) = out.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({"components": {"schemas": {
            "User": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "seen": {"type": "string", "format": "date-time", "nullable": true},
                    "role": {"type": "string", "nullable": true, "allOf": [{"$ref": "#/components/schemas/Role"}]}
                }
            },
            "Role": {"type": "string", "x-extensible-enum": ["admin"]}
        }}})
    }

    #[test]
    fn nullable_refs_and_formats() {
        let checker = ExampleChecker::new(&spec());
        let user = json!({"$ref": "#/components/schemas/User"});
        let id = "7b1f28b9-a4ad-450b-a0ea-fd647d5109b2";
        assert_eq!(
            checker.check(&user, &json!({"id": id, "seen": null, "role": null})),
            Ok(())
        );
        assert_eq!(
            checker.check(&user, &json!({"id": id, "role": "someone new"})),
            Ok(())
        );
        assert_eq!(
            checker.check(&user, &json!({"id": "42"})),
            Err(r#"at /id: "42" is not a "uuid""#.to_owned())
        );
        assert_eq!(
            checker.check(&user, &json!({"id": id, "seen": "yesterday"})),
            Err(r#"at /seen: "yesterday" is not a "date-time""#.to_owned())
        );
    }

    #[test]
    fn exclusive_bounds_become_numbers() {
        let schema = json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true});
        assert_eq!(
            convert(&schema),
            json!({"type": "integer", "exclusiveMinimum": 0})
        );
    }
}
