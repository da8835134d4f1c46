//! Zendesk Support: every user, by cursor.

use std::hash::Hash as _;

use super::{Client, types};
use crate::runtime::{self, Page, Provider, UserStream};

impl Client {
    /// Every user of the account (end users, agents and admins), fetched by cursor pagination:
    /// `GET /api/v2/users?include_boundary_indicators=true&page[size]=N`, then `page[after]`
    /// set to each page's `meta.after_cursor`. The page size is the client's, 100 by default.
    ///
    /// The walk ends after a page that says `meta.has_more: false`, has no `meta.after_cursor`
    /// or a `links.next` of `null`, or holds no users (the last page can be empty when the
    /// total is a multiple of the page size). It ends with an error when a request fails
    /// (after the retries), when the server hands out a cursor it has already handed out or
    /// repeats a page, or when the `max_pages`/`max_users` caps are reached. Pages are fetched
    /// as the stream is read; only one is held in memory.
    pub fn all_users(&self) -> UserStream<'_, types::User> {
        let size = u64::from(self.config().page_size().unwrap_or(100));
        runtime::walk(
            Provider::ZendeskSupport,
            "list_users",
            self.config(),
            None::<String>,
            move |after| async move {
                let mut request = self
                    .list_users()
                    .page_size(size)
                    .include_boundary_indicators(true);
                if let Some(after) = after {
                    request = request.page_after(after);
                }
                let list = self.call(request.send()).await?.into_inner();
                let meta = list.meta.unwrap_or_default();
                let last = meta.has_more == Some(false)
                    || list
                        .links
                        .as_ref()
                        .is_some_and(|links| links.next.is_none());
                let next = meta
                    .after_cursor
                    .filter(|cursor| !last && !cursor.is_empty());
                Ok(Page::new(list.users, next, |user, hasher| {
                    user.id.hash(hasher)
                }))
            },
            std::convert::identity,
        )
    }
}
