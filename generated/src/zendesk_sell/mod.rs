//! Zendesk Sell users API (`https://api.getbase.com/v2/users`), generated from
//! `specs/zendesk-sell.yaml`.

#[rustfmt::skip]
mod generated;

pub use generated::*;

crate::runtime::client_hooks!(Client);
