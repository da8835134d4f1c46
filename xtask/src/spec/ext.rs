//! The `x-rollcall*` extensions: what a spec says about a provider that standard OpenAPI cannot,
//! read into one model that codegen and lint share. Every malformed or unknown value is refused
//! with one line naming the file and the JSON pointer (documented in `specs/README.md`).
//!
//! | where | extension | what |
//! | --- | --- | --- |
//! | document | `x-rollcall` | `errors` pointers, `envelope` (errors inside HTTP 200), `any-content-type`, `servers-enum` |
//! | server | `x-rollcall-name` | the variant of the servers enum |
//! | security scheme | `x-rollcall-auth` | constructor name, basic user template, argument names, plugin, env names |
//! | operation | `x-rollcall-pagination` | how a list pages and where its records sit |
//! | parameter | `x-rollcall-codegen-skip` | kept out of the generated client (see `codegen`) |
//! | schema | `x-extensible-enum`, `x-rollcall-case-insensitive` | open enums (see `codegen::open_enum`) |

use std::collections::BTreeMap;

use heck::{ToShoutySnakeCase as _, ToSnakeCase as _, ToUpperCamelCase as _};
use serde_json::{Map, Value};

use super::{Spec, SpecError, escape, for_each_operation, resolve};

/// Keys `x-rollcall` may hold.
const DOCUMENT_KEYS: &[&str] = &[
    "errors",
    "envelope",
    "any-content-type",
    "servers-enum",
    "rate-limit",
    "account",
];
/// Keys `x-rollcall.account` may hold.
const ACCOUNT_KEYS: &[&str] = &[
    "id",
    "email",
    "name",
    "status",
    "kind",
    "roles",
    "privileged",
    "created_at",
    "updated_at",
    "last_login_at",
    "manager",
];
/// The values of an account's `status` (the runtime's `Status`, snake_case).
pub const STATUSES: &[&str] = &[
    "active",
    "inactive",
    "suspended",
    "invited",
    "deleted",
    "unknown",
];
/// The values of an account's `kind` (the runtime's `Kind`, snake_case).
pub const KINDS: &[&str] = &["member", "guest", "end_user", "bot"];
/// Keys `x-rollcall-auth` may hold.
const AUTH_KEYS: &[&str] = &["constructor", "user", "secret", "plugin", "env"];
/// Keys `x-rollcall-pagination` may hold.
pub const PAGINATION_KEYS: &[&str] = &[
    "style",
    "items",
    "record",
    "id",
    "page-param",
    "size-param",
    "max-size",
    "cursor-param",
    "next-cursor",
    "has-more",
    "next-link",
    "stop-on-empty",
    "send",
    "total",
    "seats",
];
/// Signature plugins the runtime has (`rollcall_runtime::Plugin`).
pub const PLUGINS: &[&str] = &["query-md5"];

/// Everything the extensions and the standard parts around them say about one provider.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provider {
    /// `info.title`.
    pub title: String,
    /// Where error bodies keep code, message and request id.
    pub errors: ErrorRules,
    /// An error envelope that arrives with HTTP 200: the pointer of the field that decides and
    /// the value that means success.
    pub envelope: Option<(String, String)>,
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
    /// How a user record reads as an account (`x-rollcall.account`); the default without it.
    pub account: Account,
}

/// `x-rollcall.account`: pointers into the user record's JSON form (empty: not mapped).
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// The id.
    pub id: String,
    /// The email address.
    pub email: String,
    /// The display name.
    pub name: String,
    /// Status rules, first match wins; values from [`STATUSES`].
    pub status: Vec<Rule>,
    /// Kind rules, first match wins; values from [`KINDS`].
    pub kind: Vec<Rule>,
    /// Where role names are.
    pub roles: Vec<String>,
    /// Privileged rules, first match wins; values `true` or `false`.
    pub privileged: Vec<Rule>,
    /// Timestamps and the manager.
    pub created_at: String,
    /// When last changed.
    pub updated_at: String,
    /// When last signed in.
    pub last_login_at: String,
    /// The manager's id.
    pub manager: String,
}

impl Default for Account {
    fn default() -> Self {
        Self {
            id: "/id".into(),
            email: "/email".into(),
            name: "/name".into(),
            status: Vec::new(),
            kind: Vec::new(),
            roles: Vec::new(),
            privileged: Vec::new(),
            created_at: String::new(),
            updated_at: String::new(),
            last_login_at: String::new(),
            manager: String::new(),
        }
    }
}

/// One mapping rule: a value and the tests that must all hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The value (a status, a kind, or `true`/`false`).
    pub value: String,
    /// The tests.
    pub all: Vec<Test>,
}

