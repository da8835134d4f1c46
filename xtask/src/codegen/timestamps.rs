//! Timestamp fields (`format: date-time`, `chrono::DateTime<Utc>` in the generated types) decode
//! through `::rollcall_runtime::decode`, which tries chrono's strict RFC 3339 parser before the
//! lenient one chrono's own `Deserialize` uses.
//!
//! Every real timestamp is strict RFC 3339, and the strict parser costs a fifth of the lenient
//! one (callgrind: about 350 against 1,750 instructions); on a users page the lenient parser was
//! a sixth of all decoding. The field types stay `DateTime<Utc>`, and any value the strict parser
//! refuses is handed to the lenient one, so what decodes and the errors stay chrono's.

use super::serde_attrs::{derives_deserialize, serde_args};

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
}
