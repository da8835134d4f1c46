//! The names progenitor gave, read from its `builder` module rather than derived again: which
//! builder sends each operation, what type its `send()` answers with, and which setter fills
//! each query or header parameter.
//!
//! Each builder's `send()` says all of it: `OperationInfo { operation_id: "..." }`, the
//! `ResponseValue<types::X>` it returns, `.query(&QueryParam::new("page[size]", &page_size))` and
//! `if let Some(value) = local { header_map.append("Name", ..) }`, where the local is the
//! builder's field of the setter's name.

use std::collections::BTreeMap;

/// One operation's builder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Builder {
    /// The builder struct (`ListUsers`).
    pub name: String,
    /// The success body type, the `X` of `ResponseValue<types::X>`.
    pub response: Option<String>,
    /// Parameter name on the wire → the setter (and field) progenitor named for it.
    pub setters: BTreeMap<String, String>,
    /// Setter → what it takes (the `T` of its `V: TryInto<T>` bound).
    pub args: BTreeMap<String, Arg>,
}

/// What a setter takes, as far as a walk's fixed values need to know to write one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// `Vec<T>`: the values go in a list.
    List(Box<Arg>),
    /// `types::Name`: a generated type, whose variants name the values of an enum.
    Generated(String),
    /// Anything else, by the last segment of its path (`String`, `u64`, `bool`).
    Plain(String),
}

impl Arg {
    /// Reads `ty`, the type a setter converts its argument to.
    fn read(ty: &syn::Type) -> Self {
        if let Some(inner) = super::access::wrapped(ty, "Vec") {
            return Self::List(Box::new(Self::read(inner)));
        }
        match ty {
            syn::Type::Path(path) => {
                let segments: Vec<String> = path
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                match &segments[..] {
                    [module, name] if module == "types" => Self::Generated(name.clone()),
                    [.., last] => Self::Plain(last.clone()),
                    [] => Self::Plain(String::new()),
                }
            }
            syn::Type::Group(group) => Self::read(&group.elem),
            _ => Self::Plain(String::new()),
        }
    }
}

/// Every builder of a generated file, by operationId.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Builders {
    by_operation: BTreeMap<String, Builder>,
}

impl Builders {
    /// Reads the `builder` module among `items` (a whole generated file).
    pub fn read(items: &[syn::Item]) -> Self {
        let mut by_operation = BTreeMap::new();
        let modules = items.iter().filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref(),
            _ => None,
        });
        for item in modules.flat_map(|content| &content.1) {
            let syn::Item::Impl(block) = item else {
                continue;
            };
            let Some(name) = self_name(&block.self_ty) else {
                continue;
            };
            let args: BTreeMap<String, Arg> = block
                .items
                .iter()
                .filter_map(|item| match item {
                    syn::ImplItem::Fn(setter) => Some((
                        setter.sig.ident.to_string(),
                        Arg::read(converts_to(&setter.sig)?),
                    )),
                    _ => None,
                })
                .collect();
            for item in &block.items {
                let syn::ImplItem::Fn(send) = item else {
                    continue;
                };
                if send.sig.ident != "send" {
                    continue;
                }
                let Some(operation) = operation_id(&send.block) else {
                    continue;
                };
                let mut setters = BTreeMap::new();
                for stmt in &send.block.stmts {
                    parameters(stmt, &mut setters);
                }
                by_operation.insert(
                    operation,
                    Builder {
                        name: name.clone(),
                        response: response_type(&send.sig.output),
                        setters,
                        args: args.clone(),
                    },
                );
            }
        }
        Self { by_operation }
    }

    /// The builder of `operation` (an operationId).
    pub fn get(&self, operation: &str) -> Option<&Builder> {
        self.by_operation.get(operation)
    }

    /// Every success body type, sorted, each once.
    pub fn success_types(&self) -> Vec<String> {
        let mut found: Vec<String> = self
            .by_operation
            .values()
            .filter_map(|b| b.response.clone())
            .collect();
        found.sort();
        found.dedup();
        found
    }
}

/// The `T` of a setter's `where V: TryInto<T>` bound (progenitor's setters convert their
/// argument so).
fn converts_to(sig: &syn::Signature) -> Option<&syn::Type> {
    sig.generics
        .where_clause
        .iter()
        .flat_map(|clause| &clause.predicates)
        .find_map(|predicate| {
            let syn::WherePredicate::Type(bound) = predicate else {
                return None;
            };
            bound.bounds.iter().find_map(|bound| {
                let syn::TypeParamBound::Trait(bound) = bound else {
                    return None;
                };
                let last = bound.path.segments.last()?;
                if last.ident != "TryInto" {
                    return None;
                }
                let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                    return None;
                };
                match args.args.first()? {
                    syn::GenericArgument::Type(ty) => Some(ty),
                    _ => None,
                }
            })
        })
}

/// `ListUsers` of `ListUsers<'a>`.
fn self_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => Some(path.path.segments.last()?.ident.to_string()),
        _ => None,
    }
}