/// One test of a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// The pointer.
    pub at: String,
    /// `Some(flag)` for `present`, else the values of `is`.
    pub present: Option<bool>,
    /// The values `is` accepts (strings, booleans, integers, null).
    pub is: Vec<Value>,
    /// Compare strings without regard to case.
    pub ci: bool,
}

/// `x-rollcall.errors`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorRules {
    /// Candidates for the code.
    pub code: Vec<Field>,
    /// Parts of the message.
    pub message: Vec<Part>,
    /// Candidates for the request id.
    pub request_id: Vec<Field>,
}

/// A pointer and which strings count there (`any`, `word`, `phrase`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// JSON pointer, `*` for every element.
    pub at: String,
    /// `Any`, `Word` or `Phrase` (the runtime's `Only`).
    pub only: &'static str,
}

/// One part of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Where it applies.
    pub each: String,
    /// Candidates for the text.
    pub text: Vec<Field>,
    /// The label pointer or `*`.
    pub label: Option<String>,
}

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

/// How one security scheme authenticates, and the constructor made for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    /// The scheme's key in `components.securitySchemes`.
    pub key: String,
    /// The scheme's description.
    pub description: String,
    /// The constructor's name (`with_token`).
    pub constructor: String,
    /// What it sends.
    pub kind: SchemeKind,
    /// The plain (non-secret) arguments a basic user template names, in order.
    pub user_args: Vec<String>,
    /// The secret argument's name.
    pub secret: String,
    /// Environment variables by argument name, where the spec overrides the convention.
    pub env: BTreeMap<String, String>,
}

/// What a scheme sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer`.
    Bearer,
    /// `Authorization: Basic`, the user name from a template such as `{email}/token`.
    Basic {
        /// The template.
        user: String,
    },
    /// An API key in a header.
    Header(String),
    /// An API key in the query.
    Query(String),
    /// A named runtime plugin, with the apiKey's parameter name.
    Plugin(String, String),
}

/// How a list operation pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Style {
    /// Numbered pages.
    Page,
    /// Opaque cursors.
    Cursor,
    /// Everything in one response.
    None,
}

/// One list operation (`x-rollcall-pagination`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    /// The operationId.
    pub operation: String,
    /// The operation's path template (`/v2/users`), relative to the server.
    pub path: String,
    /// The HTTP method, lower-case (`get`).
    pub method: String,
    /// The security schemes the operation accepts (empty: the document's).
    pub security: Vec<String>,
    /// The component schema of the 200 body.
    pub response: String,
    /// How it pages.
    pub style: Style,
    /// Pointer of the records array in the body.
    pub items: String,
    /// Pointer of the user inside a record, when a record wraps it.
    pub record: Option<String>,
    /// Pointer of the user's id inside the user.
    pub id: String,
    /// The page-number parameter and its first value.
    pub page_param: Option<(String, i64)>,
    /// The page-size parameter.
    pub size_param: Option<String>,
    /// The largest page size.
    pub max_size: Option<u32>,
    /// The cursor parameter.
    pub cursor_param: Option<String>,
    /// Pointer of the next cursor.
    pub next_cursor: Option<String>,
    /// Pointer of the has-more flag.
    pub has_more: Option<String>,
    /// Pointer of the next link.
    pub next_link: Option<String>,
    /// Pointer of the total number of users the server declares.
    pub total: Option<String>,
    /// Required parameters with one documented value: (name, value) the walk sends.
    pub fixed: Vec<(String, Value)>,
    /// Query parameters (name, value) that list only seat holders.
    pub seats: Vec<(String, String)>,
    /// The component schema of the user.
    pub user_schema: String,
}

impl Scheme {
    /// The constructor's arguments: the user template's, then the secret.
    pub fn args(&self) -> Vec<String> {
        let mut args = self.user_args.clone();
        args.push(self.secret.clone());
        args
    }

    /// The environment variable for argument `arg` of provider `provider`.
    pub fn env_var(&self, provider: &str, arg: &str) -> String {
        self.env
            .get(arg)
            .cloned()
            .unwrap_or_else(|| env_var(provider, arg))
    }
}

/// `<PROVIDER>_<ARG>`, upper-cased, `-` as `_`.
pub fn env_var(provider: &str, arg: &str) -> String {
    format!(
        "{}_{}",
        provider.to_shouty_snake_case(),
        arg.to_shouty_snake_case()
    )
}

