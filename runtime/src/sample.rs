//! Reading a sample (a spec's example, a fixture) into a generated type and writing it back:
//! what the snapshot tests and fake servers use to check that a shape fits its type.

use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Reads `text` as `T`, writes it back as JSON, and checks that reading that output again gives
/// the same value. Returns `{"type": <Rust type>, "value": <JSON as T writes it>}`; an error
/// quotes the line of `text` that did not fit.
pub fn round_trip<T>(text: &str) -> Result<serde_json::Value, String>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let typed: T = serde_json::from_str(text).map_err(|e| {
        let line = text.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
        format!("{e}, at `{}`", line.trim())
    })?;
    let written = serde_json::to_value(&typed).map_err(|e| format!("cannot serialize: {e}"))?;
    let again: T = serde_json::from_value(written.clone())
        .map_err(|e| format!("its own JSON does not read back: {e}"))?;
    if again != typed {
        return Err(format!(
            "reading its own JSON back gives a different value:\n{typed:#?}\nvs\n{again:#?}"
        ));
    }
    // The generated module is private; its types are re-exported one level up.
    let name = std::any::type_name::<T>().replace("::generated::", "::");
    Ok(serde_json::json!({ "type": name, "value": written }))
}
