//! Drift checks that ride on the typed decode: a [`Deserializer`] wrapper that shows every value
//! the generated types read to the checks of [`Ctx`] on its way through, so that a body is
//! parsed once whether drift is on or off. Reading it a second time cost as much as the walk
//! itself.
//!
//! Each wrapper holds the spec node its value is checked against: objects hand their
//! properties' nodes to their values as the keys go by, arrays their item node to every
//! element. A value the typed decode skips (a property the spec does not declare) is looked
//! at only for its JSON type.

use serde::de::{DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};
use std::fmt;

use super::DriftKind;
use super::Ty;
use super::check::{Ctx, Object, Slot};

/// A deserializer whose value is checked against node `at`.
pub(super) struct Tee<'c, D> {
    pub(super) de: D,
    pub(super) at: u16,
    pub(super) ctx: &'c Ctx,
}

impl<'c, D> Tee<'c, D> {
    fn look<V>(&self, v: V) -> Look<'c, V> {
        Look {
            v,
            at: self.at,
            ctx: self.ctx,
        }
    }
}

/// Hints the typed decode gives for scalars are read as "any value" so that the visitor sees
/// the JSON type that came (a hint of `i64` over a string fails inside serde_json without
/// saying what it found); the typed visitor still gets the value it asked for, or refuses it
/// with the same error.
macro_rules! scalar_hints {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            let look = self.look(v);
            self.de.deserialize_any(look)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Tee<'_, D> {
    type Error = D::Error;

    scalar_hints! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_f32 deserialize_f64 deserialize_str deserialize_string deserialize_unit
        deserialize_ignored_any
    }

    fn deserialize_i128<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_i128(look)
    }
    fn deserialize_u128<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_u128(look)
    }
    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_char(look)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_bytes(look)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_byte_buf(look)
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_option(look)
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_unit_struct(name, look)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_newtype_struct(name, look)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_seq(look)
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_tuple(len, look)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_tuple_struct(name, len, look)
    }
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_map(look)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_struct(name, fields, look)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_enum(name, variants, look)
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        let look = self.look(v);
        self.de.deserialize_identifier(look)
    }
    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// The visitor of a [`Tee`]: checks what arrives, then hands it on.
struct Look<'c, V> {
    v: V,
    at: u16,
    ctx: &'c Ctx,
}

