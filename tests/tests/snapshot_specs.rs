//! One YAML snapshot per spec: a normalized, sorted summary of what the spec declares.
//!
//! Every entry is one line (`section: key: value`), keyed so that editing one field of a spec
//! changes one line of its snapshot: a property is `User.email: string, nullable, optional`, a
//! parameter `list_users.query.per_page: integer, optional, minimum 1`. Prose (`description`,
//! `summary`) is left out; any schema keyword this summary does not know is still shown, as
//! `keyword=<json>`, so that nothing a spec says about shape or wire format goes unseen.
//!
//! Example payloads are not summarized here (only their names): `snapshot_examples.rs` round-trips
//! them through the generated types.

mod spec_common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;
use spec_common::{METHODS, load};

type Section = BTreeMap<String, String>;

/// The summary of one spec, in the order the sections appear in the snapshot.
#[derive(Serialize, Default)]
struct Summary {
    info: Section,
    servers: Section,
    security: Section,
    operations: Section,
    parameters: Section,
    responses: Section,
    pagination: Section,
    extensions: Section,
    schemas: Section,
}

#[test]
fn spec_summaries() {
    insta::glob!("../../specs", "*.yaml", |path| {
        let spec = load(path);
        insta::assert_yaml_snapshot!("summary", summarize(&spec));
    });
}

fn summarize(spec: &Value) -> Summary {
    let mut summary = Summary::default();

    let info = &mut summary.info;
    put(info, "openapi", str_at(spec, "/openapi"));
    put(info, "title", str_at(spec, "/info/title"));
    put(info, "version", str_at(spec, "/info/version"));
    if let Some(tags) = spec.get("tags").and_then(Value::as_array) {
        let names: Vec<&str> = tags
            .iter()
            .filter_map(|t| t.get("name").and_then(Value::as_str))
            .collect();
        put(info, "tags", list(&names));
    }
    extensions(info, "", spec);
    rollcall_extensions(&mut summary.extensions, "", spec);

    for (i, server) in array(spec, "servers").iter().enumerate() {
        put(&mut summary.servers, &i.to_string(), str_at(server, "/url"));
        rollcall_extensions(&mut summary.extensions, &format!("servers.{i}."), server);
        for (name, variable) in object(server, "variables") {
            let mut parts = vec![format!("default {}", scalar(&variable["default"]))];
            if let Some(values) = variable.get("enum").and_then(Value::as_array) {
                parts.push(format!("enum {}", scalars(values)));
            }
            put(
                &mut summary.servers,
                &format!("{i}.{name}"),
                parts.join(", "),
            );
        }
    }

    if let Some(security) = spec.get("security") {
        put(&mut summary.security, "global", requirements(security));
    }
    for (name, scheme) in object_at(spec, "/components/securitySchemes") {
        rollcall_extensions(&mut summary.extensions, &format!("scheme.{name}."), scheme);
        put(
            &mut summary.security,
            &format!("scheme.{name}"),
            security_scheme(scheme),
        );
    }

    for (path, item) in object(spec, "paths") {
        let path_params = array(item, "parameters");
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op.get("operationId").and_then(Value::as_str).map_or_else(
                || format!("{} {path}", method.to_uppercase()),
                str::to_owned,
            );
            operation(&mut summary, spec, &id, method, path, op, path_params);
        }
        let mut rest = Vec::new();
        for (key, value) in entries(item) {
            if !METHODS.contains(&key.as_str())
                && !matches!(key.as_str(), "parameters" | "summary" | "description")
            {
                rest.push(format!("{key}={}", compact(value)));
            }
        }
        if !rest.is_empty() {
            put(
                &mut summary.operations,
                &format!("path {path}"),
                rest.join(", "),
            );
        }
    }

    for (name, schema) in object_at(spec, "/components/schemas") {
        schema_lines(&mut summary.schemas, name, schema, None);
    }
    summary
}