/// Reads and checks every extension of `spec`.
pub fn read(spec: &Spec) -> Result<Provider, SpecError> {
    let file = spec.file.as_str();
    let raw = &spec.raw;
    let doc = object_at(file, raw, "/x-rollcall")?;
    check_keys(file, "/x-rollcall", doc, DOCUMENT_KEYS)?;
    let mut provider = Provider {
        title: raw
            .pointer("/info/title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        any_content_type: bool_at(file, raw, "/x-rollcall/any-content-type")?.unwrap_or(false),
        servers_enum: str_at(file, raw, "/x-rollcall/servers-enum")?.map(str::to_owned),
        ..Provider::default()
    };
    provider.errors = error_rules(file, raw)?;
    if let Some(envelope) = object_at(file, raw, "/x-rollcall/envelope")? {
        check_keys(file, "/x-rollcall/envelope", Some(envelope), &["at", "ok"])?;
        let at = pointer_at(file, raw, "/x-rollcall/envelope/at")?
            .ok_or_else(|| SpecError::at(file, "/x-rollcall/envelope", "needs `at`"))?;
        let ok = str_at(file, raw, "/x-rollcall/envelope/ok")?
            .ok_or_else(|| SpecError::at(file, "/x-rollcall/envelope", "needs `ok`"))?;
        provider.envelope = Some((at, ok.to_owned()));
    }
    if let Some(limit) = object_at(file, raw, "/x-rollcall/rate-limit")? {
        let at = "/x-rollcall/rate-limit";
        check_keys(file, at, Some(limit), &["requests", "per"])?;
        let requests = limit
            .get("requests")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| SpecError::at(file, at, "`requests` is a positive integer"))?;
        let per = match limit.get("per").and_then(Value::as_str) {
            Some("second") => 1,
            Some("minute") => 60,
            Some("hour") => 3600,
            _ => {
                return Err(SpecError::at(
                    file,
                    &format!("{at}/per"),
                    "`per` is second, minute or hour",
                ));
            }
        };
        provider.rate_limit = Some((requests, per));
    }
    provider.servers = servers(file, raw)?;
    if provider.servers.len() > 1 && provider.servers_enum.is_none() {
        return Err(SpecError::at(
            file,
            "/servers",
            "several servers need `x-rollcall.servers-enum` (the Rust enum that picks one) and \
             `x-rollcall-name` on each",
        ));
    }
    provider.schemes = schemes(file, raw)?;
    provider.default_headers = default_headers(raw);
    provider.lists = lists(spec)?;
    provider.account = account(file, raw, &provider.lists)?;
    Ok(provider)
}

fn error_rules(file: &str, raw: &Value) -> Result<ErrorRules, SpecError> {
    let base = "/x-rollcall/errors";
    let Some(errors) = object_at(file, raw, base)? else {
        return Ok(ErrorRules::default());
    };
    check_keys(file, base, Some(errors), &["code", "message", "request-id"])?;
    let mut rules = ErrorRules {
        code: fields(file, raw, &format!("{base}/code"))?,
        request_id: fields(file, raw, &format!("{base}/request-id"))?,
        message: Vec::new(),
    };
    let parts = raw.pointer(&format!("{base}/message"));
    for (i, part) in list(file, &format!("{base}/message"), parts)?
        .iter()
        .enumerate()
    {
        let at = format!("{base}/message/{i}");
        let Some(object) = part.as_object() else {
            return Err(SpecError::at(
                file,
                &at,
                "a message part is a mapping with `text` (and optional `each`, `label`)",
            ));
        };
        check_keys(file, &at, Some(object), &["each", "text", "label"])?;
        let text = fields(file, raw, &format!("{at}/text"))?;
        if text.is_empty() {
            return Err(SpecError::at(file, &at, "a message part needs `text`"));
        }
        let label = match raw.pointer(&format!("{at}/label")) {
            Some(Value::String(star)) if star == "*" => Some(star.clone()),
            Some(_) => pointer_at(file, raw, &format!("{at}/label"))?,
            None => None,
        };
        rules.message.push(Part {
            each: pointer_at(file, raw, &format!("{at}/each"))?.unwrap_or_default(),
            text,
            label,
        });
    }
    Ok(rules)
}

