//! `cargo xtask drift FILE...`: from the drift reports of walks (`rollcall users P --drift
//! FILE`) to the spec edits that make each finding go away — a new optional property with the
//! type seen, a value added to `x-extensible-enum`, `nullable: true`, a `required` entry
//! removed, a `oneOf` of the declared and the seen type, a `format` dropped, a status, a header
//! or any content type declared — printed as a YAML patch, and with `--write` applied to
//! `specs/` as text edits that keep every comment and line of the hand-written spec that they do
//! not touch, for review with git, then `cargo xtask codegen` and `cargo xtask diff`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use serde_json::Value;

use crate::project::Project;
use crate::spec::locate::Locations;

/// One finding as a report writes it.
#[derive(Debug, Clone, serde::Deserialize)]
struct Finding {
    pointer: String,
    kind: String,
    count: u64,
    #[serde(default)]
    seen: String,
    #[serde(default)]
    values: Vec<String>,
}

/// A report of `rollcall users P --drift FILE` (or `UserStream::drift`).
#[derive(Debug, serde::Deserialize)]
struct Report {
    provider: String,
    findings: Vec<Finding>,
}

/// Reads the reports, prints the edits per spec; with `write`, applies them.
pub fn run(project: &Project, files: &[PathBuf], write: bool) -> Result<ExitCode> {
    let mut by_provider: BTreeMap<String, BTreeMap<(String, String, String), Finding>> =
        BTreeMap::new();
    for file in files {
        let report = read(file)?;
        let findings = by_provider.entry(report.provider).or_default();
        for finding in report.findings {
            // The same place and kind from several runs is one edit; what was seen decides
            // which edit for a type or an added property.
            let key = (
                finding.pointer.clone(),
                finding.kind.clone(),
                finding.seen.clone(),
            );
            let merged = findings.entry(key).or_insert_with(|| Finding {
                count: 0,
                values: Vec::new(),
                ..finding.clone()
            });
            merged.count += finding.count;
            for value in finding.values {
                if !merged.values.contains(&value) {
                    merged.values.push(value);
                }
            }
        }
    }
    let mut unapplied = 0;
    for (provider, findings) in &by_provider {
        let path = project.specs_dir().join(format!("{provider}.yaml"));
        let shown = project.display(&path);
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!(
                "# {shown}: no such spec; {} finding(s) of {provider} not applied",
                findings.len()
            );
            unapplied += findings.len();
            continue;
        };
        let findings: Vec<&Finding> = findings.values().collect();
        let plan =
            plan(&text, &findings).with_context(|| format!("{shown}: cannot plan the edits"))?;
        println!("# {shown}");
        for edit in &plan.edits {
            print!("{}", edit.patch);
        }
        for note in &plan.notes {
            println!("# not applied: {note}");
            unapplied += 1;
        }
        if write && !plan.edits.is_empty() {
            let edited = apply(&text, &plan.edits);
            serde_yaml::from_str::<serde_yaml::Value>(&edited).with_context(|| {
                format!("{shown}: the edited spec is not valid YAML; nothing was written")
            })?;
            std::fs::write(&path, edited).with_context(|| format!("writing {shown}"))?;
            eprintln!(
                "wrote {shown}: {} edit(s); review with git, then run `cargo xtask codegen` and \
                 `cargo xtask diff`",
                plan.edits.len()
            );
        }
    }
    Ok(if unapplied > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A report, or one line naming the file and line of what is wrong with it.
fn read(path: &Path) -> Result<Report> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    match serde_json::from_str::<Report>(&text) {
        Ok(report) => Ok(report),
        Err(error) => bail!(
            "{}:{}: not a drift report of `rollcall users --drift`: {}",
            path.display(),
            error.line(),
            crate::spec::one_line(&error.to_string())
        ),
    }
}

/// One text edit of a spec: at line `at` (0-based), remove `remove` lines, then insert
/// `insert`; and the patch entry that says it.
#[derive(Debug, Clone)]
struct Edit {
    at: usize,
    remove: usize,
    insert: Vec<String>,
    patch: String,
}

