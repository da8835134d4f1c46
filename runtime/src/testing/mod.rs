//! Fake providers for tests (cargo feature `testing`): a loopback HTTP server that serves N
//! synthetic users in a provider's real page shapes and paging rules, checks credentials the
//! way the provider does, and can misbehave on request ([`Fault`]).
//!
//! Nothing here names a provider: every fake is driven by the provider's [`FakeSpec`], which
//! codegen writes from its spec (the list operations and their `x-rollcall-pagination`, the
//! security schemes, the error envelope, and a page, a user and the refusals taken from the
//! spec's examples). A provider added by its spec gets a fake without more code.
//!
//! The same samples make response values for unit tests: [`sample`] takes a list's page, record
//! or user as the spec's example has it and lays the fields a test names over it, so the test
//! keeps compiling when the provider adds a field.
//!
//! ```no_run
//! # async fn run(provider: &'static rollcall_runtime::testing::FakeSpec) {
//! use futures::TryStreamExt as _;
//! use rollcall_runtime::testing::{FakeProvider, Fault};
//!
//! let fake = FakeProvider::start(provider).users(250).fault(Fault::RateLimitedOnce).await;
//! let users: Vec<serde_json::Value> = fake.client().all_users_json().try_collect().await.unwrap();
//! assert_eq!(users.len(), 250);
//! # }
//! ```

mod fault;
mod sample;
mod server;
mod spec;
mod store;

pub use crate::Vars;
pub use fault::{Fault, PLANTED_PROPERTY, UNKNOWN_ENUM_VALUE};
pub use sample::{Sample, sample};
pub use server::{FakeBuilder, FakeProvider, FakeRequest};
pub use spec::{
    Connect, FakeAuth, FakeEnvelope, FakeList, FakeResponse, FakeSlowDown, FakeSpec, FakeStyle,
    FakeUser, FakeWalk,
};
