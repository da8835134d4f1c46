//! `cargo xtask`: project automation for rollcall.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::{bench, codegen, diff, drift, lint, project::Project, semver};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Project automation for rollcall",
    version
)]
struct Cli {
    /// Project root (defaults to the workspace this xtask was built in).
    #[arg(long, global = true, hide = true)]
    root: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Benchmark codegen, build cost, all-pages walks and decoding against baselines; print
    /// one Markdown table and write it to BENCHMARKS.md.
    Bench {
        /// A smoke run in under a minute: fewer and smaller samples, no build-cost rows; the
        /// report goes to target/bench/BENCHMARKS-quick.md, leaving BENCHMARKS.md alone.
        #[arg(long)]
        quick: bool,
        /// Leave out the build-cost rows (clean compilations of rollcall; the slowest part).
        #[arg(long)]
        no_build: bool,
    },
    /// Regenerate the progenitor clients in generated/ from the specs in specs/.
    Codegen {
        /// Providers to regenerate (spec file names without `.yaml`); all when omitted.
        providers: Vec<String>,
        /// Write nothing; exit 1 naming each generated file that is stale or missing.
        #[arg(long)]
        check: bool,
    },
    /// Report what the spec changes since BASE do to crates that use `rollcall`.
    Diff {
        /// The git revision to compare the working tree's specs with.
        #[arg(default_value = "HEAD")]
        base: String,
        /// How to print the report.
        #[arg(long, value_enum, default_value = "markdown")]
        format: diff::Format,
        /// Exit 1 when a finding is this bad (or worse).
        #[arg(long, value_enum)]
        fail_on: Option<diff::FailOn>,
    },
    /// Check `xtask diff`'s verdict per provider against cargo-semver-checks run on the generated
    /// crate at BASE and now; exit 1 where they disagree in a way cargo-semver-checks can see.
    /// Slow (it documents the crate twice per provider): not part of CI.
    Semver {
        /// The git revision to compare the working tree with.
        #[arg(default_value = "HEAD")]
        base: String,
        /// Regenerate BASE's crate with BASE's own xtask instead of using its committed
        /// generated/ (builds that xtask once, in target/semver/xtask-base).
        #[arg(long)]
        regenerate_base: bool,
        /// Instead of BASE: run over xtask/tests/fixtures/semver/ and check each case's verdict.
        #[arg(long, conflicts_with_all = ["base", "regenerate_base"])]
        fixtures: bool,
    },
    /// Turn drift reports (`rollcall users P --drift FILE`) into the spec edits that make each
    /// finding go away: printed as a YAML patch; with --write applied to specs/ for review.
    /// Exit 1 when a finding has no edit (or its spec is gone).
    Drift {
        /// Drift reports, of one or several providers and runs.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Apply the edits to specs/ (comments and untouched lines are kept).
        #[arg(long)]
        write: bool,
    },
    /// Check the specs against the project's rules (xtask/RULES.md); exit 1 on any problem.
    Lint {
        /// Providers to lint (spec file names without `.yaml`); all when omitted.
        providers: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let project = match cli.root {
        Some(root) => Project::at(root),
        None => Project::workspace(),
    };
    let result = match cli.command {
        Command::Bench { quick, no_build } => bench::run(&project, quick, no_build),
        Command::Codegen { providers, check } => codegen::run(&project, &providers, check),
        Command::Diff {
            base,
            format,
            fail_on,
        } => diff::run(&project, &base, format, fail_on),
        Command::Lint { providers } => lint::run(&project, &providers),
        Command::Drift { files, write } => drift::run(&project, &files, write),
        Command::Semver {
            base,
            regenerate_base,
            fixtures,
        } => semver::run(&project, &base, regenerate_base, fixtures),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
