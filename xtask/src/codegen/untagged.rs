//! Untagged unions whose variants differ in JSON kind (`oneOf: [string, integer]`, a map or a
//! list, …) get a `Deserialize` that looks at the kind of the incoming value and decodes the one
//! variant that can take it.
//!
//! serde's derived `#[serde(untagged)]` buffers every value into an intermediate tree and tries
//! the variants in turn, formatting an error message for each that fails. On a users page that
//! happens for every user (Zendesk Sell's numeric `zendesk_user_id`, Worksection's `services`
//! lists), and the profile of a Sell walk showed it. Dispatching on the kind gives the same
//! result for every input the derived code accepts: the variants are tried in declaration order
//! for numbers, and each other kind has at most one variant that can take it.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use syn::punctuated::Punctuated;

use super::serde_attrs::{derive_paths, is_deserialize, serde_args};

/// The JSON kind a variant's payload is decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    String,
    /// An integer type (named), which takes any JSON number without a fraction that fits it.
    Integer(&'static str),
    /// A float type, which takes every JSON number.
    Float(Float),
    Boolean,
    Array,
    Object,
    /// A derived struct, which serde decodes from an object or, by position, from an array.
    Struct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Float {
    F32,
    F64,
}

/// Rewrites every eligible untagged enum among `items` (a generated `types` module); returns the
/// names of the enums rewritten.
pub fn rewrite(items: &mut Vec<syn::Item>) -> Vec<String> {
    let objects: BTreeSet<String> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) if matches!(s.fields, syn::Fields::Named(_)) => {
                Some(s.ident.to_string())
            }
            _ => None,
        })
        .collect();
    let mut impls = Vec::new();
    let mut rewritten = Vec::new();
    for item in items.iter_mut() {
        let syn::Item::Enum(item) = item else {
            continue;
        };
        if !is_untagged(&item.attrs) {
            continue;
        }
        let Some(variants) = classify(item, &objects) else {
            continue;
        };
        if !remove_derived_deserialize(&mut item.attrs) {
            continue;
        }
        let name = item.ident.to_string();
        let source = render(&name, &variants);
        let file: syn::File = syn::parse_str(&source).expect("the rendered impl is valid Rust");
        impls.extend(file.items);
        rewritten.push(name);
    }
    items.extend(impls);
    rewritten
}

fn is_untagged(attrs: &[syn::Attribute]) -> bool {
    serde_args(attrs)
        .iter()
        .any(|meta| meta.path().is_ident("untagged"))
}

/// Each variant's name and kind, or `None` when the enum is not one this module can decode:
/// a variant without exactly one payload, a payload of no plain JSON kind, or two variants
/// (other than numbers) of the same kind.
fn classify(item: &syn::ItemEnum, objects: &BTreeSet<String>) -> Option<Vec<(String, Kind)>> {
    let mut variants = Vec::new();
    for variant in &item.variants {
        let syn::Fields::Unnamed(fields) = &variant.fields else {
            return None;
        };
        let [field] = fields.unnamed.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        if !variant.attrs.iter().all(|a| a.path().is_ident("doc")) {
            return None;
        }
        variants.push((variant.ident.to_string(), kind_of(&field.ty, objects)?));
    }
    let mut seen = BTreeSet::new();
    for (_, kind) in &variants {
        let taken = match kind {
            Kind::Integer(_) | Kind::Float(_) => continue,
            Kind::Struct => vec![Kind::Object, Kind::Array],
            other => vec![*other],
        };
        for kind in taken {
            if !seen.insert(kind) {
                return None;
            }
        }
    }
    Some(variants)
}

fn kind_of(ty: &syn::Type, objects: &BTreeSet<String>) -> Option<Kind> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?.ident.to_string();
    Some(match last.as_str() {
        "String" => Kind::String,
        "i8" => Kind::Integer("i8"),
        "i16" => Kind::Integer("i16"),
        "i32" => Kind::Integer("i32"),
        "i64" => Kind::Integer("i64"),
        "u8" => Kind::Integer("u8"),
        "u16" => Kind::Integer("u16"),
        "u32" => Kind::Integer("u32"),
        "u64" => Kind::Integer("u64"),
        "f32" => Kind::Float(Float::F32),
        "f64" => Kind::Float(Float::F64),
        "bool" => Kind::Boolean,
        "Vec" => Kind::Array,
        "BTreeMap" | "HashMap" | "Map" => Kind::Object,
        // A struct of this module with named fields is a JSON object; a single-segment path is
        // how typify refers to its sibling types.
        name if path.path.segments.len() == 1 && objects.contains(name) => Kind::Struct,
        _ => return None,
    })
}

