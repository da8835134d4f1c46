//! Worksection users API (`https://{account}.worksection.com/api/admin/v2/?action=get_users`),
//! generated from `specs/worksection.yaml`.
//!
//! Start with [`Client::with_admin_key`] (the account's admin API key; every request is signed
//! with [`admin_hash`]) or [`Client::with_oauth_token`] (an OAuth 2.0 access token, sent to
//! `/api/oauth2`); list every user with [`Client::all_users`]; run a generated request through
//! [`Client::call`] for typed errors — including the error envelopes Worksection sends with
//! HTTP 200.
//!
//! ```no_run
//! use futures::TryStreamExt as _;
//! use rollcall::worksection::Client;
//!
//! # async fn run() -> Result<(), rollcall::Error> {
//! let client = Client::with_admin_key("acme", "admin-api-key").build()?;
//! let users: Vec<_> = client.all_users().try_collect().await?;
//! for user in &users {
//!     println!("{} {:?}", user.name, user.role);
//! }
//! # Ok(()) }
//! ```

#[rustfmt::skip]
mod generated;

mod client;
mod services;
mod stream;

pub use client::admin_hash;
pub use generated::*;

crate::runtime::client_hooks!(Client);
