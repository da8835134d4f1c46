//! The contract between codegen and the walk: what a generated fetch function reports of each
//! page ([`Page`]), what the page says about the next one ([`Signals`]), and [`hash_id`], which
//! hashes each record's id.

use std::hash::{DefaultHasher, Hasher as _};

/// One page as a generated fetch function reports it.
pub struct Page<R, C> {
    /// The records of the page, as decoded (turned into users only as they are yielded).
    pub(crate) items: Vec<R>,
    /// The cursor of the next page, or `None` when the server says this is the last.
    pub(crate) next: Option<C>,
    /// A hash of each record's id, in order.
    pub(crate) ids: Vec<u64>,
    /// A hash of the records' ids: two pages with the same one are the same page.
    pub(crate) fingerprint: u64,
    /// The total number of users the server declares, if it does.
    pub(crate) total: Option<u64>,
    /// Why the walk cannot go past this page although the page itself is sound (a next link
    /// it must not follow): its users are yielded, then the walk ends with this error.
    pub(crate) fault: Option<crate::error::PagingError>,
}

/// What a page says about whether another follows, read at the pointers its spec declares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Signals {
    /// The `has-more` flag; `None` when not declared or not sent.
    pub has_more: Option<bool>,
    /// The `next-link`: `Some(true)` when present, `Some(false)` when its parent object is
    /// there but the link is null or missing, `None` when not declared or the parent is missing
    /// (a page without the envelope cannot say).
    pub link: Option<bool>,
    /// Whether the page holds as many records as were asked for.
    pub full: bool,
    /// Whether a page shorter than asked for still lets the walk go on (the provider filters
    /// after cutting the page, so only an empty page, or the signals above, end it).
    pub short_page_continues: bool,
    /// The `end` flag (`end_of_stream`): `Some(true)` when the page says it is the last.
    pub end: Option<bool>,
}

impl Signals {
    /// Whether another page follows when nothing else (a cursor) decides: an `end: true`, an
    /// explicit `has-more: false` or a missing next link ends the walk; an explicit `true` or a
    /// present link continues it; with neither, a full page continues and a short one ends it,
    /// unless short pages go on (then only an empty page ends it).
    pub fn more(&self) -> bool {
        if self.end == Some(true) {
            return false;
        }
        match (self.has_more, self.link) {
            (Some(false), _) | (_, Some(false)) => false,
            (Some(true), _) | (_, Some(true)) => true,
            (None, None) => self.full || self.short_page_continues,
        }
    }
}

/// Feeds a record's id to `hasher` by its JSON form, whatever its Rust type (a string, a
/// number, an untagged union of both): no id is copied or formatted into a `String`.
pub fn hash_id<T: serde::Serialize + ?Sized>(id: &T, hasher: &mut DefaultHasher) {
    struct Feed<'h>(&'h mut DefaultHasher);
    impl std::io::Write for Feed<'_> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.write(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    // Serializing an id into a hasher cannot fail: the writer never does.
    let _ = serde_json::to_writer(Feed(hasher), id);
}

/// What [`hash_id`] gives for a fixed id: a checkpoint records it, so that one made by a build
/// that hashes otherwise (`DefaultHasher` may change between Rust releases) is refused rather
/// than resumed with a de-duplication window that no longer matches.
pub(crate) fn id_hash_probe() -> u64 {
    let mut hasher = DefaultHasher::new();
    hash_id("rollcall id hash probe", &mut hasher);
    hasher.finish()
}

impl<R, C> Page<R, C> {
    /// A page whose fingerprint is computed from the records' ids, which `id` feeds to the
    /// hasher (by reference, so that no id is copied or formatted).
    pub fn new(items: Vec<R>, next: Option<C>, id: impl Fn(&R, &mut DefaultHasher)) -> Self {
        let mut page = DefaultHasher::new();
        let ids: Vec<u64> = items
            .iter()
            .map(|item| {
                let mut hasher = DefaultHasher::new();
                id(item, &mut hasher);
                let hash = hasher.finish();
                page.write_u64(hash);
                hash
            })
            .collect();
        Self {
            fingerprint: page.finish(),
            ids,
            items,
            next,
            total: None,
            fault: None,
        }
    }

    /// The same page, after whose users the walk ends with `error`.
    pub(crate) fn ending_with(mut self, error: crate::error::PagingError) -> Self {
        self.next = None;
        self.fault = Some(error);
        self
    }

    /// The total number of users the server declares on this page (the spec's `total`).
    pub fn with_total(mut self, total: Option<u64>) -> Self {
        self.total = total;
        self
    }
}

/// How the next page's cursor follows from the current one when the walk can tell before the
/// page arrives (page numbers: `n + 1`), so that pages can be fetched ahead.
pub type Successor<C> = fn(&C) -> C;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals() {
        let none = Signals::default();
        assert!(!none.more());
        assert!(Signals { full: true, ..none }.more());
        let full = Signals { full: true, ..none };
        assert!(
            !Signals {
                has_more: Some(false),
                ..full
            }
            .more()
        );
        assert!(
            !Signals {
                link: Some(false),
                ..full
            }
            .more()
        );
        assert!(
            Signals {
                link: Some(true),
                ..none
            }
            .more()
        );
        assert!(
            Signals {
                has_more: Some(true),
                ..none
            }
            .more()
        );
        assert!(
            !Signals {
                has_more: Some(true),
                link: Some(false),
                full: true,
                short_page_continues: false,
                end: None,
            }
            .more()
        );
        // The end flag ends a walk whatever else the page says.
        let going = Signals {
            has_more: Some(true),
            link: Some(true),
            full: true,
            short_page_continues: false,
            end: Some(false),
        };
        assert!(going.more());
        assert!(
            !Signals {
                end: Some(true),
                ..going
            }
            .more()
        );
        let filtered = Signals {
            short_page_continues: true,
            ..none
        };
        assert!(filtered.more(), "a short page goes on");
        assert!(
            !Signals {
                has_more: Some(false),
                ..filtered
            }
            .more()
        );
    }

    #[test]
    fn ids_hash_by_their_json_form() {
        let of = |id: &dyn Fn(&mut DefaultHasher)| {
            let mut hasher = DefaultHasher::new();
            id(&mut hasher);
            hasher.finish()
        };
        assert_eq!(
            of(&|h| hash_id("42", h)),
            of(&|h| hash_id(&"42".to_owned(), h))
        );
        assert_ne!(of(&|h| hash_id("42", h)), of(&|h| hash_id(&42, h)));
        assert_ne!(of(&|h| hash_id(&1, h)), of(&|h| hash_id(&2, h)));
    }
}
