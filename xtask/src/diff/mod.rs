//! `cargo xtask diff [BASE]`: what a spec change does to crates that depend on `rollcall`.
//!
//! Each spec at git revision BASE is compared with the working tree after both are parsed, so
//! the comparison is of meaning (operations, parameters, schemas, servers, security,
//! pagination), not of text. Every change is judged from a downstream crate's side and named
//! by the generated Rust item it touches; the report ends with the version bump it calls for.

mod compare;
mod finding;
mod report;
mod schema;

use std::collections::BTreeSet;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

pub use finding::{Finding, Severity};
pub use report::{Bump, ProviderReport, Report, Status};

use crate::project::Project;
use crate::rust_name::Module;
use crate::spec::Spec;

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The report for a pull request.
    Markdown,
    /// The same, for tools.
    Json,
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Exit 1 when anything is breaking.
    Breaking,
    /// Exit 1 when anything is breaking or a warning.
    Warning,
}

/// Runs the command: prints the report and picks the exit code.
pub fn run(
    project: &Project,
    base: &str,
    format: Format,
    fail_on: Option<FailOn>,
) -> Result<ExitCode> {
    let report = compare(project, base)?;
    match format {
        Format::Markdown => print!("{}", report.markdown()),
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    let failed = match fail_on {
        None => false,
        Some(FailOn::Breaking) => report.count(Severity::Breaking) > 0,
        Some(FailOn::Warning) => {
            report.count(Severity::Breaking) + report.count(Severity::Warning) > 0
        }
    };
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The report for every spec at `base` against the working tree.
pub fn compare(project: &Project, base: &str) -> Result<Report> {
    let commit = git(
        project,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{base}^{{commit}}"),
        ],
    )
    .with_context(|| format!("`{base}` is not a revision of this repository"))?;
    let listing = git(
        project,
        &["ls-tree", "--name-only", commit.trim(), "specs/"],
    )?;
    let before: BTreeSet<String> = listing
        .lines()
        .filter_map(|l| l.strip_prefix("specs/")?.strip_suffix(".yaml"))
        .map(str::to_owned)
        .collect();
    let now: BTreeSet<String> = project.providers()?.into_iter().map(|p| p.name).collect();
    let mut providers = Vec::new();
    for name in before.union(&now) {
        let file = format!("specs/{name}.yaml");
        let module = Module::of(name).path().to_owned();
        let mut entry = ProviderReport {
            provider: name.clone(),
            module: module.clone(),
            status: Status::Unchanged,
            findings: Vec::new(),
        };
        match (before.contains(name), now.contains(name)) {
            (true, true) => {
                let old_text = git(project, &["show", &format!("{}:{file}", commit.trim())])?;
                let new_text = std::fs::read_to_string(project.root().join(&file))
                    .with_context(|| format!("reading {file}"))?;
                if old_text != new_text {
                    let old = Spec::parse(&format!("{base}:{file}"), &old_text)?;
                    let new = Spec::parse(&file, &new_text)?;
                    entry.status = Status::Changed;
                    entry.findings = compare::spec(name, &old.raw, &new.raw).list;
                }
            }
            (false, true) => {
                entry.status = Status::Added;
                entry.findings.push(Finding {
                    severity: Severity::Addition,
                    rule: "provider-added",
                    pointer: String::new(),
                    message: format!(
                        "new provider `{name}`: module `{module}` behind the feature `{name}`"
                    ),
                    rust: Some(module),
                });
            }
            (true, false) => {
                entry.status = Status::Removed;
                entry.findings.push(Finding {
                    severity: Severity::Breaking,
                    rule: "provider-removed",
                    pointer: String::new(),
                    message: format!("provider `{name}` removed with its module and feature"),
                    rust: Some(module),
                });
            }
            (false, false) => unreachable!("a name comes from one of the two sets"),
        }
        providers.push(entry);
    }
    Ok(Report::new(base, providers))
}

/// Runs git in the project root and returns its standard output.
fn git(project: &Project, args: &[&str]) -> Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(project.root())
        .args(args)
        .output()
        .context("running git")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!("git {} failed: {}", args.join(" "), stderr.trim());
    }
    String::from_utf8(output.stdout).context("git printed something that is not UTF-8")
}
