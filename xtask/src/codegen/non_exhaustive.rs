//! Generated types that can grow: every struct the client receives and every enum of the `types`
//! module is `#[non_exhaustive]`, so the changes providers make every month — a new property in
//! a response, a new value in an enumeration — are minor releases in Cargo's semver terms (what
//! smithy-rs does for every generated shape). Downstream code then cannot build a received
//! struct with a literal nor match an enum without a wildcard arm; it deserializes JSON or uses
//! `rollcall::testing::sample` instead.
//!
//! A struct only sent (reached from the operation builders' parameters and bodies, never from a
//! response) stays exhaustive: callers build it, with its public fields or with the type builder
//! that a spec sending bodies keeps (`builders.rs`), and a new required field *should* stop their
//! code from compiling. A struct nothing reaches (a component no operation uses) is judged as
//! received, as `cargo xtask diff` judges it. Enums are marked whichever way they travel: a
//! variant of a non-exhaustive enum can still be written by a caller, only an exhaustive `match`
//! outside the crate is refused. progenitor's own `Display`/`FromStr` impls match inside the
//! crate, where `#[non_exhaustive]` does not apply.

use std::collections::{BTreeMap, BTreeSet};

use crate::spec::{Spec, SpecError, escape};
use crate::usage::{Usage, component_usage};

/// The types of the `types` module that each side of the operations reaches first: the success
/// and error bodies of the builders' `send()` (received), the builders' fields (sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roots {
    /// Named by a `send()`'s return type, `Result<ResponseValue<types::X>, Error<types::Y>>`.
    pub received: BTreeSet<String>,
    /// Named by an operation builder's fields (its parameters and body).
    pub sent: BTreeSet<String>,
}

impl Roots {
    /// Reads the `builder` module among `items` (a whole generated file).
    pub fn read(items: &[syn::Item]) -> Self {
        let mut roots = Self::default();
        let modules = items.iter().filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref(),
            _ => None,
        });
        for item in modules.flat_map(|content| &content.1) {
            match item {
                syn::Item::Struct(builder) => {
                    for field in &builder.fields {
                        named_types(&field.ty, &mut roots.sent);
                    }
                }
                syn::Item::Impl(block) => {
                    for item in &block.items {
                        if let syn::ImplItem::Fn(f) = item
                            && f.sig.ident == "send"
                            && let syn::ReturnType::Type(_, ty) = &f.sig.output
                        {
                            named_types(ty, &mut roots.received);
                        }
                    }
                }
                _ => {}
            }
        }
        roots
    }
}

/// Adds `#[non_exhaustive]` to every enum of `items` (a generated `types` module) and to every
/// struct that is not only sent; returns how many items it marked.
pub fn mark(items: &mut [syn::Item], roots: &Roots) -> usize {
    let graph = Graph::new(items);
    let received = graph.closure(&roots.received);
    let sent = graph.closure(&roots.sent);
    let mut marked = 0;
    for item in items {
        let attrs = match item {
            syn::Item::Enum(e) => &mut e.attrs,
            syn::Item::Struct(s) => {
                let name = s.ident.to_string();
                if sent.contains(&name) && !received.contains(&name) {
                    continue;
                }
                &mut s.attrs
            }
            _ => continue,
        };
        if !is_marked(attrs) {
            attrs.push(syn::parse_quote!(#[non_exhaustive]));
            marked += 1;
        }
    }
    marked
}

/// Fails, naming the first type, unless `items` (the rewritten `types` module) has every enum
/// non-exhaustive, every struct of a component schema the spec receives (or does not use)
/// non-exhaustive, every struct a non-exhaustive struct holds (directly or through enums)
/// non-exhaustive too (inline objects of a response), and every struct of a component only sent
/// exhaustive.
///
/// Which components are received is read from the spec (`$ref`s followed from the operations,
/// as `cargo xtask diff` reads them), not from progenitor's builders as [`mark`] does, so a
/// progenitor upgrade that changes the builders cannot turn the pass off unnoticed.
pub fn check(spec: &Spec, items: &[syn::Item]) -> Result<(), SpecError> {
    let fail = |pointer: Option<String>, message: String| match pointer {
        Some(pointer) => SpecError::at(&spec.file, &pointer, message),
        None => SpecError::whole(&spec.file, message),
    };
    let structs: BTreeMap<String, &syn::ItemStruct> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some((s.ident.to_string(), s)),
            _ => None,
        })
        .collect();
    for item in items {
        if let syn::Item::Enum(e) = item
            && !is_marked(&e.attrs)
        {
            return Err(fail(
                None,
                format!(
                    "codegen pass `non_exhaustive` left enum `types::{}` exhaustive: a value the \
                     spec adds would break downstream `match`es",
                    e.ident
                ),
            ));
        }
    }
    let usage = component_usage(&spec.raw);
    for (schema, _) in spec.schemas() {
        let name = crate::rust_name::pascal(schema);
        let Some(item) = structs.get(&name) else {
            continue;
        };
        let used = usage.get(schema).copied().unwrap_or(Usage::Response);
        let pointer = Some(format!("/components/schemas/{}", escape(schema)));
        if used.received() && !is_marked(&item.attrs) {
            return Err(fail(
                pointer,
                format!(
                    "codegen pass `non_exhaustive` left struct `types::{name}` exhaustive although \
                     the client receives it: a property the spec adds would break downstream code"
                ),
            ));
        }
        if !used.received() && is_marked(&item.attrs) {
            return Err(fail(
                pointer,
                format!(
                    "codegen pass `non_exhaustive` marked struct `types::{name}`, which the client \
                     only sends: downstream code could no longer build it"
                ),
            ));
        }
    }
    // What the received structs hold, through enums too, is received: a struct among it must be
    // marked as well. (An enum alone is no root: enums are marked whichever way they travel.)
    let graph = Graph::new(items);
    let mut holder: BTreeMap<String, String> = BTreeMap::new();
    let mut queue: Vec<String> = structs
        .iter()
        .filter(|(_, s)| is_marked(&s.attrs))
        .map(|(name, _)| name.clone())
        .collect();
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    while let Some(name) = queue.pop() {
        if let Some(item) = structs.get(&name)
            && !is_marked(&item.attrs)
        {
            let by = holder.get(&name).cloned().unwrap_or_default();
            return Err(fail(
                None,
                format!(
                    "codegen pass `non_exhaustive` left struct `types::{name}` exhaustive \
                     although the received `types::{by}` holds it"
                ),
            ));
        }
        for held in graph.edges.get(&name).into_iter().flatten() {
            if seen.insert(held.clone()) {
                holder.insert(held.clone(), name.clone());
                queue.push(held.clone());
            }
        }
    }
    Ok(())
}

