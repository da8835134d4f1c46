//! Reading a provider's code, message and request id out of an error body, by the JSON
//! pointers its spec declares (`x-rollcall.errors`).
//!
//! Pointers are RFC 6901 with one addition: a `*` segment stands for every element of an
//! array or every value of an object, so `/errors/*/error` visits each error of a list.

use serde_json::Value;

/// Where one provider's error bodies keep what [`ApiError`](crate::ApiError) shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorRules {
    /// The machine-readable code: the first of these that is present.
    pub code: &'static [Field],
    /// The human-readable message: every part that yields text, joined with `; `.
    pub message: &'static [Part],
    /// The request id for the provider's support: the first of these that is present.
    pub request_id: &'static [Field],
    /// Response headers that carry the request id, lowercase, asked in order when no body
    /// field has it (`X-Request-Id`, the header most servers use, is asked last).
    pub request_id_header: &'static [&'static str],
}

/// One value in a body: a pointer, and which strings count there.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// A JSON pointer, relative to where it is used.
    pub at: &'static str,
    /// Which strings count.
    pub only: Only,
}

/// A filter on the strings a [`Field`] yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    /// Any non-blank string, number or boolean.
    Any,
    /// A single word (a code such as `RecordNotFound`, not a sentence).
    Word,
    /// Text with a space in it (a sentence, not a code).
    Phrase,
}

/// One part of a message: at every place `each` points to, the first `text` that is present,
/// as `label: text` when a `label` is present too (and the text does not already say it).
#[derive(Debug, Clone, Copy)]
pub struct Part {
    /// Where the part applies; may contain `*`. Empty: the body itself.
    pub each: &'static str,
    /// Candidates for the text, relative to `each`: the first present wins.
    pub text: &'static [Field],
    /// A pointer relative to `each` (such as `/field`), or `*` for the object key the last
    /// `*` of `each` matched.
    pub label: Option<&'static str>,
}

impl ErrorRules {
    /// The code, message and request id of `body`.
    pub(crate) fn read(&self, body: &Value) -> (Option<String>, Option<String>, Option<String>) {
        let code = first(body, self.code);
        let request_id = first(body, self.request_id);
        let mut parts = Vec::new();
        for part in self.message {
            visit(body, part.each, None, &mut |node, key| {
                let text = first(node, part.text);
                let label = match part.label {
                    Some("*") => key.map(str::to_owned),
                    Some(pointer) => scalar(lookup(node, pointer), Only::Any),
                    None => None,
                };
                let line = match (label, text) {
                    (Some(label), Some(text)) if !text.contains(&label) => {
                        Some(format!("{label}: {text}"))
                    }
                    (_, Some(text)) => Some(text),
                    (label, None) => label,
                };
                parts.extend(line);
            });
        }
        let message = (!parts.is_empty()).then(|| parts.join("; "));
        (code, message, request_id)
    }
}

/// The first field of `fields` present under `node`.
fn first(node: &Value, fields: &[Field]) -> Option<String> {
    fields.iter().find_map(|field| {
        let mut found = None;
        visit(node, field.at, None, &mut |value, _| {
            if found.is_none() {
                found = scalar(Some(value), field.only);
            }
        });
        found
    })
}

/// A string, number or boolean as text, if it passes `only`.
fn scalar(value: Option<&Value>, only: Only) -> Option<String> {
    let text = match value? {
        Value::String(text) => text.trim().to_owned(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        _ => return None,
    };
    let spaced = text.contains(char::is_whitespace);
    let keep = !text.is_empty()
        && match only {
            Only::Any => true,
            Only::Word => !spaced,
            Only::Phrase => spaced,
        };
    keep.then_some(text)
}

/// The value at a plain pointer (no `*`).
fn lookup<'v>(node: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        Some(node)
    } else {
        node.pointer(pointer)
    }
}

/// Calls `f` on every value `pointer` reaches from `node`, with the object key the last `*`
/// matched.
pub(crate) fn visit<'v>(
    node: &'v Value,
    pointer: &str,
    key: Option<&'v str>,
    f: &mut dyn FnMut(&'v Value, Option<&'v str>),
) {
    let Some((head, rest)) = pointer.split_once("/*") else {
        if let Some(value) = lookup(node, pointer) {
            f(value, key);
        }
        return;
    };
    let Some(container) = lookup(node, head) else {
        return;
    };
    match container {
        Value::Array(items) => items.iter().for_each(|item| visit(item, rest, key, f)),
        Value::Object(map) => map
            .iter()
            .for_each(|(name, value)| visit(value, rest, Some(name.as_str()), f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LIST: ErrorRules = ErrorRules {
        code: &[Field {
            at: "/errors/*/error/code",
            only: Only::Any,
        }],
        message: &[Part {
            each: "/errors/*/error",
            text: &[
                Field {
                    at: "/message",
                    only: Only::Any,
                },
                Field {
                    at: "/details",
                    only: Only::Any,
                },
            ],
            label: Some("/field"),
        }],
        request_id: &[Field {
            at: "/meta/logref",
            only: Only::Any,
        }],
        request_id_header: &[],
    };

    #[test]
    fn a_list_of_errors_with_fields() {
        let body = json!({"errors": [
            {"error": {"code": "blank", "message": "can't be blank", "field": "name"}},
            {"error": {"code": "x", "details": "email is invalid", "field": "email"}},
        ], "meta": {"logref": "r-1"}});
        let (code, message, id) = LIST.read(&body);
        assert_eq!(code.as_deref(), Some("blank"));
        assert_eq!(
            message.as_deref(),
            Some("name: can't be blank; email is invalid")
        );
        assert_eq!(id.as_deref(), Some("r-1"));
    }

    #[test]
    fn words_phrases_and_object_keys() {
        const RULES: ErrorRules = ErrorRules {
            code: &[Field {
                at: "/error",
                only: Only::Word,
            }],
            message: &[
                Part {
                    each: "",
                    text: &[Field {
                        at: "/error",
                        only: Only::Phrase,
                    }],
                    label: None,
                },
                Part {
                    each: "/details/*/*",
                    text: &[Field {
                        at: "/description",
                        only: Only::Any,
                    }],
                    label: Some("*"),
                },
            ],
            request_id: &[],
            request_id_header: &[],
        };
        let sentence = json!({"error": "Couldn't authenticate you"});
        assert_eq!(
            RULES.read(&sentence),
            (None, Some("Couldn't authenticate you".to_owned()), None)
        );
        let word = json!({"error": "RecordInvalid",
                          "details": {"email": [{"description": "is taken"}, {"description": "bad"}]}});
        assert_eq!(
            RULES.read(&word),
            (
                Some("RecordInvalid".to_owned()),
                Some("email: is taken; email: bad".to_owned()),
                None
            )
        );
        // Shapes the rules do not expect yield nothing rather than failing.
        assert_eq!(RULES.read(&json!([1, 2])), (None, None, None));
        assert_eq!(
            RULES.read(&json!({"error": 42})),
            (Some("42".to_owned()), None, None)
        );
    }
}
