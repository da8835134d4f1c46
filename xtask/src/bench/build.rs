//! Build cost: a clean `cargo check` and `cargo build` of `rollcall` for each provider feature
//! alone and for all four, with its dependencies already built so the figure is our code.
//!
//! Everything builds in `target/bench-build` and only `rollcall` is cleaned between runs, so
//! neither the shared `target/` nor the release bench binary in `target/bench` is touched (and
//! the dependencies can be pre-built there while other sections run).

use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::{Plan, Row, cell, stats};
use crate::project::Project;

pub fn rows(project: &Project, plan: Plan) -> Result<Vec<Row>> {
    if plan.build_runs == 0 {
        return Ok(vec![Row {
            section: "Build".into(),
            case: "clean check/build per feature".into(),
            ours: "skipped".into(),
            baseline: "—".into(),
            ratio: "—".into(),
            note: "skipped by --quick or --no-build (each sample is a clean compilation)".into(),
        }]);
    }
    let features: Vec<String> = project.providers()?.into_iter().map(|p| p.name).collect();
    let mut sets: Vec<(String, String)> = features.iter().map(|f| (f.clone(), f.clone())).collect();
    sets.push(("all four".to_owned(), features.join(",")));

    let mut rows = Vec::new();
    for verb in ["check", "build"] {
        // Builds every dependency once, untimed, with every feature (provider features only
        // switch optional dependencies on, never a dependency's own features).
        cargo(project, &[verb, "-p", "rollcall", "--lib"])?;
        let mut all = Vec::new();
        let mut measured = Vec::new();
        for (name, list) in &sets {
            let mut samples = Vec::new();
            for _ in 0..plan.build_runs {
                cargo(project, &["clean", "-p", "rollcall"])?;
                let start = Instant::now();
                cargo(
                    project,
                    &[
                        verb,
                        "-p",
                        "rollcall",
                        "--lib",
                        "--no-default-features",
                        "--features",
                        list,
                    ],
                )?;
                samples.push(start.elapsed().as_secs_f64());
            }
            if list.contains(',') {
                all = samples.clone();
            }
            measured.push((name, samples));
        }
        for (name, samples) in measured {
            let single = !name.starts_with("all");
            let baseline = if single {
                baseline_samples(project, verb, name, plan.build_runs)?
            } else {
                None
            };
            let mut ratios = Vec::new();
            if single {
                ratios.push(format!(
                    "{:.2}× all four",
                    stats(&samples).0 / stats(&all).0
                ));
            }
            if let Some(baseline) = &baseline {
                ratios.push(format!(
                    "{:.2}× openapi-generator",
                    stats(&samples).0 / stats(baseline).0
                ));
            }
            rows.push(Row {
                section: "Build".into(),
                case: format!("clean `cargo {verb}` of rollcall, features: {name}"),
                ours: cell(&samples, 1, "s"),
                baseline: baseline.map_or("—".into(), |b| cell(&b, 1, "s")),
                ratio: if ratios.is_empty() {
                    "—".into()
                } else {
                    ratios.join(" · ")
                },
                note: if single && verb == "check" {
                    "target: well under all four; dependencies pre-built; baseline: \
                     openapi-generator's crate for the same spec, rustls"
                        .into()
                } else if single {
                    "dependencies pre-built; baseline: openapi-generator's crate for the same \
                     spec, rustls"
                        .into()
                } else {
                    "dependencies pre-built".into()
                },
            });
        }
    }
    Ok(rows)
}

/// Clean `cargo VERB` times of openapi-generator's crate for `provider`, built like ours (its
/// dependencies pre-built, rustls instead of its default native-tls); `None` when the codegen
/// section did not produce it (openapi-generator-cli absent).
fn baseline_samples(
    project: &Project,
    verb: &str,
    provider: &str,
    runs: usize,
) -> Result<Option<Vec<f64>>> {
    let dir = super::codegen::openapi_generator_crate(project, provider);
    let manifest = dir.join("Cargo.toml");
    if !manifest.exists() {
        return Ok(None);
    }
    let manifest = manifest.to_string_lossy().into_owned();
    let package = super::codegen::openapi_generator_package(provider);
    let build = [
        verb,
        "--manifest-path",
        &manifest,
        "--lib",
        "--no-default-features",
        "--features",
        "rustls",
    ];
    cargo_in(project, BASELINE_TARGET_DIR, &build)?;
    let mut samples = Vec::new();
    for _ in 0..runs {
        cargo_in(
            project,
            BASELINE_TARGET_DIR,
            &["clean", "--manifest-path", &manifest, "-p", &package],
        )?;
        let start = Instant::now();
        cargo_in(project, BASELINE_TARGET_DIR, &build)?;
        samples.push(start.elapsed().as_secs_f64());
    }
    Ok(Some(samples))
}

/// Its own target directory: a `cargo clean -p rollcall` must not reach the bench binary's.
pub const BUILD_TARGET_DIR: &str = "target/bench-build";

/// openapi-generator's crates build here, apart from ours, since their dependency versions and
/// features differ.
const BASELINE_TARGET_DIR: &str = "target/bench-build/openapi-generator-target";

fn cargo(project: &Project, args: &[&str]) -> Result<()> {
    cargo_in(project, BUILD_TARGET_DIR, args)
}

fn cargo_in(project: &Project, target_dir: &str, args: &[&str]) -> Result<()> {
    let output = Command::new(super::cargo())
        .current_dir(project.root())
        .args(args)
        .args(["--quiet", "--target-dir", target_dir])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .context("running cargo")?;
    if !output.status.success() {
        bail!(
            "cargo {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}