#[allow(clippy::too_many_arguments)]
fn operation(
    summary: &mut Summary,
    spec: &Value,
    id: &str,
    method: &str,
    path: &str,
    op: &Value,
    path_params: &[Value],
) {
    let mut parts = vec![format!("{} {path}", method.to_uppercase())];
    if let Some(tags) = op.get("tags").and_then(Value::as_array) {
        parts.push(format!("tags {}", scalars(tags)));
    }
    if let Some(security) = op.get("security") {
        parts.push(format!("security {}", requirements(security)));
    }
    if op.get("deprecated").and_then(Value::as_bool) == Some(true) {
        parts.push("deprecated".into());
    }
    for (key, value) in entries(op) {
        let known = [
            "operationId",
            "summary",
            "description",
            "tags",
            "security",
            "deprecated",
            "parameters",
            "responses",
            "x-rollcall-pagination",
        ];
        if !known.contains(&key.as_str()) {
            parts.push(format!("{key}={}", compact(value)));
        }
    }
    put(&mut summary.operations, id, parts.join(", "));

    // Operation parameters override path-level ones with the same location and name.
    let mut params: BTreeMap<(String, String), String> = BTreeMap::new();
    for param in path_params.iter().chain(array(op, "parameters")) {
        let (via, param) = follow(spec, param);
        let location = str_at(param, "/in");
        let name = str_at(param, "/name");
        let mut parts = vec![describe(param.get("schema").unwrap_or(&Value::Null))];
        parts.push(required(param.get("required").and_then(Value::as_bool) == Some(true)).into());
        for key in [
            "style",
            "explode",
            "allowReserved",
            "allowEmptyValue",
            "deprecated",
        ] {
            if let Some(value) = param.get(key) {
                parts.push(format!("{key} {}", scalar(value)));
            }
        }
        for (key, value) in entries(param) {
            let known = [
                "name",
                "in",
                "description",
                "schema",
                "required",
                "style",
                "explode",
                "allowReserved",
                "allowEmptyValue",
                "deprecated",
            ];
            if !known.contains(&key.as_str()) {
                parts.push(format!("{key}={}", compact(value)));
            }
        }
        if let Some(via) = via {
            parts.push(format!("via {via}"));
        }
        params.insert((location, name), parts.join(", "));
    }
    for ((location, name), line) in params {
        put(
            &mut summary.parameters,
            &format!("{id}.{location}.{name}"),
            line,
        );
    }

    for (status, response) in object(op, "responses") {
        let key = format!("{id}.{status}");
        let (via, response) = follow(spec, response);
        let mut parts = Vec::new();
        for (media, content) in object(response, "content") {
            let mut part = format!(
                "{media} {}",
                describe(content.get("schema").unwrap_or(&Value::Null))
            );
            let mut examples: Vec<String> = object(content, "examples")
                .into_iter()
                .map(
                    |(name, example)| match example.get("$ref").and_then(Value::as_str) {
                        Some(target) => format!("{name} = {}", short_ref(target)),
                        None => name.clone(),
                    },
                )
                .collect();
            if content.get("example").is_some() {
                examples.push("example".into());
            }
            if !examples.is_empty() {
                let _ = write!(part, ", examples [{}]", examples.join(", "));
            }
            parts.push(part);
        }
        if parts.is_empty() {
            parts.push("no body".into());
        }
        for (key, value) in entries(response) {
            if !["description", "content", "headers"].contains(&key.as_str()) {
                parts.push(format!("{key}={}", compact(value)));
            }
        }
        if let Some(via) = via {
            parts.push(format!("via {via}"));
        }
        put(&mut summary.responses, &key, parts.join("; "));
        for (name, header) in object(response, "headers") {
            let (via, header) = follow(spec, header);
            let mut parts = vec![
                describe(header.get("schema").unwrap_or(&Value::Null)),
                required(header.get("required").and_then(Value::as_bool) == Some(true)).into(),
            ];
            if let Some(via) = via {
                parts.push(format!("via {via}"));
            }
            put(
                &mut summary.responses,
                &format!("{key}.header.{name}"),
                parts.join(", "),
            );
        }
    }

    if let Some(pagination) = op.get("x-rollcall-pagination") {
        match pagination.as_object() {
            Some(map) => {
                for (key, value) in map {
                    put(
                        &mut summary.pagination,
                        &format!("{id}.{key}"),
                        scalar(value),
                    );
                }
            }
            None => put(&mut summary.pagination, id, compact(pagination)),
        }
    }
}

/// The lines of one component schema: the schema itself, then each property (recursively for
/// inline objects), keyed `Schema.property`.
fn schema_lines(out: &mut Section, key: &str, schema: &Value, req: Option<bool>) {
    let mut line = describe(schema);
    let props = schema.get("properties").and_then(Value::as_object);
    let required_names: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let undeclared: Vec<&str> = required_names
        .iter()
        .copied()
        .filter(|name| !props.is_some_and(|p| p.contains_key(*name)))
        .collect();
    if !undeclared.is_empty() {
        let _ = write!(line, ", required but not declared {}", list(&undeclared));
    }
    if let Some(req) = req {
        let _ = write!(line, ", {}", required(req));
    }
    put(out, key, line);
    for (name, prop) in props.into_iter().flatten() {
        schema_lines(
            out,
            &format!("{key}.{name}"),
            prop,
            Some(required_names.contains(name.as_str())),
        );
    }
    // Inline objects below arrays, maps and compositions get lines of their own too.
    if let Some(items) = schema.get("items").filter(|s| has_properties(s)) {
        schema_lines(out, &format!("{key}[]"), items, None);
    }
    if let Some(values) = schema
        .get("additionalProperties")
        .filter(|s| has_properties(s))
    {
        schema_lines(out, &format!("{key}{{}}"), values, None);
    }
    for keyword in ["allOf", "oneOf", "anyOf"] {
        for (i, branch) in array(schema, keyword).iter().enumerate() {
            if has_properties(branch) {
                schema_lines(out, &format!("{key}<{keyword} {i}>"), branch, None);
            }
        }
    }
}

