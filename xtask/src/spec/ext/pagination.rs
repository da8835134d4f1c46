//! `x-rollcall-pagination`: how a list operation pages and where its records sit.
//!
//! The grammar is read once, into [`Syntax`]: the known keys, the styles and which keys each
//! needs or allows, the parameters and body pointers it names. `lint`'s `pagination` rule
//! reports every problem a [`Syntax`] shows; `lists` stops at the first it refuses and then
//! builds the [`List`] the glue walks, checking it against the operation and its schemas.

use serde_json::{Map, Value};

use super::value::{check_keys, check_pointer, object_at, ref_name, schema_at, walk_schema};
use crate::spec::{Spec, SpecError, escape, for_each_operation, resolve};

/// The extension's name.
pub const EXTENSION: &str = "x-rollcall-pagination";

/// Keys `x-rollcall-pagination` may hold.
pub const KEYS: &[&str] = &[
    "style",
    "items",
    "record",
    "id",
    "page-param",
    "size-param",
    "max-size",
    "cursor-param",
    "offset-param",
    "next-cursor",
    "has-more",
    "next-link",
    "stop-on-empty",
    "short-page-ends",
    "send",
    "total",
    "seats",
    "end",
    "incremental",
];

/// Keys that name a query parameter of the operation.
pub const PARAMETERS: &[&str] = &["page-param", "size-param", "cursor-param", "offset-param"];

/// Keys that point into the success body, with the JSON type the field they name must have.
pub const BODY_POINTERS: &[(&str, &str)] = &[
    ("items", "array"),
    ("next-cursor", "string"),
    ("has-more", "boolean"),
    ("next-link", "string"),
    ("total", "integer"),
    ("end", "boolean"),
];

/// How a list operation pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Numbered pages.
    Page,
    /// Opaque cursors.
    Cursor,
    /// Offsets: the index of each page's first record, a page size apart.
    Offset,
    /// Opaque cursors read from the `Link` header's `rel="next"` URL.
    Link,
    /// Everything in one response.
    None,
}

/// Keys every style may hold besides its own.
const ANY_STYLE: &[&str] = &["record", "id", "send", "total", "seats"];
/// Keys the paging styles may hold besides their own.
const PAGING: &[&str] = &[
    "has-more",
    "end",
    "incremental",
    "next-link",
    "stop-on-empty",
    "short-page-ends",
    "record",
    "id",
    "send",
    "total",
    "seats",
];

impl Style {
    /// The style `name` spells (`page`, `cursor`, `none`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "page" => Some(Self::Page),
            "cursor" => Some(Self::Cursor),
            "offset" => Some(Self::Offset),
            "link" => Some(Self::Link),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    /// How the spec spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Page => "page",
            Self::Cursor => "cursor",
            Self::Offset => "offset",
            Self::Link => "link",
            Self::None => "none",
        }
    }

    /// The keys a spec must give with this style.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Self::Page => &["items", "page-param", "size-param", "max-size"],
            Self::Cursor => &[
                "items",
                "cursor-param",
                "next-cursor",
                "size-param",
                "max-size",
            ],
            Self::Offset => &["items", "offset-param", "size-param", "max-size"],
            Self::Link => &["items", "cursor-param", "size-param", "max-size"],
            Self::None => &["items"],
        }
    }

    /// The other keys that apply to this style (`style` itself aside).
    pub fn optional(self) -> &'static [&'static str] {
        match self {
            Self::Page | Self::Cursor | Self::Offset | Self::Link => PAGING,
            Self::None => ANY_STYLE,
        }
    }
}

/// What `style` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StyleValue<'v> {
    /// A known style.
    Known(Style),
    /// No `style`.
    Missing,
    /// A value that is not a string.
    NotText,
    /// A string naming no style.
    Unknown(&'v str),
}

/// One `x-rollcall-pagination` as written, before anything is checked against the operation.
#[derive(Debug, Clone)]
pub struct Syntax<'v> {
    /// The JSON pointer of the extension.
    pub at: String,
    /// The extension's keys and values.
    pub map: &'v Map<String, Value>,
    /// What `style` says.
    pub style: StyleValue<'v>,
}

