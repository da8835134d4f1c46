//! Typed readers of the raw document shared by the extension readers: each refuses a value of the
//! wrong JSON kind with one line naming the pointer.

use serde_json::{Map, Value};

use crate::spec::{SpecError, escape, resolve};

/// The schema a pointer reaches inside component `name`, following properties and `$ref`s.
pub(super) fn schema_at<'v>(raw: &'v Value, name: &str, pointer: &str) -> Option<&'v Value> {
    let root = raw.pointer(&format!("/components/schemas/{}", escape(name)))?;
    walk_schema(raw, root, pointer)
}

pub(super) fn walk_schema<'v>(
    raw: &'v Value,
    mut node: &'v Value,
    pointer: &str,
) -> Option<&'v Value> {
    for segment in pointer.split('/').skip(1) {
        node = resolve(raw, node).pointer(&format!("/properties/{segment}"))?;
    }
    Some(node)
}

pub(super) fn ref_name(node: &Value) -> Option<String> {
    node.get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

pub(super) fn object_at<'v>(
    file: &str,
    raw: &'v Value,
    at: &str,
) -> Result<Option<&'v Map<String, Value>>, SpecError> {
    match raw.pointer(at) {
        None => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(SpecError::at(file, at, "expected a mapping")),
    }
}

pub(super) fn str_at<'v>(
    file: &str,
    raw: &'v Value,
    at: &str,
) -> Result<Option<&'v str>, SpecError> {
    match raw.pointer(at) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(SpecError::at(file, at, "expected a string")),
    }
}

pub(super) fn bool_at(file: &str, raw: &Value, at: &str) -> Result<Option<bool>, SpecError> {
    match raw.pointer(at) {
        None => Ok(None),
        Some(Value::Bool(flag)) => Ok(Some(*flag)),
        Some(_) => Err(SpecError::at(file, at, "expected true or false")),
    }
}

pub(super) fn pointer_at(file: &str, raw: &Value, at: &str) -> Result<Option<String>, SpecError> {
    let Some(text) = str_at(file, raw, at)? else {
        return Ok(None);
    };
    check_pointer(file, at, text)?;
    Ok(Some(text.to_owned()))
}

pub(super) fn check_pointer(file: &str, at: &str, pointer: &str) -> Result<(), SpecError> {
    if pointer.is_empty() || pointer.starts_with('/') {
        Ok(())
    } else {
        Err(SpecError::at(
            file,
            at,
            format!("`{pointer}` is not a JSON pointer (it starts with `/`)"),
        ))
    }
}

pub(super) fn list<'v>(
    file: &str,
    at: &str,
    value: Option<&'v Value>,
) -> Result<&'v [Value], SpecError> {
    match value {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(SpecError::at(file, at, "expected a list")),
    }
}

pub(super) fn check_keys(
    file: &str,
    at: &str,
    object: Option<&Map<String, Value>>,
    known: &[&str],
) -> Result<(), SpecError> {
    for key in object.into_iter().flat_map(Map::keys) {
        if !known.contains(&key.as_str()) {
            return Err(SpecError::at(
                file,
                &format!("{at}/{}", escape(key)),
                format!("unknown key `{key}` (known: {})", known.join(", ")),
            ));
        }
    }
    Ok(())
}
