//! Tidy: checks of the repository itself, in the spirit of rust-analyzer's tidy test.
//!
//! Each rule walks the files git knows about (tracked, plus new files not ignored) and fails with
//! every offender as `path:line: what is wrong`, so that one run shows all the drift:
//!
//! - `paths_named_in_docs_exist`: repository paths named in doc comments, Markdown and manifests;
//! - `dependencies_are_used`: every dependency of a workspace crate is named in its sources,
//!   and no dev-dependency merely repeats a normal one;
//! - `rust_files_start_with_module_docs`: every hand-written `.rs` file opens with `//!`;
//! - `generated_markers_match_gitattributes`: `@generated` headers and `.gitattributes` agree.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Paths that are named on purpose but do not exist in this repository (a user's own project,
/// say), each with a comment saying why. None today.
const HYPOTHETICAL_PATHS: &[&str] = &[];

/// Dependencies whose library is named differently from the package, as (package, library).
const LIBRARY_NAMES: &[(&str, &str)] = &[("md-5", "md5")];

/// Dependencies that are deliberately never named in the crate's sources, as (crate dir, package).
const UNNAMED_DEPENDENCIES: &[(&str, &str)] = &[
    // Written by codegen for the specs that have `format: uuid` or `pattern`; optional and off
    // while no spec needs them, so that adding such a spec needs no manifest change.
    ("generated", "uuid"),
    ("generated", "regress"),
];

/// Top-level directories of the repository: a token starting with one of them is a path.
const TOP_LEVEL_DIRS: &[&str] = &[
    "specs/",
    "xtask/",
    "generated/",
    "runtime/",
    "cli/",
    "bench/",
    "tests/",
    ".ci/",
    ".cargo/",
];

/// Extensions that make a token with a `/` in it a path.
const PATH_EXTENSIONS: &[&str] = &[".rs", ".yaml", ".toml", ".md"];

#[test]
fn paths_named_in_docs_exist() {
    let repo = Repo::load();
    let mut offenders = Vec::new();
    for file in &repo.files {
        let Some(mentions) = path_mentions(file, &repo.read(file)) else {
            continue;
        };
        for (line, token) in mentions {
            if !repo.path_exists(file, &token) {
                offenders.push(format!("{file}:{line}: `{token}` does not exist"));
            }
        }
    }
    // An unclosed code fence turns the rest of a document inside out (prose read as code and
    // code as prose), so paths would be checked in the wrong places.
    for file in repo.files.iter().filter(|f| f.ends_with(".md")) {
        let fences: Vec<usize> = repo
            .read(file)
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with("```"))
            .map(|(i, _)| i + 1)
            .collect();
        if let Some(last) = fences.last().filter(|_| fences.len() % 2 == 1) {
            offenders.push(format!(
                "{file}:{last}: odd number of ``` fences ({}): a code block is broken",
                fences.len()
            ));
        }
    }
    assert_clean(
        "paths named in doc comments, Markdown or manifests that do not exist \
         (fix the path, or add a deliberately hypothetical one to HYPOTHETICAL_PATHS)",
        offenders,
    );
}

#[test]
fn dependencies_are_used() {
    let repo = Repo::load();
    let mut offenders = Vec::new();
    for manifest in repo.files.iter().filter(|f| f.ends_with("/Cargo.toml")) {
        let crate_dir = manifest.trim_end_matches("/Cargo.toml");
        let sources: String = repo
            .files
            .iter()
            .filter(|f| f.ends_with(".rs") && is_crate_source(crate_dir, f))
            .map(|f| code_only(&repo.read(f)))
            .collect::<Vec<_>>()
            .join("\n");
        let declared = dependencies(&repo.read(manifest));
        for dev in declared.iter().filter(|d| d.section == "dev-dependencies") {
            // A bare `name.workspace = true` dev-dependency adds nothing to a normal dependency
            // of the same name that also comes from the workspace (and is not optional): the
            // tests have it already, with at least the same features.
            let bare = matches!(dev.spec.as_str(), ".workspace=true" | "={workspace=true}");
            let normal = declared.iter().find(|d| {
                d.section == "dependencies"
                    && d.package == dev.package
                    && d.spec.contains("workspace=true")
                    && !d.spec.contains("optional")
            });
            if let Some(normal) = normal.filter(|_| bare) {
                offenders.push(format!(
                    "{manifest}:{}: [dev-dependencies] `{}` repeats the dependency of line {} and \
                     adds nothing",
                    dev.line, dev.package, normal.line
                ));
            }
        }
        for Dependency {
            line,
            section,
            package,
            ..
        } in declared
        {
            if UNNAMED_DEPENDENCIES.contains(&(crate_dir, package.as_str())) {
                continue;
            }
            let library = LIBRARY_NAMES
                .iter()
                .find(|(p, _)| *p == package)
                .map_or_else(|| package.replace('-', "_"), |(_, l)| (*l).to_owned());
            if !names_crate(&sources, &library) {
                offenders.push(format!(
                    "{manifest}:{line}: [{section}] `{package}` is never named in {crate_dir}'s \
                     sources (`{library}::`, `use {library}`)"
                ));
            }
        }
    }
    assert_clean(
        "dependencies no source of their crate uses, or dev-dependencies that repeat one \
         (remove them, or list a deliberate one in UNNAMED_DEPENDENCIES / a renamed library in \
         LIBRARY_NAMES)",
        offenders,
    );
}