impl<'v> Syntax<'v> {
    /// Reads the extension `ext` written at `at`; `None` when it is not a mapping.
    pub fn read(at: String, ext: &'v Value) -> Option<Self> {
        let map = ext.as_object()?;
        let style = match map.get("style") {
            None => StyleValue::Missing,
            Some(Value::String(name)) => match Style::parse(name) {
                Some(style) => StyleValue::Known(style),
                None => StyleValue::Unknown(name),
            },
            Some(_) => StyleValue::NotText,
        };
        Some(Self { at, map, style })
    }

    /// The pointer of `key` inside the extension.
    pub fn key_at(&self, key: &str) -> String {
        format!("{}/{}", self.at, escape(key))
    }

    /// Keys that are not keys of the extension, in the order written.
    pub fn unknown_keys(&self) -> impl Iterator<Item = &'v str> + use<'v> {
        self.map
            .keys()
            .map(String::as_str)
            .filter(|key| !KEYS.contains(key))
    }

    /// Keys the style needs that are not there (none while the style is unknown).
    pub fn missing_keys(&self) -> Vec<&'static str> {
        let StyleValue::Known(style) = self.style else {
            return Vec::new();
        };
        style
            .required()
            .iter()
            .copied()
            .filter(|key| !self.map.contains_key(*key))
            .collect()
    }

    /// Known keys that do not apply to the style (none while the style is unknown).
    pub fn misplaced_keys(&self) -> Vec<&'v str> {
        let StyleValue::Known(style) = self.style else {
            return Vec::new();
        };
        self.map
            .keys()
            .map(String::as_str)
            .filter(|key| {
                KEYS.contains(key)
                    && *key != "style"
                    && !style.required().contains(key)
                    && !style.optional().contains(key)
            })
            .collect()
    }

    /// The value of `key`: `Some(Ok(text))` for a string, `Some(Err(value))` for anything else.
    pub fn text(&self, key: &str) -> Option<Result<&'v str, &'v Value>> {
        let value = self.map.get(key)?;
        Some(value.as_str().ok_or(value))
    }

    /// `max-size`: `Some(None)` when it is there but not a positive integer.
    pub fn max_size(&self) -> Option<Option<u64>> {
        let value = self.map.get("max-size")?;
        Some(value.as_u64().filter(|max| *max > 0))
    }

    /// `stop-on-empty`: `Some(None)` when it is there but not a boolean.
    pub fn stop_on_empty(&self) -> Option<Option<bool>> {
        Some(self.map.get("stop-on-empty")?.as_bool())
    }

    /// `short-page-ends`: `Some(None)` when it is there but not a boolean.
    pub fn short_page_ends(&self) -> Option<Option<bool>> {
        Some(self.map.get("short-page-ends")?.as_bool())
    }
}

/// One list operation (`x-rollcall-pagination`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    /// The operationId.
    pub operation: String,
    /// The operation's path template (`/v2/users`), relative to the server.
    pub path: String,
    /// The HTTP method, lower-case (`get`).
    pub method: String,
    /// The security schemes the operation accepts (empty: the document's).
    pub security: Vec<String>,
    /// The component schema of the 200 body.
    pub response: String,
    /// How it pages.
    pub style: Style,
    /// Pointer of the records array in the body.
    pub items: String,
    /// Pointer of the user inside a record, when a record wraps it.
    pub record: Option<String>,
    /// Pointer of the user's id inside the user.
    pub id: String,
    /// The page-number parameter and its first value.
    pub page_param: Option<(String, i64)>,
    /// The page-size parameter.
    pub size_param: Option<String>,
    /// The largest page size.
    pub max_size: Option<u32>,
    /// The cursor parameter.
    pub cursor_param: Option<String>,
    /// The offset parameter.
    pub offset_param: Option<String>,
    /// Pointer of the next cursor.
    pub next_cursor: Option<String>,
    /// Pointer of the has-more flag.
    pub has_more: Option<String>,
    /// Pointer of the next link.
    pub next_link: Option<String>,
    /// Pointer of the total number of users the server declares.
    pub total: Option<String>,
    /// Whether a page shorter than asked for ends the walk (`short-page-ends`, true unless the
    /// spec says the provider filters pages after cutting them).
    pub short_page_ends: bool,
    /// Required parameters with one documented value: (name, value) the walk sends.
    pub fixed: Vec<(String, Value)>,
    /// Query parameters (name, value) that list only seat holders.
    pub seats: Vec<(String, String)>,
    /// Required path parameters without a value of their own: the walk fills them from the
    /// client's constructor (`org`).
    pub path_params: Vec<String>,
    /// The component schema of the user.
    pub user_schema: String,
    /// Pointer of a boolean that says this page is the last (`end_of_stream`).
    pub end: Option<String>,
    /// Set when the operation is the provider's incremental export (`incremental`): the
    /// parameter that takes the start time of a first run, in epoch seconds.
    pub start_param: Option<String>,
}

