//! Mutated spec examples through every provider's generated response types: whatever a server
//! sends, a walk ends in users or in one typed `rollcall::Error` naming the provider and the
//! operation — never a panic, a hang or a stack overflow.
//!
//! For each provider the examples of every response of its list operation are read from
//! `specs/<provider>.yaml` at test time, then mutated: fields removed, set to null, replaced by
//! a value of another JSON kind, extra fields, huge and odd strings, ~10,000 levels of nesting,
//! then, on the bytes, truncation and invalid UTF-8. Each mutated body is decoded straight into
//! the generated list type (which may fail, but must not panic) and served by a wiremock server
//! on loopback (with the example's HTTP status) to `client.all_users()`.
//!
//! 64 cases per provider keep the file well under a minute in a debug build; set
//! `PROPTEST_CASES` for a longer run.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::common::*;
use futures::TryStreamExt as _;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rollcall::RetryPolicy;
use serde_json::{Map, Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Levels of nesting in a deep-nesting mutation.
const DEPTH: usize = 10_000;
/// Stands for the deeply nested value until the body is text (a `Value` that deep would itself
/// need a deep stack to build and drop).
const DEEP: &str = "__rollcall_proptest_deep_nesting__";

/// One example of a response of the list operation, with the HTTP status it is served with.
#[derive(Clone, Debug)]
struct Example {
    name: String,
    status: u16,
    value: Value,
}

/// The examples of every response of the operation at `path` (`GET`), `$ref`s resolved.
fn examples(spec_file: &str, path: &str) -> Vec<Example> {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs/").to_owned() + spec_file;
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let spec: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let resolve = |node: &Value| -> Value {
        let mut node = node.clone();
        while let Some(target) = node.get("$ref").and_then(Value::as_str) {
            let pointer = target.trim_start_matches('#');
            node = spec
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{file}: dangling {target}"))
                .clone();
        }
        node
    };
    let operation = &spec["paths"][path]["get"];
    let responses = operation["responses"].as_object().expect("responses");
    let mut found = Vec::new();
    for (code, response) in responses {
        let status = match code.as_str() {
            "4XX" => 400,
            "5XX" => 500,
            exact => exact.parse().expect("a status code"),
        };
        let response = resolve(response);
        let media = &response["content"]["application/json"];
        if let Some(example) = media.get("example") {
            found.push(Example {
                name: code.clone(),
                status,
                value: example.clone(),
            });
        }
        for (name, example) in media
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            found.push(Example {
                name: format!("{code}-{name}"),
                status,
                value: resolve(example)["value"].clone(),
            });
        }
    }
    assert!(
        found.iter().any(|e| e.status == 200),
        "{file}: no 200 example"
    );
    found
}

/// A change to one node of the JSON tree, picked by its index in document order.
#[derive(Clone, Debug)]
enum Mutation {
    Remove(usize),
    Null(usize),
    /// Replace by a value of another kind (the `u8` picks which).
    Swap(usize, u8),
    /// Add a property (to an object) or an element (to an array).
    Extra(usize, String),
    Huge(usize, usize),
    Odd(usize, usize),
    Deep(usize, bool),
}

/// A change to the serialized body.
#[derive(Clone, Debug)]
enum ByteMutation {
    None,
    Truncate(usize),
    InvalidUtf8(usize, u8),
}

const ODD: &[&str] = &[
    "",
    " ",
    "\u{0}",
    "\u{FFFD}\u{FEFF}",
    "\u{202E}txet",
    "🧑‍🤝‍🧑",
    "\\\"\n\t",
    "9999-99-99T99:99:99Z",
    "2024-02-30T25:61:00+99:00",
    "-0",
    "1e999",
    "NaN",
    "null",
    "<html><title>x</title></html>",
    "18446744073709551616",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    let node = any::<usize>();
    prop_oneof![
        3 => node.prop_map(Mutation::Remove),
        3 => node.prop_map(Mutation::Null),
        3 => (node, any::<u8>()).prop_map(|(n, k)| Mutation::Swap(n, k)),
        2 => (node, prop::collection::vec(any::<char>(), 0..12))
            .prop_map(|(n, name)| Mutation::Extra(n, name.into_iter().collect())),
        1 => (node, 0..65_536usize).prop_map(|(n, len)| Mutation::Huge(n, len)),
        2 => (node, 0..ODD.len()).prop_map(|(n, i)| Mutation::Odd(n, i)),
        1 => (node, any::<bool>()).prop_map(|(n, arrays)| Mutation::Deep(n, arrays)),
    ]
}

