//! The description a fake server needs of one provider (`rollcall_runtime::testing::FakeSpec`),
//! read from its spec: each list operation's path and paging pointers, the security schemes
//! with the environment variables of their arguments, the error envelope, and the shapes the
//! fake serves — a page and a user record from the list operation's first 200 example, the
//! refusals from the operation's 401/4XX and 429 examples.
//!
//! Rendered as Rust source behind the `rollcall` crate's `testing` feature, so a provider added
//! by its spec gets a fake without more code.

use heck::ToUpperCamelCase as _;
use serde_json::{Map, Value, json};

use crate::spec::ext::{Extensions, List, SchemeKind, Style};
use crate::spec::{Spec, escape, resolve};

/// The `FAKE` static of a provider, as Rust source.
pub fn render(spec: &Spec, provider: &Extensions) -> Result<String, String> {
    let raw = &spec.raw;
    // A spec without a list operation gets a fake that serves nothing (its requests 404).
    let first = provider.lists.first();
    let mut lists = Vec::new();
    for list in &provider.lists {
        lists.push(render_list(raw, list, &provider.lists[0])?);
    }
    let incremental = match (&provider.incremental, first) {
        (Some(list), Some(first)) => format!("Some({})", render_list(raw, list, first)?),
        _ => "None".to_owned(),
    };
    let op = match first {
        Some(first) => operation(raw, first)?,
        None => &Value::Null,
    };
    let envelope = match &provider.envelope {
        Some((at, ok)) => {
            let refusal = examples(raw, op, "200")
                .into_iter()
                .find(|(_, body)| body.pointer(at).is_some_and(|v| v != ok))
                .map(|(_, body)| body)
                .unwrap_or_else(|| {
                    // No error example: the deciding field alone.
                    let mut body = json!({});
                    let failure = match ok {
                        Value::Bool(flag) => json!(!flag),
                        _ => json!("error"),
                    };
                    set(&mut body, at, failure);
                    body
                });
            format!(
                "Some(::rollcall_runtime::testing::FakeEnvelope {{ at: {at:?}, ok: {ok:?}, error: {:?} }})",
                refusal.to_string(),
                ok = crate::spec::ext::envelope_text(ok),
            )
        }
        None => "None".to_owned(),
    };
    let auth_error = refusal(raw, op, &["401", "4XX", "default"], "auth", 401);
    let rate_limited = refusal(raw, op, &["429"], "", 429);
    let user = user_facts(raw, first.map_or("", |f| f.user_schema.as_str()));
    let token_refusal = provider
        .schemes
        .iter()
        .find_map(|scheme| match &scheme.kind {
            SchemeKind::ClientCredentials { refusal, .. } => Some(refusal.as_str()),
            _ => None,
        })
        .unwrap_or_default();
    let walks: Vec<String> = provider
        .walks
        .iter()
        .map(|walk| {
            let send: Vec<String> = walk
                .send
                .iter()
                .map(|(name, value)| format!("({name:?}, {value:?})"))
                .collect();
            let kind = match &walk.kind {
                Some(kind) => format!(
                    "Some(::rollcall_runtime::account::Kind::{})",
                    kind.to_upper_camel_case()
                ),
                None => "None".to_owned(),
            };
            format!(
                "::rollcall_runtime::testing::FakeWalk {{ operation: {:?}, send: &[{}], \
                 facts: ::rollcall_runtime::Facts::new({kind}, {}) }}",
                walk.operation,
                send.join(", "),
                walk.privileged
            )
        })
        .collect();
    let slow_down = match provider.slow_down.first() {
        Some(rule) => {
            let status = rule.status.to_string();
            let found: Vec<(String, Value)> = [status.as_str(), "4XX", "default"]
                .iter()
                .flat_map(|s| examples(raw, op, s))
                .collect();
            // The example that shows this refusal: the one holding the deciding value, or for
            // a refusal told by a header, the one named for a limit.
            let body = found
                .iter()
                .find(|(name, body)| {
                    if rule.header.is_empty() {
                        rule.is
                            .iter()
                            .any(|v| body.to_string().contains(&format!("{v:?}")))
                    } else {
                        name.contains("limit")
                    }
                })
                .or(found.first())
                .map_or_else(|| "{}".to_owned(), |(_, body)| body.to_string());
            // The header the refusal's response declares for when its window resets.
            let reset = [status.as_str(), "4XX", "default"]
                .iter()
                .filter_map(|s| op.pointer(&format!("/responses/{s}")))
                .map(|r| resolve(raw, r))
                .filter_map(|r| r.get("headers").and_then(Value::as_object))
                .flat_map(|headers| headers.keys())
                .find(|name| name.to_ascii_lowercase().contains("reset"))
                .map_or_else(
                    || "None".to_owned(),
                    |name| format!("Some({:?})", name.to_ascii_lowercase()),
                );
            let header = match rule.is.first() {
                Some(value) if !rule.header.is_empty() => {
                    format!("Some(({:?}, {value:?}))", rule.header)
                }
                _ => "None".to_owned(),
            };
            format!(
                "Some(::rollcall_runtime::testing::FakeSlowDown {{ status: {}, header: {header}, reset: {reset}, body: {body:?} }})",
                rule.status
            )
        }
        None => "None".to_owned(),
    };
    Ok(format!(
        "/// What a fake server of this provider needs (`rollcall::testing`), from the spec: \
         list operations, error shapes and a sample page and user (its schemes and variables \
         are [`PROVIDER`]'s).\n\
         #[cfg(feature = \"testing\")]\n\
         pub static FAKE: ::rollcall_runtime::testing::FakeSpec = ::rollcall_runtime::testing::FakeSpec {{\n\
         provider: &PROVIDER,\n\
         connect,\n\
         lists: &[{lists}],\n\
         incremental: {incremental},\n\
         envelope: {envelope},\n\
         auth_error: {auth_error},\n\
         rate_limited: {rate_limited},\n\
         token_refusal: {token_refusal:?},\n\
         user: {user},\n\
         walks: &[{walks}],\n\
         slow_down: {slow_down},\n\
         }};\n",
        lists = lists.join(", "),
        walks = walks.join(", "),
    ))
}

