//! Comparing two versions of one spec: servers, security, operations and their parameters,
//! responses and pagination, and the component schemas.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::finding::{Findings, Severity};
use super::schema::{Place, SchemaDiff, show};
use crate::codegen::SKIP_EXTENSION;
use crate::lint::parameters;
use crate::rust_name::{Module, pascal};
use crate::spec::{escape, for_each_operation, resolve};
use crate::usage::{Usage, component_usage};

/// Every finding between `old` (BASE) and `new` (working tree) of the provider `provider`.
pub fn spec(provider: &str, old: &Value, new: &Value) -> Findings {
    let module = Module::of(provider);
    let mut out = Findings::default();
    servers(old, new, &mut out);
    security(old, new, &mut out);
    operations(&module, old, new, &mut out);
    schemas(&module, old, new, &mut out);
    extensions(old, new, &mut out);
    out
}

/// The `x-rollcall*` extensions outside operations, one finding per leaf that changes: a
/// renamed constructor or server variant breaks callers; anything else changes how the
/// generated glue behaves.
fn extensions(old: &Value, new: &Value, out: &mut Findings) {
    fn leaves(node: &Value, at: String, out: &mut BTreeMap<String, Value>) {
        match node {
            Value::Object(map) => {
                for (key, value) in map {
                    leaves(value, format!("{at}/{}", escape(key)), out);
                }
            }
            Value::Array(items) => {
                for (i, value) in items.iter().enumerate() {
                    leaves(value, format!("{at}/{i}"), out);
                }
            }
            other => {
                out.insert(at, other.clone());
            }
        }
    }
    fn collect(raw: &Value) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        if let Some(doc) = raw.get("x-rollcall") {
            leaves(doc, "/x-rollcall".to_owned(), &mut out);
        }
        for (i, server) in raw
            .get("servers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(name) = server.get("x-rollcall-name") {
                leaves(name, format!("/servers/{i}/x-rollcall-name"), &mut out);
            }
        }
        let schemes = raw
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object);
        for (key, scheme) in schemes.into_iter().flatten() {
            if let Some(auth) = scheme.get("x-rollcall-auth") {
                let at = format!(
                    "/components/securitySchemes/{}/x-rollcall-auth",
                    escape(key)
                );
                leaves(auth, at, &mut out);
            }
        }
        out
    }
    let (a, b) = (collect(old), collect(new));
    // One section per behaviour (`/x-rollcall/errors`, a scheme's `x-rollcall-auth/user`, a
    // server's name): a section that appears or disappears whole is one finding, a section that
    // changes is one finding per leaf.
    let section = |pointer: &str| -> String {
        let parts: Vec<&str> = pointer.split('/').collect();
        let keep = match parts.get(1) {
            Some(&"x-rollcall") => 3,
            Some(&"servers") => 4,
            _ => 6,
        };
        parts[..keep.min(parts.len())].join("/")
    };
    let renames = |pointer: &str| {
        pointer.ends_with("/constructor")
            || pointer.ends_with("/x-rollcall-name")
            || pointer == "/x-rollcall/servers-enum"
    };
    let sections: BTreeSet<String> = a.keys().chain(b.keys()).map(|p| section(p)).collect();
    for name in sections {
        let old_leaves: BTreeMap<&String, &Value> =
            a.iter().filter(|(p, _)| section(p) == name).collect();
        let new_leaves: BTreeMap<&String, &Value> =
            b.iter().filter(|(p, _)| section(p) == name).collect();
        if old_leaves == new_leaves {
            continue;
        }
        let whole = |leaves: &BTreeMap<&String, &Value>| {
            leaves
                .iter()
                .map(|(p, v)| match &p[name.len()..] {
                    "" => v.to_string(),
                    rest => format!("{rest}={v}"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        // A union of walks (`x-rollcall.walks`) that appears or goes changes the type
        // `all_users` yields (`Walked<User>` or `User`), and whether it can be resumed.
        let retypes = name == "/x-rollcall/walks";
        if old_leaves.is_empty() || new_leaves.is_empty() {
            let added = old_leaves.is_empty();
            let severity = match (renames(&name) || retypes, added) {
                (true, _) => Severity::Breaking,
                (false, true) => Severity::Addition,
                (false, false) => Severity::Warning,
            };
            let message = if added {
                format!("`{name}` is declared: {}", whole(&new_leaves))
            } else {
                format!(
                    "`{name}` is no longer declared (was {})",
                    whole(&old_leaves)
                )
            };
            let consequence = if renames(&name) {
                "a generated public name changes"
            } else if retypes {
                "`all_users` yields another type (`Walked<User>` for a union of walks, `User` \
                 otherwise) and a union cannot be resumed"
            } else {
                "the generated glue behaves differently"
            };
            out.push(
                severity,
                "extension-changed",
                &name,
                format!("{message}: {consequence}"),
                None,
            );
            continue;
        }
        let pointers: BTreeSet<&&String> = old_leaves.keys().chain(new_leaves.keys()).collect();
        for pointer in pointers {
            let (before, after) = (old_leaves.get(*pointer), new_leaves.get(*pointer));
            if before == after {
                continue;
            }
            let renames = renames(pointer);
            let show = |v: Option<&&Value>| v.map_or("none".to_owned(), |v| format!("`{v}`"));
            out.push(
                if renames {
                    Severity::Breaking
                } else {
                    Severity::Warning
                },
                "extension-changed",
                pointer,
                format!(
                    "`{pointer}` changes from {} to {}: {}",
                    show(before),
                    show(after),
                    if renames {
                        "a generated public name changes"
                    } else {
                        "the generated glue (auth, errors, envelope, servers) behaves differently"
                    }
                ),
                None,
            );
        }
    }
}

fn servers(old: &Value, new: &Value, out: &mut Findings) {
    let list = |raw: &Value| -> Vec<(String, Value)> {
        raw.get("servers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|s| Some((s.get("url")?.as_str()?.to_owned(), s.clone())))
            .collect()
    };
    let (os, ns) = (list(old), list(new));
    for (i, (url, server)) in os.iter().enumerate() {
        let Some(j) = ns.iter().position(|(u, _)| u == url) else {
            out.push(
                Severity::Breaking,
                "server-removed",
                &format!("/servers/{i}"),
                format!("server `{url}` removed: callers that use it as base URL reach an API the spec no longer describes"),
                None,
            );
            continue;
        };
        let vars = |s: &Value| {
            s.get("variables")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let (ov, nv) = (vars(server), vars(&ns[j].1));
        let names: BTreeSet<&String> = ov.keys().chain(nv.keys()).collect();
        for name in names {
            let at = format!("/servers/{j}/variables/{}", escape(name));
            let (a, b) = match (ov.get(name), nv.get(name)) {
                (Some(a), Some(b)) => (a, b),
                (a, _) => {
                    let what = if a.is_none() { "added" } else { "removed" };
                    out.push(
                        Severity::Breaking,
                        "server-changed",
                        &at,
                        format!("variable `{name}` of server `{url}` {what}"),
                        None,
                    );
                    continue;
                }
            };
            for key in ["default", "enum"] {
                if a.get(key) != b.get(key) {
                    out.push(
                        Severity::Breaking,
                        "server-changed",
                        &format!("{at}/{key}"),
                        format!(
                            "`{key}` of variable `{name}` of server `{url}` changes from {} to {}",
                            show(a.get(key)),
                            show(b.get(key))
                        ),
                        None,
                    );
                }
            }
        }
    }
    for (j, (url, _)) in ns.iter().enumerate() {
        if !os.iter().any(|(u, _)| u == url) {
            out.push(
                Severity::Addition,
                "server-added",
                &format!("/servers/{j}"),
                format!("server `{url}` added"),
                None,
            );
        }
    }
}

/// A security requirement list as sets of alternatives, each `a + b` (with scopes).
fn alternatives(list: Option<&Value>) -> BTreeSet<String> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|req| {
            let mut parts: Vec<String> = req
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, scopes)| {
                    let scopes: Vec<&str> = scopes
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    if scopes.is_empty() {
                        name.clone()
                    } else {
                        format!("{name}[{}]", scopes.join(", "))
                    }
                })
                .collect();
            parts.sort();
            if parts.is_empty() {
                "no authentication".to_owned()
            } else {
                parts.join(" + ")
            }
        })
        .collect()
}

fn requirements(
    pointer: &str,
    whose: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    out: &mut Findings,
) {
    let (a, b) = (alternatives(old), alternatives(new));
    for gone in a.difference(&b) {
        out.push(
            Severity::Breaking,
            "security-changed",
            pointer,
            format!("{whose} no longer accepts `{gone}`"),
            None,
        );
    }
    for added in b.difference(&a) {
        out.push(
            Severity::Addition,
            "security-added",
            pointer,
            format!("{whose} now also accepts `{added}`"),
            None,
        );
    }
}

fn security(old: &Value, new: &Value, out: &mut Findings) {
    let schemes = |raw: &Value| {
        raw.pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (os, ns) = (schemes(old), schemes(new));
    // `x-rollcall-auth` is reported leaf by leaf by `extensions`.
    let without_docs = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("description");
            m.remove("x-rollcall-auth");
        }
        // An OAuth flow's scopes are asked for by name: their descriptions are docs.
        if let Some(Value::Object(flows)) = v.get_mut("flows") {
            for flow in flows.values_mut() {
                if let Some(Value::Object(scopes)) = flow.get_mut("scopes") {
                    scopes.values_mut().for_each(|text| *text = Value::Null);
                }
            }
        }
        v
    };
    for (name, scheme) in &os {
        let at = format!("/components/securitySchemes/{}", escape(name));
        match ns.get(name) {
            None => out.push(
                Severity::Breaking,
                "security-scheme-removed",
                &at,
                format!("security scheme `{name}` removed"),
                None,
            ),
            Some(n) if without_docs(n) != without_docs(scheme) => out.push(
                Severity::Breaking,
                "security-scheme-changed",
                &at,
                format!("security scheme `{name}` changes how credentials are sent"),
                None,
            ),
            Some(_) => {}
        }
    }
    for name in ns.keys().filter(|n| !os.contains_key(*n)) {
        out.push(
            Severity::Addition,
            "security-scheme-added",
            &format!("/components/securitySchemes/{}", escape(name)),
            format!("security scheme `{name}` added"),
            None,
        );
    }
    requirements(
        "/security",
        "the API",
        old.get("security"),
        new.get("security"),
        out,
    );
}

