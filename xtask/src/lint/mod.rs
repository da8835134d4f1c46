//! `cargo xtask lint`: the project's rules for specs (specs/README.md), on top of OpenAPI
//! validity. Each rule has a name; each problem is one line naming the file, the line and
//! column where the YAML parser knows them, the JSON pointer, the rule and what is wrong.

mod descriptions;
mod enums;
mod errors;
mod examples;
mod operations;
mod pagination;
mod servers;

use std::fmt;
use std::process::ExitCode;

use anyhow::Result;
use serde_json::Value;

use crate::project::Project;
use crate::spec::locate::Locations;
use crate::spec::{SpecError, one_line};

/// Every rule, by name, with the one-line summary `cargo xtask lint --help` and RULES.md give.
pub const RULES: &[(&str, &str)] = &[
    (
        "operation-id",
        "every operation has a unique snake_case `operationId`",
    ),
    ("operation-summary", "every operation has a `summary`"),
    (
        "operation-description",
        "every operation has a `description`",
    ),
    (
        "operation-tag",
        "every operation has exactly one tag, declared in the top-level `tags`",
    ),
    (
        "description",
        "every parameter, header, component schema and property has a `description`",
    ),
    (
        "pagination",
        "every list operation has a well-formed `x-rollcall-pagination`",
    ),
    (
        "extensions",
        "every `x-rollcall*` extension is well-formed and names a behaviour the runtime has (specs/README.md)",
    ),
    (
        "example-valid",
        "every example validates against its schema",
    ),
    (
        "open-enum",
        "every response enum says whether it is open (`x-extensible-enum`) or closed",
    ),
    (
        "error-responses",
        "every operation declares `429`, `4XX` and `5XX` with one all-optional error schema",
    ),
    ("retry-after", "every `429` response declares `Retry-After`"),
    (
        "servers",
        "`servers` are declared, https, with described variables",
    ),
    (
        "security",
        "security schemes are declared and described, and every operation requires one",
    ),
];

/// One rule broken at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The spec, relative to the project root.
    pub file: String,
    /// `(line, column)` of the node, when the YAML parser reported it.
    pub line: Option<(usize, usize)>,
    /// JSON pointer of the node the problem is about.
    pub pointer: String,
    /// The rule's name.
    pub rule: &'static str,
    /// What is wrong, on one line.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Like SpecError: `file:line:col: ` where the parser knows the line, then the pointer,
        // which is there either way (`file#/pointer` when no line is known).
        match self.line {
            Some((line, col)) => write!(f, "{}:{line}:{col}: ", self.file)?,
            None => write!(f, "{}", self.file)?,
        }
        write!(f, "#{}: [{}] {}", self.pointer, self.rule, self.message)
    }
}

/// What the rules see of one spec, and where they put what they find.
pub(crate) struct Doc<'a> {
    pub raw: &'a Value,
    problems: Vec<(&'static str, String, String)>,
}

impl<'a> Doc<'a> {
    pub(crate) fn report(&mut self, rule: &'static str, pointer: &str, message: impl Into<String>) {
        self.problems
            .push((rule, pointer.to_owned(), one_line(&message.into())));
    }
}

/// Lints the text of one spec. A YAML syntax error stops there, as no rule can run.
pub fn lint_text(file: &str, text: &str) -> Result<Vec<Problem>, SpecError> {
    let raw: Value = serde_yaml::from_str(text).map_err(|e| {
        // Reuse the located message Spec::parse gives for the same error.
        crate::spec::Spec::parse(file, text)
            .err()
            .unwrap_or_else(|| SpecError::whole(file, e.to_string()))
    })?;
    if !raw.is_object() {
        return Err(SpecError::whole(
            file,
            "not an OpenAPI document (expected a mapping at the top)",
        ));
    }
    let mut doc = Doc {
        raw: &raw,
        problems: Vec::new(),
    };
    operations::check(&mut doc);
    descriptions::check(&mut doc);
    pagination::check(&mut doc);
    examples::check(&mut doc);
    enums::check(&mut doc);
    errors::check(&mut doc);
    servers::check(&mut doc);
    // The same reading of the extensions as codegen's, so both refuse the same specs
    // (`x-rollcall-pagination` has its own, more detailed rule above).
    if let Ok(spec) = crate::spec::Spec::parse(file, text)
        && let Err(error) = crate::spec::ext::read(&spec)
        && !error
            .location
            .as_deref()
            .is_some_and(|l| l.contains(crate::spec::ext::pagination::EXTENSION))
    {
        let pointer = error
            .location
            .as_deref()
            .and_then(|l| l.strip_prefix('#'))
            .unwrap_or("");
        doc.report("extensions", pointer, error.message);
    }
    let at = Locations::of(text);
    let mut problems: Vec<Problem> = doc
        .problems
        .into_iter()
        .map(|(rule, pointer, message)| Problem {
            file: file.to_owned(),
            line: at.get(&pointer),
            pointer,
            rule,
            message,
        })
        .collect();
    // Document order, then rule order, so the output reads top to bottom and never shuffles.
    let rank = |rule: &str| RULES.iter().position(|(name, _)| *name == rule);
    problems.sort_by(|a, b| {
        (
            a.line.is_none(),
            a.line,
            rank(a.rule),
            &a.pointer,
            &a.message,
        )
            .cmp(&(
                b.line.is_none(),
                b.line,
                rank(b.rule),
                &b.pointer,
                &b.message,
            ))
    });
    problems.dedup();
    Ok(problems)
}

