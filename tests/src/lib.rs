//! Snapshot and mock-server tests for rollcall live in `tests/`.
