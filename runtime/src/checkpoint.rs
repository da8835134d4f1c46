//! [`Checkpoint`]: where a walk over all pages stood after a page whose users were all yielded,
//! in a form that can be written to disk and read back, and the checks that refuse to resume
//! from one that does not belong to the walk at hand.
//!
//! A checkpoint carries a digest of its own contents, so that a file that was cut short, edited
//! by hand or mixed up with another is refused with a reason, never resumed from silently.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use md5::{Digest as _, Md5};

/// The version of the checkpoint format this build writes and reads.
pub const CHECKPOINT_FORMAT: u32 = 1;

/// How old a checkpoint may be before [`resume_users`](crate::Users::resume_users) refuses it
/// by default: a week. Past that, the pages a cursor or page number points at have likely
/// moved, and a fresh walk is the honest answer.
pub const DEFAULT_CHECKPOINT_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Where a walk continues, in the provider's own terms.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "at", content = "value")]
#[non_exhaustive]
pub enum Position {
    /// The first page (nothing was read yet).
    Start,
    /// The page with this number.
    Page(u64),
    /// The page after this cursor, as the provider handed it out.
    Cursor(String),
    /// The page that starts at this record (offset paging, counted from 0).
    Offset(u64),
    /// Nowhere: the walk had read its last page.
    End,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Start => f.write_str("the first page"),
            Self::Page(number) => write!(f, "page {number}"),
            Self::Cursor(cursor) => write!(f, "cursor `{cursor}`"),
            Self::Offset(offset) => write!(f, "offset {offset}"),
            Self::End => f.write_str("the end"),
        }
    }
}

/// Where a walk stood after a page whose users were all yielded: enough to continue it with
/// [`Users::resume_users`](crate::Users::resume_users) in another process, days later, without
/// losing or repeating a user. Take one with
/// [`UserStream::checkpoint`](crate::UserStream::checkpoint); store it as JSON.
///
/// It holds the provider, the operation, the request's filters (its query without the page
/// number or cursor), a fingerprint of the spec the client was generated from, the position,
/// the counts so far, the ids (hashed) of the users of the last pages — the walk's
/// de-duplication window — and when it was taken. It holds no credential: filters are read
/// before the request is signed.
///
/// ```
/// use rollcall_runtime::{Checkpoint, Position};
///
/// # fn demo(checkpoint: Checkpoint) -> Result<(), Box<dyn std::error::Error>> {
/// let text = serde_json::to_string(&checkpoint)?;
/// let back: Checkpoint = serde_json::from_str(&text)?; // the digest is checked here
/// assert_eq!(back, checkpoint);
/// // An edited checkpoint is refused:
/// let edited = text.replacen("\"users\":", "\"users\":1", 1);
/// assert!(serde_json::from_str::<Checkpoint>(&edited).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "Sealed", try_from = "Sealed")]
#[non_exhaustive]
pub struct Checkpoint {
    /// The format version ([`CHECKPOINT_FORMAT`]).
    pub format: u32,
    /// The provider's kebab-case name.
    pub provider: String,
    /// The operationId of the list operation walked.
    pub operation: String,
    /// The request's URL without its query (scheme, host, port and path: the account and
    /// the resource walked).
    pub endpoint: String,
    /// The request's query parameters, sorted, without the page number or cursor.
    pub filters: Vec<(String, String)>,
    /// A fingerprint of the spec the client was generated from.
    pub spec: String,
    /// Where the walk continues.
    pub next: Position,
    /// Pages read so far.
    pub pages: u64,
    /// Users yielded so far.
    pub users: u64,
    /// Users dropped as duplicates so far.
    pub duplicates: u64,
    /// The hashed ids of the users of the last pages, oldest page first.
    pub recent_ids: Vec<Vec<u64>>,
    /// What the build's id hash gives for a fixed probe: a checkpoint hashed otherwise (another
    /// Rust release) cannot de-duplicate across the resume and is refused.
    pub id_hash: u64,
    /// When the checkpoint was taken.
    pub taken_at: DateTime<Utc>,
}

/// A checkpoint as written: its fields and a digest of them.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Sealed {
    format: u32,
    provider: String,
    operation: String,
    endpoint: String,
    filters: Vec<(String, String)>,
    spec: String,
    next: Position,
    pages: u64,
    users: u64,
    duplicates: u64,
    recent_ids: Vec<Vec<u64>>,
    id_hash: u64,
    taken_at: DateTime<Utc>,
    #[serde(default)]
    digest: String,
}

