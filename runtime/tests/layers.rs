//! Keeps the runtime layered: every module of `src/` sits in one layer of the table below (the
//! same as the table in `lib.rs`'s crate doc), and a module may only refer to modules of lower
//! layers, or to modules of its own layer as long as that makes no cycle. A reference through
//! the crate root (`crate::Error` rather than `crate::error::Error`) hides which layer it goes
//! to, so below the test kit it is refused too. `lib.rs` itself only declares modules and
//! re-exports.
//!
//! The source is read with a small lexer (comments, strings and character literals skipped), so
//! a doc link to a higher layer is fine: it is documentation, not a dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// Every module of the crate, by layer, bottom-up.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "leaves",
        &[
            "secret", "rules", "decode", "sample", "wire", "drift", "scope",
        ],
    ),
    (
        "data",
        &[
            "error",
            "checkpoint",
            "pacing",
            "auth",
            "account_rules",
            "provider",
            "account",
            "changes",
        ],
    ),
    ("config", &["config"]),
    ("request", &["retry", "classify", "client"]),
    (
        "walk",
        &[
            "stream",
            "page",
            "dedupe",
            "walk",
            "list",
            "incremental",
            "several",
        ],
    ),
    ("API", &["builder", "users", "connect"]),
    ("test kit", &["testing"]),
];

/// The layer a module belongs to.
fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// The top layer may reach anything, the crate root's re-exports included.
fn is_top(layer: usize) -> bool {
    layer + 1 == LAYERS.len()
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Path,
    Open,
    Close,
    Comma,
    Other(char),
}

/// The code tokens of `text` that matter here, each with its line; comments, strings and
/// character literals are skipped.
fn lex(text: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // Skips to the end of a string starting at `i` (`"`), honouring escapes unless raw with
    // `hashes` `#`s; returns the index after it.
    let skip_string = |mut i: usize, raw: Option<usize>, line: &mut usize| -> usize {
        i += 1;
        while i < chars.len() {
            match chars[i] {
                '\n' => *line += 1,
                '\\' if raw.is_none() => i += 1,
                '"' => match raw {
                    None => return i + 1,
                    Some(hashes) => {
                        if chars[i + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|c| **c == '#')
                            .count()
                            == hashes
                        {
                            return i + 1 + hashes;
                        }
                    }
                },
                _ => {}
            }
            i += 1;
        }
        i
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            '"' => i = skip_string(i, None, &mut line),
            '\'' => {
                // A character literal (`'x'`, `'\n'`, `'\u{7f}'`) or a lifetime (`'a`).
                if chars.get(i + 1) == Some(&'\\') {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let ident: String = chars[start..i].iter().collect();
                let raw = matches!(ident.as_str(), "r" | "br" | "cr");
                if raw && matches!(chars.get(i), Some('"') | Some('#')) {
                    let hashes = chars[i..].iter().take_while(|c| **c == '#').count();
                    if chars.get(i + hashes) == Some(&'"') {
                        i = skip_string(i + hashes, Some(hashes), &mut line);
                        continue;
                    }
                }
                if matches!(ident.as_str(), "b" | "c") && chars.get(i) == Some(&'"') {
                    i = skip_string(i, None, &mut line);
                    continue;
                }
                tokens.push((Token::Ident(ident), line));
            }
            ':' if chars.get(i + 1) == Some(&':') => {
                tokens.push((Token::Path, line));
                i += 2;
            }
            '{' => {
                tokens.push((Token::Open, line));
                i += 1;
            }
            '}' => {
                tokens.push((Token::Close, line));
                i += 1;
            }
            ',' => {
                tokens.push((Token::Comma, line));
                i += 1;
            }
            c if c.is_whitespace() => i += 1,
            c => {
                tokens.push((Token::Other(c), line));
                i += 1;
            }
        }
    }
    tokens
}

/// A name a file refers to at the crate root: a module, or (`None`) a re-export of the root.
#[derive(Debug)]
struct Reference {
    line: usize,
    /// What the source says, such as `crate::error` or `super::Error`.
    text: String,
    /// The module reached, when the first name is one.
    module: Option<String>,
}

