//! The traits every generated client implements, so that code generic over them (or holding a
//! `dyn AnyClient`) works for every provider.

use std::fmt;

use crate::error::{Error, ErrorKind};
use crate::provider::ProviderInfo;
use crate::stream::UserStream;

/// A client that can list every user of its account: implemented by every generated `Client`.
///
/// Write a function once, generic over it, and it works for every provider, present and
/// future:
///
/// ```
/// use futures::TryStreamExt as _;
/// use rollcall_runtime::{Error, Users};
///
/// async fn count<C: Users>(client: &C) -> Result<usize, Error> {
///     let users: Vec<C::User> = client.all_users().try_collect().await?;
///     Ok(users.len())
/// }
/// ```
pub trait Users {
    /// The provider's own user record.
    type User: serde::Serialize + fmt::Debug + Clone + Send + Sync + 'static;

    /// The provider this client talks to.
    fn provider(&self) -> &'static ProviderInfo;

    /// Every user of the account, walking every page the provider's own way.
    fn all_users(&self) -> UserStream<'_, Self::User>;

    /// The users that hold a seat, walking every page with the provider's own server-side
    /// filter where its spec declares one (`x-rollcall-pagination.seats`, set with the list
    /// builder's setters); `None` when the provider cannot filter, and the caller filters
    /// [`all_users`](Self::all_users) (an [`Account`](crate::Account)'s kind says who holds a
    /// seat).
    fn seats(&self) -> Option<UserStream<'_, Self::User>> {
        None
    }
}

/// A client of any provider behind one object type: what a registry lookup returns when the
/// provider is chosen at run time (the CLI, a test that iterates every provider).
pub trait AnyClient: fmt::Debug + Send + Sync {
    /// The provider this client talks to.
    fn provider(&self) -> &'static ProviderInfo;

    /// Every user of the account, each as the provider's own record in JSON.
    fn all_users_json(&self) -> UserStream<'_, serde_json::Value>;

    /// [`Users::seats`], each as the provider's own record in JSON.
    fn seats_json(&self) -> Option<UserStream<'_, serde_json::Value>>;
}

impl<C> AnyClient for C
where
    C: Users + fmt::Debug + Send + Sync,
{
    fn provider(&self) -> &'static ProviderInfo {
        Users::provider(self)
    }

    fn all_users_json(&self) -> UserStream<'_, serde_json::Value> {
        json(Users::provider(self), self.all_users())
    }

    fn seats_json(&self) -> Option<UserStream<'_, serde_json::Value>> {
        Some(json(Users::provider(self), Users::seats(self)?))
    }
}

/// `users` with each user as its JSON form.
fn json<'a, U: serde::Serialize + Send + 'a>(
    provider: &'static ProviderInfo,
    users: UserStream<'a, U>,
) -> UserStream<'a, serde_json::Value> {
    users.map_users(move |user| {
        user.and_then(|user| {
            serde_json::to_value(&user).map_err(|e| {
                Error::new(
                    provider.name,
                    "all_users",
                    ErrorKind::InvalidResponse {
                        status: None,
                        reason: format!("a user does not serialize to JSON: {e}"),
                    },
                )
            })
        })
    })
}
