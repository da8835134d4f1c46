//! The diff's report: per provider, findings by severity, then the release `rollcall` needs.

use std::fmt::Write as _;

use serde::Serialize;

use super::finding::{Finding, Severity};

/// The version bump a set of findings calls for, with 1.0 rules (a breaking change is major
/// even while the crate is 0.x, so the report says what the change is, not what cargo allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing changed.
    None,
    /// Only descriptions or examples changed: the docs of the generated code.
    Patch,
    /// Additions or warnings: compatible, but new.
    Minor,
    /// At least one breaking change.
    Major,
}

/// What happened to one provider's spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// In both versions, unchanged.
    Unchanged,
    /// In both versions, changed.
    Changed,
    /// New in the working tree.
    Added,
    /// Gone from the working tree.
    Removed,
}

/// One provider's part of the report.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderReport {
    /// The provider (spec file stem).
    pub provider: String,
    /// Its module in `rollcall`.
    pub module: String,
    /// What happened to its spec.
    pub status: Status,
    /// Findings, breaking first.
    pub findings: Vec<Finding>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The revision compared against.
    pub base: String,
    /// Every provider in either version, by name.
    pub providers: Vec<ProviderReport>,
    /// The release `rollcall` needs.
    pub bump: Bump,
}

impl ProviderReport {
    /// Sorts findings into report order: severity, then pointer, then rule and message.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (a.severity, &a.pointer, a.rule, &a.message)
                .cmp(&(b.severity, &b.pointer, b.rule, &b.message))
        });
        self.findings.dedup();
    }
}

impl Report {
    /// Builds the report and its verdict.
    pub fn new(base: &str, mut providers: Vec<ProviderReport>) -> Self {
        providers.sort_by(|a, b| a.provider.cmp(&b.provider));
        for provider in &mut providers {
            provider.sort();
        }
        let all = || providers.iter().flat_map(|p| &p.findings);
        let bump = if all().any(|f| f.severity == Severity::Breaking) {
            Bump::Major
        } else if all().next().is_some() {
            Bump::Minor
        } else if providers.iter().any(|p| p.status != Status::Unchanged) {
            Bump::Patch
        } else {
            Bump::None
        };
        Self {
            base: base.to_owned(),
            providers,
            bump,
        }
    }

    /// How many findings of `severity` there are.
    pub fn count(&self, severity: Severity) -> usize {
        self.providers
            .iter()
            .flat_map(|p| &p.findings)
            .filter(|f| f.severity == severity)
            .count()
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Spec changes: `{}` → working tree", self.base);
        for provider in &self.providers {
            let _ = writeln!(out, "\n## {} (`{}`)\n", provider.provider, provider.module);
            match provider.status {
                Status::Unchanged => {
                    let _ = writeln!(out, "No change.");
                    continue;
                }
                Status::Changed if provider.findings.is_empty() => {
                    let _ = writeln!(
                        out,
                        "Descriptions or examples changed; nothing the generated API exposes."
                    );
                    continue;
                }
                _ => {}
            }
            for (severity, title) in [
                (Severity::Breaking, "Breaking"),
                (Severity::Warning, "Warnings"),
                (Severity::Addition, "Additions"),
            ] {
                let found: Vec<&Finding> = provider
                    .findings
                    .iter()
                    .filter(|f| f.severity == severity)
                    .collect();
                if found.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "### {title}\n");
                for finding in found {
                    let _ = writeln!(out, "- {} (`{}`)", finding.message, finding.rule);
                    if finding.pointer.is_empty() {
                        let _ = write!(out, "  at `specs/{}.yaml`", provider.provider);
                    } else {
                        let _ = write!(out, "  at `#{}`", finding.pointer);
                    }
                    if let Some(rust) = &finding.rust {
                        let _ = write!(out, "; affects `{rust}`");
                    }
                    let _ = writeln!(out);
                }
                let _ = writeln!(out);
            }
            while out.ends_with("\n\n") {
                out.pop();
            }
        }
        let (b, w, a) = (
            self.count(Severity::Breaking),
            self.count(Severity::Warning),
            self.count(Severity::Addition),
        );
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let verdict = match self.bump {
            Bump::Major => "a **major** release",
            Bump::Minor => "a **minor** release",
            Bump::Patch => "a **patch** release",
            Bump::None => "no release",
        };
        let _ = writeln!(
            out,
            "\n## Verdict\n\n`rollcall` needs {verdict}: {}, {}, {}.",
            plural(b, "breaking change", "breaking changes"),
            plural(w, "warning", "warnings"),
            plural(a, "addition", "additions"),
        );
        out
    }
}
