//! De-duplication: the ids of the users a walk yielded on its last pages, so that a user a
//! server sends twice is dropped while memory stays flat.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasherDefault;
use std::sync::Arc;

/// How many pages back a user's id is remembered to drop it as a duplicate: enough for the
/// shifts of offset pagination (a user moving across a page boundary while the walk runs),
/// while memory stays flat however many users an account has.
const DUPLICATE_WINDOW: usize = 32;

/// The ids (hashes) of the users of the last [`DUPLICATE_WINDOW`] pages.
#[derive(Default)]
pub(crate) struct RecentIds {
    /// How many of the remembered pages hold each id.
    counts: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
    /// Each remembered page's ids, oldest first (shared, so that a checkpoint's copy of the
    /// window costs a reference count per page, not a copy of every id).
    pages: VecDeque<Arc<[u64]>>,
    current: Vec<u64>,
}

impl RecentIds {
    /// Remembers `id` for the page being read; `false` when it was already seen.
    pub(crate) fn insert(&mut self, id: u64) -> bool {
        let count = self.counts.entry(id).or_insert(0);
        *count += 1;
        if *count > 1 {
            // Only the first sighting is remembered for the page.
            *count -= 1;
            return false;
        }
        self.current.push(id);
        true
    }

    /// Ends the page being read; forgets the oldest page past the window.
    pub(crate) fn close_page(&mut self) {
        self.pages
            .push_back(Arc::from(std::mem::take(&mut self.current)));
        if self.pages.len() > DUPLICATE_WINDOW
            && let Some(old) = self.pages.pop_front()
        {
            for id in old.iter() {
                if let Some(count) = self.counts.get_mut(id) {
                    *count -= 1;
                    if *count == 0 {
                        self.counts.remove(id);
                    }
                }
            }
        }
    }

    /// The window as it stands after the last closed page: each page's ids, oldest first.
    pub(crate) fn window(&self) -> Vec<Arc<[u64]>> {
        self.pages.iter().cloned().collect()
    }

    /// The ids remembered by `window` (a checkpoint's), as if their pages had just been read.
    pub(crate) fn from_window(window: &[Vec<u64>]) -> Self {
        let mut ids = Self::default();
        for page in window.iter().rev().take(DUPLICATE_WINDOW).rev() {
            for &id in page {
                ids.insert(id);
            }
            ids.close_page();
        }
        ids
    }
}

/// A hasher for keys that are hashes already: it passes them through.
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_remembered_for_a_window_of_pages() {
        let mut ids = RecentIds::default();
        assert!(ids.insert(1));
        assert!(!ids.insert(1), "twice on one page");
        ids.close_page();
        assert!(!ids.insert(1), "on the next page");
        for page in 0..DUPLICATE_WINDOW as u64 {
            assert!(ids.insert(100 + page));
            ids.close_page();
        }
        assert!(ids.insert(1), "forgotten past the window");
        assert!(
            ids.counts.len() <= DUPLICATE_WINDOW + 1,
            "memory stays bounded"
        );
    }

    #[test]
    fn a_window_restored_from_a_checkpoint_drops_what_it_held() {
        let mut ids = RecentIds::default();
        for page in 0..40u64 {
            ids.insert(page);
            ids.close_page();
        }
        let window: Vec<Vec<u64>> = ids.window().iter().map(|p| p.to_vec()).collect();
        assert_eq!(window.len(), DUPLICATE_WINDOW);
        let mut restored = RecentIds::from_window(&window);
        assert!(!restored.insert(39), "the last page's id is remembered");
        assert!(!restored.insert(8), "the oldest page kept is remembered");
        assert!(restored.insert(7), "a page past the window is not");
    }
}
