//! `cargo xtask codegen`: `specs/*.yaml` → `generated/src/<provider>/generated.rs`, all or nothing.

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use serde_json::Value;

use crate::project::{Project, SpecFile};
use crate::spec::{Spec, SpecError, ext, one_line};

mod access;
mod builders;
mod drift;
mod fake;
mod glue;
mod names;
mod non_exhaustive;
pub mod open_enum;
mod registry;
mod samples;
mod serde_attrs;
mod table;
pub mod timestamps;
mod tokens;
pub mod untagged;

/// The parameter extension that keeps a documented parameter out of the generated client.
pub const SKIP_EXTENSION: &str = "x-rollcall-codegen-skip";

/// One generated file, in memory.
#[derive(Debug, Clone)]
pub struct Output {
    /// Where it belongs.
    pub path: PathBuf,
    /// Its full text.
    pub contents: String,
    /// The provider it belongs to; `None` for the crate's files that list every provider.
    pub provider: Option<String>,
}

/// One provider's generated client and what its spec says.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The text of `generated.rs` (progenitor's output).
    pub source: String,
    /// The text of `glue.rs` (rollcall's glue over it).
    pub glue: String,
    /// The extensions and the standard parts the glue reads.
    pub ext: ext::Extensions,
    /// Optional dependencies the generated code uses.
    pub deps: Vec<&'static str>,
    /// The module docs' section on making values of its types (`samples::module_doc`).
    pub values_doc: String,
}

/// Runs the command: regenerate (or, with `check`, compare) the selected providers.
pub fn run(project: &Project, names: &[String], check: bool) -> Result<ExitCode> {
    let selected = project.select(names)?;
    let providers = project.providers()?;
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
    // The crate's own files list every provider, so they are always regenerated.
    let outputs: Vec<Output> = outputs
        .into_iter()
        .filter(|o| match &o.provider {
            Some(name) => selected.iter().any(|p| &p.name == name),
            None => true,
        })
        .collect();
    if check {
        let mut stale = stale_files(project, &outputs);
        stale.extend(stray_modules(project, &providers));
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
    for stray in stray_modules(project, &providers) {
        eprintln!("{stray}: no spec names it any more; delete it with the spec's removal");
    }
    Ok(ExitCode::SUCCESS)
}

/// `stray: path` for each module folder under `generated/src/` that no spec produces.
fn stray_modules(project: &Project, providers: &[SpecFile]) -> Vec<String> {
    let dir = project.root().join("generated/src");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut stray: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|path| path.is_dir())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !providers.iter().any(|p| p.module() == name)
        })
        .map(|path| format!("stray: {}", project.display(&path)))
        .collect();
    stray.sort();
    stray
}