/// A list of fields: each a pointer, or `{at, only: any|word|phrase}`.
fn fields(file: &str, raw: &Value, at: &str) -> Result<Vec<Field>, SpecError> {
    let mut out = Vec::new();
    for (i, item) in list(file, at, raw.pointer(at))?.iter().enumerate() {
        let here = format!("{at}/{i}");
        let (pointer, only) = match item {
            Value::String(pointer) => (pointer.clone(), "Any"),
            Value::Object(object) => {
                check_keys(file, &here, Some(object), &["at", "only"])?;
                let only = match object.get("only").and_then(Value::as_str) {
                    None | Some("any") => "Any",
                    Some("word") => "Word",
                    Some("phrase") => "Phrase",
                    Some(other) => {
                        return Err(SpecError::at(
                            file,
                            &format!("{here}/only"),
                            format!("unknown `only: {other}` (any, word or phrase)"),
                        ));
                    }
                };
                let pointer = object
                    .get("at")
                    .and_then(Value::as_str)
                    .ok_or_else(|| SpecError::at(file, &here, "needs `at`"))?;
                (pointer.to_owned(), only)
            }
            _ => {
                return Err(SpecError::at(
                    file,
                    &here,
                    "expected a JSON pointer or `{at, only}`",
                ));
            }
        };
        check_pointer(file, &here, &pointer)?;
        out.push(Field { at: pointer, only });
    }
    Ok(out)
}

fn servers(file: &str, raw: &Value) -> Result<Vec<Server>, SpecError> {
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

fn schemes(file: &str, raw: &Value) -> Result<Vec<Scheme>, SpecError> {
    let mut out: Vec<Scheme> = Vec::new();
    let all = raw
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object);
    for (key, scheme) in all.into_iter().flatten() {
        let at = format!("/components/securitySchemes/{}", escape(key));
        let ext_at = format!("{at}/x-rollcall-auth");
        let ext = object_at(file, raw, &ext_at)?;
        check_keys(file, &ext_at, ext, AUTH_KEYS)?;
        let get = |k: &str| str_at(file, raw, &format!("{ext_at}/{k}"));
        let kind_of = scheme.get("type").and_then(Value::as_str).unwrap_or("");
        let http = scheme.get("scheme").and_then(Value::as_str).unwrap_or("");
        let (kind, default_constructor, default_secret) = match (
            kind_of,
            http.to_ascii_lowercase().as_str(),
        ) {
            ("http", "bearer") => (SchemeKind::Bearer, "with_token", "token"),
            ("http", "basic") => (
                SchemeKind::Basic {
                    user: get("user")?.unwrap_or("{username}").to_owned(),
                },
                "with_basic",
                "password",
            ),
            ("apiKey", _) => {
                let name = scheme
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| SpecError::at(file, &at, "an apiKey scheme needs `name`"))?
                    .to_owned();
                let kind = match (get("plugin")?, scheme.get("in").and_then(Value::as_str)) {
                    (Some(plugin), _) if PLUGINS.contains(&plugin) => {
                        SchemeKind::Plugin(plugin.to_owned(), name)
                    }
                    (Some(plugin), _) => {
                        return Err(SpecError::at(
                            file,
                            &format!("{ext_at}/plugin"),
                            format!(
                                "unknown plugin `{plugin}` (the runtime has: {})",
                                PLUGINS.join(", ")
                            ),
                        ));
                    }
                    (None, Some("header")) => SchemeKind::Header(name.to_ascii_lowercase()),
                    (None, Some("query")) => SchemeKind::Query(name),
                    (None, other) => {
                        return Err(SpecError::at(
                            file,
                            &format!("{at}/in"),
                            format!("apiKey in {other:?} is not supported (header or query)"),
                        ));
                    }
                };
                (kind, "with_api_key", "api_key")
            }
            _ => {
                return Err(SpecError::at(
                    file,
                    &at,
                    format!(
                        "security scheme `{kind_of}` `{http}` is not supported (http bearer, http \
                         basic, apiKey)"
                    ),
                ));
            }
        };
        if get("plugin")?.is_some() && !matches!(kind, SchemeKind::Plugin(..)) {
            return Err(SpecError::at(
                file,
                &format!("{ext_at}/plugin"),
                "a plugin signs with an apiKey scheme's key",
            ));
        }
        if get("user")?.is_some() && !matches!(kind, SchemeKind::Basic { .. }) {
            return Err(SpecError::at(
                file,
                &format!("{ext_at}/user"),
                "`user` is the user name template of an http basic scheme",
            ));
        }
        let user_args = match &kind {
            SchemeKind::Basic { user } => placeholders(file, &ext_at, user)?,
            _ => Vec::new(),
        };
        let constructor = get("constructor")?
            .unwrap_or(default_constructor)
            .to_owned();
        let secret = get("secret")?.unwrap_or(default_secret).to_owned();
        for name in [&constructor, &secret].into_iter().chain(&user_args) {
            if name.to_snake_case() != *name || name.is_empty() {
                return Err(SpecError::at(
                    file,
                    &ext_at,
                    format!("`{name}` is not a snake_case Rust name"),
                ));
            }
        }
        if let Some(other) = out.iter().find(|s| s.constructor == constructor) {
            return Err(SpecError::at(
                file,
                &ext_at,
                format!(
                    "constructor `{constructor}` is also made for `{}`: name one with \
                     `x-rollcall-auth.constructor`",
                    other.key
                ),
            ));
        }
        let mut env = BTreeMap::new();
        if let Some(map) = object_at(file, raw, &format!("{ext_at}/env"))? {
            for (arg, name) in map {
                let name = name.as_str().ok_or_else(|| {
                    SpecError::at(file, &format!("{ext_at}/env"), "env names are strings")
                })?;
                env.insert(arg.clone(), name.to_owned());
            }
        }
        out.push(Scheme {
            key: key.clone(),
            description: scheme
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            constructor,
            kind,
            user_args,
            secret,
            env,
        });
    }
    Ok(out)
}

