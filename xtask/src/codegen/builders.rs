//! Type builders only where something is sent: typify writes a builder per struct (`types::builder`
//! and `X::builder()`), which progenitor ties to the builder interface style. For types that
//! only ever arrive in responses no caller builds one, and they were about half of each generated
//! file, so a one-field spec change showed up as dozens of generated lines. The operation
//! builders (`client.list_users().role(..)`) are a different module and stay.

/// Removes the type builders from `items` (a generated `types` module) when the spec sends no
/// request body; returns how many items it removed.
pub fn strip(items: &mut Vec<syn::Item>, spec_sends_bodies: bool) -> usize {
    if spec_sends_bodies {
        return 0;
    }
    let before = items.len();
    items.retain(|item| match item {
        syn::Item::Mod(module) => module.ident != "builder",
        syn::Item::Impl(block) => !is_builder_constructor(block),
        _ => true,
    });
    before - items.len()
}

/// `impl X { pub fn builder() -> builder::X { .. } }` and nothing else.
fn is_builder_constructor(block: &syn::ItemImpl) -> bool {
    block.trait_.is_none()
        && !block.items.is_empty()
        && block.items.iter().all(|item| match item {
            syn::ImplItem::Fn(f) => f.sig.ident == "builder" && returns_from_builder(&f.sig.output),
            _ => false,
        })
}

/// Whether the function returns a type of the `builder` module (`builder::X`).
fn returns_from_builder(output: &syn::ReturnType) -> bool {
    match output {
        syn::ReturnType::Type(_, ty) => matches!(
            ty.as_ref(),
            syn::Type::Path(path)
                if path.path.segments.len() > 1
                    && path.path.segments.first().is_some_and(|s| s.ident == "builder")
        ),
        syn::ReturnType::Default => false,
    }
}

/// Whether any operation of `raw` declares a request body.
pub fn sends_bodies(raw: &serde_json::Value) -> bool {
    let mut found = false;
    crate::spec::for_each_operation(raw, |_, _, _, op| {
        found |= op.get("requestBody").is_some();
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_type_builders_go_and_everything_else_stays() {
        let mut file: syn::File = syn::parse_str(
            "pub struct User { pub id: i64 }
             impl User { pub fn builder() -> builder::User { Default::default() } }
             impl User { pub fn id(&self) -> i64 { self.id } }
             pub mod builder { pub struct User; }
             pub mod error { pub struct ConversionError; }",
        )
        .unwrap();
        let mut kept = file.items.clone();
        assert_eq!(
            strip(&mut kept, true),
            0,
            "a spec that sends bodies keeps them"
        );
        assert_eq!(strip(&mut file.items, false), 2);
        let out = prettyplease::unparse(&file);
        assert!(!out.contains("builder"), "{out}");
        assert!(out.contains("pub fn id(&self)"), "{out}");
        assert!(out.contains("pub mod error"), "{out}");
    }
}
