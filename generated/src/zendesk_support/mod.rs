//! Zendesk Support users API (`https://{subdomain}.zendesk.com/api/v2/users`), generated from
//! `specs/zendesk-support.yaml`.

#[rustfmt::skip]
mod generated;

pub use generated::*;

crate::runtime::client_hooks!(Client);