/// The names after `crate::` (or enough `super::` to reach the root) at `tokens[i..]`: one, or
/// the first name of each item of a `{...}` group.
fn root_names(tokens: &[(Token, usize)], mut i: usize) -> Vec<String> {
    match tokens.get(i) {
        Some((Token::Ident(name), _)) => vec![name.clone()],
        Some((Token::Open, _)) => {
            let mut names = Vec::new();
            let mut depth = 0;
            let mut expect_item = true;
            i += 1;
            while let Some((token, _)) = tokens.get(i) {
                match token {
                    Token::Open => depth += 1,
                    Token::Close if depth == 0 => break,
                    Token::Close => depth -= 1,
                    Token::Comma if depth == 0 => expect_item = true,
                    Token::Ident(name) if depth == 0 && expect_item => {
                        names.push(name.clone());
                        expect_item = false;
                    }
                    _ if depth == 0 => expect_item = false,
                    _ => {}
                }
                i += 1;
            }
            names
        }
        Some((token, _)) => vec![format!("{token:?}")],
        None => Vec::new(),
    }
}

/// Every reference to the crate root in one file; `depth` is how many modules deep the file
/// is (`src/error.rs`: 1, `src/auth/query_md5.rs`: 2).
fn references(text: &str, depth: usize) -> Vec<Reference> {
    let tokens = lex(text);
    let mut found = Vec::new();
    let mut braces = 0usize;
    // The brace depth inside each inline `mod x { ... }` being read.
    let mut inline: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (token, line) = &tokens[i];
        match token {
            Token::Open => {
                braces += 1;
                if i >= 2
                    && tokens[i - 2].0 == Token::Ident("mod".into())
                    && matches!(tokens[i - 1].0, Token::Ident(_))
                {
                    inline.push(braces);
                }
            }
            Token::Close => {
                if inline.last() == Some(&braces) {
                    inline.pop();
                }
                braces = braces.saturating_sub(1);
            }
            Token::Ident(word)
                if word == "crate" && tokens.get(i + 1).map(|t| &t.0) == Some(&Token::Path) =>
            {
                for name in root_names(&tokens, i + 2) {
                    found.push(Reference {
                        line: *line,
                        text: format!("crate::{name}"),
                        module: layer_of(&name).map(|_| name),
                    });
                }
            }
            Token::Ident(word) if word == "super" => {
                let mut supers = 0;
                let mut j = i;
                while tokens.get(j).map(|t| &t.0) == Some(&Token::Ident("super".into()))
                    && tokens.get(j + 1).map(|t| &t.0) == Some(&Token::Path)
                {
                    supers += 1;
                    j += 2;
                }
                // Only `super`s that climb to the crate root leave the file's own module.
                if supers >= depth + inline.len() {
                    for name in root_names(&tokens, j) {
                        found.push(Reference {
                            line: *line,
                            text: format!("{}{name}", "super::".repeat(supers)),
                            module: layer_of(&name).map(|_| name),
                        });
                    }
                }
                i = j.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// A rule broken, named by file, line and reference.
struct Breach {
    file: String,
    line: usize,
    text: String,
    why: String,
}

impl fmt::Display for Breach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: `{}` {}",
            self.file, self.line, self.text, self.why
        )
    }
}

