//! Sequence: every user, by `after` cursor.

use std::hash::Hash as _;

use super::{Client, types};
use crate::runtime::{self, Page, Provider, UserStream};

impl Client {
    /// Every user of the account, fetched by cursor: `GET /users?limit=N`, then `after` set to
    /// each page's `pagination.after`. The page size is the client's, 100 by default.
    ///
    /// The walk ends after a page whose `pagination.after` is `null`, empty or absent, or a
    /// page without users. It ends with an error when a request fails (after the retries), when
    /// the server hands out a cursor it has already handed out or repeats a page, or when the
    /// `max_pages`/`max_users` caps are reached. Pages are fetched as the stream is read; only
    /// one is held in memory.
    pub fn all_users(&self) -> UserStream<'_, types::User> {
        let limit = u64::from(self.config().page_size().unwrap_or(100));
        runtime::walk(
            Provider::Sequence,
            "list_users",
            self.config(),
            None::<String>,
            move |after| async move {
                let mut request = self.list_users().limit(limit);
                if let Some(after) = after {
                    request = request.after(after);
                }
                let list = self.call(request.send()).await?.into_inner();
                let next = list
                    .pagination
                    .and_then(|pagination| pagination.after)
                    .filter(|cursor| !cursor.is_empty());
                Ok(Page::new(list.items, next, |user, hasher| {
                    user.id.hash(hasher)
                }))
            },
            std::convert::identity,
        )
    }
}
