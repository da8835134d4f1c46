//! Every response example of every spec deserializes into the generated Rust type of its schema,
//! and the typed value, serialized back to JSON, is snapshotted.
//!
//! Examples are the media-type `example` and each `examples` entry of every response (through
//! `$ref`s to `components/responses` and `components/examples`), and the `example` of each
//! component schema. An example that no longer fits its type fails the test; so does a schema
//! without a generated type, and a component example no response uses: nothing is skipped
//! silently.
//!
//! Snapshot names say where an example lives: `list_users-200-docs` (inline in an operation's
//! response), `response-Error-<name>` (inline in a component response), `example-<Name>` (a
//! component example, shared by every response that references it), `schema-<Name>` (a schema's
//! own `example`). Each snapshot holds the schema, the Rust type it was read into and the value
//! as that type writes it, so a field the type drops or renames shows up in the diff.

mod spec_common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use spec_common::{METHODS, load};

/// Reads an example into the generated type of `schema` of `provider` (through the registry,
/// so a provider added by its spec needs no table here) and writes it back.
fn round_trip(provider: &str, schema: &str, example: &Value) -> Result<Value, String> {
    let provider: rollcall::Provider = provider.parse()?;
    // Read from pretty text rather than from the value, so that an error can quote its line.
    let text = serde_json::to_string_pretty(example).map_err(|e| e.to_string())?;
    provider
        .__round_trip(schema, &text)
        .unwrap_or_else(|| Err(format!("schema `{schema}` has no generated Rust type")))
}

#[test]
fn examples_round_trip() {
    let mut failures = Vec::new();
    insta::glob!("../../specs", "*.yaml", |path| {
        let provider = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a spec file name is UTF-8")
            .to_owned();
        let spec = load(path);
        let (examples, problems) = collect(&spec);
        for problem in problems {
            failures.push(format!("specs/{provider}.yaml: {problem}"));
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_sort_maps(true);
        settings.bind(|| {
            for (name, example) in &examples {
                let used_at = example.used_at.iter().cloned().collect::<Vec<_>>();
                let used_at = used_at.join(", ");
                match round_trip(&provider, &example.schema, &example.value) {
                    Ok(typed) => {
                        let mut snapshot = json!({ "schema": example.schema });
                        snapshot["type"] = typed["type"].clone();
                        snapshot["value"] = typed["value"].clone();
                        insta::assert_json_snapshot!(name.as_str(), snapshot);
                    }
                    Err(error) => failures.push(format!(
                        "specs/{provider}.yaml: example `{name}` ({used_at}) does not fit `{}`: {error}",
                        example.schema
                    )),
                }
            }
        });
    });
    assert!(
        failures.is_empty(),
        "{} example(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One example and the schema it is written against.
struct Example {
    schema: String,
    value: Value,
    /// Where the spec uses it (`list_users 200 application/json`), for messages.
    used_at: BTreeSet<String>,
}

/// Every example of the spec by snapshot name, and the problems that keep some from being
/// round-tripped.
fn collect(spec: &Value) -> (BTreeMap<String, Example>, Vec<String>) {
    let mut examples: BTreeMap<String, Example> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut used_components = BTreeSet::new();

    let mut add = |name: String, schema: &str, value: Value, site: String| {
        // The same example under two schemas is round-tripped under each.
        let name = match examples.get(&name) {
            Some(existing) if existing.schema != schema => format!("{name}-{schema}"),
            _ => name,
        };
        examples
            .entry(name)
            .or_insert_with(|| Example {
                schema: schema.to_owned(),
                value,
                used_at: BTreeSet::new(),
            })
            .used_at
            .insert(site);
    };

    for (path, item) in entries(spec.get("paths")) {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map_or_else(|| format!("{method} {path}"), str::to_owned);
            for (status, response) in entries(op.get("responses")) {
                let (component, response) = match response.get("$ref").and_then(Value::as_str) {
                    Some(target) => match target
                        .strip_prefix("#/components/responses/")
                        .zip(resolve(spec, target))
                    {
                        Some((name, resolved)) => (Some(name.to_owned()), resolved),
                        None => {
                            problems.push(format!("{id} {status}: cannot follow `{target}`"));
                            continue;
                        }
                    },
                    None => (None, response),
                };
                let prefix = match &component {
                    Some(name) => format!("response-{name}"),
                    None => format!("{id}-{status}"),
                };
                for (media, content) in entries(response.get("content")) {
                    let site = format!("{id} {status} {media}");
                    let has_examples =
                        content.get("example").is_some() || content.get("examples").is_some();
                    if !has_examples {
                        continue;
                    }
                    if !(media == "application/json" || media.ends_with("+json")) {
                        problems.push(format!(
                            "{site}: examples of a non-JSON media type are not round-tripped"
                        ));
                        continue;
                    }
                    let schema = match content
                        .pointer("/schema/$ref")
                        .and_then(Value::as_str)
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    {
                        Some(schema) => schema,
                        None => {
                            problems.push(format!(
                                "{site}: the schema is not a `$ref` to a component schema, so \
                                 its examples have no named Rust type to round-trip into"
                            ));
                            continue;
                        }
                    };
                    if let Some(value) = content.get("example") {
                        add(
                            format!("{prefix}-example"),
                            schema,
                            value.clone(),
                            site.clone(),
                        );
                    }
                    for (name, example) in entries(content.get("examples")) {
                        match example.get("$ref").and_then(Value::as_str) {
                            Some(target) => {
                                let Some(component) = target.strip_prefix("#/components/examples/")
                                else {
                                    problems.push(format!(
                                        "{site}: example `{name}`: cannot follow `{target}`"
                                    ));
                                    continue;
                                };
                                used_components.insert(component.to_owned());
                                match resolve(spec, target).and_then(|e| e.get("value")) {
                                    Some(value) => add(
                                        format!("example-{component}"),
                                        schema,
                                        value.clone(),
                                        site.clone(),
                                    ),
                                    None => problems.push(format!(
                                        "{site}: example `{name}` (`{target}`) has no `value`"
                                    )),
                                }
                            }
                            None => match example.get("value") {
                                Some(value) => add(
                                    format!("{prefix}-{name}"),
                                    schema,
                                    value.clone(),
                                    site.clone(),
                                ),
                                None => problems
                                    .push(format!("{site}: example `{name}` has no `value`")),
                            },
                        }
                    }
                }
            }
        }
    }

    for (name, schema) in entries(spec.pointer("/components/schemas")) {
        if let Some(value) = schema.get("example") {
            add(
                format!("schema-{name}"),
                name,
                value.clone(),
                format!("components/schemas/{name}"),
            );
        }
    }

    for (name, _) in entries(spec.pointer("/components/examples")) {
        if !used_components.contains(name) {
            problems.push(format!(
                "components/examples/{name} is used by no response, so nothing checks it"
            ));
        }
    }
    (examples, problems)
}

fn resolve<'a>(spec: &'a Value, target: &str) -> Option<&'a Value> {
    spec.pointer(target.strip_prefix('#')?)
}

/// The entries of a mapping, sorted by key.
fn entries(node: Option<&Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = node
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}