#[derive(Debug, Clone)]
struct Op<'a> {
    pointer: String,
    path: &'a str,
    method: &'a str,
    node: &'a Value,
}

fn ops(raw: &Value) -> BTreeMap<String, Op<'_>> {
    let mut found = BTreeMap::new();
    for_each_operation(raw, |pointer, path, method, node| {
        if let Some(id) = node.get("operationId").and_then(Value::as_str) {
            found.insert(
                id.to_owned(),
                Op {
                    pointer,
                    path,
                    method,
                    node,
                },
            );
        }
    });
    found
}

fn operations(module: &Module, old: &Value, new: &Value, out: &mut Findings) {
    let (oo, no) = (ops(old), ops(new));
    let mut renamed: BTreeSet<&str> = BTreeSet::new();
    for (id, op) in &oo {
        if let Some(n) = no.get(id) {
            if (op.method, op.path) != (n.method, n.path) {
                out.push(
                    Severity::Warning,
                    "operation-moved",
                    &n.pointer,
                    format!(
                        "operation `{id}` now requests `{} {}` (was `{} {}`)",
                        n.method.to_uppercase(),
                        n.path,
                        op.method.to_uppercase(),
                        op.path
                    ),
                    Some(module.method(id)),
                );
            }
            operation(module, id, (old, op), (new, n), out);
            continue;
        }
        let successor = no
            .iter()
            .find(|(nid, n)| !oo.contains_key(*nid) && (n.method, n.path) == (op.method, op.path));
        match successor {
            Some((nid, n)) => {
                renamed.insert(nid.as_str());
                out.push(
                    Severity::Breaking,
                    "operation-renamed",
                    &format!("{}/operationId", n.pointer),
                    format!(
                        "operation `{id}` is renamed `{nid}`: `Client::{}` becomes `Client::{}`",
                        crate::rust_name::snake(id),
                        crate::rust_name::snake(nid)
                    ),
                    Some(module.method(id)),
                );
                operation(module, nid, (old, op), (new, n), out);
            }
            None => out.push(
                Severity::Breaking,
                "operation-removed",
                &op.pointer,
                format!(
                    "operation `{id}` (`{} {}`) removed with its method and builder",
                    op.method.to_uppercase(),
                    op.path
                ),
                Some(module.method(id)),
            ),
        }
    }
    for (id, n) in &no {
        if !oo.contains_key(id) && !renamed.contains(id.as_str()) {
            out.push(
                Severity::Addition,
                "operation-added",
                &n.pointer,
                format!(
                    "operation `{id}` (`{} {}`) added",
                    n.method.to_uppercase(),
                    n.path
                ),
                Some(module.method(id)),
            );
        }
    }
}

