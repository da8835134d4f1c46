//! `servers` and `security`: the base URL and authentication a reviewer checks the hand-written
//! layer against. progenitor reads neither, so nothing else would notice them missing.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Doc, has_text, operation_name};
use crate::spec::{escape, for_each_operation};

pub(super) fn check(doc: &mut Doc<'_>) {
    servers(doc);
    security(doc);
}

fn servers(doc: &mut Doc<'_>) {
    let raw = doc.raw;
    let list = raw.get("servers").and_then(Value::as_array);
    let Some(list) = list.filter(|l| !l.is_empty()) else {
        doc.report("servers", "", "the spec declares no `servers`");
        return;
    };
    for (i, server) in list.iter().enumerate() {
        let at = format!("/servers/{i}");
        let Some(url) = server.get("url").and_then(Value::as_str) else {
            doc.report("servers", &at, "server has no `url`");
            continue;
        };
        if !url.starts_with("https://") {
            doc.report(
                "servers",
                &format!("{at}/url"),
                format!("server URL `{url}` is not an absolute https URL"),
            );
        }
        let variables = server.get("variables").and_then(Value::as_object);
        let used: BTreeSet<&str> = url
            .split('{')
            .skip(1)
            .filter_map(|s| s.split('}').next())
            .collect();
        for name in &used {
            if !variables.is_some_and(|v| v.contains_key(*name)) {
                doc.report(
                    "servers",
                    &format!("{at}/url"),
                    format!("`{{{name}}}` in `{url}` has no entry in `variables`"),
                );
            }
        }
        for (name, variable) in variables.into_iter().flatten() {
            let var_at = format!("{at}/variables/{}", escape(name));
            if !used.contains(name.as_str()) {
                doc.report(
                    "servers",
                    &var_at,
                    format!("variable `{name}` does not appear in `{url}`"),
                );
            }
            if variable.get("default").and_then(Value::as_str).is_none() {
                doc.report(
                    "servers",
                    &var_at,
                    format!("variable `{name}` has no `default`"),
                );
            }
            if !has_text(variable, "description") {
                doc.report(
                    "servers",
                    &var_at,
                    format!("variable `{name}` has no `description`"),
                );
            }
        }
    }
}

fn security(doc: &mut Doc<'_>) {
    let raw = doc.raw;
    let schemes = raw
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .filter(|s| !s.is_empty());
    match schemes {
        None => doc.report(
            "security",
            if raw.get("components").is_some() {
                "/components"
            } else {
                ""
            },
            "the spec declares no `components.securitySchemes`",
        ),
        Some(schemes) => {
            for (name, scheme) in schemes {
                if !has_text(scheme, "description") {
                    doc.report(
                        "security",
                        &format!("/components/securitySchemes/{}", escape(name)),
                        format!("security scheme `{name}` has no `description`"),
                    );
                }
            }
        }
    }
    let known = |name: &str| schemes.is_some_and(|s| s.contains_key(name));
    let check_requirements = |doc: &mut Doc<'_>, at: &str, list: &Value| {
        for (i, requirement) in list.as_array().into_iter().flatten().enumerate() {
            for name in requirement
                .as_object()
                .into_iter()
                .flatten()
                .map(|(n, _)| n)
            {
                if !known(name) {
                    doc.report(
                        "security",
                        &format!("{at}/{i}/{}", escape(name)),
                        format!("`{name}` is not a scheme of `components.securitySchemes`"),
                    );
                }
            }
        }
    };
    let global = raw
        .get("security")
        .filter(|s| s.as_array().is_some_and(|a| !a.is_empty()));
    if let Some(global) = global {
        check_requirements(doc, "/security", global);
    }
    let mut uncovered = Vec::new();
    for_each_operation(raw, |pointer, path, method, op| match op.get("security") {
        Some(own) => {
            check_requirements(doc, &format!("{pointer}/security"), own);
            if own.as_array().is_some_and(|a| a.is_empty()) {
                uncovered.push((pointer, operation_name(op, method, path), true));
            }
        }
        None if global.is_none() => {
            uncovered.push((pointer, operation_name(op, method, path), false))
        }
        None => {}
    });
    for (pointer, name, explicit) in uncovered {
        let message = if explicit {
            format!("operation {name} opts out of security with `security: []`")
        } else {
            format!(
                "operation {name} requires no security: declare a top-level `security` or its own"
            )
        };
        doc.report("security", &pointer, message);
    }
}
