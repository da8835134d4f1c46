//! `cargo xtask codegen`: `specs/*.yaml` → `generated/src/<provider>/generated.rs`, all or nothing.

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use serde_json::Value;

use crate::project::{Project, Provider};
use crate::spec::{Spec, SpecError, one_line};
use crate::{open_enum, timestamps, untagged};

/// The parameter extension that keeps a documented parameter out of the generated client.
pub const SKIP_EXTENSION: &str = "x-rollcall-codegen-skip";

/// One generated file, in memory.
#[derive(Debug, Clone)]
pub struct Output {
    /// Where it belongs.
    pub path: PathBuf,
    /// Its full text.
    pub contents: String,
}

/// Runs the command: regenerate (or, with `check`, compare) the selected providers.
pub fn run(project: &Project, names: &[String], check: bool) -> Result<ExitCode> {
    let providers = project.select(names)?;
    let outputs = match generate_all(project, &providers) {
        Ok(outputs) => outputs,
        Err(errors) => {
            for error in &errors {
                eprintln!("error: {error}");
            }
            eprintln!(
                "codegen: {} spec(s) failed; nothing under generated/ was changed",
                errors.len()
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    if check {
        let stale = stale_files(project, &outputs);
        for line in &stale {
            eprintln!("{line}");
        }
        if stale.is_empty() {
            println!(
                "codegen --check: {} generated file(s) up to date",
                outputs.len()
            );
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("codegen --check: run `cargo xtask codegen` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    write_all(project, &outputs)?;
    Ok(ExitCode::SUCCESS)
}

/// Generates every provider in memory; any failure returns every error and nothing else.
///
/// The specs are independent, so each is generated on its own thread; results keep the order
/// of `providers`.
pub fn generate_all(
    project: &Project,
    providers: &[Provider],
) -> Result<Vec<Output>, Vec<SpecError>> {
    let results: Vec<Result<Output, SpecError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = providers
            .iter()
            .map(|provider| scope.spawn(move || generate(project, provider)))
            .collect();
        handles
            .into_iter()
            .zip(providers)
            .map(|(handle, provider)| {
                handle.join().unwrap_or_else(|_| {
                    Err(SpecError::whole(
                        &project.display(&project.spec_path(provider)),
                        "codegen panicked outside progenitor",
                    ))
                })
            })
            .collect()
    });
    let mut outputs = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(output) => outputs.push(output),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(outputs)
    } else {
        Err(errors)
    }
}

/// `stale: path` / `missing: path` lines for every output that differs from the tree.
pub fn stale_files(project: &Project, outputs: &[Output]) -> Vec<String> {
    outputs
        .iter()
        .filter_map(|output| match std::fs::read_to_string(&output.path) {
            Ok(existing) if existing == output.contents => None,
            Ok(_) => Some(format!("stale: {}", project.display(&output.path))),
            Err(_) => Some(format!("missing: {}", project.display(&output.path))),
        })
        .collect()
}

/// Writes the outputs that changed, each through a temporary file and a rename.
fn write_all(project: &Project, outputs: &[Output]) -> Result<()> {
    for output in outputs {
        let shown = project.display(&output.path);
        if std::fs::read_to_string(&output.path).is_ok_and(|existing| existing == output.contents) {
            println!("unchanged {shown}");
            continue;
        }
        let dir = output
            .path
            .parent()
            .context("generated file has no parent directory")?;
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating {}", project.display(dir)))?;
        let temp = output.path.with_extension("rs.tmp");
        std::fs::write(&temp, &output.contents).with_context(|| format!("writing {shown}"))?;
        std::fs::rename(&temp, &output.path).with_context(|| format!("writing {shown}"))?;
        println!("wrote {shown}");
    }
    Ok(())
}

/// Generates one provider's client.
pub fn generate(project: &Project, provider: &Provider) -> Result<Output, SpecError> {
    let spec_path = project.spec_path(provider);
    let file = project.display(&spec_path);
    let text = std::fs::read_to_string(&spec_path)
        .map_err(|e| SpecError::whole(&file, format!("cannot read: {e}")))?;
    let contents = generate_source(&file, &provider.name, &text)?;
    Ok(Output {
        path: project.generated_path(provider),
        contents,
    })
}

/// The whole generated file for the spec `text` read from `file`.
pub fn generate_source(file: &str, provider: &str, text: &str) -> Result<String, SpecError> {
    let spec = Spec::parse(file, text)?;
    let module = provider.replace('-', "_");
    let open_enums = open_enum::collect(&spec)?;

    let mut raw = spec.raw.clone();
    strip_skipped_parameters(&mut raw);
    let openapi: openapiv3::OpenAPI = serde_json::from_value(raw)
        .map_err(|e| SpecError::whole(file, format!("not a valid OpenAPI 3.0 document: {e}")))?;

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type("crate::runtime::Runtime".parse().expect("static type path"))
        .with_hooks(HooksMode::Expected)
        .with_derive("PartialEq")
        .with_map_type("::std::collections::BTreeMap");
    for open in &open_enums {
        settings.with_replacement(
            &open.name,
            format!("crate::{module}::types::{}", open.name),
            [progenitor::TypeImpl::Display, progenitor::TypeImpl::FromStr].into_iter(),
        );
    }

    let tokens = quietly(|| Generator::new(&settings).generate_tokens(&openapi))
        .map_err(|panic| {
            SpecError::whole(
                file,
                format!("progenitor cannot generate this spec: {panic}"),
            )
        })?
        .map_err(|e| {
            SpecError::whole(
                file,
                format!("progenitor rejected the spec: {}", shorten(&e.to_string())),
            )
        })?;
    let mut syntax: syn::File = syn::parse2(tokens)
        .map_err(|e| SpecError::whole(file, format!("progenitor produced invalid Rust: {e}")))?;

    let extra: Vec<syn::Item> = open_enums
        .iter()
        .map(|open| {
            syn::parse_str::<syn::File>(&open_enum::render(open))
                .map(|f| f.items)
                .map_err(|e| SpecError::whole(file, format!("open enum `{}`: {e}", open.name)))
        })
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    let types = syntax
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
            _ => None,
        })
        .ok_or_else(|| SpecError::whole(file, "progenitor output has no `types` module"))?;
    types.1.extend(extra);
    untagged::rewrite(&mut types.1);
    timestamps::rewrite(&mut types.1);

    // Generated code is reviewed through the spec diff and its snapshots; lints that judge
    // style would only flag what progenitor chose.
    let allow: syn::File = syn::parse_str(
        "#![allow(clippy::all, clippy::pedantic, missing_docs, unused_imports, dead_code, \
         rustdoc::bare_urls, rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags, \
         rustdoc::invalid_rust_codeblocks, unreachable_patterns)]",
    )
    .expect("static attribute");
    syntax.attrs.extend(allow.attrs);

    Ok(format!(
        "// @generated by `cargo xtask codegen` from {file}: do not edit by hand.\n\
         // Edit the spec, then run `cargo xtask codegen {provider}`.\n{}",
        prettyplease::unparse(&syntax)
    ))
}

/// Removes parameters that carry [`SKIP_EXTENSION`] from every operation and path item.
fn strip_skipped_parameters(raw: &mut Value) {
    let Some(paths) = raw.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for node in item.values_mut() {
            let params = if node.is_array() {
                Some(node)
            } else {
                node.get_mut("parameters")
            };
            if let Some(Value::Array(params)) = params {
                params.retain(|p| p.get(SKIP_EXTENSION).is_none());
            }
        }
    }
}

/// progenitor's messages can embed a `Debug` dump of the offending node; the first part says it.
fn shorten(message: &str) -> String {
    const LIMIT: usize = 160;
    let message = one_line(message);
    match message.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message,
    }
}

thread_local! {
    /// Whether this thread is inside [`quietly`], whose panics are reported as errors instead.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic into its message without printing a backtrace.
///
/// The panic hook is process-wide and specs are generated on several threads at once, so it is
/// replaced once, by one that stays silent only on a thread that is inside this function.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|quiet| quiet.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|quiet| quiet.set(false));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panicked".to_owned());
        one_line(&message)
    })
}