/// The operation object of a list.
fn operation<'v>(raw: &'v Value, list: &List) -> Result<&'v Value, String> {
    raw.pointer(&format!("/paths/{}/{}", escape(&list.path), list.method))
        .ok_or_else(|| format!("no operation at {} {}", list.method, list.path))
}

/// The examples of response `status` of `op` (JSON bodies), by name, in the spec's order.
fn examples(raw: &Value, op: &Value, status: &str) -> Vec<(String, Value)> {
    let Some(response) = op.pointer(&format!("/responses/{status}")) else {
        return Vec::new();
    };
    let response = resolve(raw, response);
    let Some(content) = response.pointer("/content/application~1json") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(map) = content.get("examples").and_then(Value::as_object) {
        for (name, example) in map {
            if let Some(value) = resolve(raw, example).get("value") {
                out.push((name.clone(), value.clone()));
            }
        }
    }
    if let Some(value) = content.get("example") {
        out.push(("example".to_owned(), value.clone()));
    }
    out
}

/// A `FakeResponse` literal: the first status of `statuses` the operation declares, its
/// example whose name contains `prefer` (else its first example, else no body).
fn refusal(raw: &Value, op: &Value, statuses: &[&str], prefer: &str, status: u16) -> String {
    // The first status the operation declares decides, even without an example (no body).
    let declared = statuses
        .iter()
        .find(|s| op.pointer(&format!("/responses/{s}")).is_some());
    let body = declared.and_then(|s| {
        let found = examples(raw, op, s);
        found
            .iter()
            .find(|(name, _)| !prefer.is_empty() && name.contains(prefer))
            .or(found.first())
            .map(|(_, body)| body.to_string())
    });
    let (content_type, body) = match body {
        Some(body) => ("application/json", body),
        // Nothing documented: what a proxy in front of the API sends.
        None if status == 429 => ("text/plain", "Too Many Requests".to_owned()),
        None => ("", String::new()),
    };
    format!(
        "::rollcall_runtime::testing::FakeResponse {{ status: {status}, content_type: {content_type:?}, body: {body:?} }}"
    )
}