#[test]
fn rust_files_start_with_module_docs() {
    let repo = Repo::load();
    let offenders: Vec<String> = repo
        .files
        .iter()
        .filter(|f| f.ends_with(".rs") && !is_generated_client(f))
        .filter_map(|f| {
            let text = repo.read(f);
            let (line, first) = first_line_after_header(&text);
            (!first.starts_with("//!"))
                .then(|| format!("{f}:{line}: starts with `{first}` instead of a `//!` module doc"))
        })
        .collect();
    assert_clean(
        "Rust files without a `//!` module doc at the top (after an optional `// @generated` header)",
        offenders,
    );
}

#[test]
fn generated_markers_match_gitattributes() {
    let repo = Repo::load();
    let attributes = repo.read(".gitattributes");
    let entries: Vec<(usize, &str)> = attributes
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("linguist-generated"))
        .filter_map(|(i, l)| Some((i + 1, l.split_whitespace().next()?)))
        .collect();
    let marked = repo.marked_generated();
    let mut offenders = Vec::new();
    for file in &repo.files {
        let header = generated_header_line(&repo.read(file));
        match (header, marked.contains(file)) {
            (Some(line), false) => offenders.push(format!(
                "{file}:{line}: has an `@generated` header but .gitattributes does not mark it \
                 linguist-generated"
            )),
            (None, true) => {
                let by: Vec<String> = entries
                    .iter()
                    .filter(|(_, pattern)| attribute_matches(pattern, file))
                    .map(|(n, pattern)| format!(".gitattributes:{n} (`{pattern}`)"))
                    .collect();
                offenders.push(format!(
                    "{file}:1: has no `@generated` header but is marked linguist-generated by {}",
                    by.join(", ")
                ));
            }
            _ => {}
        }
    }
    for (n, pattern) in &entries {
        if !repo.files.iter().any(|f| attribute_matches(pattern, f)) {
            offenders.push(format!(".gitattributes:{n}: `{pattern}` matches no file"));
        }
    }
    assert_clean(
        "`@generated` headers and .gitattributes disagree",
        offenders,
    );
}

/// The files of the repository, as paths relative to its root with `/` separators.
struct Repo {
    root: PathBuf,
    files: Vec<String>,
    dirs: BTreeSet<String>,
}

impl Repo {
    fn load() -> Repo {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives in the repository root")
            .to_path_buf();
        // Untracked files count too, so that a new file is checked before it is added.
        let listed = git(
            &root,
            &["ls-files", "--cached", "--others", "--exclude-standard"],
            "",
        );
        let files: Vec<String> = listed
            .lines()
            .filter(|f| root.join(f).is_file())
            .map(str::to_owned)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let dirs = files
            .iter()
            .flat_map(|f| f.match_indices('/').map(move |(i, _)| f[..i].to_owned()))
            .collect();
        Repo { root, files, dirs }
    }

    fn read(&self, file: &str) -> String {
        fs::read(self.root.join(file))
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }

    /// Whether `token`, named in `file`, is a file or directory of the repository: relative to
    /// the root, to the naming file's directory, or to its crate's directory; a glob must match.
    fn path_exists(&self, file: &str, token: &str) -> bool {
        if HYPOTHETICAL_PATHS.contains(&token) {
            return true;
        }
        let file_dir = parent(file);
        let crate_dir = self.crate_dir(file);
        [String::new(), file_dir.to_owned(), crate_dir.to_owned()]
            .iter()
            .filter_map(|base| normalize(&join(base, token)))
            .any(|candidate| {
                let candidate = candidate.trim_end_matches('/');
                if candidate.contains('*') {
                    self.files
                        .iter()
                        .chain(&self.dirs)
                        .any(|f| glob_matches(candidate, f))
                } else {
                    self.files.iter().any(|f| f == candidate) || self.dirs.contains(candidate)
                }
            })
    }

