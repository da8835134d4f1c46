//! `rollcall-bench`: the measurements of `cargo xtask bench` that need the `rollcall` crate.
//!
//! xtask must build while the generated code is stale, so it cannot link `rollcall`; it runs
//! this binary (in release) instead and reads one JSON row per line from its standard output.
//!
//! - `rollcall-bench walks [--quick]`: every provider's all-pages walk, ours and a hand-written
//!   baseline, each run in a child process of this binary so that its peak memory is its own.
//! - `rollcall-bench walk PROVIDER IMPL URL N`: one such child; prints `users seconds vmhwm_kib`.
//! - `rollcall-bench decode [--quick]`: one full page of each provider into three targets.
//! - `rollcall-bench decode-repeat PROVIDER ours|value|minimal COUNT`: one page COUNT times,
//!   silently, for `valgrind --tool=callgrind` instruction counts.
//! - `rollcall-bench latency [--quick]`: walks against servers with latency that enforce Sell's
//!   and Support's rate limits, rollcall beside a sequential hand-written loop.
//! - `rollcall-bench serve PROVIDER N`: only the mock, until killed; prints its URL. For
//!   profiling one side of a walk alone, e.g. `perf record rollcall-bench walk … URL N`.

mod baseline;
mod decode;
mod fixtures;
mod latency;
mod row;
mod server;
mod walk;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let result = match args.first().map(String::as_str) {
        Some("walks") => walk::all(quick),
        Some("walk") => walk::child(&args[1..]),
        Some("decode") => decode::all(quick),
        Some("serve") => server::serve(&args[1..]),
        Some("decode-repeat") => decode::repeat(&args[1..]),
        Some("latency") => latency::all(quick),
        _ => Err("usage: rollcall-bench walks|decode [--quick] | walk … | serve …".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rollcall-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
