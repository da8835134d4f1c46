//! Open enums: component schemas with `x-extensible-enum` become Rust enums with an `Other(String)`
//! variant, so a value a provider adds later is kept instead of failing the whole response.
//!
//! progenitor's own enums are closed, so these types are emitted here and swapped in for the
//! schema with typify's `with_replacement`.

use std::fmt::Write as _;

use serde_json::Value;

use crate::spec::{Spec, SpecError, escape};

/// One `x-extensible-enum` component schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenEnum {
    /// The component schema name, which is also the Rust type name.
    pub name: String,
    /// The schema's description.
    pub description: Option<String>,
    /// The documented values, each with its variant name.
    pub values: Vec<(String, String)>,
    /// Whether values match regardless of ASCII case (`x-rollcall-case-insensitive`).
    pub case_insensitive: bool,
}

/// Finds the open enums of a spec, rejecting the shapes we cannot generate.
pub fn collect(spec: &Spec) -> Result<Vec<OpenEnum>, SpecError> {
    let mut enums = Vec::new();
    for (name, schema) in spec.schemas() {
        let Some(values) = schema.get("x-extensible-enum") else {
            continue;
        };
        let pointer = format!("/components/schemas/{}", escape(name));
        let fail =
            |msg: String| SpecError::at(&spec.file, &format!("{pointer}/x-extensible-enum"), msg);
        if schema.get("type").and_then(Value::as_str) != Some("string")
            || schema.get("enum").is_some()
        {
            return Err(fail(
                "an open enum is `type: string` with `x-extensible-enum` and no `enum`".into(),
            ));
        }
        let Some(values) = values.as_array().filter(|v| !v.is_empty()) else {
            return Err(fail(
                "`x-extensible-enum` must be a non-empty list of strings".into(),
            ));
        };
        let mut variants: Vec<(String, String)> = Vec::new();
        for value in values {
            let Some(value) = value.as_str() else {
                return Err(fail(format!("value {value} is not a string")));
            };
            let variant = variant_name(value);
            if variant == "Other" {
                return Err(fail(format!(
                    "`{value}` would collide with the `Other` variant"
                )));
            }
            if let Some((first, _)) = variants.iter().find(|(_, v)| v == &variant) {
                return Err(fail(format!(
                    "`{value}` and `{first}` both become the variant `{variant}`"
                )));
            }
            variants.push((value.to_owned(), variant));
        }
        enums.push(OpenEnum {
            name: name.clone(),
            description: schema
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            values: variants,
            case_insensitive: schema
                .get("x-rollcall-case-insensitive")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        });
    }
    Ok(enums)
}

/// Fails unless every open enum is open in `items`, the `types` module with [`render`]'s items
/// added: exactly one type of the schema's name, an enum with an `Other(String)` variant. A
/// second one means progenitor ignored the replacement and wrote its own closed enum beside ours;
/// none, or one without `Other`, means ours never arrived. The error names the schema.
pub fn check(file: &str, open_enums: &[OpenEnum], items: &[syn::Item]) -> Result<(), SpecError> {
    for open in open_enums {
        let named: Vec<&syn::Item> = items
            .iter()
            .filter(|item| match item {
                syn::Item::Enum(e) => e.ident == open.name,
                syn::Item::Struct(s) => s.ident == open.name,
                syn::Item::Type(t) => t.ident == open.name,
                _ => false,
            })
            .collect();
        let why = match named[..] {
            [] => "the generated types have no such type".to_owned(),
            [syn::Item::Enum(e)] if has_other(e) => continue,
            [_] => "its type has no `Other(String)` variant".to_owned(),
            _ => format!(
                "progenitor still writes its own `{}` beside the open one ({} definitions)",
                open.name,
                named.len()
            ),
        };
        return Err(SpecError::at(
            file,
            &format!(
                "/components/schemas/{}/x-extensible-enum",
                escape(&open.name)
            ),
            format!(
                "codegen pass `open_enum` did not make `{}` open: {why}",
                open.name
            ),
        ));
    }
    Ok(())
}

/// Whether the enum has the `Other(String)` variant [`render`] writes.
fn has_other(item: &syn::ItemEnum) -> bool {
    item.variants.iter().any(|variant| {
        variant.ident == "Other"
            && matches!(&variant.fields, syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1)
    })
}

/// `account admin` → `AccountAdmin`, `end-user` → `EndUser`, `financeUser` → `FinanceUser`.
pub fn variant_name(value: &str) -> String {
    let mut name = String::new();
    for word in value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.extend(chars);
        }
    }
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    name
}

