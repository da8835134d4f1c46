//! Zendesk Sell: the bearer-token constructor, typed errors and single-user calls.

use std::future::Future;

use progenitor_client::ResponseValue;

use super::{Client, types};
use crate::runtime::{self, Auth, ClientBuilder, Error, ErrorBody, Provider, Secret};

/// The production host of the Sell API.
pub const BASE_URL: &str = "https://api.getbase.com";

runtime::generated_client!(Client, Provider::ZendeskSell, Some(100));

impl Client {
    /// A client that sends `Authorization: Bearer <token>`: a personal access token from the
    /// Sell settings or an OAuth 2.0 access token.
    ///
    /// ```
    /// let client = rollcall::zendesk_sell::Client::with_token("token").build()?;
    /// # Ok::<(), rollcall::Error>(())
    /// ```
    pub fn with_token(token: impl Into<Secret>) -> ClientBuilder<Client> {
        ClientBuilder::new(BASE_URL.to_owned(), Auth::Bearer(token.into()))
    }

    /// Runs a request built with the generated API and returns its answer, or an [`Error`]
    /// that names the operation, the HTTP status and Sell's own error message.
    ///
    /// ```no_run
    /// # async fn run(client: rollcall::zendesk_sell::Client) -> Result<(), rollcall::Error> {
    /// let admins = client.call(client.list_users().role("admin").send()).await?;
    /// println!("{} admins on the first page", admins.items.len());
    /// # Ok(()) }
    /// ```
    pub async fn call<T, F>(&self, send: F) -> Result<ResponseValue<T>, Error>
    where
        F: Future<
            Output = Result<ResponseValue<T>, progenitor_client::Error<types::ErrorEnvelope>>,
        >,
    {
        runtime::call(Provider::ZendeskSell, send, true).await
    }

    /// The user with this id (`GET /v2/users/{id}`); an unknown id is an [`Error`] with status
    /// 404.
    pub async fn user(&self, id: i64) -> Result<types::User, Error> {
        Ok(self
            .call(self.get_user().id(id).send())
            .await?
            .into_inner()
            .data)
    }

    /// The user the token belongs to (`GET /v2/users/self`).
    pub async fn current_user(&self) -> Result<types::User, Error> {
        Ok(self
            .call(self.get_self_user().send())
            .await?
            .into_inner()
            .data)
    }
}

impl runtime::SealedProviderError for types::ErrorEnvelope {}

impl runtime::ProviderError for types::ErrorEnvelope {
    fn code(&self) -> Option<String> {
        self.errors
            .iter()
            .find_map(|entry| entry.error.as_ref()?.code.clone())
    }

    fn message(&self) -> Option<String> {
        let messages: Vec<String> = self
            .errors
            .iter()
            .filter_map(|entry| {
                let error = entry.error.as_ref()?;
                let text = error.message.clone().or_else(|| error.details.clone())?;
                Some(match &error.field {
                    Some(field) if !text.contains(field.as_str()) => format!("{field}: {text}"),
                    _ => text,
                })
            })
            .collect();
        (!messages.is_empty()).then(|| messages.join("; "))
    }

    fn request_id(&self) -> Option<String> {
        self.meta.as_ref()?.logref.clone()
    }

    fn into_body(self) -> ErrorBody {
        ErrorBody::ZendeskSell(self)
    }
}