/// The edits for the findings, and the findings no edit can fix (with why).
#[derive(Debug, Default)]
struct Plan {
    edits: Vec<Edit>,
    notes: Vec<String>,
}

/// What the edits say of where a value was seen.
const SEEN: &str = "Seen from the server; not in the provider's documentation (cargo xtask drift).";

fn plan(text: &str, findings: &[&Finding]) -> Result<Plan> {
    let raw: Value = serde_yaml::from_str(text).context("not YAML")?;
    let spec = Spec {
        lines: text.lines().collect(),
        at: Locations::of(text),
        raw,
    };
    let mut plan = Plan::default();
    for finding in findings {
        match spec.edit(finding) {
            Ok(Some(edit)) => plan.edits.push(edit),
            Ok(None) => {}
            Err(why) => plan.notes.push(format!(
                "{} at {} ({}): {why}",
                finding.kind, finding.pointer, finding.seen
            )),
        }
    }
    Ok(plan)
}

/// `text` with `edits` applied, bottom to top so that each edit's line still means what it did.
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.at));
    for edit in sorted {
        let at = edit.at.min(lines.len());
        let end = (at + edit.remove).min(lines.len());
        lines.splice(at..end, edit.insert.iter().cloned());
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

struct Spec<'t> {
    lines: Vec<&'t str>,
    at: Locations,
    raw: Value,
}

