//! The glue between a provider's generated client and the runtime, written from its spec:
//! the provider's description, progenitor's hooks, one constructor per security scheme, the
//! servers enum, `call`, the all-pages walks (on the client and on each list builder), the
//! error-envelope check and the provider-generic trait impls.
//!
//! Everything is rendered as Rust source and parsed back, so a mistake here is a codegen error
//! naming the provider, never a file that does not compile.

use std::fmt::Write as _;

use heck::{ToSnakeCase as _, ToUpperCamelCase as _};
use serde_json::Value;

use super::access::Types;
use crate::rust_name::snake;
use crate::spec::ext::{self, List, Provider, SchemeKind, Style};
use crate::spec::one_line;

/// What the glue adds to a generated file: items for the top level and for `mod builder`.
pub struct Glue {
    /// Items after progenitor's.
    pub top: String,
    /// Items inside `mod builder` (they read the builders' private fields).
    pub builder: String,
}

/// Renders the glue of provider `name` (kebab-case) in module `module`.
pub fn render(
    name: &str,
    module: &str,
    provider: &Provider,
    types: &Types,
    success_types: &[String],
    schemas: &[String],
) -> Result<Glue, String> {
    let mut top = String::new();
    let mut builder = String::new();
    let max_size = provider_max(provider);
    let _ = writeln!(
        top,
        "/// {title} as the runtime sees it: its name, largest page size and where its error \
         bodies keep their message (`x-rollcall.errors`).\n\
         pub static PROVIDER: ::rollcall_runtime::ProviderInfo = \
         ::rollcall_runtime::ProviderInfo::new({name:?}, {title:?}, {max:?}, {rules}, {any}, {account}).with_rate_limit({limit}).with_seats(&[{seats}]);",
        title = provider.title,
        account = account_rules(&provider.account)?,
        max = max_size,
        rules = error_rules(&provider.errors),
        any = provider.any_content_type,
        seats = provider
            .lists
            .first()
            .map(|list| {
                list.seats
                    .iter()
                    .map(|(name, value)| format!("({name:?}, {value:?})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
        limit = match provider.rate_limit {
            Some((requests, seconds)) => format!(
                "Some(::rollcall_runtime::RateLimit::new({requests}, ::std::time::Duration::from_secs({seconds})))"
            ),
            None => "None".to_owned(),
        },
    );
    top.push_str(HOOKS);
    if let Some(enum_name) = &provider.servers_enum {
        top.push_str(&servers_enum(enum_name, provider)?);
    }
    let _ = writeln!(top, "impl Client {{");
    for scheme in &provider.schemes {
        top.push_str(&constructor(module, provider, scheme));
    }
    top.push_str(CALL);
    if let Some(first) = provider.lists.first() {
        let user = user_type(types, first)?;
        let _ = writeln!(
            top,
            "/// Every user of the account, walking every page the provider's own way \
             (`{op}`{others}); see the list builder's `all_users` for filters.\n\
             pub fn all_users(&self) -> ::rollcall_runtime::UserStream<'_, types::{user}> {{",
            op = first.operation,
            others = if provider.lists.len() > 1 {
                ", or the list operation the client's security scheme calls for"
            } else {
                ""
            },
        );
        let by_scheme: Vec<&List> = provider
            .lists
            .iter()
            .filter(|l| !l.security.is_empty())
            .collect();
        let default = provider
            .lists
            .iter()
            .find(|l| l.security.is_empty())
            .unwrap_or(first);
        if by_scheme.is_empty() || provider.lists.len() == 1 {
            let _ = writeln!(top, "self.{}().all_users() }}", default.operation);
        } else {
            let _ = writeln!(
                top,
                "match ::progenitor_client::ClientInfo::inner(self).scheme() {{"
            );
            for list in by_scheme {
                if std::ptr::eq(list, default) {
                    continue;
                }
                let schemes: Vec<String> = list.security.iter().map(|s| format!("{s:?}")).collect();
                let _ = writeln!(
                    top,
                    "{} => self.{}().all_users(),",
                    schemes.join(" | "),
                    list.operation
                );
            }
            let _ = writeln!(top, "_ => self.{}().all_users(), }} }}", default.operation);
        }
    }
    let _ = writeln!(top, "}}");
    if let Some(first) = provider.lists.first() {
        let user = user_type(types, first)?;
        let _ = writeln!(
            top,
            "impl ::rollcall_runtime::Users for Client {{\n\
             type User = types::{user};\n\
             fn provider(&self) -> &'static ::rollcall_runtime::ProviderInfo {{ &PROVIDER }}\n\
             fn all_users(&self) -> ::rollcall_runtime::UserStream<'_, types::{user}> {{ \
             Client::all_users(self) }}\n}}"
        );
    }
    for ty in success_types {
        top.push_str(&checked(provider, types, ty));
    }
    for list in &provider.lists {
        builder.push_str(&walk(provider, types, list)?);
    }
    top.push_str(&round_trip(schemas, types));
    Ok(Glue { top, builder })
}

const HOOKS: &str = r#"
impl ClientHooks<::rollcall_runtime::Runtime> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> ::std::result::Result<(), Error<E>> {
        self.inner().prepare(request).map_err(Error::InvalidRequest)
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.inner().execute(self.client(), request, info.operation_id).await
    }
}

impl ::rollcall_runtime::GeneratedClient for Client {
    const PROVIDER: &'static ::rollcall_runtime::ProviderInfo = &PROVIDER;

    fn from_parts(base_url: &str, http: reqwest::Client, runtime: ::rollcall_runtime::Runtime) -> Self {
        Self::new_with_client(base_url, http, runtime)
    }
}
"#;

const CALL: &str = r#"
/// The client's configuration (retry policy, timeouts, page size, caps).
pub fn config(&self) -> &::rollcall_runtime::Config {
    self.inner().config()
}

/// Runs a request built with the generated API and returns its answer, or a
/// [`rollcall::Error`](::rollcall_runtime::Error) that names the provider, the operation, the
/// HTTP status and the provider's own message (also for an error envelope sent with HTTP 200).
pub async fn call<T, E, F>(&self, send: F) -> ::std::result::Result<ResponseValue<T>, ::rollcall_runtime::Error>
where
    T: ::rollcall_runtime::Checked,
    F: ::std::future::Future<Output = ::std::result::Result<ResponseValue<T>, Error<E>>>,
{
    ::rollcall_runtime::call(&PROVIDER, send).await
}
"#;

fn error_rules(rules: &ext::ErrorRules) -> String {
    let fields = |fields: &[ext::Field]| {
        let items: Vec<String> = fields
            .iter()
            .map(|f| {
                format!(
                    "::rollcall_runtime::Field {{ at: {:?}, only: ::rollcall_runtime::Only::{} }}",
                    f.at, f.only
                )
            })
            .collect();
        format!("&[{}]", items.join(", "))
    };
    let parts: Vec<String> = rules
        .message
        .iter()
        .map(|p| {
            format!(
                "::rollcall_runtime::Part {{ each: {:?}, text: {}, label: {:?} }}",
                p.each,
                fields(&p.text),
                p.label
            )
        })
        .collect();
    format!(
        "::rollcall_runtime::ErrorRules {{ code: {}, message: &[{}], request_id: {} }}",
        fields(&rules.code),
        parts.join(", "),
        fields(&rules.request_id)
    )
}

/// `x-rollcall.account` as a `rollcall_runtime::AccountRules` literal.
fn account_rules(account: &ext::Account) -> Result<String, String> {
    let tests = |tests: &[ext::Test]| -> Result<String, String> {
        let mut items = Vec::new();
        for test in tests {
            let check = match test.present {
                Some(flag) => format!("::rollcall_runtime::account::Check::Present({flag})"),
                None => {
                    let mut literals = Vec::new();
                    for value in &test.is {
                        literals.push(match value {
                            Value::String(text) => {
                                format!("::rollcall_runtime::account::Literal::Str({text:?})")
                            }
                            Value::Bool(flag) => {
                                format!("::rollcall_runtime::account::Literal::Bool({flag})")
                            }
                            Value::Null => "::rollcall_runtime::account::Literal::Null".to_owned(),
                            Value::Number(n) => format!(
                                "::rollcall_runtime::account::Literal::Int({})",
                                n.as_i64().ok_or("`is` takes integers only")?
                            ),
                            other => return Err(format!("`is` cannot compare with {other}")),
                        });
                    }
                    format!(
                        "::rollcall_runtime::account::Check::Is(&[{}])",
                        literals.join(", ")
                    )
                }
            };
            items.push(format!(
                "::rollcall_runtime::account::Test {{ at: {:?}, check: {check}, ci: {} }}",
                test.at, test.ci
            ));
        }
        Ok(format!("&[{}]", items.join(", ")))
    };
    let rules = |rules: &[ext::Rule], ty: &str| -> Result<String, String> {
        let mut items = Vec::new();
        for rule in rules {
            let value = match ty {
                "bool" => rule.value.clone(),
                ty => format!(
                    "::rollcall_runtime::account::{ty}::{}",
                    rule.value.to_upper_camel_case()
                ),
            };
            items.push(format!(
                "::rollcall_runtime::account::Rule {{ value: {value}, all: {} }}",
                tests(&rule.all)?
            ));
        }
        Ok(format!("&[{}]", items.join(", ")))
    };
    Ok(format!(
        "::rollcall_runtime::AccountRules {{ id: {:?}, email: {:?}, name: {:?}, status: {}, \
         kind: {}, roles: &{:?}, privileged: {}, created_at: {:?}, updated_at: {:?}, \
         last_login_at: {:?}, manager: {:?} }}",
        account.id,
        account.email,
        account.name,
        rules(&account.status, "Status")?,
        rules(&account.kind, "Kind")?,
        account.roles,
        rules(&account.privileged, "bool")?,
        account.created_at,
        account.updated_at,
        account.last_login_at,
        account.manager,
    ))
}

fn servers_enum(name: &str, provider: &Provider) -> Result<String, String> {
    if provider.servers.iter().any(|s| !s.variables.is_empty()) {
        return Err("a servers enum cannot have server variables".into());
    }
    let mut out = format!(
        "/// Where the API is served (the spec's `servers`); the first is the default.\n\
         #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]\npub enum {name} {{\n"
    );
    for (i, server) in provider.servers.iter().enumerate() {
        let variant = server.name.as_deref().unwrap_or_default();
        let default = if i == 0 { "#[default]\n" } else { "" };
        let _ = writeln!(
            out,
            "/// {} `{}`\n{default}{variant},",
            server.description, server.url
        );
    }
    out.push_str("}\n");
    let variants: Vec<String> = provider
        .servers
        .iter()
        .map(|s| format!("{name}::{}", s.name.as_deref().unwrap_or_default()))
        .collect();
    let _ = writeln!(
        out,
        "impl {name} {{\n/// Every server, the default first.\npub const ALL: &'static [{name}] = &[{}];",
        variants.join(", ")
    );
    let _ = writeln!(
        out,
        "/// The server's base URL.\npub fn base_url(self) -> &'static str {{ match self {{"
    );
    for server in &provider.servers {
        let _ = writeln!(
            out,
            "{name}::{} => {:?},",
            server.name.as_deref().unwrap_or_default(),
            server.url
        );
    }
    let _ = writeln!(
        out,
        "}} }}\n/// The server's name in snake_case (`sandbox`), as `FromStr` reads it.\npub fn name(self) -> &'static str {{ match self {{"
    );
    for server in &provider.servers {
        let variant = server.name.as_deref().unwrap_or_default();
        let _ = writeln!(out, "{name}::{variant} => {:?},", variant.to_snake_case());
    }
    let _ = writeln!(
        out,
        "}} }}\n}}\nimpl ::std::str::FromStr for {name} {{\ntype Err = ::std::string::String;\n\
         fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {{\n\
         Self::ALL.iter().copied().find(|s| s.name().eq_ignore_ascii_case(value.trim())).ok_or_else(|| {{\n\
         let names: ::std::vec::Vec<&str> = Self::ALL.iter().map(|s| s.name()).collect();\n\
         format!(\"`{{value}}` is not one of {{}}\", names.join(\", \")) }}) }}\n}}"
    );
    Ok(out)
}

/// One constructor: server variables (or the servers enum), the user template's arguments and
/// the secret.
fn constructor(module: &str, provider: &Provider, scheme: &ext::Scheme) -> String {
    let mut args = Vec::new();
    let mut problems = Vec::new();
    let base_url = match (&provider.servers_enum, provider.servers.first()) {
        (Some(name), _) => {
            args.push(format!("server: {name}"));
            "server.base_url().to_owned()".to_owned()
        }
        (None, Some(server)) if !server.variables.is_empty() => {
            for var in &server.variables {
                args.push(format!("{var}: &str"));
                problems.push(format!(
                    ".problem(::rollcall_runtime::host_label_problem({var:?}, {var}))"
                ));
            }
            format!("format!({:?})", server.url)
        }
        (None, Some(server)) => format!("{:?}.to_owned()", server.url),
        (None, None) => "::std::string::String::new()".to_owned(),
    };
    for arg in &scheme.user_args {
        args.push(format!("{arg}: &str"));
        problems.push(format!(
            ".problem(::rollcall_runtime::template_problem({arg:?}, {arg}))"
        ));
    }
    let secret = &scheme.secret;
    args.push(format!("{secret}: impl Into<::rollcall_runtime::Secret>"));
    let key = &scheme.key;
    let auth = match &scheme.kind {
        SchemeKind::Bearer => format!("::rollcall_runtime::Auth::bearer({key:?}, {secret}.into())"),
        SchemeKind::Basic { user } => {
            format!("::rollcall_runtime::Auth::basic({key:?}, format!({user:?}), {secret}.into())")
        }
        SchemeKind::Header(name) => {
            format!("::rollcall_runtime::Auth::header({key:?}, {name:?}, {secret}.into())")
        }
        SchemeKind::Query(name) => {
            format!("::rollcall_runtime::Auth::query({key:?}, {name:?}, {secret}.into())")
        }
        SchemeKind::Plugin(plugin, parameter) => {
            let variant = plugin.to_upper_camel_case();
            format!(
                "::rollcall_runtime::Auth::plugin({key:?}, \
                 ::rollcall_runtime::Plugin::{variant} {{ parameter: {parameter:?} }}, {secret}.into())"
            )
        }
    };
    let headers: String = provider
        .default_headers
        .iter()
        .map(|(name, value)| format!(".default_header({name:?}, {value:?})"))
        .collect();
    let description = one_line(&scheme.description);
    format!(
        "/// A client that authenticates with the spec's `{key}` scheme: {description}\n///\n\
         /// Returns a [`ClientBuilder`](::rollcall_runtime::ClientBuilder); `build()` checks the \
         arguments. Generated from `components.securitySchemes.{key}` in `specs/{spec}.yaml`.\n\
         pub fn {name}({args}) -> ::rollcall_runtime::ClientBuilder<Client> {{\n\
         ::rollcall_runtime::ClientBuilder::new({base_url}, {auth}){problems}{headers}\n}}\n",
        spec = module.replace('_', "-"),
        name = scheme.constructor,
        args = args.join(", "),
        problems = problems.join(""),
    )
}

/// The user type a list yields.
fn user_type(types: &Types, list: &List) -> Result<String, String> {
    let (_, element) = types.take_vec(&list.response, "body", &list.items)?;
    match &list.record {
        Some(record) => Ok(types.take(&element, "item", record)?.1),
        None => Ok(element),
    }
}

/// `Checked` for one success type: the envelope test where the spec declares one and the type
/// has the field, a no-op otherwise.
fn checked(provider: &Provider, types: &Types, ty: &str) -> String {
    let envelope = provider
        .envelope
        .as_ref()
        .and_then(|(at, ok)| Some((types.borrow(ty, "self", at).ok()?, ok)));
    match envelope {
        Some((place, ok)) => format!(
            "impl ::rollcall_runtime::Checked for types::{ty} {{\n\
             fn refusal(&self) -> ::std::option::Option<::serde_json::Value> {{\n\
             let ok = {}.is_some_and(|value| value.to_string() == {ok:?});\n\
             if ok {{ None }} else {{ Some(::serde_json::to_value(self).unwrap_or_default()) }}\n}}\n}}\n",
            place.borrow
        ),
        None => format!("impl ::rollcall_runtime::Checked for types::{ty} {{}}\n"),
    }
}

/// `__round_trip(schema, text)`: a sample read into the generated type of a component schema
/// and written back, for tests that iterate the registry instead of naming types.
fn round_trip(schemas: &[String], types: &Types) -> String {
    let mut arms = String::new();
    for schema in schemas {
        let name = schema.to_upper_camel_case();
        if types.has(&name) {
            let _ = writeln!(
                arms,
                "{schema:?} => ::rollcall_runtime::sample::round_trip::<types::{name}>(text),"
            );
        }
    }
    format!(
        "/// Reads `text` as the generated type of the component schema `schema`, writes it back \
         and returns `{{\"type\", \"value\"}}`; `None` for a schema without a type. For tests.\n\
         #[doc(hidden)]\n\
         pub fn __round_trip(schema: &str, text: &str) -> ::std::option::Option<::std::result::Result<::serde_json::Value, ::std::string::String>> {{\n\
         let _ = text;\n\
         Some(match schema {{\n{arms}_ => return None,\n}})\n}}\n"
    )
}

/// A literal for a parameter value from the spec.
fn literal(value: &Value) -> String {
    match value {
        Value::String(text) => format!("{text:?}"),
        other => other.to_string(),
    }
}

/// The all-pages walk of one list operation, as a method of its builder.
fn walk(provider: &Provider, types: &Types, list: &List) -> Result<String, String> {
    let op = &list.operation;
    let builder = op.to_upper_camel_case();
    let response = &list.response;
    let (items, element) = types.take_vec(response, "body", &list.items)?;
    let user = user_type(types, list)?;
    let to_user = match &list.record {
        Some(record) => types.take(&element, "item", record)?.0,
        None => "item".to_owned(),
    };
    let id = if list.id.is_empty() {
        "::rollcall_runtime::paging::hash_id(item, hasher)".to_owned()
    } else {
        let root = match &list.record {
            Some(record) => format!("&{}", types.take(&element, "(*item)", record)?.0),
            None => "item".to_owned(),
        };
        let place = types.borrow(&user, &root, &list.id)?;
        format!(
            "::rollcall_runtime::paging::hash_id(&{}, hasher)",
            place.borrow
        )
    };
    let has_more = match &list.has_more {
        Some(at) => format!("{}.copied()", types.borrow(response, "&body", at)?.borrow),
        None => "None".to_owned(),
    };
    let total = match &list.total {
        Some(at) => format!(
            "{}.and_then(|n| u64::try_from(*n).ok())",
            types.borrow(response, "&body", at)?.borrow
        ),
        None => "None".to_owned(),
    };
    let link = match &list.next_link {
        Some(at) => {
            let place = types.borrow(response, "&body", at)?;
            format!("{}.map(|p| {})", place.parent.0, place.parent.1)
        }
        None => "None".to_owned(),
    };
    let mut setup = String::new();
    for (param, value) in &list.fixed {
        let _ = write!(setup, ".{}({})", snake(param), literal(value));
    }
    let size = match (&list.size_param, list.max_size.or(provider_max(provider))) {
        (Some(param), max) => {
            let _ = write!(setup, ".{}(size)", snake(param));
            format!(
                "let size = u64::from(config.page_size().unwrap_or({}));",
                max.unwrap_or(100)
            )
        }
        (None, _) => "let size = u64::MAX;".to_owned(),
    };
    let (first, cursor_ty, apply, next) = match list.style {
        Style::Page => {
            let (param, start) = list.page_param.clone().unwrap_or_default();
            (
                format!("Some({start}u64)"),
                "u64",
                format!(
                    "let page = cursor.unwrap_or({start}); let request = request.clone().{}(page);",
                    snake(&param)
                ),
                "signals.more().then_some(page + 1)".to_owned(),
            )
        }
        Style::Cursor => {
            let param = list.cursor_param.clone().unwrap_or_default();
            let at = list.next_cursor.clone().unwrap_or_default();
            let cursor = types.borrow(response, "&body", &at)?.borrow;
            (
                "None".to_owned(),
                "::std::string::String",
                format!(
                    "let mut request = request.clone(); \
                     if let Some(cursor) = cursor {{ request = request.{}(cursor); }}",
                    snake(&param)
                ),
                format!(
                    "{cursor}.map(|c| c.to_string()).filter(|c| !c.is_empty() && signals.more())"
                ),
            )
        }
        Style::None => (
            "None".to_owned(),
            "::std::string::String",
            "let _ = cursor; let request = request.clone();".to_owned(),
            "None::<::std::string::String>".to_owned(),
        ),
    };
    let doc = match list.style {
        Style::Page => "numbered pages",
        Style::Cursor => "cursors",
        Style::None => "one response (the operation does not page)",
    };
    Ok(format!(
        "impl<'a> {builder}<'a> {{\n\
         /// Every user this request selects, walking every page by {doc}, as the spec's \
         `x-rollcall-pagination` says; filters set on the builder apply to every page. The walk \
         holds one page in memory, ends after the last page, and ends with an error on a \
         repeated page or cursor or at the client's `max_pages`/`max_users` caps.\n\
         pub fn all_users(self) -> ::rollcall_runtime::UserStream<'a, super::types::{user}> {{\n\
         use super::types;\n\
         let client: &'a super::Client = self.client;\n\
         let config = ::progenitor_client::ClientInfo::inner(client).config();\n\
         {size}\n\
         let request = self{setup};\n\
         ::rollcall_runtime::paging::walk(&super::PROVIDER, {op:?}, config, {first}, {successor}, \
         move |cursor: Option<{cursor_ty}>| {{\n\
         {apply}\n\
         async move {{\n\
         let body: types::{response} = ::rollcall_runtime::call(&super::PROVIDER, request.send()).await?.into_inner();\n\
         let signals = ::rollcall_runtime::paging::Signals {{ has_more: {has_more}, link: {link}, full: {items_len} >= size }};\n\
         let next = {next};\n\
         let total: ::std::option::Option<u64> = {total};\n\
         let items: ::std::vec::Vec<types::{element}> = {items};\n\
         Ok(::rollcall_runtime::paging::Page::new(items, next, |item, hasher| {id}).with_total(total))\n\
         }}\n}}, |item: types::{element}| {to_user})\n}}\n}}\n",
        items_len = items_len(types, response, &list.items)?,
        successor = match list.style {
            Style::Page => "Some(|page: &u64| page + 1)",
            _ => "None",
        },
    ))
}

/// How many records a page holds, without moving them.
fn items_len(types: &Types, response: &str, items: &str) -> Result<String, String> {
    let place = types.borrow(response, "&body", items)?;
    Ok(format!("{}.map_or(0, |v| v.len() as u64)", place.borrow))
}

fn provider_max(provider: &Provider) -> Option<u32> {
    provider.lists.iter().find_map(|l| l.max_size)
}