/// The parameters the generated client has (skipped ones have no setter), by name.
fn params<'a>(raw: &'a Value, op: &Op<'a>) -> BTreeMap<String, (String, &'a Value)> {
    parameters(raw, op.path, op.node, &op.pointer)
        .into_iter()
        .filter(|(_, p)| p.get(SKIP_EXTENSION).is_none())
        .filter_map(|(at, p)| Some((p.get("name")?.as_str()?.to_owned(), (at, p))))
        .collect()
}

/// The effective `(style, explode)` of a parameter.
fn style(param: &Value) -> (String, bool) {
    let location = param.get("in").and_then(Value::as_str).unwrap_or("query");
    let default = match location {
        "query" | "cookie" => "form",
        _ => "simple",
    };
    let style = param
        .get("style")
        .and_then(Value::as_str)
        .unwrap_or(default);
    let explode = param
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    (style.to_owned(), explode)
}

fn operation(
    module: &Module,
    id: &str,
    (old, o): (&Value, &Op),
    (new, n): (&Value, &Op),
    out: &mut Findings,
) {
    let (op_params, np_params) = (params(old, o), params(new, n));
    for (name, (at, param)) in &op_params {
        if !np_params.contains_key(name) {
            let location = param.get("in").and_then(Value::as_str).unwrap_or("?");
            out.push(
                Severity::Breaking,
                "parameter-removed",
                at,
                format!("{location} parameter `{name}` of `{id}` removed: its setter goes away"),
                Some(module.setter(id, name)),
            );
        }
    }
    for (name, (at, param)) in &np_params {
        let setter = module.setter(id, name);
        let location = param.get("in").and_then(Value::as_str).unwrap_or("?");
        let required = param.get("required").and_then(Value::as_bool) == Some(true);
        let Some((old_at, old_param)) = op_params.get(name) else {
            if required {
                out.push(
                    Severity::Breaking,
                    "required-parameter-added",
                    at,
                    format!("new required {location} parameter `{name}` of `{id}`: a call that does not set it fails at `send()`"),
                    Some(setter),
                );
            } else {
                out.push(
                    Severity::Addition,
                    "parameter-added",
                    at,
                    format!("new optional {location} parameter `{name}` of `{id}`"),
                    Some(setter),
                );
            }
            continue;
        };
        let old_location = old_param.get("in").and_then(Value::as_str).unwrap_or("?");
        if old_location != location {
            out.push(
                Severity::Warning,
                "parameter-location",
                at,
                format!("parameter `{name}` of `{id}` moves from {old_location} to {location}: the setter stays, the request changes"),
                Some(setter.clone()),
            );
        }
        let was_required = old_param.get("required").and_then(Value::as_bool) == Some(true);
        if required && !was_required {
            out.push(
                Severity::Breaking,
                "parameter-required",
                at,
                format!("{location} parameter `{name}` of `{id}` becomes required: a call that does not set it fails at `send()`"),
                Some(setter.clone()),
            );
        } else if was_required && !required {
            out.push(
                Severity::Addition,
                "parameter-optional",
                at,
                format!("{location} parameter `{name}` of `{id}` becomes optional"),
                Some(setter.clone()),
            );
        }
        let (os, ns) = (style(old_param), style(param));
        // The default style follows the location, so a move already says it.
        if os != ns && old_location == location {
            out.push(
                Severity::Warning,
                "parameter-style",
                at,
                format!(
                    "parameter `{name}` of `{id}` is serialized differently: style `{}`, explode {} (was `{}`, {})",
                    ns.0, ns.1, os.0, os.1
                ),
                Some(setter.clone()),
            );
        }
        if let (Some(a), Some(b)) = (old_param.get("schema"), param.get("schema")) {
            let place = Place {
                old: format!("{old_at}/schema"),
                new: format!("{at}/schema"),
                usage: Usage::Request,
                owner: setter,
                ty: pascal(&format!("{id}-{name}")),
            };
            SchemaDiff { module, out }.node(a, b, &place);
        }
    }
    responses(module, id, (old, o), (new, n), out);
    if o.node.get("security").is_some() || n.node.get("security").is_some() {
        let effective =
            |raw: &'_ Value, op: &Op<'_>| op.node.get("security").or(raw.get("security")).cloned();
        requirements(
            &format!("{}/security", n.pointer),
            &format!("operation `{id}`"),
            effective(old, o).as_ref(),
            effective(new, n).as_ref(),
            out,
        );
    }
    pagination(id, o, n, out);
}

