//! Sequence users API (`https://eu.sequencehq.com/api/users`), generated from
//! `specs/sequence.yaml`.
//!
//! Start with [`Client::with_credentials`] (an API key's client id and secret, for the
//! production or sandbox [`Region`]); walk every user with [`Client::all_users`]; run any other
//! generated request through [`Client::call`] for typed errors. Every request carries
//! `Sequence-Version: 2024-07-30` ([`API_VERSION`]) unless it sets another.
//!
//! ```no_run
//! use futures::TryStreamExt as _;
//! use rollcall::sequence::{Client, Region};
//!
//! # async fn run() -> Result<(), rollcall::Error> {
//! let client = Client::with_credentials(Region::Production, "client-id", "client-secret").build()?;
//! let mut users = client.all_users();
//! while let Some(user) = users.try_next().await? {
//!     println!("{} {}", user.email, user.state);
//! }
//! # Ok(()) }
//! ```

#[rustfmt::skip]
mod generated;

mod client;
mod stream;

pub use client::{API_VERSION, Region};
pub use generated::*;

crate::runtime::client_hooks!(Client);
