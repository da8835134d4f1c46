//! Which schemas a spec reads from responses and which it sends in requests, and where its
//! schemas are. The diff judges a change by direction (a new enum value is harmless to send and
//! a surprise to receive); the linter walks every schema once.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::spec::{escape, for_each_operation, resolve};

/// The direction a schema travels in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Usage {
    /// Only in responses: the client parses it.
    Response,
    /// Only in requests: the client sends it.
    Request,
    /// Both ways, so both sets of rules apply.
    Both,
}

impl Usage {
    /// The direction of a schema used `self` and `other` ways.
    pub fn merge(self, other: Usage) -> Usage {
        if self == other { self } else { Usage::Both }
    }

    /// Whether the client parses values of this schema.
    pub fn received(self) -> bool {
        self != Usage::Request
    }

    /// Whether the client sends values of this schema.
    pub fn sent(self) -> bool {
        self != Usage::Response
    }
}

/// A schema that does not sit inside another schema, with its pointer.
#[derive(Debug, Clone)]
pub struct SchemaRoot<'a> {
    /// JSON pointer of the schema node.
    pub pointer: String,
    /// The node as written (possibly a `$ref`).
    pub node: &'a Value,
    /// The direction it travels in.
    pub usage: Usage,
}

/// How a sub-schema hangs off its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edge {
    /// `properties/<name>`.
    Property(String),
    /// `items`.
    Items,
    /// `additionalProperties`.
    AdditionalProperties,
    /// `allOf/<i>`, `oneOf/<i>` or `anyOf/<i>`.
    Branch(&'static str, usize),
    /// `not`.
    Not,
}

impl Edge {
    /// The pointer suffix of this edge.
    pub fn pointer(&self) -> String {
        match self {
            Edge::Property(name) => format!("/properties/{}", escape(name)),
            Edge::Items => "/items".to_owned(),
            Edge::AdditionalProperties => "/additionalProperties".to_owned(),
            Edge::Branch(kind, i) => format!("/{kind}/{i}"),
            Edge::Not => "/not".to_owned(),
        }
    }
}

/// The direct sub-schemas of a schema node (not following `$ref`).
pub fn children(node: &Value) -> Vec<(Edge, &Value)> {
    let mut out = Vec::new();
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (name, schema) in props {
            out.push((Edge::Property(name.clone()), schema));
        }
    }
    if let Some(items) = node.get("items").filter(|v| v.is_object()) {
        out.push((Edge::Items, items));
    }
    if let Some(extra) = node.get("additionalProperties").filter(|v| v.is_object()) {
        out.push((Edge::AdditionalProperties, extra));
    }
    for kind in ["allOf", "oneOf", "anyOf"] {
        if let Some(branches) = node.get(kind).and_then(Value::as_array) {
            for (i, branch) in branches.iter().enumerate() {
                out.push((Edge::Branch(kind, i), branch));
            }
        }
    }
    if let Some(not) = node.get("not").filter(|v| v.is_object()) {
        out.push((Edge::Not, not));
    }
    out
}

/// Calls `f(pointer, node)` for `node` and every schema nested in it, parents first.
pub fn walk<'a>(node: &'a Value, pointer: &str, f: &mut impl FnMut(&str, &'a Value)) {
    f(pointer, node);
    for (edge, child) in children(node) {
        walk(child, &format!("{pointer}{}", edge.pointer()), f);
    }
}

/// The component schema a `$ref` names, if it names one.
pub fn component_name(node: &Value) -> Option<&str> {
    node.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
}

/// Every schema of the spec that is not nested in another: components, and the inline schemas
/// of parameters, headers and bodies (a `$ref`'d parameter or response is listed once, where it
/// is defined).
pub fn schema_roots(raw: &Value) -> Vec<SchemaRoot<'_>> {
    let usage = component_usage(raw);
    let mut roots = Vec::new();
    let mut inline: Vec<(String, &Value, Usage)> = Vec::new();
    for_each_operation(raw, |pointer, _, _, op| {
        collect_operation(op, &pointer, &mut inline);
    });
    if let Some(paths) = raw.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            if let Some(params) = item.get("parameters").and_then(Value::as_array) {
                let at = format!("/paths/{}/parameters", escape(path));
                collect_parameters(params, &at, &mut inline);
            }
        }
    }
    let components = raw.get("components");
    let section = |name: &str| {
        components
            .and_then(|c| c.get(name))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
    };
    for (name, param) in section("parameters") {
        if let Some(schema) = param.get("schema") {
            let at = format!("/components/parameters/{}/schema", escape(name));
            inline.push((at, schema, Usage::Request));
        }
    }
    for (name, response) in section("responses") {
        collect_response(
            response,
            &format!("/components/responses/{}", escape(name)),
            &mut inline,
        );
    }
    for (name, body) in section("requestBodies") {
        collect_content(
            body,
            &format!("/components/requestBodies/{}", escape(name)),
            Usage::Request,
            &mut inline,
        );
    }
    for (name, header) in section("headers") {
        if let Some(schema) = header.get("schema") {
            let at = format!("/components/headers/{}/schema", escape(name));
            inline.push((at, schema, Usage::Response));
        }
    }
    for (name, schema) in section("schemas") {
        let at = format!("/components/schemas/{}", escape(name));
        // A component nothing uses is generated all the same; judge it as a response type,
        // which is what every component of ours is.
        let used = usage.get(name.as_str()).copied().unwrap_or(Usage::Response);
        roots.push(SchemaRoot {
            pointer: at,
            node: schema,
            usage: used,
        });
    }
    roots.extend(inline.into_iter().map(|(pointer, node, usage)| SchemaRoot {
        pointer,
        node,
        usage,
    }));
    roots
}