/// Every list operation (one with `x-rollcall-pagination`), in document order.
pub(super) fn lists(spec: &Spec) -> Result<Vec<List>, SpecError> {
    let raw = &spec.raw;
    let mut out = Vec::new();
    let mut problem = None;
    for_each_operation(raw, |at, path, method, op| {
        if problem.is_some() {
            return;
        }
        if op.get("x-rollcall-pagination").is_some() {
            match list(spec, &at, op).map(|list| List {
                path: path.to_owned(),
                method: method.to_owned(),
                ..list
            }) {
                Ok(list) => out.push(list),
                Err(error) => problem = Some(error),
            }
        }
    });
    return match problem {
        Some(error) => Err(error),
        None => Ok(out),
    };

    fn list(spec: &Spec, at: &str, op: &Value) -> Result<List, SpecError> {
        let file = spec.file.as_str();
        let raw = &spec.raw;
        let base = format!("{at}/{EXTENSION}");
        let syntax = op
            .get(EXTENSION)
            .and_then(|ext| Syntax::read(base.clone(), ext))
            .ok_or_else(|| SpecError::at(file, &base, "expected a mapping"))?;
        check_keys(file, &base, Some(syntax.map), KEYS)?;
        let text = |key: &str| match syntax.text(key) {
            None => Ok(None),
            Some(Ok(text)) => Ok(Some(text)),
            Some(Err(_)) => Err(SpecError::at(
                file,
                &syntax.key_at(key),
                "expected a string",
            )),
        };
        let pointer = |key: &str| -> Result<Option<String>, SpecError> {
            let Some(text) = text(key)? else {
                return Ok(None);
            };
            check_pointer(file, &syntax.key_at(key), text)?;
            Ok(Some(text.to_owned()))
        };
        let style = match syntax.style {
            StyleValue::Known(style) => style,
            StyleValue::NotText => {
                return Err(SpecError::at(
                    file,
                    &syntax.key_at("style"),
                    "expected a string",
                ));
            }
            StyleValue::Unknown(other) => {
                return Err(SpecError::at(
                    file,
                    &syntax.key_at("style"),
                    format!("style `{other}` is not page, cursor, offset, link or none"),
                ));
            }
            StyleValue::Missing => {
                return Err(SpecError::at(
                    file,
                    &base,
                    "needs `style` (page, cursor, offset, link or none)",
                ));
            }
        };
        let operation = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let response = op
            .pointer("/responses/200/content/application~1json/schema/$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .ok_or_else(|| {
                SpecError::at(
                    file,
                    &format!("{at}/responses/200"),
                    "a list operation's 200 body is a `$ref` to a component schema",
                )
            })?
            .to_owned();
        let items = pointer("items")?.ok_or_else(|| SpecError::at(file, &base, "needs `items`"))?;
        let record = pointer("record")?;
        // The user's schema: the items' element, then the record pointer inside it.
        let body = schema_at(raw, &response, &items)
            .map(|array| resolve(raw, array))
            .and_then(|array| array.get("items"));
        let user = match (&record, body) {
            (Some(record), Some(item)) => walk_schema(raw, item, record),
            (None, item) => item,
            (Some(_), None) => None,
        };
        let Some(user) = user else {
            return Err(SpecError::at(
                file,
                &format!("{base}/items"),
                format!("`{items}` is not an array of `$ref` records in `{response}`"),
            ));
        };
        let user_schema = ref_name(user).ok_or_else(|| {
            SpecError::at(
                file,
                &base,
                "the user (items, then record) must be a `$ref` to a component schema",
            )
        })?;
        let user = resolve(raw, user);
        let id = match pointer("id")? {
            Some(id) => id,
            None if user.pointer("/properties/id").is_some() => "/id".to_owned(),
            None => String::new(),
        };
        let params: Vec<Value> = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| resolve(raw, p).clone())
            .collect();
        let has_param = |k: &str| -> Result<Option<String>, SpecError> {
            let Some(name) = text(k)? else {
                return Ok(None);
            };
            if !params
                .iter()
                .any(|p| p.get("name").and_then(Value::as_str) == Some(name))
            {
                return Err(SpecError::at(
                    file,
                    &format!("{base}/{k}"),
                    format!("`{name}` is not a parameter of the operation"),
                ));
            }
            Ok(Some(name.to_owned()))
        };
        let page_param = match has_param("page-param")? {
            Some(name) => {
                let first = params
                    .iter()
                    .find(|p| p.get("name").and_then(Value::as_str) == Some(&name))
                    .and_then(|p| {
                        p.pointer("/schema/minimum")
                            .or_else(|| p.pointer("/schema/default"))
                    })
                    .and_then(Value::as_i64)
                    .unwrap_or(1);
                Some((name, first))
            }
            None => None,
        };
        let mut fixed = Vec::new();
        let mut path_params = Vec::new();
        for param in &params {
            let required = param.get("required").and_then(Value::as_bool) == Some(true);
            if !required {
                continue;
            }
            let in_path = param.get("in").and_then(Value::as_str) == Some("path");
            let schema = resolve(raw, param.get("schema").unwrap_or(&Value::Null));
            let single = schema
                .get("enum")
                .and_then(Value::as_array)
                .filter(|values| values.len() == 1)
                .map(|values| values[0].clone());
            let value = schema.get("default").cloned().or(single);
            match (param.get("name").and_then(Value::as_str), value) {
                (Some(name), Some(value)) => fixed.push((name.to_owned(), value)),
                (Some(name), None) if in_path => path_params.push(name.to_owned()),
                _ => {}
            }
        }
        if let Some(send) = object_at(file, raw, &format!("{base}/send"))? {
            for (name, value) in send {
                if !params
                    .iter()
                    .any(|p| p.get("name").and_then(Value::as_str) == Some(name))
                {
                    return Err(SpecError::at(
                        file,
                        &format!("{base}/send/{}", escape(name)),
                        format!("`{name}` is not a parameter of the operation"),
                    ));
                }
                fixed.retain(|(n, _)| n != name);
                fixed.push((name.clone(), value.clone()));
            }
        }
        let mut seats = Vec::new();
        if let Some(filter) = object_at(file, raw, &format!("{base}/seats"))? {
            for (name, values) in filter {
                let at = format!("{base}/seats/{}", escape(name));
                if !params
                    .iter()
                    .any(|p| p.get("name").and_then(Value::as_str) == Some(name))
                {
                    return Err(SpecError::at(
                        file,
                        &at,
                        format!("`{name}` is not a parameter of the operation"),
                    ));
                }
                let values: Vec<&Value> = match values {
                    Value::Array(items) => items.iter().collect(),
                    one => vec![one],
                };
                for value in values {
                    let text = match value {
                        Value::String(text) => text.clone(),
                        Value::Number(_) | Value::Bool(_) => value.to_string(),
                        _ => {
                            return Err(SpecError::at(
                                file,
                                &at,
                                "values are strings, numbers or booleans",
                            ));
                        }
                    };
                    seats.push((name.clone(), text));
                }
            }
        }
        let list = List {
            seats,
            operation,
            path: String::new(),
            method: String::new(),
            security: op
                .get("security")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .flat_map(Map::keys)
                .cloned()
                .collect(),
            response,
            style,
            items,
            record,
            id,
            page_param,
            size_param: has_param("size-param")?,
            max_size: raw
                .pointer(&format!("{base}/max-size"))
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok()),
            cursor_param: has_param("cursor-param")?,
            offset_param: has_param("offset-param")?,
            next_cursor: pointer("next-cursor")?,
            has_more: pointer("has-more")?,
            next_link: pointer("next-link")?,
            total: pointer("total")?,
            short_page_ends: match syntax.short_page_ends() {
                None => true,
                Some(Some(flag)) => flag,
                Some(None) => {
                    return Err(SpecError::at(
                        file,
                        &syntax.key_at("short-page-ends"),
                        "expected true or false",
                    ));
                }
            },
            fixed,
            path_params,
            user_schema,
            end: pointer("end")?,
            start_param: None,
        };
        let mut list = list;
        if let Some(incremental) = object_at(file, raw, &format!("{base}/incremental"))? {
            let at = format!("{base}/incremental");
            check_keys(file, &at, Some(incremental), &["start-param"])?;
            let name = incremental
                .get("start-param")
                .and_then(Value::as_str)
                .ok_or_else(|| SpecError::at(file, &at, "needs `start-param`"))?;
            if !params
                .iter()
                .any(|p| p.get("name").and_then(Value::as_str) == Some(name))
            {
                return Err(SpecError::at(
                    file,
                    &format!("{at}/start-param"),
                    format!("`{name}` is not a parameter of the operation"),
                ));
            }
            if list.style != Style::Cursor {
                return Err(SpecError::at(
                    file,
                    &at,
                    "an incremental export pages by cursor (style cursor)",
                ));
            }
            list.start_param = Some(name.to_owned());
        }
        let need = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(SpecError::at(file, &base, what.to_owned()))
            }
        };
        match list.style {
            Style::Page => need(list.page_param.is_some(), "style page needs `page-param`")?,
            Style::Cursor => need(
                list.cursor_param.is_some() && list.next_cursor.is_some(),
                "style cursor needs `cursor-param` and `next-cursor`",
            )?,
            Style::Link => need(
                list.cursor_param.is_some(),
                "style link needs `cursor-param` (the parameter of the next link the walk pages by)",
            )?,
            Style::Offset => need(
                list.offset_param.is_some(),
                "style offset needs `offset-param`",
            )?,
            Style::None => {}
        }
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_syntax_shows_each_grammar_problem() {
        let ext = serde_json::json!({
            "style": "page",
            "items": "/users",
            "page-param": "page",
            "next-cursor": "/next",
            "stop-on-empty": "yes",
            "max-size": 0,
            "limit": 5,
        });
        let syntax = Syntax::read("/x".into(), &ext).unwrap();
        assert_eq!(syntax.style, StyleValue::Known(Style::Page));
        assert_eq!(syntax.unknown_keys().collect::<Vec<_>>(), ["limit"]);
        assert_eq!(syntax.missing_keys(), ["size-param"]);
        assert_eq!(syntax.misplaced_keys(), ["next-cursor"]);
        assert_eq!(syntax.max_size(), Some(None));
        assert_eq!(syntax.stop_on_empty(), Some(None));
        assert_eq!(syntax.text("items"), Some(Ok("/users")));
        assert_eq!(syntax.key_at("page-param"), "/x/page-param");

        let unknown = serde_json::json!({"style": "pages", "next-cursor": 1});
        let syntax = Syntax::read("/x".into(), &unknown).unwrap();
        assert_eq!(syntax.style, StyleValue::Unknown("pages"));
        assert!(syntax.missing_keys().is_empty() && syntax.misplaced_keys().is_empty());
        assert!(syntax.text("next-cursor").unwrap().is_err());
        assert!(Syntax::read("/x".into(), &serde_json::json!([])).is_none());
    }
}
