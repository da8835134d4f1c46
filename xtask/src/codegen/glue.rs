//! The glue between a provider's generated client and the runtime, written from its spec:
//! the provider's description, progenitor's hooks, one constructor per security scheme, the
//! servers enum, `call`, the all-pages walks (on the client and on each list builder), the
//! error-envelope check and the provider-generic trait impls.
//!
//! Everything is rendered as Rust source and parsed back, so a mistake here is a codegen error
//! naming the provider, never a file that does not compile.

use std::fmt::Write as _;

use heck::{ToSnakeCase as _, ToUpperCamelCase as _};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::access::Types;
use super::names::{Arg, Builder, Builders};
use super::tokens::{api, runtime};
use crate::rust_name::snake;
use crate::spec::ext::{self, Extensions, List, SchemeKind, Style};
use crate::spec::one_line;

/// Renders the glue of provider `name` (kebab-case) in module `module`: the items of its
/// `glue.rs`, as Rust source.
pub fn render(
    name: &str,
    module: &str,
    provider: &Extensions,
    types: &Types,
    builders: &Builders,
    schemas: &[String],
    fingerprint: &str,
) -> Result<String, String> {
    let mut top = String::new();
    top.push_str(&super::table::provider_static(name, provider, fingerprint)?.to_string());
    top.push_str(&super::table::connect(name, provider).to_string());
    top.push_str(&hooks());
    if let Some(enum_name) = &provider.servers_enum {
        top.push_str(&servers_enum(enum_name, provider)?);
    }
    top.push_str("impl Client {");
    for scheme in &provider.schemes {
        top.push_str(&constructor(module, provider, scheme));
    }
    top.push_str(&call());
    top.push_str(&client_walks(provider, types, builders)?);
    top.push('}');
    top.push_str(&users_impl(provider, types)?);
    for ty in builders.success_types() {
        top.push_str(&checked(provider, types, &ty));
    }
    let mut walks = String::new();
    for list in provider.lists.iter().chain(&provider.incremental) {
        walks.push_str(&walk(provider, types, builders, list)?);
    }
    top.push_str(&round_trip(schemas, types));
    top.push_str(&walks);
    Ok(top)
}

