//! All-pages walks: ours (`client.all_users()`) and the hand-written baseline, each run in a
//! fresh child process against the same loopback server so that `VmHWM` is that walk's peak.

use std::process::Command;
use std::time::Instant;

use futures::TryStreamExt as _;
use rollcall::{sequence, worksection, zendesk_sell, zendesk_support};

use rollcall::Provider;

use crate::fixtures;
use crate::row::{Row, cell, median};
use crate::{baseline, server};

/// The three walkers, in the order each run takes them: ours, then the bare loop over our
/// generated types, then the bare loop over three-field structs.
const OURS: &str = "rollcall";
const LOOP_TYPES: &str = "loop-generated";
const LOOP_MINIMAL: &str = "loop-minimal";
const WALKERS: [&str; 3] = [OURS, LOOP_TYPES, LOOP_MINIMAL];
/// Ours with drift checks on (`ClientBuilder::drift`), measured against ours without.
const OURS_DRIFT: &str = "rollcall-drift";

/// Every provider, both sizes, both implementations; prints the rows.
pub fn all(quick: bool) -> Result<(), String> {
    let (small, large, runs) = if quick {
        (1_000, 10_000, 3)
    } else {
        (10_000, 100_000, 9)
    };
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    for &provider in Provider::ALL {
        if fixtures::pages(provider, 1).is_none() {
            Row {
                section: "Walk",
                case: format!("{provider}"),
                ours: "skipped".to_owned(),
                baseline: "—".to_owned(),
                ratio: "—".to_owned(),
                note: "no recorded shape or hand-written baseline for this provider".to_owned(),
            }
            .print();
            continue;
        }
        // Peak memory (MiB) of each walker at the small and the large N.
        let mut peaks = [[0.0; 3]; 2];
        for (size, users) in [small, large].into_iter().enumerate() {
            let url = server::start(provider, users)?;
            let mut rates: [Vec<f64>; 3] = Default::default();
            let mut memory: [Vec<f64>; 3] = Default::default();
            // Rotate the walkers within each run so that drift on a shared machine hits all.
            for _ in 0..runs {
                for (slot, which) in WALKERS.into_iter().enumerate() {
                    let (rate, mib) = spawn(&exe, provider, which, &url, users)?;
                    rates[slot].push(rate);
                    memory[slot].push(mib);
                }
            }
            let pages = users.div_ceil(fixtures::page_size(provider, users));
            three_way(
                format!("{} users/s, N={users} ({pages} pages)", provider.name()),
                &rates,
                (0, "users/s"),
                "target ≥ 0.9×",
            );
            three_way(
                format!("{} peak RSS, N={users}", provider.name()),
                &memory,
                (1, "MiB"),
                "VmHWM of the walking child process",
            );
            for slot in 0..3 {
                peaks[size][slot] = median(&memory[slot]);
            }
            if size == 0 && !quick {
                instruction_row(&exe, provider, &url, users)?;
                drift_row(&exe, provider, &url, users)?;
            }
        }
        let growth = |slot: usize| peaks[1][slot] / peaks[0][slot];
        Row {
            section: "Walk",
            case: format!("{} peak RSS N={large} / N={small}", provider.name()),
            ours: format!("{:.2}×", growth(0)),
            baseline: format!("same types {:.2}× · minimal {:.2}×", growth(1), growth(2)),
            ratio: String::new(),
            note: if provider.info().max_page_size.is_none() {
                format!("target ≤ 1.10×; {provider} answers with every user in one body")
            } else {
                "target ≤ 1.10×".to_owned()
            },
        }
        .print();
    }
    Ok(())
}

/// A row of ours beside both loops, each a median (min–max) of its samples, with the ratios of
/// the medians; `(digits, unit)` format the cells.
fn three_way(case: String, samples: &[Vec<f64>; 3], (digits, unit): (usize, &str), note: &str) {
    Row {
        section: "Walk",
        case,
        ours: cell(&samples[0], digits, unit),
        baseline: format!(
            "same types {} · minimal {}",
            cell(&samples[1], digits, unit),
            cell(&samples[2], digits, unit)
        ),
        ratio: format!(
            "{:.2}× same types · {:.2}× minimal",
            median(&samples[0]) / median(&samples[1]),
            median(&samples[0]) / median(&samples[2])
        ),
        note: note.to_owned(),
    }
    .print();
}

/// Instructions per user of each walker under callgrind, which repeat exactly from run to run
/// where wall-clock samples on a shared machine spread; skipped without valgrind.
fn instruction_row(
    exe: &std::path::Path,
    provider: Provider,
    url: &str,
    users: usize,
) -> Result<(), String> {
    let mut counts = Vec::new();
    for which in WALKERS {
        match instructions(exe, provider, which, url, users)? {
            Some(n) => counts.push(n),
            None => {
                Row {
                    section: "Walk",
                    case: format!("{} instructions per user (callgrind)", provider.name()),
                    ours: "skipped".to_owned(),
                    baseline: "—".to_owned(),
                    ratio: "—".to_owned(),
                    note: "valgrind not found".to_owned(),
                }
                .print();
                return Ok(());
            }
        }
    }
    Row {
        section: "Walk",
        case: format!(
            "{} instructions per user, N={users} (callgrind)",
            provider.name()
        ),
        ours: format!("{:.0} instr", counts[0]),
        baseline: format!(
            "same types {:.0} instr · minimal {:.0} instr",
            counts[1], counts[2]
        ),
        ratio: format!(
            "{:.2}× same types · {:.2}× minimal",
            counts[1] / counts[0],
            counts[2] / counts[0]
        ),
        note: "whole child process, one run each (the count repeats); ratio is baseline/ours, \
               like users/s"
            .to_owned(),
    }
    .print();
    Ok(())
}

