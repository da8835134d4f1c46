//! `x-rollcall.errors` and `x-rollcall.envelope`: where an error body keeps its code, message and
//! request id, and the envelope that marks an error inside an HTTP 200.

use serde_json::Value;

use super::value::{check_keys, check_pointer, list, object_at, pointer_at};
use crate::spec::SpecError;

/// `x-rollcall.errors`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorRules {
    /// Candidates for the code.
    pub code: Vec<Field>,
    /// Parts of the message.
    pub message: Vec<Part>,
    /// Candidates for the request id.
    pub request_id: Vec<Field>,
    /// Response headers that carry the request id (lowercase), asked when no field has it.
    pub request_id_header: Vec<String>,
}

/// A pointer and which strings count there (`any`, `word`, `phrase`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// JSON pointer, `*` for every element.
    pub at: String,
    /// `Any`, `Word` or `Phrase` (the runtime's `Only`).
    pub only: &'static str,
}

/// One part of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Where it applies.
    pub each: String,
    /// Candidates for the text.
    pub text: Vec<Field>,
    /// The label pointer or `*`.
    pub label: Option<String>,
}

/// `x-rollcall.errors`; the default (nothing mapped) without it.
pub(super) fn error_rules(file: &str, raw: &Value) -> Result<ErrorRules, SpecError> {
    let base = "/x-rollcall/errors";
    let Some(errors) = object_at(file, raw, base)? else {
        return Ok(ErrorRules::default());
    };
    check_keys(
        file,
        base,
        Some(errors),
        &["code", "message", "request-id", "request-id-header"],
    )?;
    let mut rules = ErrorRules {
        code: fields(file, raw, &format!("{base}/code"))?,
        request_id: fields(file, raw, &format!("{base}/request-id"))?,
        request_id_header: header_names(file, raw, &format!("{base}/request-id-header"))?,
        message: Vec::new(),
    };
    let parts = raw.pointer(&format!("{base}/message"));
    for (i, part) in list(file, &format!("{base}/message"), parts)?
        .iter()
        .enumerate()
    {
        let at = format!("{base}/message/{i}");
        let Some(object) = part.as_object() else {
            return Err(SpecError::at(
                file,
                &at,
                "a message part is a mapping with `text` (and optional `each`, `label`)",
            ));
        };
        check_keys(file, &at, Some(object), &["each", "text", "label"])?;
        let text = fields(file, raw, &format!("{at}/text"))?;
        if text.is_empty() {
            return Err(SpecError::at(file, &at, "a message part needs `text`"));
        }
        let label = match raw.pointer(&format!("{at}/label")) {
            Some(Value::String(star)) if star == "*" => Some(star.clone()),
            Some(_) => pointer_at(file, raw, &format!("{at}/label"))?,
            None => None,
        };
        rules.message.push(Part {
            each: pointer_at(file, raw, &format!("{at}/each"))?.unwrap_or_default(),
            text,
            label,
        });
    }
    Ok(rules)
}

/// A list of HTTP header names, lowercased (header names are case-insensitive; the runtime looks
/// them up in lowercase).
fn header_names(file: &str, raw: &Value, at: &str) -> Result<Vec<String>, SpecError> {
    let mut out = Vec::new();
    for (i, item) in list(file, at, raw.pointer(at))?.iter().enumerate() {
        let name = item
            .as_str()
            .filter(|name| {
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
            .ok_or_else(|| {
                SpecError::at(
                    file,
                    &format!("{at}/{i}"),
                    "expected an HTTP header name (letters, digits, `-`, `_`)",
                )
            })?;
        out.push(name.to_ascii_lowercase());
    }
    Ok(out)
}

/// A list of fields: each a pointer, or `{at, only: any|word|phrase}`.
fn fields(file: &str, raw: &Value, at: &str) -> Result<Vec<Field>, SpecError> {
    let mut out = Vec::new();
    for (i, item) in list(file, at, raw.pointer(at))?.iter().enumerate() {
        let here = format!("{at}/{i}");
        let (pointer, only) = match item {
            Value::String(pointer) => (pointer.clone(), "Any"),
            Value::Object(object) => {
                check_keys(file, &here, Some(object), &["at", "only"])?;
                let only = match object.get("only").and_then(Value::as_str) {
                    None | Some("any") => "Any",
                    Some("word") => "Word",
                    Some("phrase") => "Phrase",
                    Some(other) => {
                        return Err(SpecError::at(
                            file,
                            &format!("{here}/only"),
                            format!("unknown `only: {other}` (any, word or phrase)"),
                        ));
                    }
                };
                let pointer = object
                    .get("at")
                    .and_then(Value::as_str)
                    .ok_or_else(|| SpecError::at(file, &here, "needs `at`"))?;
                (pointer.to_owned(), only)
            }
            _ => {
                return Err(SpecError::at(
                    file,
                    &here,
                    "expected a JSON pointer or `{at, only}`",
                ));
            }
        };
        check_pointer(file, &here, &pointer)?;
        out.push(Field { at: pointer, only });
    }
    Ok(out)
}

/// `x-rollcall.envelope`: the pointer of the field that decides and the value meaning success
/// (a string such as `ok`, or a boolean: `ok: true`).
pub(super) fn envelope(file: &str, raw: &Value) -> Result<Option<(String, Value)>, SpecError> {
    let Some(envelope) = object_at(file, raw, "/x-rollcall/envelope")? else {
        return Ok(None);
    };
    check_keys(file, "/x-rollcall/envelope", Some(envelope), &["at", "ok"])?;
    let at = pointer_at(file, raw, "/x-rollcall/envelope/at")?
        .ok_or_else(|| SpecError::at(file, "/x-rollcall/envelope", "needs `at`"))?;
    let ok = match envelope.get("ok") {
        Some(ok @ (Value::String(_) | Value::Bool(_))) => ok.clone(),
        Some(_) => {
            return Err(SpecError::at(
                file,
                "/x-rollcall/envelope/ok",
                "expected a string or a boolean",
            ));
        }
        None => return Err(SpecError::at(file, "/x-rollcall/envelope", "needs `ok`")),
    };
    Ok(Some((at, ok)))
}

/// The text form of an envelope's success value (what the generated check compares the
/// field's own text with: `ok`, `true`).
pub fn envelope_text(ok: &Value) -> String {
    match ok {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{envelope, envelope_text};

    #[test]
    fn an_envelope_is_decided_by_a_string_or_a_boolean() {
        let of = |ok: serde_json::Value| {
            envelope(
                "spec.yaml",
                &json!({"x-rollcall": {"envelope": {"at": "/ok", "ok": ok}}}),
            )
        };
        let (at, ok) = of(json!(true)).unwrap().unwrap();
        assert_eq!(
            (at.as_str(), envelope_text(&ok)),
            ("/ok", "true".to_owned())
        );
        let (_, ok) = of(json!("ok")).unwrap().unwrap();
        assert_eq!(envelope_text(&ok), "ok");
        let error = of(json!(1)).unwrap_err().to_string();
        assert!(error.contains("a string or a boolean"), "{error}");
    }
}