/// A `FakeList` literal: where the list is served, how it pages, and a sample page and record.
fn render_list(raw: &Value, list: &List, first: &List) -> Result<String, String> {
    let op = operation(raw, list)?;
    let (page, item) = sample(raw, op, list)
        .or_else(|| sample(raw, operation(raw, first).ok()?, first))
        .or_else(|| {
            // No example: a page with the user built from its schema's required properties.
            let user = minimal(
                raw,
                &json!({ "$ref": format!("#/components/schemas/{}", list.user_schema) }),
                0,
            );
            let item = match &list.record {
                Some(record) => {
                    let mut item = json!({});
                    set(&mut item, record, user);
                    item
                }
                None => user,
            };
            let mut page = json!({});
            set(&mut page, &list.items, json!([]));
            Some((page, item))
        })
        .ok_or("no sample")?;
    let style = match list.style {
        Style::Page => "Page",
        Style::Cursor => "Cursor",
        Style::Offset => "Offset",
        Style::Link => "Link",
        Style::None => "None",
    };
    let opt = |v: &Option<String>| match v {
        Some(v) => format!("Some({v:?})"),
        None => "None".to_owned(),
    };
    let nullable = |at: &Option<String>| {
        at.as_deref()
            .and_then(|at| schema_at(raw, &list.response, at))
            .is_some_and(|node| is_nullable(raw, node))
    };
    // A cursor its object always carries (required, not nullable) ends as an empty string.
    let cursor_required = list.next_cursor.as_deref().is_some_and(|at| {
        let Some((parent, last)) = at.rsplit_once('/') else {
            return false;
        };
        let parent = if parent.is_empty() {
            raw.pointer(&format!("/components/schemas/{}", escape(&list.response)))
        } else {
            schema_at(raw, &list.response, parent)
        };
        parent
            .map(|node| resolve(raw, node))
            .and_then(|node| node.get("required"))
            .and_then(Value::as_array)
            .is_some_and(|required| required.iter().any(|r| r.as_str() == Some(last)))
    }) && !nullable(&list.next_cursor);
    let fixed: Vec<String> = list
        .fixed
        .iter()
        .map(|(name, value)| {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("({name:?}, {text:?})")
        })
        .collect();
    Ok(format!(
        "::rollcall_runtime::testing::FakeList {{ operation: {op:?}, method: {method:?}, path: {path:?}, \
         schemes: &[{schemes}], style: ::rollcall_runtime::testing::FakeStyle::{style}, items: {items:?}, \
         record: {record}, id: {id:?}, page_param: {page_param}, size_param: {size_param}, \
         max_size: {max_size:?}, cursor_param: {cursor_param}, offset_param: {offset_param}, next_cursor: {next_cursor}, \
         has_more: {has_more}, next_link: {next_link}, link_nullable: {link_nullable}, \
         cursor_nullable: {cursor_nullable}, cursor_empty_at_end: {cursor_required}, \
         short_pages: {short_pages}, total: {total}, end: {end}, start_param: {start_param}, \
         fixed: &[{fixed}], link_pages: {link_pages}, page: {page:?}, item: {item:?} }}",
        op = list.operation,
        method = list.method.to_ascii_uppercase(),
        path = list.path,
        schemes = list
            .security
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        items = list.items,
        record = opt(&list.record),
        id = list.id,
        page_param = match &list.page_param {
            Some((name, start)) => format!("Some(({name:?}, {start}))"),
            None => "None".to_owned(),
        },
        size_param = opt(&list.size_param),
        max_size = list.max_size,
        cursor_param = opt(&list.cursor_param),
        offset_param = opt(&list.offset_param),
        next_cursor = opt(&list.next_cursor),
        has_more = opt(&list.has_more),
        next_link = opt(&list.next_link),
        link_nullable = nullable(&list.next_link),
        cursor_nullable = nullable(&list.next_cursor),
        short_pages = !list.short_page_ends,
        total = opt(&list.total),
        end = opt(&list.end),
        start_param = opt(&list.start_param),
        fixed = fixed.join(", "),
        link_pages =
            list.style == Style::Link && integer_param(raw, op, list.cursor_param.as_deref()),
        page = page.to_string(),
        item = item.to_string(),
    ))
}

/// Whether the parameter `name` of `op` takes an integer.
fn integer_param(raw: &Value, op: &Value, name: Option<&str>) -> bool {
    let Some(name) = name else {
        return false;
    };
    op.get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| resolve(raw, p))
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|p| p.get("schema"))
        .map(|schema| resolve(raw, schema))
        .and_then(|schema| schema.get("type"))
        .and_then(Value::as_str)
        == Some("integer")
}

/// The first 200 example of `op` whose items hold a record: the page and its first record.
fn sample(raw: &Value, op: &Value, list: &List) -> Option<(Value, Value)> {
    examples(raw, op, "200")
        .into_iter()
        .find_map(|(_, mut page)| {
            let item = page.pointer(&list.items)?.as_array()?.first()?.clone();
            // The fake fills the records in.
            set(&mut page, &list.items, json!([]));
            Some((page, item))
        })
}

/// The schema of the member at `pointer` in component schema `name`, through `$ref` and
/// single-branch `allOf` wrappers.
fn schema_at<'v>(raw: &'v Value, name: &str, pointer: &str) -> Option<&'v Value> {
    let unwrap = |node: &'v Value| {
        let node = resolve(raw, node);
        match node.get("allOf").and_then(Value::as_array) {
            Some(all) if all.len() == 1 && node.get("properties").is_none() => {
                resolve(raw, &all[0])
            }
            _ => node,
        }
    };
    let mut node = raw.pointer(&format!("/components/schemas/{}", escape(name)))?;
    for segment in pointer.split('/').skip(1) {
        node = unwrap(node).pointer(&format!("/properties/{segment}"))?;
    }
    Some(node)
}

