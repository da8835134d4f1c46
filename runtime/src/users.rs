//! The traits every generated client implements, so that code generic over them (or holding a
//! `dyn AnyClient`) works for every provider.

use std::fmt;

use crate::checkpoint::Checkpoint;
use crate::error::{Error, ErrorKind};
use crate::incremental::{ChangeStream, Since};
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

    /// The rest of the [`all_users`](Self::all_users) walk `checkpoint` was taken in
    /// ([`UserStream::checkpoint`]): every user that walk had not yielded, none it had. Its
    /// report's `resumed_from` says where it started, and its counts go on from the
    /// checkpoint's.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Resume`] when the checkpoint is of another provider, operation, endpoint,
    /// filter set or spec, or too old ([`Config::checkpoint_max_age`](crate::Config::checkpoint_max_age));
    /// nothing is requested then. The default refuses every checkpoint: generated clients
    /// implement it.
    fn resume_users(&self, checkpoint: &Checkpoint) -> Result<UserStream<'_, Self::User>, Error> {
        let _ = checkpoint;
        Err(cannot_resume(self.provider()))
    }

    /// The rest of a [`seats`](Self::seats) walk, as [`resume_users`](Self::resume_users)
    /// continues [`all_users`](Self::all_users); `None` when the provider cannot filter.
    fn resume_seats(
        &self,
        checkpoint: &Checkpoint,
    ) -> Option<Result<UserStream<'_, Self::User>, Error>> {
        let _ = checkpoint;
        None
    }

    /// The users that changed since `since`, from the provider's incremental export, where its
    /// spec declares one (`x-rollcall-pagination.incremental`); `None` otherwise, and the
    /// caller compares two complete walks instead (see [`changes`](crate::changes)).
    fn changed_users(&self, since: Since) -> Option<ChangeStream<'_, Self::User>> {
        let _ = since;
        None
    }
}

/// The refusal of a client that cannot resume walks.
fn cannot_resume(provider: &'static ProviderInfo) -> Error {
    Error::new(
        provider.name,
        "all_users",
        ErrorKind::Resume("this client cannot resume a walk".into()),
    )
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

    /// [`Users::resume_users`], each user as the provider's own record in JSON.
    fn resume_users_json(
        &self,
        checkpoint: &Checkpoint,
    ) -> Result<UserStream<'_, serde_json::Value>, Error>;

    /// [`Users::resume_seats`], each user as the provider's own record in JSON.
    fn resume_seats_json(
        &self,
        checkpoint: &Checkpoint,
    ) -> Option<Result<UserStream<'_, serde_json::Value>, Error>>;

    /// [`Users::changed_users`], each user as the provider's own record in JSON.
    fn changed_users_json(&self, since: Since) -> Option<ChangeStream<'_, serde_json::Value>>;
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

    fn resume_users_json(
        &self,
        checkpoint: &Checkpoint,
    ) -> Result<UserStream<'_, serde_json::Value>, Error> {
        let users = Users::resume_users(self, checkpoint)?;
        Ok(json(Users::provider(self), users))
    }

    fn resume_seats_json(
        &self,
        checkpoint: &Checkpoint,
    ) -> Option<Result<UserStream<'_, serde_json::Value>, Error>> {
        let seats = Users::resume_seats(self, checkpoint)?;
        Some(seats.map(|users| json(Users::provider(self), users)))
    }

    fn changed_users_json(&self, since: Since) -> Option<ChangeStream<'_, serde_json::Value>> {
        let provider = Users::provider(self);
        let changes = Users::changed_users(self, since)?;
        Some(changes.map_users(move |user| user.and_then(|user| to_json(provider, user))))
    }
}

/// `users` with each user as its JSON form.
fn json<'a, U: serde::Serialize + Send + 'a>(
    provider: &'static ProviderInfo,
    users: UserStream<'a, U>,
) -> UserStream<'a, serde_json::Value> {
    users.map_users(move |user| user.and_then(|user| to_json(provider, user)))
}

/// `user` as its JSON form.
fn to_json<U: serde::Serialize>(
    provider: &'static ProviderInfo,
    user: U,
) -> Result<serde_json::Value, Error> {
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
}
