//! The Rust names progenitor and typify give to spec items, so a finding can name what it breaks.
//!
//! These mirror `sanitize` in progenitor-impl and typify-impl 0.8 (heck's case conversion, a
//! leading non-identifier character prefixed, keywords suffixed with `_`); the snapshot tests of
//! the generated crate are what catch a drift.

use heck::{ToPascalCase, ToSnakeCase};

use crate::codegen::open_enum;

/// `list_users` → `list_users`, `page[size]` → `page_size`, `Sequence-Version` → `sequence_version`,
/// `self` → `self_`.
pub fn snake(name: &str) -> String {
    sanitize(name, |s| s.to_snake_case(), "x")
}

/// `list_users` → `ListUsers`, `list_users-role` → `ListUsersRole`.
pub fn pascal(name: &str) -> String {
    sanitize(name, |s| s.to_pascal_case(), "X")
}

fn sanitize(name: &str, case: impl Fn(&str) -> String, prefix: &str) -> String {
    let cleaned: String = name
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let out = match name {
        "+1" => "plus1".to_owned(),
        "-1" => "minus1".to_owned(),
        _ => case(&cleaned),
    };
    let out = match out.chars().next() {
        None => prefix.to_owned(),
        Some(c) if c.is_alphabetic() || c == '_' => out,
        Some(_) => format!("{prefix}{out}"),
    };
    if KEYWORDS.contains(&out.as_str()) {
        format!("{out}_")
    } else {
        out
    }
}

