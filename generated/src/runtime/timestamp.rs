//! Decoding of the generated types' `DateTime<Utc>` fields (codegen points them here with
//! `deserialize_with`; see `xtask/src/timestamps.rs` for why).
//!
//! The result is what chrono's own `Deserialize` gives for every input: a value the strict
//! RFC 3339 parser refuses goes to chrono's lenient parser, whose error is the one reported.

use std::fmt;

use chrono::{DateTime, FixedOffset, Utc};
use serde::de::{self, Deserializer, Visitor};

/// A required timestamp field.
pub(crate) fn required<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(Timestamp)
}

/// An optional or nullable timestamp field (`null` is `None`).
pub(crate) fn optional<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    deserializer.deserialize_option(MaybeTimestamp)
}

fn parse(value: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(value)
        .or_else(|_| value.parse::<DateTime<FixedOffset>>())
        .map(|at| at.with_timezone(&Utc))
}

struct Timestamp;

impl Visitor<'_> for Timestamp {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // chrono's own wording, so that errors read the same as before.
        f.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        parse(value).map_err(E::custom)
    }
}

struct MaybeTimestamp;

impl<'de> Visitor<'de> for MaybeTimestamp {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        required(deserializer).map(Some)
    }
}