/// Generates every provider in memory; any failure returns every error and nothing else.
///
/// The specs are independent, so each is generated on its own thread; results keep the order
/// of `providers`.
pub fn generate_all(
    project: &Project,
    providers: &[SpecFile],
) -> Result<Vec<Output>, Vec<SpecError>> {
    let results: Vec<Result<Generated, SpecError>> = std::thread::scope(|scope| {
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
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (result, provider) in results.into_iter().zip(providers) {
        match result {
            Ok(generated) => {
                let entry = registry::Entry {
                    name: provider.name.clone(),
                    ext: generated.ext,
                    deps: generated.deps,
                    values_doc: generated.values_doc,
                };
                outputs.push(Output {
                    path: project.generated_path(provider),
                    contents: generated.source,
                    provider: Some(provider.name.clone()),
                });
                outputs.push(Output {
                    path: project.generated_path(provider).with_file_name("glue.rs"),
                    contents: generated.glue,
                    provider: Some(provider.name.clone()),
                });
                outputs.push(Output {
                    path: project.generated_path(provider).with_file_name("mod.rs"),
                    contents: registry::module(&entry),
                    provider: Some(provider.name.clone()),
                });
                entries.push(entry);
            }
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let crate_dir = project.root().join("generated");
    let registry = format_source(
        "generated/src/registry.rs",
        &registry::registry_source(&entries),
    )
    .map_err(|e| vec![e])?;
    for (path, contents) in [
        (crate_dir.join("Cargo.toml"), registry::manifest(&entries)),
        (crate_dir.join("src/lib.rs"), registry::lib(&entries)),
        (
            crate_dir.join("src/registry.rs"),
            format!(
                "// @generated by `cargo xtask codegen` from specs/*.yaml: do not edit by hand.\n{registry}"
            ),
        ),
    ] {
        outputs.push(Output {
            path,
            contents,
            provider: None,
        });
    }
    Ok(outputs)
}

/// `source` parsed and printed by prettyplease.
fn format_source(file: &str, source: &str) -> Result<String, SpecError> {
    let syntax: syn::File = syn::parse_str(source)
        .map_err(|e| SpecError::whole(file, format!("codegen produced invalid Rust: {e}")))?;
    Ok(prettyplease::unparse(&syntax))
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
pub fn generate(project: &Project, provider: &SpecFile) -> Result<Generated, SpecError> {
    let spec_path = project.spec_path(provider);
    let file = project.display(&spec_path);
    let text = std::fs::read_to_string(&spec_path)
        .map_err(|e| SpecError::whole(&file, format!("cannot read: {e}")))?;
    generate_provider(&file, &provider.name, &text)
}

/// A fingerprint of a spec's text (MD5, hex), for checkpoints to refuse a walk generated from
/// another spec; line endings do not count, so a checkout with CRLF gives the same files.
fn fingerprint(text: &str) -> String {
    use md5::{Digest as _, Md5};
    let digest = Md5::digest(text.replace('\r', "").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The whole generated file for the spec `text` read from `file`.
pub fn generate_source(file: &str, provider: &str, text: &str) -> Result<String, SpecError> {
    generate_provider(file, provider, text).map(|g| g.source)
}

/// The generated client for the spec `text` read from `file`, with what the crate's shared
/// files need to know of it.
pub fn generate_provider(file: &str, provider: &str, text: &str) -> Result<Generated, SpecError> {
    let spec = Spec::parse(file, text)?;
    let ext = ext::read(&spec)?;
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
        .with_inner_type(
            "::rollcall_runtime::Runtime"
                .parse()
                .expect("static type path"),
        )
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
    // Read before the `types` module is borrowed for the rewrites: which types the builders
    // send and receive.
    let roots = non_exhaustive::Roots::read(&syntax.items);
    let types = syntax
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
            _ => None,
        })
        .ok_or_else(|| SpecError::whole(file, "progenitor output has no `types` module"))?;
    types.1.extend(extra);
    let untagged = untagged::rewrite(&mut types.1);
    timestamps::rewrite(&mut types.1);
    let struct_builders = types
        .1
        .iter()
        .any(|item| matches!(item, syn::Item::Mod(m) if m.ident == "builder"));
    let stripped = builders::strip(&mut types.1, builders::sends_bodies(&spec.raw));
    non_exhaustive::mark(&mut types.1, &roots);
    check_passes(&spec, &open_enums, &untagged, &types.1)?;
    if struct_builders && !builders::sends_bodies(&spec.raw) && stripped == 0 {
        return Err(SpecError::whole(
            file,
            "codegen pass `builders` applied to nothing although typify wrote type builders",
        ));
    }

    let model = access::Types::new(&types.1);
    let builders = names::Builders::read(&syntax.items);
    check_setters(&spec, &ext, &builders)?;
    let schemas: Vec<String> = spec.schemas().map(|(name, _)| name.clone()).collect();
    let glue = glue::render(
        provider,
        &module,
        &ext,
        &model,
        &builders,
        &schemas,
        &fingerprint(text),
    )
    .map_err(|e| SpecError::whole(file, format!("cannot generate the glue: {e}")))?;
    let parse = |what: &str, text: &str| {
        syn::parse_str::<syn::File>(text)
            .map(|f| f.items)
            .map_err(|e| SpecError::whole(file, format!("codegen produced invalid {what}: {e}")))
    };
    let fake = fake::render(&spec, &ext)
        .map_err(|e| SpecError::whole(file, format!("cannot describe the fake: {e}")))?;
    let samples = samples::render(&ext, &model)
        .map_err(|e| SpecError::whole(file, format!("cannot describe the samples: {e}")))?;
    let values_doc = samples::module_doc(&spec, &module, &ext, &model)
        .map_err(|e| SpecError::whole(file, format!("cannot describe the samples: {e}")))?;
    let drift = drift::render(&spec, &ext)
        .map_err(|e| SpecError::whole(file, format!("cannot describe the responses: {e}")))?;
    let top = parse(
        "glue",
        &format!("{GLUE_PRELUDE}{glue}{fake}{samples}{drift}"),
    )?;
    // The walks reach their client through the builder's private field: one accessor per list
    // builder, inside progenitor's module.
    let accessors = parse(
        "accessors",
        &ext.lists
            .iter()
            .chain(&ext.incremental)
            .map(|list| glue::client_accessor(&list.operation))
            .collect::<String>(),
    )?;
    if !accessors.is_empty() {
        let builder = syntax
            .items
            .iter_mut()
            .find_map(|item| match item {
                syn::Item::Mod(m) if m.ident == "builder" => m.content.as_mut(),
                _ => None,
            })
            .ok_or_else(|| SpecError::whole(file, "progenitor output has no `builder` module"))?;
        builder.1.extend(accessors);
    }

    // Generated code is reviewed through the spec diff and its snapshots; lints that judge
    // style would only flag what progenitor chose. The allowance covers progenitor's file
    // only: rollcall's glue is a file of its own, linted like any code.
    let allow: syn::File = syn::parse_str(
        "#![allow(clippy::all, clippy::pedantic, missing_docs, unused_imports, dead_code, \
         rustdoc::bare_urls, rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags, \
         rustdoc::invalid_rust_codeblocks, unreachable_patterns, unused_variables)]",
    )
    .expect("static attribute");
    syntax.attrs.extend(allow.attrs);

    let header = |what: &str| {
        format!(
            "// @generated by `cargo xtask codegen` from {file}: do not edit by hand.\n\
             // Edit the spec, then run `cargo xtask codegen {provider}`.\n{what}"
        )
    };
    let source = header(&prettyplease::unparse(&syntax));
    let mut glue_file: syn::File = syn::parse_str(
        "//! rollcall's glue over progenitor's client of this provider (`generated.rs`): the \
         provider's table,\n//! constructors, `call`, the all-pages walks, the trait impls and \
         the fake, written from the spec.\n",
    )
    .expect("static module doc");
    glue_file.items = top;
    let glue = header(&prettyplease::unparse(&glue_file));
    let deps = [("uuid", "::uuid::"), ("regress", "regress::")]
        .into_iter()
        .filter(|(_, path)| source.contains(path))
        .map(|(dep, _)| dep)
        .collect();
    Ok(Generated {
        source,
        glue,
        ext,
        deps,
        values_doc,
    })
}

/// What the glue file names from progenitor's module and crate.
const GLUE_PRELUDE: &str = "
use ::rollcall_runtime::__codegen as rt;
use super::generated::{builder, types, Client};
use progenitor_client::{ClientHooks, ClientInfo as _, Error, OperationInfo, ResponseValue};
";

/// Fails unless each parameter a walk sets is sent by progenitor's builder for the operation
/// under the setter name the glue writes (`rust_name::snake`), so that the two never drift.
fn check_setters(
    spec: &Spec,
    ext: &ext::Extensions,
    builders: &names::Builders,
) -> Result<(), SpecError> {
    for list in ext.lists.iter().chain(&ext.incremental) {
        let at = format!(
            "/paths/{}/{}/{}",
            crate::spec::escape(&list.path),
            list.method,
            ext::pagination::EXTENSION
        );
        let Some(builder) = builders.get(&list.operation) else {
            return Err(SpecError::at(
                &spec.file,
                &at,
                format!(
                    "progenitor's output has no builder whose `send()` is `{}`",
                    list.operation
                ),
            ));
        };
        let params = list
            .fixed
            .iter()
            .map(|(name, _)| name)
            .chain(&list.size_param)
            .chain(list.page_param.iter().map(|(name, _)| name))
            .chain(&list.cursor_param)
            .chain(&list.start_param);
        for param in params {
            let ours = crate::rust_name::snake(param);
            match builder.setters.get(param) {
                Some(theirs) if *theirs == ours => {}
                Some(theirs) => {
                    return Err(SpecError::at(
                        &spec.file,
                        &at,
                        format!(
                            "progenitor's setter for `{param}` on `{}` is `{theirs}`, the walk \
                             would call `{ours}`",
                            builder.name
                        ),
                    ));
                }
                None => {
                    return Err(SpecError::at(
                        &spec.file,
                        &at,
                        format!(
                            "progenitor's `{}` sends no query or header parameter `{param}`",
                            builder.name
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The pointer of the first `oneOf` whose branches are all typed, none nullable, each of a
/// different `type`: what the untagged pass rewrites.
fn kind_unions(root: &Value, node: &Value, at: &str) -> Option<String> {
    match node {
        Value::Object(map) => {
            if let Some(Value::Array(branches)) = map.get("oneOf") {
                let kinds: Option<Vec<&str>> = branches
                    .iter()
                    .map(|b| {
                        let b = crate::spec::resolve(root, b);
                        let nullable = b.get("nullable").and_then(Value::as_bool) == Some(true);
                        b.get("type").and_then(Value::as_str).filter(|_| !nullable)
                    })
                    .collect();
                if let Some(mut kinds) = kinds {
                    let all = kinds.len();
                    kinds.sort_unstable();
                    kinds.dedup();
                    if all > 1 && kinds.len() == all {
                        return Some(at.to_owned());
                    }
                }
            }
            map.iter().find_map(|(key, value)| {
                kind_unions(root, value, &format!("{at}/{}", crate::spec::escape(key)))
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, value)| kind_unions(root, value, &format!("{at}/{i}"))),
        _ => None,
    }
}

/// Fails when a pass did not apply where the spec calls for it, so that a progenitor or typify
/// upgrade that changes their output cannot silently turn one off: every timestamp field and
/// every open enum is checked on its own (see `timestamps::check`, `open_enum::check`), and
/// every enum and received struct is checked to be `#[non_exhaustive]` (`non_exhaustive::check`).
fn check_passes(
    spec: &Spec,
    open_enums: &[open_enum::OpenEnum],
    untagged: &[String],
    types: &[syn::Item],
) -> Result<(), SpecError> {
    timestamps::check(spec, types)?;
    open_enum::check(&spec.file, open_enums, types)?;
    non_exhaustive::check(spec, types)?;
    let fail = |pass: &str, why: &str| {
        SpecError::whole(
            &spec.file,
            format!("codegen pass `{pass}` applied to nothing although {why}"),
        )
    };
    let schemas = spec
        .raw
        .pointer("/components/schemas")
        .unwrap_or(&Value::Null);
    if let Some(pointer) = kind_unions(&spec.raw, schemas, "/components/schemas")
        && untagged.is_empty()
    {
        return Err(fail(
            "untagged",
            &format!("#{pointer} is a `oneOf` of different JSON kinds"),
        ));
    }
    Ok(())
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
