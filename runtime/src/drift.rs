//! Drift: where what a server sends no longer matches the spec a client was generated from — a
//! property the spec does not declare, a value an open enum does not list, a required property
//! missing, a null where the spec allows none, another type or format, a status, content type
//! or rate-limit header the operation does not declare.
//!
//! Codegen writes each provider's [`DriftSpec`]: the list operations' responses and the schemas
//! of their bodies as a flat table of [`Node`]s, each with its JSON pointer into the spec. A walk
//! with drift on checks every response it reads against it, before the body is decoded, and
//! counts one [`Finding`] per (pointer, kind) with the page it was first seen on and the JSON
//! type seen — never a value (accounts are personal data): the report can be attached to a
//! pull request. `cargo xtask drift` turns reports into spec edits.
//!
//! Why not a JSON Schema validator: a finding must name the place in *our* spec that an edit
//! fixes (the property to add, the enum to extend) and say which of a few kinds it is, and it
//! must ignore what OpenAPI allows silently (undeclared properties). A validator reports
//! failed keywords against its own compiled schema; mapping those back costs more than this
//! walk over the table codegen already has.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

/// What a provider's spec says its walked responses look like; generated from the spec.
#[derive(Debug)]
pub struct DriftSpec {
    /// The operations a walk calls, with what their responses may be.
    pub operations: &'static [DriftOperation],
    /// Every schema node the bodies reach; indices are positions in this table.
    pub nodes: &'static [Node],
    /// Findings the spec accepts on purpose (`x-rollcall-drift-ignore`): (pointer, kind).
    pub ignored: &'static [(&'static str, &'static str)],
}

impl DriftSpec {
    /// A spec that knows no operation: nothing is checked.
    pub const EMPTY: DriftSpec = DriftSpec {
        operations: &[],
        nodes: &[],
        ignored: &[],
    };
}

/// One operation's responses.
#[derive(Debug)]
pub struct DriftOperation {
    /// The operationId.
    pub operation: &'static str,
    /// The pointer of the operation in the spec (`/paths/~1users/get`).
    pub at: &'static str,
    /// The statuses it declares (`200`, `4XX`, `default`).
    pub statuses: &'static [&'static str],
    /// The content types of its success body (none: any, `x-rollcall.any-content-type`).
    pub content_types: &'static [&'static str],
    /// The response headers it declares, lower-case.
    pub headers: &'static [&'static str],
    /// The success body's schema node.
    pub body: Option<u16>,
}

/// One schema of the spec.
#[derive(Debug)]
pub struct Node {
    /// Its JSON pointer in the spec.
    pub at: &'static str,
    /// Whether `null` is allowed.
    pub nullable: bool,
    /// What it holds.
    pub ty: Ty,
}

/// What a schema node holds.
#[derive(Debug)]
pub enum Ty {
    /// An object with these properties; `map` when it declares `additionalProperties` (a map
    /// whose keys are data, not names to declare).
    Object {
        /// Each property and its node, sorted by name length, then name (found by binary
        /// search).
        properties: &'static [(&'static str, u16)],
        /// The required ones.
        required: &'static [&'static str],
        /// Whether other keys are declared as a map.
        map: bool,
    },
    /// An array of this node.
    Array(u16),
    /// A string with an optional format; `values` lists an enum's values (open: a value not
    /// listed is drift, not an error).
    String {
        /// `date-time`, `date`, `uri`... (only `date-time` and `date` are checked).
        format: Option<&'static str>,
        /// The enum's values, if it is one.
        values: &'static [&'static str],
        /// Whether the values compare without regard to case (`x-rollcall-case-insensitive`).
        ci: bool,
    },
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// One of these.
    OneOf(&'static [u16]),
    /// Anything.
    Any,
}

/// The kinds of drift.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DriftKind {
    /// A property the schema does not declare.
    UndeclaredProperty,
    /// A value of an enum the spec does not list.
    UnknownEnumValue,
    /// A required property missing.
    MissingRequired,
    /// `null` where the schema is not nullable.
    UnexpectedNull,
    /// Another JSON type than declared.
    TypeMismatch,
    /// A string that does not parse as its declared format.
    FormatMismatch,
    /// A response status the operation does not declare.
    UndeclaredStatus,
    /// A success content type the operation does not declare.
    UndeclaredContentType,
    /// A rate-limit or paging header the operation does not declare.
    UndeclaredHeader,
}

