//! `cargo xtask semver [BASE]`: `cargo xtask diff`'s verdict checked against cargo-semver-checks,
//! the Rust ecosystem's semver linter, run on the generated `rollcall` crate at BASE and now.
//!
//! BASE's crate is BASE's committed `generated/` (what BASE's own codegen wrote; CI's
//! `codegen --check` keeps it in step with BASE's specs), or, with `--regenerate-base`, what
//! BASE's own xtask generates from them; the working tree's crate is regenerated from its specs by
//! this xtask, in a copy, so `generated/` is not touched. Both copies live under `target/semver/`
//! and are documented (rustdoc JSON) into one target directory there, so dependencies are built
//! once. cargo-semver-checks then compares the two JSON files once per provider feature, and each
//! provider's two verdicts are printed side by side. They disagree when cargo-semver-checks asks
//! for a major release and `xtask diff` does not, or when `xtask diff`'s major rests on a change
//! cargo-semver-checks would see (an item, field or variant gone) and it sees none; a major that
//! rests only on a field's type (`T` → `Option<T>`, which cargo-semver-checks has no lint for
//! yet) or on behaviour is said so, not failed on.
//!
//! `--fixtures` runs the same comparison on the spec pairs of `xtask/tests/fixtures/semver/`, each
//! installed as a provider `fixture` in copies of the working tree, and checks the verdicts they
//! expect: how the fixtures' verdicts were confirmed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, Result, bail};

use crate::codegen;
use crate::diff::{self, Bump, Impact, ProviderReport, Severity, Status};
use crate::project::Project;

/// What cargo-semver-checks concluded for one provider feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The release it requires: `None` when it found nothing.
    pub bump: Bump,
    /// The lints that failed.
    pub lints: Vec<String>,
}

/// How the two verdicts for one provider compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agreement {
    /// The same verdict (majors agree, or neither is major).
    Agree,
    /// `xtask diff` says major on findings cargo-semver-checks cannot see; the rules and
    /// pointers they are at.
    Unseen(Vec<String>),
    /// A disagreement cargo-semver-checks can see.
    Disagree(String),
}

/// Compares `xtask diff`'s report for one provider with cargo-semver-checks' verdict.
pub fn agreement(report: &ProviderReport, checked: &Checked) -> Agreement {
    let ours = report.bump;
    let breaking = || {
        report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Breaking)
    };
    match (ours == Bump::Major, checked.bump == Bump::Major) {
        (true, true) => Agreement::Agree,
        (false, true) => Agreement::Disagree(format!(
            "cargo-semver-checks requires a major release ({}), `xtask diff` says {}",
            checked.lints.join(", "),
            name(ours)
        )),
        (true, false) => {
            let seen: Vec<String> = breaking()
                .filter(|f| f.impact == Impact::Api)
                .map(|f| format!("`{}` at `#{}`", f.rule, f.pointer))
                .collect();
            if seen.is_empty() {
                Agreement::Unseen(
                    breaking()
                        .map(|f| format!("`{}` ({}) at `#{}`", f.rule, impact(f.impact), f.pointer))
                        .collect(),
                )
            } else {
                Agreement::Disagree(format!(
                    "`xtask diff` says major on {}, which cargo-semver-checks should see but does not",
                    seen.join(", ")
                ))
            }
        }
        (false, false) if checked.bump > ours.max(Bump::Patch) => Agreement::Disagree(format!(
            "cargo-semver-checks requires a {} release ({}), `xtask diff` says {}",
            name(checked.bump),
            checked.lints.join(", "),
            name(ours)
        )),
        (false, false) => Agreement::Agree,
    }
}

fn impact(impact: Impact) -> &'static str {
    match impact {
        Impact::Api => "an API change",
        Impact::FieldType => "a field's or setter's type changes",
        Impact::Behaviour => "behaviour only",
    }
}

