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
        self.list.push(Finding {
            severity,
            rule,
            pointer: pointer.to_owned(),
            message: crate::spec::one_line(&message.into()),
            rust,
        });
    }
}
