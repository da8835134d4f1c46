//! What a downstream crate sees of each generated client, one snapshot per provider.
//!
//! `generated/src/<provider>/generated.rs` is read with syn and every public item is listed, one
//! line each, sorted by the item that owns it:
//!
//! ```text
//! types::User: struct, derive(Clone, Debug, Deserialize, PartialEq, Serialize), non_exhaustive
//! types::User.email: String                       a public field and its Rust type
//! types::User: impl TryFrom<builder::User>        a trait implementation
//! types::User::builder: fn() -> builder::User     an associated function
//! types::UserState::Other: variant(String)        an enum variant
//! builder::ListUsers::limit: fn(self, impl TryInto<NonZeroU64>) -> Self
//! ```
//!
//! Paths are shortened for reading: `std` types by their name, paths inside the generated module
//! without `crate::<provider>::`, `super::` or `types::`. A generic parameter that is the type of
//! an argument is shown as `impl <its bounds>`; `where` bounds on other types (`T::Error:
//! Display`) are left out. Private items, private fields and method bodies are not part of the
//! surface; serde's field renames are covered by the example round trips instead.
//!
//! A reviewer reads semver impact from the diff: a removed line is a breaking change.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::visit_mut::VisitMut;

#[test]
fn generated_surfaces() {
    insta::glob!("../../specs", "*.yaml", |spec| {
        let provider = spec
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a spec file name is UTF-8");
        let module = provider.replace('-', "_");
        // progenitor's file and rollcall's glue over it: one module's surface.
        let mut items = Vec::new();
        for name in ["generated.rs", "glue.rs"] {
            let path = root().join("generated/src").join(&module).join(name);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (run `cargo xtask codegen {provider}`)",
                    path.display()
                )
            });
            let file = syn::parse_file(&text)
                .unwrap_or_else(|e| panic!("{} is not valid Rust: {e}", path.display()));
            items.extend(file.items);
        }
        insta::assert_snapshot!("surface", surface(&module, &items));
    });
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives in the workspace root")
        .to_path_buf()
}

/// One line of the surface, with the key it sorts by.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    /// The item the line belongs to (`types::User`).
    owner: String,
    /// 0: the item itself, 1: its fields or variants, 2: trait impls, 3: associated items.
    rank: u8,
    line: String,
}

/// The sorted public surface of a generated module, one item a line.
fn surface(module: &str, items: &[syn::Item]) -> String {
    let mut defs = BTreeMap::new();
    definitions(&[], items, &mut defs);
    let mut collector = Collector {
        module: module.to_owned(),
        defs,
        entries: Vec::new(),
        impls: Vec::new(),
    };
    collector.items(&[], items);
    // Impls count only for types a downstream crate can name.
    let public: BTreeSet<String> = collector
        .entries
        .iter()
        .filter(|e| e.rank == 0)
        .map(|e| e.owner.clone())
        .collect();
    let Collector {
        mut entries, impls, ..
    } = collector;
    entries.extend(impls.into_iter().filter(|e| public.contains(&e.owner)));
    // Members sort by name (`address` before `address2`), then by the whole line.
    entries.sort_by_cached_key(|e| {
        let rest = e.line[e.owner.len()..]
            .trim_start_matches('.')
            .trim_start_matches("::");
        let member = rest.split(':').next().unwrap_or_default().to_owned();
        (e.owner.clone(), e.rank, member, e.line.clone())
    });
    entries.dedup();
    let mut out = String::new();
    for entry in entries {
        out.push_str(&entry.line);
        out.push('\n');
    }
    out
}

struct Collector {
    /// The provider's module name (`zendesk_sell`), stripped from `crate::zendesk_sell::` paths.
    module: String,
    /// What each module of the file defines, by module path.
    defs: BTreeMap<Vec<String>, BTreeSet<String>>,
    entries: Vec<Entry>,
    /// Items of `impl` blocks, kept apart until every public type is known.
    impls: Vec<Entry>,
}

impl Collector {
    fn items(&mut self, path: &[String], items: &[syn::Item]) {
        for item in items {
            self.item(path, item);
        }
    }

    fn push(&mut self, owner: String, rank: u8, line: String) {
        self.entries.push(Entry { owner, rank, line });
    }

