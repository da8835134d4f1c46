//! Worksection: every user, in one response.

use std::hash::Hash as _;

use super::types::{GetUsersAction, GetUsersOauth2Action};
use super::{Client, types};
use crate::runtime::{self, Page, Provider, UserStream};

impl Client {
    /// Every user of the account. Worksection has no paging: this is one request
    /// (`?action=get_users` on the admin API, or on `/api/oauth2` for an OAuth client) whose
    /// users are then yielded one by one, as a stream for symmetry with the other providers.
    ///
    /// An error envelope (`"status": "error"`, usually with HTTP 200) ends the stream with an
    /// [`Error`](crate::Error) carrying Worksection's `status_code` and `message`. A success
    /// without `data` yields no users. The `max_users` cap applies.
    pub fn all_users(&self) -> UserStream<'_, types::User> {
        let operation = if self.uses_oauth() {
            "get_users_oauth2"
        } else {
            "get_users"
        };
        runtime::walk(
            Provider::Worksection,
            operation,
            self.config(),
            None::<String>,
            move |_| async move {
                let envelope = if self.uses_oauth() {
                    let request = self
                        .get_users_oauth2()
                        .action(GetUsersOauth2Action::GetUsers);
                    self.call(request.send()).await?
                } else {
                    let request = self.get_users().action(GetUsersAction::GetUsers);
                    self.call(request.send()).await?
                };
                let users = envelope.into_inner().data;
                Ok(Page::new(users, None, |user, hasher| match &user.id {
                    types::UserId::String(id) => id.hash(hasher),
                    types::UserId::Number(id) => id.hash(hasher),
                }))
            },
            std::convert::identity,
        )
    }
}
