//! Security schemes and their `x-rollcall-auth`: one client constructor per scheme, its
//! arguments, the environment variables that fill them, and runtime signature plugins.

use std::collections::BTreeMap;

use heck::{ToShoutySnakeCase as _, ToSnakeCase as _};
use serde_json::Value;

use super::value::{check_keys, object_at, str_at};
use crate::spec::{SpecError, escape};

/// Keys `x-rollcall-auth` may hold.
const AUTH_KEYS: &[&str] = &[
    "constructor",
    "user",
    "secret",
    "plugin",
    "env",
    "prefix",
    "renew-on",
    "token-refusal",
];

/// The argument of an OAuth 2.0 client-credentials constructor that names the client.
pub const CLIENT_ID: &str = "client_id";

/// The optional argument of an OAuth 2.0 client-credentials scheme that moves its token URL to
/// another authority host (a national cloud, a mock).
pub const AUTHORITY_HOST: &str = "authority_host";

/// Signature plugins the runtime has (`rollcall_runtime::Plugin`).
pub const PLUGINS: &[&str] = &["query-md5"];

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
    /// Text sent before an API key in its header (`Token token=`); empty: none.
    pub prefix: String,
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
    /// OAuth 2.0 client credentials (`type: oauth2`, `flows.clientCredentials`): an access
    /// token from the token URL, sent as `Authorization: Bearer`.
    ClientCredentials {
        /// The token URL, its `{placeholders}` the constructor's first arguments.
        token_url: String,
        /// The scopes asked for (the flow's `scopes` keys, in order).
        scopes: Vec<String>,
        /// The error codes of a 401 that mean the token expired (`renew-on`).
        renew_on: Vec<String>,
        /// The token URL's documented answer to wrong client credentials (`token-refusal`),
        /// as JSON text; empty when not given.
        refusal: String,
    },
}

impl Scheme {
    /// The constructor's arguments: the user template's (or the token URL's and the client
    /// id), then the secret.
    pub fn args(&self) -> Vec<String> {
        let mut args = self.user_args.clone();
        args.push(self.secret.clone());
        args
    }

