//! Timestamp fields (`format: date-time`, `chrono::DateTime<Utc>` in the generated types) decode
//! through `::rollcall_runtime::decode`, which tries chrono's strict RFC 3339 parser before the
//! lenient one chrono's own `Deserialize` uses.
//!
//! Every real timestamp is strict RFC 3339, and the strict parser costs a fifth of the lenient
//! one (callgrind: about 350 against 1,750 instructions); on a users page the lenient parser was
//! a sixth of all decoding. The field types stay `DateTime<Utc>`, and any value the strict parser
//! refuses is handed to the lenient one, so what decodes and the errors stay chrono's.

use serde_json::Value;

use super::serde_attrs::{derives_deserialize, serde_args};
use crate::spec::{Spec, SpecError, escape, resolve};

/// The runtime module the attributes point at.
const MODULE: &str = "::rollcall_runtime::decode";

/// Adds the decoding attribute to every timestamp field of the derived structs among `items`;
/// returns how many fields it touched.
pub fn rewrite(items: &mut [syn::Item]) -> usize {
    let mut touched = 0;
    for item in items {
        let syn::Item::Struct(item) = item else {
            continue;
        };
        if !derives_deserialize(&item.attrs) {
            continue;
        }
        let syn::Fields::Named(fields) = &mut item.fields else {
            continue;
        };
        for field in &mut fields.named {
            let Some(optional) = timestamp(&field.ty) else {
                continue;
            };
            let serde_args = serde_args(&field.attrs);
            let has = |name: &str| serde_args.iter().any(|m| m.path().is_ident(name));
            if has("deserialize_with") || has("with") {
                continue;
            }
            let path = if optional {
                format!("{MODULE}::optional_timestamp")
            } else {
                format!("{MODULE}::timestamp")
            };
            // serde only treats a missing `Option` field as `None` when it decodes the field
            // itself; with a function of ours, `default` keeps that.
            field.attrs.push(if optional && !has("default") {
                syn::parse_quote!(#[serde(default, deserialize_with = #path)])
            } else {
                syn::parse_quote!(#[serde(deserialize_with = #path)])
            });
            touched += 1;
        }
    }
    touched
}

/// Fails unless every timestamp field the spec declares (a property of a component schema that
/// is `type: string, format: date-time`) decodes through `MODULE` in `items`, the rewritten
/// `types` module: the first one that does not is named with its pointer.
pub fn check(spec: &Spec, items: &[syn::Item]) -> Result<(), SpecError> {
    for (schema, property) in declared(spec) {
        let ty = crate::rust_name::pascal(&schema);
        let routed = items.iter().any(|item| match item {
            syn::Item::Struct(item) if item.ident == ty => match &item.fields {
                syn::Fields::Named(fields) => fields
                    .named
                    .iter()
                    .any(|field| json_name(field) == property && decodes_here(field)),
                _ => false,
            },
            _ => false,
        });
        if !routed {
            return Err(SpecError::at(
                &spec.file,
                &format!(
                    "/components/schemas/{}/properties/{}",
                    escape(&schema),
                    escape(&property)
                ),
                format!(
                    "codegen pass `timestamps` did not route `{schema}.{property}` (`format: \
                     date-time`) through `{MODULE}`: no field of `types::{ty}` decodes it there"
                ),
            ));
        }
    }
    Ok(())
}

/// (schema, property) for every inline `format: date-time` string property of a component
/// schema, in document order.
fn declared(spec: &Spec) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, schema) in spec.schemas() {
        let schema = resolve(&spec.raw, schema);
        let properties = schema.get("properties").and_then(Value::as_object);
        for (property, node) in properties.into_iter().flatten() {
            let is = |key: &str, value: &str| node.get(key).and_then(Value::as_str) == Some(value);
            if node.get("$ref").is_none() && is("type", "string") && is("format", "date-time") {
                out.push((name.clone(), property.clone()));
            }
        }
    }
    out
}

/// The field's name in JSON: its serde `rename`, else its Rust name.
fn json_name(field: &syn::Field) -> String {
    let renamed = serde_args(&field.attrs)
        .into_iter()
        .find_map(|meta| match meta {
            syn::Meta::NameValue(pair) if pair.path.is_ident("rename") => match pair.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) => Some(text.value()),
                _ => None,
            },
            _ => None,
        });
    renamed.unwrap_or_else(|| {
        let name = field
            .ident
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        name.strip_prefix("r#").unwrap_or(&name).to_owned()
    })
}

/// Whether the field's `deserialize_with` is one of [`MODULE`]'s timestamp functions.
fn decodes_here(field: &syn::Field) -> bool {
    serde_args(&field.attrs).into_iter().any(|meta| match meta {
        syn::Meta::NameValue(pair) if pair.path.is_ident("deserialize_with") => match pair.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) => [
                format!("{MODULE}::timestamp"),
                format!("{MODULE}::optional_timestamp"),
            ]
            .contains(&text.value()),
            _ => false,
        },
        _ => false,
    })
}

