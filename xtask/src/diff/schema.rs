//! Comparing two versions of a schema, judged by the direction it travels in and by what the
//! Rust type generated from it becomes.
//!
//! Component schemas are compared once each, by name; a `$ref` to the same component on both
//! sides is therefore not followed, and a `$ref` that changes target is a type change.

use serde_json::{Map, Value};

use super::finding::{Findings, Impact, Severity};
use crate::rust_name::{Module, nested, pascal, scalar_type};
use crate::spec::escape;
use crate::usage::{Usage, component_name};

/// Where a pair of schema nodes sits and what Rust they become.
#[derive(Debug, Clone)]
pub struct Place {
    /// Pointer of the node in BASE.
    pub old: String,
    /// Pointer of the node in the working tree.
    pub new: String,
    /// Which way values of this schema travel.
    pub usage: Usage,
    /// The Rust item a change of this node's own type affects (a field, a setter, a type).
    pub owner: String,
    /// The name typify gives this node's type if it is an enum or object.
    pub ty: String,
}

impl Place {
    fn child(&self, suffix: &str, owner: String, ty: String) -> Place {
        Place {
            old: format!("{}{suffix}", self.old),
            new: format!("{}{suffix}", self.new),
            usage: self.usage,
            owner,
            ty,
        }
    }

    fn noun(&self) -> &'static str {
        match self.usage {
            Usage::Response => "response ",
            Usage::Request => "request ",
            Usage::Both => "",
        }
    }
}

/// Picks the severity for a change that matters differently to parsed and to sent values.
fn by_usage(usage: Usage, received: Severity, sent: Severity) -> Severity {
    match usage {
        Usage::Response => received,
        Usage::Request => sent,
        Usage::Both => received.worst(sent),
    }
}

/// Compares schemas of two versions of one spec.
pub struct SchemaDiff<'a> {
    /// The module findings name items in.
    pub module: &'a Module,
    /// Where findings go.
    pub out: &'a mut Findings,
}

/// A schema node with its description wrapper removed: `allOf: [$ref]` beside a description
/// is our way of describing a referenced property, and typify generates the referenced type.
fn core(node: &Value) -> &Value {
    match node.get("allOf").and_then(Value::as_array) {
        Some(branches) if branches.len() == 1 && node.get("properties").is_none() => &branches[0],
        _ => node,
    }
}

fn flag(node: &Value, key: &str) -> bool {
    node.get(key).and_then(Value::as_bool) == Some(true)
}

fn nullable(node: &Value) -> bool {
    flag(node, "nullable") || flag(core(node), "nullable")
}

fn strings<'v>(node: &'v Value, key: &str) -> Vec<&'v str> {
    node.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// A value as a message shows it: strings without their JSON quotes.
pub(super) fn show(value: Option<&Value>) -> String {
    match value {
        None => "none".to_owned(),
        Some(Value::String(s)) => format!("`{s}`"),
        Some(v) => format!("`{v}`"),
    }
}

