//! Zendesk Sell users API (`https://api.getbase.com/v2/users`), generated from
//! `specs/zendesk-sell.yaml`.
//!
//! Start with [`Client::with_token`]; walk every user with [`Client::all_users`]; fetch one with
//! [`Client::user`] or [`Client::current_user`]; run any other generated request through
//! [`Client::call`] for typed errors.
//!
//! ```no_run
//! use futures::TryStreamExt as _;
//! use rollcall::zendesk_sell::Client;
//!
//! # async fn run() -> Result<(), rollcall::Error> {
//! let client = Client::with_token("personal-access-token").build()?;
//! let mut users = client.all_users();
//! while let Some(user) = users.try_next().await? {
//!     println!("{} {}", user.id, user.name);
//! }
//! # Ok(()) }
//! ```

#[rustfmt::skip]
mod generated;

mod client;
mod stream;

pub use client::BASE_URL;
pub use generated::*;

crate::runtime::client_hooks!(Client);
