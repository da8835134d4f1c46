//! Reading the `#[derive(...)]` and `#[serde(...)]` attributes of generated items, for the
//! rewrites that replace serde's derived decoding (`untagged`, `timestamps`).

use syn::punctuated::Punctuated;

/// The paths listed by a `#[derive(...)]` attribute; `None` for any other attribute.
pub(crate) fn derive_paths(attr: &syn::Attribute) -> Option<Punctuated<syn::Path, syn::Token![,]>> {
    if !attr.path().is_ident("derive") {
        return None;
    }
    attr.parse_args_with(Punctuated::parse_terminated).ok()
}

/// Whether `path` names serde's `Deserialize` (`Deserialize`, `serde::Deserialize` or
/// `::serde::Deserialize`, which is how progenitor writes it).
pub(crate) fn is_deserialize(path: &syn::Path) -> bool {
    path.segments
        .last()
        .is_some_and(|s| s.ident == "Deserialize")
        && path.segments.len() <= 2
        && path
            .segments
            .first()
            .is_some_and(|s| s.ident == "Deserialize" || s.ident == "serde")
}

/// Whether `attrs` derive serde's `Deserialize`.
pub(crate) fn derives_deserialize(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .filter_map(derive_paths)
        .any(|paths| paths.iter().any(is_deserialize))
}

/// The arguments of every `#[serde(...)]` attribute among `attrs`, in order.
pub(crate) fn serde_args(attrs: &[syn::Attribute]) -> Vec<syn::Meta> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("serde"))
        .filter_map(|attr| {
            attr.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
                .ok()
        })
        .flatten()
        .collect()
}
