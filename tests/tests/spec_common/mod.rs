//! What the spec snapshot tests share: reading a spec as a JSON tree, and the HTTP methods an
//! OpenAPI path item may hold.

use std::path::Path;

use serde_json::Value;

/// A spec file as a JSON tree; a file that cannot be read or parsed fails the test.
pub fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()))
}

/// The keys of an OpenAPI path item that hold operations, in the order the spec lists them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
