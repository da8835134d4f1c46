//! The hand-written, provider-agnostic runtime under rollcall's generated clients.
//!
//! Nothing here names a provider: everything a provider *is* — its host, its credentials, how
//! it pages, where its error messages sit — is generated from its spec into the `rollcall`
//! crate as data ([`ProviderInfo`], [`ErrorRules`]) and calls into this crate. Downstream code
//! uses it through `rollcall`, which re-exports the public types.
//!
//! progenitor lets each generated `Client` carry one value of a type we choose (its *inner*
//! value) and calls our `ClientHooks` around every request. [`Runtime`] is that value.
//!
//! # Layers
//!
//! The modules are layered: each imports only from the layers below it, or from a module listed
//! before it in its own layer, so the crate reads bottom-up (`tests/layers.rs` keeps it so).
//!
//! | layer | module | what |
//! | --- | --- | --- |
//! | 0 leaves | `secret` | [`Secret`]: a credential that never shows in `Debug` |
//! | | `rules` | [`ErrorRules`]: JSON pointers with `*`, and reading an error body with them |
//! | | `decode` | what the generated types call to decode timestamps and open enums quickly |
//! | | `sample` | the round trip the generated tests run on the spec's examples |
//! | | `wire` | `Retry-After`, the content type, HTML sniffing, the request id header |
//! | | `drift` | [`DriftReport`] and the drift table codegen writes: where responses stop matching the spec |
//! | | `scope` | every piece of per-call ambient (task-local) state, and why it is ambient |
//! | 1 data | `error` | [`Error`] and what it holds |
//! | | `checkpoint` | [`Checkpoint`]: where a walk stood, sealed, and the checks before resuming |
//! | | `pacing` | [`RateLimit`] and the pacer that keeps to it |
//! | | `auth` | [`Auth`]: the `Authorization` header, a named signature plugin, or OAuth 2.0 client credentials (token cache and renewal) |
//! | | `account_rules` | [`AccountRules`]: the data of the account mapping |
//! | | `provider` | [`ProviderInfo`] |
//! | | `account` | [`Account`]: a user record read by its provider's rules, and SCIM |
//! | | `changes` | [`changes::compare`]: who joined, left or changed between two pictures |
//! | 2 config | `config` | [`RetryPolicy`], [`Config`], [`ClientOptions`], the defaults |
//! | 3 request | `retry` | one request: pacing waits, retries after 408/429/5xx or a broken connection |
//! | | `classify` | a response (with what the hooks saw) turned into a success or an [`Error`] |
//! | | `client` | [`Runtime`] and `call`, which runs a generated `send()` |
//! | 4 walk | `stream` | [`UserStream`], [`WalkReport`], [`Stop`] |
//! | | `page` | what a generated fetch reports of a page: the codegen contract of the walk |
//! | | `dedupe` | the ids of the last pages, to drop a user sent twice |
//! | | `walk` | the state machine behind every all-pages walk |
//! | | `several` | one account list from several walks (`x-rollcall.walks`): [`Walked`] users with their [`Facts`] |
//! | | `list` | the `List` trait each generated list builder implements, and the walk over it |
//! | | `incremental` | an incremental export: [`ChangeStream`] of the users changed [`Since`] a point |
//! | 5 API | `builder` | [`ClientBuilder`], [`GeneratedClient`] |
//! | | `users` | [`Users`], [`AnyClient`]: the traits every generated client implements |
//! | | `connect` | a client of a provider chosen at run time, from its table's variables |
//! | 6 kit | `testing` | fake providers for tests (cargo feature `testing`) |
//!
//! What only generated code may call is re-exported, hidden, from one module, `__codegen`.

#![warn(missing_docs)]

// Layer 0: leaves.
pub mod decode;
mod drift;
mod rules;
#[doc(hidden)]
pub mod sample;
mod scope;
mod secret;
mod wire;

// Layer 1: data.
pub mod account;
mod account_rules;
mod auth;
pub mod changes;
mod checkpoint;
mod error;
mod pacing;
mod provider;

// Layer 2: configuration.
mod config;

// Layer 3: one request.
mod classify;
mod client;
mod retry;

// Layer 4: walks over all pages.
mod dedupe;
mod incremental;
mod list;
mod page;
mod several;
mod stream;
mod walk;

// Layer 5: the API.
mod builder;
mod connect;
mod users;

// Above the API: the test kit.
#[cfg(feature = "testing")]
pub mod testing;

pub use account::{Account, AccountRules};
pub use account_rules::{FACTS_KEY, Facts};
pub use auth::{Auth, Plugin, query_md5_hash};
pub use builder::{ClientBuilder, GeneratedClient};
pub use checkpoint::{
    CHECKPOINT_FORMAT, Checkpoint, DEFAULT_CHECKPOINT_MAX_AGE, Position, ResumedFrom,
};
pub use classify::Checked;
pub use client::Runtime;
pub use config::{
    ClientOptions, Config, DEFAULT_MAX_PAGES, DEFAULT_MAX_WAIT, DEFAULT_PAGE_CONCURRENCY,
    RetryPolicy,
};
pub use connect::Vars;
pub use drift::{DriftKind, DriftReport, Finding};
pub use error::{ApiError, Error, ErrorBody, ErrorKind, PagingError};
pub use incremental::{ChangeStream, NextCursor, Since};
pub use pacing::RateLimit;
pub use provider::{ProviderInfo, Role, Scheme, Sends, SlowDown, Var};
pub use rules::{ErrorRules, Field, Only, Part};
pub use secret::Secret;
pub use several::Walked;
pub use stream::{Report, Stop, UserStream, WalkReport};
pub use users::{AnyClient, Users};

/// Everything only generated code calls, in one place: the generator emits
/// `::rollcall_runtime::__codegen::...` paths, so what is public for users stays separate from
/// what is public only because generated code lives in another crate.
#[doc(hidden)]
pub mod __codegen {
    pub use crate::account::{Check, Kind, Literal, Rule, Status, Test};
    pub use crate::account_rules::AccountRules;
    pub use crate::account_rules::Facts;
    pub use crate::auth::{Auth, Plugin};
    pub use crate::builder::{
        ClientBuilder, GeneratedClient, host_label_problem, host_name_problem, param_problem,
        path_segment_problem, template_problem,
    };
    pub use crate::classify::Checked;
    pub use crate::client::{Runtime, call, call_page};
    pub use crate::config::{ClientOptions, Config};
    pub use crate::connect::{Build, Values, connect};
    pub use crate::decode::{open_enum, optional_timestamp, timestamp};
    pub use crate::drift::{DriftOperation, DriftSpec, Node, Ty};
    pub use crate::error::Error;
    pub use crate::incremental::{Incremental, Since, walk_changes};
    pub use crate::list::{List, Paging, resume_list, walk_list};
    pub use crate::pacing::RateLimit;
    pub use crate::page::{Page, Signals, Successor, hash_id};
    pub use crate::provider::{ProviderFields, ProviderInfo, Role, Scheme, Sends, SlowDown, Var};
    pub use crate::rules::{ErrorRules, Field, Only, Part};
    pub use crate::sample::round_trip;
    pub use crate::secret::Secret;
    pub use crate::several::{Walked, cannot_resume_union, walk_union};
    pub use crate::stream::UserStream;
    pub use crate::users::{AnyClient, Users};
    pub use crate::wire::next_link;
}