/// What drift checks cost: instructions per user of ours with `drift(true)` against ours
/// without, in the same run; the target is at most 1.5×.
fn drift_row(
    exe: &std::path::Path,
    provider: Provider,
    url: &str,
    users: usize,
) -> Result<(), String> {
    let mut counts = Vec::new();
    for which in [OURS, OURS_DRIFT] {
        match instructions(exe, provider, which, url, users)? {
            Some(n) => counts.push(n),
            None => return Ok(()),
        }
    }
    Row {
        section: "Walk",
        case: format!(
            "{} instructions per user with --drift, N={users} (callgrind)",
            provider.name()
        ),
        ours: format!("{:.0} instr", counts[1]),
        baseline: format!("without drift {:.0} instr", counts[0]),
        ratio: format!("{:.2}×", counts[1] / counts[0]),
        note: "target ≤ 1.5× (drift/without); every response checked against the spec".to_owned(),
    }
    .print();
    Ok(())
}

/// Instructions per user of one walker under callgrind; `None` without valgrind.
fn instructions(
    exe: &std::path::Path,
    provider: Provider,
    which: &str,
    url: &str,
    users: usize,
) -> Result<Option<f64>, String> {
    let Ok(out) = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(exe)
        .args(["walk", provider.name(), which, url, &users.to_string()])
        .output()
    else {
        return Ok(None);
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let collected = stderr
        .lines()
        .find_map(|line| {
            line.split_once("Collected :")
                .map(|(_, n)| n.trim().to_owned())
        })
        .and_then(|n| n.parse::<f64>().ok());
    match collected {
        Some(n) if out.status.success() => Ok(Some(n / users as f64)),
        _ => Err(format!(
            "{} {which} under callgrind: {stderr}",
            provider.name()
        )),
    }
}

/// Runs one walk in a fresh child process; returns its users per second and peak RSS in MiB.
fn spawn(
    exe: &std::path::Path,
    provider: Provider,
    which: &str,
    url: &str,
    users: usize,
) -> Result<(f64, f64), String> {
    let out = Command::new(exe)
        .args(["walk", provider.name(), which, url, &users.to_string()])
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<f64> = text
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    if !out.status.success() || fields.len() != 3 || fields[0] as usize != users {
        return Err(format!(
            "{} {which} walk of {users}: {text} {}",
            provider.name(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok((fields[0] / fields[1], fields[2] / 1024.0))
}

/// One walk in this (child) process: prints `users seconds vmhwm_kib`.
pub fn child(args: &[String]) -> Result<(), String> {
    let [provider, which, url, _users] = args else {
        return Err(
            "usage: rollcall-bench walk PROVIDER rollcall|rollcall-drift|loop-generated|loop-minimal URL N"
                .to_owned(),
        );
    };
    let provider = fixtures::parse(provider)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let seen = runtime.block_on(async {
        match which.as_str() {
            OURS => ours(provider, url, false).await.map_err(|e| e.to_string()),
            OURS_DRIFT => ours(provider, url, true).await.map_err(|e| e.to_string()),
            LOOP_TYPES => baseline::walk::<baseline::Generated>(provider, url)
                .await
                .map_err(|e| e.to_string()),
            LOOP_MINIMAL => baseline::walk::<baseline::Minimal>(provider, url)
                .await
                .map_err(|e| e.to_string()),
            _ => Err(format!("unknown implementation {which}")),
        }
    })?;
    let seconds = start.elapsed().as_secs_f64();
    println!("{seen} {seconds} {}", vmhwm_kib());
    Ok(())
}

/// Counts the users of the stream without keeping them, as an export loop would. The clients'
/// documented rate limits are off: this mock limits nothing, and pacing has its own rows
/// (`latency`); what is measured here is the client's own cost per user.
async fn ours(provider: Provider, url: &str, drift: bool) -> Result<usize, rollcall::Error> {
    async fn count<T>(stream: rollcall::UserStream<'_, T>) -> Result<usize, rollcall::Error> {
        stream.try_fold(0, |n, _| async move { Ok(n + 1) }).await
    }
    match provider {
        Provider::ZendeskSell => {
            let client = zendesk_sell::Client::with_token("token")
                .base_url(url)
                .rate_limit(None)
                .drift(drift)
                .build()?;
            count(client.all_users()).await
        }
        Provider::ZendeskSupport => {
            let client = zendesk_support::Client::with_api_token("acme", "a@b.example", "t")
                .base_url(url)
                .rate_limit(None)
                .drift(drift)
                .build()?;
            count(client.all_users()).await
        }
        Provider::Sequence => {
            let client =
                sequence::Client::with_credentials(sequence::Region::Production, "id", "secret")
                    .base_url(url)
                    .rate_limit(None)
                    .drift(drift)
                    .build()?;
            count(client.all_users()).await
        }
        Provider::Worksection => {
            let client = worksection::Client::with_admin_key("acme", "key")
                .base_url(url)
                .rate_limit(None)
                .drift(drift)
                .build()?;
            count(client.all_users()).await
        }
        // A provider without a typed arm here walks through the registry, each user as JSON.
        _ => {
            let mut options = rollcall::ClientOptions::default();
            options.base_url = Some(url.to_owned());
            options.rate_limit = Some(None);
            options.drift = Some(drift);
            let client = provider.connect(&|_| Some("token".to_owned()), &options)?;
            count(client.all_users_json()).await
        }
    }
}

/// This process's peak resident set (`VmHWM`), in KiB; 0 where /proc is missing.
fn vmhwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("VmHWM:")?
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse()
                    .ok()
            })
        })
        .unwrap_or(0)
}
