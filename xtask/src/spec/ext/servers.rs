//! `servers` and each server's `x-rollcall-name`: the base URLs, their variables, and the
//! variant of the servers enum that picks one when there are several.

use heck::ToUpperCamelCase as _;
use serde_json::Value;

use super::value::str_at;
use crate::spec::{SpecError, escape};

/// One server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// The URL template (`https://{subdomain}.zendesk.com`).
    pub url: String,
    /// The variant name, with several servers.
    pub name: Option<String>,
    /// The description.
    pub description: String,
    /// The variables, in the order they appear in the URL.
    pub variables: Vec<String>,
}

/// The servers, checked: variables declared, and with several, named alike.
pub(super) fn read(file: &str, raw: &Value) -> Result<Vec<Server>, SpecError> {
    let mut out = Vec::new();
    let servers = raw.get("servers").and_then(Value::as_array);
    for (i, server) in servers.into_iter().flatten().enumerate() {
        let at = format!("/servers/{i}");
        let url = server
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| SpecError::at(file, &at, "a server needs a `url`"))?;
        let mut variables = Vec::new();
        let mut rest = url;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').ok_or_else(|| {
                SpecError::at(file, &format!("{at}/url"), "unclosed `{` in the URL")
            })?;
            let name = &rest[open + 1..open + close];
            if server
                .pointer(&format!("/variables/{}", escape(name)))
                .is_none()
            {
                return Err(SpecError::at(
                    file,
                    &format!("{at}/url"),
                    format!("`{{{name}}}` is not among the server's variables"),
                ));
            }
            variables.push(name.to_owned());
            rest = &rest[open + close + 1..];
        }
        let name = str_at(file, raw, &format!("{at}/x-rollcall-name"))?;
        if let Some(name) = name
            && name.to_upper_camel_case() != name
        {
            return Err(SpecError::at(
                file,
                &format!("{at}/x-rollcall-name"),
                "a server name is an UpperCamelCase Rust variant",
            ));
        }
        out.push(Server {
            url: url.trim_end_matches('/').to_owned(),
            name: name.map(str::to_owned),
            description: server
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            variables,
        });
    }
    if out.len() > 1 {
        let first = &out[0].variables;
        for (i, server) in out.iter().enumerate() {
            if server.name.is_none() {
                return Err(SpecError::at(
                    file,
                    &format!("/servers/{i}"),
                    "with several servers, each needs `x-rollcall-name`",
                ));
            }
            if &server.variables != first {
                return Err(SpecError::at(
                    file,
                    &format!("/servers/{i}/url"),
                    "every server must have the same variables",
                ));
            }
        }
    }
    Ok(out)
}