/// The `operation_id` of the `OperationInfo` a `send()` builds.
fn operation_id(block: &syn::Block) -> Option<String> {
    block.stmts.iter().find_map(|stmt| {
        let syn::Stmt::Local(local) = stmt else {
            return None;
        };
        let syn::Expr::Struct(info) = local.init.as_ref()?.expr.as_ref() else {
            return None;
        };
        if !info.path.is_ident("OperationInfo") {
            return None;
        }
        info.fields
            .iter()
            .find_map(|field| match (&field.member, &field.expr) {
                (syn::Member::Named(name), expr) if name == "operation_id" => text(expr),
                _ => None,
            })
    })
}

/// The `X` of `Result<ResponseValue<types::X>, ..>`.
fn response_type(output: &syn::ReturnType) -> Option<String> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let value = super::access::wrapped(ty, "Result")?;
    let body = super::access::wrapped(value, "ResponseValue")?;
    let syn::Type::Path(path) = body else {
        return None;
    };
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match &segments[..] {
        [module, name] if module == "types" => Some(name.clone()),
        _ => None,
    }
}

/// The query and header parameters a statement of `send()` sends, as (wire name, local).
fn parameters(stmt: &syn::Stmt, out: &mut BTreeMap<String, String>) {
    match stmt {
        syn::Stmt::Local(local) => {
            if let Some(init) = &local.init {
                query_chain(&init.expr, out);
            }
        }
        syn::Stmt::Expr(syn::Expr::If(branch), _) => {
            // `if let Some(value) = local { header_map.append("Name", ..); }`
            let syn::Expr::Let(condition) = branch.cond.as_ref() else {
                return;
            };
            let Some(local) = ident(&condition.expr) else {
                return;
            };
            for stmt in &branch.then_branch.stmts {
                if let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt
                    && call.method == "append"
                    && let Some(name) = call.args.first().and_then(text)
                {
                    out.insert(name, local.clone());
                }
            }
        }
        _ => {}
    }
}

/// Every `.query(&QueryParam::new("name", &local))` along a method-call chain.
fn query_chain(expr: &syn::Expr, out: &mut BTreeMap<String, String>) {
    match expr {
        syn::Expr::Try(inner) => query_chain(&inner.expr, out),
        syn::Expr::MethodCall(call) => {
            if call.method == "query"
                && let Some(syn::Expr::Reference(arg)) = call.args.first()
                && let syn::Expr::Call(new) = arg.expr.as_ref()
                && let syn::Expr::Path(func) = new.func.as_ref()
                && func.path.segments.iter().any(|s| s.ident == "QueryParam")
                && let [name, syn::Expr::Reference(local)] =
                    &new.args.iter().collect::<Vec<_>>()[..]
                && let (Some(name), Some(local)) = (text(name), ident(&local.expr))
            {
                out.insert(name, local);
            }
            query_chain(&call.receiver, out);
        }
        _ => {}
    }
}

/// The value of a string literal.
fn text(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) => Some(text.value()),
        syn::Expr::Group(group) => text(&group.expr),
        _ => None,
    }
}

/// The name of a plain local variable.
fn ident(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
        syn::Expr::Group(group) => ident(&group.expr),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_are_read_from_send() {
        let file: syn::File = syn::parse_str(
            r#"
            pub mod builder {
                impl<'a> ListUsers<'a> {
                    pub fn page_size<V>(mut self, value: V) -> Self where V: std::convert::TryInto<::std::num::NonZeroU64> { self }
                    pub fn role<V>(mut self, value: V) -> Self where V: std::convert::TryInto<::std::vec::Vec<types::ListUsersRoleItem>> { self }
                    pub async fn send(self) -> Result<ResponseValue<types::UserList>, Error<types::ErrorBody>> {
                        let Self { client, page_size, type_, sequence_version } = self;
                        let url = format!("{}/users", client.baseurl,);
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        if let Some(value) = sequence_version {
                            header_map.append("Sequence-Version", value.to_string().try_into()?);
                        }
                        let mut request = client
                            .client
                            .get(url)
                            .query(&progenitor_client::QueryParam::new("page[size]", &page_size))
                            .query(&progenitor_client::QueryParam::new("type", &type_))
                            .headers(header_map)
                            .build()?;
                        let info = OperationInfo { operation_id: "list_users" };
                        todo!()
                    }
                }
            }
            "#,
        )
        .unwrap();
        let builders = Builders::read(&file.items);
        let list = builders.get("list_users").unwrap();
        assert_eq!(list.name, "ListUsers");
        assert_eq!(list.response.as_deref(), Some("UserList"));
        let setters: Vec<(&str, &str)> = list
            .setters
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            setters,
            [
                ("Sequence-Version", "sequence_version"),
                ("page[size]", "page_size"),
                ("type", "type_")
            ]
        );
        assert_eq!(list.args["page_size"], Arg::Plain("NonZeroU64".into()));
        assert_eq!(
            list.args["role"],
            Arg::List(Box::new(Arg::Generated("ListUsersRoleItem".into())))
        );
        assert_eq!(builders.success_types(), ["UserList"]);
        assert!(builders.get("get_user").is_none());
    }
}
