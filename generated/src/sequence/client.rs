//! Sequence: the client-credentials constructor, regions and typed errors.

use std::future::Future;

use progenitor_client::ResponseValue;

use super::{Client, types};
use crate::runtime::{self, Auth, ClientBuilder, Error, ErrorBody, Provider, Secret};

/// The `Sequence-Version` sent with every request that does not set its own: the version
/// `specs/sequence.yaml` describes.
pub const API_VERSION: &str = "2024-07-30";

/// Where a Sequence account lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Region {
    /// Production, `https://eu.sequencehq.com/api`.
    #[default]
    Production,
    /// The sandbox for non-production data, `https://sandbox.sequencehq.com/api`.
    Sandbox,
}

impl Region {
    /// The base URL of the region's API.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Production => "https://eu.sequencehq.com/api",
            Region::Sandbox => "https://sandbox.sequencehq.com/api",
        }
    }
}

runtime::generated_client!(Client, Provider::Sequence, Some(100));

impl Client {
    /// A client for `region` that authenticates with an API key's client id and secret
    /// (`Authorization: Basic base64(client_id:client_secret)`).
    ///
    /// ```
    /// use rollcall::sequence::{Client, Region};
    ///
    /// let client = Client::with_credentials(Region::Sandbox, "client-id", "secret").build()?;
    /// # Ok::<(), rollcall::Error>(())
    /// ```
    pub fn with_credentials(
        region: Region,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> ClientBuilder<Client> {
        let client_id = client_id.into();
        let problem = (client_id.is_empty() || client_id.contains(':'))
            .then(|| format!("`{client_id}` is not a Sequence client id"));
        let auth = Auth::Basic {
            user: client_id,
            password: client_secret.into(),
        };
        ClientBuilder::new(region.base_url().to_owned(), auth)
            .default_header("sequence-version", API_VERSION)
            .problem(problem)
    }

    /// Runs a request built with the generated API and returns its answer, or an [`Error`]
    /// that names the operation, the HTTP status and Sequence's error (its `type` and
    /// `message`, when the answer has a body at all).
    ///
    /// ```no_run
    /// # async fn run(client: rollcall::sequence::Client) -> Result<(), rollcall::Error> {
    /// let page = client.call(client.list_users().limit(10).send()).await?;
    /// println!("{} users on the first page", page.items.len());
    /// # Ok(()) }
    /// ```
    pub async fn call<T, F>(&self, send: F) -> Result<ResponseValue<T>, Error>
    where
        F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<types::ErrorBody>>>,
    {
        runtime::call(Provider::Sequence, send, true).await
    }
}

impl runtime::SealedProviderError for types::ErrorBody {}

impl runtime::ProviderError for types::ErrorBody {
    fn code(&self) -> Option<String> {
        self.error.as_ref()?.type_.clone()
    }

    fn message(&self) -> Option<String> {
        self.error.as_ref()?.message.clone()
    }

    fn into_body(self) -> ErrorBody {
        ErrorBody::Sequence(self)
    }
}