/// Rust source for the enum and its trait impls.
pub fn render(open: &OpenEnum) -> String {
    let name = &open.name;
    let mut out = String::new();
    let doc = open
        .description
        .as_deref()
        .unwrap_or("An open set of values.");
    for line in doc.lines() {
        let _ = writeln!(out, "#[doc = {:?}]", line);
    }
    let _ = writeln!(out, "#[doc = \"\"]");
    let _ = writeln!(
        out,
        "#[doc = \"Open: a value the spec does not list is kept in [`{name}::Other`] instead of failing.\"]"
    );
    // Compared, hashed and ordered by the value, not derived from the variants' order: a value
    // the spec adds moves `Other` down the list, which would reorder a derived `Ord` (a breaking
    // change by cargo-semver-checks' `partial_ord_enum_variants_reordered`), and `Other("x")`
    // would differ from the variant for `x`.
    let _ = writeln!(out, "#[derive(Clone, Debug)]");
    let _ = writeln!(out, "pub enum {name} {{");
    for (value, variant) in &open.values {
        let _ = writeln!(out, "    #[doc = {:?}]", format!("`{value}`"));
        let _ = writeln!(out, "    {variant},");
    }
    let _ = writeln!(
        out,
        "    /// A value this version of the spec does not list, kept as the server sent it."
    );
    let _ = writeln!(out, "    Other(::std::string::String),");
    let _ = writeln!(out, "}}");

    let _ = writeln!(out, "impl {name} {{");
    let _ = writeln!(
        out,
        "    /// Every value the spec lists, in its documented spelling."
    );
    let listed: Vec<String> = open.values.iter().map(|(v, _)| format!("{v:?}")).collect();
    let _ = writeln!(
        out,
        "    pub const KNOWN: &'static [&'static str] = &[{}];",
        listed.join(", ")
    );
    let _ = writeln!(
        out,
        "    /// The value as documented, or as received for [`{name}::Other`]."
    );
    let _ = writeln!(out, "    pub fn as_str(&self) -> &str {{");
    let _ = writeln!(out, "        match self {{");
    for (value, variant) in &open.values {
        let _ = writeln!(out, "            Self::{variant} => {value:?},");
    }
    let _ = writeln!(out, "            Self::Other(value) => value.as_str(),");
    let _ = writeln!(out, "        }}\n    }}");
    let _ = writeln!(out, "    /// Whether the value is one the spec lists.");
    let _ = writeln!(
        out,
        "    pub fn is_known(&self) -> bool {{ !matches!(self, Self::Other(_)) }}"
    );
    let _ = writeln!(out, "}}");

    let _ = writeln!(out, "impl ::std::convert::From<&str> for {name} {{");
    let _ = writeln!(out, "    fn from(value: &str) -> Self {{");
    if open.case_insensitive {
        for (known, variant) in &open.values {
            let _ = writeln!(
                out,
                "        if value.eq_ignore_ascii_case({known:?}) {{ return Self::{variant}; }}"
            );
        }
        let _ = writeln!(out, "        Self::Other(value.to_owned())");
    } else {
        let _ = writeln!(out, "        match value {{");
        for (known, variant) in &open.values {
            let _ = writeln!(out, "            {known:?} => Self::{variant},");
        }
        let _ = writeln!(out, "            other => Self::Other(other.to_owned()),");
        let _ = writeln!(out, "        }}");
    }
    let _ = writeln!(out, "    }}\n}}");

    let _ = write!(
        out,
        r#"impl ::std::convert::From<::std::string::String> for {name} {{
    fn from(value: ::std::string::String) -> Self {{
        match Self::from(value.as_str()) {{
            Self::Other(_) => Self::Other(value),
            known => known,
        }}
    }}
}}
impl ::std::str::FromStr for {name} {{
    type Err = ::std::convert::Infallible;
    fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {{
        Ok(Self::from(value))
    }}
}}
impl ::std::cmp::PartialEq for {name} {{
    fn eq(&self, other: &Self) -> bool {{
        self.as_str() == other.as_str()
    }}
}}
impl ::std::cmp::Eq for {name} {{}}
impl ::std::hash::Hash for {name} {{
    fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {{
        self.as_str().hash(state)
    }}
}}
impl ::std::cmp::PartialOrd for {name} {{
    fn partial_cmp(&self, other: &Self) -> ::std::option::Option<::std::cmp::Ordering> {{
        Some(self.cmp(other))
    }}
}}
impl ::std::cmp::Ord for {name} {{
    fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {{
        self.as_str().cmp(other.as_str())
    }}
}}
impl ::std::fmt::Display for {name} {{
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{
        f.write_str(self.as_str())
    }}
}}
impl ::serde::Serialize for {name} {{
    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {{
        serializer.serialize_str(self.as_str())
    }}
}}
impl<'de> ::serde::Deserialize<'de> for {name} {{
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {{
        ::rollcall_runtime::decode::open_enum(deserializer)
    }}
}}
"#
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role() -> OpenEnum {
        OpenEnum {
            name: "Role".into(),
            description: None,
            values: vec![("admin".into(), "Admin".into())],
            case_insensitive: false,
        }
    }

    fn items(text: &str) -> Vec<syn::Item> {
        syn::parse_str::<syn::File>(text).unwrap().items
    }

    #[test]
    fn the_check_fails_unless_each_open_enum_is_ours_alone() {
        let open = [role()];
        let ours = render(&open[0]);
        check("specs/t.yaml", &open, &items(&ours)).unwrap();

        // progenitor ignored the replacement: its closed enum sits beside ours.
        let both = format!("pub enum Role {{ Admin }}\n{ours}");
        assert_eq!(
            check("specs/t.yaml", &open, &items(&both))
                .unwrap_err()
                .to_string(),
            "specs/t.yaml#/components/schemas/Role/x-extensible-enum: codegen pass `open_enum` did \
             not make `Role` open: progenitor still writes its own `Role` beside the open one (2 \
             definitions)"
        );
        // Only progenitor's closed enum, or nothing at all.
        let closed = check("specs/t.yaml", &open, &items("pub enum Role { Admin }"));
        assert!(
            closed
                .unwrap_err()
                .to_string()
                .contains("no `Other(String)` variant")
        );
        let none = check("specs/t.yaml", &open, &items("pub struct User;"));
        assert!(none.unwrap_err().to_string().contains("have no such type"));
    }
}