/// Drops `::serde::Deserialize` from the enum's derive list; false if it was not derived.
fn remove_derived_deserialize(attrs: &mut [syn::Attribute]) -> bool {
    for attr in attrs.iter_mut() {
        let Some(paths) = derive_paths(attr) else {
            continue;
        };
        if !paths.iter().any(is_deserialize) {
            continue;
        }
        let kept: Punctuated<syn::Path, syn::Token![,]> =
            paths.into_iter().filter(|p| !is_deserialize(p)).collect();
        *attr = syn::parse_quote!(#[derive(#kept)]);
        return true;
    }
    false
}

/// The `Deserialize` impl for enum `name` with `variants` in declaration order.
fn render(name: &str, variants: &[(String, Kind)]) -> String {
    let find = |wanted: Kind| {
        variants
            .iter()
            .find(|(_, k)| {
                *k == wanted || (*k == Kind::Struct && matches!(wanted, Kind::Array | Kind::Object))
            })
            .map(|(v, _)| v)
    };
    let numbers: Vec<&(String, Kind)> = variants
        .iter()
        .filter(|(_, k)| matches!(k, Kind::Integer(_) | Kind::Float(_)))
        .collect();

    let mut expecting: Vec<&str> = Vec::new();
    let mut visits = String::new();
    if let Some(variant) = find(Kind::String) {
        expecting.push("a string");
        let _ = write!(
            visits,
            "fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<{name}, E> {{
                 Ok({name}::{variant}(value.to_owned()))
             }}
             fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<{name}, E> {{
                 Ok({name}::{variant}(value))
             }}\n"
        );
    }
    if !numbers.is_empty() {
        let any_float = numbers.iter().any(|(_, k)| matches!(k, Kind::Float(_)));
        expecting.push(if any_float { "a number" } else { "an integer" });
        for (method, ty, unexpected) in [
            ("visit_i64", "i64", "Signed"),
            ("visit_u64", "u64", "Unsigned"),
        ] {
            // Variants that may not fit are tried in order; the first that always fits ends it.
            let mut body = String::new();
            let mut last = None;
            for (variant, kind) in &numbers {
                match kind {
                    Kind::Integer(integer) if *integer == ty => {
                        last = Some(format!("Ok({name}::{variant}(value))"));
                    }
                    Kind::Integer(_) => {
                        let _ = write!(
                            body,
                            "if let Ok(value) = ::std::convert::TryFrom::try_from(value) {{
                                 return Ok({name}::{variant}(value));
                             }}\n"
                        );
                    }
                    Kind::Float(float) => {
                        last = Some(format!(
                            "Ok({name}::{variant}(value as {}))",
                            float_type(*float)
                        ));
                    }
                    _ => unreachable!("numbers holds only numeric kinds"),
                }
                if last.is_some() {
                    break;
                }
            }
            body.push_str(&last.unwrap_or_else(|| {
                format!(
                    "Err(E::invalid_value(::serde::de::Unexpected::{unexpected}(value), &self))"
                )
            }));
            let _ = write!(
                visits,
                "fn {method}<E: ::serde::de::Error>(self, value: {ty}) -> ::std::result::Result<{name}, E> {{
                     {body}
                 }}\n"
            );
        }
        if let Some((variant, Kind::Float(float))) = numbers
            .iter()
            .find(|(_, k)| matches!(k, Kind::Float(_)))
            .map(|v| (&v.0, v.1))
        {
            let _ = write!(
                visits,
                "fn visit_f64<E: ::serde::de::Error>(self, value: f64) -> ::std::result::Result<{name}, E> {{
                     Ok({name}::{variant}(value as {}))
                 }}\n",
                float_type(float)
            );
        }
    }
    if let Some(variant) = find(Kind::Boolean) {
        expecting.push("a boolean");
        let _ = write!(
            visits,
            "fn visit_bool<E: ::serde::de::Error>(self, value: bool) -> ::std::result::Result<{name}, E> {{
                 Ok({name}::{variant}(value))
             }}\n"
        );
    }
    if let Some(variant) = find(Kind::Array) {
        expecting.push("an array");
        let _ = write!(
            visits,
            "fn visit_seq<A: ::serde::de::SeqAccess<'de>>(self, seq: A) -> ::std::result::Result<{name}, A::Error> {{
                 ::serde::Deserialize::deserialize(::serde::de::value::SeqAccessDeserializer::new(seq)).map({name}::{variant})
             }}\n"
        );
    }
    if let Some(variant) = find(Kind::Object) {
        expecting.push("an object");
        let _ = write!(
            visits,
            "fn visit_map<A: ::serde::de::MapAccess<'de>>(self, map: A) -> ::std::result::Result<{name}, A::Error> {{
                 ::serde::Deserialize::deserialize(::serde::de::value::MapAccessDeserializer::new(map)).map({name}::{variant})
             }}\n"
        );
    }
    let expecting = match expecting.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    format!(
        "impl<'de> ::serde::Deserialize<'de> for {name} {{
             fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {{
                 // Dispatch on the JSON kind rather than buffering and trying each variant.
                 struct Kind;
                 impl<'de> ::serde::de::Visitor<'de> for Kind {{
                     type Value = {name};
                     fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{
                         f.write_str({expecting:?})
                     }}
                     {visits}
                 }}
                 deserializer.deserialize_any(Kind)
             }}
         }}"
    )
}

