//! The `x-rollcall*` extensions: what a spec says about a provider that standard OpenAPI cannot,
//! read into one model that codegen and lint share. Every malformed or unknown value is refused
//! with one line naming the file and the JSON pointer (documented in `specs/README.md`).
//!
//! | where | extension | what |
//! | --- | --- | --- |
//! | document | `x-rollcall` | `errors` pointers, `envelope` (errors inside HTTP 200), `any-content-type`, `servers-enum` |
//! | document | `x-rollcall.walks`, `x-rollcall.slow-down` | the union of several walks with their facts; refusals that mean slow down |
//! | server | `x-rollcall-name` | the variant of the servers enum |
//! | security scheme | `x-rollcall-auth` | constructor name, basic user template, argument names, plugin, env names |
//! | operation | `x-rollcall-pagination` | how a list pages and where its records sit; `incremental` marks the incremental export |
//! | operation | `x-rollcall-rate-limit` | a rate limit of the operation's own, on top of the document's |
//! | parameter | `x-rollcall-codegen-skip` | kept out of the generated client (see `codegen`) |
//! | schema | `x-extensible-enum`, `x-rollcall-case-insensitive` | open enums (see `codegen::open_enum`) |
//!
//! One file per extension or concern; `value` holds the typed readers they share. `lint` reads
//! the same model: the `extensions` rule reports what [`read`] refuses, and the `pagination`
//! rule reports every problem [`pagination::Syntax`] finds, where [`read`] stops at the first.

use serde_json::Value;

use super::{Spec, SpecError};

mod account;
mod auth;
mod errors;
mod headers;
pub mod pagination;
mod rate_limit;
mod servers;
mod value;
mod walks;

pub use account::{Account, KINDS, Rule, STATUSES, Test};
pub use auth::{AUTHORITY_HOST, CLIENT_ID, PLUGINS, Scheme, SchemeKind, env_var};
pub use errors::{ErrorRules, Field, Part, envelope_text};
pub use pagination::{List, Style};
pub use servers::Server;
pub use walks::{SlowDown, Walk};

use value::{bool_at, check_keys, object_at, str_at};

/// Keys `x-rollcall` may hold.
const DOCUMENT_KEYS: &[&str] = &[
    "errors",
    "envelope",
    "any-content-type",
    "servers-enum",
    "rate-limit",
    "account",
    "walks",
    "slow-down",
];

/// Everything the extensions and the standard parts around them say about one provider.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extensions {
    /// `info.title`.
    pub title: String,
    /// Where error bodies keep code, message and request id.
    pub errors: ErrorRules,
    /// An error envelope that arrives with HTTP 200: the pointer of the field that decides and
    /// the value that means success.
    pub envelope: Option<(String, Value)>,
    /// Whether a success may come with any `Content-Type`.
    pub any_content_type: bool,
    /// The servers; with more than one, `servers_enum` names the Rust enum that picks one.
    pub servers: Vec<Server>,
    /// The name of the enum over `servers`, when there are several.
    pub servers_enum: Option<String>,
    /// The documented rate limit: requests per so many seconds.
    pub rate_limit: Option<(u32, u64)>,
    /// One constructor per security scheme, in the spec's order.
    pub schemes: Vec<Scheme>,
    /// Header parameters with a `default`, sent with every request unless set.
    pub default_headers: Vec<(String, String)>,
    /// The list operations.
    pub lists: Vec<List>,
    /// The provider's incremental export (a list operation with `incremental`), kept apart
    /// from `lists`: it is walked for changes, never for every user.
    pub incremental: Option<List>,
    /// Operations with a rate limit of their own (`x-rollcall-rate-limit`): operationId,
    /// requests, seconds.
    pub operation_limits: Vec<(String, u32, u64)>,
    /// How a user record reads as an account (`x-rollcall.account`); the default without it.
    pub account: Account,
    /// The walks whose union is the account list (`x-rollcall.walks`); empty: the one list.
    pub walks: Vec<Walk>,
    /// Refusals that mean "slow down" without being 429 (`x-rollcall.slow-down`).
    pub slow_down: Vec<SlowDown>,
    /// Required path parameters of the walked lists without a value of their own: arguments
    /// of every constructor, after the server's variables (`org`).
    pub params: Vec<String>,
}

/// Reads and checks every extension of `spec`.
pub fn read(spec: &Spec) -> Result<Extensions, SpecError> {
    let file = spec.file.as_str();
    let raw = &spec.raw;
    let doc = object_at(file, raw, "/x-rollcall")?;
    check_keys(file, "/x-rollcall", doc, DOCUMENT_KEYS)?;
    let mut provider = Extensions {
        title: raw
            .pointer("/info/title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        any_content_type: bool_at(file, raw, "/x-rollcall/any-content-type")?.unwrap_or(false),
        servers_enum: str_at(file, raw, "/x-rollcall/servers-enum")?.map(str::to_owned),
        ..Extensions::default()
    };
    provider.errors = errors::error_rules(file, raw)?;
    provider.envelope = errors::envelope(file, raw)?;
    provider.rate_limit = rate_limit::read(file, raw)?;
    provider.servers = servers::read(file, raw)?;
    if provider.servers.len() > 1 && provider.servers_enum.is_none() {
        return Err(SpecError::at(
            file,
            "/servers",
            "several servers need `x-rollcall.servers-enum` (the Rust enum that picks one) and \
             `x-rollcall-name` on each",
        ));
    }
    provider.schemes = auth::schemes(file, raw)?;
    provider.default_headers = headers::default_headers(raw);
    let mut lists = pagination::lists(spec)?;
    if let Some(i) = lists.iter().position(|l| l.start_param.is_some()) {
        provider.incremental = Some(lists.remove(i));
        if lists.iter().any(|l| l.start_param.is_some()) {
            return Err(SpecError::whole(
                file,
                "more than one operation is marked `incremental` in x-rollcall-pagination",
            ));
        }
    }
    provider.lists = lists;
    provider.operation_limits = rate_limit::operations(file, raw)?;
    provider.account = account::read(file, raw, &provider.lists)?;
    provider.walks = walks::walks(file, raw, &provider.lists)?;
    provider.slow_down = walks::slow_down(file, raw)?;
    for list in &provider.lists {
        for param in &list.path_params {
            if !provider.params.contains(param) {
                provider.params.push(param.clone());
            }
        }
    }
    Ok(provider)
}