/// The `{name}` placeholders of a template, in order.
fn placeholders(file: &str, at: &str, template: &str) -> Result<Vec<String>, SpecError> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| SpecError::at(file, at, "unclosed `{` in `user`"))?;
        names.push(rest[open + 1..open + close].to_owned());
        rest = &rest[open + close + 1..];
    }
    Ok(names)
}

/// Header parameters of any operation whose schema has a string `default`.
fn default_headers(raw: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for_each_operation(raw, |_, _, _, op| {
        for param in op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let param = resolve(raw, param);
            if param.get("in").and_then(Value::as_str) != Some("header") {
                continue;
            }
            let name = param.get("name").and_then(Value::as_str).unwrap_or("");
            let default = resolve(raw, param.get("schema").unwrap_or(&Value::Null))
                .get("default")
                .and_then(Value::as_str);
            if let Some(default) = default
                && !out.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                out.push((name.to_ascii_lowercase(), default.to_owned()));
            }
        }
    });
    out
}

fn lists(spec: &Spec) -> Result<Vec<List>, SpecError> {
    let raw = &spec.raw;
    let mut out = Vec::new();
    let mut problem = None;
    for_each_operation(raw, |at, path, method, op| {
        if problem.is_some() {
            return;
        }
        if op.get("x-rollcall-pagination").is_some() {
            match list(spec, &at, op).map(|list| List {
                path: path.to_owned(),
                method: method.to_owned(),
                ..list
            }) {
                Ok(list) => out.push(list),
                Err(error) => problem = Some(error),
            }
        }
    });
    return match problem {
        Some(error) => Err(error),
        None => Ok(out),
    };

    fn list(spec: &Spec, at: &str, op: &Value) -> Result<List, SpecError> {
        let file = spec.file.as_str();
        let raw = &spec.raw;
        let base = format!("{at}/x-rollcall-pagination");
        let ext = object_at(file, raw, &base)?;
        check_keys(file, &base, ext, PAGINATION_KEYS)?;
        let text = |k: &str| str_at(file, raw, &format!("{base}/{k}"));
        let pointer = |k: &str| pointer_at(file, raw, &format!("{base}/{k}"));
        let style = match text("style")? {
            Some("page") => Style::Page,
            Some("cursor") => Style::Cursor,
            Some("none") => Style::None,
            Some(other) => {
                return Err(SpecError::at(
                    file,
                    &format!("{base}/style"),
                    format!("style `{other}` is not page, cursor or none"),
                ));
            }
            None => {
                return Err(SpecError::at(
                    file,
                    &base,
                    "needs `style` (page, cursor or none)",
                ));
            }
        };
        let operation = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let response = op
            .pointer("/responses/200/content/application~1json/schema/$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .ok_or_else(|| {
                SpecError::at(
                    file,
                    &format!("{at}/responses/200"),
                    "a list operation's 200 body is a `$ref` to a component schema",
                )
            })?
            .to_owned();
        let items = pointer("items")?.ok_or_else(|| SpecError::at(file, &base, "needs `items`"))?;
        let record = pointer("record")?;
        // The user's schema: the items' element, then the record pointer inside it.
        let body = schema_at(raw, &response, &items)
            .map(|array| resolve(raw, array))
            .and_then(|array| array.get("items"));
        let user = match (&record, body) {
            (Some(record), Some(item)) => walk_schema(raw, item, record),
            (None, item) => item,
            (Some(_), None) => None,
        };
        let Some(user) = user else {
            return Err(SpecError::at(
                file,
                &format!("{base}/items"),
                format!("`{items}` is not an array of `$ref` records in `{response}`"),
            ));
        };
        let user_schema = ref_name(user).ok_or_else(|| {
            SpecError::at(
                file,
                &base,
                "the user (items, then record) must be a `$ref` to a component schema",
            )
        })?;
        let user = resolve(raw, user);
        let id = match pointer("id")? {
            Some(id) => id,
            None if user.pointer("/properties/id").is_some() => "/id".to_owned(),
            None => String::new(),
        };
        let params: Vec<Value> = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| resolve(raw, p).clone())
            .collect();
        let has_param = |k: &str| -> Result<Option<String>, SpecError> {
            let Some(name) = text(k)? else {
                return Ok(None);
            };
            if !params
                .iter()
                .any(|p| p.get("name").and_then(Value::as_str) == Some(name))
            {
                return Err(SpecError::at(
                    file,
                    &format!("{base}/{k}"),
                    format!("`{name}` is not a parameter of the operation"),
                ));
            }
            Ok(Some(name.to_owned()))
        };
        let page_param = match has_param("page-param")? {
            Some(name) => {
                let first = params
                    .iter()
                    .find(|p| p.get("name").and_then(Value::as_str) == Some(&name))
                    .and_then(|p| {
                        p.pointer("/schema/minimum")
                            .or_else(|| p.pointer("/schema/default"))
                    })
                    .and_then(Value::as_i64)
                    .unwrap_or(1);
                Some((name, first))
            }
            None => None,
        };
        let mut fixed = Vec::new();
        for param in &params {
            let required = param.get("required").and_then(Value::as_bool) == Some(true);
            if !required {
                continue;
            }
            let schema = resolve(raw, param.get("schema").unwrap_or(&Value::Null));
            let single = schema
                .get("enum")
                .and_then(Value::as_array)
                .filter(|values| values.len() == 1)
                .map(|values| values[0].clone());
            let value = schema.get("default").cloned().or(single);
            if let (Some(name), Some(value)) = (param.get("name").and_then(Value::as_str), value) {
                fixed.push((name.to_owned(), value));
            }
        }
        if let Some(send) = object_at(file, raw, &format!("{base}/send"))? {
            for (name, value) in send {
                if !params
                    .iter()
                    .any(|p| p.get("name").and_then(Value::as_str) == Some(name))
                {
                    return Err(SpecError::at(
                        file,
                        &format!("{base}/send/{}", escape(name)),
                        format!("`{name}` is not a parameter of the operation"),
                    ));
                }
                fixed.retain(|(n, _)| n != name);
                fixed.push((name.clone(), value.clone()));
            }
        }
        let mut seats = Vec::new();
        if let Some(filter) = object_at(file, raw, &format!("{base}/seats"))? {
            for (name, values) in filter {
                let at = format!("{base}/seats/{}", escape(name));
                if !params
                    .iter()
                    .any(|p| p.get("name").and_then(Value::as_str) == Some(name))
                {
                    return Err(SpecError::at(
                        file,
                        &at,
                        format!("`{name}` is not a parameter of the operation"),
                    ));
                }
                let values: Vec<&Value> = match values {
                    Value::Array(items) => items.iter().collect(),
                    one => vec![one],
                };
                for value in values {
                    let text = match value {
                        Value::String(text) => text.clone(),
                        Value::Number(_) | Value::Bool(_) => value.to_string(),
                        _ => {
                            return Err(SpecError::at(
                                file,
                                &at,
                                "values are strings, numbers or booleans",
                            ));
                        }
                    };
                    seats.push((name.clone(), text));
                }
            }
        }
        let list = List {
            seats,
            operation,
            path: String::new(),
            method: String::new(),
            security: op
                .get("security")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .flat_map(Map::keys)
                .cloned()
                .collect(),
            response,
            style,
            items,
            record,
            id,
            page_param,
            size_param: has_param("size-param")?,
            max_size: raw
                .pointer(&format!("{base}/max-size"))
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok()),
            cursor_param: has_param("cursor-param")?,
            next_cursor: pointer("next-cursor")?,
            has_more: pointer("has-more")?,
            next_link: pointer("next-link")?,
            total: pointer("total")?,
            fixed,
            user_schema,
        };
        let need = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(SpecError::at(file, &base, what.to_owned()))
            }
        };
        match list.style {
            Style::Page => need(list.page_param.is_some(), "style page needs `page-param`")?,
            Style::Cursor => need(
                list.cursor_param.is_some() && list.next_cursor.is_some(),
                "style cursor needs `cursor-param` and `next-cursor`",
            )?,
            Style::None => {}
        }
        Ok(list)
    }
}