/// A verdict's name as the report prints it.
pub fn name(bump: Bump) -> &'static str {
    match bump {
        Bump::Major => "major",
        Bump::Minor => "minor",
        Bump::Patch => "patch",
        Bump::None => "none",
    }
}

/// Runs the command against BASE, or over the fixtures.
pub fn run(
    project: &Project,
    base: &str,
    regenerate_base: bool,
    fixtures: bool,
) -> Result<ExitCode> {
    ensure_installed()?;
    let work = project.root().join("target/semver");
    std::fs::create_dir_all(&work).context("creating target/semver")?;
    let mut out = String::new();
    let mut failed = false;
    if fixtures {
        failed |= run_fixtures(project, &work, &mut out)?;
    } else {
        let report = diff::compare(project, base)?;
        let base_tree = work.join("base");
        let now_tree = work.join("now");
        eprintln!(
            "semver: {base} into target/semver/base, the working tree into target/semver/now"
        );
        archive(project, base, &base_tree)?;
        if regenerate_base {
            regenerate_with_own_xtask(&base_tree, &work.join("xtask-base"))?;
        }
        copy_working_tree(project, &now_tree)?;
        generate(&now_tree, &[])?;
        let _ = writeln!(
            out,
            "| provider | `xtask diff` | cargo-semver-checks | |\n| --- | --- | --- | --- |"
        );
        for provider in &report.providers {
            if matches!(provider.status, Status::Added | Status::Removed) {
                let _ = writeln!(
                    out,
                    "| {} | {} | not run: the feature exists on one side only | |",
                    provider.provider,
                    name(provider.bump)
                );
                continue;
            }
            let checked = check(&work, &base_tree, &now_tree, &provider.provider)?;
            failed |= row(&mut out, provider, &checked, None);
        }
    }
    let _ = writeln!(
        out,
        "\ncargo-semver-checks has no lint for a change of a field's type yet (`T` → `Option<T>`, \
         a new `format`): where `xtask diff`'s major rests only on such a change, or on behaviour, \
         the row says so instead of failing."
    );
    print!("{out}");
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints one provider's row; returns whether it is a disagreement.
fn row(
    out: &mut String,
    provider: &ProviderReport,
    checked: &Checked,
    expected: Option<Bump>,
) -> bool {
    let theirs = if checked.lints.is_empty() {
        name(checked.bump).to_owned()
    } else {
        format!("{} ({})", name(checked.bump), checked.lints.join(", "))
    };
    let (mut failed, mut note) = match agreement(provider, checked) {
        Agreement::Agree => (false, "agree".to_owned()),
        Agreement::Unseen(findings) => (
            false,
            format!(
                "agree as far as cargo-semver-checks sees: the major rests on {}, which it cannot see",
                findings.join(", ")
            ),
        ),
        Agreement::Disagree(why) => (true, format!("**disagree**: {why}")),
    };
    if let Some(expected) = expected
        && expected != provider.bump
    {
        failed = true;
        let _ = write!(note, "; **the fixture expects {}**", name(expected));
    }
    let line = format!(
        "| {} | {} | {theirs} | {note} |",
        provider.provider,
        name(provider.bump)
    );
    // Each row as soon as it is known: a run takes minutes per provider.
    eprintln!("{line}");
    let _ = writeln!(out, "{line}");
    failed
}

/// Every case of `xtask/tests/fixtures/semver/`, each as the provider `fixture`.
fn run_fixtures(project: &Project, work: &Path, out: &mut String) -> Result<bool> {
    let dir = project.root().join("xtask/tests/fixtures/semver");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let (base_tree, now_tree) = (work.join("fixture-base"), work.join("fixture-now"));
    copy_working_tree(project, &base_tree)?;
    copy_working_tree(project, &now_tree)?;
    let _ = writeln!(
        out,
        "| case | `xtask diff` | cargo-semver-checks | |\n| --- | --- | --- | --- |"
    );
    let mut failed = false;
    for case in cases {
        let case_name = case
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let read = |file: &str| {
            std::fs::read_to_string(case.join(file))
                .with_context(|| format!("reading {}/{file}", case.display()))
        };
        let (old, new) = (read("old.yaml")?, read("new.yaml")?);
        let expected = parse_bump(read("verdict")?.trim())
            .with_context(|| format!("{}/verdict", case.display()))?;
        eprintln!("semver: fixture {case_name}");
        std::fs::write(base_tree.join("specs/fixture.yaml"), &old)?;
        std::fs::write(now_tree.join("specs/fixture.yaml"), &new)?;
        generate(&base_tree, &["fixture".to_owned()])?;
        generate(&now_tree, &["fixture".to_owned()])?;
        let report = diff::compare_texts("fixture", &old, &new)?;
        let mut provider = report.providers[0].clone();
        let checked = check(work, &base_tree, &now_tree, "fixture")?;
        provider.provider = case_name;
        failed |= row(out, &provider, &checked, Some(expected));
    }
    Ok(failed)
}

/// Reads a verdict's name.
pub fn parse_bump(text: &str) -> Result<Bump> {
    Ok(match text {
        "major" => Bump::Major,
        "minor" => Bump::Minor,
        "patch" => Bump::Patch,
        "none" => Bump::None,
        other => bail!("`{other}` is not a verdict (major, minor, patch, none)"),
    })
}

/// Installs cargo-semver-checks when `cargo semver-checks` is missing.
fn ensure_installed() -> Result<()> {
    let found = Command::new("cargo")
        .args(["semver-checks", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Ok(());
    }
    eprintln!(
        "semver: cargo-semver-checks is not installed; installing it with \
         `cargo install cargo-semver-checks --locked` (a long build, once)"
    );
    let status = Command::new("cargo")
        .args(["install", "cargo-semver-checks", "--locked"])
        .status()
        .context("running cargo install")?;
    if !status.success() {
        bail!("`cargo install cargo-semver-checks --locked` failed; install it by hand and retry");
    }
    Ok(())
}

/// Replaces `dest` with the tree of `revision`.
fn archive(project: &Project, revision: &str, dest: &Path) -> Result<()> {
    let commit = git_output(
        project.root(),
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{revision}^{{commit}}"),
        ],
    )
    .with_context(|| format!("`{revision}` is not a revision of this repository"))?;
    fresh_dir(dest)?;
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(project.root())
        .args(["archive", "--format=tar", commit.trim()])
        .stdout(Stdio::piped())
        .spawn()
        .context("running git archive")?;
    let stdout = archive.stdout.take().context("git archive's output")?;
    let untar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(dest)
        .stdin(stdout)
        .status()
        .context("running tar")?;
    if !archive.wait()?.success() || !untar.success() {
        bail!("could not unpack {revision} into {}", dest.display());
    }
    Ok(())
}

/// Replaces `dest` with the working tree's files (tracked and untracked, ignored ones left out).
fn copy_working_tree(project: &Project, dest: &Path) -> Result<()> {
    fresh_dir(dest)?;
    let listing = git_output(
        project.root(),
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    )?;
    for file in listing.split('\0').filter(|f| !f.is_empty()) {
        let from = project.root().join(file);
        // A tracked file deleted in the working tree is listed but gone.
        if !from.is_file() {
            continue;
        }
        let to = dest.join(file);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&from, &to).with_context(|| format!("copying {file}"))?;
    }
    Ok(())
}

fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// Runs this xtask's codegen in `tree` for `names` (all when empty), quietly.
fn generate(tree: &Path, names: &[String]) -> Result<()> {
    let project = Project::at(tree.to_path_buf());
    let providers = project.providers()?;
    let outputs = codegen::generate_all(&project, &providers).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!(
            "codegen failed in {}:\n{}",
            tree.display(),
            lines.join("\n")
        )
    })?;
    for output in outputs {
        if let Some(provider) = &output.provider
            && !names.is_empty()
            && !names.contains(provider)
        {
            continue;
        }
        if let Some(dir) = output.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&output.path, &output.contents)
            .with_context(|| format!("writing {}", output.path.display()))?;
    }
    Ok(())
}

/// Runs BASE's own `cargo xtask codegen` in its tree, built in a target directory of its own so
/// that its binary does not replace this one.
fn regenerate_with_own_xtask(tree: &Path, target: &Path) -> Result<()> {
    eprintln!("semver: building BASE's own xtask to regenerate its crate");
    let status = Command::new("cargo")
        .current_dir(tree)
        .args(["run", "--quiet", "-p", "xtask", "--", "codegen"])
        .env("CARGO_TARGET_DIR", target)
        .stdout(Stdio::null())
        .status()
        .context("running BASE's xtask")?;
    if !status.success() {
        bail!("BASE's `cargo xtask codegen` failed");
    }
    Ok(())
}