impl DriftKind {
    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            DriftKind::UndeclaredProperty => "undeclared-property",
            DriftKind::UnknownEnumValue => "unknown-enum-value",
            DriftKind::MissingRequired => "missing-required",
            DriftKind::UnexpectedNull => "unexpected-null",
            DriftKind::TypeMismatch => "type-mismatch",
            DriftKind::FormatMismatch => "format-mismatch",
            DriftKind::UndeclaredStatus => "undeclared-status",
            DriftKind::UndeclaredContentType => "undeclared-content-type",
            DriftKind::UndeclaredHeader => "undeclared-header",
        }
    }
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One place where the server and the spec disagree.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// The JSON pointer into the spec where an edit would fix it: the schema, the property that
    /// would be declared, the operation's responses.
    pub pointer: String,
    /// What kind of disagreement.
    pub kind: DriftKind,
    /// How often it was seen.
    pub count: u64,
    /// The page of the walk it was first seen on (from 1).
    pub first_page: u64,
    /// What was seen instead: a JSON type (`string`, `number`, `null`...), a status, a content
    /// type or a header name — never a value from a record.
    pub seen: String,
    /// The values of an open enum that the spec does not list (at most 20), unless the walk
    /// was asked not to keep them ([`Config::drift_enum_values`](crate::Config::drift_enum_values)):
    /// an enum's values are the provider's vocabulary, which `cargo xtask drift` adds to the
    /// spec; a value that does not look like one (over 64 characters, or with an `@`) is
    /// never kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// Every finding of a walk, ordered by pointer and kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct DriftReport {
    /// The provider.
    pub provider: String,
    /// The fingerprint of the spec the client was generated from.
    pub spec: String,
    /// The findings.
    pub findings: Vec<Finding>,
}

/// Headers that say something about rate limits or paging, which a spec should declare.
fn watched_header(name: &str) -> bool {
    name == "retry-after"
        || name == "link"
        || name.contains("ratelimit")
        || name.contains("rate-limit")
}

/// A walk's drift: the spec and what was found so far.
#[derive(Debug)]
pub(crate) struct Drift {
    spec: &'static DriftSpec,
    enum_values: bool,
    findings: Mutex<BTreeMap<(String, DriftKind), Finding>>,
}

impl Drift {
    pub(crate) fn new(spec: &'static DriftSpec, enum_values: bool) -> Self {
        Self {
            spec,
            enum_values,
            findings: Mutex::default(),
        }
    }