    fn item(&mut self, path: &[String], item: &syn::Item) {
        match item {
            syn::Item::Mod(m) if is_pub(&m.vis) => {
                if let Some((_, content)) = &m.content {
                    self.items(&join(path, &m.ident.to_string()), content);
                }
            }
            syn::Item::Use(u) if is_pub(&u.vis) => {
                let mut leaves = Vec::new();
                use_leaves(&u.tree, String::new(), &mut leaves);
                for (name, target) in leaves {
                    let owner = qualify(path, &name);
                    let line = format!("{owner}: pub use {}", self.tidy_path_str(path, &target));
                    self.push(owner, 0, line);
                }
            }
            syn::Item::Struct(s) if is_pub(&s.vis) => {
                let owner = qualify(path, &s.ident.to_string());
                let private = s.fields.iter().any(|f| !is_pub(&f.vis));
                let mut header = format!(
                    "{owner}{}: struct{}",
                    self.generics(path, &s.generics),
                    match s.fields {
                        syn::Fields::Unit => " (unit)",
                        _ if private => " (has private fields)",
                        _ => "",
                    }
                );
                header.push_str(&attributes(&s.attrs));
                self.push(owner.clone(), 0, header);
                for (i, field) in s.fields.iter().enumerate() {
                    if !is_pub(&field.vis) {
                        continue;
                    }
                    let name = field
                        .ident
                        .as_ref()
                        .map_or_else(|| i.to_string(), ToString::to_string);
                    let line = format!("{owner}.{name}: {}", self.ty(path, &field.ty));
                    self.push(owner.clone(), 1, line);
                }
            }
            syn::Item::Enum(e) if is_pub(&e.vis) => {
                let owner = qualify(path, &e.ident.to_string());
                let header = format!(
                    "{owner}{}: enum{}",
                    self.generics(path, &e.generics),
                    attributes(&e.attrs)
                );
                self.push(owner.clone(), 0, header);
                for variant in &e.variants {
                    let shape = match &variant.fields {
                        syn::Fields::Unit => String::new(),
                        syn::Fields::Unnamed(fields) => {
                            let types: Vec<String> = fields
                                .unnamed
                                .iter()
                                .map(|f| self.ty(path, &f.ty))
                                .collect();
                            format!("({})", types.join(", "))
                        }
                        syn::Fields::Named(fields) => {
                            let named: Vec<String> = fields
                                .named
                                .iter()
                                .map(|f| {
                                    format!(
                                        "{}: {}",
                                        f.ident.as_ref().expect("named field"),
                                        self.ty(path, &f.ty)
                                    )
                                })
                                .collect();
                            format!(" {{ {} }}", named.join(", "))
                        }
                    };
                    let line = format!("{owner}::{}: variant{shape}", variant.ident);
                    self.push(owner.clone(), 1, line);
                }
            }
            syn::Item::Type(t) if is_pub(&t.vis) => {
                let owner = qualify(path, &t.ident.to_string());
                let line = format!(
                    "{owner}{}: type = {}",
                    self.generics(path, &t.generics),
                    self.ty(path, &t.ty)
                );
                self.push(owner, 0, line);
            }
            syn::Item::Const(c) if is_pub(&c.vis) => {
                let owner = qualify(path, &c.ident.to_string());
                let line = format!("{owner}: const {}", self.ty(path, &c.ty));
                self.push(owner, 0, line);
            }
            syn::Item::Static(s) if is_pub(&s.vis) => {
                let owner = qualify(path, &s.ident.to_string());
                let line = format!("{owner}: static {}", self.ty(path, &s.ty));
                self.push(owner, 0, line);
            }
            syn::Item::Fn(f) if is_pub(&f.vis) => {
                let owner = qualify(path, &f.sig.ident.to_string());
                let line = format!("{owner}: {}", self.signature(path, &f.sig));
                self.push(owner, 0, line);
            }
            syn::Item::Trait(t) if is_pub(&t.vis) => {
                let owner = qualify(path, &t.ident.to_string());
                let line = format!("{owner}{}: trait", self.generics(path, &t.generics));
                self.push(owner, 0, line);
            }
            syn::Item::Impl(i) => self.implementation(path, i),
            _ => {}
        }
    }

