//! Loading a spec: YAML parsing, structural checks and the located, one-line errors they give.
//!
//! progenitor panics or fails without a location on several malformed inputs, so the checks it
//! would trip over run here first, each naming the file and a line/column or JSON pointer.

use std::collections::BTreeMap;
use std::fmt;

use openapiv3::OpenAPI;
use serde_json::Value;

pub mod ext;
pub mod locate;

/// A problem with one spec, printed as a single line: `file:line:col: message` or
/// `file#/json/pointer: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec, relative to the project root.
    pub file: String,
    /// `line:column` or a JSON pointer (`#/paths/...`), when known.
    pub location: Option<String>,
    /// What is wrong, on one line.
    pub message: String,
}

impl SpecError {
    /// An error at a JSON pointer inside `file`.
    pub fn at(file: &str, pointer: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            location: Some(format!("#{pointer}")),
            message: one_line(&message.into()),
        }
    }

    /// An error about the whole of `file`.
    pub fn whole(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            location: None,
            message: one_line(&message.into()),
        }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) if loc.starts_with('#') => {
                write!(f, "{}{}: {}", self.file, loc, self.message)
            }
            Some(loc) => write!(f, "{}:{}: {}", self.file, loc, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for SpecError {}

/// Collapses any whitespace run (newlines included) into one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A parsed spec: the typed document for progenitor and the raw tree for our extensions.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The spec's path relative to the project root.
    pub file: String,
    /// The raw document, with `x-` extensions and `$ref`s as written.
    pub raw: Value,
    /// The typed document.
    pub openapi: OpenAPI,
}

impl Spec {
    /// Parses and checks `text`, the contents of `file`.
    pub fn parse(file: &str, text: &str) -> Result<Self, SpecError> {
        let raw: Value = serde_yaml::from_str(text).map_err(|e| yaml_error(file, &e))?;
        if !raw.is_object() {
            return Err(SpecError::whole(
                file,
                "not an OpenAPI document (expected a mapping at the top)",
            ));
        }
        match raw.get("openapi").and_then(Value::as_str) {
            Some(v) if v.starts_with("3.0.") => {}
            Some(v) => {
                return Err(SpecError::at(
                    file,
                    "/openapi",
                    format!("OpenAPI {v} is not supported: progenitor reads 3.0.x"),
                ));
            }
            None => return Err(SpecError::at(file, "/openapi", "missing `openapi: 3.0.3`")),
        }
        check_refs(file, &raw, &raw, &mut String::new())?;
        check_operations(file, &raw)?;
        check_progenitor_limits(file, &raw)?;
        let openapi: OpenAPI = serde_yaml::from_str(text).map_err(|e| yaml_error(file, &e))?;
        Ok(Self {
            file: file.to_owned(),
            raw,
            openapi,
        })
    }

    /// Component schemas, by name.
    pub fn schemas(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.raw
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
    }
}

fn yaml_error(file: &str, error: &serde_yaml::Error) -> SpecError {
    let message = one_line(&error.to_string());
    match error.location() {
        Some(loc) => SpecError {
            file: file.to_owned(),
            location: Some(format!("{}:{}", loc.line(), loc.column())),
            // serde_yaml repeats the location at the end of its message.
            message: message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned(),
        },
        None => SpecError::whole(file, message),
    }
}

/// Every `$ref` must point inside this document and resolve: progenitor panics on anything else.
fn check_refs(
    file: &str,
    root: &Value,
    node: &Value,
    pointer: &mut String,
) -> Result<(), SpecError> {
    match node {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref") {
                let Some(target) = reference.as_str() else {
                    return Err(SpecError::at(
                        file,
                        &format!("{pointer}/$ref"),
                        "`$ref` must be a string",
                    ));
                };
                let Some(local) = target.strip_prefix('#') else {
                    return Err(SpecError::at(
                        file,
                        &format!("{pointer}/$ref"),
                        format!(
                            "external `$ref` `{target}` is not supported: keep each spec in one file"
                        ),
                    ));
                };
                if root.pointer(local).is_none() {
                    return Err(SpecError::at(
                        file,
                        &format!("{pointer}/$ref"),
                        format!("dangling `$ref` `{target}`: nothing at that pointer"),
                    ));
                }
            }
            for (key, value) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape(key));
                let result = check_refs(file, root, value, pointer);
                pointer.truncate(len);
                result?;
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                let result = check_refs(file, root, value, pointer);
                pointer.truncate(len);
                result?;
            }
        }
        _ => {}
    }
    Ok(())
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Calls `f(pointer, path, method, operation)` for every operation, in document order.
pub fn for_each_operation<'a>(
    raw: &'a Value,
    mut f: impl FnMut(String, &'a str, &'a str, &'a Value),
) {
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                f(
                    format!("/paths/{}/{method}", escape(path)),
                    path,
                    method,
                    op,
                );
            }
        }
    }
}