/// `Some(optional)` when `ty` is `chrono::DateTime<Utc>` or an `Option` of it.
fn timestamp(ty: &syn::Type) -> Option<bool> {
    let last = last_segment(ty)?;
    if last.ident == "Option" {
        let inner = single_argument(last)?;
        return is_utc_datetime(inner).then_some(true);
    }
    is_utc_datetime(ty).then_some(false)
}

fn is_utc_datetime(ty: &syn::Type) -> bool {
    let syn::Type::Path(path) = ty else {
        return false;
    };
    let segments = &path.path.segments;
    let Some(last) = segments.last() else {
        return false;
    };
    segments.first().is_some_and(|s| s.ident == "chrono")
        && last.ident == "DateTime"
        && single_argument(last)
            .and_then(last_segment)
            .is_some_and(|s| s.ident == "Utc")
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last(),
        _ => None,
    }
}

fn single_argument(segment: &syn::PathSegment) -> Option<&syn::Type> {
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>()[..] {
        [syn::GenericArgument::Type(ty)] => Some(ty),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_fields_get_the_fast_path_and_keep_their_defaults() {
        let mut file: syn::File = syn::parse_str(
            "#[derive(::serde::Deserialize, ::serde::Serialize)]
             pub struct User {
                 #[serde(skip_serializing_if = \"::std::option::Option::is_none\")]
                 pub created_at: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                 #[serde(default)]
                 pub seen_at: Option<::chrono::DateTime<::chrono::offset::Utc>>,
                 pub updated_at: ::chrono::DateTime<::chrono::offset::Utc>,
                 pub local: ::std::option::Option<::chrono::DateTime<::chrono::offset::FixedOffset>>,
                 pub name: ::std::string::String,
             }
             #[derive(::serde::Serialize)]
             pub struct NotDecoded { pub at: ::chrono::DateTime<::chrono::offset::Utc> }",
        )
        .unwrap();
        assert_eq!(rewrite(&mut file.items), 3);
        // prettyplease wraps long attributes: compare with whitespace collapsed.
        let out = prettyplease::unparse(&file)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            out.contains(
                "#[serde( default, deserialize_with = \"::rollcall_runtime::decode::optional_timestamp\" )] pub created_at"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "#[serde(deserialize_with = \"::rollcall_runtime::decode::optional_timestamp\")] pub seen_at"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "#[serde(deserialize_with = \"::rollcall_runtime::decode::timestamp\")] pub updated_at"
            ),
            "{out}"
        );
        assert_eq!(out.matches("deserialize_with").count(), 3, "{out}");
    }

    const SPEC: &str = "openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    User:
      type: object
      properties:
        created_at: {type: string, format: date-time}
        lastSeen: {type: string, format: date-time}
        name: {type: string}
";

    fn user(fields: &str) -> Vec<syn::Item> {
        syn::parse_str::<syn::File>(&format!(
            "#[derive(::serde::Deserialize, ::serde::Serialize)] pub struct User {{ {fields} }}"
        ))
        .unwrap()
        .items
    }

    #[test]
    fn the_check_names_each_timestamp_field_the_pass_missed() {
        let spec = Spec::parse("specs/t.yaml", SPEC).unwrap();
        let both = "pub created_at: ::chrono::DateTime<::chrono::offset::Utc>,
             #[serde(rename = \"lastSeen\")]
             pub last_seen: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
             pub name: String,";
        let mut items = user(both);
        assert_eq!(rewrite(&mut items), 2);
        check(&spec, &items).unwrap();

        // One field the pass did not touch (here: written as a plain `String`) fails the check,
        // although the other was rewritten.
        let mut items = user(
            "pub created_at: ::chrono::DateTime<::chrono::offset::Utc>,
             #[serde(rename = \"lastSeen\")] pub last_seen: ::std::option::Option<String>,",
        );
        assert_eq!(rewrite(&mut items), 1);
        let error = check(&spec, &items).unwrap_err().to_string();
        assert_eq!(
            error,
            "specs/t.yaml#/components/schemas/User/properties/lastSeen: codegen pass `timestamps` \
             did not route `User.lastSeen` (`format: date-time`) through \
             `::rollcall_runtime::decode`: no field of `types::User` decodes it there"
        );

        // Unrewritten input fails on the first field; a missing struct fails too.
        assert!(
            check(&spec, &user(both))
                .unwrap_err()
                .to_string()
                .contains("User.created_at")
        );
        assert!(check(&spec, &[]).is_err());
    }
}