    /// Checks one response of `operation`, read on walk page `page`.
    pub(crate) fn observe(
        &self,
        operation: &str,
        page: u64,
        status: u16,
        headers: &reqwest::header::HeaderMap,
        body: &[u8],
    ) {
        let Some(op) = self
            .spec
            .operations
            .iter()
            .find(|o| o.operation == operation)
        else {
            return;
        };
        let mut found = Found::default();
        let code = status.to_string();
        let class = format!("{}XX", status / 100);
        if !op
            .statuses
            .iter()
            .any(|s| *s == code || *s == class || *s == "default")
        {
            found.push(
                op_at(op, "responses"),
                DriftKind::UndeclaredStatus,
                code.clone(),
            );
        }
        for (name, _) in headers {
            let name = name.as_str();
            if watched_header(name) && !op.headers.contains(&name) {
                found.push(
                    format!("{}/responses/{code}/headers", op.at),
                    DriftKind::UndeclaredHeader,
                    name.to_owned(),
                );
            }
        }
        if (200..300).contains(&status) {
            let content_type = headers
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|v| {
                    v.split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase()
                })
                .unwrap_or_default();
            if !content_type.is_empty()
                && !op.content_types.is_empty()
                && !op.content_types.contains(&content_type.as_str())
            {
                found.push(
                    format!("{}/responses/{code}/content", op.at),
                    DriftKind::UndeclaredContentType,
                    content_type,
                );
            }
            if let Some(body_node) = op.body {
                // Checked as it is read, with nothing kept: a body that stops being JSON keeps
                // the findings before the break (the walk reports the break itself).
                // UTF-8 is checked once for the whole body, not again for every string.
                let Ok(text) = std::str::from_utf8(body) else {
                    self.record(found, page);
                    return;
                };
                let mut reader = serde_json::Deserializer::from_str(text);
                let _ = serde::de::DeserializeSeed::deserialize(
                    Seed {
                        nodes: self.spec.nodes,
                        index: body_node,
                        found: &mut found,
                        enum_values: self.enum_values,
                    },
                    &mut reader,
                );
            }
        }
        self.record(found, page);
    }

    fn record(&self, found: Found, page: u64) {
        if found.0.is_empty() {
            return;
        }
        let mut findings = self.findings.lock().unwrap_or_else(|e| e.into_inner());
        for (pointer, kind, seen, value) in found.0 {
            if self
                .spec
                .ignored
                .iter()
                .any(|(at, k)| *at == pointer && *k == kind.name())
            {
                continue;
            }
            let finding = findings
                .entry((pointer.clone(), kind))
                .or_insert_with(|| Finding {
                    pointer,
                    kind,
                    count: 0,
                    first_page: page,
                    seen,
                    values: Vec::new(),
                });
            finding.count += 1;
            finding.first_page = finding.first_page.min(page);
            if let Some(value) = value
                && !finding.values.contains(&value)
                && finding.values.len() < 20
            {
                finding.values.push(value);
            }
        }
    }

    /// The findings so far.
    pub(crate) fn report(&self, provider: &str, spec: &str) -> DriftReport {
        let findings = self.findings.lock().unwrap_or_else(|e| e.into_inner());
        DriftReport {
            provider: provider.to_owned(),
            spec: spec.to_owned(),
            findings: findings.values().cloned().collect(),
        }
    }
}

/// Checks one JSON value against node `index` as the deserializer reads it: no value is built
/// or kept (a walk with drift on reads each body twice, so this pass must cost little).
struct Seed<'a> {
    nodes: &'static [Node],
    index: u16,
    found: &'a mut Found,
    enum_values: bool,
}