    fn implementation(&mut self, path: &[String], block: &syn::ItemImpl) {
        let syn::Type::Path(self_ty) = &*block.self_ty else {
            return;
        };
        let owner = self.resolve(path, &self_ty.path);
        if let Some((trait_path, _)) = &block.trait_ {
            let line = format!(
                "{owner}: impl {}{}",
                if block.modifiers.polarity.is_some() {
                    "!"
                } else {
                    ""
                },
                self.path(path, trait_path)
            );
            self.impls.push(Entry {
                owner,
                rank: 2,
                line,
            });
            return;
        }
        for item in &block.items {
            let line = match item {
                syn::ImplItem::Fn(f) if is_pub(&f.vis) => {
                    format!("{owner}::{}: {}", f.sig.ident, self.signature(path, &f.sig))
                }
                syn::ImplItem::Const(c) if is_pub(&c.vis) => {
                    format!("{owner}::{}: const {}", c.ident, self.ty(path, &c.ty))
                }
                syn::ImplItem::Type(t) if is_pub(&t.vis) => {
                    format!("{owner}::{}: type = {}", t.ident, self.ty(path, &t.ty))
                }
                _ => continue,
            };
            self.impls.push(Entry {
                owner: owner.clone(),
                rank: 3,
                line,
            });
        }
    }

    /// The absolute path (inside the generated module) of the type an `impl` names.
    fn resolve(&self, path: &[String], target: &syn::Path) -> String {
        let mut segments: Vec<String> = target
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let mut base: Vec<String> = path.to_vec();
        if segments.first().is_some_and(|s| s == "crate") {
            segments.remove(0);
            base.clear();
            if segments.first() == Some(&self.module) {
                segments.remove(0);
            }
        }
        while let Some(first) = segments.first() {
            match first.as_str() {
                "super" => {
                    base.pop();
                }
                "self" => {}
                _ => break,
            }
            segments.remove(0);
        }
        if segments.len() == 1 || target.leading_colon.is_none() {
            base.extend(segments);
            base.join("::")
        } else {
            segments.join("::")
        }
    }

    /// `fn(&self, impl TryInto<String>) -> Self`, `async fn(self) -> Result<..>`.
    fn signature(&self, path: &[String], sig: &syn::Signature) -> String {
        let mut out = String::new();
        if sig.constness.is_some() {
            out.push_str("const ");
        }
        if sig.asyncness.is_some() {
            out.push_str("async ");
        }
        if matches!(sig.safety, syn::Safety::Unsafe(_)) {
            out.push_str("unsafe ");
        }
        out.push_str("fn");

        // Bounds of each type parameter, inline and from the `where` clause.
        let mut bounds: Vec<(String, Vec<String>)> = Vec::new();
        let mut kept: Vec<String> = Vec::new();
        for param in &sig.generics.params {
            match param {
                syn::GenericParam::Type(t) => {
                    let list = t.bounds.iter().map(|b| self.bound(path, b)).collect();
                    bounds.push((t.ident.to_string(), list));
                }
                syn::GenericParam::Lifetime(l) => kept.push(l.to_token_stream().to_string()),
                syn::GenericParam::Const(c) => kept.push(tidy(c.to_token_stream().to_string())),
            }
        }
        if let Some(clause) = &sig.generics.where_clause {
            for predicate in &clause.predicates {
                if let syn::WherePredicate::Type(p) = predicate {
                    let bounded = p.bounded_ty.to_token_stream().to_string();
                    if let Some((_, list)) = bounds.iter_mut().find(|(name, _)| *name == bounded) {
                        list.extend(p.bounds.iter().map(|b| self.bound(path, b)));
                    }
                }
            }
        }
        let mut inputs = Vec::new();
        let mut used_as_impl = BTreeSet::new();
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(r) => match &r.kind {
                    syn::ReceiverKind::Reference(_, lifetime, mutability) => inputs.push(format!(
                        "&{}{}self",
                        lifetime
                            .as_ref()
                            .map_or_else(String::new, |l| format!("{l} ")),
                        if mutability.is_some() { "mut " } else { "" }
                    )),
                    syn::ReceiverKind::Typed(_, ty) => {
                        inputs.push(format!("self: {}", self.ty(path, ty)))
                    }
                    _ => inputs.push("self".to_owned()),
                },
                syn::FnArg::Typed(t) => {
                    let bare = t.ty.to_token_stream().to_string();
                    match bounds.iter().find(|(name, _)| *name == bare) {
                        Some((name, list)) => {
                            used_as_impl.insert(name.clone());
                            inputs.push(format!("impl {}", list.join(" + ")));
                        }
                        None => inputs.push(self.ty(path, &t.ty)),
                    }
                }
            }
        }
        for (name, list) in &bounds {
            if !used_as_impl.contains(name) {
                if list.is_empty() {
                    kept.push(name.clone());
                } else {
                    kept.push(format!("{name}: {}", list.join(" + ")));
                }
            }
        }
        if !kept.is_empty() {
            out.push_str(&format!("<{}>", kept.join(", ")));
        }
        out.push_str(&format!("({})", inputs.join(", ")));
        if let syn::ReturnType::Type(_, ty) = &sig.output {
            out.push_str(&format!(" -> {}", self.ty(path, ty)));
        }
        out
    }

    fn shorten(&self, path: &[String]) -> Shorten<'_> {
        Shorten {
            module: &self.module,
            current: path.to_vec(),
            defs: &self.defs,
        }
    }

    fn bound(&self, path: &[String], bound: &syn::TypeParamBound) -> String {
        let mut bound = bound.clone();
        self.shorten(path).visit_type_param_bound_mut(&mut bound);
        tidy(bound.to_token_stream().to_string())
    }

    fn generics(&self, path: &[String], generics: &syn::Generics) -> String {
        if generics.params.is_empty() {
            return String::new();
        }
        let mut generics = generics.clone();
        generics.where_clause = None;
        self.shorten(path).visit_generics_mut(&mut generics);
        tidy(generics.to_token_stream().to_string())
    }

    fn ty(&self, path: &[String], ty: &syn::Type) -> String {
        let mut ty = ty.clone();
        self.shorten(path).visit_type_mut(&mut ty);
        tidy(ty.to_token_stream().to_string())
    }

    fn path(&self, path: &[String], target: &syn::Path) -> String {
        let mut target = target.clone();
        self.shorten(path).visit_path_mut(&mut target);
        tidy(target.to_token_stream().to_string())
    }

    fn tidy_path_str(&self, path: &[String], target: &str) -> String {
        match syn::parse_str::<syn::Path>(target) {
            Ok(parsed) => self.path(path, &parsed),
            Err(_) => target.to_owned(),
        }
    }
}