    /// The directory of the nearest `Cargo.toml` above `file` (the root if none).
    fn crate_dir<'a>(&self, file: &'a str) -> &'a str {
        let mut dir = parent(file);
        while !dir.is_empty() {
            if self.files.iter().any(|f| *f == format!("{dir}/Cargo.toml")) {
                return dir;
            }
            dir = parent(dir);
        }
        ""
    }

    /// The files git gives `linguist-generated` (set or true), as git itself reads .gitattributes.
    fn marked_generated(&self) -> BTreeSet<String> {
        let input = self.files.join("\n");
        git(
            &self.root,
            &["check-attr", "--stdin", "linguist-generated"],
            &input,
        )
        .lines()
        .filter_map(|l| {
            let (path, value) = l.rsplit_once(": linguist-generated: ")?;
            matches!(value, "set" | "true").then(|| path.to_owned())
        })
        .collect()
    }
}

fn git(root: &Path, args: &[&str], stdin: &str) -> String {
    use std::io::Write as _;
    let mut child = Command::new("git")
        .args(args)
        .current_dir(root)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git runs");
    // Written from another thread: git answers while it reads, and a full stdout pipe would
    // otherwise stop both sides.
    let mut input = child.stdin.take().expect("piped");
    let stdin = stdin.to_owned();
    let writer = std::thread::spawn(move || input.write_all(stdin.as_bytes()));
    let output = child.wait_with_output().expect("git finishes");
    writer
        .join()
        .expect("the writer does not panic")
        .expect("git reads its input");
    assert!(output.status.success(), "git {args:?} failed");
    String::from_utf8(output.stdout).expect("git prints UTF-8")
}