impl Seed<'_> {
    fn node(&self) -> Option<&'static Node> {
        self.nodes.get(usize::from(self.index))
    }

    /// The node a value of JSON type `kind` is checked against: the node itself, or the first
    /// branch of a union that takes the type; `None` when none does (and then it is recorded).
    fn fitting(&mut self, kind: &'static str) -> Option<&'static Node> {
        let node = self.node()?;
        let takes = |node: &Node| {
            matches!(
                (&node.ty, kind),
                (Ty::Any, _)
                    | (Ty::Object { .. }, "object")
                    | (Ty::Array(_), "array")
                    | (Ty::String { .. }, "string")
                    | (Ty::Boolean, "boolean")
                    | (Ty::Integer, "integer")
                    | (Ty::Number, "integer" | "number")
            )
        };
        let chosen = match &node.ty {
            Ty::OneOf(branches) => branches
                .iter()
                .filter_map(|b| self.nodes.get(usize::from(*b)))
                .find(|b| takes(b)),
            _ => Some(node).filter(|n| takes(n)),
        };
        if chosen.is_none() {
            self.found
                .push(node.at.to_owned(), DriftKind::TypeMismatch, kind.to_owned());
        }
        chosen
    }

    fn child(&mut self, index: u16) -> Seed<'_> {
        Seed {
            nodes: self.nodes,
            index,
            found: self.found,
            enum_values: self.enum_values,
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Seed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Seed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        if let Some(node) = self.node()
            && !node.nullable
            && !matches!(node.ty, Ty::Any)
        {
            let nullable_branch = match &node.ty {
                Ty::OneOf(branches) => branches
                    .iter()
                    .filter_map(|b| self.nodes.get(usize::from(*b)))
                    .any(|b| b.nullable),
                _ => false,
            };
            if !nullable_branch {
                self.found
                    .push(node.at.to_owned(), DriftKind::UnexpectedNull, "null".into());
            }
        }
        Ok(())
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_bool<E>(mut self, _: bool) -> Result<(), E> {
        self.fitting("boolean");
        Ok(())
    }

    fn visit_i64<E>(mut self, _: i64) -> Result<(), E> {
        self.fitting("integer");
        Ok(())
    }

    fn visit_u64<E>(mut self, _: u64) -> Result<(), E> {
        self.fitting("integer");
        Ok(())
    }

    fn visit_f64<E>(mut self, _: f64) -> Result<(), E> {
        self.fitting("number");
        Ok(())
    }

    fn visit_str<E>(mut self, text: &str) -> Result<(), E> {
        let Some(node) = self.fitting("string") else {
            return Ok(());
        };
        if let Ty::String { format, values, ci } = &node.ty {
            let listed = values
                .iter()
                .any(|v| *v == text || (*ci && v.eq_ignore_ascii_case(text)));
            if !values.is_empty() && !listed {
                // Vocabulary, not personal data: a long text or an address is never kept.
                let vocabulary = text.len() <= 64 && !text.contains('@');
                let kept = (self.enum_values && vocabulary).then(|| text.to_owned());
                self.found
                    .push_value(node.at.to_owned(), DriftKind::UnknownEnumValue, kept);
            }
            let parses = match *format {
                Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
                Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
                _ => true,
            };
            if !parses {
                self.found.push(
                    node.at.to_owned(),
                    DriftKind::FormatMismatch,
                    "string".into(),
                );
            }
        }
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        match self.fitting("array").map(|n| &n.ty) {
            Some(Ty::Array(item)) => {
                let item = *item;
                while seq.next_element_seed(self.child(item))?.is_some() {}
            }
            _ => while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {},
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let Some(node) = self.fitting("object") else {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            return Ok(());
        };
        let Ty::Object {
            properties,
            required,
            map: is_map,
        } = &node.ty
        else {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            return Ok(());
        };
        // Which required properties were there: one bit each (specs require a handful).
        let mut present: u64 = 0;
        while let Some(key) = map.next_key_seed(Key)? {
            if let Some(i) = required.iter().position(|r| *r == key) {
                present |= 1u64.checked_shl(i as u32).unwrap_or(0);
            }
            match properties
                .binary_search_by(|(name, _)| (name.len(), *name).cmp(&(key.len(), &*key)))
                .ok()
                .map(|i| properties[i].1)
            {
                Some(child) => map.next_value_seed(self.child(child))?,
                None if *is_map => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
                None => {
                    let kind = map.next_value_seed(Kind)?;
                    self.found.push(
                        format!("{}/properties/{}", node.at, escape(&key)),
                        DriftKind::UndeclaredProperty,
                        kind.to_owned(),
                    );
                }
            }
        }
        for (i, name) in required.iter().enumerate().take(64) {
            if present & (1u64 << i) == 0 {
                self.found.push(
                    format!("{}/required", node.at),
                    DriftKind::MissingRequired,
                    (*name).to_owned(),
                );
            }
        }
        Ok(())
    }
}

/// Reads an object's key, borrowed from the body unless it has escapes (serde's own
/// `Cow<str>` always copies, which cost a third of the check).
struct Key;

impl<'de> serde::de::DeserializeSeed<'de> for Key {
    type Value = std::borrow::Cow<'de, str>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Key {
    type Value = std::borrow::Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(key))
    }
    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(key.to_owned()))
    }
}

/// Reads one JSON value and says only its type.
struct Kind;

impl<'de> serde::de::DeserializeSeed<'de> for Kind {
    type Value = &'static str;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<&'static str, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Kind {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<&'static str, E> {
        Ok("null")
    }
    fn visit_none<E>(self) -> Result<&'static str, E> {
        Ok("null")
    }
    fn visit_bool<E>(self, _: bool) -> Result<&'static str, E> {
        Ok("boolean")
    }
    fn visit_i64<E>(self, _: i64) -> Result<&'static str, E> {
        Ok("integer")
    }
    fn visit_u64<E>(self, _: u64) -> Result<&'static str, E> {
        Ok("integer")
    }
    fn visit_f64<E>(self, _: f64) -> Result<&'static str, E> {
        Ok("number")
    }
    fn visit_str<E>(self, _: &str) -> Result<&'static str, E> {
        Ok("string")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<&'static str, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok("array")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<&'static str, A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok("object")
    }
}