fn has_properties(schema: &Value) -> bool {
    schema.get("properties").is_some()
}

/// Schema keywords `describe` renders itself; any other keyword is shown as `keyword=<json>`.
const HANDLED: [&str; 33] = [
    "$ref",
    "type",
    "format",
    "items",
    "properties",
    "required",
    "additionalProperties",
    "allOf",
    "oneOf",
    "anyOf",
    "description",
    "title",
    "nullable",
    "readOnly",
    "writeOnly",
    "deprecated",
    "enum",
    "x-extensible-enum",
    "x-rollcall-case-insensitive",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "example",
    "uniqueItems",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
];

/// A one-line description of a schema: its type (or `$ref` target, or composition) followed by
/// its flags, in a fixed order.
fn describe(schema: &Value) -> String {
    let mut parts = Vec::new();
    let base = if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        format!("-> {}", short_ref(target))
    } else if let Some((keyword, branches)) = ["allOf", "oneOf", "anyOf"]
        .iter()
        .find_map(|k| schema.get(*k).and_then(Value::as_array).map(|b| (*k, b)))
    {
        let branches: Vec<String> = branches
            .iter()
            .map(|branch| {
                let inner = describe(branch);
                match branch.get("title").and_then(Value::as_str) {
                    // The title names the Rust variant; `describe` shows it last for the branch.
                    Some(_) => format!("({inner})"),
                    None if inner.contains(", ") => format!("({inner})"),
                    None => inner,
                }
            })
            .collect();
        let mut base = format!("{keyword} [{}]", branches.join(" | "));
        if let Some(kind) = schema.get("type") {
            base = format!("{} {base}", scalar(kind));
        }
        base
    } else {
        let mut base = match schema.get("type") {
            Some(kind) => scalar(kind),
            None => "any".to_owned(),
        };
        if let Some(format) = schema.get("format") {
            let _ = write!(base, "({})", scalar(format));
        }
        if let Some(items) = schema.get("items") {
            let inner = describe(items);
            if inner.contains(", ") {
                let _ = write!(base, " of ({inner})");
            } else {
                let _ = write!(base, " of {inner}");
            }
        }
        base
    };
    parts.push(base);
    if schema.get("$ref").is_some() {
        // Siblings of `$ref` are ignored by OpenAPI 3.0 tools; show them so nobody relies on them.
        for (key, value) in entries(schema) {
            if key != "$ref" && key != "description" {
                parts.push(format!("ignored {key}={}", compact(value)));
            }
        }
        return parts.join(", ");
    }
    for flag in [
        "nullable",
        "readOnly",
        "writeOnly",
        "deprecated",
        "uniqueItems",
    ] {
        if schema.get(flag).and_then(Value::as_bool) == Some(true) {
            parts.push(flag.to_owned());
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        parts.push(format!("enum {}", scalars(values)));
    }
    if let Some(values) = schema.get("x-extensible-enum").and_then(Value::as_array) {
        parts.push(format!("x-extensible-enum {}", scalars(values)));
    }
    if schema
        .get("x-rollcall-case-insensitive")
        .and_then(Value::as_bool)
        == Some(true)
    {
        parts.push("case-insensitive".to_owned());
    }
    for keyword in [
        "default",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
    ] {
        if let Some(value) = schema.get(keyword) {
            parts.push(format!("{keyword} {}", scalar(value)));
        }
    }
    if schema.get("properties").is_some() && schema.get("type").is_none() {
        parts.push("has properties".to_owned());
    }
    match schema.get("additionalProperties") {
        None => {}
        Some(Value::Bool(allowed)) => parts.push(format!("additionalProperties {allowed}")),
        Some(values) if has_properties(values) => {
            parts.push("additionalProperties inline object".to_owned())
        }
        Some(values) => {
            let inner = describe(values);
            if inner.contains(", ") {
                parts.push(format!("additionalProperties ({inner})"));
            } else {
                parts.push(format!("additionalProperties {inner}"));
            }
        }
    }
    if let Some(title) = schema.get("title") {
        parts.push(format!("title {}", scalar(title)));
    }
    if schema.get("example").is_some() {
        parts.push("has example".to_owned());
    }
    for (key, value) in entries(schema) {
        if !HANDLED.contains(&key.as_str()) {
            parts.push(format!("{key}={}", compact(value)));
        }
    }
    parts.join(", ")
}

