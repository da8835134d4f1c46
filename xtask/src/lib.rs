//! The library behind `cargo xtask`, split out so its tests and subcommands share one code path.

pub mod bench;
pub mod codegen;
pub mod diff;
pub mod drift;
pub mod json_schema;
pub mod lint;
pub mod project;
pub mod rust_name;
pub mod semver;
pub mod spec;
pub mod usage;