/// `x-rollcall.account`, checked: known keys, pointers whose first step is a property of the
/// user schema (anything else is dropped by the generated type and could never match), known
/// values.
fn account(file: &str, raw: &Value, lists: &[List]) -> Result<Account, SpecError> {
    let base = "/x-rollcall/account";
    let Some(map) = object_at(file, raw, base)? else {
        return Ok(Account::default());
    };
    check_keys(file, base, Some(map), ACCOUNT_KEYS)?;
    let user = lists.first().and_then(|list| {
        raw.pointer(&format!(
            "/components/schemas/{}/properties",
            escape(&list.user_schema)
        ))
    });
    let user = user.and_then(Value::as_object);
    let checked = |at: &str, pointer: &str| -> Result<String, SpecError> {
        check_pointer(file, at, pointer)?;
        let first = pointer.split('/').nth(1).unwrap_or_default();
        let first = first.replace("~1", "/").replace("~0", "~");
        if let Some(properties) = user
            && !pointer.is_empty()
            && !properties.contains_key(&first)
        {
            return Err(SpecError::at(
                file,
                at,
                format!("`{first}` is not a property of the user schema"),
            ));
        }
        Ok(pointer.to_owned())
    };
    let pointer = |key: &str, default: &str| -> Result<String, SpecError> {
        let at = format!("{base}/{key}");
        if raw.pointer(&at).is_some_and(Value::is_null) {
            return Ok(String::new());
        }
        match str_at(file, raw, &at)? {
            Some(text) => checked(&at, text),
            None if map.contains_key(key) => Ok(String::new()),
            None => Ok(default.to_owned()),
        }
    };
    let rules = |key: &str, values: &[&str], default: Option<&str>| {
        let at = format!("{base}/{key}");
        let mut out = Vec::new();
        for (i, item) in list(file, &at, raw.pointer(&at))?.iter().enumerate() {
            let here = format!("{at}/{i}");
            let Some(object) = item.as_object() else {
                return Err(SpecError::at(
                    file,
                    &here,
                    "a rule is a mapping: `{value, at, is|present}` or `{value, all: [...]}`",
                ));
            };
            check_keys(
                file,
                &here,
                Some(object),
                &["value", "at", "is", "present", "ci", "all"],
            )?;
            let value = match (object.get("value"), default) {
                (Some(Value::String(v)), _) => v.clone(),
                (Some(Value::Bool(v)), _) => v.to_string(),
                (None, Some(default)) => default.to_owned(),
                _ => {
                    return Err(SpecError::at(
                        file,
                        &here,
                        format!("a rule needs `value` (one of {})", values.join(", ")),
                    ));
                }
            };
            if !values.contains(&value.as_str()) {
                return Err(SpecError::at(
                    file,
                    &format!("{here}/value"),
                    format!("unknown value `{value}` (one of {})", values.join(", ")),
                ));
            }
            let mut all = Vec::new();
            if object.contains_key("at") {
                all.push(test(file, &here, object, &checked)?);
            } else if ["is", "present", "ci"]
                .iter()
                .any(|k| object.contains_key(*k))
            {
                return Err(SpecError::at(
                    file,
                    &here,
                    "`is`, `present` and `ci` need `at`",
                ));
            }
            for (j, item) in list(file, &format!("{here}/all"), object.get("all"))?
                .iter()
                .enumerate()
            {
                let there = format!("{here}/all/{j}");
                let Some(inner) = item.as_object() else {
                    return Err(SpecError::at(
                        file,
                        &there,
                        "a test is `{at, is|present, ci?}`",
                    ));
                };
                check_keys(file, &there, Some(inner), &["at", "is", "present", "ci"])?;
                all.push(test(file, &there, inner, &checked)?);
            }
            out.push(Rule { value, all });
        }
        Ok::<_, SpecError>(out)
    };
    let mut roles = Vec::new();
    let roles_at = format!("{base}/roles");
    for (i, item) in list(file, &roles_at, raw.pointer(&roles_at))?
        .iter()
        .enumerate()
    {
        let here = format!("{roles_at}/{i}");
        let text = item
            .as_str()
            .ok_or_else(|| SpecError::at(file, &here, "expected a JSON pointer"))?;
        roles.push(checked(&here, text)?);
    }
    Ok(Account {
        id: pointer("id", "/id")?,
        email: pointer("email", "/email")?,
        name: pointer("name", "/name")?,
        status: rules("status", STATUSES, None)?,
        kind: rules("kind", KINDS, None)?,
        roles,
        privileged: rules("privileged", &["true", "false"], Some("true"))?,
        created_at: pointer("created_at", "")?,
        updated_at: pointer("updated_at", "")?,
        last_login_at: pointer("last_login_at", "")?,
        manager: pointer("manager", "")?,
    })
}