/// operationIds present and unique; path parameters matching the path template. progenitor
/// reports the first without a location and panics on the second.
fn check_operations(file: &str, raw: &Value) -> Result<(), SpecError> {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    let mut result = Ok(());
    for_each_operation(raw, |pointer, path, _method, op| {
        if result.is_err() {
            return;
        }
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            result = Err(SpecError::at(
                file,
                &pointer,
                "operation has no `operationId`",
            ));
            return;
        };
        if let Some(first) = seen.get(id) {
            result = Err(SpecError::at(
                file,
                &format!("{pointer}/operationId"),
                format!("duplicate operationId `{id}` (first at #{first})"),
            ));
            return;
        }
        seen.insert(id, pointer.clone());
        let path_level = raw
            .pointer(&format!("/paths/{}/parameters", escape(path)))
            .and_then(Value::as_array);
        let params = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(path_level.into_iter().flatten())
            .map(|p| resolve(raw, p));
        let template: Vec<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split('}').next())
            .collect();
        let mut declared = Vec::new();
        for param in params {
            if param.get("in").and_then(Value::as_str) != Some("path") {
                continue;
            }
            let name = param.get("name").and_then(Value::as_str).unwrap_or("");
            declared.push(name);
            if !template.contains(&name) {
                result = Err(SpecError::at(
                    file,
                    &pointer,
                    format!("path parameter `{name}` does not appear in `{path}`"),
                ));
                return;
            }
            if param.get("required").and_then(Value::as_bool) != Some(true) {
                result = Err(SpecError::at(
                    file,
                    &pointer,
                    format!("path parameter `{name}` must be `required: true`"),
                ));
                return;
            }
        }
        if let Some(missing) = template.iter().find(|t| !declared.contains(t)) {
            result = Err(SpecError::at(
                file,
                &pointer,
                format!("`{{{missing}}}` in `{path}` has no path parameter"),
            ));
        }
    });
    result
}

/// Follows a local `$ref` (already checked to resolve); other nodes are returned as they are.
pub fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    let mut node = node;
    for _ in 0..32 {
        match node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(pointer) => match root.pointer(pointer) {
                Some(target) => node = target,
                None => return node,
            },
            None => return node,
        }
    }
    node
}

/// Constructs progenitor cannot generate, caught here so the error names where they are.
fn check_progenitor_limits(file: &str, raw: &Value) -> Result<(), SpecError> {
    let mut result = Ok(());
    for_each_operation(raw, |pointer, path, _method, op| {
        if result.is_err() {
            return;
        }
        let path_level = raw
            .pointer(&format!("/paths/{}/parameters", escape(path)))
            .and_then(Value::as_array);
        let own = op.get("parameters").and_then(Value::as_array);
        for (i, param) in own.into_iter().flatten().enumerate() {
            let param = resolve(raw, param);
            let at = format!("{pointer}/parameters/{i}");
            if param.get("in").and_then(Value::as_str) == Some("cookie") {
                result = Err(SpecError::at(
                    file,
                    &at,
                    "cookie parameters are not supported by progenitor",
                ));
                return;
            }
            if param.get("style").and_then(Value::as_str) == Some("deepObject") {
                result = Err(SpecError::at(
                    file,
                    &at,
                    "`style: deepObject` is not supported by progenitor: declare each key (`page[size]`) as its own parameter",
                ));
                return;
            }
        }
        if path_level.is_some_and(|params| {
            params
                .iter()
                .any(|p| resolve(raw, p).get("in").and_then(Value::as_str) == Some("cookie"))
        }) {
            result = Err(SpecError::at(
                file,
                &format!("/paths/{}/parameters", escape(path)),
                "cookie parameters are not supported by progenitor",
            ));
            return;
        }
        if let Err(e) = check_responses(file, raw, &pointer, op) {
            result = Err(e);
        }
    });
    result
}

/// progenitor asserts that an operation has at most one success body type and one error body
/// type, that none of them lacks a schema, and that `default` does not stand beside a 2xx.
fn check_responses(file: &str, raw: &Value, pointer: &str, op: &Value) -> Result<(), SpecError> {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return Err(SpecError::at(
            file,
            pointer,
            "operation declares no `responses`",
        ));
    };
    let mut success: Option<(&str, Option<&Value>)> = None;
    let mut failure: Option<(&str, Option<&Value>)> = None;
    for (status, response) in responses {
        let at = format!("{pointer}/responses/{}", escape(status));
        let response = resolve(raw, response);
        let content = response.get("content").and_then(Value::as_object);
        if let Some(content) = content {
            for (media, body) in content {
                if body.get("schema").is_none() {
                    return Err(SpecError::at(
                        file,
                        &format!("{at}/content/{}", escape(media)),
                        "a response body needs a `schema` (progenitor cannot generate one without)",
                    ));
                }
                if body.get("encoding").is_some() {
                    return Err(SpecError::at(
                        file,
                        &format!("{at}/content/{}/encoding", escape(media)),
                        "`encoding` on a response is not supported by progenitor",
                    ));
                }
            }
        }
        let schema = content
            .and_then(|c| c.values().next())
            .and_then(|b| b.get("schema"));
        let is_success = status.starts_with('2');
        let slot = if is_success {
            &mut success
        } else {
            &mut failure
        };
        match slot {
            None => *slot = Some((status.as_str(), schema)),
            Some((first, first_schema)) => {
                let same = match (*first_schema, schema) {
                    (Some(a), Some(b)) => resolve(raw, a) == resolve(raw, b),
                    (None, None) => true,
                    _ => false,
                };
                if !same {
                    let kind = if is_success { "success" } else { "error" };
                    return Err(SpecError::at(
                        file,
                        &at,
                        format!(
                            "all {kind} responses of an operation must share one body schema \
                             (progenitor): `{status}` differs from `{first}`"
                        ),
                    ));
                }
            }
        }
    }
    if success.is_some() && responses.contains_key("default") {
        return Err(SpecError::at(
            file,
            &format!("{pointer}/responses/default"),
            "`default` beside a 2xx response is not supported by progenitor: declare `4XX`/`5XX` instead",
        ));
    }
    Ok(())
}