impl Spec<'_> {
    /// The line (0-based) and indentation of the key at `pointer`.
    fn key(&self, pointer: &str) -> Option<(usize, usize)> {
        let (line, col) = self.at.get(pointer)?;
        Some((line.checked_sub(1)?, col.saturating_sub(1)))
    }

    /// The line after the block under the key at `line` with indentation `indent` (before
    /// trailing blank lines), and the indentation of its children.
    fn block(&self, line: usize, indent: usize) -> (usize, usize) {
        let mut end = line + 1;
        let mut child = None;
        let mut last = line;
        while end < self.lines.len() {
            let text = self.lines[end];
            let trimmed = text.trim_start();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                let here = text.len() - trimmed.len();
                if here <= indent && !trimmed.starts_with("- ") || here < indent {
                    break;
                }
                child.get_or_insert(here);
                last = end;
            }
            end += 1;
        }
        (last + 1, child.unwrap_or(indent + 2))
    }

    fn edit(&self, finding: &Finding) -> Result<Option<Edit>, String> {
        let pointer = finding.pointer.as_str();
        match finding.kind.as_str() {
            "undeclared-property" => {
                let (parent, name) = pointer
                    .rsplit_once("/properties/")
                    .ok_or("the pointer names no property")?;
                let name = unescape(name);
                let mut body = vec![format!("{}:", yaml_key(&name))];
                body.extend(
                    type_lines(&finding.seen)
                        .into_iter()
                        .map(|l| format!("  {l}")),
                );
                body.push(format!("  description: {SEEN}"));
                self.add_child(parent, "properties", body, finding)
            }
            "unknown-enum-value" => {
                if finding.values.is_empty() {
                    return Err(
                        "the report holds no value (the walk ran with --drift-no-enum-values)"
                            .into(),
                    );
                }
                let list = ["x-extensible-enum", "enum"]
                    .into_iter()
                    .map(|k| format!("{pointer}/{k}"))
                    .find(|p| self.at.get(p).is_some())
                    .ok_or("no enum list at the pointer")?;
                let (line, indent) = self.key(&list).ok_or("no enum list")?;
                if let Some(flow) = self.lines[line].find('[') {
                    let text = self.lines[line];
                    let close = text
                        .rfind(']')
                        .filter(|c| *c > flow)
                        .ok_or("an unclosed list")?;
                    let added: Vec<String> =
                        finding.values.iter().map(|v| yaml_scalar(v)).collect();
                    let inside = text[flow + 1..close].trim();
                    let joined = if inside.is_empty() {
                        added.join(", ")
                    } else {
                        format!("{inside}, {}", added.join(", "))
                    };
                    let new = format!("{}[{joined}]{}", &text[..flow], &text[close + 1..]);
                    return Ok(Some(self.patched(
                        line,
                        1,
                        vec![new],
                        "add",
                        &list,
                        finding,
                    )));
                }
                let (end, child) = self.block(line, indent);
                let insert = finding
                    .values
                    .iter()
                    .map(|v| format!("{}- {}", " ".repeat(child), yaml_scalar(v)))
                    .collect();
                Ok(Some(self.patched(end, 0, insert, "add", &list, finding)))
            }
            "missing-required" => {
                let list = pointer;
                let (line, indent) = self.key(list).ok_or("no required list")?;
                let name = &finding.seen;
                if let Some(flow) = self.lines[line].find('[') {
                    let text = self.lines[line];
                    let close = text.rfind(']').ok_or("an unclosed list")?;
                    let kept: Vec<&str> = text[flow + 1..close]
                        .split(',')
                        .map(str::trim)
                        .filter(|item| !item.is_empty() && item.trim_matches(['\'', '"']) != name)
                        .collect();
                    let new = format!(
                        "{}[{}]{}",
                        &text[..flow],
                        kept.join(", "),
                        &text[close + 1..]
                    );
                    return Ok(Some(self.patched(
                        line,
                        1,
                        vec![new],
                        "remove",
                        list,
                        finding,
                    )));
                }
                let (end, _) = self.block(line, indent);
                let item = (line + 1..end)
                    .find(|i| {
                        self.lines[*i]
                            .trim()
                            .strip_prefix("- ")
                            .is_some_and(|v| v.trim().trim_matches(['\'', '"']) == name)
                    })
                    .ok_or_else(|| format!("`{name}` is not in the required list"))?;
                Ok(Some(self.patched(
                    item,
                    1,
                    Vec::new(),
                    "remove",
                    list,
                    finding,
                )))
            }
            "unexpected-null" => {
                if let Some((line, indent)) = self.key(&format!("{pointer}/nullable")) {
                    let new = format!("{}nullable: true", " ".repeat(indent));
                    return Ok(Some(self.patched(
                        line,
                        1,
                        vec![new],
                        "replace",
                        pointer,
                        finding,
                    )));
                }
                let (line, indent) = self.key(pointer).ok_or("no schema at the pointer")?;
                let (_, child) = self.block(line, indent);
                let new = format!("{}nullable: true", " ".repeat(child));
                Ok(Some(self.patched(
                    line + 1,
                    0,
                    vec![new],
                    "add",
                    pointer,
                    finding,
                )))
            }
            "format-mismatch" => {
                let at = format!("{pointer}/format");
                let (line, _) = self.key(&at).ok_or("no format at the pointer")?;
                Ok(Some(self.patched(
                    line,
                    1,
                    Vec::new(),
                    "remove",
                    &at,
                    finding,
                )))
            }
            "type-mismatch" => {
                let seen = branch(&finding.seen);
                if let Some((line, indent)) = self.key(&format!("{pointer}/oneOf")) {
                    let (end, child) = self.block(line, indent);
                    let pad = " ".repeat(child);
                    let insert = vec![
                        format!("{pad}- {}", seen[0]),
                        format!("{pad}  {}", seen[1]),
                        format!("{pad}  description: {SEEN}"),
                    ];
                    return Ok(Some(self.patched(end, 0, insert, "add", pointer, finding)));
                }
                let at = format!("{pointer}/type");
                let (line, indent) = self.key(&at).ok_or("no type at the pointer")?;
                let declared = self
                    .raw
                    .pointer(&at)
                    .and_then(Value::as_str)
                    .ok_or("the type is not a name")?;
                let was = branch(declared);
                let pad = " ".repeat(indent);
                let insert = vec![
                    format!("{pad}oneOf:"),
                    format!("{pad}  - {}", was[0]),
                    format!("{pad}    {}", was[1]),
                    format!("{pad}    description: As documented."),
                    format!("{pad}  - {}", seen[0]),
                    format!("{pad}    {}", seen[1]),
                    format!("{pad}    description: {SEEN}"),
                ];
                Ok(Some(self.patched(line, 1, insert, "replace", &at, finding)))
            }
            "undeclared-status" => {
                let code = &finding.seen;
                let success = format!("{pointer}/200");
                let (line, indent) = self.key(&success).ok_or("no 200 response to copy")?;
                let (end, _) = self.block(line, indent);
                let mut copy: Vec<String> = self.lines[line..end]
                    .iter()
                    .map(|l| (*l).to_owned())
                    .collect();
                copy[0] = format!(
                    "{}'{code}':{}",
                    " ".repeat(indent),
                    after_key(self.lines[line])
                );
                Ok(Some(self.patched(
                    end,
                    0,
                    copy,
                    "add",
                    &format!("{pointer}/{code}"),
                    finding,
                )))
            }
            "undeclared-content-type" => self.add_child(
                "/x-rollcall",
                "",
                vec!["any-content-type: true".to_owned()],
                finding,
            ),
            "undeclared-header" => {
                let (response, _) = pointer
                    .rsplit_once("/headers")
                    .ok_or("the pointer names no response headers")?;
                // A response written as a `$ref` keeps its headers in the component.
                let response = match self
                    .raw
                    .pointer(&format!("{response}/$ref"))
                    .and_then(Value::as_str)
                {
                    Some(target) => target.trim_start_matches('#').to_owned(),
                    None => response.to_owned(),
                };
                if self.at.get(&response).is_none() {
                    return Err("the operation declares no such response".into());
                }
                let body = vec![
                    format!("{}:", yaml_key(&finding.seen)),
                    format!("  description: {SEEN}"),
                    "  required: false".to_owned(),
                    "  schema:".to_owned(),
                    "    type: string".to_owned(),
                ];
                self.add_child(&response, "headers", body, finding)
            }
            other => Err(format!("no edit for findings of kind `{other}`")),
        }
    }

    /// Adds `body` (lines relative to the child indentation) under `parent/member` (creating
    /// `member:` under `parent` when missing; `member` empty: directly under `parent`).
    fn add_child(
        &self,
        parent: &str,
        member: &str,
        body: Vec<String>,
        finding: &Finding,
    ) -> Result<Option<Edit>, String> {
        let target = if member.is_empty() {
            parent.to_owned()
        } else {
            format!("{parent}/{member}")
        };
        if let Some((line, indent)) = self.key(&target) {
            let (end, child) = self.block(line, indent);
            let pad = " ".repeat(child);
            let insert = body.iter().map(|l| format!("{pad}{l}")).collect();
            return Ok(Some(self.patched(end, 0, insert, "add", &target, finding)));
        }
        let (line, indent) = self
            .key(parent)
            .ok_or_else(|| format!("nothing at {parent} in the spec"))?;
        let (_, child) = self.block(line, indent);
        let pad = " ".repeat(child);
        let mut insert = vec![format!("{pad}{member}:")];
        insert.extend(body.iter().map(|l| format!("{pad}  {l}")));
        Ok(Some(self.patched(
            line + 1,
            0,
            insert,
            "add",
            &target,
            finding,
        )))
    }

    fn patched(
        &self,
        at: usize,
        remove: usize,
        insert: Vec<String>,
        op: &str,
        path: &str,
        finding: &Finding,
    ) -> Edit {
        let mut patch = format!(
            "- op: {op}   # {} ({}x, seen {})\n  path: {path}\n",
            finding.kind, finding.count, finding.seen
        );
        if !insert.is_empty() {
            patch.push_str("  lines: |\n");
            for line in &insert {
                patch.push_str(&format!("    {line}\n"));
            }
        }
        Edit {
            at,
            remove,
            insert,
            patch,
        }
    }
}