/// The findings of one response, before they are counted.
#[derive(Default)]
struct Found(Vec<(String, DriftKind, String, Option<String>)>);

impl Found {
    fn push(&mut self, pointer: String, kind: DriftKind, seen: String) {
        self.0.push((pointer, kind, seen, None));
    }

    fn push_value(&mut self, pointer: String, kind: DriftKind, value: Option<String>) {
        self.0.push((pointer, kind, "string".into(), value));
    }
}

fn op_at(op: &DriftOperation, member: &str) -> String {
    format!("{}/{member}", op.at)
}

/// A JSON pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

    static NODES: [Node; 5] = [
        Node {
            at: "/components/schemas/Page",
            nullable: false,
            ty: Ty::Object {
                properties: &[("users", 1)],
                required: &["users"],
                map: false,
            },
        },
        Node {
            at: "/components/schemas/Page/properties/users",
            nullable: false,
            ty: Ty::Array(2),
        },
        Node {
            at: "/components/schemas/User",
            nullable: false,
            ty: Ty::Object {
                properties: &[("id", 3), ("status", 4)],
                required: &["id"],
                map: false,
            },
        },
        Node {
            at: "/components/schemas/User/properties/id",
            nullable: false,
            ty: Ty::Integer,
        },
        Node {
            at: "/components/schemas/Status",
            nullable: false,
            ty: Ty::String {
                format: None,
                values: &["active"],
                ci: false,
            },
        },
    ];
    static SPEC: DriftSpec = DriftSpec {
        operations: &[DriftOperation {
            operation: "list_users",
            at: "/paths/~1users/get",
            statuses: &["200", "4XX"],
            content_types: &["application/json"],
            headers: &["retry-after"],
            body: Some(0),
        }],
        nodes: &NODES,
        ignored: &[],
    };

    #[test]
    fn each_kind_is_found_at_its_pointer_without_values() {
        let drift = Drift::new(&SPEC, false);
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("5"));
        let body = br#"{"users": [
            {"id": 1, "status": "active"},
            {"id": "two", "status": "on-leave", "secret_email": "a@b.c"},
            {"status": null}
        ]}"#;
        drift.observe("list_users", 3, 200, &headers, body);
        drift.observe("list_users", 4, 302, &headers, b"");
        let report = drift.report("acme", "f00");
        let found: Vec<(&str, &str, &str)> = report
            .findings
            .iter()
            .map(|f| (f.pointer.as_str(), f.kind.name(), f.seen.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("/components/schemas/Status", "unknown-enum-value", "string"),
                ("/components/schemas/Status", "unexpected-null", "null"),
                (
                    "/components/schemas/User/properties/id",
                    "type-mismatch",
                    "string"
                ),
                (
                    "/components/schemas/User/properties/secret_email",
                    "undeclared-property",
                    "string"
                ),
                (
                    "/components/schemas/User/required",
                    "missing-required",
                    "id"
                ),
                ("/paths/~1users/get/responses", "undeclared-status", "302"),
                (
                    "/paths/~1users/get/responses/200/headers",
                    "undeclared-header",
                    "x-ratelimit-remaining"
                ),
                (
                    "/paths/~1users/get/responses/302/headers",
                    "undeclared-header",
                    "x-ratelimit-remaining"
                ),
            ]
        );
        let text = serde_json::to_string(&report).unwrap();
        for value in ["on-leave", "two", "a@b.c"] {
            assert!(!text.contains(value), "{value} in {text}");
        }
        assert_eq!(report.findings[0].first_page, 3);
        let with_values = Drift::new(&SPEC, true);
        with_values.observe("list_users", 1, 200, &headers, body);
        let report = with_values.report("acme", "f00");
        assert_eq!(report.findings[0].values, ["on-leave"]);
        // An address in an enum is data, not vocabulary: never kept.
        let address = br#"{"users": [{"id": 3, "status": "someone@example.com"}]}"#;
        with_values.observe("list_users", 2, 200, &headers, address);
        let report = with_values.report("acme", "f00");
        assert_eq!(report.findings[0].count, 2);
        assert_eq!(report.findings[0].values, ["on-leave"]);
    }
}
