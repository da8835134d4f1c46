//! Sequence users API (`https://eu.sequencehq.com/api/users`), generated from `specs/sequence.yaml`.

#[rustfmt::skip]
mod generated;

pub use generated::*;

crate::runtime::client_hooks!(Client);
