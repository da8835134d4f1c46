//! Mock-server tests of the generated clients, one module per concern, in one test binary (one
//! link instead of one per file). Shared fixtures live in `common`.

mod common;

mod auth;
mod compat;
mod decode;
mod errors;
mod kit;
mod measure;
mod pacing;
mod paging;
mod real_shapes;
mod retry;
mod robustness;
mod walk_report;