/// `(status, pointer of the schema, schema)` of the JSON bodies of an operation's responses.
fn bodies<'a>(raw: &'a Value, op: &Op<'a>) -> Vec<(String, String, Option<&'a Value>)> {
    let responses = op.node.get("responses").and_then(Value::as_object);
    responses
        .into_iter()
        .flatten()
        .map(|(status, response)| {
            let at = crate::lint::ref_or(
                raw,
                response,
                format!("{}/responses/{}", op.pointer, escape(status)),
            );
            let schema = resolve(raw, response)
                .get("content")
                .and_then(|c| c.get("application/json"))
                .and_then(|m| m.get("schema"));
            (
                status.clone(),
                format!("{at}/content/application~1json/schema"),
                schema,
            )
        })
        .collect()
}

fn responses(
    module: &Module,
    id: &str,
    (old, o): (&Value, &Op),
    (new, n): (&Value, &Op),
    out: &mut Findings,
) {
    let (ob, nb) = (bodies(old, o), bodies(new, n));
    for (status, _, _) in &ob {
        if !status.starts_with('2') && !nb.iter().any(|(s, _, _)| s == status) {
            out.push(
                Severity::Warning,
                "response-removed",
                &format!("{}/responses/{}", o.pointer, escape(status)),
                format!("`{id}` no longer declares `{status}`: such an answer now arrives as `Error::UnexpectedResponse`"),
                Some(module.method(id)),
            );
        }
    }
    for (status, _, _) in &nb {
        if !status.starts_with('2') && !ob.iter().any(|(s, _, _)| s == status) {
            out.push(
                Severity::Addition,
                "response-added",
                &format!("{}/responses/{}", n.pointer, escape(status)),
                format!("`{id}` declares `{status}`"),
                Some(module.method(id)),
            );
        }
    }
    for (success, part) in [(true, "response"), (false, "error")] {
        let pick = |list: &[(String, String, Option<&Value>)]| {
            list.iter()
                .find(|(s, _, schema)| s.starts_with('2') == success && schema.is_some())
                .map(|(_, at, schema)| (at.clone(), schema.unwrap().clone()))
        };
        if let (Some((oa, os)), Some((na, ns))) = (pick(&ob), pick(&nb)) {
            let place = Place {
                old: oa,
                new: na,
                usage: Usage::Response,
                owner: module.method(id),
                ty: pascal(&format!("{id}-{part}")),
            };
            SchemaDiff { module, out }.node(&os, &ns, &place);
        }
    }
}