/// `Client::all_users` (the list the client's scheme calls for, else the first) and, where the
/// spec declares a seat filter, `Client::seats`: methods of `impl Client`.
fn client_walks(
    provider: &Extensions,
    types: &Types,
    builders: &Builders,
) -> Result<String, String> {
    let api = api();
    let rt = runtime();
    let Some(first) = provider.lists.first() else {
        return Ok(String::new());
    };
    let user = format_ident!("{}", user_type(types, first)?);
    let default = provider
        .lists
        .iter()
        .find(|l| l.security.is_empty())
        .unwrap_or(first);
    // The walk of the list the client's scheme calls for, ending in `call` (`all_users()`, or
    // `resume_users(checkpoint)`).
    let chosen = |call: TokenStream| -> Result<TokenStream, String> {
        let walk = |list: &List| -> Result<TokenStream, String> {
            let op = format_ident!("{}", list.operation);
            let fill = fill(builders, list)?;
            Ok(quote!(self.#op() #(#fill)* .#call))
        };
        let by_scheme: Vec<TokenStream> = provider
            .lists
            .iter()
            .filter(|l| !l.security.is_empty() && !std::ptr::eq(*l, default))
            .map(|list| {
                let schemes = &list.security;
                let walk = walk(list)?;
                Ok(quote!(#(#schemes)|* => #walk,))
            })
            .collect::<Result<_, String>>()?;
        let default_walk = walk(default)?;
        Ok(if by_scheme.is_empty() || provider.lists.len() == 1 {
            default_walk
        } else {
            quote! {
                match ::progenitor_client::ClientInfo::inner(self).scheme() {
                    #(#by_scheme)*
                    _ => #default_walk,
                }
            }
        })
    };
    if !provider.walks.is_empty() {
        return union_walks(provider, types, builders);
    }
    let body = chosen(quote!(all_users()))?;
    let resume_body = chosen(quote!(resume_users(checkpoint)))?;
    let by_scheme = provider
        .lists
        .iter()
        .any(|l| !l.security.is_empty() && !std::ptr::eq(l, default));
    let others = if by_scheme && provider.lists.len() > 1 {
        ", or the list operation the client's security scheme calls for"
    } else {
        ""
    };
    let doc = format!(
        " Every user of the account, walking every page the provider's own way (`{}`{others}); \
         see the list builder's `all_users` for filters.",
        first.operation
    );
    let mut out = quote! {
        #[doc = #doc]
        pub fn all_users(&self) -> #api::UserStream<'_, types::#user> {
            #body
        }

        /// The rest of the [`all_users`](Self::all_users) walk a checkpoint was taken in (see
        /// [`Users::resume_users`](::rollcall_runtime::Users::resume_users)).
        ///
        /// # Errors
        ///
        /// [`ErrorKind::Resume`](::rollcall_runtime::ErrorKind::Resume) when the checkpoint
        /// belongs to another walk or is too old; nothing is requested then.
        pub fn resume_users(
            &self,
            checkpoint: &#api::Checkpoint,
        ) -> Result<#api::UserStream<'_, types::#user>, #api::Error> {
            #resume_body
        }
    };
    if let Some(list) = provider.lists.iter().find(|l| !l.seats.is_empty()) {
        let op = format_ident!("{}", list.operation);
        let mut setup = fill(builders, list)?;
        setup.extend(setters(types, builders, list, &list.seats)?);
        let filter: Vec<String> = list
            .seats
            .iter()
            .map(|(name, value)| format!("`{name}={value}`"))
            .collect();
        let doc = format!(
            " The users that hold a seat, as the provider filters them (`{}` with {}, from the \
             spec's `x-rollcall-pagination.seats`), walking every page like \
             [`all_users`](Self::all_users).",
            list.operation,
            filter.join(", ")
        );
        let user = format_ident!("{}", user_type(types, list)?);
        out.extend(quote! {
            #[doc = #doc]
            pub fn seats(&self) -> #api::UserStream<'_, types::#user> {
                self.#op() #(#setup)* .all_users()
            }

            /// The rest of the [`seats`](Self::seats) walk a checkpoint was taken in.
            ///
            /// # Errors
            ///
            /// As [`resume_users`](Self::resume_users).
            pub fn resume_seats(
                &self,
                checkpoint: &#api::Checkpoint,
            ) -> Result<#api::UserStream<'_, types::#user>, #api::Error> {
                self.#op() #(#setup)* .resume_users(checkpoint)
            }
        });
    }
    if let Some(list) = &provider.incremental {
        let op = format_ident!("{}", list.operation);
        let fixed: Vec<(String, String)> = list
            .fixed
            .iter()
            .map(|(param, value)| (param.clone(), text(value)))
            .collect();
        let mut setup = fill(builders, list)?;
        setup.extend(setters(types, builders, list, &fixed)?);
        let user = format_ident!("{}", user_type(types, list)?);
        let doc = format!(
            " The users that changed since `since`, from the provider's incremental export \
             (`{}`, the spec's `x-rollcall-pagination.incremental`), in the order they changed; \
             [`ChangeStream::cursor`](::rollcall_runtime::ChangeStream::cursor) is where the \
             next export starts (`Since::Cursor`).",
            list.operation
        );
        out.extend(quote! {
            #[doc = #doc]
            pub fn changed_users(
                &self,
                since: #api::Since,
            ) -> #api::ChangeStream<'_, types::#user> {
                #rt::walk_changes(&PROVIDER, self.#op() #(#setup)*, since)
            }
        });
    }
    Ok(out.to_string())
}

