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
pub mod waivers;

use std::collections::BTreeSet;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

pub use finding::{Finding, Impact, Severity, Waived};
pub use report::{Bump, ProviderReport, Report, Status};

use crate::project::Project;
use crate::rust_name::Module;
use crate::spec::{Spec, SpecError};
use waivers::Waivers;

/// Every rule: its name, its severity (or how the severity is chosen) and what it finds.
pub const RULES: &[(&str, &str, &str)] = &[
    (
        "provider-added",
        "addition",
        "a new spec: a new module and feature",
    ),
    (
        "provider-removed",
        "breaking",
        "a spec deleted: its module and feature go",
    ),
    ("server-removed", "breaking", "a server URL removed"),
    ("server-added", "addition", "a server URL added"),
    (
        "server-changed",
        "breaking",
        "a server variable added, removed, or its default or values changed",
    ),
    (
        "security-changed",
        "breaking",
        "a security requirement (top-level or of an operation) no longer accepted",
    ),
    (
        "security-added",
        "addition",
        "a security requirement accepted as a new alternative",
    ),
    (
        "security-scheme-removed",
        "breaking",
        "a security scheme removed",
    ),
    (
        "security-scheme-changed",
        "breaking",
        "a security scheme sends credentials differently (anything but its description)",
    ),
    (
        "security-scheme-added",
        "addition",
        "a security scheme added",
    ),
    (
        "operation-removed",
        "breaking",
        "an operation removed: `Client::<op>` and `builder::<Op>` go",
    ),
    ("operation-added", "addition", "an operation added"),
    (
        "operation-renamed",
        "breaking",
        "the operation at the same method and path has a new operationId: the method is renamed",
    ),
    (
        "operation-moved",
        "warning",
        "the same operationId now requests another method or path",
    ),
    (
        "parameter-removed",
        "breaking",
        "a parameter removed: its setter goes",
    ),
    (
        "required-parameter-added",
        "breaking",
        "a new required parameter: calls that do not set it fail at `send()`",
    ),
    ("parameter-added", "addition", "a new optional parameter"),
    (
        "parameter-required",
        "breaking",
        "an optional parameter becomes required",
    ),
    (
        "parameter-optional",
        "addition",
        "a required parameter becomes optional",
    ),
    (
        "parameter-location",
        "warning",
        "a parameter moves (query, header, path): same setter, another request",
    ),
    (
        "parameter-style",
        "warning",
        "a parameter's effective `style`/`explode` changes",
    ),
    (
        "response-removed",
        "warning",
        "an error status no longer declared: it arrives as `Error::UnexpectedResponse`",
    ),
    ("response-added", "addition", "an error status declared"),
    (
        "pagination-removed",
        "breaking",
        "an operation loses `x-rollcall-pagination`: the stream helpers cannot walk it",
    ),
    (
        "pagination-added",
        "addition",
        "an operation gains `x-rollcall-pagination`",
    ),
    (
        "pagination-changed",
        "warning",
        "a key of `x-rollcall-pagination` changes",
    ),
    (
        "extension-changed",
        "breaking / warning / addition",
        "a section of `x-rollcall`, a server's `x-rollcall-name` or a scheme's `x-rollcall-auth` is declared, removed or changed",
    ),
    (
        "schema-removed",
        "breaking",
        "a component schema removed with its type",
    ),
    ("schema-added", "addition", "a component schema added"),
    (
        "type-changed",
        "breaking",
        "a schema's JSON type, generated Rust type, `$ref` target, enum-ness or map-ness changes",
    ),
    (
        "format-changed",
        "warning",
        "a `format` changes without changing the Rust type (`uri`, `email`, ...)",
    ),
    (
        "default-changed",
        "warning",
        "a `default` added, removed or changed",
    ),
    (
        "enum-openness",
        "breaking",
        "an enum switches between open (`x-extensible-enum`) and closed (`enum`)",
    ),
    (
        "enum-value-removed",
        "breaking",
        "an enum value removed: its variant goes",
    ),
    (
        "enum-value-added",
        "warning in responses, addition in requests",
        "an enum value added",
    ),
    (
        "property-removed",
        "breaking",
        "a property removed: its field goes",
    ),
    (
        "property-added",
        "by direction and `required`",
        "a property added",
    ),
    (
        "property-required",
        "breaking when the field stops being an `Option`",
        "a property becomes required",
    ),
    (
        "property-optional",
        "breaking when the field becomes an `Option`",
        "a property stops being required",
    ),
    (
        "property-nullable",
        "breaking when the field becomes an `Option`",
        "a property becomes nullable",
    ),
    (
        "property-not-nullable",
        "breaking when the field stops being an `Option`",
        "a property stops being nullable",
    ),
    (
        "read-only-changed",
        "warning",
        "`readOnly` changes on a property of a schema the client sends",
    ),
    (
        "variant-removed",
        "breaking",
        "a `oneOf`/`anyOf`/`allOf` branch removed",
    ),
    (
        "variant-added",
        "warning in responses, addition in requests",
        "a `oneOf`/`anyOf` branch added",
    ),
];

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
    let mut report = compare(project, base)?;
    report.apply_waivers(&Waivers::load(project.root())?, &waivers::today());
    match format {
        Format::Markdown => print!("{}", report.markdown()),
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    // Waived findings were accepted on purpose: they are reported, never failed on.
    let failed = match fail_on {
        None => false,
        Some(FailOn::Breaking) => report.count_unwaived(Severity::Breaking) > 0,
        Some(FailOn::Warning) => {
            report.count_unwaived(Severity::Breaking) + report.count_unwaived(Severity::Warning) > 0
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
            bump: Bump::None,
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
                entry.findings.push(Finding::new(
                    Severity::Addition,
                    "provider-added",
                    String::new(),
                    format!("new provider `{name}`: module `{module}` behind the feature `{name}`"),
                    Some(module),
                ));
            }
            (true, false) => {
                entry.status = Status::Removed;
                entry.findings.push(Finding::new(
                    Severity::Breaking,
                    "provider-removed",
                    String::new(),
                    format!("provider `{name}` removed with its module and feature"),
                    Some(module),
                ));
            }
            (false, false) => unreachable!("a name comes from one of the two sets"),
        }
        providers.push(entry);
    }
    Ok(Report::new(base, providers))
}

/// The report for one provider whose spec text was `old` and is `new`, without git.
pub fn compare_texts(provider: &str, old: &str, new: &str) -> Result<Report, SpecError> {
    let file = format!("specs/{provider}.yaml");
    let old_spec = Spec::parse(&format!("old:{file}"), old)?;
    let new_spec = Spec::parse(&file, new)?;
    let entry = ProviderReport {
        provider: provider.to_owned(),
        module: Module::of(provider).path().to_owned(),
        status: if old == new {
            Status::Unchanged
        } else {
            Status::Changed
        },
        findings: compare::spec(provider, &old_spec.raw, &new_spec.raw).list,
        bump: Bump::None,
    };
    Ok(Report::new("old", vec![entry]))
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
