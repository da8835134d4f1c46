//! `cargo xtask bench`: codegen speed, build cost, all-pages throughput and decode cost, each
//! beside a baseline measured in the same run, as one Markdown table written to `BENCHMARKS.md`.
//!
//! A benchmark, not a test: nothing here runs under `cargo test`, and nothing asserts a time.
//! Measurements that need the `rollcall` crate live in the `rollcall-bench` binary (bench/),
//! because xtask itself must build while the generated code is stale; xtask builds that binary
//! in release into `target/bench` (never the shared `target/`) and reads its rows.

mod build;
mod codegen;
mod machine;

use std::fmt::Write as _;
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::project::Project;

/// The target directory of every build the benchmark starts, apart from the shared one.
pub const TARGET_DIR: &str = "target/bench";

/// Where a `--quick` run writes its report, relative to the project root.
pub const QUICK_REPORT: &str = "target/bench/BENCHMARKS-quick.md";

/// One row of the table; every cell is formatted by whoever measured it.
#[derive(Debug, Clone, Deserialize)]
pub struct Row {
    pub section: String,
    pub case: String,
    pub ours: String,
    pub baseline: String,
    pub ratio: String,
    pub note: String,
}

/// How many times each kind of measurement is repeated.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub quick: bool,
    pub codegen_runs: usize,
    pub baseline_runs: usize,
    pub build_runs: usize,
}

impl Plan {
    fn new(quick: bool, no_build: bool) -> Self {
        let mut plan = if quick {
            Plan {
                quick,
                codegen_runs: 5,
                baseline_runs: 1,
                build_runs: 0,
            }
        } else {
            Plan {
                quick,
                codegen_runs: 10,
                baseline_runs: 3,
                build_runs: 3,
            }
        };
        if no_build {
            plan.build_runs = 0;
        }
        plan
    }
}

/// Runs every benchmark, prints the table and writes `BENCHMARKS.md` (a `--quick` run writes
/// [`QUICK_REPORT`] instead: its smaller samples must not replace the committed full run).
pub fn run(project: &Project, quick: bool, no_build: bool) -> Result<ExitCode> {
    let plan = Plan::new(quick, no_build);
    let started = Instant::now();
    let mut rows = Vec::new();

    eprintln!("bench: codegen");
    rows.extend(codegen::rows(project, plan)?);

    eprintln!("bench: building rollcall-bench (release, {TARGET_DIR})");
    let exe = build_bench_binary(project)?;
    for mode in ["walks", "decode", "latency"] {
        eprintln!("bench: {mode}");
        rows.extend(run_bench_binary(project, &exe, mode, quick)?);
    }

    eprintln!("bench: build cost");
    rows.extend(build::rows(project, plan)?);

    let table = table(&rows);
    println!("{table}");
    let path = project
        .root()
        .join(if quick { QUICK_REPORT } else { "BENCHMARKS.md" });
    let mut report = report(project, plan, &table, started.elapsed().as_secs_f64());
    let earlier = std::fs::read_to_string(&path).unwrap_or_default();
    report.push_str(kept_sections(&earlier));
    std::fs::write(&path, report).with_context(|| format!("writing {}", path.display()))?;
    eprintln!(
        "bench: wrote {} in {:.0} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn build_bench_binary(project: &Project) -> Result<std::path::PathBuf> {
    let status = Command::new(cargo())
        .current_dir(project.root())
        .args(["build", "--quiet", "--release", "-p", "rollcall-bench"])
        .args(["--target-dir", TARGET_DIR])
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("cargo build --release -p rollcall-bench failed");
    }
    Ok(project
        .root()
        .join(TARGET_DIR)
        .join("release/rollcall-bench"))
}

fn run_bench_binary(
    project: &Project,
    exe: &std::path::Path,
    mode: &str,
    quick: bool,
) -> Result<Vec<Row>> {
    let mut command = Command::new(exe);
    command.current_dir(project.root()).arg(mode);
    if quick {
        command.arg("--quick");
    }
    let output = command
        .output()
        .with_context(|| format!("running {}", exe.display()))?;
    if !output.status.success() {
        bail!(
            "rollcall-bench {mode} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).with_context(|| format!("bench row `{line}`")))
        .collect()
}

/// The cargo that runs this xtask, so that the toolchain measured is the one in use.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Median, min and max of a non-empty sample.
pub fn stats(samples: &[f64]) -> (f64, f64, f64) {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    (median, sorted[0], sorted[n - 1])
}

/// `median (min–max) unit`, with `digits` decimals.
pub fn cell(samples: &[f64], digits: usize, unit: &str) -> String {
    let (median, min, max) = stats(samples);
    format!("{median:.digits$} ({min:.digits$}–{max:.digits$}) {unit}")
}

/// The Markdown table of every row.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| Section | Case | rollcall: median (min–max) | Baseline: median (min–max) | Ratio | Note |\n\
         |---|---|---|---|---|---|\n",
    );
    for row in rows {
        let cells = [
            &row.section,
            &row.case,
            &row.ours,
            &row.baseline,
            &row.ratio,
            &row.note,
        ];
        let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

/// The sections after the table of an earlier report (from its first `## ` heading on): the
/// analysis of targets, written by hand from the rows, which a rerun must not erase.
fn kept_sections(old: &str) -> &str {
    old.find("\n## ").map_or("", |at| &old[at..])
}

fn report(project: &Project, plan: Plan, table: &str, seconds: f64) -> String {
    let machine = machine::describe(project);
    let mode = if plan.quick {
        "`cargo xtask bench --quick`"
    } else {
        "`cargo xtask bench`"
    };
    format!(
        "# Benchmarks\n\n\
         Written by {mode} ({seconds:.0} s); rerun it to refresh. What each row measures and \
         how is described in the README's \"Benchmarks\" section.\n\n\
         {machine}\n\
         {table}"
    )
}

#[cfg(test)]
mod tests {
    use super::kept_sections;

    #[test]
    fn a_rerun_keeps_the_sections_written_by_hand_and_nothing_else() {
        let old = "# Benchmarks\n\nWritten by ...\n\n| Section | Case |\n|---|---|\n| Walk | x |\n\n## Targets\nmet\n\n## Drift\n1.3×\n";
        assert_eq!(kept_sections(old), "\n## Targets\nmet\n\n## Drift\n1.3×\n");
        assert_eq!(kept_sections("# Benchmarks\n\n| Section |\n"), "");
        assert_eq!(kept_sections(""), "");
    }
}
