//! A provider's `DRIFT` table (`rollcall_runtime::DriftSpec`): what its walked operations may
//! answer — statuses, success content types, declared headers — and the schemas of their
//! success bodies as a flat table of nodes, each with its JSON pointer into the spec, so that a
//! walk with drift checks can say where the spec would need an edit.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::tokens::runtime;
use crate::spec::ext::{Extensions, List};
use crate::spec::{Spec, escape};

/// One node as written.
struct Out {
    at: String,
    nullable: bool,
    ty: TokenStream,
}

/// The nodes found so far, and the component schemas already given one.
#[derive(Default)]
struct Nodes {
    nodes: Vec<Option<Out>>,
    components: BTreeMap<String, u16>,
}

impl Nodes {
    fn reserve(&mut self) -> Result<u16, String> {
        self.nodes.push(None);
        u16::try_from(self.nodes.len() - 1).map_err(|_| "more than 65,535 schema nodes".into())
    }

    /// The node of `schema`, which sits at `at` in `raw`.
    fn node(&mut self, raw: &Value, schema: &Value, at: String, depth: u32) -> Result<u16, String> {
        if depth > 64 {
            return Err(format!("schemas nested too deep at {at}"));
        }
        let rt = runtime();
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            if let Some(index) = self.components.get(reference) {
                return Ok(*index);
            }
            let index = self.reserve()?;
            self.components.insert(reference.to_owned(), index);
            let pointer = reference.strip_prefix('#').unwrap_or(reference);
            let target = raw
                .pointer(pointer)
                .ok_or_else(|| format!("`{reference}` resolves to nothing"))?;
            let out = self.describe(raw, target, pointer.to_owned(), depth + 1)?;
            self.nodes[usize::from(index)] = Some(out);
            return Ok(index);
        }
        // A single-branch `allOf` is a `$ref` with a description beside it.
        if let Some([only]) = schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            let inner = self.node(raw, only, format!("{at}/allOf/0"), depth + 1)?;
            if schema.get("nullable").and_then(Value::as_bool) != Some(true) {
                return Ok(inner);
            }
            let index = self.reserve()?;
            let inner = [inner];
            self.nodes[usize::from(index)] = Some(Out {
                at,
                nullable: true,
                ty: quote!(#rt::Ty::OneOf(&[#(#inner),*])),
            });
            return Ok(index);
        }
        let index = self.reserve()?;
        let out = self.describe(raw, schema, at, depth + 1)?;
        self.nodes[usize::from(index)] = Some(out);
        Ok(index)
    }

    fn describe(
        &mut self,
        raw: &Value,
        schema: &Value,
        at: String,
        depth: u32,
    ) -> Result<Out, String> {
        let rt = runtime();
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        let branches = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array);
        if let Some(branches) = branches {
            let key = if schema.get("oneOf").is_some() {
                "oneOf"
            } else {
                "anyOf"
            };
            let mut indices = Vec::new();
            for (i, branch) in branches.iter().enumerate() {
                indices.push(self.node(raw, branch, format!("{at}/{key}/{i}"), depth)?);
            }
            // A nullable branch makes the union nullable.
            let nullable = nullable
                || branches.iter().any(|b| {
                    crate::spec::resolve(raw, b).get("nullable") == Some(&Value::Bool(true))
                });
            return Ok(Out {
                at,
                nullable,
                ty: quote!(#rt::Ty::OneOf(&[#(#indices),*])),
            });
        }
        let ty = schema
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_else(|| {
                if schema.get("properties").is_some() {
                    "object"
                } else {
                    ""
                }
            });
        let ty = match ty {
            "object" => {
                let mut properties = Vec::new();
                if let Some(map) = schema.get("properties").and_then(Value::as_object) {
                    // Sorted by length, then name: the runtime finds a key by binary search,
                    // most steps decided by the length alone.
                    let mut sorted: Vec<(&String, &Value)> = map.iter().collect();
                    sorted.sort_by(|a, b| (a.0.len(), a.0).cmp(&(b.0.len(), b.0)));
                    for (name, property) in sorted {
                        let child = self.node(
                            raw,
                            property,
                            format!("{at}/properties/{}", escape(name)),
                            depth,
                        )?;
                        properties.push(quote!((#name, #child)));
                    }
                }
                let required: Vec<&str> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let map = match schema.get("additionalProperties") {
                    Some(Value::Bool(allowed)) => *allowed,
                    Some(Value::Object(_)) => true,
                    _ => false,
                };
                quote!(#rt::Ty::Object {
                    properties: &[#(#properties),*],
                    required: &[#(#required),*],
                    map: #map,
                })
            }
            "array" => {
                let item = match schema.get("items") {
                    Some(items) => self.node(raw, items, format!("{at}/items"), depth)?,
                    None => {
                        let index = self.reserve()?;
                        self.nodes[usize::from(index)] = Some(Out {
                            at: format!("{at}/items"),
                            nullable: true,
                            ty: quote!(#rt::Ty::Any),
                        });
                        index
                    }
                };
                quote!(#rt::Ty::Array(#item))
            }
            "string" => {
                let format = match schema.get("format").and_then(Value::as_str) {
                    Some(format) => quote!(Some(#format)),
                    None => quote!(None),
                };
                let values: Vec<&str> = schema
                    .get("x-extensible-enum")
                    .or_else(|| schema.get("enum"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let ci = schema
                    .get("x-rollcall-case-insensitive")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                quote!(#rt::Ty::String { format: #format, values: &[#(#values),*], ci: #ci })
            }
            "integer" => quote!(#rt::Ty::Integer),
            "number" => quote!(#rt::Ty::Number),
            "boolean" => quote!(#rt::Ty::Boolean),
            _ => quote!(#rt::Ty::Any),
        };
        Ok(Out { at, nullable, ty })
    }
}

/// `DRIFT`: the drift table of the operations `provider` walks.
pub fn render(spec: &Spec, provider: &Extensions) -> Result<TokenStream, String> {
    let rt = runtime();
    let raw = &spec.raw;
    let mut nodes = Nodes::default();
    let mut operations = Vec::new();
    for list in provider.lists.iter().chain(&provider.incremental) {
        operations.push(operation(raw, list, provider.any_content_type, &mut nodes)?);
    }
    let ignored = ignored(raw)?;
    let written: Vec<TokenStream> = nodes
        .nodes
        .into_iter()
        .map(|out| {
            let Out { at, nullable, ty } =
                out.ok_or("a schema node was reserved and not described")?;
            Ok(quote!(#rt::Node { at: #at, nullable: #nullable, ty: #ty }))
        })
        .collect::<Result<_, String>>()?;
    let count = written.len();
    Ok(quote! {
        static DRIFT_NODES: [#rt::Node; #count] = [#(#written),*];
        /// What this provider's walked operations may answer, from its spec: the table drift
        /// checks read (see [`UserStream::drift`](::rollcall_runtime::UserStream::drift)),
        /// reached through [`PROVIDER`].
        static DRIFT: #rt::DriftSpec = #rt::DriftSpec {
            operations: &[#(#operations),*],
            nodes: &DRIFT_NODES,
            ignored: &[#(#ignored),*],
        };
    })
}

/// One walked operation's entry.
fn operation(
    raw: &Value,
    list: &List,
    any_content_type: bool,
    nodes: &mut Nodes,
) -> Result<TokenStream, String> {
    let rt = runtime();
    let at = format!("/paths/{}/{}", escape(&list.path), list.method);
    let op = raw
        .pointer(&at)
        .ok_or_else(|| format!("no operation at {at}"))?;
    let responses = op.get("responses").and_then(Value::as_object);
    let statuses: Vec<&str> = responses
        .into_iter()
        .flat_map(|r| r.keys())
        .map(String::as_str)
        .collect();
    let mut headers: Vec<String> = responses
        .into_iter()
        .flat_map(|r| r.values())
        .filter_map(|response| crate::spec::resolve(raw, response).get("headers"))
        .filter_map(Value::as_object)
        .flat_map(|h| h.keys())
        .map(|name| name.to_ascii_lowercase())
        .collect();
    headers.sort();
    headers.dedup();
    let success = op
        .pointer("/responses/200")
        .map(|r| crate::spec::resolve(raw, r));
    let content = success
        .and_then(|r| r.get("content"))
        .and_then(Value::as_object);
    // A provider whose answers may come with any content type (`x-rollcall.any-content-type`)
    // declares none to check.
    let content_types: Vec<&str> = if any_content_type {
        Vec::new()
    } else {
        content
            .into_iter()
            .flat_map(|c| c.keys())
            .map(String::as_str)
            .collect()
    };
    let body = match content
        .and_then(|c| c.get("application/json"))
        .and_then(|c| c.get("schema"))
    {
        Some(schema) => {
            let index = nodes.node(
                raw,
                schema,
                format!("{at}/responses/200/content/application~1json/schema"),
                0,
            )?;
            quote!(Some(#index))
        }
        None => quote!(None),
    };
    let operation = &list.operation;
    Ok(quote! {
        #rt::DriftOperation {
            operation: #operation,
            at: #at,
            statuses: &[#(#statuses),*],
            content_types: &[#(#content_types),*],
            headers: &[#(#headers),*],
            body: #body,
        }
    })
}

/// `x-rollcall-drift-ignore`: findings the spec accepts on purpose, as (pointer, kind).
fn ignored(raw: &Value) -> Result<Vec<TokenStream>, String> {
    let Some(list) = raw.get("x-rollcall-drift-ignore") else {
        return Ok(Vec::new());
    };
    let items = list
        .as_array()
        .ok_or("`x-rollcall-drift-ignore` is a list of {pointer, kind}")?;
    items
        .iter()
        .map(|item| {
            let pointer = item.get("pointer").and_then(Value::as_str);
            let kind = item.get("kind").and_then(Value::as_str);
            match (pointer, kind) {
                (Some(pointer), Some(kind)) => Ok(quote!((#pointer, #kind))),
                _ => {
                    Err("each `x-rollcall-drift-ignore` entry has `pointer` and `kind`".to_owned())
                }
            }
        })
        .collect()
}