fn source_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            source_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The breaches of the layering in the crate at `src`.
fn breaches(src: &Path) -> Vec<Breach> {
    let mut files = Vec::new();
    source_files(src, &mut files);
    files.sort();
    let mut breaches = Vec::new();
    // Same-layer references, to find cycles: module -> (module, file, line, text).
    let mut sideways: BTreeMap<String, Vec<(String, String, usize, String)>> = BTreeMap::new();
    let mut seen_modules = BTreeSet::new();
    for path in &files {
        let relative = path.strip_prefix(src).expect("under src/");
        let file = format!("src/{}", relative.display()).replace('\\', "/");
        let text = std::fs::read_to_string(path).expect("a source file is readable");
        let parts: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        if parts == ["lib.rs"] {
            for (token, line) in lex(&text) {
                if let Token::Ident(word) = token
                    && matches!(
                        word.as_str(),
                        "fn" | "struct"
                            | "enum"
                            | "trait"
                            | "impl"
                            | "const"
                            | "static"
                            | "type"
                            | "union"
                            | "macro_rules"
                    )
                {
                    breaches.push(Breach {
                        file: file.clone(),
                        line,
                        text: word,
                        why: "is an item in lib.rs, which only declares modules and re-exports"
                            .to_owned(),
                    });
                }
            }
            continue;
        }
        let module = parts[0].trim_end_matches(".rs").to_owned();
        // `foo/mod.rs` is `foo` itself; `foo/bar.rs` is one deeper.
        let depth = if parts.last().is_some_and(|p| p == "mod.rs") {
            parts.len() - 1
        } else {
            parts.len()
        };
        let Some(layer) = layer_of(&module) else {
            breaches.push(Breach {
                file,
                line: 1,
                text: module,
                why: "is in no layer: add it to the table in tests/layers.rs and lib.rs".to_owned(),
            });
            continue;
        };
        seen_modules.insert(module.clone());
        for reference in references(&text, depth) {
            let Some(target) = reference.module else {
                if !is_top(layer) {
                    breaches.push(Breach {
                        file: file.clone(),
                        line: reference.line,
                        text: reference.text,
                        why: "goes through the crate root, which hides its layer: name the module"
                            .to_owned(),
                    });
                }
                continue;
            };
            if target == module {
                continue;
            }
            let to = layer_of(&target).expect("a module of the table");
            if to > layer {
                breaches.push(Breach {
                    file: file.clone(),
                    line: reference.line,
                    text: reference.text,
                    why: format!(
                        "points upward, from layer {layer} ({}) to layer {to} ({})",
                        LAYERS[layer].0, LAYERS[to].0
                    ),
                });
            } else if to == layer {
                sideways.entry(module.clone()).or_default().push((
                    target,
                    file.clone(),
                    reference.line,
                    reference.text,
                ));
            }
        }
    }
    for (_, modules) in LAYERS {
        for module in *modules {
            if !seen_modules.contains(*module) {
                breaches.push(Breach {
                    file: "tests/layers.rs".to_owned(),
                    line: 1,
                    text: (*module).to_owned(),
                    why: "is in the table but not in src/".to_owned(),
                });
            }
        }
    }
    // A same-layer reference a -> b is refused when b leads back to a.
    let reaches = |from: &str, to: &str| {
        let mut stack = vec![from.to_owned()];
        let mut visited = BTreeSet::new();
        while let Some(at) = stack.pop() {
            if at == to {
                return true;
            }
            if visited.insert(at.clone()) {
                for (next, ..) in sideways.get(&at).into_iter().flatten() {
                    stack.push(next.clone());
                }
            }
        }
        false
    };
    for (module, edges) in &sideways {
        for (target, file, line, text) in edges {
            if reaches(target, module) {
                breaches.push(Breach {
                    file: file.clone(),
                    line: *line,
                    text: text.clone(),
                    why: format!(
                        "points sideways into a cycle: `{target}` leads back to `{module}`"
                    ),
                });
            }
        }
    }
    breaches
}

#[test]
fn every_module_imports_only_from_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let breaches = breaches(&src);
    assert!(
        breaches.is_empty(),
        "the runtime's layering is broken:\n{}",
        breaches
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_reader_sees_code_only() {
    let text = r##"
        // crate::walk in a comment
        /// [`x`](crate::walk) in a doc
        const S: &str = "crate::walk";
        const R: &str = r#"crate::walk "quoted""#;
        const C: char = '{';
        fn f<'a>(x: &'a str) {}
        use crate::{error::Error, scope};
        use crate::Error;
        mod tests {
            use super::*;
            use super::super::walk;
        }
    "##;
    let found: Vec<(String, Option<String>)> = references(text, 1)
        .into_iter()
        .map(|r| (r.text, r.module))
        .collect();
    assert_eq!(
        found,
        [
            ("crate::error".to_owned(), Some("error".to_owned())),
            ("crate::scope".to_owned(), Some("scope".to_owned())),
            ("crate::Error".to_owned(), None),
            ("super::super::walk".to_owned(), Some("walk".to_owned())),
        ]
    );
}

#[test]
fn an_upward_import_is_caught() {
    let dir = std::env::temp_dir().join(format!("rollcall-layers-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    for (_, modules) in LAYERS {
        for module in *modules {
            std::fs::write(src.join(format!("{module}.rs")), "//! A module.\n").unwrap();
        }
    }
    std::fs::write(src.join("lib.rs"), "mod error;\n").unwrap();
    std::fs::write(src.join("error.rs"), "use crate::walk::walk;\n").unwrap();
    std::fs::write(src.join("retry.rs"), "use crate::client;\n").unwrap();
    std::fs::write(src.join("client.rs"), "use crate::retry;\n").unwrap();
    let found: Vec<String> = breaches(&src).iter().map(ToString::to_string).collect();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        found,
        [
            "src/error.rs:1: `crate::walk` points upward, from layer 1 (data) to layer 4 (walk)",
            "src/client.rs:1: `crate::retry` points sideways into a cycle: `retry` leads back to `client`",
            "src/retry.rs:1: `crate::client` points sideways into a cycle: `client` leads back to `retry`",
        ]
    );
}