fn is_nullable(raw: &Value, node: &Value) -> bool {
    node.get("nullable").and_then(Value::as_bool) == Some(true)
        || resolve(raw, node).get("nullable").and_then(Value::as_bool) == Some(true)
}

/// A value of schema `node` with only its required properties (for a spec without examples).
pub(super) fn minimal(raw: &Value, node: &Value, depth: usize) -> Value {
    let node = resolve(raw, node);
    if depth > 8 {
        return Value::Null;
    }
    if let Some(first) = ["oneOf", "anyOf", "allOf"]
        .iter()
        .find_map(|k| node.get(*k).and_then(Value::as_array)?.first())
    {
        return minimal(raw, first, depth + 1);
    }
    if let Some(values) = node.get("enum").and_then(Value::as_array)
        && let Some(first) = values.first()
    {
        return first.clone();
    }
    if let Some(values) = node.get("x-extensible-enum").and_then(Value::as_array)
        && let Some(first) = values.first()
    {
        return first.clone();
    }
    match node.get("type").and_then(Value::as_str) {
        Some("integer" | "number") => json!(1),
        Some("boolean") => json!(false),
        Some("array") => json!([]),
        Some("string") => match node.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2024-01-01T00:00:00Z"),
            Some("uuid") => json!("00000000-0000-4000-8000-000000000001"),
            Some("email") => json!("user@example.com"),
            _ => json!("example"),
        },
        _ => {
            let mut out = Map::new();
            let required = node.get("required").and_then(Value::as_array);
            for name in required.into_iter().flatten().filter_map(Value::as_str) {
                let property = node
                    .pointer(&format!("/properties/{}", escape(name)))
                    .unwrap_or(&Value::Null);
                out.insert(name.to_owned(), minimal(raw, property, depth + 1));
            }
            Value::Object(out)
        }
    }
}

/// Sets `pointer` in `value` to `new`, creating objects on the way.
fn set(value: &mut Value, pointer: &str, new: Value) {
    let mut node = value;
    for segment in pointer.split('/').skip(1) {
        let key = segment.replace("~1", "/").replace("~0", "~");
        if !node.is_object() {
            *node = json!({});
        }
        node = node
            .as_object_mut()
            .expect("an object")
            .entry(key)
            .or_insert(Value::Null);
    }
    *node = new;
}

/// A `FakeUser` literal: required and nullable properties, and the open enums, of the user.
fn user_facts(raw: &Value, schema: &str) -> String {
    let node = raw
        .pointer(&format!("/components/schemas/{}", escape(schema)))
        .unwrap_or(&Value::Null);
    let node = resolve(raw, node);
    let required: Vec<String> = node
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|s| format!("{s:?}"))
        .collect();
    let mut nullable = Vec::new();
    let mut open_enums = Vec::new();
    let mut strict = Vec::new();
    let mut strings = Vec::new();
    let mut timestamps = Vec::new();
    for (name, property) in node
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if is_nullable(raw, property) {
            nullable.push(format!("{name:?}"));
        }
        let target = property
            .get("allOf")
            .and_then(Value::as_array)
            .and_then(|all| all.first())
            .unwrap_or(property);
        let target = resolve(raw, target);
        if target.get("x-extensible-enum").is_some() {
            open_enums.push(format!("{:?}", format!("/{}", escape(name))));
        }
        let is_required = node
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|n| n == name.as_str()));
        if !is_required && !is_nullable(raw, property) {
            strict.push(format!("{name:?}"));
        }
        let plain = |format: Option<&str>| {
            target.get("type").and_then(Value::as_str) == Some("string")
                && target.get("format").and_then(Value::as_str) == format
                && target.get("enum").is_none()
                && target.get("x-extensible-enum").is_none()
        };
        if plain(None) && name != "id" {
            strings.push(format!("{name:?}"));
        }
        if plain(Some("date-time")) {
            timestamps.push(format!("{name:?}"));
        }
    }
    format!(
        "::rollcall_runtime::testing::FakeUser {{ required: &[{}], nullable: &[{}], \
         open_enums: &[{}], strict: &[{}], strings: &[{}], timestamps: &[{}] }}",
        required.join(", "),
        nullable.join(", "),
        open_enums.join(", "),
        strict.join(", "),
        strings.join(", "),
        timestamps.join(", ")
    )
}
