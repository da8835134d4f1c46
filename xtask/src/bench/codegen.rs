//! Codegen speed: all four specs in-process and the whole `cargo xtask codegen` command, beside
//! `openapi-generator-cli` generating its `rust` client from the same specs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::{Plan, Row, cell, stats};
use crate::codegen::generate_all;
use crate::project::Project;

/// The PyPI package's entry point; the bench skips its rows when it is not on `PATH`.
const OPENAPI_GENERATOR: &str = "openapi-generator-cli";

pub fn rows(project: &Project, plan: Plan) -> Result<Vec<Row>> {
    let providers = project.providers()?;
    let scratch = scratch_dir("codegen")?;

    // In-process: parse + generate + format, exactly what `cargo xtask codegen` does before
    // writing.
    let mut in_process = Vec::new();
    for _ in 0..plan.codegen_runs {
        let start = Instant::now();
        let outputs = generate_all(project, &providers)
            .map_err(|errors| anyhow::anyhow!("codegen failed: {}", errors[0]))?;
        in_process.push(start.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(outputs);
    }

    // The whole command, as the `cargo xtask` alias runs it (cargo's freshness check included,
    // in the shared target/ where `cargo xtask bench` itself was just built, so xtask is
    // prebuilt), on a scratch root holding a copy of the specs so that the checkout's
    // generated/ is never written. One untimed run first, in case xtask/ changed meanwhile.
    let root = scratch.join("root");
    std::fs::create_dir_all(root.join("specs"))?;
    for provider in &providers {
        std::fs::copy(
            project.spec_path(provider),
            root.join("specs").join(format!("{}.yaml", provider.name)),
        )?;
    }
    let command = || {
        let mut command = Command::new(super::cargo());
        command
            .current_dir(project.root())
            .args(["run", "--quiet", "--package", "xtask", "--"])
            .arg("--root")
            .arg(&root)
            .arg("codegen")
            .stdout(Stdio::null());
        command
    };
    run(command())?;
    let mut whole = Vec::new();
    for _ in 0..plan.codegen_runs {
        let _ = std::fs::remove_dir_all(root.join("generated"));
        let start = Instant::now();
        run(command())?;
        whole.push(start.elapsed().as_secs_f64() * 1000.0);
    }

    let baseline = openapi_generator(project, &providers, plan.baseline_runs)?;
    let mut rows = Vec::new();
    let base_cell = |ours: &[f64]| match &baseline {
        Some(samples) => (
            cell(samples, 0, "ms"),
            format!("{:.0}× faster", stats(samples).0 / stats(ours).0),
        ),
        None => ("—".to_owned(), "—".to_owned()),
    };
    let note = match &baseline {
        Some(_) => "target ≥ 100× faster; baseline: openapi-generator-cli `generate -g rust`, \
                    one JVM per spec, --skip-validate-spec"
            .to_owned(),
        None => format!(
            "baseline skipped: `{OPENAPI_GENERATOR}` not found (pip install {OPENAPI_GENERATOR}; needs Java)"
        ),
    };
    let (b, r) = base_cell(&in_process);
    rows.push(Row {
        section: "Codegen".into(),
        case: format!(
            "all {} specs in-process (parse + generate + format)",
            providers.len()
        ),
        ours: cell(&in_process, 1, "ms"),
        baseline: b,
        ratio: r,
        note: note.clone(),
    });
    let (b, r) = base_cell(&whole);
    rows.push(Row {
        section: "Codegen".into(),
        case: "`cargo xtask codegen` command, xtask prebuilt".into(),
        ours: cell(&whole, 0, "ms"),
        baseline: b,
        ratio: r,
        note,
    });

    // Lines of generated code, ours beside openapi-generator's output for the same spec.
    for provider in &providers {
        // Progenitor's file and rollcall's glue beside it: the module's whole generated code.
        let generated = project.generated_path(provider);
        let ours = lines(&generated)? + lines(&generated.with_file_name("glue.rs"))?;
        let theirs = baseline
            .as_ref()
            .map(|_| rust_lines(&openapi_generator_crate(project, &provider.name).join("src")));
        rows.push(Row {
            section: "Build".into(),
            case: format!("{} lines of generated code", provider.name),
            ours: format!("{ours} lines"),
            baseline: theirs.map_or("—".to_owned(), |n| format!("{n} lines")),
            ratio: theirs.map_or("—".to_owned(), |n| {
                format!("{:.2}× baseline", ours as f64 / n as f64)
            }),
            note: "target ≤ 1.3×; ours: generated.rs (types, request builders) + glue.rs \
                   (the provider table, constructors, walks, the test kit's FakeSpec); \
                   baseline: every Rust file of its src/"
                .into(),
        });
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(rows)
}

/// Where openapi-generator's crate for `provider` is left for the build-cost rows, which build
/// it the way they build ours; it stays under the bench's own target directory.
pub fn openapi_generator_crate(project: &Project, provider: &str) -> PathBuf {
    project
        .root()
        .join(super::build::BUILD_TARGET_DIR)
        .join("openapi-generator")
        .join(provider)
}

/// The crate name openapi-generator is told to use for `provider`'s output.
pub fn openapi_generator_package(provider: &str) -> String {
    format!("oag-{provider}")
}

/// `Some(ms per run)` of generating every spec with openapi-generator, or `None` without it.
/// The last run's crates stay in [`openapi_generator_crate`], each made a workspace of its own so
/// that cargo builds it from inside our tree.
fn openapi_generator(
    project: &Project,
    providers: &[crate::project::SpecFile],
    runs: usize,
) -> Result<Option<Vec<f64>>> {
    let clear = || {
        for provider in providers {
            let _ = std::fs::remove_dir_all(openapi_generator_crate(project, &provider.name));
        }
    };
    // Crates an earlier run left must not stand in for this run's in the build-cost rows.
    clear();
    let present = Command::new(OPENAPI_GENERATOR)
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !present {
        return Ok(None);
    }
    let mut samples = Vec::new();
    for sample in 0..runs {
        if sample > 0 {
            clear();
        }
        let start = Instant::now();
        for provider in providers {
            // The crate's name and version would otherwise come from the spec's title and
            // `info.version` (a date for Sequence, which cargo rejects).
            let properties = format!(
                "--additional-properties=packageName={},packageVersion=0.0.0",
                openapi_generator_package(&provider.name)
            );
            let mut command = Command::new(OPENAPI_GENERATOR);
            command
                .args([
                    "generate",
                    "-g",
                    "rust",
                    "--skip-validate-spec",
                    &properties,
                    "-i",
                ])
                .arg(project.spec_path(provider))
                .arg("-o")
                .arg(openapi_generator_crate(project, &provider.name))
                .stdout(Stdio::null());
            run(command)?;
        }
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    for provider in providers {
        let manifest = openapi_generator_crate(project, &provider.name).join("Cargo.toml");
        let mut text = std::fs::read_to_string(&manifest)
            .with_context(|| format!("reading {}", manifest.display()))?;
        text.push_str("\n[workspace]\n");
        std::fs::write(&manifest, text)?;
    }
    Ok(Some(samples))
}

fn run(mut command: Command) -> Result<()> {
    let output = command
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// A fresh directory under the system temp dir for one benchmark section.
pub fn scratch_dir(name: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("rollcall-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn lines(path: &Path) -> Result<usize> {
    Ok(std::fs::read_to_string(path)
        .with_context(|| format!("reading {}", path.display()))?
        .lines()
        .count())
}

/// Lines of every `.rs` file under `dir`.
fn rust_lines(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .map(|path| {
            if path.is_dir() {
                rust_lines(&path)
            } else if path.extension().is_some_and(|e| e == "rs") {
                lines(&path).unwrap_or(0)
            } else {
                0
            }
        })
        .sum()
}
