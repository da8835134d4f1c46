//! `open-enum`: an enum the client receives says whether a value it does not list may come.
//! A closed (typify) enum fails the whole response on a new value; an open one keeps it in
//! `Other`. Which one is right is a decision about the provider, so it must be written down.

use serde_json::Value;

use super::Doc;
use crate::usage::{Usage, schema_roots, walk};

/// Marks a response `enum` as deliberately closed.
pub const CLOSED: &str = "x-rollcall-closed";

pub(super) fn check(doc: &mut Doc<'_>) {
    let raw = doc.raw;
    for root in schema_roots(raw) {
        let component = root.pointer.starts_with("/components/schemas/");
        walk(root.node, &root.pointer, &mut |pointer, node| {
            let open = node.get("x-extensible-enum").is_some();
            let closed = node.get("enum").is_some();
            if open && closed {
                doc.report(
                    "open-enum",
                    pointer,
                    "an enum is either open (`x-extensible-enum`) or closed (`enum`), not both",
                );
                return;
            }
            if open && !(component && pointer == root.pointer) {
                doc.report(
                    "open-enum",
                    &format!("{pointer}/x-extensible-enum"),
                    "`x-extensible-enum` works only on a component schema of its own \
                     (the codegen replaces named types): move it to `components/schemas` and `$ref` it",
                );
            }
            if open && root.usage == Usage::Request {
                doc.report(
                    "open-enum",
                    &format!("{pointer}/x-extensible-enum"),
                    "a request enum uses plain `enum`: we never send a value the provider did not document",
                );
            }
            let marked = node.get(CLOSED).and_then(Value::as_bool) == Some(true);
            if closed && root.usage.received() && !marked {
                doc.report(
                    "open-enum",
                    &format!("{pointer}/enum"),
                    format!(
                        "response enum does not say whether it is open: use `x-extensible-enum` \
                         (open, the convention) or mark it `{CLOSED}: true`"
                    ),
                );
            }
        });
    }
}