/// `Client::all_users` of a provider whose account list is the union of several walks
/// (`x-rollcall.walks`): each walk with its facts, in the spec's order; such a walk cannot be
/// resumed.
fn union_walks(
    provider: &Extensions,
    types: &Types,
    builders: &Builders,
) -> Result<String, String> {
    let api = api();
    let rt = runtime();
    let mut walks = Vec::new();
    let mut first = None;
    for walk in &provider.walks {
        let list = provider
            .lists
            .iter()
            .find(|l| l.operation == walk.operation)
            .ok_or_else(|| format!("`{}` is not a list operation", walk.operation))?;
        first.get_or_insert(list);
        let op = format_ident!("{}", list.operation);
        let mut setup = fill(builders, list)?;
        setup.extend(setters(types, builders, list, &walk.send)?);
        let kind = match &walk.kind {
            Some(kind) => {
                let kind = format_ident!("{}", kind.to_upper_camel_case());
                quote!(Some(#rt::Kind::#kind))
            }
            None => quote!(None),
        };
        let privileged = walk.privileged;
        walks.push(quote! {
            (#rt::Facts::new(#kind, #privileged), self.#op() #(#setup)* .all_users())
        });
    }
    let Some(first) = first else {
        return Ok(String::new());
    };
    let user = format_ident!("{}", user_type(types, first)?);
    let builder = builder_of(builders, first)?;
    let builder = format_ident!("{}", builder.name);
    let names: Vec<String> = provider
        .walks
        .iter()
        .map(|w| {
            let send: Vec<String> = w.send.iter().map(|(k, v)| format!("{k}={v}")).collect();
            if send.is_empty() {
                format!("`{}`", w.operation)
            } else {
                format!("`{}` with {}", w.operation, send.join(", "))
            }
        })
        .collect();
    let doc = format!(
        " Every user of the account: the union of the walks of {} (the spec's \
         `x-rollcall.walks`), each user once, at its first sighting, with the facts of the walk \
         that listed it ([`Walked`](::rollcall_runtime::Walked)). Remembers the id of every \
         user yielded.",
        names.join(", then ")
    );
    Ok(quote! {
        #[doc = #doc]
        pub fn all_users(&self) -> #api::UserStream<'_, #api::Walked<types::#user>> {
            #rt::walk_union(
                &PROVIDER,
                vec![#(#walks),*],
                <builder::#builder<'static> as #rt::List<'static>>::id,
                ::progenitor_client::ClientInfo::inner(self).config().max_users(),
            )
        }

        /// A walk that is the union of several cannot be resumed (see
        /// [`all_users`](Self::all_users)).
        ///
        /// # Errors
        ///
        /// Always [`ErrorKind::Resume`](::rollcall_runtime::ErrorKind::Resume); nothing is
        /// requested.
        pub fn resume_users(
            &self,
            checkpoint: &#api::Checkpoint,
        ) -> Result<#api::UserStream<'_, #api::Walked<types::#user>>, #api::Error> {
            let _ = checkpoint;
            Err(#rt::cannot_resume_union(&PROVIDER))
        }
    }
    .to_string())
}

/// The builder progenitor wrote for `list`'s operation.
fn builder_of<'b>(builders: &'b Builders, list: &List) -> Result<&'b Builder, String> {
    builders
        .get(&list.operation)
        .ok_or_else(|| format!("progenitor wrote no builder for `{}`", list.operation))
}

/// The setter calls that give `list`'s request the client's values of its required path
/// parameters (`.org(..)`), as the constructor received them.
fn fill(builders: &Builders, list: &List) -> Result<Vec<TokenStream>, String> {
    let builder = builder_of(builders, list)?;
    list.path_params
        .iter()
        .map(|param| {
            // A path parameter is not among the query's setters: progenitor names its setter
            // after it, in snake_case.
            let setter = builder
                .setters
                .get(param)
                .cloned()
                .unwrap_or_else(|| snake(param));
            if !builder.args.contains_key(&setter) {
                return Err(format!("`{}` has no setter for `{param}`", builder.name));
            }
            let setter = format_ident!("{setter}");
            Ok(quote!(.#setter(::progenitor_client::ClientInfo::inner(self).param(#param))))
        })
        .collect()
}

/// `impl Users for Client`: the provider-generic face of the walks.
fn users_impl(provider: &Extensions, types: &Types) -> Result<String, String> {
    let api = api();
    let Some(first) = provider.lists.first() else {
        return Ok(String::new());
    };
    let user = format_ident!("{}", user_type(types, first)?);
    let user_ty = if provider.walks.is_empty() {
        quote!(types::#user)
    } else {
        quote!(#api::Walked<types::#user>)
    };
    let seats = provider.lists.iter().any(|l| !l.seats.is_empty()).then(|| {
        quote! {
            fn seats(&self) -> Option<#api::UserStream<'_, types::#user>> {
                Some(Client::seats(self))
            }
            fn resume_seats(
                &self,
                checkpoint: &#api::Checkpoint,
            ) -> Option<Result<#api::UserStream<'_, types::#user>, #api::Error>> {
                Some(Client::resume_seats(self, checkpoint))
            }
        }
    });
    let changes = provider.incremental.as_ref().map(|_| {
        quote! {
            fn changed_users(
                &self,
                since: #api::Since,
            ) -> Option<#api::ChangeStream<'_, types::#user>> {
                Some(Client::changed_users(self, since))
            }
        }
    });
    Ok(quote! {
        impl #api::Users for Client {
            type User = #user_ty;
            fn provider(&self) -> &'static #api::ProviderInfo {
                &PROVIDER
            }
            fn all_users(&self) -> #api::UserStream<'_, #user_ty> {
                Client::all_users(self)
            }
            fn resume_users(
                &self,
                checkpoint: &#api::Checkpoint,
            ) -> Result<#api::UserStream<'_, #user_ty>, #api::Error> {
                Client::resume_users(self, checkpoint)
            }
            #seats
            #changes
        }
    }
    .to_string())
}