impl<'c, V> Look<'c, V> {
    fn tee<D>(&self, de: D) -> Tee<'c, D> {
        Tee {
            de,
            at: self.at,
            ctx: self.ctx,
        }
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Look<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.v.expecting(f)
    }
    fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<V::Value, E> {
        self.ctx.fitting(self.at, "boolean");
        self.v.visit_bool(b)
    }
    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<V::Value, E> {
        self.ctx.fitting(self.at, "integer");
        self.v.visit_i64(n)
    }
    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<V::Value, E> {
        self.ctx.fitting(self.at, "integer");
        self.v.visit_u64(n)
    }
    fn visit_i128<E: serde::de::Error>(self, n: i128) -> Result<V::Value, E> {
        self.ctx.fitting(self.at, "integer");
        self.v.visit_i128(n)
    }
    fn visit_u128<E: serde::de::Error>(self, n: u128) -> Result<V::Value, E> {
        self.ctx.fitting(self.at, "integer");
        self.v.visit_u128(n)
    }
    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<V::Value, E> {
        self.ctx.fitting(self.at, "number");
        self.v.visit_f64(n)
    }
    fn visit_char<E: serde::de::Error>(self, c: char) -> Result<V::Value, E> {
        self.v.visit_char(c)
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<V::Value, E> {
        self.ctx.string(self.at, s);
        self.v.visit_str(s)
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, s: &'de str) -> Result<V::Value, E> {
        self.ctx.string(self.at, s);
        self.v.visit_borrowed_str(s)
    }
    fn visit_string<E: serde::de::Error>(self, s: String) -> Result<V::Value, E> {
        self.ctx.string(self.at, &s);
        self.v.visit_string(s)
    }
    fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<V::Value, E> {
        self.v.visit_bytes(b)
    }
    fn visit_borrowed_bytes<E: serde::de::Error>(self, b: &'de [u8]) -> Result<V::Value, E> {
        self.v.visit_borrowed_bytes(b)
    }
    fn visit_byte_buf<E: serde::de::Error>(self, b: Vec<u8>) -> Result<V::Value, E> {
        self.v.visit_byte_buf(b)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.ctx.null(self.at);
        self.v.visit_none()
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.ctx.null(self.at);
        self.v.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        let tee = self.tee(de);
        self.v.visit_some(tee)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        let tee = self.tee(de);
        self.v.visit_newtype_struct(tee)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        match self.ctx.fitting(self.at, "array").map(|n| &n.ty) {
            Some(Ty::Array(item)) => self.v.visit_seq(TeeSeq {
                seq,
                item: *item,
                ctx: self.ctx,
            }),
            _ => self.v.visit_seq(seq),
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        match self
            .ctx
            .fitting_at(self.at, "object")
            .filter(|(_, n)| matches!(n.ty, Ty::Object { .. }))
        {
            Some((index, node)) => self.v.visit_map(TeeMap {
                map,
                object: Object::new(index, node),
                slot: Slot::Free,
                ctx: self.ctx,
            }),
            None => self.v.visit_map(map),
        }
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        // A string read as an enum's variant: its name is the string the checks see.
        match self.ctx.node(self.at).map(|n| &n.ty) {
            Some(Ty::String { .. }) => self.v.visit_enum(TeeEnum {
                data,
                at: self.at,
                ctx: self.ctx,
            }),
            _ => self.v.visit_enum(data),
        }
    }
}

/// A seed whose value is checked against node `at`.
struct TeeSeed<'c, S> {
    seed: S,
    at: u16,
    ctx: &'c Ctx,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for TeeSeed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Tee {
            de,
            at: self.at,
            ctx: self.ctx,
        })
    }
}

/// An array whose elements are checked against node `item`.
struct TeeSeq<'c, A> {
    seq: A,
    item: u16,
    ctx: &'c Ctx,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for TeeSeq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.seq.next_element_seed(TeeSeed {
            seed,
            at: self.item,
            ctx: self.ctx,
        })
    }
    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// An object of `node`: each key says what its value is checked against; the required
/// properties missing are reported when the last key has gone by.
struct TeeMap<'c, A> {
    map: A,
    object: Object,
    slot: Slot,
    ctx: &'c Ctx,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for TeeMap<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let key = KeySeed {
            seed,
            object: &mut self.object,
            slot: &mut self.slot,
            ctx: self.ctx,
        };
        let key = self.map.next_key_seed(key)?;
        if key.is_none() {
            self.ctx.end_object(&self.object);
        }
        Ok(key)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match std::mem::replace(&mut self.slot, Slot::Free) {
            Slot::Child(at) => self.map.next_value_seed(TeeSeed {
                seed,
                at,
                ctx: self.ctx,
            }),
            Slot::Free => self.map.next_value_seed(seed),
            Slot::Undeclared(pointer) => self.map.next_value_seed(Sniff {
                seed,
                pointer,
                ctx: self.ctx,
            }),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// An object's key on its way to the typed decode, looked up in the object's node.
struct KeySeed<'c, 'm, K> {
    seed: K,
    object: &'m mut Object,
    slot: &'m mut Slot,
    ctx: &'c Ctx,
}

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<'_, '_, K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<K::Value, D::Error> {
        let KeySeed {
            seed,
            object,
            slot,
            ctx,
        } = self;
        seed.deserialize(KeyDe {
            de,
            hook: Hook { object, slot, ctx },
        })
    }
}

/// What a key does when it is read.
struct Hook<'c, 'm> {
    object: &'m mut Object,
    slot: &'m mut Slot,
    ctx: &'c Ctx,
}

impl Hook<'_, '_> {
    fn key(self, key: &str) {
        *self.slot = self.ctx.key(self.object, key);
    }
}

/// The deserializer of a key: every hint is passed on as given, with a visitor that sees the
/// key's text.
struct KeyDe<'c, 'm, D> {
    de: D,
    hook: Hook<'c, 'm>,
}

