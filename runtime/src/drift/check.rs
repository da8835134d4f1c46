//! The checks themselves, one set for both ways a body is read: riding on the typed decode
//! ([`super::tee`]) and, for a body that does not decode, a pass of its own ([`Seed`]).

use std::cell::RefCell;
use std::fmt;

use super::{DriftKind, Node, Ty};

/// What one body is checked against, and what was found in it so far.
pub(super) struct Ctx {
    pub(super) nodes: &'static [Node],
    pub(super) enum_values: bool,
    pub(super) found: RefCell<Found>,
    /// For each object node, the properties in the order the last object of it sent them
    /// (index into its properties, and its bit among the required plus one, or 0): servers
    /// send keys in one order, so a key is found with one comparison rather than a search.
    orders: RefCell<Vec<Vec<(u16, u8)>>>,
}

/// An object being read: its node, the required properties seen so far (one bit each: specs
/// require a handful) and how many keys have gone by.
pub(super) struct Object {
    pub(super) node: &'static Node,
    index: u16,
    present: u64,
    keys: usize,
}

impl Object {
    pub(super) fn new(index: u16, node: &'static Node) -> Self {
        Self {
            node,
            index,
            present: 0,
            keys: 0,
        }
    }
}

/// What to do with an object's key: check its value against a node, let it pass unchecked (a
/// map's data), or report it as undeclared.
pub(super) enum Slot {
    Child(u16),
    Free,
    Undeclared(String),
}

impl Ctx {
    pub(super) fn new(nodes: &'static [Node], enum_values: bool) -> Self {
        Self {
            nodes,
            enum_values,
            found: RefCell::default(),
            orders: RefCell::default(),
        }
    }

    pub(super) fn node(&self, index: u16) -> Option<&'static Node> {
        self.nodes.get(usize::from(index))
    }

    pub(super) fn push(&self, pointer: String, kind: DriftKind, seen: String) {
        self.found.borrow_mut().push(pointer, kind, seen);
    }

    /// The node a value of JSON type `kind` is checked against: the node itself, or the first
    /// branch of a union that takes the type; `None` when none does (and then it is recorded).
    pub(super) fn fitting(&self, index: u16, kind: &'static str) -> Option<&'static Node> {
        self.fitting_at(index, kind).map(|(_, node)| node)
    }

    /// [`fitting`](Self::fitting), with the index of the node chosen.
    pub(super) fn fitting_at(
        &self,
        index: u16,
        kind: &'static str,
    ) -> Option<(u16, &'static Node)> {
        let node = self.node(index)?;
        let takes = |node: &Node| {
            matches!(
                (&node.ty, kind),
                (Ty::Any, _)
                    | (Ty::Object { .. }, "object")
                    | (Ty::Array(_), "array")
                    | (Ty::String { .. }, "string")
                    | (Ty::Boolean, "boolean")
                    | (Ty::Integer, "integer")
                    | (Ty::Number, "integer" | "number")
            )
        };
        let chosen = match &node.ty {
            Ty::OneOf(branches) => branches
                .iter()
                .filter_map(|b| Some((*b, self.node(*b)?)))
                .find(|(_, b)| takes(b)),
            _ => Some((index, node)).filter(|(_, n)| takes(n)),
        };
        if chosen.is_none() {
            self.push(node.at.to_owned(), DriftKind::TypeMismatch, kind.to_owned());
        }
        chosen
    }

    /// A `null` at node `index`.
    pub(super) fn null(&self, index: u16) {
        let Some(node) = self.node(index) else {
            return;
        };
        let allowed = node.nullable
            || match &node.ty {
                Ty::Any => true,
                Ty::OneOf(branches) => branches
                    .iter()
                    .filter_map(|b| self.node(*b))
                    .any(|b| b.nullable),
                _ => false,
            };
        if !allowed {
            self.push(node.at.to_owned(), DriftKind::UnexpectedNull, "null".into());
        }
    }

    /// A string at node `index`: its enum and format.
    pub(super) fn string(&self, index: u16, text: &str) {
        let Some(node) = self.fitting(index, "string") else {
            return;
        };
        let Ty::String { format, values, ci } = &node.ty else {
            return;
        };
        let listed = values
            .iter()
            .any(|v| *v == text || (*ci && v.eq_ignore_ascii_case(text)));
        if !values.is_empty() && !listed {
            // Vocabulary, not personal data: a long text or an address is never kept.
            let vocabulary = text.len() <= 64 && !text.contains('@');
            let kept = (self.enum_values && vocabulary).then(|| text.to_owned());
            self.found.borrow_mut().push_value(
                node.at.to_owned(),
                DriftKind::UnknownEnumValue,
                kept,
            );
        }
        let parses = match *format {
            Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
            _ => true,
        };
        if !parses {
            self.push(
                node.at.to_owned(),
                DriftKind::FormatMismatch,
                "string".into(),
            );
        }
    }

    /// Key `key` of `object`: what its value is checked against.
    pub(super) fn key(&self, object: &mut Object, key: &str) -> Slot {
        let Ty::Object {
            properties,
            required,
            map,
        } = &object.node.ty
        else {
            return Slot::Free;
        };
        let position = object.keys;
        object.keys += 1;
        let mut orders = self.orders.borrow_mut();
        let index = usize::from(object.index);
        if orders.len() <= index {
            orders.resize_with(index + 1, Vec::new);
        }
        let order = &mut orders[index];
        let known = order
            .get(position)
            .copied()
            .filter(|(i, _)| properties.get(usize::from(*i)).is_some_and(|p| p.0 == key));
        let (property, bit) = match known {
            Some(hit) => hit,
            None => {
                let Ok(i) = properties
                    .binary_search_by(|(name, _)| (name.len(), *name).cmp(&(key.len(), key)))
                else {
                    return if *map {
                        Slot::Free
                    } else {
                        Slot::Undeclared(format!("{}/properties/{}", object.node.at, escape(key)))
                    };
                };
                let bit = required
                    .iter()
                    .take(64)
                    .position(|r| *r == key)
                    .map_or(0, |b| b as u8 + 1);
                let entry = (i as u16, bit);
                match order.get_mut(position) {
                    Some(slot) => *slot = entry,
                    None => order.push(entry),
                }
                entry
            }
        };
        if bit > 0 {
            object.present |= 1u64 << (bit - 1);
        }
        Slot::Child(properties[usize::from(property)].1)
    }

    /// The end of `object`: its required properties not seen.
    pub(super) fn end_object(&self, object: &Object) {
        let Ty::Object { required, .. } = &object.node.ty else {
            return;
        };
        for (i, name) in required.iter().enumerate().take(64) {
            if object.present & (1u64 << i) == 0 {
                self.push(
                    format!("{}/required", object.node.at),
                    DriftKind::MissingRequired,
                    (*name).to_owned(),
                );
            }
        }
    }
}

