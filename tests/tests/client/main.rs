//! Mock-server tests of the generated clients, one module per concern, in one test binary (one
//! link instead of one per file). Shared fixtures live in `common`.
//!
//! Every test starts its own server (`MockServer::builder().start()`), never one from
//! wiremock's shared pool: a walk that fetches pages ahead and stops drops requests that may
//! still reach the server, and a pooled server handed to the next test would count them.

mod common;

mod auth;
mod changes;
mod compat;
mod decode;
mod drift;
mod errors;
mod kit;
mod measure;
mod oauth;
mod pacing;
mod paging;
mod real_shapes;
mod resume;
mod retry;
mod robustness;
mod samples;
mod walk_report;