    /// Whether the scheme obtains its token from a token URL, and so takes an optional
    /// authority host.
    pub fn has_token_url(&self) -> bool {
        matches!(self.kind, SchemeKind::ClientCredentials { .. })
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

/// One constructor per security scheme, in the spec's order.
pub(super) fn schemes(file: &str, raw: &Value) -> Result<Vec<Scheme>, SpecError> {
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
            ("oauth2", _) => (
                client_credentials(file, raw, &at, &ext_at)?,
                "with_client_credentials",
                "client_secret",
            ),
            _ => {
                return Err(SpecError::at(
                    file,
                    &at,
                    format!(
                        "security scheme `{kind_of}` `{http}` is not supported (http bearer, http \
                         basic, apiKey, oauth2 clientCredentials)"
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
        let prefix = get("prefix")?.unwrap_or_default().to_owned();
        if !prefix.is_empty() && !matches!(kind, SchemeKind::Header(_)) {
            return Err(SpecError::at(
                file,
                &format!("{ext_at}/prefix"),
                "`prefix` is the text before an apiKey sent in a header",
            ));
        }
        if prefix.chars().any(|c| c.is_control() || !c.is_ascii()) {
            return Err(SpecError::at(
                file,
                &format!("{ext_at}/prefix"),
                "`prefix` must be printable ASCII (it goes into a header)",
            ));
        }
        for key in ["renew-on", "token-refusal"] {
            if raw.pointer(&format!("{ext_at}/{key}")).is_some()
                && !matches!(kind, SchemeKind::ClientCredentials { .. })
            {
                return Err(SpecError::at(
                    file,
                    &format!("{ext_at}/{key}"),
                    format!("`{key}` is a word of an oauth2 client-credentials scheme"),
                ));
            }
        }
        let user_args = match &kind {
            SchemeKind::Basic { user } => placeholders(file, &ext_at, user)?,
            SchemeKind::ClientCredentials { token_url, .. } => {
                let mut args = placeholders(
                    file,
                    &format!("{at}/flows/clientCredentials/tokenUrl"),
                    token_url,
                )?;
                args.push(CLIENT_ID.to_owned());
                args
            }
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
            prefix,
        });
    }
    Ok(out)
}

/// An `oauth2` scheme's client-credentials flow: its token URL (an absolute https URL once its
/// placeholders are filled), its scopes, and the words of `x-rollcall-auth` for it.
fn client_credentials(
    file: &str,
    raw: &Value,
    at: &str,
    ext_at: &str,
) -> Result<SchemeKind, SpecError> {
    let flow_at = format!("{at}/flows/clientCredentials");
    let flows = object_at(file, raw, &format!("{at}/flows"))?;
    if let Some(other) = flows
        .into_iter()
        .flat_map(|f| f.keys())
        .find(|k| *k != "clientCredentials")
    {
        return Err(SpecError::at(
            file,
            &format!("{at}/flows/{}", escape(other)),
            "only the clientCredentials flow is supported (a walk has no user to sign in)",
        ));
    }
    let token_url = str_at(file, raw, &format!("{flow_at}/tokenUrl"))?.ok_or_else(|| {
        SpecError::at(
            file,
            &flow_at,
            "an oauth2 scheme needs flows.clientCredentials.tokenUrl",
        )
    })?;
    // A placeholder is written percent-encoded (`%7Btenant_id%7D`): the spec must stay a URI
    // for the OpenAPI validators, which refuse `{` in `tokenUrl`.
    if token_url.contains(['{', '}']) {
        return Err(SpecError::at(
            file,
            &format!("{flow_at}/tokenUrl"),
            "write the token URL's placeholders percent-encoded (`%7Btenant%7D`, not `{tenant}`): \
             the OpenAPI validators want a URI",
        ));
    }
    let token_url = token_url
        .replace("%7B", "{")
        .replace("%7b", "{")
        .replace("%7D", "}")
        .replace("%7d", "}");
    let filled = placeholders(file, &flow_at, &token_url)?
        .iter()
        .fold(token_url.clone(), |url, name| {
            url.replace(&format!("{{{name}}}"), "x")
        });
    let host = token_url
        .strip_prefix("https://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default();
    if !filled.starts_with("https://") || host.is_empty() || host.contains('{') {
        return Err(SpecError::at(
            file,
            &format!("{flow_at}/tokenUrl"),
            "the token URL must be an absolute https URL whose host is not a placeholder",
        ));
    }
    let scopes: Vec<String> = object_at(file, raw, &format!("{flow_at}/scopes"))?
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    let renew_on = match raw.pointer(&format!("{ext_at}/renew-on")) {
        None => Vec::new(),
        Some(Value::Array(codes)) => codes
            .iter()
            .map(|c| {
                c.as_str().map(str::to_owned).ok_or_else(|| {
                    SpecError::at(
                        file,
                        &format!("{ext_at}/renew-on"),
                        "error codes are strings",
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(SpecError::at(
                file,
                &format!("{ext_at}/renew-on"),
                "expected a list of error codes",
            ));
        }
    };
    let refusal = match raw.pointer(&format!("{ext_at}/token-refusal")) {
        None => String::new(),
        Some(Value::Object(body)) if body.get("error").is_some_and(Value::is_string) => {
            Value::Object(body.clone()).to_string()
        }
        Some(_) => {
            return Err(SpecError::at(
                file,
                &format!("{ext_at}/token-refusal"),
                "expected an OAuth error response (an object with a string `error`)",
            ));
        }
    };
    Ok(SchemeKind::ClientCredentials {
        token_url,
        scopes,
        renew_on,
        refusal,
    })
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