fn byte_mutation() -> impl Strategy<Value = ByteMutation> {
    prop_oneof![
        6 => Just(ByteMutation::None),
        1 => any::<usize>().prop_map(ByteMutation::Truncate),
        1 => (any::<usize>(), prop::sample::select(vec![0xFFu8, 0xC3, 0x80, 0xED]))
            .prop_map(|(at, byte)| ByteMutation::InvalidUtf8(at, byte)),
    ]
}

/// JSON pointers of every node, in document order (the root first).
fn pointers(value: &Value) -> Vec<String> {
    fn walk(value: &Value, at: String, out: &mut Vec<String>) {
        out.push(at.clone());
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let key = key.replace('~', "~0").replace('/', "~1");
                    walk(child, format!("{at}/{key}"), out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

fn swapped(value: &Value, kind: u8) -> Value {
    let candidates = [
        json!(42),
        json!(-1),
        json!(12.5),
        json!(u64::MAX),
        json!(1e300),
        json!("42"),
        json!(true),
        json!([]),
        json!({}),
        json!([null]),
        json!({"id": "x"}),
    ];
    let others: Vec<&Value> = candidates
        .iter()
        .filter(|c| std::mem::discriminant(*c) != std::mem::discriminant(value))
        .collect();
    others[usize::from(kind) % others.len()].clone()
}

fn apply(root: &mut Value, mutation: &Mutation) {
    let all = pointers(root);
    let pick = |n: usize| all[n % all.len()].clone();
    let (pointer, change) = match mutation {
        Mutation::Remove(n) => (pick(*n), None),
        Mutation::Null(n) => (pick(*n), Some(Value::Null)),
        Mutation::Swap(n, kind) => {
            let at = pick(*n);
            let new = swapped(&root.pointer(&at).cloned().unwrap_or_default(), *kind);
            (at, Some(new))
        }
        Mutation::Extra(n, name) => {
            let at = pick(*n);
            if let Some(node) = root.pointer_mut(&at) {
                match node {
                    Value::Object(map) => {
                        map.insert(name.clone(), json!({"added": [1, "two", null]}));
                    }
                    Value::Array(items) => items.push(json!({"added": name})),
                    _ => {}
                }
            }
            return;
        }
        Mutation::Huge(n, len) => (pick(*n), Some(Value::String("é".repeat(*len / 2)))),
        Mutation::Odd(n, i) => (pick(*n), Some(Value::String(ODD[*i].to_owned()))),
        Mutation::Deep(n, arrays) => (pick(*n), Some(json!(format!("{DEEP}{arrays}")))),
    };
    match change {
        Some(new) => {
            if let Some(node) = root.pointer_mut(&pointer) {
                *node = new;
            }
        }
        None if pointer.is_empty() => *root = Value::Object(Map::new()),
        None => {
            let (parent, last) = pointer.rsplit_once('/').expect("a child pointer");
            let last = last.replace("~1", "/").replace("~0", "~");
            match root.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.remove(&last);
                }
                Some(Value::Array(items)) => {
                    if let Ok(i) = last.parse::<usize>()
                        && i < items.len()
                    {
                        items.remove(i);
                    }
                }
                _ => {}
            }
        }
    }
}

/// The body as sent: the mutated JSON, deep-nesting placeholders expanded, bytes mutated.
fn body(value: &Value, bytes: &ByteMutation) -> Vec<u8> {
    let mut text = serde_json::to_string(value).expect("a Value serializes");
    for (arrays, open, close) in [(true, "[", "]"), (false, "{\"a\":", "}")] {
        let placeholder = format!("\"{DEEP}{arrays}\"");
        if text.contains(&placeholder) {
            let deep = format!("{}1{}", open.repeat(DEPTH), close.repeat(DEPTH));
            text = text.replace(&placeholder, &deep);
        }
    }
    let mut out = text.into_bytes();
    match *bytes {
        ByteMutation::None => {}
        ByteMutation::Truncate(at) => out.truncate(at % out.len().max(1)),
        ByteMutation::InvalidUtf8(at, byte) => {
            // Inside a string when possible: right after one of the body's quotes.
            let quotes: Vec<usize> = (0..out.len()).filter(|&i| out[i] == b'"').collect();
            let at = if quotes.is_empty() {
                at % (out.len() + 1)
            } else {
                quotes[at % quotes.len()] + 1
            };
            out.insert(at, byte);
        }
    }
    out
}

/// Serves whatever the current case put here.
#[derive(Clone, Default)]
struct Current(Arc<Mutex<(u16, Vec<u8>)>>);

impl Respond for Current {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let (status, bytes) = self.0.lock().expect("not poisoned").clone();
        ResponseTemplate::new(status).set_body_raw(bytes, "application/json")
    }
}

