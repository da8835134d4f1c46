//! Zendesk Support users API (`https://{subdomain}.zendesk.com/api/v2/users`), generated from
//! `specs/zendesk-support.yaml`.
//!
//! Start with [`Client::with_api_token`] (an agent's email and an API token) or
//! [`Client::with_oauth_token`]; walk every user with [`Client::all_users`]; run any other
//! generated request through [`Client::call`] for typed errors.
//!
//! ```no_run
//! use futures::TryStreamExt as _;
//! use rollcall::zendesk_support::Client;
//!
//! # async fn run() -> Result<(), rollcall::Error> {
//! let client = Client::with_api_token("acme", "admin@acme.example", "api-token").build()?;
//! let users: Vec<_> = client.all_users().try_collect().await?;
//! println!("{} users", users.len());
//! # Ok(()) }
//! ```

#[rustfmt::skip]
mod generated;

mod client;
mod stream;

pub use generated::*;

crate::runtime::client_hooks!(Client);