fn assert_clean(what: &str, offenders: Vec<String>) {
    assert!(
        offenders.is_empty(),
        "{what}:\n{}\n",
        offenders
            .iter()
            .map(|o| format!("  {o}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ---- rule 1: paths named in prose ----

/// The path-like tokens `file` names, with their line numbers; `None` for files that are not
/// prose (only doc comments, Markdown and manifests are read).
fn path_mentions(file: &str, text: &str) -> Option<Vec<(usize, String)>> {
    let mut found = Vec::new();
    let mut explicit = Vec::new();
    if file.ends_with(".md") {
        for (line, prose) in outside_fences(text.lines().enumerate().map(|(i, l)| (i + 1, l))) {
            found.extend(words(prose).into_iter().map(|t| (line, t)));
        }
    } else if file.ends_with(".rs") {
        let docs = text.lines().enumerate().filter_map(|(i, l)| {
            let l = l.trim_start();
            let doc = l.strip_prefix("//!").or_else(|| l.strip_prefix("///"))?;
            Some((i + 1, doc))
        });
        for (line, prose) in outside_fences(docs) {
            found.extend(words(prose).into_iter().map(|t| (line, t)));
        }
    } else if file.ends_with("Cargo.toml") {
        for (i, l) in text.lines().enumerate() {
            let (code, comment) = l.split_once('#').unwrap_or((l, ""));
            found.extend(words(comment).into_iter().map(|w| (i + 1, w)));
            // `path` and `readme` values are paths whatever they look like.
            for value in manifest_paths(code) {
                explicit.push((i + 1, value));
            }
        }
    } else {
        return None;
    }
    found.retain_mut(|(_, token)| match as_repo_path(token) {
        Some(path) => {
            *token = path;
            true
        }
        None => false,
    });
    found.extend(explicit);
    Some(found)
}

/// Lines outside fenced code blocks, which hold commands and code rather than references.
fn outside_fences<'a>(
    lines: impl Iterator<Item = (usize, &'a str)>,
) -> impl Iterator<Item = (usize, &'a str)> {
    let mut fenced = false;
    lines.filter(move |(_, l)| {
        if l.trim_start().starts_with("```") {
            fenced = !fenced;
            return false;
        }
        !fenced
    })
}

/// The words of one line of prose, backticked or not, with Markdown links split into their
/// text and target.
fn words(line: &str) -> Vec<String> {
    line.split(|c: char| c.is_whitespace() || c == '`')
        .flat_map(|word| word.split("]("))
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The values of `path = "..."` and `readme = "..."` keys on one manifest line.
fn manifest_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for key in ["path", "readme"] {
        paths.extend(key_values(code, key));
    }
    paths
}

fn key_values(code: &str, key: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(key) {
        rest = &rest[at + key.len()..];
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        if let Some(quoted) = value.trim_start().strip_prefix('"')
            && let Some(end) = quoted.find('"')
        {
            paths.push(quoted[..end].to_owned());
        }
    }
    paths
}

/// `token` as a path to check, if it looks like one: it has a `/` and starts with a top-level
/// directory or ends with a known extension. URLs, absolute paths and build output are not
/// checked; `<name>` and `{name}` placeholders become `*`.
fn as_repo_path(token: &str) -> Option<String> {
    let token = token
        .trim_start_matches(|c: char| "([\"'".contains(c))
        .trim_end_matches(|c: char| ")],;:.'\"".contains(c));
    let token = token.split('#').next().unwrap_or_default();
    if !token.contains('/')
        || token.contains("://")
        || token.starts_with('/')
        || token.starts_with('~')
        || token.starts_with("target/")
        || token.contains("::")
        || token.contains('$')
    {
        return None;
    }
    let bare = token.trim_start_matches("./").trim_start_matches("../");
    let looks_like_path = TOP_LEVEL_DIRS.iter().any(|d| bare.starts_with(d))
        || PATH_EXTENSIONS.iter().any(|e| token.ends_with(e));
    looks_like_path.then(|| placeholders_to_globs(token))
}

fn placeholders_to_globs(token: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in token.chars() {
        match c {
            '<' | '{' => {
                if depth == 0 {
                    out.push('*');
                }
                depth += 1;
            }
            '>' | '}' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn join(base: &str, path: &str) -> String {
    if base.is_empty() {
        path.to_owned()
    } else {
        format!("{base}/{path}")
    }
}

/// `path` without `.` and `..` segments; `None` if it leaves the repository.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Whether `path` matches `pattern`: `**` crosses directories, `*` and `?` do not.
fn glob_matches(pattern: &str, path: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match p {
            [] => s.is_empty(),
            [b'*', b'*', rest @ ..] => {
                let rest = rest.strip_prefix(b"/").unwrap_or(rest);
                (0..=s.len()).any(|i| go(rest, &s[i..]))
            }
            [b'*', rest @ ..] => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != b'/')
                .any(|i| go(rest, &s[i..])),
            [b'?', rest @ ..] => !s.is_empty() && s[0] != b'/' && go(rest, &s[1..]),
            [c, rest @ ..] => s.first() == Some(c) && go(rest, &s[1..]),
        }
    }
    go(pattern.as_bytes(), path.as_bytes())
}

/// Whether a .gitattributes pattern matches `path`: with a `/` it is anchored at the root,
/// without one it matches a file name at any depth (a pattern naming a directory's contents
/// ends in `/**`).
fn attribute_matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_prefix('/') {
        Some(anchored) => glob_matches(anchored, path),
        None if pattern.contains('/') => glob_matches(pattern, path),
        None => glob_matches(pattern, path.rsplit('/').next().unwrap_or(path)),
    }
}

// ---- rule 2: dependencies ----

/// One dependency as a manifest declares it.
struct Dependency {
    line: usize,
    /// `dependencies`, `dev-dependencies`, ...
    section: String,
    /// The key, which is also the name the crate's code uses (a rename is a new key).
    package: String,
    /// The rest of its line without whitespace (`.workspace=true`, `={version="1"}`).
    spec: String,
}

/// The dependencies a manifest declares.
fn dependencies(manifest: &str) -> Vec<Dependency> {
    let mut found = Vec::new();
    let mut section = String::new();
    for (i, line) in manifest.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if let Some(header) = line.strip_prefix('[') {
            section = header.trim_end_matches(']').to_owned();
            // A dependency of its own table: `[dependencies.name]`.
            if let Some((table, name)) = section.rsplit_once('.')
                && table.ends_with("dependencies")
            {
                found.push(Dependency {
                    line: i + 1,
                    section: table.to_owned(),
                    package: name.to_owned(),
                    spec: String::new(),
                });
                section.clear();
            }
            continue;
        }
        let is_dependency_table = section == "dependencies"
            || section == "dev-dependencies"
            || section == "build-dependencies"
            || section.ends_with(".dependencies")
            || section.ends_with(".dev-dependencies");
        if !is_dependency_table || !line.contains('=') {
            continue;
        }
        let key = line
            .split(|c: char| c == '=' || c == '.' || c.is_whitespace())
            .next()
            .unwrap_or_default();
        if !key.is_empty() {
            found.push(Dependency {
                line: i + 1,
                section: section.clone(),
                package: key.to_owned(),
                spec: line[key.len()..].split_whitespace().collect(),
            });
        }
    }
    found
}

/// Whether `file` is one of the Rust sources of the crate in `crate_dir` (its `src/`, `tests/`,
/// `benches/`, `examples/` or `build.rs`).
fn is_crate_source(crate_dir: &str, file: &str) -> bool {
    let Some(inner) = file
        .strip_prefix(crate_dir)
        .and_then(|f| f.strip_prefix('/'))
    else {
        return false;
    };
    inner == "build.rs"
        || ["src/", "tests/", "benches/", "examples/"]
            .iter()
            .any(|d| inner.starts_with(d))
}

/// Rust source without its comment lines, so that a crate only mentioned in prose is not used.
fn code_only(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `code` names the library `name` as a path root (`name::`) or in a `use`.
fn names_crate(code: &str, name: &str) -> bool {
    let bytes = code.as_bytes();
    code.match_indices(name).any(|(at, _)| {
        let before_ok = at == 0 || {
            let b = bytes[at - 1];
            !(b.is_ascii_alphanumeric() || b == b'_')
        };
        let after = &code[at + name.len()..];
        let before = code[..at].trim_end();
        before_ok
            && (after.starts_with("::")
                || ((before.ends_with("use") || before.ends_with("extern crate"))
                    && after.starts_with([';', ' ', ':'])))
    })
}

// ---- rules 3 and 4: headers ----

/// The client code progenitor writes, which carries no module doc of its own.
fn is_generated_client(file: &str) -> bool {
    file.starts_with("generated/src/") && file.ends_with("/generated.rs")
}

/// The first line (1-based number and text) after an `// @generated` header: the header line,
/// the plain `//` comments that follow it, and blank lines.
fn first_line_after_header(text: &str) -> (usize, &str) {
    let mut lines = text.lines().enumerate().peekable();
    if lines
        .peek()
        .is_some_and(|(_, l)| l.starts_with("// @generated"))
    {
        while lines.next_if(|(_, l)| is_plain_comment(l)).is_some() {}
    }
    lines
        .find(|(_, l)| !l.trim().is_empty())
        .map_or((1, ""), |(i, l)| (i + 1, l))
}

fn is_plain_comment(line: &str) -> bool {
    line.starts_with("//") && !line.starts_with("//!") && !line.starts_with("///")
}

/// The line of a file's `@generated` header: a `//` or `#` comment among its first three lines.
fn generated_header_line(text: &str) -> Option<usize> {
    text.lines()
        .take(3)
        .position(|l| l.starts_with("// @generated") || l.starts_with("# @generated"))
        .map(|i| i + 1)
}

/// The tokenizer and matchers the rules above rely on.
#[test]
fn path_tokens_are_recognised() {
    assert_eq!(as_repo_path("(specs/x.yaml)."), Some("specs/x.yaml".into()));
    assert_eq!(
        as_repo_path("specs/<provider>.yaml"),
        Some("specs/*.yaml".into())
    );
    assert_eq!(as_repo_path("https://example.com/a.md"), None);
    assert_eq!(as_repo_path("rollcall::testing"), None);
    assert_eq!(as_repo_path("and/or"), None);
    assert_eq!(
        words("see [the rules](xtask/RULES.md)."),
        ["see", "[the", "rules", "xtask/RULES.md)."]
    );
    assert!(glob_matches(
        "tests/tests/client_*.rs",
        "tests/tests/client_a.rs"
    ));
    assert!(!glob_matches("tests/*.rs", "tests/tests/a.rs"));
    assert!(glob_matches("generated/**", "generated/src/lib.rs"));
    assert!(attribute_matches("*.snap", "tests/tests/snapshots/a.snap"));
    assert!(names_crate("use serde_json::Value;", "serde_json"));
    assert!(names_crate("use md5;", "md5"));
    assert!(!names_crate("let serde_json_x = 1;", "serde_json"));
    let manifest =
        "[dependencies]\nfoo.workspace = true\n[dev-dependencies.bar-baz]\nversion = \"1\"\n";
    let names: Vec<String> = dependencies(manifest)
        .into_iter()
        .map(|d| d.package)
        .collect();
    assert_eq!(names, ["foo", "bar-baz"]);
}