/// One test: `{at, is: value | [values], ci?}` or `{at, present: bool}`.
fn test(
    file: &str,
    here: &str,
    object: &Map<String, Value>,
    checked: &dyn Fn(&str, &str) -> Result<String, SpecError>,
) -> Result<Test, SpecError> {
    let at = match object.get("at") {
        Some(Value::String(at)) => checked(&format!("{here}/at"), at)?,
        _ => {
            return Err(SpecError::at(
                file,
                here,
                "a test needs `at` (a JSON pointer)",
            ));
        }
    };
    let ci = match object.get("ci") {
        None => false,
        Some(Value::Bool(flag)) => *flag,
        Some(_) => {
            return Err(SpecError::at(
                file,
                &format!("{here}/ci"),
                "expected true or false",
            ));
        }
    };
    match (object.get("is"), object.get("present")) {
        (Some(is), None) => {
            let values = match is {
                Value::Array(values) => values.clone(),
                one => vec![one.clone()],
            };
            for (k, value) in values.iter().enumerate() {
                let ok = match value {
                    Value::String(_) | Value::Bool(_) | Value::Null => true,
                    Value::Number(n) => n.as_i64().is_some(),
                    _ => false,
                };
                if !ok || values.is_empty() {
                    return Err(SpecError::at(
                        file,
                        &format!("{here}/is/{k}"),
                        "`is` compares with strings, booleans, integers or null",
                    ));
                }
            }
            if values.is_empty() {
                return Err(SpecError::at(
                    file,
                    &format!("{here}/is"),
                    "`is` lists no value",
                ));
            }
            Ok(Test {
                at,
                present: None,
                is: values,
                ci,
            })
        }
        (None, Some(Value::Bool(present))) => Ok(Test {
            at,
            present: Some(*present),
            is: Vec::new(),
            ci,
        }),
        (None, Some(_)) => Err(SpecError::at(
            file,
            &format!("{here}/present"),
            "expected true or false",
        )),
        _ => Err(SpecError::at(
            file,
            here,
            "a test has exactly one of `is` and `present`",
        )),
    }
}