/// Whether `attrs` hold `#[non_exhaustive]`.
fn is_marked(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("non_exhaustive"))
}

/// Which types of the module each struct, enum and alias names in its fields, variants or
/// target.
struct Graph {
    edges: BTreeMap<String, BTreeSet<String>>,
}

impl Graph {
    fn new(items: &[syn::Item]) -> Self {
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for item in items {
            let (name, types): (_, Vec<&syn::Type>) = match item {
                syn::Item::Struct(s) => (&s.ident, s.fields.iter().map(|f| &f.ty).collect()),
                syn::Item::Enum(e) => (
                    &e.ident,
                    e.variants
                        .iter()
                        .flat_map(|v| v.fields.iter().map(|f| &f.ty))
                        .collect(),
                ),
                syn::Item::Type(alias) => (&alias.ident, vec![alias.ty.as_ref()]),
                _ => continue,
            };
            let entry = edges.entry(name.to_string()).or_default();
            for ty in types {
                named_types(ty, entry);
            }
        }
        Self { edges }
    }

    /// `roots` and every type they hold, transitively.
    fn closure(&self, roots: &BTreeSet<String>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut queue: Vec<&String> = roots.iter().collect();
        while let Some(name) = queue.pop() {
            if seen.insert(name.clone()) {
                queue.extend(self.edges.get(name).into_iter().flatten());
            }
        }
        seen
    }
}

/// Adds to `out` the names of the module's own types that `ty` mentions: the last segment of
/// every path that is relative (`User`, `types::User`, `crate::x::types::User`, `super::User`),
/// looking inside generic arguments (`Option<Vec<User>>`) of every path. Absolute paths
/// (`::std::string::String`) name other crates' types.
fn named_types(ty: &syn::Type, out: &mut BTreeSet<String>) {
    match ty {
        syn::Type::Path(path) => {
            if path.qself.is_none()
                && path.path.leading_colon.is_none()
                && let Some(last) = path.path.segments.last()
            {
                out.insert(last.ident.to_string());
            }
            for segment in &path.path.segments {
                if let syn::PathArguments::AngleBracketed(args) = &segment.arguments {
                    for arg in &args.args {
                        if let syn::GenericArgument::Type(inner) = arg {
                            named_types(inner, out);
                        }
                    }
                }
            }
        }
        syn::Type::Reference(r) => named_types(&r.elem, out),
        syn::Type::Group(g) => named_types(&g.elem, out),
        syn::Type::Paren(p) => named_types(&p.elem, out),
        syn::Type::Slice(s) => named_types(&s.elem, out),
        syn::Type::Array(a) => named_types(&a.elem, out),
        syn::Type::Tuple(t) => t.elems.iter().for_each(|e| named_types(e, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file as progenitor writes it: `list_users` answers with `Page` (holding `User`, which
    /// holds the inline `UserGroup` and the enum `Status`) or `Problem`; `create_user` sends
    /// `NewUser` (holding `NewUserAddress`) and answers with `User`.
    const FILE: &str = r#"
        pub mod types {
            pub struct Page { pub items: ::std::vec::Vec<User> }
            pub struct User {
                pub id: i64,
                pub group: ::std::option::Option<UserGroup>,
                pub status: crate::acme::types::Status,
            }
            pub struct UserGroup { pub name: ::std::string::String }
            pub enum Status { Active, Other(::std::string::String) }
            pub struct Problem { pub message: ::std::option::Option<::std::string::String> }
            pub struct NewUser { pub name: ::std::string::String, pub address: NewUserAddress }
            pub struct NewUserAddress { pub city: ::std::string::String }
            pub enum ListUsersRole { Admin, Agent }
            pub struct Unused { pub x: i64 }
            pub mod error { pub struct ConversionError(::std::string::String); }
        }
        pub mod builder {
            pub struct ListUsers<'a> {
                client: &'a super::Client,
                role: Result<Option<::std::vec::Vec<types::ListUsersRoleItem>>, String>,
            }
            impl<'a> ListUsers<'a> {
                pub fn role<V>(mut self, value: V) -> Self { self }
                pub async fn send(self) -> Result<ResponseValue<types::Page>, Error<types::Problem>> {
                    todo!()
                }
            }
            pub struct CreateUser<'a> {
                client: &'a super::Client,
                body: Result<types::builder::NewUser, String>,
            }
            impl<'a> CreateUser<'a> {
                pub async fn send(self) -> Result<ResponseValue<types::User>, Error<types::Problem>> {
                    todo!()
                }
            }
        }
    "#;

    const SPEC: &str = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /users:
    get:
      operationId: list_users
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Page'}}}}
        4XX: {description: no, content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}}
    post:
      operationId: create_user
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/NewUser'}}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/User'}}}}
components:
  schemas:
    Page: {type: object, properties: {items: {type: array, items: {$ref: '#/components/schemas/User'}}}}
    User: {type: object, properties: {id: {type: integer}}}
    Problem: {type: object}
    NewUser: {type: object, properties: {name: {type: string}}}
    Unused: {type: object}