/// The names each module of the generated file defines (types, modules, traits, imports), by
/// module path; used to tell `builder::User` from `types::User`.
fn definitions(
    path: &[String],
    items: &[syn::Item],
    defs: &mut BTreeMap<Vec<String>, BTreeSet<String>>,
) {
    let names = defs.entry(path.to_vec()).or_default();
    let mut nested = Vec::new();
    for item in items {
        let name = match item {
            syn::Item::Struct(s) => s.ident.to_string(),
            syn::Item::Enum(e) => e.ident.to_string(),
            syn::Item::Type(t) => t.ident.to_string(),
            syn::Item::Trait(t) => t.ident.to_string(),
            syn::Item::Mod(m) => {
                if let Some((_, content)) = &m.content {
                    nested.push((join(path, &m.ident.to_string()), content));
                }
                m.ident.to_string()
            }
            _ => continue,
        };
        names.insert(name);
    }
    for (path, content) in nested {
        definitions(&path, content, defs);
    }
}

/// Rewrites paths for reading. Paths to items of the generated module become absolute inside it
/// (`super::User` in `types::builder` → `types::User`), then `types::` is dropped for the plain
/// types (`User`) while `types::builder::User` and the operation builders' `builder::ListUsers`
/// keep their module. `std` paths keep only the name (`String`, `NonZeroU64`); other crates
/// keep their path without the leading `::` (`uuid::Uuid`, `reqwest::Client`).
struct Shorten<'a> {
    module: &'a str,
    current: Vec<String>,
    defs: &'a BTreeMap<Vec<String>, BTreeSet<String>>,
}