const KEYWORDS: &[&str] = &[
    "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "Self", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Paths into one provider's module of the `rollcall` crate.
#[derive(Debug, Clone)]
pub struct Module {
    root: String,
}

impl Module {
    /// The module of a provider named in kebab-case (`zendesk-sell` → `rollcall::zendesk_sell`).
    pub fn of(provider: &str) -> Self {
        Self {
            root: format!("rollcall::{}", provider.replace('-', "_")),
        }
    }

    /// `rollcall::<module>`.
    pub fn path(&self) -> &str {
        &self.root
    }

    /// `rollcall::<module>::Client::<operation>`.
    pub fn method(&self, operation_id: &str) -> String {
        format!("{}::Client::{}", self.root, snake(operation_id))
    }

    /// `rollcall::<module>::builder::<Operation>::<parameter>`: the builder setter.
    pub fn setter(&self, operation_id: &str, parameter: &str) -> String {
        format!(
            "{}::builder::{}::{}",
            self.root,
            pascal(operation_id),
            snake(parameter)
        )
    }

    /// `rollcall::<module>::types::<Name>` for a generated type name.
    pub fn ty(&self, type_name: &str) -> String {
        format!("{}::types::{}", self.root, type_name)
    }

    /// `rollcall::<module>::types::<Name>::<field>`.
    pub fn field(&self, type_name: &str, property: &str) -> String {
        format!("{}::types::{}::{}", self.root, type_name, snake(property))
    }

    /// A variant of a closed (typify) enum.
    pub fn variant(&self, type_name: &str, value: &str) -> String {
        format!("{}::types::{}::{}", self.root, type_name, pascal(value))
    }

    /// A variant of one of our open enums (`x-extensible-enum`).
    pub fn open_variant(&self, type_name: &str, value: &str) -> String {
        format!(
            "{}::types::{}::{}",
            self.root,
            type_name,
            open_enum::variant_name(value)
        )
    }
}

/// The name typify gives an inline schema found under `parent` at `part` (a property name,
/// `item`, ...): `User` + `group` → `UserGroup`.
pub fn nested(parent: &str, part: &str) -> String {
    pascal(&format!("{parent}-{part}"))
}

/// The type typify picks for a scalar schema, so a change of `format` or bounds can be told apart
/// from one that changes the Rust type. `None` for non-scalars.
pub fn scalar_type(schema: &serde_json::Value) -> Option<String> {
    let kind = schema.get("type")?.as_str()?;
    let format = schema.get("format").and_then(|f| f.as_str());
    let text = match kind {
        "boolean" => "bool".to_owned(),
        "number" => match format {
            Some("float") => "f32".to_owned(),
            _ => "f64".to_owned(),
        },
        "string" => match format {
            Some("uuid") => "uuid::Uuid".to_owned(),
            Some("date") => "chrono::NaiveDate".to_owned(),
            Some("date-time") => "chrono::DateTime<chrono::Utc>".to_owned(),
            Some("ip") => "std::net::IpAddr".to_owned(),
            Some("ipv4") => "std::net::Ipv4Addr".to_owned(),
            Some("ipv6") => "std::net::Ipv6Addr".to_owned(),
            _ if ["pattern", "minLength", "maxLength"]
                .iter()
                .any(|k| schema.get(*k).is_some()) =>
            {
                "a constrained String newtype".to_owned()
            }
            _ => "String".to_owned(),
        },
        "integer" => integer_type(schema, format),
        _ => return None,
    };
    Some(text)
}

/// typify-impl 0.8 `convert_integer`, reduced to the cases a spec of ours can reach.
fn integer_type(schema: &serde_json::Value, format: Option<&str>) -> String {
    const FORMATS: &[(&str, &str, &str, f64, f64)] = &[
        ("int8", "i8", "NonZeroU8", i8::MIN as f64, i8::MAX as f64),
        ("uint8", "u8", "NonZeroU8", u8::MIN as f64, u8::MAX as f64),
        (
            "int16",
            "i16",
            "NonZeroU16",
            i16::MIN as f64,
            i16::MAX as f64,
        ),
        (
            "uint16",
            "u16",
            "NonZeroU16",
            u16::MIN as f64,
            u16::MAX as f64,
        ),
        ("int", "i32", "NonZeroU32", i32::MIN as f64, i32::MAX as f64),
        (
            "int32",
            "i32",
            "NonZeroU32",
            i32::MIN as f64,
            i32::MAX as f64,
        ),
        (
            "uint",
            "u32",
            "NonZeroU32",
            u32::MIN as f64,
            u32::MAX as f64,
        ),
        (
            "uint32",
            "u32",
            "NonZeroU32",
            u32::MIN as f64,
            u32::MAX as f64,
        ),
        (
            "int64",
            "i64",
            "NonZeroU64",
            i64::MIN as f64,
            i64::MAX as f64,
        ),
        (
            "uint64",
            "u64",
            "NonZeroU64",
            u64::MIN as f64,
            u64::MAX as f64,
        ),
    ];
    let number = |key: &str| schema.get(key).and_then(|v| v.as_f64());
    let flag = |key: &str| schema.get(key).and_then(|v| v.as_bool()) == Some(true);
    // OpenAPI 3.0 spells exclusive bounds as booleans beside minimum/maximum.
    let mut min = number("minimum").map(|m| if flag("exclusiveMinimum") { m + 1.0 } else { m });
    let mut max = number("maximum").map(|m| if flag("exclusiveMaximum") { m - 1.0 } else { m });
    let multiple = schema.get("multipleOf").is_some();
    if let Some((_, ty, nz, imin, imax)) = format.and_then(|f| FORMATS.iter().find(|e| e.0 == f)) {
        let fits = min.is_none_or(|m| m >= *imin) && max.is_none_or(|m| m <= *imax);
        if !multiple && fits {
            return if min == Some(1.0) {
                format!("std::num::{nz}")
            } else {
                (*ty).to_owned()
            };
        }
        min = min.or(Some(*imin));
        max = max.or(Some(*imax));
    }
    let same = |a: f64, b: f64| (a - b).abs() <= f64::EPSILON;
    let found = match (min, max) {
        (None, Some(max)) => FORMATS
            .iter()
            .rev()
            .find(|e| same(e.4, max))
            .map(|e| e.1.to_owned()),
        (Some(min), None) => FORMATS.iter().rev().find_map(|e| {
            if min == 1.0 {
                Some(format!("std::num::{}", e.2))
            } else {
                same(e.3, min).then(|| e.1.to_owned())
            }
        }),
        (Some(min), Some(max)) => FORMATS.iter().rev().find_map(|e| {
            if min == 1.0 {
                Some(format!("std::num::{}", e.2))
            } else {
                (same(e.4, max) && same(e.3, min)).then(|| e.1.to_owned())
            }
        }),
        (None, None) => None,
    };
    found.unwrap_or_else(|| "i64".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_match_the_generated_code() {
        assert_eq!(snake("page[size]"), "page_size");
        assert_eq!(snake("Sequence-Version"), "sequence_version");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("sequenceAccountIds"), "sequence_account_ids");
        assert_eq!(pascal("list_users"), "ListUsers");
        assert_eq!(pascal("list_users-role[]"), "ListUsersRole");
        assert_eq!(pascal("id:desc"), "IdDesc");
        assert_eq!(pascal("end-user"), "EndUser");
        assert_eq!(nested("User", "group"), "UserGroup");
        assert_eq!(nested("User", "zendesk_user_id"), "UserZendeskUserId");
    }

    #[test]
    fn integer_types_follow_typify() {
        let ty = |v| scalar_type(&v).unwrap();
        assert_eq!(ty(json!({"type": "integer"})), "i64");
        assert_eq!(
            ty(json!({"type": "integer", "minimum": 1, "maximum": 100})),
            "std::num::NonZeroU64"
        );
        assert_eq!(ty(json!({"type": "integer", "format": "int32"})), "i32");
        assert_eq!(
            ty(json!({"type": "integer", "format": "int64", "minimum": 1})),
            "std::num::NonZeroU64"
        );
        assert_eq!(
            ty(json!({"type": "string", "format": "date-time"})),
            "chrono::DateTime<chrono::Utc>"
        );
        assert_eq!(ty(json!({"type": "string", "format": "uri"})), "String");
    }
}