/// Walks every user of the provider at `uri`; `Ok(count)` or the error's `Display`.
async fn walk(kind: Kind, uri: &str) -> Result<usize, String> {
    fn shown(error: rollcall::Error) -> String {
        error.to_string()
    }
    let mut options = rollcall::ClientOptions::default();
    options.base_url = Some(uri.to_owned());
    options.retry = Some(RetryPolicy::none());
    options.request_timeout = Some(Duration::from_secs(10));
    options.max_pages = Some(3);
    let client = kind.connect(&test_env(kind), &options).map_err(shown)?;
    let users: Vec<Value> = client.all_users_json().try_collect().await.map_err(shown)?;
    Ok(users.len())
}

/// The spec file and the list operation's path of a provider.
fn spec_of(kind: Kind) -> (String, &'static str) {
    (format!("{}.yaml", kind.name()), kind.list().path)
}

fn run(kind: Kind) {
    let (file, path) = spec_of(kind);
    let examples = examples(&file, path);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let current = Current::default();
    let server = runtime.block_on(async {
        let server = MockServer::builder().start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(current.clone())
            .mount(&server)
            .await;
        server
    });
    let config = Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(64),
        failure_persistence: None,
        ..Config::default()
    };
    let strategy = (
        0..examples.len(),
        prop::collection::vec(mutation(), 0..4),
        byte_mutation(),
        any::<bool>(),
    );
    let prefix = format!("{} {}: ", kind.name(), kind.operation());
    let mut runner = TestRunner::new(config);
    let outcome = runner.run(&strategy, |(which, mutations, bytes, as_200)| {
        let example = &examples[which];
        let mut value = example.value.clone();
        for mutation in &mutations {
            apply(&mut value, mutation);
        }
        let sent = body(&value, &bytes);
        let status = if as_200 { 200 } else { example.status };
        *current.0.lock().expect("not poisoned") = (status, sent);
        let result = runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(30), walk(kind, &server.uri())).await
        });
        let Ok(result) = result else {
            return Err(TestCaseError::fail(format!(
                "{}: the walk hung",
                example.name
            )));
        };
        if let Err(shown) = result {
            prop_assert!(
                shown.starts_with(&prefix),
                "{}: error does not name provider and operation: {shown}",
                example.name
            );
            prop_assert!(
                !shown.contains('\n'),
                "{}: error is not one line: {shown}",
                example.name
            );
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{}: {failure}", kind.name());
    }
}

/// Every provider of the registry, in turn (the decode happens inside the walk).
#[test]
fn mutated_examples_of_every_provider() {
    for kind in Kind::ALL.iter().copied() {
        run(kind);
    }
}

#[test]
fn mutations_do_what_they_say() {
    let mut value = json!({"a": {"b": [1, 2]}, "c": "x"});
    // Document order: "" /a /a/b /a/b/0 /a/b/1 /c
    apply(&mut value, &Mutation::Remove(3));
    assert_eq!(value, json!({"a": {"b": [2]}, "c": "x"}));
    apply(&mut value, &Mutation::Null(4));
    assert_eq!(value, json!({"a": {"b": [2]}, "c": null}));
    apply(&mut value, &Mutation::Deep(2, true));
    let sent = body(&value, &ByteMutation::None);
    assert_eq!(sent.iter().filter(|&&b| b == b'[').count(), DEPTH);
    assert!(
        serde_json::from_slice::<Value>(&sent).is_err(),
        "deeper than serde_json's limit"
    );
    let truncated = body(&json!({"a": 1}), &ByteMutation::Truncate(3));
    assert_eq!(truncated, b"{\"a");
    let invalid = body(&json!({"a": 1}), &ByteMutation::InvalidUtf8(0, 0xFF));
    assert!(std::str::from_utf8(&invalid).is_err());
}