impl Shorten<'_> {
    /// The path inside the generated module that `names` refers to, when it is one of its items.
    fn local(&self, names: &[String]) -> Option<Vec<String>> {
        let first = names.first()?;
        let mut base = self.current.clone();
        let mut rest: &[String] = names;
        match first.as_str() {
            "crate" if names.get(1).map(String::as_str) == Some(self.module) => {
                base.clear();
                rest = &names[2..];
            }
            "crate" => return Some(names[1..].to_vec()),
            "super" | "self" => {
                while let Some(first) = rest.first() {
                    match first.as_str() {
                        "super" => {
                            base.pop();
                        }
                        "self" => {}
                        _ => break,
                    }
                    rest = &rest[1..];
                }
            }
            // `use super::types;` in the operation builders.
            "types" if !self.defines(&self.current, "types") => base.clear(),
            _ => {
                // A name the current module, or the module above it, defines.
                if !self.defines(&base, first) {
                    return None;
                }
            }
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    fn defines(&self, module: &[String], name: &str) -> bool {
        self.defs
            .get(module)
            .is_some_and(|names| names.contains(name))
    }
}

impl VisitMut for Shorten<'_> {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        syn::visit_mut::visit_path_mut(self, path);
        let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let keep: Vec<String> = match names.first().map(String::as_str) {
            _ if path.leading_colon.is_none() && self.local(&names).is_some() => {
                let mut absolute = self.local(&names).unwrap_or_default();
                if absolute.len() == 2 && absolute[0] == "types" {
                    absolute.remove(0);
                }
                absolute
            }
            Some("std" | "core" | "alloc") if names.len() > 1 => {
                vec![names[names.len() - 1].clone()]
            }
            _ => names.clone(),
        };
        path.leading_colon = None;
        // Re-use the last segments (with their generic arguments) and rename the ones before.
        let last: Vec<syn::PathSegment> = path.segments.iter().cloned().collect();
        let mut segments = syn::punctuated::Punctuated::new();
        let take = keep.len().min(last.len());
        for name in &keep[..keep.len() - take] {
            let span = last[0].ident.span();
            segments.push(syn::PathSegment::from(syn::Ident::new(name, span)));
        }
        for segment in &last[last.len() - take..] {
            segments.push(segment.clone());
        }
        path.segments = segments;
    }
}

/// Joins proc-macro2's spaced-out tokens back into the way Rust is written.
fn tidy(tokens: String) -> String {
    let mut s = tokens;
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" ::", "::"),
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        ("& ", "&"),
        (" ;", ";"),
        ("( ", "("),
        (" )", ")"),
        ("[ ", "["),
        (" ]", "]"),
        (",>", ">"),
    ] {
        while s.contains(from) {
            s = s.replace(from, to);
        }
    }
    // `&'a T` keeps its space; `- >` cannot occur but `->` must stay spaced.
    s.replace("->", " -> ")
        .replace("  ", " ")
        .replace("< ", "<")
}

/// `derive(..)` (sorted, by name), serde container attributes such as `serde(untagged)`, and
/// `non_exhaustive`, which decides whether a new field or variant breaks downstream code.
fn attributes(attrs: &[syn::Attribute]) -> String {
    let mut derives = BTreeSet::new();
    let mut serde = Vec::new();
    let mut non_exhaustive = false;
    for attr in attrs {
        non_exhaustive |= attr.path().is_ident("non_exhaustive");
        if attr.path().is_ident("derive") {
            attr.parse_nested_meta(|meta| {
                if let Some(last) = meta.path.segments.last() {
                    derives.insert(last.ident.to_string());
                }
                Ok(())
            })
            .expect("a derive attribute lists paths");
        } else if let (true, syn::Meta::List(list)) = (attr.path().is_ident("serde"), &attr.meta) {
            serde.push(format!("serde({})", tidy(list.tokens.to_string())));
        }
    }
    let mut out = String::new();
    if !derives.is_empty() {
        out.push_str(&format!(
            ", derive({})",
            derives.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    for s in serde {
        out.push_str(&format!(", {s}"));
    }
    if non_exhaustive {
        out.push_str(", non_exhaustive");
    }
    out
}

/// The (name, target path) pairs a `use` tree brings in.
fn use_leaves(tree: &syn::UseTree, prefix: String, out: &mut Vec<(String, String)>) {
    let extend = |name: &dyn std::fmt::Display| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}::{name}")
        }
    };
    match tree {
        syn::UseTree::Path(p) => use_leaves(&p.tree, extend(&p.ident), out),
        syn::UseTree::Name(n) => out.push((n.ident.to_string(), extend(&n.ident))),
        syn::UseTree::Rename(r) => out.push((r.rename.to_string(), extend(&r.ident))),
        syn::UseTree::Glob(_) => out.push(("*".to_owned(), extend(&"*"))),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                use_leaves(tree, prefix.clone(), out);
            }
        }
    }
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn join(path: &[String], name: &str) -> Vec<String> {
    let mut path = path.to_vec();
    path.push(name.to_owned());
    path
}

fn qualify(path: &[String], name: &str) -> String {
    join(path, name).join("::")
}