/// Runs the command on the selected providers.
pub fn run(project: &Project, names: &[String]) -> Result<ExitCode> {
    let providers = project.select(names)?;
    let mut count = 0;
    for provider in &providers {
        let path = project.spec_path(provider);
        let file = project.display(&path);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                println!("{}", SpecError::whole(&file, format!("cannot read: {e}")));
                count += 1;
                continue;
            }
        };
        match lint_text(&file, &text) {
            Ok(problems) => {
                for problem in &problems {
                    println!("{problem}");
                }
                count += problems.len();
            }
            Err(error) => {
                println!("{error}");
                count += 1;
            }
        }
    }
    if count == 0 {
        eprintln!(
            "lint: {} spec(s) pass all {} rules",
            providers.len(),
            RULES.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("lint: {count} problem(s) in {} spec(s)", providers.len());
        Ok(ExitCode::FAILURE)
    }
}

/// How a message names an operation: its id, or its method and path when it has none.
pub(crate) fn operation_name(op: &Value, method: &str, path: &str) -> String {
    match op.get("operationId").and_then(Value::as_str) {
        Some(id) => format!("`{id}`"),
        None => format!("`{} {path}`", method.to_uppercase()),
    }
}

/// A non-blank string at `key`.
pub(crate) fn has_text(node: &Value, key: &str) -> bool {
    node.get(key)
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty())
}

/// The parameters that apply to an operation (its own, then those of its path item that it
/// does not override), each resolved, with the pointer where it is written.
pub(crate) fn parameters<'a>(
    raw: &'a Value,
    path: &str,
    op: &'a Value,
    op_pointer: &str,
) -> Vec<(String, &'a Value)> {
    let mut out: Vec<(String, &'a Value)> = Vec::new();
    let own = op.get("parameters").and_then(Value::as_array);
    for (i, p) in own.into_iter().flatten().enumerate() {
        out.push((
            ref_or(raw, p, format!("{op_pointer}/parameters/{i}")),
            crate::spec::resolve(raw, p),
        ));
    }
    let item_pointer = format!("/paths/{}/parameters", crate::spec::escape(path));
    let shared = raw.pointer(&item_pointer).and_then(Value::as_array);
    for (i, p) in shared.into_iter().flatten().enumerate() {
        let p_resolved = crate::spec::resolve(raw, p);
        let key = |v: &Value| (v.get("name").cloned(), v.get("in").cloned());
        if !out.iter().any(|(_, q)| key(q) == key(p_resolved)) {
            out.push((ref_or(raw, p, format!("{item_pointer}/{i}")), p_resolved));
        }
    }
    out
}

/// Where a node really is written: the target of its `$ref`, or `pointer` itself.
pub(crate) fn ref_or(raw: &Value, node: &Value, pointer: String) -> String {
    match node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(target) if raw.pointer(target).is_some() => target.to_owned(),
        _ => pointer,
    }
}

/// The JSON body schema of an operation's first 2xx response, resolved.
pub(crate) fn success_schema<'a>(raw: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let responses = op.get("responses")?.as_object()?;
    let (_, response) = responses.iter().find(|(s, _)| s.starts_with('2'))?;
    let response = crate::spec::resolve(raw, response);
    let schema = response
        .get("content")?
        .as_object()?
        .iter()
        .find(|(media, _)| media.starts_with("application/json"))?
        .1
        .get("schema")?;
    Some(crate::spec::resolve(raw, schema))
}

/// Follows `$ref` and a lone `allOf` wrapper (our way of describing a referenced property).
pub(crate) fn unwrap<'a>(raw: &'a Value, node: &'a Value) -> &'a Value {
    let node = crate::spec::resolve(raw, node);
    match node.get("allOf").and_then(Value::as_array) {
        Some(branches) if branches.len() == 1 && node.get("properties").is_none() => {
            crate::spec::resolve(raw, &branches[0])
        }
        _ => node,
    }
}
