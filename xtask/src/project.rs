//! Where things live: the specs, the generated crate, and which providers exist.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// A checkout of the rollcall workspace.
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
}

/// One provider: a spec file `specs/<name>.yaml` and its generated module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SpecFile {
    /// Kebab-case name: the spec's file stem and the cargo feature.
    pub name: String,
}

impl SpecFile {
    /// The Rust module name (snake_case).
    pub fn module(&self) -> String {
        self.name.replace('-', "_")
    }
}

impl Project {
    /// The workspace this binary was built from.
    pub fn workspace() -> Self {
        let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        Self::at(xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf())
    }

    /// A project rooted at `root` (used by tests to work on a scratch copy).
    pub fn at(root: PathBuf) -> Self {
        Self { root }
    }

    /// The project root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `specs/`.
    pub fn specs_dir(&self) -> PathBuf {
        self.root.join("specs")
    }

    /// The spec file of a provider.
    pub fn spec_path(&self, provider: &SpecFile) -> PathBuf {
        self.specs_dir().join(format!("{}.yaml", provider.name))
    }

    /// The generated file of a provider.
    pub fn generated_path(&self, provider: &SpecFile) -> PathBuf {
        self.root
            .join("generated/src")
            .join(provider.module())
            .join("generated.rs")
    }

    /// `path` relative to the root, with `/` separators, for messages and headers.
    pub fn display(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Every provider with a spec, sorted by name.
    pub fn providers(&self) -> Result<Vec<SpecFile>> {
        let dir = self.specs_dir();
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", self.display(&dir)))?;
        let mut providers = Vec::new();
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|ext| ext == "yaml")
                && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
            {
                providers.push(SpecFile {
                    name: stem.to_owned(),
                });
            }
        }
        providers.sort();
        Ok(providers)
    }

    /// The named providers, or all of them when `names` is empty.
    pub fn select(&self, names: &[String]) -> Result<Vec<SpecFile>> {
        let all = self.providers()?;
        if names.is_empty() {
            return Ok(all);
        }
        let mut selected = Vec::new();
        for name in names {
            match all.iter().find(|p| &p.name == name) {
                Some(provider) => selected.push(provider.clone()),
                None => {
                    let known: Vec<_> = all.iter().map(|p| p.name.as_str()).collect();
                    bail!(
                        "unknown provider `{name}`: no specs/{name}.yaml (known: {})",
                        known.join(", ")
                    );
                }
            }
        }
        selected.sort();
        selected.dedup();
        Ok(selected)
    }
}