fn pagination(id: &str, o: &Op, n: &Op, out: &mut Findings) {
    use crate::spec::ext::pagination::EXTENSION as KEY;
    let at = format!("{}/{KEY}", n.pointer);
    match (o.node.get(KEY), n.node.get(KEY)) {
        (Some(_), None) => out.push(
            Severity::Breaking,
            "pagination-removed",
            &format!("{}/{KEY}", o.pointer),
            format!("`{id}` no longer declares how it pages: the stream helpers cannot walk it"),
            None,
        ),
        (None, Some(_)) => out.push(
            Severity::Addition,
            "pagination-added",
            &at,
            format!("`{id}` declares how it pages"),
            None,
        ),
        (Some(a), Some(b)) if a != b => {
            let keys = |v: &Value| v.as_object().cloned().unwrap_or_default();
            let (a, b) = (keys(a), keys(b));
            let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for name in names {
                if a.get(name) != b.get(name) {
                    let show =
                        |v: Option<&Value>| v.map_or("none".to_owned(), |v| format!("`{v}`"));
                    out.push(
                        Severity::Warning,
                        "pagination-changed",
                        &format!("{at}/{}", escape(name)),
                        format!(
                            "pagination of `{id}`: `{name}` changes from {} to {}; the stream helpers walk differently",
                            show(a.get(name)),
                            show(b.get(name))
                        ),
                        None,
                    );
                }
            }
        }
        _ => {}
    }
}

fn schemas(module: &Module, old: &Value, new: &Value, out: &mut Findings) {
    let list = |raw: &Value| {
        raw.pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (os, ns) = (list(old), list(new));
    let (ou, nu) = (component_usage(old), component_usage(new));
    for (name, schema) in &os {
        let at = format!("/components/schemas/{}", escape(name));
        let Some(n) = ns.get(name) else {
            out.push(
                Severity::Breaking,
                "schema-removed",
                &at,
                format!("schema `{name}` removed with its type"),
                Some(module.ty(&pascal(name))),
            );
            continue;
        };
        let usage = match (ou.get(name), nu.get(name)) {
            (Some(a), Some(b)) => a.merge(*b),
            (Some(u), None) | (None, Some(u)) => *u,
            (None, None) => Usage::Response,
        };
        let place = Place {
            old: at.clone(),
            new: at,
            usage,
            owner: module.ty(&pascal(name)),
            ty: pascal(name),
        };
        SchemaDiff { module, out }.node(schema, n, &place);
    }
    for name in ns.keys().filter(|n| !os.contains_key(*n)) {
        out.push(
            Severity::Addition,
            "schema-added",
            &format!("/components/schemas/{}", escape(name)),
            format!("schema `{name}` added"),
            Some(module.ty(&pascal(name))),
        );
    }
}