impl SchemaDiff<'_> {
    /// Compares the schema nodes `old` and `new` found at `place`.
    pub fn node(&mut self, old: &Value, new: &Value, place: &Place) {
        let (oc, nc) = (core(old), core(new));
        match (component_name(oc), component_name(nc)) {
            (Some(a), Some(b)) if a == b => return,
            (Some(a), Some(b)) => {
                let message = format!(
                    "`{}` changes type: now `types::{}` (was `types::{}`)",
                    place_name(place),
                    pascal(b),
                    pascal(a)
                );
                self.push(
                    Severity::Breaking,
                    "type-changed",
                    &place.new,
                    message,
                    place,
                );
                return;
            }
            (Some(a), None) | (None, Some(a)) => {
                let was_ref = component_name(oc).is_some();
                let message = if was_ref {
                    format!(
                        "`{}` changes type: now an inline schema (was `types::{}`)",
                        place_name(place),
                        pascal(a)
                    )
                } else {
                    format!(
                        "`{}` changes type: now `types::{}` (was an inline schema)",
                        place_name(place),
                        pascal(a)
                    )
                };
                self.push(
                    Severity::Breaking,
                    "type-changed",
                    &place.new,
                    message,
                    place,
                );
                return;
            }
            (None, None) => {}
        }
        if !self.enums(oc, nc, place) {
            return;
        }
        let (ot, nt) = (oc.get("type"), nc.get("type"));
        if ot != nt {
            let message = format!(
                "`{}` changes type from {} to {}",
                place_name(place),
                show(ot),
                show(nt)
            );
            self.push(
                Severity::Breaking,
                "type-changed",
                &place.new,
                message,
                place,
            );
            return;
        }
        if let (Some(a), Some(b)) = (scalar_type(oc), scalar_type(nc)) {
            if a != b {
                let message = format!(
                    "`{}` changes its Rust type from `{a}` to `{b}`",
                    place_name(place)
                );
                self.push(
                    Severity::Breaking,
                    "type-changed",
                    &place.new,
                    message,
                    place,
                );
            } else if oc.get("format") != nc.get("format") {
                let message = format!(
                    "`{}` changes format from {} to {}; the Rust type stays `{b}`",
                    place_name(place),
                    show(oc.get("format")),
                    show(nc.get("format"))
                );
                self.push(
                    Severity::Warning,
                    "format-changed",
                    &place.new,
                    message,
                    place,
                );
            }
        }
        let (od, nd) = (
            old.get("default").or(oc.get("default")),
            new.get("default").or(nc.get("default")),
        );
        if od != nd {
            let message = format!(
                "`{}` default changes from {} to {}",
                place_name(place),
                show(od),
                show(nd)
            );
            self.push(
                Severity::Warning,
                "default-changed",
                &place.new,
                message,
                place,
            );
        }
        let is_map = |s: &Value| {
            s.get("additionalProperties").is_some_and(Value::is_object)
                && s.get("properties").is_none()
        };
        if is_map(oc) != is_map(nc) {
            let message = if is_map(nc) {
                format!("`{}` becomes a map", place_name(place))
            } else {
                format!("`{}` is no longer a map", place_name(place))
            };
            self.push(
                Severity::Breaking,
                "type-changed",
                &place.new,
                message,
                place,
            );
            return;
        }
        self.properties(oc, nc, place);
        for (key, part) in [("items", "item"), ("additionalProperties", "value")] {
            if let (Some(o), Some(n)) = (
                oc.get(key).filter(|v| v.is_object()),
                nc.get(key).filter(|v| v.is_object()),
            ) {
                let child = place.child(
                    &format!("/{key}"),
                    place.owner.clone(),
                    nested(&place.ty, part),
                );
                self.node(o, n, &child);
            }
        }
        for kind in ["oneOf", "anyOf", "allOf"] {
            self.branches(kind, oc, nc, place);
        }
    }

    fn push(
        &mut self,
        severity: Severity,
        rule: &'static str,
        pointer: &str,
        message: String,
        place: &Place,
    ) {
        self.out
            .push(severity, rule, pointer, message, Some(place.owner.clone()));
    }

    /// Enum values and openness; `false` when the change ends the comparison of this node.
    fn enums(&mut self, oc: &Value, nc: &Value, place: &Place) -> bool {
        let (o_open, n_open) = (
            oc.get("x-extensible-enum").is_some(),
            nc.get("x-extensible-enum").is_some(),
        );
        let (o_closed, n_closed) = (oc.get("enum").is_some(), nc.get("enum").is_some());
        let ty = self.module.ty(&place.ty);
        if (o_open || o_closed) && (n_open || n_closed) && o_open != n_open {
            let message = if n_open {
                format!(
                    "enum `{}` becomes open: it gains an `Other(String)` variant",
                    place.ty
                )
            } else {
                format!(
                    "enum `{}` becomes closed: its `Other(String)` variant goes, and an unlisted value fails to parse",
                    place.ty
                )
            };
            self.out.push(
                Severity::Breaking,
                "enum-openness",
                &place.new,
                message,
                Some(ty),
            );
            return false;
        }
        if (o_open || o_closed) != (n_open || n_closed) {
            let message = if n_open || n_closed {
                format!("`{}` becomes an enum", place_name(place))
            } else {
                format!("`{}` is no longer an enum", place_name(place))
            };
            self.push(
                Severity::Breaking,
                "type-changed",
                &place.new,
                message,
                place,
            );
            return false;
        }
        let key = if n_open { "x-extensible-enum" } else { "enum" };
        let (ov, nv) = (strings(oc, key), strings(nc, key));
        let variant = |value: &str| {
            if n_open {
                self.module.open_variant(&place.ty, value)
            } else {
                self.module.variant(&place.ty, value)
            }
        };
        let mut found = Vec::new();
        for (i, value) in ov.iter().enumerate() {
            if !nv.contains(value) {
                found.push((
                    Severity::Breaking,
                    "enum-value-removed",
                    format!("{}/{key}/{i}", place.old),
                    format!(
                        "{}enum `{}` loses `{value}`: its variant goes away",
                        place.noun(),
                        place.ty
                    ),
                    variant(value),
                ));
            }
        }
        for (i, value) in nv.iter().enumerate() {
            if !ov.contains(value) {
                // Every generated enum is `#[non_exhaustive]`: a new variant breaks no
                // `match`, but what a received value turns into changes.
                let received = if n_open {
                    format!(
                        "response enum `{}` gains `{value}`: a `{value}` that arrived as `Other` now arrives as its own variant",
                        place.ty
                    )
                } else {
                    format!(
                        "response enum `{}` gains `{value}`: a response with `{value}`, which failed to parse, now parses",
                        place.ty
                    )
                };
                let message = match place.usage {
                    Usage::Request => format!("request enum `{}` gains `{value}`", place.ty),
                    _ => received,
                };
                found.push((
                    by_usage(place.usage, Severity::Warning, Severity::Addition),
                    "enum-value-added",
                    format!("{}/{key}/{i}", place.new),
                    message,
                    variant(value),
                ));
            }
        }
        for (severity, rule, pointer, message, rust) in found {
            self.out.push(severity, rule, &pointer, message, Some(rust));
        }
        true
    }

    fn properties(&mut self, oc: &Value, nc: &Value, place: &Place) {
        let empty = Map::new();
        let props = |s: &Value| s.get("properties").and_then(Value::as_object).cloned();
        let (op, np) = (
            props(oc).unwrap_or_else(|| empty.clone()),
            props(nc).unwrap_or(empty),
        );
        let (oreq, nreq) = (strings(oc, "required"), strings(nc, "required"));
        let owner = place.ty.clone();
        for (name, n) in &np {
            let suffix = format!("/properties/{}", escape(name));
            let field = self.module.field(&owner, name);
            let n_req = nreq.contains(&name.as_str());
            let Some(o) = op.get(name) else {
                // A struct the client receives is `#[non_exhaustive]`, so a new field is a
                // minor change (Cargo's semver reference); one only sent is built by callers
                // with a struct literal, which a new field breaks.
                let (severity, impact, what) = match (place.usage, n_req) {
                    (Usage::Response, true) if !nullable(n) => (
                        Severity::Warning,
                        Impact::Api,
                        "a response without it now fails to parse".to_owned(),
                    ),
                    (Usage::Response, _) | (Usage::Both, false) => {
                        (Severity::Addition, Impact::Api, String::new())
                    }
                    (Usage::Request, _) => (
                        Severity::Breaking,
                        Impact::Api,
                        format!(
                            "`{owner}` is only sent, so not `#[non_exhaustive]`: a struct literal without the field stops compiling{}",
                            if n_req {
                                ", and every request must now set it"
                            } else {
                                ""
                            }
                        ),
                    ),
                    (Usage::Both, true) => (
                        Severity::Breaking,
                        Impact::Behaviour,
                        "every request must now set it".to_owned(),
                    ),
                };
                let required = if n_req { "required" } else { "new" };
                let message = if what.is_empty() {
                    format!("{}property `{name}` added to `{owner}`", place.noun())
                } else {
                    format!(
                        "{required} {}property `{name}` added to `{owner}`: {what}",
                        place.noun()
                    )
                };
                self.out.push_impact(
                    severity,
                    impact,
                    "property-added",
                    &format!("{}{suffix}", place.new),
                    message,
                    Some(field),
                );
                continue;
            };
            let o_req = oreq.contains(&name.as_str());
            self.optionality(
                name,
                (o_req, nullable(o)),
                (n_req, nullable(n)),
                &suffix,
                &field,
                place,
            );
            if place.usage.sent() && flag(o, "readOnly") != flag(n, "readOnly") {
                let message = if flag(n, "readOnly") {
                    format!(
                        "property `{name}` of `{owner}` becomes readOnly: a request must no longer send it (progenitor still generates the field)"
                    )
                } else {
                    format!("property `{name}` of `{owner}` is no longer readOnly")
                };
                self.out.push(
                    Severity::Warning,
                    "read-only-changed",
                    &format!("{}{suffix}", place.new),
                    message,
                    Some(field.clone()),
                );
            }
            let child = place.child(&suffix, field, nested(&owner, name));
            self.node(o, n, &child);
        }
        for name in op.keys().filter(|k| !np.contains_key(*k)) {
            self.out.push(
                Severity::Breaking,
                "property-removed",
                &format!("{}/properties/{}", place.old, escape(name)),
                format!("{}property `{name}` removed from `{owner}`", place.noun()),
                Some(self.module.field(&owner, name)),
            );
        }
    }

    /// `required` and `nullable` together decide whether the field is an `Option`.
    fn optionality(
        &mut self,
        name: &str,
        (o_req, o_null): (bool, bool),
        (n_req, n_null): (bool, bool),
        suffix: &str,
        field: &str,
        place: &Place,
    ) {
        let pointer = format!("{}{suffix}", place.new);
        let owner = &place.ty;
        let (o_opt, n_opt) = (!o_req || o_null, !n_req || n_null);
        let mut push = |severity, rule, message: String| {
            self.out
                .push(severity, rule, &pointer, message, Some(field.to_owned()));
        };
        if o_opt != n_opt {
            let (rule, what) = match (o_req != n_req, n_opt) {
                (true, true) => ("property-optional", "is no longer required"),
                (true, false) => ("property-required", "becomes required"),
                (false, true) => ("property-nullable", "becomes nullable"),
                (false, false) => ("property-not-nullable", "is no longer nullable"),
            };
            let change = if n_opt {
                "the field becomes an `Option`"
            } else {
                "the field is no longer an `Option`"
            };
            push(
                Severity::Breaking,
                rule,
                format!(
                    "{}property `{name}` of `{owner}` {what}: {change}",
                    place.noun()
                ),
            );
            return;
        }
        if o_req != n_req {
            if n_req {
                push(
                    by_usage(place.usage, Severity::Warning, Severity::Breaking),
                    "property-required",
                    format!(
                        "{}property `{name}` of `{owner}` becomes required (it stays an `Option` as it is nullable)",
                        place.noun()
                    ),
                );
            } else {
                push(
                    Severity::Addition,
                    "property-optional",
                    format!(
                        "{}property `{name}` of `{owner}` is no longer required (it was already an `Option`)",
                        place.noun()
                    ),
                );
            }
        }
        if o_null != n_null {
            if n_null {
                push(
                    Severity::Addition,
                    "property-nullable",
                    format!(
                        "{}property `{name}` of `{owner}` becomes nullable (it was already an `Option`)",
                        place.noun()
                    ),
                );
            } else {
                push(
                    by_usage(place.usage, Severity::Warning, Severity::Addition),
                    "property-not-nullable",
                    format!(
                        "{}property `{name}` of `{owner}` is no longer nullable: a `null` now fails to parse",
                        place.noun()
                    ),
                );
            }
        }
    }

    /// `oneOf`/`anyOf`/`allOf` branches, matched by `title` (which names the Rust variant) when
    /// every branch has one, else by position.
    fn branches(&mut self, kind: &str, oc: &Value, nc: &Value, place: &Place) {
        let list = |s: &Value| {
            s.get(kind)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let (ob, nb) = (list(oc), list(nc));
        if kind == "allOf" && (ob.len() == 1 || nb.len() == 1) && ob.len() == nb.len() {
            // Unwrapped by `core` already.
            return;
        }
        let titled = |b: &[Value]| {
            b.iter()
                .all(|x| x.get("title").and_then(Value::as_str).is_some())
        };
        let by_title = titled(&ob) && titled(&nb) && kind != "allOf";
        let key = |i: usize, b: &Value| -> String {
            if by_title {
                b.get("title")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            } else {
                i.to_string()
            }
        };
        let ok: Vec<String> = ob.iter().enumerate().map(|(i, b)| key(i, b)).collect();
        let nk: Vec<String> = nb.iter().enumerate().map(|(i, b)| key(i, b)).collect();
        let what = |k: &str| {
            if by_title {
                format!("`{kind}` branch `{k}`")
            } else {
                format!("`{kind}` branch {k}")
            }
        };
        let variant = |k: &str| {
            format!(
                "{}::{}",
                self.module.ty(&place.ty),
                if by_title {
                    pascal(k)
                } else {
                    format!("Variant{k}")
                }
            )
        };
        for (i, k) in ok.iter().enumerate() {
            if !nk.contains(k) {
                self.out.push(
                    Severity::Breaking,
                    "variant-removed",
                    &format!("{}/{kind}/{i}", place.old),
                    format!("{} of `{}` removed", what(k), place.ty),
                    Some(variant(k)),
                );
            }
        }
        for (i, k) in nk.iter().enumerate() {
            match ok.iter().position(|x| x == k) {
                None => {
                    let severity = if kind == "allOf" {
                        Severity::Breaking
                    } else {
                        by_usage(place.usage, Severity::Warning, Severity::Addition)
                    };
                    self.out.push(
                        severity,
                        "variant-added",
                        &format!("{}/{kind}/{i}", place.new),
                        format!("{} added to `{}`", what(k), place.ty),
                        Some(variant(k)),
                    );
                }
                Some(j) => {
                    let mut child = place.child("", variant(k), nested(&place.ty, k));
                    child.old = format!("{}/{kind}/{j}", place.old);
                    child.new = format!("{}/{kind}/{i}", place.new);
                    self.node(&ob[j], &nb[i], &child);
                }
            }
        }
    }
}

/// How a message names the node at `place`: the last part of its Rust item.
fn place_name(place: &Place) -> String {
    place
        .owner
        .rsplit("::")
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("::")
}