impl Sealed {
    /// The digest of every field but the digest itself.
    fn digest(&self) -> String {
        let mut unsealed = serde_json::to_value(self).unwrap_or_default();
        if let Some(fields) = unsealed.as_object_mut() {
            fields.remove("digest");
        }
        let digest = Md5::digest(unsealed.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl From<Checkpoint> for Sealed {
    fn from(c: Checkpoint) -> Self {
        let mut sealed = Sealed {
            format: c.format,
            provider: c.provider,
            operation: c.operation,
            endpoint: c.endpoint,
            filters: c.filters,
            spec: c.spec,
            next: c.next,
            pages: c.pages,
            users: c.users,
            duplicates: c.duplicates,
            recent_ids: c.recent_ids,
            id_hash: c.id_hash,
            taken_at: c.taken_at,
            digest: String::new(),
        };
        sealed.digest = sealed.digest();
        sealed
    }
}

impl TryFrom<Sealed> for Checkpoint {
    type Error = String;

    fn try_from(s: Sealed) -> Result<Self, String> {
        if s.format != CHECKPOINT_FORMAT {
            return Err(format!(
                "it has format version {}; this rollcall reads version {CHECKPOINT_FORMAT}",
                s.format
            ));
        }
        if s.digest != s.digest() {
            return Err("its digest does not match its contents (cut short or edited)".into());
        }
        Ok(Checkpoint {
            format: s.format,
            provider: s.provider,
            operation: s.operation,
            endpoint: s.endpoint,
            filters: s.filters,
            spec: s.spec,
            next: s.next,
            pages: s.pages,
            users: s.users,
            duplicates: s.duplicates,
            recent_ids: s.recent_ids,
            id_hash: s.id_hash,
            taken_at: s.taken_at,
        })
    }
}

/// A walk's cursor type, whose values a checkpoint keeps as a [`Position`].
pub trait AtPosition: Sized {
    /// The position of the page this cursor names.
    fn position(&self) -> Position;
}

impl AtPosition for u64 {
    fn position(&self) -> Position {
        Position::Page(*self)
    }
}

impl AtPosition for String {
    fn position(&self) -> Position {
        Position::Cursor(self.clone())
    }
}

/// What a walk resumed from, as its [`WalkReport`](crate::WalkReport) says.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ResumedFrom {
    /// Where the checkpoint said the walk continues.
    pub next: Position,
    /// Pages the walk had read before the checkpoint.
    pub pages: u64,
    /// Users the walk had yielded before the checkpoint.
    pub users: u64,
    /// When the checkpoint was taken.
    pub taken_at: DateTime<Utc>,
}

impl From<&Checkpoint> for ResumedFrom {
    fn from(c: &Checkpoint) -> Self {
        Self {
            next: c.next.clone(),
            pages: c.pages,
            users: c.users,
            taken_at: c.taken_at,
        }
    }
}

/// What a walk about to resume is: the facts a checkpoint must agree with.
pub(crate) struct Expected<'a> {
    pub(crate) provider: &'a str,
    pub(crate) operation: &'a str,
    pub(crate) spec: &'a str,
    pub(crate) endpoint: &'a str,
    pub(crate) filters: &'a [(String, String)],
    pub(crate) id_hash: u64,
    pub(crate) max_age: Duration,
    pub(crate) now: DateTime<Utc>,
}

impl Checkpoint {
    /// Why this checkpoint cannot continue the walk `expected` describes; `None` when it can.
    pub(crate) fn refusal(&self, expected: &Expected<'_>) -> Option<String> {
        if self.provider != expected.provider {
            return Some(format!(
                "it was taken for provider {}, not {}",
                self.provider, expected.provider
            ));
        }
        if self.operation != expected.operation {
            return Some(format!(
                "it was taken for operation {}, not {}",
                self.operation, expected.operation
            ));
        }
        if self.spec != expected.spec {
            return Some(format!(
                "it was taken with a client generated from another version of the spec \
                 ({} here, {} in the checkpoint)",
                expected.spec, self.spec
            ));
        }
        if self.endpoint != expected.endpoint {
            return Some(format!(
                "it was taken against {}, not {}",
                self.endpoint, expected.endpoint
            ));
        }
        if self.filters != expected.filters {
            return Some(format!(
                "it was taken for other filters ({} in the checkpoint, {} here)",
                query(&self.filters),
                query(expected.filters)
            ));
        }
        if self.id_hash != expected.id_hash {
            return Some(
                "it was taken by a build that hashes ids differently (another Rust release)".into(),
            );
        }
        let age = expected.now.signed_duration_since(self.taken_at);
        let max_age = chrono::Duration::from_std(expected.max_age).unwrap_or(chrono::Duration::MAX);
        if age > max_age {
            return Some(format!(
                "it was taken at {}, more than {} h ago (the limit)",
                self.taken_at.to_rfc3339(),
                expected.max_age.as_secs() / 3600
            ));
        }
        if age < -chrono::Duration::minutes(5) {
            return Some(format!(
                "it claims to be taken in the future, at {}",
                self.taken_at.to_rfc3339()
            ));
        }
        None
    }
}

/// `filters` as a query string, for a refusal's message; `(none)` when empty.
fn query(filters: &[(String, String)]) -> String {
    if filters.is_empty() {
        return "(none)".into();
    }
    filters
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            format: CHECKPOINT_FORMAT,
            provider: "acme".into(),
            operation: "list_users".into(),
            endpoint: "https://acme.example/users".into(),
            filters: vec![("per_page".into(), "100".into())],
            spec: "abc".into(),
            next: Position::Page(3),
            pages: 2,
            users: 200,
            duplicates: 0,
            recent_ids: vec![vec![1, 2], vec![3]],
            id_hash: 7,
            taken_at: "2026-12-01T00:00:00Z".parse().unwrap(),
        }
    }

    fn expected(now: &str) -> Expected<'static> {
        static FILTERS: std::sync::LazyLock<Vec<(String, String)>> =
            std::sync::LazyLock::new(|| vec![("per_page".into(), "100".into())]);
        Expected {
            provider: "acme",
            operation: "list_users",
            spec: "abc",
            endpoint: "https://acme.example/users",
            filters: &FILTERS,
            id_hash: 7,
            max_age: DEFAULT_CHECKPOINT_MAX_AGE,
            now: now.parse().unwrap(),
        }
    }

    #[test]
    fn a_checkpoint_round_trips_and_an_edit_is_refused() {
        let text = serde_json::to_string(&checkpoint()).unwrap();
        let back: Checkpoint = serde_json::from_str(&text).unwrap();
        assert_eq!(back, checkpoint());
        let edited = text.replace("\"users\":200", "\"users\":100");
        assert_ne!(edited, text);
        let error = serde_json::from_str::<Checkpoint>(&edited).unwrap_err();
        assert!(error.to_string().contains("digest"), "{error}");
        let newer = text.replace("\"format\":1", "\"format\":2");
        let error = serde_json::from_str::<Checkpoint>(&newer).unwrap_err();
        assert!(error.to_string().contains("format version 2"), "{error}");
        assert!(serde_json::from_str::<Checkpoint>(&text[..text.len() / 2]).is_err());
    }

    #[test]
    fn a_checkpoint_of_another_walk_is_refused() {
        let now = "2026-12-02T00:00:00Z";
        assert_eq!(checkpoint().refusal(&expected(now)), None);
        let mut other = checkpoint();
        other.provider = "other".into();
        assert!(
            other
                .refusal(&expected(now))
                .unwrap()
                .contains("provider other")
        );
        let mut other = checkpoint();
        other.operation = "list_admins".into();
        assert!(other.refusal(&expected(now)).unwrap().contains("operation"));
        let mut other = checkpoint();
        other.spec = "abd".into();
        assert!(other.refusal(&expected(now)).unwrap().contains("spec"));
        let mut other = checkpoint();
        other.endpoint = "https://other.example/users".into();
        assert!(
            other
                .refusal(&expected(now))
                .unwrap()
                .contains("other.example")
        );
        let mut other = checkpoint();
        other.filters.push(("role".into(), "admin".into()));
        let why = other.refusal(&expected(now)).unwrap();
        assert!(why.contains("per_page=100&role=admin"), "{why}");
        let mut other = checkpoint();
        other.id_hash = 8;
        assert!(other.refusal(&expected(now)).unwrap().contains("hashes"));
        let late = "2026-12-09T00:00:01Z";
        assert!(
            checkpoint()
                .refusal(&expected(late))
                .unwrap()
                .contains("168 h")
        );
        let early = "2026-11-30T00:00:00Z";
        assert!(
            checkpoint()
                .refusal(&expected(early))
                .unwrap()
                .contains("future")
        );
    }
}