fn collect_operation<'a>(op: &'a Value, pointer: &str, out: &mut Vec<(String, &'a Value, Usage)>) {
    if let Some(params) = op.get("parameters").and_then(Value::as_array) {
        collect_parameters(params, &format!("{pointer}/parameters"), out);
    }
    if let Some(body) = op.get("requestBody") {
        collect_content(body, &format!("{pointer}/requestBody"), Usage::Request, out);
    }
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        for (status, response) in responses {
            collect_response(
                response,
                &format!("{pointer}/responses/{}", escape(status)),
                out,
            );
        }
    }
}

fn collect_parameters<'a>(
    params: &'a [Value],
    pointer: &str,
    out: &mut Vec<(String, &'a Value, Usage)>,
) {
    for (i, param) in params.iter().enumerate() {
        if let Some(schema) = param.get("schema") {
            out.push((format!("{pointer}/{i}/schema"), schema, Usage::Request));
        }
    }
}

fn collect_response<'a>(
    response: &'a Value,
    pointer: &str,
    out: &mut Vec<(String, &'a Value, Usage)>,
) {
    collect_content(response, pointer, Usage::Response, out);
    if let Some(headers) = response.get("headers").and_then(Value::as_object) {
        for (name, header) in headers {
            if let Some(schema) = header.get("schema") {
                let at = format!("{pointer}/headers/{}/schema", escape(name));
                out.push((at, schema, Usage::Response));
            }
        }
    }
}

fn collect_content<'a>(
    holder: &'a Value,
    pointer: &str,
    usage: Usage,
    out: &mut Vec<(String, &'a Value, Usage)>,
) {
    if let Some(content) = holder.get("content").and_then(Value::as_object) {
        for (media, body) in content {
            if let Some(schema) = body.get("schema") {
                let at = format!("{pointer}/content/{}/schema", escape(media));
                out.push((at, schema, usage));
            }
        }
    }
}

/// The direction of every component schema reachable from an operation, following `$ref`s
/// through parameters, bodies, responses and other schemas.
pub fn component_usage(raw: &Value) -> BTreeMap<String, Usage> {
    let mut seeds: Vec<(&Value, Usage)> = Vec::new();
    for_each_operation(raw, |_, path, _, op| {
        let path_params = raw
            .pointer(&format!("/paths/{}/parameters", escape(path)))
            .and_then(Value::as_array);
        for param in op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(path_params.into_iter().flatten())
        {
            seeds.push((resolve(raw, param), Usage::Request));
        }
        if let Some(body) = op.get("requestBody") {
            seeds.push((resolve(raw, body), Usage::Request));
        }
        if let Some(responses) = op.get("responses").and_then(Value::as_object) {
            for response in responses.values() {
                seeds.push((resolve(raw, response), Usage::Response));
            }
        }
    });
    let mut usage: BTreeMap<String, Usage> = BTreeMap::new();
    let mut queue: Vec<(String, Usage)> = Vec::new();
    for (node, used) in seeds {
        let mut names = Vec::new();
        schema_refs(raw, node, &mut names);
        queue.extend(names.into_iter().map(|n| (n, used)));
    }
    while let Some((name, used)) = queue.pop() {
        let merged = usage.get(&name).map_or(used, |u| u.merge(used));
        if usage.get(&name) == Some(&merged) {
            continue;
        }
        usage.insert(name.clone(), merged);
        if let Some(schema) = raw
            .pointer("/components/schemas")
            .and_then(|s| s.get(name.as_str()))
        {
            let mut names = Vec::new();
            schema_refs(raw, schema, &mut names);
            queue.extend(names.into_iter().map(|n| (n, merged)));
        }
    }
    usage
}

/// Names of the component schemas `node` refers to, anywhere inside it; `$ref`s to other
/// components (examples, headers) are followed into.
fn schema_refs(raw: &Value, node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(name) = component_name(node) {
                out.push(name.to_owned());
                return;
            }
            if map.contains_key("$ref") {
                let target = resolve(raw, node);
                if !std::ptr::eq(target, node) {
                    schema_refs(raw, target, out);
                }
                return;
            }
            for (key, value) in map {
                // Examples are data, not schemas.
                if key != "example" && key != "examples" {
                    schema_refs(raw, value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| schema_refs(raw, v, out)),
        _ => {}
    }
}