/// The setter calls (`.role(vec![..])`) that give `list`'s request the spec's fixed `values`,
/// each written as the type progenitor's setter converts to: a `Vec` of the values for a list
/// parameter, the generated enum's variant for an enum, a literal otherwise. Several values of
/// one parameter go in one call.
fn setters(
    types: &Types,
    builders: &Builders,
    list: &List,
    values: &[(String, String)],
) -> Result<Vec<TokenStream>, String> {
    let builder = builder_of(builders, list)?;
    let mut names: Vec<&String> = values.iter().map(|(name, _)| name).collect();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let setter = builder
                .setters
                .get(name)
                .ok_or_else(|| format!("`{}` sends no parameter `{name}`", builder.name))?;
            let arg = builder.args.get(setter).ok_or_else(|| {
                format!("progenitor's `{}` has no setter `{setter}`", builder.name)
            })?;
            let given: Vec<&str> = values
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect();
            let value = match (arg, &given[..]) {
                (Arg::List(item), _) => {
                    let items = given
                        .iter()
                        .map(|v| one_value(types, item, name, v))
                        .collect::<Result<Vec<_>, _>>()?;
                    quote!(vec![#(#items),*])
                }
                (_, [one]) => one_value(types, arg, name, one)?,
                _ => {
                    return Err(format!(
                        "`{name}` takes one value (progenitor's `{setter}` is not a list), the \
                         spec gives {}",
                        given.len()
                    ));
                }
            };
            let setter = format_ident!("{setter}");
            Ok(quote!(.#setter(#value)))
        })
        .collect()
}

/// One value of a parameter as an expression of `arg`.
fn one_value(types: &Types, arg: &Arg, name: &str, value: &str) -> Result<TokenStream, String> {
    let wrong = |ty: &str| format!("`{name}`: `{value}` is not a value of `{ty}`");
    match arg {
        Arg::Generated(ty) => {
            let variant = types
                .variant(ty, value)
                .map_err(|e| format!("`{name}`: {e}"))?;
            let (ty, variant) = (format_ident!("{ty}"), format_ident!("{variant}"));
            Ok(quote!(types::#ty::#variant))
        }
        Arg::List(_) => Err(format!("`{name}` is a list of lists, which no walk sets")),
        Arg::Plain(ty) => match ty.as_str() {
            "String" | "str" => Ok(quote!(#value)),
            "bool" => value
                .parse::<bool>()
                .map(|b| quote!(#b))
                .map_err(|_| wrong(ty)),
            "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" => {
                value
                    .parse::<i128>()
                    .map_err(|_| wrong(ty))
                    .and_then(|_| syn::parse_str(&format!("{value}{ty}")).map_err(|_| wrong(ty)))
            }
            other => Err(format!(
                "`{name}`: a walk cannot write a fixed value of type `{other}`"
            )),
        },
    }
}

/// progenitor's hooks (every request goes through the runtime's `prepare` and `execute`) and
/// the client's place in the runtime (`GeneratedClient`).
fn hooks() -> String {
    let api = api();
    quote! {
        impl ClientHooks<#api::Runtime> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                _info: &OperationInfo,
            ) -> Result<(), Error<E>> {
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

        impl #api::GeneratedClient for Client {
            const PROVIDER: &'static #api::ProviderInfo = &PROVIDER;

            fn from_parts(base_url: &str, http: reqwest::Client, runtime: #api::Runtime) -> Self {
                Self::new_with_client(base_url, http, runtime)
            }
        }
    }
    .to_string()
}

/// `Client::config` and `Client::call`: methods of `impl Client`.
fn call() -> String {
    let api = api();
    quote! {
        /// The client's configuration (retry policy, timeouts, page size, caps).
        pub fn config(&self) -> &#api::Config {
            self.inner().config()
        }

        /// Runs a request built with the generated API and returns its answer, or a
        /// [`rollcall::Error`](::rollcall_runtime::Error) that names the provider, the operation, the
        /// HTTP status and the provider's own message (also for an error envelope sent with HTTP 200).
        pub async fn call<T, E, F>(&self, send: F) -> Result<ResponseValue<T>, #api::Error>
        where
            T: #api::Checked,
            F: ::std::future::Future<Output = Result<ResponseValue<T>, Error<E>>>,
        {
            #api::__codegen::call(&PROVIDER, send).await
        }
    }
    .to_string()
}

fn servers_enum(name: &str, provider: &Extensions) -> Result<String, String> {
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
        "}} }}\n}}\nimpl ::std::str::FromStr for {name} {{\ntype Err = String;\n\
         fn from_str(value: &str) -> Result<Self, Self::Err> {{\n\
         Self::ALL.iter().copied().find(|s| s.name().eq_ignore_ascii_case(value.trim())).ok_or_else(|| {{\n\
         let names: Vec<&str> = Self::ALL.iter().map(|s| s.name()).collect();\n\
         format!(\"`{{value}}` is not one of {{}}\", names.join(\", \")) }}) }}\n}}"
    );
    Ok(out)
}

/// One constructor: server variables (or the servers enum), the user template's arguments and
/// the secret.
fn constructor(module: &str, provider: &Extensions, scheme: &ext::Scheme) -> String {
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
                // A variable that is the whole host (`https://{domain}`) takes a host name.
                let check = if server.url == format!("https://{{{var}}}") {
                    "host_name_problem"
                } else {
                    "host_label_problem"
                };
                problems.push(format!(
                    ".problem(::rollcall_runtime::__codegen::{check}({var:?}, {var}))"
                ));
            }
            format!("format!({:?})", server.url)
        }
        (None, Some(server)) => format!("{:?}.to_owned()", server.url),
        (None, None) => "String::new()".to_owned(),
    };
    for param in &provider.params {
        let arg = snake(param);
        args.push(format!("{arg}: &str"));
        problems.push(format!(
            ".problem(::rollcall_runtime::__codegen::param_problem({param:?}, {arg})).param({param:?}, {arg})"
        ));
    }
    for arg in &scheme.user_args {
        args.push(format!("{arg}: &str"));
        // A placeholder of a token URL is one segment of its path (a tenant).
        let check = match &scheme.kind {
            SchemeKind::ClientCredentials { token_url, .. }
                if token_url.contains(&format!("{{{arg}}}")) =>
            {
                "path_segment_problem"
            }
            _ => "template_problem",
        };
        problems.push(format!(
            ".problem(::rollcall_runtime::__codegen::{check}({arg:?}, {arg}))"
        ));
    }
    let secret = &scheme.secret;
    args.push(format!("{secret}: impl Into<::rollcall_runtime::Secret>"));
    let key = &scheme.key;
    let auth = match &scheme.kind {
        SchemeKind::Bearer => format!("::rollcall_runtime::Auth::bearer({key:?}, {secret}.into())"),
        SchemeKind::Basic { user } => {
            // A template that is one argument alone needs no formatting.
            let name = match user.strip_prefix('{').and_then(|u| u.strip_suffix('}')) {
                Some(arg) if scheme.user_args.iter().any(|a| a == arg) => {
                    format!("{arg}.to_owned()")
                }
                _ => format!("format!({user:?})"),
            };
            format!("::rollcall_runtime::Auth::basic({key:?}, {name}, {secret}.into())")
        }
        SchemeKind::Header(name) if !scheme.prefix.is_empty() => format!(
            "::rollcall_runtime::Auth::prefixed_header({key:?}, {name:?}, {:?}, {secret}.into())",
            scheme.prefix
        ),
        SchemeKind::Header(name) => {
            format!("::rollcall_runtime::Auth::header({key:?}, {name:?}, {secret}.into())")
        }
        SchemeKind::Query(name) => {
            format!("::rollcall_runtime::Auth::query({key:?}, {name:?}, {secret}.into())")
        }
        SchemeKind::ClientCredentials {
            token_url,
            scopes,
            renew_on,
            ..
        } => format!(
            "::rollcall_runtime::Auth::client_credentials({key:?}, format!({token_url:?}), \
             {client_id}.to_owned(), {secret}.into(), &{scopes:?}, &{renew_on:?})",
            client_id = ext::CLIENT_ID,
        ),
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
fn checked(provider: &Extensions, types: &Types, ty: &str) -> String {
    let envelope = provider
        .envelope
        .as_ref()
        .and_then(|(at, ok)| Some((types.borrow(ty, "self", at).ok()?, ext::envelope_text(ok))));
    match envelope {
        Some((place, ok)) => format!(
            "impl ::rollcall_runtime::Checked for types::{ty} {{\n\
             fn refusal(&self) -> Option<::serde_json::Value> {{\n\
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
    let rt = runtime();
    let (names, tys): (Vec<&String>, Vec<proc_macro2::Ident>) = schemas
        .iter()
        .map(|schema| (schema, schema.to_upper_camel_case()))
        .filter(|(_, name)| types.has(name))
        .map(|(schema, name)| (schema, format_ident!("{name}")))
        .unzip();
    quote! {
        /// Reads `text` as the generated type of the component schema `schema`, writes it back
        /// and returns `{"type", "value"}`; `None` for a schema without a type. For tests.
        #[cfg(feature = "testing")]
        #[doc(hidden)]
        pub fn __round_trip(
            schema: &str,
            text: &str,
        ) -> Option<Result<::serde_json::Value, String>> {
            match schema {
                #(#names => Some(#rt::round_trip::<types::#tys>(text)),)*
                _ => { let _ = text; None }
            }
        }
    }
    .to_string()
}

/// A parameter value from the spec as text (what a query string would carry).
fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The all-pages walk of one list operation: the builder's `List` implementation (named
/// accessors over its response type) and `all_users`, which hands it to the runtime's one walk.
fn walk(
    provider: &Extensions,
    types: &Types,
    builders: &Builders,
    list: &List,
) -> Result<String, String> {
    let rt = runtime();
    let api = api();
    let expr = |code: String| -> Result<syn::Expr, String> {
        syn::parse_str(&code).map_err(|e| format!("generated an invalid expression `{code}`: {e}"))
    };
    let ident = |name: &str| format_ident!("{name}");
    let op = &list.operation;
    let builder = ident(&op.to_upper_camel_case());
    let response = &list.response;
    let page_ty = ident(response);
    let (items, element) = types.take_vec(response, "page", &list.items)?;
    let records = expr(items)?;
    let len = expr(format!(
        "{}.map_or(0, Vec::len)",
        types.borrow(response, "page", &list.items)?.borrow
    ))?;
    let record_ty = ident(&element);
    let user = user_type(types, list)?;
    let user_ty = ident(&user);
    let to_user = expr(match &list.record {
        Some(record) => types.take(&element, "record", record)?.0,
        None => "record".to_owned(),
    })?;
    let id = if list.id.is_empty() {
        quote!(#rt::hash_id(record, hasher))
    } else {
        let root = match &list.record {
            Some(record) => format!("&{}", types.take(&element, "record", record)?.0),
            None => "record".to_owned(),
        };
        let place = expr(types.borrow(&user, &root, &list.id)?.borrow)?;
        quote!(#rt::hash_id(&#place, hasher))
    };
    let mut accessors = Vec::new();
    if let Some(at) = &list.has_more {
        let place = expr(types.borrow(response, "page", at)?.borrow)?;
        accessors.push(quote! {
            fn has_more(page: &Self::Page) -> Option<bool> { #place.copied() }
        });
    }
    if let Some(at) = &list.end {
        let place = expr(types.borrow(response, "page", at)?.borrow)?;
        accessors.push(quote! {
            fn at_end(page: &Self::Page) -> Option<bool> { #place.copied() }
        });
    }
    if let Some(at) = &list.total {
        let place = expr(types.borrow(response, "page", at)?.borrow)?;
        accessors.push(quote! {
            fn total(page: &Self::Page) -> Option<u64> {
                #place.and_then(|n| u64::try_from(*n).ok())
            }
        });
    }
    if let Some(at) = &list.next_link {
        let place = types.borrow(response, "page", at)?;
        let present = expr(format!("{}.map(|p| {})", place.parent.0, place.parent.1))?;
        accessors.push(quote! {
            fn next_link(page: &Self::Page) -> Option<bool> { #present }
        });
    }
    if !list.short_page_ends {
        accessors.push(quote! {
            const SHORT_PAGE_ENDS: bool = false;
        });
    }
    let fixed: Vec<(String, String)> = list
        .fixed
        .iter()
        .map(|(param, value)| (param.clone(), text(value)))
        .collect();
    let setup = setters(types, builders, list, &fixed)?;
    let page_size = match &list.size_param {
        Some(param) => {
            let setter = ident(&snake(param));
            let size = number(builders, list, param, quote!(size));
            accessors.push(quote! {
                fn with_page_size(self, size: u64) -> Self { self.#setter(#size) }
            });
            let size = list
                .max_size
                .or(super::table::max_page_size(provider))
                .unwrap_or(100);
            quote!(Some(#size))
        }
        None => quote!(None),
    };
    let (paging, doc) = match list.style {
        Style::Page => {
            let (param, start) = list.page_param.clone().unwrap_or_default();
            let setter = ident(&snake(&param));
            let start = u64::try_from(start).map_err(|_| "the first page number is negative")?;
            let page = number(builders, list, &param, quote!(page));
            accessors.push(quote! {
                const POSITION_PARAM: Option<&'static str> = Some(#param);
                fn with_page(self, page: u64) -> Self { self.#setter(#page) }
            });
            (
                quote!(#rt::Paging::Numbers { first: #start }),
                "numbered pages",
            )
        }
        Style::Cursor => {
            let param = list.cursor_param.clone().unwrap_or_default();
            let setter = ident(&snake(&param));
            let at = list.next_cursor.clone().unwrap_or_default();
            let cursor = expr(types.borrow(response, "page", &at)?.borrow)?;
            accessors.push(quote! {
                const POSITION_PARAM: Option<&'static str> = Some(#param);
                fn with_cursor(self, cursor: String) -> Self { self.#setter(cursor) }
                fn next_cursor(page: &Self::Page) -> Option<String> {
                    #cursor.map(|c| c.to_string())
                }
            });
            (quote!(#rt::Paging::Cursor), "cursors")
        }
        Style::Link => {
            let param = list.cursor_param.clone().unwrap_or_default();
            let setter = ident(&snake(&param));
            // A link that pages by number (`page=2`): a cursor that is no number is sent as 0,
            // which the setter refuses, so the walk ends with an error naming the parameter.
            let numeric = builders
                .get(&list.operation)
                .and_then(|b| b.args.get(b.setters.get(&param)?))
                .is_some_and(|arg| matches!(arg, Arg::Plain(ty) if ty != "String"));
            let cursor = if numeric {
                quote!(cursor.parse::<u64>().unwrap_or_default())
            } else {
                quote!(cursor)
            };
            // The next page's URL is the body's `next-link` where the spec names one (an
            // absolute URL such as OData's `@odata.nextLink`), else the `Link` header's.
            let (fetch, doc) = match &list.next_link {
                Some(at) => {
                    let link = expr(types.borrow(response, "page", at)?.borrow)?;
                    (
                        quote! {
                            let body = response.into_inner();
                            let next = {
                                let page = &body;
                                #link.map(|link| link.to_string())
                            };
                            Ok((body, next))
                        },
                        "the next page's link in the body",
                    )
                }
                None => (
                    quote! {
                        let next = #rt::next_link(response.headers());
                        Ok((response.into_inner(), next))
                    },
                    "the `Link` header's next page",
                ),
            };
            accessors.push(quote! {
                const POSITION_PARAM: Option<&'static str> = Some(#param);
                fn with_cursor(self, cursor: String) -> Self { self.#setter(#cursor) }
                fn base_url(&self) -> &str {
                    ::progenitor_client::ClientInfo::baseurl(self.__client())
                }
                async fn fetch_linked(self) -> Result<(Self::Page, Option<String>), #rt::Error> {
                    let client = self.__client();
                    let http = ::progenitor_client::ClientInfo::client(client);
                    let response = #rt::call_page(&PROVIDER, client.inner(), http, self.send()).await?;
                    #fetch
                }
            });
            (quote!(#rt::Paging::Link), doc)
        }
        Style::Offset => {
            let param = list.offset_param.clone().unwrap_or_default();
            let setter = ident(&snake(&param));
            let offset = number(builders, list, &param, quote!(offset));
            accessors.push(quote! {
                const POSITION_PARAM: Option<&'static str> = Some(#param);
                fn with_offset(self, offset: u64) -> Self { self.#setter(#offset) }
            });
            (quote!(#rt::Paging::Offset), "offsets")
        }
        Style::None => (
            quote!(#rt::Paging::One),
            "one response (the operation does not page)",
        ),
    };
    let doc = format!(
        " Every user this request selects, walking every page by {doc}, as the spec's \
         `x-rollcall-pagination` says; filters set on the builder apply to every page. The walk \
         holds the page being read and, for numbered pages, up to the client's \
         `page_concurrency` pages fetched ahead; it ends after the last page, and ends with an \
         error on a repeated page or cursor or at the client's `max_pages`/`max_users` caps."
    );
    let (all_users, resume) = if setup.is_empty() {
        (
            quote!(#rt::walk_list(&PROVIDER, self)),
            quote!(#rt::resume_list(&PROVIDER, self, checkpoint)),
        )
    } else {
        (
            quote!(#rt::walk_list(&PROVIDER, self #(#setup)*)),
            quote!(#rt::resume_list(&PROVIDER, self #(#setup)*, checkpoint)),
        )
    };
    let list_impl = quote! {
        impl<'a> #rt::List<'a> for builder::#builder<'a> {
            type Page = types::#page_ty;
            type Record = types::#record_ty;
            type User = types::#user_ty;
            const OPERATION: &'static str = #op;
            const PAGING: #rt::Paging = #paging;
            const PAGE_SIZE: Option<u32> = #page_size;

            fn config(&self) -> &#rt::Config {
                self.__client().inner().config()
            }
            async fn fetch(self) -> Result<Self::Page, #rt::Error> {
                let client = self.__client();
                let http = ::progenitor_client::ClientInfo::client(client);
                Ok(#rt::call_page(&PROVIDER, client.inner(), http, self.send()).await?.into_inner())
            }
            fn len(page: &Self::Page) -> usize { #len }
            fn records(page: Self::Page) -> Vec<Self::Record> { #records }
            fn id(record: &Self::Record, hasher: &mut ::std::hash::DefaultHasher) { #id }
            fn user(record: Self::Record) -> Self::User { #to_user }
            #(#accessors)*
        }
    };
    // The incremental export is walked for changes only (`Client::changed_users`): its builder
    // gets no all-users walk, which without a start time would ask the server for nothing.
    if let Some(start) = &list.start_param {
        let setter = ident(&snake(start));
        return Ok(quote! {
            #list_impl

            impl<'a> #rt::Incremental<'a> for builder::#builder<'a> {
                fn with_start_time(self, epoch_seconds: i64) -> Self {
                    self.#setter(epoch_seconds)
                }
            }
        }
        .to_string());
    }
    Ok(quote! {
        #list_impl

        impl<'a> builder::#builder<'a> {
            #[doc = #doc]
            pub fn all_users(self) -> #api::UserStream<'a, types::#user_ty> {
                #all_users
            }

            /// The rest of the [`all_users`](Self::all_users) walk of this request that
            /// `checkpoint` was taken in; the request must select what that walk's did.
            ///
            /// # Errors
            ///
            /// [`ErrorKind::Resume`](::rollcall_runtime::ErrorKind::Resume) when the
            /// checkpoint belongs to another walk or is too old; nothing is requested then.
            pub fn resume_users(
                self,
                checkpoint: &#api::Checkpoint,
            ) -> Result<#api::UserStream<'a, types::#user_ty>, #api::Error> {
                #resume
            }
        }
    }
    .to_string())
}

/// `value` (a `u64` the walk computes: a page size, a page number, an offset) as the integer
/// the setter of `param` converts from: progenitor types an `int32` parameter as `i32` or, with
/// `minimum: 1`, `NonZeroU32`, which a `u64` does not convert to; such a value is first narrowed
/// to the setter's width (a page size or offset past it cannot be sent anyway).
fn number(builders: &Builders, list: &List, param: &str, value: TokenStream) -> TokenStream {
    let arg = builders
        .get(&list.operation)
        .and_then(|b| b.args.get(b.setters.get(param)?));
    let narrow = match arg {
        Some(Arg::Plain(ty)) => match ty.as_str() {
            "u32" | "NonZeroU32" => Some(quote!(u32)),
            "i32" | "NonZeroI32" => Some(quote!(i32)),
            "u16" | "NonZeroU16" => Some(quote!(u16)),
            "i16" | "NonZeroI16" => Some(quote!(i16)),
            _ => None,
        },
        _ => None,
    };
    match narrow {
        Some(ty) => quote!(#ty::try_from(#value).unwrap_or(#ty::MAX)),
        None => value,
    }
}

/// The accessor a list builder's walk reaches its client by (the builder's field is private to
/// progenitor's module), as Rust source for inside `mod builder`.
pub fn client_accessor(operation: &str) -> String {
    let builder = format_ident!("{}", operation.to_upper_camel_case());
    quote! {
        impl<'a> #builder<'a> {
            /// The client this request is sent with.
            pub(crate) fn __client(&self) -> &'a super::Client {
                self.client
            }
        }
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types() -> Types {
        let file: syn::File = syn::parse_str(
            r#"
            pub enum ListUsersRoleItem {
                #[serde(rename = "end-user")] EndUser,
                #[serde(rename = "agent")] Agent,
                Admin,
            }
            "#,
        )
        .unwrap();
        Types::new(&file.items)
    }

    fn value(arg: &Arg, text: &str) -> Result<String, String> {
        one_value(&types(), arg, "role[]", text).map(|tokens| tokens.to_string())
    }

    #[test]
    fn a_fixed_value_is_written_as_the_setters_type() {
        let role = Arg::Generated("ListUsersRoleItem".into());
        assert_eq!(
            value(&role, "agent").unwrap(),
            "types :: ListUsersRoleItem :: Agent"
        );
        // A variant without `rename` stands for its own name.
        assert_eq!(
            value(&role, "Admin").unwrap(),
            "types :: ListUsersRoleItem :: Admin"
        );
        assert_eq!(value(&Arg::Plain("String".into()), "7").unwrap(), "\"7\"");
        assert_eq!(value(&Arg::Plain("u64".into()), "7").unwrap(), "7u64");
        assert_eq!(value(&Arg::Plain("bool".into()), "true").unwrap(), "true");
    }

    #[test]
    fn a_value_the_type_cannot_hold_is_a_codegen_error() {
        let role = Arg::Generated("ListUsersRoleItem".into());
        let error = value(&role, "owner").unwrap_err();
        assert!(error.contains("no variant for `owner`"), "{error}");
        assert!(value(&Arg::Plain("u64".into()), "many").is_err());
        assert!(value(&Arg::Plain("bool".into()), "yes").is_err());
        let error = value(&Arg::Plain("Uuid".into()), "x").unwrap_err();
        assert!(
            error.contains("cannot write a fixed value of type `Uuid`"),
            "{error}"
        );
    }
}