/// The schema a pointer reaches inside component `name`, following properties and `$ref`s.
fn schema_at<'v>(raw: &'v Value, name: &str, pointer: &str) -> Option<&'v Value> {
    let root = raw.pointer(&format!("/components/schemas/{}", escape(name)))?;
    walk_schema(raw, root, pointer)
}

fn walk_schema<'v>(raw: &'v Value, mut node: &'v Value, pointer: &str) -> Option<&'v Value> {
    for segment in pointer.split('/').skip(1) {
        node = resolve(raw, node).pointer(&format!("/properties/{segment}"))?;
    }
    Some(node)
}

fn ref_name(node: &Value) -> Option<String> {
    node.get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

fn object_at<'v>(
    file: &str,
    raw: &'v Value,
    at: &str,
) -> Result<Option<&'v Map<String, Value>>, SpecError> {
    match raw.pointer(at) {
        None => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(SpecError::at(file, at, "expected a mapping")),
    }
}

fn str_at<'v>(file: &str, raw: &'v Value, at: &str) -> Result<Option<&'v str>, SpecError> {
    match raw.pointer(at) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(SpecError::at(file, at, "expected a string")),
    }
}

fn bool_at(file: &str, raw: &Value, at: &str) -> Result<Option<bool>, SpecError> {
    match raw.pointer(at) {
        None => Ok(None),
        Some(Value::Bool(flag)) => Ok(Some(*flag)),
        Some(_) => Err(SpecError::at(file, at, "expected true or false")),
    }
}

fn pointer_at(file: &str, raw: &Value, at: &str) -> Result<Option<String>, SpecError> {
    let Some(text) = str_at(file, raw, at)? else {
        return Ok(None);
    };
    check_pointer(file, at, text)?;
    Ok(Some(text.to_owned()))
}

fn check_pointer(file: &str, at: &str, pointer: &str) -> Result<(), SpecError> {
    if pointer.is_empty() || pointer.starts_with('/') {
        Ok(())
    } else {
        Err(SpecError::at(
            file,
            at,
            format!("`{pointer}` is not a JSON pointer (it starts with `/`)"),
        ))
    }
}

fn list<'v>(file: &str, at: &str, value: Option<&'v Value>) -> Result<&'v [Value], SpecError> {
    match value {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(SpecError::at(file, at, "expected a list")),
    }
}

fn check_keys(
    file: &str,
    at: &str,
    object: Option<&Map<String, Value>>,
    known: &[&str],
) -> Result<(), SpecError> {
    for key in object.into_iter().flat_map(Map::keys) {
        if !known.contains(&key.as_str()) {
            return Err(SpecError::at(
                file,
                &format!("{at}/{}", escape(key)),
                format!("unknown key `{key}` (known: {})", known.join(", ")),
            ));
        }
    }
    Ok(())
}
