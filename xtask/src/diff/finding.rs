//! What the diff reports: one finding per change, with how bad it is for a downstream crate.

use serde::Serialize;

/// How a change lands on a crate that depends on `rollcall`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Code that compiled stops compiling, or a call or response that worked stops working.
    Breaking,
    /// Still compiles, but behaves differently: a reviewer should look.
    Warning,
    /// Something new, old code unaffected.
    Addition,
}

impl Severity {
    /// The worse of two severities (a schema used both ways gets the worse verdict).
    pub fn worst(self, other: Severity) -> Severity {
        self.min(other)
    }
}

/// How a change shows in the generated crate, which decides what can check the verdict: the
/// semver lints of cargo-semver-checks see [`Impact::Api`] only (`cargo xtask semver`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    /// An item, method, field or variant appears or goes, or a struct or enum gains a member:
    /// what cargo-semver-checks lints.
    Api,
    /// A public field's or a setter's Rust type changes (`T` → `Option<T>`, `i64` → `String`):
    /// rustc refuses old code, but cargo-semver-checks has no lint for type changes yet.
    FieldType,
    /// The API stays; what a call sends or accepts changes (a request fails at `send()`, a
    /// response fails to parse, another URL is requested). Only the spec shows it.
    Behaviour,
}

impl Impact {
    /// The impact a rule's finding of `severity` has (one place, so the rules table and the
    /// findings cannot drift apart).
    pub fn of(rule: &str, severity: Severity) -> Impact {
        match rule {
            "type-changed" => Impact::FieldType,
            // A change of `required`/`nullable` is breaking exactly when the field's type
            // changes (`T` ↔ `Option<T>`); otherwise it changes what parses or what is sent.
            "property-optional"
            | "property-required"
            | "property-nullable"
            | "property-not-nullable" => {
                if severity == Severity::Breaking {
                    Impact::FieldType
                } else {
                    Impact::Behaviour
                }
            }
            // Breaking only when it renames a constructor or a servers variant.
            "extension-changed" => {
                if severity == Severity::Breaking {
                    Impact::Api
                } else {
                    Impact::Behaviour
                }
            }
            "provider-added"
            | "provider-removed"
            | "security-scheme-removed"
            | "security-scheme-added"
            | "operation-removed"
            | "operation-added"
            | "operation-renamed"
            | "parameter-removed"
            | "parameter-added"
            | "pagination-removed"
            | "pagination-added"
            | "schema-removed"
            | "schema-added"
            | "enum-openness"
            | "enum-value-removed"
            | "enum-value-added"
            | "property-removed"
            | "property-added"
            | "variant-removed"
            | "variant-added" => Impact::Api,
            _ => Impact::Behaviour,
        }
    }
}

/// One change between the two versions of a spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// The rule that found it (xtask/RULES.md).
    pub rule: &'static str,
    /// JSON pointer of what changed: in the working tree, or in BASE for what was removed.
    pub pointer: String,
    /// What changed and what follows, one line.
    pub message: String,
    /// The generated Rust item it affects, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rust: Option<String>,
    /// How it shows in the generated crate.
    pub impact: Impact,
    /// The waiver that accepts it (`specs/waivers/diff.yaml`), when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<Waived>,
}

/// Why a finding is accepted: a waiver's reason and how long it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waived {
    /// The maintainer's reason.
    pub reason: String,
    /// The last day the waiver holds (`YYYY-MM-DD`).
    pub expires: String,
}

impl Finding {
    /// A finding with the impact its rule gives it.
    pub fn new(
        severity: Severity,
        rule: &'static str,
        pointer: String,
        message: String,
        rust: Option<String>,
    ) -> Self {
        Self {
            severity,
            rule,
            pointer,
            message,
            rust,
            impact: Impact::of(rule, severity),
            waived: None,
        }
    }
}

/// Collects findings.
#[derive(Debug, Default)]
pub struct Findings {
    /// What was found so far.
    pub list: Vec<Finding>,
}

impl Findings {
    /// Records a finding.
    pub fn push(
        &mut self,
        severity: Severity,
        rule: &'static str,
        pointer: &str,
        message: impl Into<String>,
        rust: Option<String>,
    ) {
        self.list.push(Finding::new(
            severity,
            rule,
            pointer.to_owned(),
            crate::spec::one_line(&message.into()),
            rust,
        ));
    }

    /// Records a finding whose impact is not the one its rule usually has.
    pub fn push_impact(
        &mut self,
        severity: Severity,
        impact: Impact,
        rule: &'static str,
        pointer: &str,
        message: impl Into<String>,
        rust: Option<String>,
    ) {
        self.push(severity, rule, pointer, message, rust);
        if let Some(last) = self.list.last_mut() {
            last.impact = impact;
        }
    }
}
