//! A provider's data table, written from its spec as Rust tokens: the `PROVIDER` static every
//! part of the crate reads (registry, `env_vars`, `connect`, the fake), with its schemes and
//! their environment variables stated once, and the one function `connect` needs that takes
//! types (calling each scheme's constructor).

use heck::{ToSnakeCase as _, ToUpperCamelCase as _};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::tokens::{api, runtime};
use crate::spec::ext::{self, Extensions, Scheme};

/// What a constructor argument is, as the runtime's `Role` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A label of the server's host.
    Host,
    /// One of the named servers.
    Server,
    /// A plain credential.
    Plain,
    /// The secret.
    Secret,
    /// An optional authority host for a token URL, after the secret.
    Authority,
    /// A required parameter of the walked operations (`org`).
    Param,
}

/// One argument of a scheme's constructor, with its environment variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Var {
    /// The argument's name.
    pub arg: String,
    /// What it is.
    pub role: Role,
    /// The environment variable `connect` reads it from.
    pub env: String,
}

/// The server's variables of provider `name`: the servers enum, or the first server's URL
/// variables, then the walked operations' required parameters (`org`, read from
/// `<PROVIDER>_<PARAM>`); every constructor takes them first.
pub fn server_vars(name: &str, provider: &Extensions) -> Vec<Var> {
    let mut vars = host_vars(name, provider);
    vars.extend(provider.params.iter().map(|param| Var {
        arg: param.to_snake_case(),
        role: Role::Param,
        env: ext::env_var(name, param),
    }));
    vars
}

/// The servers enum, or the first server's URL variables.
fn host_vars(name: &str, provider: &Extensions) -> Vec<Var> {
    if let Some(servers) = &provider.servers_enum {
        let arg = servers.to_snake_case();
        return vec![Var {
            env: ext::env_var(name, &arg),
            arg,
            role: Role::Server,
        }];
    }
    provider.servers.first().map_or_else(Vec::new, |server| {
        server
            .variables
            .iter()
            .map(|v| Var {
                arg: v.clone(),
                role: Role::Host,
                env: ext::env_var(name, v),
            })
            .collect()
    })
}

/// The arguments of `scheme`'s constructor for provider `name`: the server's variables first,
/// the secret last.
pub fn vars(name: &str, provider: &Extensions, scheme: &Scheme) -> Vec<Var> {
    let mut vars = server_vars(name, provider);
    vars.extend(credentials(name, scheme));
    vars
}

/// A scheme's credentials: the plain arguments its basic user template names, then the secret.
fn credentials(name: &str, scheme: &Scheme) -> Vec<Var> {
    let mut vars: Vec<Var> = scheme
        .user_args
        .iter()
        .map(|arg| Var {
            arg: arg.clone(),
            role: Role::Plain,
            env: scheme.env_var(name, arg),
        })
        .collect();
    vars.push(Var {
        arg: scheme.secret.clone(),
        role: Role::Secret,
        env: scheme.env_var(name, &scheme.secret),
    });
    if scheme.has_token_url() {
        vars.push(Var {
            arg: ext::AUTHORITY_HOST.to_owned(),
            role: Role::Authority,
            env: scheme.env_var(name, ext::AUTHORITY_HOST),
        });
    }
    vars
}

/// The largest page size the provider declares (the first list's that declares one): the
/// table's `max_page_size`, and the page size of a list that declares none of its own.
pub fn max_page_size(provider: &Extensions) -> Option<u32> {
    provider.lists.iter().find_map(|l| l.max_size)
}