/// Documents `rollcall` with only `feature` in `tree` as rustdoc JSON; returns where it is.
fn rustdoc_json(work: &Path, tree: &Path, feature: &str, side: &str) -> Result<PathBuf> {
    let target = work.join("target");
    let output = Command::new("cargo")
        .arg("rustdoc")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(tree.join("Cargo.toml"))
        .args([
            "-p",
            "rollcall",
            "--lib",
            "--no-default-features",
            "--features",
            feature,
        ])
        .arg("--target-dir")
        .arg(&target)
        .args(["--", "-Z", "unstable-options", "--output-format", "json"])
        // Rustdoc JSON is unstable; cargo-semver-checks builds it the same way on stable.
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove("RUSTDOCFLAGS")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .context("running cargo rustdoc")?;
    if !output.status.success() {
        bail!(
            "documenting rollcall (feature {feature}) in {} failed:\n{}",
            tree.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let json = work.join(format!("{feature}-{side}.json"));
    std::fs::copy(target.join("doc/rollcall.json"), &json)
        .context("copying rollcall's rustdoc JSON")?;
    Ok(json)
}

/// Runs cargo-semver-checks for `feature` between the two trees.
fn check(work: &Path, base: &Path, now: &Path, feature: &str) -> Result<Checked> {
    eprintln!("semver: cargo-semver-checks, feature {feature}");
    let baseline = rustdoc_json(work, base, feature, "base")?;
    let current = rustdoc_json(work, now, feature, "now")?;
    let output = Command::new("cargo")
        .args(["semver-checks", "check-release", "--color", "never"])
        .arg("--baseline-rustdoc")
        .arg(&baseline)
        .arg("--current-rustdoc")
        .arg(&current)
        // Patch: every lint runs, major and minor, and the summary names the release needed.
        .args(["--release-type", "patch"])
        .output()
        .context("running cargo semver-checks")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    parse_output(&text).with_context(|| format!("reading cargo-semver-checks' output:\n{text}"))
}

/// Reads cargo-semver-checks' verdict and failed lints from its output.
pub fn parse_output(text: &str) -> Result<Checked> {
    let mut lints: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--- failure "))
        .filter_map(|rest| rest.split(':').next())
        .map(str::to_owned)
        .collect();
    lints.sort();
    lints.dedup();
    let summary = text
        .lines()
        .find(|l| l.trim_start().starts_with("Summary"))
        .context("no summary line")?;
    let bump = if summary.contains("new major version") {
        Bump::Major
    } else if summary.contains("new minor version") {
        Bump::Minor
    } else if summary.contains("no semver update required") {
        Bump::None
    } else {
        bail!("a summary line not understood: {summary}");
    };
    Ok(Checked { bump, lints })
}

fn git_output(root: &Path, args: &[&str]) -> Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .context("running git")?;
    if !output.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).context("git printed something that is not UTF-8")
}
