//! Zendesk Support: the API-token and OAuth constructors and typed errors.

use std::future::Future;

use progenitor_client::ResponseValue;

use super::{Client, types};
use crate::runtime::{self, Auth, ClientBuilder, Error, ErrorBody, Provider, Secret};

runtime::generated_client!(Client, Provider::ZendeskSupport, Some(100));

impl Client {
    /// A client for `https://{subdomain}.zendesk.com` that authenticates with an API token:
    /// basic auth with the user name `{email}/token` and the token as password.
    ///
    /// ```
    /// use rollcall::zendesk_support::Client;
    ///
    /// let client = Client::with_api_token("acme", "admin@acme.example", "api-token").build()?;
    /// # Ok::<(), rollcall::Error>(())
    /// ```
    pub fn with_api_token(
        subdomain: &str,
        email: &str,
        token: impl Into<Secret>,
    ) -> ClientBuilder<Client> {
        let auth = Auth::Basic {
            user: format!("{email}/token"),
            password: token.into(),
        };
        let email_problem = (email.trim().is_empty() || email.contains(':'))
            .then(|| format!("`{email}` is not an email address"));
        Self::for_subdomain(subdomain, auth).problem(email_problem)
    }

    /// A client for `https://{subdomain}.zendesk.com` that sends `Authorization: Bearer
    /// <token>` with an OAuth access token.
    pub fn with_oauth_token(subdomain: &str, token: impl Into<Secret>) -> ClientBuilder<Client> {
        Self::for_subdomain(subdomain, Auth::Bearer(token.into()))
    }

    fn for_subdomain(subdomain: &str, auth: Auth) -> ClientBuilder<Client> {
        ClientBuilder::new(format!("https://{subdomain}.zendesk.com"), auth)
            .problem(runtime::host_label_problem("subdomain", subdomain))
    }

    /// Runs a request built with the generated API and returns its answer, or an [`Error`]
    /// that names the operation, the HTTP status and Zendesk's message, whatever shape the
    /// error body has (JSON in any of Zendesk's shapes, plain text or HTML).
    ///
    /// ```no_run
    /// # use rollcall::zendesk_support::{Client, types::ListUsersRoleItem};
    /// # async fn run(client: Client) -> Result<(), rollcall::Error> {
    /// let page = client
    ///     .call(client.list_users().role(vec![ListUsersRoleItem::Admin]).page_size(10).send())
    ///     .await?;
    /// println!("{} admins", page.users.len());
    /// # Ok(()) }
    /// ```
    pub async fn call<T, F>(&self, send: F) -> Result<ResponseValue<T>, Error>
    where
        F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<types::ErrorBody>>>,
    {
        runtime::call(Provider::ZendeskSupport, send, true).await
    }
}

impl runtime::SealedProviderError for types::ErrorBody {}

impl runtime::ProviderError for types::ErrorBody {
    fn code(&self) -> Option<String> {
        match &self.error {
            // `{"error": "Couldn't authenticate you"}` is a message, not a code.
            Some(types::ErrorBodyError::Text(text))
                if self.description.is_some() || !text.contains(' ') =>
            {
                Some(text.clone())
            }
            Some(types::ErrorBodyError::Object(object)) => object.title.clone(),
            _ => self.errors.iter().find_map(|item| item.code.clone()),
        }
    }

    fn message(&self) -> Option<String> {
        let mut parts = Vec::new();
        match (&self.error, &self.description) {
            (_, Some(description)) => parts.push(description.clone()),
            (Some(types::ErrorBodyError::Text(text)), None) if text.contains(' ') => {
                parts.push(text.clone());
            }
            (Some(types::ErrorBodyError::Object(object)), None) => {
                if let Some(text) = object.message.clone().or_else(|| object.title.clone()) {
                    parts.push(text);
                }
            }
            _ => {}
        }
        for item in &self.errors {
            match (&item.title, &item.detail) {
                (Some(title), Some(detail)) => parts.push(format!("{title}: {detail}")),
                (Some(text), None) | (None, Some(text)) => parts.push(text.clone()),
                (None, None) => {}
            }
        }
        for (field, problems) in &self.details {
            for problem in problems {
                if let Some(text) = problem.description.as_ref().or(problem.error.as_ref()) {
                    parts.push(format!("{field}: {text}"));
                }
            }
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    fn into_body(self) -> ErrorBody {
        ErrorBody::ZendeskSupport(self)
    }
}