fn security_scheme(scheme: &Value) -> String {
    let mut parts = vec![str_at(scheme, "/type")];
    for key in ["scheme", "bearerFormat", "in", "name", "openIdConnectUrl"] {
        if let Some(value) = scheme.get(key) {
            parts.push(format!("{key} {}", scalar(value)));
        }
    }
    if let Some(flows) = scheme.get("flows") {
        parts.push(format!("flows={}", compact(flows)));
    }
    parts.join(", ")
}

/// `a | b + c`: alternatives separated by `|`, schemes required together joined by `+`.
fn requirements(security: &Value) -> String {
    let alternatives: Vec<String> = security
        .as_array()
        .into_iter()
        .flatten()
        .map(|requirement| {
            let all: Vec<String> = entries(requirement)
                .into_iter()
                .map(|(name, scopes)| match scopes.as_array() {
                    Some(s) if !s.is_empty() => format!("{name} {}", scalars(s)),
                    _ => name.clone(),
                })
                .collect();
            if all.is_empty() {
                "anonymous".to_owned()
            } else {
                all.join(" + ")
            }
        })
        .collect();
    if alternatives.is_empty() {
        "none".to_owned()
    } else {
        alternatives.join(" | ")
    }
}

/// Follows a local `$ref`, returning the name it went through (`responses/Error`) and the target.
fn follow<'a>(spec: &'a Value, node: &'a Value) -> (Option<String>, &'a Value) {
    match node.get("$ref").and_then(Value::as_str) {
        Some(target) => {
            let pointer = target.strip_prefix('#').unwrap_or(target);
            let resolved = spec
                .pointer(pointer)
                .unwrap_or_else(|| panic!("dangling $ref `{target}`"));
            (Some(short_ref(target)), resolved)
        }
        None => (None, node),
    }
}

/// `#/components/schemas/User` → `User`; other component kinds keep their kind
/// (`responses/Error`); anything else stays as written.
fn short_ref(target: &str) -> String {
    match target.strip_prefix("#/components/") {
        Some(rest) => rest.strip_prefix("schemas/").unwrap_or(rest).to_owned(),
        None => target.to_owned(),
    }
}

fn required(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

fn put(section: &mut Section, key: &str, value: String) {
    let previous = section.insert(key.to_owned(), value);
    assert!(previous.is_none(), "two summary entries for `{key}`");
}

fn extensions(section: &mut Section, prefix: &str, node: &Value) {
    for (key, value) in entries(node) {
        if key.starts_with("x-") && !key.starts_with("x-rollcall") {
            put(section, &format!("{prefix}{key}"), compact(value));
        }
    }
}

/// The `x-rollcall*` extensions of `node` (not its children), one line per leaf value, so that a
/// change to one pointer shows up as one line.
fn rollcall_extensions(section: &mut Section, prefix: &str, node: &Value) {
    for (key, value) in entries(node) {
        if key.starts_with("x-rollcall") {
            leaves(section, &format!("{prefix}{key}"), value);
        }
    }
}

fn leaves(section: &mut Section, at: &str, value: &Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                leaves(section, &format!("{at}.{key}"), value);
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            for (i, value) in items.iter().enumerate() {
                leaves(section, &format!("{at}.{i}"), value);
            }
        }
        Value::Array(_) => put(section, at, compact(value)),
        other => put(section, at, scalar(other)),
    }
}

fn str_at(node: &Value, pointer: &str) -> String {
    node.pointer(pointer)
        .map_or_else(|| "(missing)".to_owned(), scalar)
}

fn array<'a>(node: &'a Value, key: &str) -> &'a [Value] {
    node.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The entries of a mapping, sorted by key (whatever order the YAML had).
fn entries(node: &Value) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = node.as_object().into_iter().flatten().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

fn object<'a>(node: &'a Value, key: &str) -> Vec<(&'a String, &'a Value)> {
    node.get(key).map(entries).unwrap_or_default()
}

fn object_at<'a>(node: &'a Value, pointer: &str) -> Vec<(&'a String, &'a Value)> {
    node.pointer(pointer).map(entries).unwrap_or_default()
}

/// A scalar as plain text (strings unquoted); anything else as compact JSON.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => compact(other),
    }
}

fn scalars(values: &[Value]) -> String {
    let items: Vec<String> = values.iter().map(scalar).collect();
    format!("[{}]", items.join(", "))
}

fn list(items: &[&str]) -> String {
    format!("[{}]", items.join(", "))
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).expect("a JSON value serializes")
}