/// `pub static PROVIDER`, with named fields.
pub fn provider_static(
    name: &str,
    provider: &Extensions,
    fingerprint: &str,
) -> Result<TokenStream, String> {
    let rt = runtime();
    let api = api();
    let title = &provider.title;
    let doc = format!(
        " {title} as the runtime sees it, from its spec: name, page size, error rules, account \
         rules, rate limit and the ways to authenticate with their environment variables."
    );
    let max = option(max_page_size(provider));
    let errors = error_rules(&provider.errors);
    let any = provider.any_content_type;
    let account = account_rules(&provider.account)?;
    let rate_limit = match provider.rate_limit {
        Some((requests, seconds)) => quote! {
            Some(#rt::RateLimit::new(#requests, ::std::time::Duration::from_secs(#seconds)))
        },
        None => quote!(None),
    };
    let operation_limits = provider
        .operation_limits
        .iter()
        .map(|(op, requests, seconds)| {
            quote! {
                (#op, #rt::RateLimit::new(#requests, ::std::time::Duration::from_secs(#seconds)))
            }
        });
    let seats = provider
        .lists
        .first()
        .map(|list| {
            list.seats
                .iter()
                .map(|(name, value)| quote!((#name, #value)))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let server: Vec<TokenStream> = server_vars(name, provider).iter().map(var_entry).collect();
    let slow_down = provider.slow_down.iter().map(|rule| {
        let (status, header, at, is) = (rule.status, &rule.header, &rule.at, &rule.is);
        quote!(#rt::SlowDown { status: #status, header: #header, at: #at, is: &[#(#is),*] })
    });
    let schemes = provider
        .schemes
        .iter()
        .map(|scheme| scheme_entry(name, scheme))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(quote! {
        #[doc = #doc]
        pub static PROVIDER: #api::ProviderInfo = #rt::ProviderInfo::from_fields(#rt::ProviderFields {
            name: #name,
            title: #title,
            max_page_size: #max,
            errors: #errors,
            any_content_type: #any,
            account: #account,
            rate_limit: #rate_limit,
            operation_limits: &[#(#operation_limits),*],
            seats: &[#(#seats),*],
            server: &[#(#server),*],
            schemes: &[#(#schemes),*],
            spec: #fingerprint,
            drift: &DRIFT,
            slow_down: &[#(#slow_down),*],
        });
    })
}

fn scheme_entry(name: &str, scheme: &Scheme) -> Result<TokenStream, String> {
    let rt = runtime();
    let key = &scheme.key;
    let constructor = &scheme.constructor;
    let sends = match &scheme.kind {
        ext::SchemeKind::Bearer => quote!(#rt::Sends::Bearer),
        ext::SchemeKind::Basic { user } => quote!(#rt::Sends::Basic { user: #user }),
        ext::SchemeKind::Header(header) if !scheme.prefix.is_empty() => {
            let prefix = &scheme.prefix;
            quote!(#rt::Sends::PrefixedHeader { name: #header, prefix: #prefix })
        }
        ext::SchemeKind::Header(header) => quote!(#rt::Sends::Header(#header)),
        ext::SchemeKind::Query(param) => quote!(#rt::Sends::Query(#param)),
        ext::SchemeKind::Plugin(plugin, param) if plugin == "query-md5" => {
            quote!(#rt::Sends::QueryMd5(#param))
        }
        ext::SchemeKind::Plugin(plugin, _) => {
            return Err(format!("no runtime word for the `{plugin}` plugin"));
        }
        ext::SchemeKind::ClientCredentials {
            token_url, scopes, ..
        } => {
            quote!(#rt::Sends::ClientCredentials { token_url: #token_url, scopes: &[#(#scopes),*] })
        }
    };
    let vars = credentials(name, scheme).into_iter().map(|v| var_entry(&v));
    Ok(quote! {
        #rt::Scheme {
            key: #key,
            constructor: #constructor,
            sends: #sends,
            vars: &[#(#vars),*],
        }
    })
}

/// `connect` and the function it calls with each scheme's values: the constructor.
pub fn connect(name: &str, provider: &Extensions) -> TokenStream {
    let rt = runtime();
    let api = api();
    let arms = provider.schemes.iter().enumerate().map(|(index, scheme)| {
        let constructor = format_ident!("{}", scheme.constructor);
        let all = vars(name, provider, scheme);
        let args = all
            .iter()
            .enumerate()
            .filter_map(|(i, var)| match var.role {
                Role::Server => Some(quote!(values.server(#i)?)),
                Role::Host | Role::Plain | Role::Param => Some(quote!(values.text(#i))),
                Role::Secret => Some(quote!(values.text(#i).to_owned())),
                Role::Authority => None,
            });
        let optional = all
            .iter()
            .enumerate()
            .filter(|(_, var)| var.role == Role::Authority)
            .map(|(i, _)| quote!(.authority_host_from(values.optional(#i))));
        quote!(#index => Client::#constructor(#(#args),*) #(#optional)*)
    });
    let doc = format!(
        " A client of {} from environment-style variables, as [`crate::Provider::connect`] \
         builds it: the first way to authenticate whose credentials are all set wins \
         ([`PROVIDER`]`.schemes` lists them with their variables).\n\n # Errors\n\n \
         [`ErrorKind::Config`]({rt}::ErrorKind::Config) naming the unset variables, or what \
         `build()` refuses.",
        provider.title,
        rt = "::rollcall_runtime",
    );
    quote! {
        #[doc = #doc]
        pub fn connect(
            var: &dyn Fn(&str) -> Option<String>,
            options: &#api::ClientOptions,
        ) -> Result<Box<dyn #api::AnyClient>, #api::Error> {
            #rt::connect(&PROVIDER, build, var, options)
        }

        /// Calls the constructor of scheme number `scheme` of [`PROVIDER`] with `values`.
        fn build(
            scheme: usize,
            values: &#rt::Values<'_>,
        ) -> Result<Box<dyn #rt::AnyClient>, #rt::Error> {
            let builder = match scheme {
                #(#arms,)*
                _ => return Err(values.unknown_scheme(scheme)),
            };
            Ok(Box::new(builder.options(values.options()).build()?))
        }
    }
}

/// One `Var` of the table.
fn var_entry(var: &Var) -> TokenStream {
    let rt = runtime();
    let (name, arg) = (&var.env, &var.arg);
    let role = format_ident!("{}", format!("{:?}", var.role));
    quote!(#rt::Var { name: #name, arg: #arg, role: #rt::Role::#role })
}

fn option<T: quote::ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(value) => quote!(Some(#value)),
        None => quote!(None),
    }
}

fn error_rules(rules: &ext::ErrorRules) -> TokenStream {
    let rt = runtime();
    let fields = |fields: &[ext::Field]| {
        let items = fields.iter().map(|f| {
            let at = &f.at;
            let only = format_ident!("{}", f.only);
            quote!(#rt::Field { at: #at, only: #rt::Only::#only })
        });
        quote!(&[#(#items),*])
    };
    let parts = rules.message.iter().map(|p| {
        let each = &p.each;
        let text = fields(&p.text);
        let label = option(p.label.as_deref());
        quote!(#rt::Part { each: #each, text: #text, label: #label })
    });
    let code = fields(&rules.code);
    let request_id = fields(&rules.request_id);
    let request_id_header = &rules.request_id_header;
    quote!(#rt::ErrorRules {
        code: #code,
        message: &[#(#parts),*],
        request_id: #request_id,
        request_id_header: &[#(#request_id_header),*],
    })
}

/// `x-rollcall.account` as a `rollcall_runtime::AccountRules` literal.
fn account_rules(account: &ext::Account) -> Result<TokenStream, String> {
    let rt = runtime();
    let tests = |tests: &[ext::Test]| -> Result<TokenStream, String> {
        let mut items = Vec::new();
        for test in tests {
            let check = match test.present {
                Some(flag) => quote!(#rt::Check::Present(#flag)),
                None => {
                    let mut literals = Vec::new();
                    for value in &test.is {
                        literals.push(match value {
                            Value::String(text) => quote!(#rt::Literal::Str(#text)),
                            Value::Bool(flag) => quote!(#rt::Literal::Bool(#flag)),
                            Value::Null => quote!(#rt::Literal::Null),
                            Value::Number(n) => {
                                let n = n.as_i64().ok_or("`is` takes integers only")?;
                                quote!(#rt::Literal::Int(#n))
                            }
                            other => return Err(format!("`is` cannot compare with {other}")),
                        });
                    }
                    quote!(#rt::Check::Is(&[#(#literals),*]))
                }
            };
            let at = &test.at;
            let ci = test.ci;
            items.push(quote!(#rt::Test { at: #at, check: #check, ci: #ci }));
        }
        Ok(quote!(&[#(#items),*]))
    };
    let rules = |rules: &[ext::Rule], ty: Option<&str>| -> Result<TokenStream, String> {
        let mut items = Vec::new();
        for rule in rules {
            let value = match ty {
                None => {
                    let flag: bool = rule
                        .value
                        .parse()
                        .map_err(|_| format!("`{}` is not true or false", rule.value))?;
                    quote!(#flag)
                }
                Some(ty) => {
                    let ty = format_ident!("{ty}");
                    let variant = format_ident!("{}", rule.value.to_upper_camel_case());
                    quote!(#rt::#ty::#variant)
                }
            };
            let all = tests(&rule.all)?;
            items.push(quote!(#rt::Rule { value: #value, all: #all }));
        }
        Ok(quote!(&[#(#items),*]))
    };
    let ext::Account {
        id,
        email,
        name,
        roles,
        created_at,
        updated_at,
        last_login_at,
        manager,
        never,
        ..
    } = account;
    let status = rules(&account.status, Some("Status"))?;
    let kind = rules(&account.kind, Some("Kind"))?;
    let privileged = rules(&account.privileged, None)?;
    Ok(quote! {
        #rt::AccountRules {
            id: #id,
            email: #email,
            name: #name,
            status: #status,
            kind: #kind,
            roles: &[#(#roles),*],
            privileged: #privileged,
            created_at: #created_at,
            updated_at: #updated_at,
            last_login_at: #last_login_at,
            manager: #manager,
            never: #never,
        }
    })
}