macro_rules! key_hints {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            self.de.$method(KeyLook { v, hook: self.hook })
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for KeyDe<'_, '_, D> {
    type Error = D::Error;

    key_hints! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_unit_struct(name, KeyLook { v, hook: self.hook })
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_newtype_struct(name, KeyLook { v, hook: self.hook })
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_tuple(len, KeyLook { v, hook: self.hook })
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_tuple_struct(name, len, KeyLook { v, hook: self.hook })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_struct(name, fields, KeyLook { v, hook: self.hook })
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_enum(name, variants, KeyLook { v, hook: self.hook })
    }
    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// The visitor of a key: tells the hook the key's text, then hands it on. JSON keys are
/// strings; a visitor that reads them as something else gets them unchecked.
struct KeyLook<'c, 'm, V> {
    v: V,
    hook: Hook<'c, 'm>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for KeyLook<'_, '_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.v.expecting(f)
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<V::Value, E> {
        self.hook.key(s);
        self.v.visit_str(s)
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, s: &'de str) -> Result<V::Value, E> {
        self.hook.key(s);
        self.v.visit_borrowed_str(s)
    }
    fn visit_string<E: serde::de::Error>(self, s: String) -> Result<V::Value, E> {
        self.hook.key(&s);
        self.v.visit_string(s)
    }
    fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<V::Value, E> {
        self.v.visit_bool(b)
    }
    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<V::Value, E> {
        self.v.visit_i64(n)
    }
    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<V::Value, E> {
        self.v.visit_u64(n)
    }
    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<V::Value, E> {
        self.v.visit_f64(n)
    }
    fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<V::Value, E> {
        self.v.visit_bytes(b)
    }
    fn visit_borrowed_bytes<E: serde::de::Error>(self, b: &'de [u8]) -> Result<V::Value, E> {
        self.v.visit_borrowed_bytes(b)
    }
}

/// The value of a property the spec does not declare: reported with its JSON type, and handed
/// on unchecked (the typed decode skips it).
struct Sniff<'c, S> {
    seed: S,
    pointer: String,
    ctx: &'c Ctx,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Sniff<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(SniffDe {
            de,
            pointer: self.pointer,
            ctx: self.ctx,
        })
    }
}

struct SniffDe<'c, D> {
    de: D,
    pointer: String,
    ctx: &'c Ctx,
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for SniffDe<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_any(SniffLook {
            v,
            pointer: self.pointer,
            ctx: self.ctx,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// Records the undeclared property with the JSON type that arrived, and hands the value on.
struct SniffLook<'c, V> {
    v: V,
    pointer: String,
    ctx: &'c Ctx,
}

impl<V> SniffLook<'_, V> {
    fn seen(self, kind: &str) -> V {
        self.ctx
            .push(self.pointer, DriftKind::UndeclaredProperty, kind.to_owned());
        self.v
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for SniffLook<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.v.expecting(f)
    }
    fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<V::Value, E> {
        self.seen("boolean").visit_bool(b)
    }
    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<V::Value, E> {
        self.seen("integer").visit_i64(n)
    }
    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<V::Value, E> {
        self.seen("integer").visit_u64(n)
    }
    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<V::Value, E> {
        self.seen("number").visit_f64(n)
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<V::Value, E> {
        self.seen("string").visit_str(s)
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, s: &'de str) -> Result<V::Value, E> {
        self.seen("string").visit_borrowed_str(s)
    }
    fn visit_string<E: serde::de::Error>(self, s: String) -> Result<V::Value, E> {
        self.seen("string").visit_string(s)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.seen("null").visit_none()
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.seen("null").visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.seen("array").visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.seen("object").visit_map(map)
    }
}

/// A string read as an enum: its variant name is checked as the string at node `at`.
struct TeeEnum<'c, A> {
    data: A,
    at: u16,
    ctx: &'c Ctx,
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for TeeEnum<'_, A> {
    type Error = A::Error;
    type Variant = A::Variant;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, A::Variant), A::Error> {
        self.data.variant_seed(TeeSeed {
            seed,
            at: self.at,
            ctx: self.ctx,
        })
    }
}