/// The rest of a `key: rest` line.
fn after_key(line: &str) -> &str {
    line.split_once(':').map_or("", |(_, rest)| rest)
}

/// The schema lines of a value of JSON type `seen`.
fn type_lines(seen: &str) -> Vec<String> {
    match seen {
        "null" => vec!["nullable: true".into()],
        "array" => vec!["type: array".into(), "items: {}".into()],
        "integer" | "number" | "boolean" | "object" | "string" => vec![format!("type: {seen}")],
        _ => vec!["type: string".into()],
    }
}

/// A `oneOf` branch for JSON type `ty`: its `type` and its `title` (which names the Rust variant).
fn branch(ty: &str) -> [String; 2] {
    let title = match ty {
        "string" => "Text",
        "integer" => "Integer",
        "number" => "Number",
        "boolean" => "Flag",
        "array" => "List",
        "object" => "Object",
        _ => "Other",
    };
    let ty = if ty == "null" { "string" } else { ty };
    [format!("type: {ty}"), format!("title: {title}")]
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// A mapping key, quoted when plain YAML would read it otherwise.
fn yaml_key(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !name.is_empty()
    {
        name.to_owned()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// A scalar, quoted so that YAML reads it as this string.
fn yaml_scalar(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "\
openapi: 3.0.3
# a comment that stays
x-rollcall:
  errors: {}
components:
  schemas:
    User:
      type: object
      required: [id, name]
      properties:
        id:
          type: integer
        name:
          type: string
        created_at:
          type: string
          format: date-time
        status:
          $ref: '#/components/schemas/Status'
    Status:
      type: string
      x-extensible-enum:
        - active
        - suspended
";

    fn finding(pointer: &str, kind: &str, seen: &str, values: &[&str]) -> Finding {
        Finding {
            pointer: pointer.into(),
            kind: kind.into(),
            count: 1,
            seen: seen.into(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    #[test]
    fn each_kind_becomes_an_edit_that_keeps_the_rest() {
        let findings = [
            finding(
                "/components/schemas/User/properties/team",
                "undeclared-property",
                "string",
                &[],
            ),
            finding(
                "/components/schemas/Status",
                "unknown-enum-value",
                "string",
                &["on-leave"],
            ),
            finding(
                "/components/schemas/User/required",
                "missing-required",
                "name",
                &[],
            ),
            finding(
                "/components/schemas/User/properties/name",
                "unexpected-null",
                "null",
                &[],
            ),
            finding(
                "/components/schemas/User/properties/created_at",
                "format-mismatch",
                "string",
                &[],
            ),
            finding(
                "/components/schemas/User/properties/id",
                "type-mismatch",
                "string",
                &[],
            ),
            finding(
                "/paths/~1u/get/responses/200/content",
                "undeclared-content-type",
                "text/json",
                &[],
            ),
        ];
        let refs: Vec<&Finding> = findings.iter().collect();
        let plan = plan(SPEC, &refs).unwrap();
        assert!(plan.notes.is_empty(), "{:?}", plan.notes);
        let edited = apply(SPEC, &plan.edits);
        assert!(edited.contains("# a comment that stays"), "{edited}");
        let raw: Value = serde_yaml::from_str(&edited).unwrap();
        let user = &raw["components"]["schemas"]["User"];
        assert_eq!(user["properties"]["team"]["type"], "string");
        assert_eq!(user["required"], serde_json::json!(["id"]));
        assert_eq!(user["properties"]["name"]["nullable"], true);
        assert!(user["properties"]["created_at"].get("format").is_none());
        assert_eq!(user["properties"]["id"]["oneOf"][1]["type"], "string");
        assert_eq!(
            raw["components"]["schemas"]["Status"]["x-extensible-enum"],
            serde_json::json!(["active", "suspended", "on-leave"])
        );
        assert_eq!(raw["x-rollcall"]["any-content-type"], true);
    }

    #[test]
    fn an_enum_without_values_is_a_note_not_an_edit() {
        let f = finding(
            "/components/schemas/Status",
            "unknown-enum-value",
            "string",
            &[],
        );
        let plan = plan(SPEC, &[&f]).unwrap();
        assert!(plan.edits.is_empty());
        assert!(
            plan.notes[0].contains("--drift-no-enum-values"),
            "{:?}",
            plan.notes
        );
    }
}
