//! The checked-in generated code is exactly what `cargo xtask codegen` makes from today's specs.
//!
//! The generators run in memory through the xtask library. Following rust-analyzer's
//! `ensure_file_contents`, a stale file is rewritten on a developer's machine (so that `cargo
//! test` both catches and repairs the drift: review the diff, rerun, commit) and the test fails
//! either way; under CI (`CI` set, and not `false` or `0`) nothing is ever written.
//!
//! This lives in its own test binary because the codegen library briefly swaps the process-wide
//! panic hook while progenitor runs.

use xtask::codegen::generate_all;
use xtask::project::Project;

#[test]
fn generated_code_is_fresh() {
    let project = Project::workspace();
    let providers = project.providers().expect("specs/ lists the providers");
    assert!(!providers.is_empty(), "no spec in specs/");
    let outputs = match generate_all(&project, &providers) {
        Ok(outputs) => outputs,
        Err(errors) => {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("codegen failed:\n{}", lines.join("\n"));
        }
    };
    assert_eq!(
        outputs.len(),
        3 * providers.len() + 3,
        "generated.rs, glue.rs and mod.rs per spec, plus the crate's Cargo.toml, lib.rs and \
         registry.rs"
    );

    let ci = in_ci();
    let mut stale = Vec::new();
    for output in &outputs {
        let shown = project.display(&output.path);
        match std::fs::read_to_string(&output.path) {
            Ok(existing) if existing == output.contents => continue,
            Ok(_) => stale.push(format!("stale: {shown}")),
            Err(_) => stale.push(format!("missing: {shown}")),
        }
        if !ci {
            if let Some(dir) = output.path.parent() {
                std::fs::create_dir_all(dir).expect("create the generated module's folder");
            }
            std::fs::write(&output.path, &output.contents)
                .unwrap_or_else(|e| panic!("cannot rewrite {shown}: {e}"));
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nrun `cargo xtask codegen` and commit the result{}",
        stale.join("\n"),
        if ci {
            " (CI: nothing was written)"
        } else {
            " (the files above were rewritten now: review the diff and rerun the tests)"
        }
    );
}

/// The same reading of `CI` as insta's: set, and neither empty, `false` nor `0`.
fn in_ci() -> bool {
    !matches!(
        std::env::var("CI").ok().as_deref(),
        None | Some("" | "false" | "0")
    )
}
