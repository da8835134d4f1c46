//! Turning a JSON pointer of the spec into Rust code that reaches the same place in the
//! generated types, read from the generated `types` module itself (so whether a field is an
//! `Option`, a `Vec` or plain is what typify actually chose, not a guess at its rules).

use std::collections::HashMap;

use quote::ToTokens as _;

/// The structs of a generated `types` module, by name.
pub struct Types {
    structs: HashMap<String, Vec<FieldInfo>>,
    /// Each enum's unit variants, by the value they stand for on the wire.
    enums: HashMap<String, HashMap<String, String>>,
    /// Tuple structs of one field (typify's newtype for a schema that is an array), by name,
    /// with that field's type: a body that is a JSON array at the top.
    newtypes: HashMap<String, syn::Type>,
}

#[derive(Clone)]
struct FieldInfo {
    /// The JSON name (serde `rename`, else the Rust name).
    json: String,
    /// The Rust name.
    rust: String,
    /// `Option<…>` around the type.
    optional: bool,
    /// The type inside the `Option`.
    inner: syn::Type,
}

/// A place reached by a pointer.
pub struct Place {
    /// An expression of type `Option<&T>`.
    pub borrow: String,
    /// An expression of type `Option<&P>` for the parent of the last field, and the last
    /// field's access on it (`p.next_page.is_some()` or `true`).
    pub parent: (String, String),
}

impl Types {
    /// Reads the structs of `items` (a generated `types` module).
    pub fn new(items: &[syn::Item]) -> Self {
        let mut structs = HashMap::new();
        let mut newtypes = HashMap::new();
        let enums = items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Enum(e) => Some((e.ident.to_string(), unit_variants(e))),
                _ => None,
            })
            .collect();
        for item in items {
            let syn::Item::Struct(s) = item else { continue };
            let named = match &s.fields {
                syn::Fields::Named(named) => named,
                syn::Fields::Unnamed(unnamed) if unnamed.unnamed.len() == 1 => {
                    newtypes.insert(s.ident.to_string(), unnamed.unnamed[0].ty.clone());
                    continue;
                }
                _ => continue,
            };
            let fields = named
                .named
                .iter()
                .filter_map(|field| {
                    let rust = field.ident.as_ref()?.to_string();
                    let json = rename(&field.attrs)
                        .unwrap_or_else(|| rust.strip_prefix("r#").unwrap_or(&rust).to_owned());
                    let (optional, inner) = match wrapped(&field.ty, "Option") {
                        Some(inner) => (true, inner.clone()),
                        None => (false, field.ty.clone()),
                    };
                    Some(FieldInfo {
                        json,
                        rust,
                        optional,
                        inner,
                    })
                })
                .collect();
            structs.insert(s.ident.to_string(), fields);
        }
        Self {
            structs,
            enums,
            newtypes,
        }
    }

    /// Whether `name` is a type (struct or enum) of the module.
    pub fn has(&self, name: &str) -> bool {
        self.structs.contains_key(name)
            || self.enums.contains_key(name)
            || self.newtypes.contains_key(name)
    }

    /// The variant of enum `name` that stands for `value` on the wire (its serde `rename`, else
    /// its own name).
    pub fn variant(&self, name: &str, value: &str) -> Result<&str, String> {
        let variants = self
            .enums
            .get(name)
            .ok_or_else(|| format!("`{name}` is not an enum of the generated types"))?;
        variants
            .get(value)
            .map(String::as_str)
            .ok_or_else(|| format!("`{name}` has no variant for `{value}`"))
    }

    fn field(&self, ty: &str, json: &str) -> Result<&FieldInfo, String> {
        let fields = self
            .structs
            .get(ty)
            .ok_or_else(|| format!("`{ty}` is not a struct of the generated types"))?;
        fields
            .iter()
            .find(|f| f.json == json)
            .ok_or_else(|| format!("`{ty}` has no field `{json}`"))
    }

    /// Code that borrows the value at `pointer` from `root` (an expression of type `&ty`).
    pub fn borrow(&self, ty: &str, root: &str, pointer: &str) -> Result<Place, String> {
        let segments = segments(pointer);
        // The whole body, when it is an array: the newtype's one field.
        if segments.is_empty() && self.newtypes.contains_key(ty) {
            let expr = format!("Some(&{root}.0)");
            return Ok(Place {
                borrow: expr.clone(),
                parent: (expr, "true".to_owned()),
            });
        }
        let mut expr = format!("Some({root})");
        let mut current = ty.to_owned();
        let mut parent = (expr.clone(), "true".to_owned());
        for (i, segment) in segments.iter().enumerate() {
            let field = self.field(&current, segment)?.clone();
            let rust = &field.rust;
            if i + 1 == segments.len() {
                let last = if field.optional {
                    format!("p.{rust}.is_some()")
                } else {
                    "true".to_owned()
                };
                parent = (expr.clone(), last);
            }
            expr = if field.optional {
                format!("{expr}.and_then(|x| x.{rust}.as_ref())")
            } else {
                format!("{expr}.map(|x| &x.{rust})")
            };
            current = type_name(&field.inner).unwrap_or_default();
        }
        Ok(Place {
            borrow: expr,
            parent,
        })
    }

    /// Code that moves the array at `pointer` out of `root` (of type `ty`), as a `Vec`, and the
    /// name of its element type.
    pub fn take_vec(
        &self,
        ty: &str,
        root: &str,
        pointer: &str,
    ) -> Result<(String, String), String> {
        let segments = segments(pointer);
        if segments.is_empty() {
            let element = self
                .newtypes
                .get(ty)
                .and_then(|inner| wrapped(inner, "Vec"))
                .and_then(type_name)
                .ok_or_else(|| format!("`{ty}` is not an array (the items pointer is empty)"))?;
            return Ok((format!("{root}.0"), element));
        }
        let mut expr = format!("Some({root})");
        let mut current = ty.to_owned();
        let mut last = None;
        for segment in &segments {
            let field = self.field(&current, segment)?.clone();
            let rust = &field.rust;
            expr = if field.optional {
                format!("{expr}.and_then(|x| x.{rust})")
            } else {
                format!("{expr}.map(|x| x.{rust})")
            };
            current = type_name(&field.inner).unwrap_or_default();
            last = Some(field);
        }
        let field = last.ok_or("the items pointer is empty")?;
        let element = wrapped(&field.inner, "Vec")
            .and_then(type_name)
            .ok_or_else(|| format!("`{pointer}` is not an array in `{ty}`"))?;
        Ok((format!("{expr}.unwrap_or_default()"), element))
    }

    /// Code that moves the value at `pointer` (required fields only) out of `root`, and its
    /// type's name.
    pub fn take(&self, ty: &str, root: &str, pointer: &str) -> Result<(String, String), String> {
        let mut expr = root.to_owned();
        let mut current = ty.to_owned();
        for segment in segments(pointer) {
            let field = self.field(&current, &segment)?.clone();
            if field.optional {
                return Err(format!(
                    "`{segment}` of `{current}` is optional: a record pointer follows required \
                     fields only"
                ));
            }
            expr = format!("{expr}.{}", field.rust);
            current = type_name(&field.inner).unwrap_or_default();
        }
        Ok((expr, current))
    }
}

fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The `T` of `Wrapper<T>` (by the last path segment's name).
pub(super) fn wrapped<'t>(ty: &'t syn::Type, wrapper: &str) -> Option<&'t syn::Type> {
    let syn::Type::Path(path) = ungroup(ty) else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// The type inside invisible groups and parentheses (tokens interpolated by `quote!` arrive
/// as a `Type::Group`).
fn ungroup(ty: &syn::Type) -> &syn::Type {
    match ty {
        syn::Type::Group(group) => ungroup(&group.elem),
        syn::Type::Paren(paren) => ungroup(&paren.elem),
        other => other,
    }
}

/// The last path segment of a type (`User` for `crate::x::types::User`).
fn type_name(ty: &syn::Type) -> Option<String> {
    match ungroup(ty) {
        syn::Type::Path(path) => Some(path.path.segments.last()?.ident.to_string()),
        _ => None,
    }
}

/// The `rename = "..."` of a field's `#[serde(...)]`.
/// An enum's unit variants by wire value.
fn unit_variants(item: &syn::ItemEnum) -> HashMap<String, String> {
    item.variants
        .iter()
        .filter(|v| matches!(v.fields, syn::Fields::Unit))
        .map(|v| {
            let rust = v.ident.to_string();
            (rename(&v.attrs).unwrap_or_else(|| rust.clone()), rust)
        })
        .collect()
}

fn rename(attrs: &[syn::Attribute]) -> Option<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .find_map(|attr| {
            let text = attr.meta.to_token_stream().to_string();
            let start = text.find("rename = \"")? + "rename = \"".len();
            let end = start + text[start..].find('"')?;
            Some(text[start..end].to_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types() -> Types {
        let file: syn::File = syn::parse_str(
            r#"
            pub struct Page { pub items: Vec<Item>, pub meta: Option<Meta> }
            pub struct Meta { pub links: Option<Links>, #[serde(rename = "hasMore")] pub has_more: Option<bool> }
            pub struct Links { pub next: Option<String> }
            pub struct Item { pub data: User }
            pub struct User { pub id: i64 }
            "#,
        )
        .unwrap();
        Types::new(&file.items)
    }

    #[test]
    fn pointers_become_field_accesses() {
        let types = types();
        let place = types.borrow("Page", "&page", "/meta/hasMore").unwrap();
        assert_eq!(
            place.borrow,
            "Some(&page).and_then(|x| x.meta.as_ref()).and_then(|x| x.has_more.as_ref())"
        );
        let link = types.borrow("Page", "&page", "/meta/links/next").unwrap();
        assert_eq!(link.parent.1, "p.next.is_some()");
        let (items, element) = types.take_vec("Page", "page", "/items").unwrap();
        assert_eq!(element, "Item");
        assert!(items.ends_with(".map(|x| x.items).unwrap_or_default()"));
        assert_eq!(
            types.take("Item", "item", "/data").unwrap(),
            ("item.data".into(), "User".into())
        );
        assert!(types.take("Page", "page", "/meta").is_err());
        // A body that is an array at the top: typify's newtype.
        let file: syn::File =
            syn::parse_str("pub struct List(pub Vec<User>); pub struct User { pub id: i64 }")
                .unwrap();
        let list = Types::new(&file.items);
        assert_eq!(
            list.take_vec("List", "page", "").unwrap(),
            ("page.0".into(), "User".into())
        );
        assert_eq!(
            list.borrow("List", "page", "").unwrap().borrow,
            "Some(&page.0)"
        );
        assert!(types.take_vec("Page", "page", "").is_err());
        assert!(types.borrow("Page", "&page", "/nope").is_err());
    }
}
