//! `rollcall::testing::Sample` for each list operation's page, record and user types, from the
//! sample the provider's fake serves (`FAKE`): what lets a downstream test build a response value
//! with `rollcall::testing::sample::<types::User>(json!({..}))` now that the types it receives
//! are `#[non_exhaustive]` and struct literals of them no longer compile outside the crate.
//!
//! Rendered into the glue behind the `testing` feature, beside `FAKE`; the module's docs show
//! the other way, reading a value from JSON (`module_doc`).

use std::fmt::Write as _;

use serde_json::json;

use super::access::Types;
use crate::spec::Spec;
use crate::spec::ext::Extensions;

/// The `Sample` impls of a provider, as Rust source; a type several lists share takes the first
/// list's sample.
pub fn render(provider: &Extensions, types: &Types) -> Result<String, String> {
    let mut done: Vec<String> = Vec::new();
    let mut out = String::new();
    for (i, list) in provider.lists.iter().enumerate() {
        let (_, record) = types.take_vec(&list.response, "page", &list.items)?;
        let user = match &list.record {
            Some(at) => types.take(&record, "record", at)?.1,
            None => record.clone(),
        };
        let mut kinds = vec![(list.response.clone(), "page"), (record, "record")];
        if list.record.is_some() {
            kinds.push((user, "user"));
        }
        for (ty, kind) in kinds {
            if done.contains(&ty) {
                continue;
            }
            let _ = writeln!(
                out,
                "/// The spec's sample {kind} of `{op}` (what the fake serves).\n\
                 #[cfg(feature = \"testing\")]\n\
                 impl ::rollcall_runtime::testing::Sample for types::{ty} {{\n\
                 fn sample_json() -> ::serde_json::Value {{ FAKE.lists[{i}].sample_{kind}() }}\n}}",
                op = list.operation,
            );
            done.push(ty);
        }
    }
    Ok(out)
}

/// The section of the module's docs that says how to make a value of the user type outside the
/// crate, with a doctest that reads one from JSON holding only its required properties (as the
/// spec's schema gives them); empty for a spec without a list operation.
pub fn module_doc(
    spec: &Spec,
    module: &str,
    provider: &Extensions,
    types: &Types,
) -> Result<String, String> {
    let Some(first) = provider.lists.first() else {
        return Ok(String::new());
    };
    let (_, record) = types.take_vec(&first.response, "page", &first.items)?;
    let user = match &first.record {
        Some(at) => types.take(&record, "record", at)?.1,
        None => record,
    };
    let schema = json!({ "$ref": format!("#/components/schemas/{}", first.user_schema) });
    let required = super::fake::minimal(&spec.raw, &schema, 0);
    Ok(format!(
        "//!\n\
         //! The types the client receives are `#[non_exhaustive]`, so that a field or a value the \
         provider adds\n\
         //! breaks no code: outside this crate, read one from JSON that has its required fields, \
         or, with the\n\
         //! `testing` feature, take the spec's sample and name only the fields a test needs\n\
         //! (`rollcall::testing::sample::<types::{user}>(json!({{..}}))`). A `match` on one of its \
         enums needs a\n\
         //! wildcard arm.\n\
         //!\n\
         //! ```\n\
         //! let user: rollcall::{module}::types::{user} =\n\
         //!     serde_json::from_value(serde_json::json!({required}))?;\n\
         //! # Ok::<(), serde_json::Error>(())\n\
         //! ```\n"
    ))
}
