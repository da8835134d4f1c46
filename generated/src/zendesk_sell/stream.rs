//! Zendesk Sell: every user, page by page.

use std::hash::Hash as _;

use super::{Client, types};
use crate::runtime::{self, Page, Provider, UserStream};

impl Client {
    /// Every user of the account, fetched page by page (`GET /v2/users?page=N&per_page=M`,
    /// `per_page` from the client's page size, 100 by default).
    ///
    /// The walk ends after a page without `meta.links.next_page` or a page without items,
    /// whichever comes first. It ends with an error when a request fails (after the retries),
    /// when a page repeats the users of an earlier one (a server that ignores `page`), or when
    /// the `max_pages`/`max_users` caps are reached. Pages are fetched as the stream is read;
    /// only one is held in memory.
    pub fn all_users(&self) -> UserStream<'_, types::User> {
        let per_page = u64::from(self.config().page_size().unwrap_or(100));
        runtime::walk(
            Provider::ZendeskSell,
            "list_users",
            self.config(),
            Some(1u64),
            move |page| async move {
                let page = page.unwrap_or(1);
                let list = self
                    .call(self.list_users().page(page).per_page(per_page).send())
                    .await?
                    .into_inner();
                let has_next = list
                    .meta
                    .as_ref()
                    .and_then(|meta| meta.links.as_ref())
                    .is_some_and(|links| links.next_page.is_some());
                Ok(Page::new(
                    list.items,
                    has_next.then_some(page + 1),
                    |item, hasher| item.data.id.hash(hasher),
                ))
            },
            |item| item.data,
        )
    }
}
