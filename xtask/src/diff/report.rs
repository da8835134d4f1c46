//! The diff's report: per provider, findings by severity, then the release `rollcall` needs.

use std::fmt::Write as _;

use serde::Serialize;

use super::finding::{Finding, Severity, Waived};
use super::waivers::{WaiverReport, WaiverStatus, Waivers};

/// The version bump a set of findings calls for, by Cargo's semver reference and with 1.0 rules
/// (a breaking change is major even while the crate is 0.x, so the report says what the change
/// is, not what cargo allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing changed.
    None,
    /// Only descriptions or examples changed: the docs of the generated code.
    Patch,
    /// Additions or warnings: compatible in Cargo's terms (received structs and every enum
    /// are `#[non_exhaustive]`), but new or behaving differently.
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
    /// The release this provider's changes alone call for (its cargo feature's).
    pub bump: Bump,
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
    /// Every waiver of `specs/waivers/diff.yaml` and what became of it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverReport>,
}

impl Severity {
    /// The release a finding of this severity calls for. A warning is minor because every
    /// warning is a change Cargo's semver reference calls minor (the rules make any change it
    /// calls major breaking), while old code may behave differently: a patch would hide it.
    pub fn bump(self) -> Bump {
        match self {
            Severity::Breaking => Bump::Major,
            Severity::Warning | Severity::Addition => Bump::Minor,
        }
    }
}

impl ProviderReport {
    /// The release the findings call for (waived ones included: a waiver accepts a change, it
    /// does not make it compatible).
    fn verdict(&self) -> Bump {
        match self.findings.iter().map(|f| f.severity.bump()).max() {
            Some(bump) => bump,
            None if self.status != Status::Unchanged => Bump::Patch,
            None => Bump::None,
        }
    }

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
            provider.bump = provider.verdict();
        }
        let bump = providers.iter().map(|p| p.bump).max().unwrap_or(Bump::None);
        Self {
            base: base.to_owned(),
            providers,
            bump,
            waivers: Vec::new(),
        }
    }

    /// Marks the findings `waivers` accept as of `today` (`YYYY-MM-DD`) and lists every waiver
    /// with what became of it.
    pub fn apply_waivers(&mut self, waivers: &Waivers, today: &str) {
        for waiver in &waivers.list {
            // Dates `YYYY-MM-DD` order as strings do.
            let expired = waiver.expires.as_str() < today;
            let mut matched = false;
            let findings = self
                .providers
                .iter_mut()
                .filter(|p| p.provider == waiver.provider)
                .flat_map(|p| &mut p.findings)
                .filter(|f| f.rule == waiver.rule && f.pointer == waiver.pointer);
            for finding in findings {
                matched = true;
                if !expired && finding.waived.is_none() {
                    finding.waived = Some(Waived {
                        reason: waiver.reason.clone(),
                        expires: waiver.expires.clone(),
                    });
                }
            }
            let status = match (expired, matched) {
                (true, _) => WaiverStatus::Expired,
                (false, true) => WaiverStatus::Applied,
                (false, false) => WaiverStatus::Unused,
            };
            self.waivers.push(WaiverReport {
                waiver: waiver.clone(),
                status,
            });
        }
    }

    /// How many findings of `severity` no waiver accepts (what `--fail-on` counts).
    pub fn count_unwaived(&self, severity: Severity) -> usize {
        self.providers
            .iter()
            .flat_map(|p| &p.findings)
            .filter(|f| f.severity == severity && f.waived.is_none())
            .count()
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
                    if let Some(waived) = &finding.waived {
                        let _ = write!(
                            out,
                            "\n  **waived** until {}: {}",
                            waived.expires, waived.reason
                        );
                    }
                    let _ = writeln!(out);
                }
                let _ = writeln!(out);
            }
            while out.ends_with("\n\n") {
                out.pop();
            }
        }
        let listed: Vec<&WaiverReport> = self
            .waivers
            .iter()
            .filter(|w| w.status != WaiverStatus::Applied)
            .collect();
        if !listed.is_empty() {
            let _ = writeln!(out, "\n## Waivers\n");
            for entry in listed {
                let w = &entry.waiver;
                let what = match entry.status {
                    WaiverStatus::Expired => {
                        format!("**expired** on {}, waives nothing", w.expires)
                    }
                    _ => "**unused**: matches no finding".to_owned(),
                };
                let _ = writeln!(
                    out,
                    "- {what}: `{}` `{}` at `#{}` ({})",
                    w.provider, w.rule, w.pointer, w.reason
                );
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
        let waived = self
            .providers
            .iter()
            .flat_map(|p| &p.findings)
            .filter(|f| f.waived.is_some())
            .count();
        let waived = if waived == 0 {
            String::new()
        } else {
            format!(" ({waived} waived, which `--fail-on` ignores)")
        };
        let _ = writeln!(
            out,
            "\n## Verdict\n\n`rollcall` needs {verdict}: {}, {}, {}{waived}.",
            plural(b, "breaking change", "breaking changes"),
            plural(w, "warning", "warnings"),
            plural(a, "addition", "additions"),
        );
        out
    }
}