";

    fn marked(items: &[syn::Item]) -> Vec<String> {
        items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Struct(s) if is_marked(&s.attrs) => Some(s.ident.to_string()),
                syn::Item::Enum(e) if is_marked(&e.attrs) => Some(e.ident.to_string()),
                _ => None,
            })
            .collect()
    }

    fn types(file: &mut syn::File) -> &mut Vec<syn::Item> {
        match &mut file.items[0] {
            syn::Item::Mod(m) => &mut m.content.as_mut().unwrap().1,
            _ => unreachable!(),
        }
    }

    #[test]
    fn received_structs_and_every_enum_are_marked_and_sent_structs_are_not() {
        let mut file: syn::File = syn::parse_str(FILE).unwrap();
        let roots = Roots::read(&file.items);
        assert_eq!(
            roots.received.iter().collect::<Vec<_>>(),
            [
                "Error",
                "Page",
                "Problem",
                "ResponseValue",
                "Result",
                "User"
            ]
        );
        assert!(roots.sent.contains("NewUser") && roots.sent.contains("ListUsersRoleItem"));
        let items = types(&mut file);
        assert_eq!(mark(items, &roots), 7);
        assert_eq!(
            marked(items),
            [
                "Page",
                "User",
                "UserGroup",
                "Status",
                "Problem",
                "ListUsersRole",
                "Unused"
            ]
        );
        // A second run changes nothing: the attribute is written once.
        assert_eq!(mark(items, &roots), 0);
        let spec = Spec::parse("specs/t.yaml", SPEC).unwrap();
        check(&spec, items).unwrap();
    }

    #[test]
    fn the_check_names_the_type_left_exhaustive() {
        let spec = Spec::parse("specs/t.yaml", SPEC).unwrap();
        let mut file: syn::File = syn::parse_str(FILE).unwrap();
        let roots = Roots::read(&file.items);
        let error = |items: &[syn::Item]| check(&spec, items).unwrap_err().to_string();

        // The pass never ran: the first enum is named.
        let items = types(&mut file).clone();
        assert_eq!(
            error(&items),
            "specs/t.yaml: codegen pass `non_exhaustive` left enum `types::Status` exhaustive: a \
             value the spec adds would break downstream `match`es"
        );

        // progenitor's builders changed shape so that no response type was found: the spec
        // still says `User` is received.
        let mut blind = types(&mut file).clone();
        mark(
            &mut blind,
            &Roots {
                received: BTreeSet::new(),
                sent: ["NewUser", "User", "Page", "Problem"]
                    .map(String::from)
                    .into(),
            },
        );
        assert_eq!(
            error(&blind),
            "specs/t.yaml#/components/schemas/Page: codegen pass `non_exhaustive` left struct \
             `types::Page` exhaustive although the client receives it: a property the spec adds \
             would break downstream code"
        );

        // An inline object of a received type is held to the same rule.
        let mut inline = types(&mut file).clone();
        mark(&mut inline, &roots);
        for item in &mut inline {
            if let syn::Item::Struct(s) = item
                && s.ident == "UserGroup"
            {
                s.attrs.retain(|a| !a.path().is_ident("non_exhaustive"));
            }
        }
        assert_eq!(
            error(&inline),
            "specs/t.yaml: codegen pass `non_exhaustive` left struct `types::UserGroup` \
             exhaustive although the received `types::User` holds it"
        );

        // A struct only sent must stay buildable.
        let mut all = types(&mut file).clone();
        mark(&mut all, &Roots::default());
        assert!(
            error(&all).contains("marked struct `types::NewUser`, which the client only sends"),
            "{}",
            error(&all)
        );
    }
}
