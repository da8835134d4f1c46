//! A client of a provider chosen at run time, built from environment-style variables: the one
//! `connect` behind every provider's registry entry, reading the provider's
//! `Scheme` table.
//!
//! Generated code supplies only what needs types: a [`Build`] function that calls the
//! constructor of a scheme with the values read here.

use std::str::FromStr;

use crate::config::ClientOptions;
use crate::error::{Error, ErrorKind};
use crate::provider::{ProviderInfo, Role, Var};
use crate::users::AnyClient;

/// Reads an environment-style variable (usually `|name| std::env::var(name).ok()`).
pub type Vars<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// Calls the constructor of scheme number `scheme` (in the spec's order) with `values`.
pub type Build = fn(scheme: usize, values: &Values<'_>) -> Result<Box<dyn AnyClient>, Error>;

/// The values of a constructor's arguments: the server's variables, then one scheme's
/// credentials.
#[derive(Debug)]
pub struct Values<'a> {
    provider: &'static ProviderInfo,
    /// The constructor's arguments, each with the value read for it (`None`: left unset).
    args: Vec<(&'static Var, Option<String>)>,
    options: &'a ClientOptions,
}

impl Values<'_> {
    /// Argument `index` as text (empty for an optional argument left unset).
    pub fn text(&self, index: usize) -> &str {
        self.value(index).unwrap_or_default()
    }

    /// Argument `index` as one of the spec's named servers: the first unless its variable
    /// names another.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] naming the variable when it names no server.
    pub fn server<S>(&self, index: usize) -> Result<S, Error>
    where
        S: FromStr<Err = String> + Default,
    {
        match self.value(index) {
            Some(value) => value.parse().map_err(|problem| {
                let var = self.args.get(index).map_or("", |(var, _)| var.name);
                config(self.provider, format!("{var}: {problem}"))
            }),
            None => Ok(S::default()),
        }
    }

    /// Argument `index` when its variable is set (an optional one, such as an authority host).
    pub fn optional(&self, index: usize) -> Option<&str> {
        self.value(index)
    }

    fn value(&self, index: usize) -> Option<&str> {
        self.args.get(index).and_then(|(_, value)| value.as_deref())
    }

    /// What the client is built with besides its credentials.
    pub fn options(&self) -> &ClientOptions {
        self.options
    }

    /// The error for a scheme number the provider does not have (a generated `Build` and its
    /// table disagree).
    pub fn unknown_scheme(&self, scheme: usize) -> Error {
        config(
            self.provider,
            format!("no way to authenticate number {scheme}"),
        )
    }
}

/// A client of `provider` from the variables `var` reads: the first way to authenticate whose
/// credentials are all set wins. Host variables may be left unset when `options.base_url`
/// points elsewhere (a mock, a proxy); a server variable (a region) may always be.
///
/// # Errors
///
/// [`ErrorKind::Config`] naming the unset variables of the first way to authenticate, or what
/// the constructor's `build()` refuses.
pub fn connect(
    provider: &'static ProviderInfo,
    build: Build,
    var: &Vars<'_>,
    options: &ClientOptions,
) -> Result<Box<dyn AnyClient>, Error> {
    let var = |name: &str| var(name).filter(|value| !value.is_empty());
    for (index, scheme) in provider.schemes.iter().enumerate() {
        if scheme
            .vars
            .iter()
            .any(|v| v.role != Role::Authority && var(v.name).is_none())
        {
            continue;
        }
        let mut args = Vec::with_capacity(provider.server.len() + scheme.vars.len());
        for v in provider.server.iter().chain(scheme.vars) {
            let value = match v.role {
                Role::Host => Some(
                    var(v.name)
                        .or_else(|| options.base_url.as_ref().map(|_| "example".to_owned()))
                        .ok_or_else(|| missing(provider, &[v.name]))?,
                ),
                // What the walk asks for is needed wherever it is sent.
                Role::Param => Some(var(v.name).ok_or_else(|| missing(provider, &[v.name]))?),
                // A base URL replaces every server, so a region is not read then.
                Role::Server if options.base_url.is_some() => None,
                Role::Server | Role::Plain | Role::Secret | Role::Authority => var(v.name),
            };
            args.push((v, value));
        }
        let values = Values {
            provider,
            args,
            options,
        };
        return build(index, &values);
    }
    // Name every unset variable of the first way to authenticate: its credentials, and the
    // host's labels unless a base URL replaces the host (a region has a default).
    let hosts = provider
        .server
        .iter()
        .filter(|v| (v.role == Role::Host && options.base_url.is_none()) || v.role == Role::Param);
    let unset: Vec<&str> = match provider.schemes.first() {
        Some(scheme) => hosts
            .chain(scheme.vars.iter().filter(|v| v.role != Role::Authority))
            .map(|v| v.name)
            .filter(|name| var(name).is_none())
            .collect(),
        None => Vec::new(),
    };
    Err(missing(provider, &unset))
}

fn missing(provider: &'static ProviderInfo, names: &[&str]) -> Error {
    config(
        provider,
        format!("set the environment variable(s) {}", names.join(", ")),
    )
}

fn config(provider: &'static ProviderInfo, message: String) -> Error {
    Error::new(provider.name, "connect", ErrorKind::Config(message))
}