/// A JSON pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Checks one JSON value against node `index` as the deserializer reads it, with no value
/// built or kept: for a body the typed decode gave up on, so that every finding in it is
/// reported, not only those before the break.
pub(super) struct Seed<'c> {
    pub(super) ctx: &'c Ctx,
    pub(super) index: u16,
}

impl<'de> serde::de::DeserializeSeed<'de> for Seed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Seed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.ctx.null(self.index);
        Ok(())
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.ctx.fitting(self.index, "boolean");
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.ctx.fitting(self.index, "integer");
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.ctx.fitting(self.index, "integer");
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.ctx.fitting(self.index, "number");
        Ok(())
    }

    fn visit_str<E>(self, text: &str) -> Result<(), E> {
        self.ctx.string(self.index, text);
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match self.ctx.fitting(self.index, "array").map(|n| &n.ty) {
            Some(Ty::Array(item)) => {
                let seed = || Seed {
                    ctx: self.ctx,
                    index: *item,
                };
                while seq.next_element_seed(seed())?.is_some() {}
            }
            _ => while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {},
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((index, node)) = self
            .ctx
            .fitting_at(self.index, "object")
            .filter(|(_, n)| matches!(n.ty, Ty::Object { .. }))
        else {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            return Ok(());
        };
        let mut object = Object::new(index, node);
        while let Some(key) = map.next_key_seed(Key)? {
            match self.ctx.key(&mut object, &key) {
                Slot::Child(index) => map.next_value_seed(Seed {
                    ctx: self.ctx,
                    index,
                })?,
                Slot::Free => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
                Slot::Undeclared(pointer) => {
                    let kind = map.next_value_seed(Kind)?;
                    self.ctx
                        .push(pointer, DriftKind::UndeclaredProperty, kind.to_owned());
                }
            }
        }
        self.ctx.end_object(&object);
        Ok(())
    }
}

/// Reads an object's key, borrowed from the body unless it has escapes (serde's own
/// `Cow<str>` always copies: an allocation per key).
struct Key;

impl<'de> serde::de::DeserializeSeed<'de> for Key {
    type Value = std::borrow::Cow<'de, str>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Key {
    type Value = std::borrow::Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(key))
    }
    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(key.to_owned()))
    }
}

/// Reads one JSON value and says only its type.
pub(super) struct Kind;

impl<'de> serde::de::DeserializeSeed<'de> for Kind {
    type Value = &'static str;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<&'static str, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Kind {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<&'static str, E> {
        Ok("null")
    }
    fn visit_none<E>(self) -> Result<&'static str, E> {
        Ok("null")
    }
    fn visit_bool<E>(self, _: bool) -> Result<&'static str, E> {
        Ok("boolean")
    }
    fn visit_i64<E>(self, _: i64) -> Result<&'static str, E> {
        Ok("integer")
    }
    fn visit_u64<E>(self, _: u64) -> Result<&'static str, E> {
        Ok("integer")
    }
    fn visit_f64<E>(self, _: f64) -> Result<&'static str, E> {
        Ok("number")
    }
    fn visit_str<E>(self, _: &str) -> Result<&'static str, E> {
        Ok("string")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<&'static str, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok("array")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<&'static str, A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok("object")
    }
}

/// The findings of one response, before they are counted.
#[derive(Default)]
pub(super) struct Found(pub(super) Vec<(String, DriftKind, String, Option<String>)>);

impl Found {
    pub(super) fn push(&mut self, pointer: String, kind: DriftKind, seen: String) {
        self.0.push((pointer, kind, seen, None));
    }

    fn push_value(&mut self, pointer: String, kind: DriftKind, value: Option<String>) {
        self.0.push((pointer, kind, "string".into(), value));
    }
}
