//! Drift: where what a server sends no longer matches the spec a client was generated from — a
//! property the spec does not declare, a value an open enum does not list, a required property
//! missing, a null where the spec allows none, another type or format, a status, content type
//! or rate-limit header the operation does not declare.
//!
//! Codegen writes each provider's [`DriftSpec`]: the list operations' responses and the schemas
//! of their bodies as a flat table of [`Node`]s, each with its JSON pointer into the spec. A walk
//! with drift on checks every response it reads against it, as the body is decoded, and
//! counts one [`Finding`] per (pointer, kind) with the page it was first seen on and the JSON
//! type seen — never a value (accounts are personal data): the report can be attached to a
//! pull request. `cargo xtask drift` turns reports into spec edits.
//!
//! Why not a JSON Schema validator: a finding must name the place in *our* spec that an edit
//! fixes (the property to add, the enum to extend) and say which of a few kinds it is, and it
//! must ignore what OpenAPI allows silently (undeclared properties). A validator reports
//! failed keywords against its own compiled schema; mapping those back costs more than this
//! walk over the table codegen already has.

mod check;
mod tee;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

use check::{Ctx, Found, Seed};
use tee::Tee;

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

    fn operation(&self, operation: &str) -> Option<&'static DriftOperation> {
        self.spec
            .operations
            .iter()
            .find(|o| o.operation == operation)
    }

    /// Checks the status and headers of one response of `operation`, read on walk page
    /// `page` (every attempt's, retried ones too); its body is checked as it is decoded
    /// ([`decode`](Self::decode)).
    pub(crate) fn observe(
        &self,
        operation: &str,
        page: u64,
        status: u16,
        headers: &reqwest::header::HeaderMap,
    ) {
        let Some(op) = self.operation(operation) else {
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
        }
        self.record(found, page);
    }

    /// Decodes the success body of `operation`, read on walk page `page`, checking it against
    /// the spec as it is decoded: one parse, as without drift checks. A body the typed decode
    /// gives up on is then checked whole, so that its findings are all reported before the
    /// error (not only those before the break).
    pub(crate) fn decode<T: serde::de::DeserializeOwned>(
        &self,
        operation: &str,
        page: u64,
        body: &[u8],
    ) -> Result<T, serde_json::Error> {
        let Some(root) = self.operation(operation).and_then(|op| op.body) else {
            return serde_json::from_slice(body);
        };
        let ctx = Ctx::new(self.spec.nodes, self.enum_values);
        let mut reader = serde_json::Deserializer::from_slice(body);
        let decoded = T::deserialize(Tee {
            de: &mut reader,
            at: root,
            ctx: &ctx,
        })
        .and_then(|value| reader.end().map(|()| value));
        match decoded {
            Ok(value) => {
                self.record(ctx.found.into_inner(), page);
                Ok(value)
            }
            Err(error) => {
                let ctx = Ctx::new(self.spec.nodes, self.enum_values);
                let mut reader = serde_json::Deserializer::from_slice(body);
                let _ = serde::de::DeserializeSeed::deserialize(
                    Seed {
                        ctx: &ctx,
                        index: root,
                    },
                    &mut reader,
                );
                self.record(ctx.found.into_inner(), page);
                Err(error)
            }
        }
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

fn op_at(op: &DriftOperation, member: &str) -> String {
    format!("{}/{member}", op.at)
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
        drift.observe("list_users", 3, 200, &headers);
        let _: serde_json::Value = drift.decode("list_users", 3, body).unwrap();
        drift.observe("list_users", 4, 302, &headers);
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
        let _: serde_json::Value = with_values.decode("list_users", 1, body).unwrap();
        let report = with_values.report("acme", "f00");
        assert_eq!(report.findings[0].values, ["on-leave"]);
        // An address in an enum is data, not vocabulary: never kept.
        let address = br#"{"users": [{"id": 3, "status": "someone@example.com"}]}"#;
        let _: serde_json::Value = with_values.decode("list_users", 2, address).unwrap();
        let report = with_values.report("acme", "f00");
        assert_eq!(report.findings[0].count, 2);
        assert_eq!(report.findings[0].values, ["on-leave"]);
    }

    /// What the walk's generated types look like: the checks ride on their decode.
    #[derive(serde::Deserialize)]
    struct Page {
        users: Vec<User>,
    }

    #[derive(serde::Deserialize)]
    struct User {
        id: i64,
        status: Option<String>,
    }

    fn kinds(report: &DriftReport) -> Vec<(String, &'static str, String)> {
        report
            .findings
            .iter()
            .map(|f| (f.pointer.clone(), f.kind.name(), f.seen.clone()))
            .collect()
    }

    #[test]
    fn the_typed_decode_finds_what_a_walk_over_the_json_finds() {
        let body = br#"{"users": [
            {"id": 1, "status": "on-leave", "extra": [1, {"a": 2}]},
            {"id": 2, "status": null, "status_text": "x"}
        ], "more": true}"#;
        let typed = Drift::new(&SPEC, true);
        let page: Page = typed.decode("list_users", 1, body).unwrap();
        assert_eq!(page.users.iter().map(|u| u.id).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(page.users[0].status.as_deref(), Some("on-leave"));
        let untyped = Drift::new(&SPEC, true);
        let _: serde_json::Value = untyped.decode("list_users", 1, body).unwrap();
        let report = typed.report("acme", "f00");
        assert_eq!(report, untyped.report("acme", "f00"));
        let at = |s: &str| s.to_owned();
        assert_eq!(
            kinds(&report),
            [
                (
                    at("/components/schemas/Page/properties/more"),
                    "undeclared-property",
                    at("boolean")
                ),
                (
                    at("/components/schemas/Status"),
                    "unknown-enum-value",
                    at("string")
                ),
                (
                    at("/components/schemas/Status"),
                    "unexpected-null",
                    at("null")
                ),
                (
                    at("/components/schemas/User/properties/extra"),
                    "undeclared-property",
                    at("array")
                ),
                (
                    at("/components/schemas/User/properties/status_text"),
                    "undeclared-property",
                    at("string")
                ),
            ]
        );
    }

    #[test]
    fn a_body_the_typed_decode_refuses_is_checked_whole_before_the_error() {
        // The first record breaks the decode; what the second holds is still reported.
        let body = br#"{"users": [{"id": "two"}, {"id": 3, "status": "gone", "x": 1}]}"#;
        let drift = Drift::new(&SPEC, false);
        let decoded = drift.decode::<Page>("list_users", 7, body);
        assert!(decoded.is_err());
        let report = drift.report("acme", "f00");
        let at = |s: &str| s.to_owned();
        assert_eq!(
            kinds(&report),
            [
                (
                    at("/components/schemas/Status"),
                    "unknown-enum-value",
                    at("string")
                ),
                (
                    at("/components/schemas/User/properties/id"),
                    "type-mismatch",
                    at("string")
                ),
                (
                    at("/components/schemas/User/properties/x"),
                    "undeclared-property",
                    at("integer")
                ),
            ]
        );
        assert!(
            report
                .findings
                .iter()
                .all(|f| f.first_page == 7 && f.count == 1)
        );
    }
}
