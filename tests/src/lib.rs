//! Snapshot and mock-server tests for rollcall live in `tests/`; this library holds what they
//! share with the CLI's process tests and the benchmark: the recorded shapes of real providers
//! ([`fixtures`]).

pub mod fixtures;