fn float_type(float: Float) -> &'static str {
    match float {
        Float::F32 => "f32",
        Float::F64 => "f64",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(source: &str) -> (Vec<String>, String) {
        let mut file: syn::File = syn::parse_str(source).unwrap();
        let names = rewrite(&mut file.items);
        (names, prettyplease::unparse(&file))
    }

    #[test]
    fn scalar_unions_lose_the_derive_and_gain_a_kind_visitor() {
        let (names, out) = rewritten(
            "#[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
             #[serde(untagged)]
             pub enum Id { String(::std::string::String), Number(i64) }",
        );
        assert_eq!(names, ["Id"]);
        assert!(
            out.contains("#[derive(::serde::Serialize, Clone)]"),
            "{out}"
        );
        assert!(
            out.contains("impl<'de> ::serde::Deserialize<'de> for Id"),
            "{out}"
        );
        assert!(out.contains("\"a string or an integer\""), "{out}");
    }

    #[test]
    fn maps_lists_and_sibling_structs_are_kinds_too() {
        let (names, _) = rewritten(
            "#[derive(::serde::Deserialize)] pub struct Detail { pub code: i64 }
             #[derive(::serde::Deserialize)]
             #[serde(untagged)]
             pub enum Accounts { Map(::std::collections::BTreeMap<String, String>), List(Vec<String>) }
             #[derive(::serde::Deserialize)]
             #[serde(untagged)]
             pub enum Error { Text(String), Object(Detail) }",
        );
        assert_eq!(names, ["Accounts", "Error"]);
    }

    #[test]
    fn ambiguous_or_opaque_unions_keep_the_derive() {
        let source = "#[derive(::serde::Deserialize)] pub struct A { pub a: i64 }
             #[derive(::serde::Deserialize)] pub struct B { pub b: i64 }
             #[derive(::serde::Deserialize)]
             #[serde(untagged)]
             pub enum TwoObjects { A(A), B(B) }
             #[derive(::serde::Deserialize)]
             #[serde(untagged)]
             pub enum Opaque { Other(Elsewhere), Text(String) }
             #[derive(::serde::Deserialize)]
             #[serde(untagged)]
             pub enum WithUnit { Nothing, Text(String) }
             #[derive(::serde::Deserialize)]
             pub enum Tagged { Text(String), Number(i64) }";
        let (names, out) = rewritten(source);
        assert!(names.is_empty(), "{names:?}");
        assert_eq!(out.matches("derive(::serde::Deserialize)").count(), 6);
    }
}
